// SPDX-License-Identifier: GPL-2.0
/*
 * read(2)/write(2) on BAR regions, checked against what the emulated devices
 * are known to do: edu's identification and liveness registers (MMIO) and
 * pci-testdev's I/O port BAR.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_FACTORIAL	0x08
#define EDU_DMA_SRC	0x80
#define EDU_ID_VALUE	0x010000ed

FIXTURE(edu) {
	struct vt_device dev;
	struct vfio_region_info bar0;
};

FIXTURE_SETUP(edu)
{
	if (!vt_device_open_id(&self->dev, 0x1234, 0x11e8))
		SKIP(return, "no edu bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &self->bar0));
}

FIXTURE_TEARDOWN(edu)
{
	vt_device_close(&self->dev);
}

static uint32_t edu_read32(struct __test_metadata *_metadata,
			   FIXTURE_DATA(edu) *self, uint64_t off)
{
	uint32_t v;

	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->bar0, off, &v, 4));
	return v;
}

TEST_F(edu, bar0_info_matches_sysfs_resource)
{
	struct vfio_region_info bar1;

	ASSERT_EQ(1 << 20, self->bar0.size);
	ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  self->bar0.flags & (VFIO_REGION_INFO_FLAG_READ |
				      VFIO_REGION_INFO_FLAG_WRITE));
	/* edu has no BAR1: an empty region, no access flags. */
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR1_REGION_INDEX,
				      &bar1));
	ASSERT_EQ(0, bar1.size);
	ASSERT_EQ(0, bar1.flags);
}

TEST_F(edu, id_register_reads)
{
	ASSERT_EQ(EDU_ID_VALUE, edu_read32(_metadata, self, EDU_ID));
}

TEST_F(edu, liveness_register_inverts)
{
	uint32_t v = 0x12345678;

	ASSERT_EQ(4, __vt_region_write(self->dev.fd, &self->bar0,
				       EDU_LIVENESS, &v, 4));
	ASSERT_EQ(~v, edu_read32(_metadata, self, EDU_LIVENESS));
	v = 0;
	ASSERT_EQ(4, __vt_region_write(self->dev.fd, &self->bar0,
				       EDU_LIVENESS, &v, 4));
	ASSERT_EQ(0xffffffff, edu_read32(_metadata, self, EDU_LIVENESS));
}

TEST_F(edu, unaligned_read_is_split_into_aligned_pieces)
{
	uint32_t regs[2], v = 0xa5a5a5a5;

	/*
	 * 8 bytes at 0x04 are not 8-byte aligned: they must reach the device
	 * as two 4-byte reads (liveness, factorial), the only width edu
	 * answers below 0x80.
	 */
	ASSERT_EQ(4, __vt_region_write(self->dev.fd, &self->bar0,
				       EDU_LIVENESS, &v, 4));
	ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->bar0, EDU_LIVENESS,
				      regs, 8));
	ASSERT_EQ(~v, regs[0]);
	ASSERT_EQ(edu_read32(_metadata, self, EDU_FACTORIAL), regs[1]);
}

TEST_F(edu, aligned_8_byte_access_is_one_access)
{
	uint64_t v = 0x0000001122334000ULL, r = 0;

	/* edu's DMA address registers take 8-byte accesses at 0x80. */
	ASSERT_EQ(8, __vt_region_write(self->dev.fd, &self->bar0, EDU_DMA_SRC,
				       &v, 8));
	ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->bar0, EDU_DMA_SRC,
				      &r, 8));
	ASSERT_EQ(v, r);
}

TEST_F(edu, access_past_bar_end_fails)
{
	uint32_t v;

	ASSERT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &self->bar0,
					    self->bar0.size, &v, 4));
	ASSERT_EQ(-EINVAL, __vt_region_write(self->dev.fd, &self->bar0,
					     self->bar0.size + 4, &v, 4));
	/* Crossing the end: only the bytes inside the BAR are read. */
	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &self->bar0,
				      self->bar0.size - 2, &v, 4));
}

/*
 * A user buffer the kernel cannot copy: -EFAULT, and a write from it reaches
 * no register.  A buffer that turns bad part-way through a batch (two
 * 8-byte pieces, the second on an inaccessible page) fails the same way.
 */
TEST_F(edu, bad_user_buffer_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t src = 0x0000001122334000ULL, r = 0;
	uint32_t v = 0x12345678;
	char *buf;

	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));
	ASSERT_EQ(4, __vt_region_write(self->dev.fd, &self->bar0,
				       EDU_LIVENESS, &v, 4));
	ASSERT_EQ(8, __vt_region_write(self->dev.fd, &self->bar0, EDU_DMA_SRC,
				       &src, 8));

	ASSERT_EQ(-EFAULT, __vt_region_read(self->dev.fd, &self->bar0,
					    EDU_LIVENESS, buf + page, 4));
	ASSERT_EQ(-EFAULT, __vt_region_write(self->dev.fd, &self->bar0,
					     EDU_LIVENESS, buf + page, 4));
	ASSERT_EQ(~v, edu_read32(_metadata, self, EDU_LIVENESS));

	memset(buf + page - 8, 0x5a, 8);
	ASSERT_EQ(-EFAULT, __vt_region_read(self->dev.fd, &self->bar0,
					    EDU_DMA_SRC, buf + page - 8, 16));
	ASSERT_EQ(-EFAULT, __vt_region_write(self->dev.fd, &self->bar0,
					     EDU_DMA_SRC, buf + page - 8, 16));
	ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->bar0, EDU_DMA_SRC,
				      &r, 8));
	ASSERT_EQ(src, r);
	munmap(buf, 2 * page);
}

/* pci-testdev BAR1 is a 256-byte I/O port BAR with a test header. */
FIXTURE(testdev) {
	struct vt_device dev;
	struct vfio_region_info bar1;
};

FIXTURE_SETUP(testdev)
{
	if (!vt_device_open_id(&self->dev, 0x1b36, 0x0005))
		SKIP(return, "no pci-testdev bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR1_REGION_INDEX,
				      &self->bar1));
}

FIXTURE_TEARDOWN(testdev)
{
	vt_device_close(&self->dev);
}

TEST_F(testdev, io_port_bar_reads_test_header)
{
	uint8_t test = 0, width = 0;
	char name[32] = "";
	int i;

	ASSERT_EQ(256, self->bar1.size);
	/* Select test 0, then read its width byte and NUL-terminated name. */
	ASSERT_EQ(1, __vt_region_write(self->dev.fd, &self->bar1, 0, &test, 1));
	ASSERT_EQ(1, __vt_region_read(self->dev.fd, &self->bar1, 1, &width, 1));
	ASSERT_EQ(1, width);
	for (i = 0; i < (int)sizeof(name) - 1; i++) {
		ASSERT_EQ(1, __vt_region_read(self->dev.fd, &self->bar1, 16 + i,
					      &name[i], 1));
		if (!name[i])
			break;
	}
	ASSERT_STREQ("portio-no-eventfd", name);
}

TEST_HARNESS_MAIN
