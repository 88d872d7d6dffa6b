// SPDX-License-Identifier: GPL-2.0
/*
 * The VGA region: QEMU's standard VGA (1234:1111) is the VM's one VGA-class
 * function.  Its region exposes the legacy frame buffer window and the two
 * register port windows at their legacy addresses; everything else in the
 * region is refused.  Devices of other classes have no VGA region.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

#define VGA	VFIO_PCI_VGA_REGION_INDEX

/*
 * Sequencer index register (0x3c4) is plain read/write storage for its low
 * bits; the text buffer ends at 0xbffff, far past an 80x25 screen.
 */
#define SEQ_INDEX	0x3c4
#define MISC_OUT_READ	0x3cc
#define TEXT_SPARE	0xbff00

FIXTURE(vga) {
	struct vt_device dev;
	struct vfio_region_info vga;
};

FIXTURE_SETUP(vga)
{
	if (!vt_device_open_id(&self->dev, 0x1234, 0x1111))
		SKIP(return, "no VGA function bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VGA, &self->vga));
}

FIXTURE_TEARDOWN(vga)
{
	vt_device_close(&self->dev);
}

TEST_F(vga, region_info)
{
	struct vfio_device_info info;

	ASSERT_EQ(0xc0000, self->vga.size);
	ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  self->vga.flags);
	ASSERT_EQ(0, __vt_get_info(self->dev.fd, &info));
	ASSERT_LT(VGA, info.num_regions);
}

TEST_F(vga, port_register_reads_back)
{
	uint8_t old, val, back;

	ASSERT_EQ(1, __vt_region_read(self->dev.fd, &self->vga, SEQ_INDEX,
				      &old, 1));
	for (val = 1; val < 5; val++) {
		ASSERT_EQ(1, __vt_region_write(self->dev.fd, &self->vga,
					       SEQ_INDEX, &val, 1));
		ASSERT_EQ(1, __vt_region_read(self->dev.fd, &self->vga,
					      SEQ_INDEX, &back, 1));
		ASSERT_EQ(val, back & 0x7);
	}
	ASSERT_EQ(1, __vt_region_write(self->dev.fd, &self->vga, SEQ_INDEX,
				       &old, 1));
}

TEST_F(vga, misc_output_is_readable)
{
	uint8_t misc = 0;

	ASSERT_EQ(1, __vt_region_read(self->dev.fd, &self->vga, MISC_OUT_READ,
				      &misc, 1));
}

TEST_F(vga, frame_buffer_window_reads_back)
{
	uint8_t pattern[64], back[64];
	unsigned int i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = 0x5a ^ (i * 7);
	ASSERT_EQ(sizeof(pattern),
		  __vt_region_write(self->dev.fd, &self->vga, TEXT_SPARE,
				    pattern, sizeof(pattern)));
	ASSERT_EQ(sizeof(back),
		  __vt_region_read(self->dev.fd, &self->vga, TEXT_SPARE,
				   back, sizeof(back)));
	ASSERT_EQ(0, memcmp(pattern, back, sizeof(back)));

	/* An odd length at an odd offset sees the same bytes. */
	ASSERT_EQ(5, __vt_region_read(self->dev.fd, &self->vga,
				      TEXT_SPARE + 3, back, 5));
	ASSERT_EQ(0, memcmp(pattern + 3, back, 5));
}

TEST_F(vga, access_is_clamped_to_its_window)
{
	uint8_t buf[64];

	/* 0x3b0-0x3bb: 16 bytes from 0x3b8 return the 4 up to the end. */
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->vga, 0x3b8, buf,
				      16));
	/* 0x3c0-0x3df */
	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &self->vga, 0x3de, buf,
				      16));
	/* The frame buffer window ends at the region's end. */
	ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->vga, 0xbfff8, buf,
				      64));
}

TEST_F(vga, outside_the_windows_is_refused)
{
	static const uint64_t bad[] = {
		0x0, 0x3af, 0x3bc, 0x3bf, 0x3e0, 0x9ffff, 0xc0000, 0xfffff,
		1ULL << 39,
	};
	uint8_t b = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &self->vga,
						    bad[i], &b, 1))
			TH_LOG("read at 0x%llx", (unsigned long long)bad[i]);
		EXPECT_EQ(-EINVAL, __vt_region_write(self->dev.fd, &self->vga,
						     bad[i], &b, 1))
			TH_LOG("write at 0x%llx", (unsigned long long)bad[i]);
	}
}

TEST_F(vga, cannot_be_mapped)
{
	void *addr;

	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->vga, 0xa0000,
					    getpagesize(), PROT_READ,
					    MAP_SHARED, &addr));
}

/* A function of another class has no VGA region. */
FIXTURE(not_vga) {
	struct vt_device dev;
};

FIXTURE_SETUP(not_vga)
{
	if (!vt_device_open_id(&self->dev, 0x1234, 0x11e8))
		SKIP(return, "no edu bound to vfio-pci");
}

FIXTURE_TEARDOWN(not_vga)
{
	vt_device_close(&self->dev);
}

TEST_F(not_vga, no_vga_region)
{
	struct vfio_region_info info;
	uint8_t b;

	ASSERT_EQ(-EINVAL, __vt_region_info(self->dev.fd, VGA, &info));
	info.index = VGA;
	info.offset = (uint64_t)VGA << 40;
	info.size = 0xc0000;
	ASSERT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &info, 0x3c4, &b,
					    1));
}

TEST_HARNESS_MAIN
