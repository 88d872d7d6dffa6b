// SPDX-License-Identifier: GPL-2.0
/*
 * The ROM region: e1000e carries QEMU's efi-e1000e.rom, edu has no ROM.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

FIXTURE(e1000e) {
	struct vt_device dev;
	struct vfio_region_info rom;
};

FIXTURE_SETUP(e1000e)
{
	if (!vt_device_open_id(&self->dev, 0x8086, 0x10d3))
		SKIP(return, "no e1000e bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_ROM_REGION_INDEX,
				      &self->rom));
}

FIXTURE_TEARDOWN(e1000e)
{
	vt_device_close(&self->dev);
}

TEST_F(e1000e, rom_region_is_read_only)
{
	ASSERT_LT(0, self->rom.size);
	ASSERT_EQ(0, self->rom.size % 2048);
	ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ, self->rom.flags);
}

TEST_F(e1000e, rom_starts_with_signature)
{
	uint8_t sig[2];

	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &self->rom, 0, sig, 2));
	ASSERT_EQ(0x55, sig[0]);
	ASSERT_EQ(0xaa, sig[1]);
}

TEST_F(e1000e, whole_rom_reads_and_matches_pieces)
{
	uint8_t *all = malloc(self->rom.size);
	uint8_t piece[7];
	uint64_t off;

	ASSERT_NE(NULL, all);
	ASSERT_EQ(self->rom.size, __vt_region_read(self->dev.fd, &self->rom,
						   0, all, self->rom.size));
	/* Odd sizes at odd offsets see the same bytes. */
	for (off = 1; off + sizeof(piece) < self->rom.size; off += 4099) {
		ASSERT_EQ(sizeof(piece),
			  __vt_region_read(self->dev.fd, &self->rom, off,
					   piece, sizeof(piece)));
		ASSERT_EQ(0, memcmp(all + off, piece, sizeof(piece)));
	}
	free(all);
}

/*
 * Length of the chain of images at the start of @rom: each starts with
 * 0x55 0xaa, points at 0x18 to its PCI data structure, which gives the image
 * length in 512-byte units at +0x10 and marks the last image in bit 7 of
 * +0x15.
 */
static uint64_t rom_images_len(const uint8_t *rom, uint64_t size)
{
	uint64_t off = 0, pcir, len;

	while (off + 0x1a <= size && rom[off] == 0x55 && rom[off + 1] == 0xaa) {
		pcir = off + (rom[off + 0x18] | rom[off + 0x19] << 8);
		if (pcir + 0x18 > size || memcmp(rom + pcir, "PCIR", 4))
			break;
		len = (rom[pcir + 0x10] | rom[pcir + 0x11] << 8) * 512ULL;
		if (!len)
			break;
		off += len;
		if (rom[pcir + 0x15] & 0x80)
			break;
	}
	return off < size ? off : size;
}

TEST_F(e1000e, bytes_past_the_images_read_ff)
{
	uint8_t *all = malloc(self->rom.size);
	uint64_t images, off;

	ASSERT_NE(NULL, all);
	ASSERT_EQ(self->rom.size, __vt_region_read(self->dev.fd, &self->rom,
						   0, all, self->rom.size));
	images = rom_images_len(all, self->rom.size);
	ASSERT_LT(0, images);
	TH_LOG("ROM BAR %llu bytes, images %llu bytes",
	       (unsigned long long)self->rom.size, (unsigned long long)images);
	for (off = images; off < self->rom.size; off++)
		ASSERT_EQ(0xff, all[off]);
	free(all);
}

/* The ROM is readable with memory decode off, and decode stays off. */
TEST_F(e1000e, rom_reads_with_memory_decode_off)
{
	uint16_t cmd, off, now;
	uint8_t sig[2];
	ssize_t n;

	ASSERT_EQ(0, __vt_sysfs_command(self->dev.bdf, &cmd, false));
	off = cmd & ~0x2;
	ASSERT_EQ(0, __vt_sysfs_command(self->dev.bdf, &off, true));
	n = __vt_region_read(self->dev.fd, &self->rom, 0, sig, 2);
	ASSERT_EQ(0, __vt_sysfs_command(self->dev.bdf, &now, false));
	ASSERT_EQ(0, __vt_sysfs_command(self->dev.bdf, &cmd, true));
	ASSERT_EQ(2, n);
	ASSERT_EQ(0x55, sig[0]);
	ASSERT_EQ(0xaa, sig[1]);
	ASSERT_EQ(off, now);
}

TEST_F(e1000e, rom_write_fails)
{
	uint8_t v = 0;

	ASSERT_EQ(-EINVAL, __vt_region_write(self->dev.fd, &self->rom, 0, &v,
					     1));
}

TEST_F(e1000e, rom_mmap_fails)
{
	void *p;

	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->rom, 0,
					    sysconf(_SC_PAGESIZE), PROT_READ,
					    MAP_SHARED, &p));
}

TEST_F(e1000e, access_past_rom_end)
{
	uint32_t v;

	ASSERT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &self->rom,
					    self->rom.size, &v, 4));
	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &self->rom,
				      self->rom.size - 2, &v, 4));
}

TEST(edu_has_no_rom)
{
	const char *bdf = vt_find_one(0x1234, 0x11e8);
	struct vfio_region_info rom;
	struct vt_device dev;
	uint8_t v;

	if (!bdf)
		SKIP(return, "no edu bound to vfio-pci");
	vt_device_open(&dev, bdf);
	ASSERT_EQ(0, __vt_region_info(dev.fd, VFIO_PCI_ROM_REGION_INDEX, &rom));
	ASSERT_EQ(0, rom.size);
	ASSERT_EQ(0, rom.flags);
	ASSERT_EQ(-EINVAL, __vt_region_read(dev.fd, &rom, 0, &v, 1));
	vt_device_close(&dev);
}

TEST_HARNESS_MAIN
