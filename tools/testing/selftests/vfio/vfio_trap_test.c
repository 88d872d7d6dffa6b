// SPDX-License-Identifier: GPL-2.0
/*
 * The core's trap framework, seen through the test variant
 * vfio-pci-trap-test (drivers/vfio/pci/variants/trap_test/trap_test.c, whose
 * header comment lists what it declares).  Each fixture moves one device
 * from vfio-pci to the variant with driver_override and back at the end.
 *
 * Config traps: static registers keep their read-only bits, handler-backed
 * registers run their handler, added capabilities are linked into the chain,
 * hidden ones are gone, a replaced one shows the virtual copy, the chains
 * end without loops; accesses straddling register edges are split.
 * BAR traps: trapped ranges are served by the variant, the rest reaches the
 * device; region info lists sparse mmap areas that leave out exactly the
 * trapped pages; mmap of a trapped page fails, of the others works.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"
#include "lib/vfio_driver.h"

#define TRAP_DRIVER	"vfio-pci-trap-test"
#define SYSFS_PCI	"/sys/bus/pci/devices"

/* pci-testdev's test header (BAR0 and BAR1). */
#define TD_SELECT	0
#define TD_COUNT	12
#define TD_PIO_TARGET	131

static uint64_t cfg_get(int fd, const struct vfio_region_info *cfg,
			uint32_t off, size_t size)
{
	uint64_t v = 0;

	if (__vt_region_read(fd, cfg, off, &v, size) != (ssize_t)size)
		return ~0ULL;
	return v;
}

static ssize_t cfg_put(int fd, const struct vfio_region_info *cfg,
		       uint32_t off, uint64_t v, size_t size)
{
	return __vt_region_write(fd, cfg, off, &v, size);
}

/*
 * Walk a capability chain; record each (offset, id).  Returns the count, or
 * -1 on a loop or a bad pointer.
 */
static int walk_std(int fd, const struct vfio_region_info *cfg,
		    uint8_t pos[], uint8_t id[], int max)
{
	int n = 0, i;
	uint8_t p;

	if (!(cfg_get(fd, cfg, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	p = cfg_get(fd, cfg, PCI_CAPABILITY_LIST, 1);
	while (p) {
		if (p < 0x40 || (p & 3) || n >= max)
			return -1;
		for (i = 0; i < n; i++)
			if (pos[i] == p)
				return -1;
		pos[n] = p;
		id[n++] = cfg_get(fd, cfg, p, 1);
		p = cfg_get(fd, cfg, p + 1, 1);
	}
	return n;
}

static int walk_ext(int fd, const struct vfio_region_info *cfg,
		    uint16_t pos[], uint16_t id[], int max)
{
	uint32_t p = 0x100, hdr;
	int n = 0, i;

	while (p) {
		if (p < 0x100 || (p & 3) || p >= cfg->size || n >= max)
			return -1;
		for (i = 0; i < n; i++)
			if (pos[i] == p)
				return -1;
		hdr = cfg_get(fd, cfg, p, 4);
		if (!hdr)
			break;
		pos[n] = p;
		id[n++] = hdr & 0xffff;
		p = hdr >> 20;
	}
	return n;
}

/* Region info with room for capabilities; free() the result. */
static struct vfio_region_info *region_info_caps(int fd, uint32_t index)
{
	struct vfio_region_info *info = calloc(1, 4096);

	if (!info)
		return NULL;
	info->argsz = 4096;
	info->index = index;
	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
		free(info);
		return NULL;
	}
	return info;
}

static struct vfio_info_cap_header *
find_region_cap(struct vfio_region_info *info, uint16_t id)
{
	uint32_t off;
	int hops = 0;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return NULL;
	for (off = info->cap_offset; off && hops < 16; hops++) {
		struct vfio_info_cap_header *h = (void *)((char *)info + off);

		if (h->id == id)
			return h;
		off = h->next;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* pci-testdev                                                          */
/* ------------------------------------------------------------------ */

FIXTURE(testdev) {
	struct vt_device dev;
	struct vfio_region_info cfg, bar[3];
};

FIXTURE_SETUP(testdev)
{
	int ret = vt_variant_open(&self->dev, 0x1b36, 0x0005, TRAP_DRIVER);
	int i;

	if (ret == -ENOENT)
		SKIP(return, TRAP_DRIVER " is not loaded");
	if (ret == -ENODEV)
		SKIP(return, "no pci-testdev bound to vfio-pci");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX,
				      &self->cfg));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, __vt_region_info(self->dev.fd, i, &self->bar[i]));
}

FIXTURE_TEARDOWN(testdev)
{
	vt_variant_close(&self->dev);
}

#define CFG(off, size)	cfg_get(self->dev.fd, &self->cfg, off, size)
#define CFG_PUT(off, v, size)						\
	ASSERT_EQ(size, cfg_put(self->dev.fd, &self->cfg, off, v, size))

TEST_F(testdev, static_header_register_is_read_only)
{
	ASSERT_EQ(0xbeef, CFG(PCI_SUBSYSTEM_ID, 2));
	CFG_PUT(PCI_SUBSYSTEM_ID, 0x1234, 2);
	ASSERT_EQ(0xbeef, CFG(PCI_SUBSYSTEM_ID, 2));
	CFG_PUT(PCI_SUBSYSTEM_ID + 1, 0x12, 1);
	ASSERT_EQ(0xbe, CFG(PCI_SUBSYSTEM_ID + 1, 1));
}

TEST_F(testdev, static_register_keeps_read_only_bits)
{
	ASSERT_EQ(0x12345678, CFG(0x64, 4));
	CFG_PUT(0x64, 0xffffffff, 4);
	ASSERT_EQ(0x1234ffff, CFG(0x64, 4));
	CFG_PUT(0x64, 0, 4);
	ASSERT_EQ(0x12340000, CFG(0x64, 4));
	/* A byte of the read-only half, then one of the writable half. */
	CFG_PUT(0x66, 0xaa, 1);
	ASSERT_EQ(0x12340000, CFG(0x64, 4));
	CFG_PUT(0x65, 0xbb, 1);
	ASSERT_EQ(0x1234bb00, CFG(0x64, 4));
	ASSERT_EQ(0x1234, CFG(0x66, 2));
}

TEST_F(testdev, free_space_register_mask)
{
	ASSERT_EQ(0xa5a5a5a5, CFG(0xa0, 4));
	CFG_PUT(0xa0, 0xffffffff, 4);
	ASSERT_EQ(0xffa5ffa5, CFG(0xa0, 4));
	CFG_PUT(0xa0, 0, 4);
	ASSERT_EQ(0x00a500a5, CFG(0xa0, 4));
}

TEST_F(testdev, handler_register_runs_its_handler)
{
	/* Stored 0 reads inverted. */
	ASSERT_EQ(0xffffffff, CFG(0x68, 4));
	CFG_PUT(0x68, 0x11223344, 4);
	ASSERT_EQ(0xeeddccbb, CFG(0x68, 4));
	ASSERT_EQ(0xcc, CFG(0x69, 1));
	ASSERT_EQ(0xeedd, CFG(0x6a, 2));
	CFG_PUT(0x6b, 0x00, 1);
	ASSERT_EQ(0xffddccbb, CFG(0x68, 4));
}

TEST_F(testdev, registers_reset_at_every_open)
{
	char bdf[VT_BDF_LEN];

	CFG_PUT(0x64, 0, 4);
	CFG_PUT(0x68, 0x5a5a5a5a, 4);
	ASSERT_EQ(0x12340000, CFG(0x64, 4));
	snprintf(bdf, sizeof(bdf), "%s", self->dev.bdf);
	vt_device_close(&self->dev);
	vt_device_open(&self->dev, bdf);
	ASSERT_EQ(0x12345678, CFG(0x64, 4));
	ASSERT_EQ(0xffffffff, CFG(0x68, 4));
}

TEST_F(testdev, added_capabilities_are_chained)
{
	uint8_t pos[48], id[48];
	int n = walk_std(self->dev.fd, &self->cfg, pos, id, 48);

	/* The device has none; the variant added 0x60 then 0x40. */
	ASSERT_EQ(2, n);
	ASSERT_EQ(0x60, pos[0]);
	ASSERT_EQ(PCI_CAP_ID_VNDR, id[0]);
	ASSERT_EQ(0x40, pos[1]);
	ASSERT_EQ(PCI_CAP_ID_VNDR, id[1]);
	/* Bodies: length byte, then the variant's bytes. */
	ASSERT_EQ(0x14, CFG(0x62, 1));
	ASSERT_EQ(0x54, CFG(0x63, 1));		/* 'T' */
	ASSERT_EQ(0x4f494656, CFG(0x43, 4));		/* "VFIO" */
	ASSERT_EQ(8, CFG(0x42, 1));
}

TEST_F(testdev, capability_bytes_and_links_are_read_only)
{
	uint8_t pos[48], id[48];

	CFG_PUT(PCI_CAPABILITY_LIST, 0x80, 1);
	CFG_PUT(0x61, 0xa0, 1);
	CFG_PUT(0x41, 0x60, 1);			/* would make a loop */
	CFG_PUT(0x60, 0x01, 1);
	CFG_PUT(0x62, 0xff, 1);
	CFG_PUT(PCI_STATUS, 0, 2);
	ASSERT_EQ(2, walk_std(self->dev.fd, &self->cfg, pos, id, 48));
	ASSERT_EQ(0x60, pos[0]);
	ASSERT_EQ(0x40, pos[1]);
	ASSERT_EQ(PCI_CAP_ID_VNDR, id[0]);
	ASSERT_EQ(0x14, CFG(0x62, 1));
}

TEST_F(testdev, config_access_straddling_registers_is_split)
{
	uint8_t b[8];
	uint8_t w[3] = { 0x11, 0x22, 0x33 };

	CFG_PUT(0x68, 0x000000f0, 4);
	/* 0x62..0x69: cap body, register 0x64, two bytes of 0x68. */
	ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->cfg, 0x62, b, 8));
	ASSERT_EQ(0x14, b[0]);
	ASSERT_EQ('T', b[1]);
	ASSERT_EQ(0x78, b[2]);
	ASSERT_EQ(0x56, b[3]);
	ASSERT_EQ(0x34, b[4]);
	ASSERT_EQ(0x12, b[5]);
	ASSERT_EQ(0x0f, b[6]);			/* ~0xf0 */
	ASSERT_EQ(0xff, b[7]);
	/* 3 bytes at 0x63: a read-only body byte, then 0x64's low half. */
	ASSERT_EQ(3, __vt_region_write(self->dev.fd, &self->cfg, 0x63, w, 3));
	ASSERT_EQ('T', CFG(0x63, 1));
	ASSERT_EQ(0x12343322, CFG(0x64, 4));
	/* Odd sizes and offsets inside one register. */
	ASSERT_EQ(3, __vt_region_read(self->dev.fd, &self->cfg, 0x65, b, 3));
	ASSERT_EQ(0x33, b[0]);
	ASSERT_EQ(0x34, b[1]);
	ASSERT_EQ(0x12, b[2]);
}

TEST_F(testdev, region_info_reports_sparse_areas)
{
	struct vfio_region_info_cap_sparse_mmap *sp;
	struct vfio_region_info *info;
	long pg = sysconf(_SC_PAGESIZE);

	/* BAR0 is one page, and it holds traps: nothing left to map. */
	info = region_info_caps(self->dev.fd, 0);
	ASSERT_NE(NULL, info);
	ASSERT_EQ(0, info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(NULL, find_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP));
	free(info);

	/* BAR1 is I/O: never mappable, no sparse capability. */
	info = region_info_caps(self->dev.fd, 1);
	ASSERT_NE(NULL, info);
	ASSERT_EQ(0, info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(NULL, find_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP));
	free(info);

	/* BAR2: the page holding 0x1008..0x100f is left out. */
	info = region_info_caps(self->dev.fd, 2);
	ASSERT_NE(NULL, info);
	ASSERT_TRUE(info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	sp = (void *)find_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	ASSERT_NE(NULL, sp);
	ASSERT_EQ(1, sp->header.version);
	ASSERT_EQ(2, sp->nr_areas);
	ASSERT_EQ(0, sp->areas[0].offset);
	ASSERT_EQ(0x1008 / pg * pg, sp->areas[0].size);
	ASSERT_EQ((0x100f / pg + 1) * pg, sp->areas[1].offset);
	ASSERT_EQ(info->size, sp->areas[1].offset + sp->areas[1].size);
	free(info);
}

TEST_F(testdev, region_info_too_small_for_sparse_area_list)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_BAR2_REGION_INDEX,
	};

	/* The capability does not fit: its size is reported, not copied. */
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &info));
	ASSERT_TRUE(info.flags & VFIO_REGION_INFO_FLAG_CAPS);
	ASSERT_TRUE(info.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(0, info.cap_offset);
	ASSERT_LE(sizeof(info) + sizeof(struct vfio_region_info_cap_sparse_mmap) +
		  2 * sizeof(struct vfio_region_sparse_mmap_area), info.argsz);
	ASSERT_EQ(self->bar[2].size, info.size);
}

/*
 * mmap that is expected to fail; a mapping made by mistake is undone so that
 * it does not keep the device open past the test.
 */
static int mmap_errno(int fd, const struct vfio_region_info *info,
		      uint64_t off, size_t len)
{
	void *p;
	int ret = __vt_region_mmap(fd, info, off, len, PROT_READ, MAP_SHARED,
				   &p);

	if (!ret)
		munmap(p, len);
	return ret;
}

TEST_F(testdev, mmap_of_trapped_pages_fails)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t trapped = 0x1008 / pg * pg;
	uint64_t after = (0x100f / pg + 1) * pg;
	struct vfio_region_info *b2 = &self->bar[2];
	int fd = self->dev.fd;
	uint32_t via_mmap, via_read;
	void *p;

	ASSERT_EQ(-EINVAL, mmap_errno(fd, &self->bar[0], 0, pg));
	ASSERT_EQ(-EINVAL, mmap_errno(fd, b2, trapped, pg));
	/* A range that only ends in, or only starts in, the trapped page. */
	ASSERT_EQ(-EINVAL, mmap_errno(fd, b2, 0, trapped + pg));
	ASSERT_EQ(-EINVAL, mmap_errno(fd, b2, trapped, 2 * pg));
	ASSERT_EQ(-EINVAL, mmap_errno(fd, b2, 0, b2->size));

	/* The areas around it map, and reach what read() reaches. */
	if (trapped) {
		ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar[2], 0,
					      trapped, PROT_READ, MAP_SHARED,
					      &p));
		munmap(p, trapped);
	}
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar[2], after,
				      4 * pg, PROT_READ | PROT_WRITE,
				      MAP_SHARED, &p));
	via_mmap = *(volatile uint32_t *)((char *)p + 0x10);
	munmap(p, 4 * pg);
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->bar[2], after + 0x10,
				      &via_read, 4));
	ASSERT_EQ(via_read, via_mmap);
}

static uint64_t bar_get(struct __test_metadata *_metadata,
			FIXTURE_DATA(testdev) *self, int bar, uint64_t off,
			size_t size)
{
	uint64_t v = 0;

	EXPECT_EQ((ssize_t)size, __vt_region_read(self->dev.fd, &self->bar[bar],
						  off, &v, size));
	return v;
}

static void bar_put(struct __test_metadata *_metadata,
		    FIXTURE_DATA(testdev) *self, int bar, uint64_t off,
		    uint64_t v, size_t size)
{
	EXPECT_EQ((ssize_t)size, __vt_region_write(self->dev.fd,
						   &self->bar[bar], off, &v,
						   size));
}

#define LAST()	bar_get(_metadata, self, 0, 0x200, 8)
#define LASTV(off, size)	((uint64_t)(off) << 8 | (size))

TEST_F(testdev, mmio_trap_serves_reads_and_writes)
{
	uint8_t buf[16], out[16];
	int i;

	for (i = 0; i < 16; i++)
		buf[i] = 0xc0 + i;
	ASSERT_EQ(16, __vt_region_write(self->dev.fd, &self->bar[0], 0x100,
					buf, 16));
	ASSERT_EQ(LASTV(0x108, 8), LAST());
	memset(out, 0, sizeof(out));
	ASSERT_EQ(16, __vt_region_read(self->dev.fd, &self->bar[0], 0x100,
				       out, 16));
	ASSERT_EQ(0, memcmp(buf, out, 16));
	ASSERT_EQ(0xc7c6c5c4, bar_get(_metadata, self, 0, 0x104, 4));
	ASSERT_EQ(LASTV(0x104, 4), LAST());
}

TEST_F(testdev, access_straddling_a_trap_is_split)
{
	uint8_t b[8];
	uint8_t w[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	bar_put(_metadata, self, 0, 0x100, 0x8877665544332211ULL, 8);
	/* 0xfc..0x103: four device bytes, then the trap's first four. */
	ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->bar[0], 0xfc, b, 8));
	ASSERT_EQ(LASTV(0x100, 4), LAST());
	ASSERT_EQ(0x11, b[4]);
	ASSERT_EQ(0x44, b[7]);
	/* Odd size, odd offset: 1 + 2 bytes. */
	ASSERT_EQ(3, __vt_region_read(self->dev.fd, &self->bar[0], 0x101, b, 3));
	ASSERT_EQ(LASTV(0x102, 2), LAST());
	ASSERT_EQ(0x22, b[0]);
	ASSERT_EQ(0x33, b[1]);
	ASSERT_EQ(0x44, b[2]);
	/* 7 bytes at 0x101: 1 + 2 + 4. */
	ASSERT_EQ(7, __vt_region_write(self->dev.fd, &self->bar[0], 0x101, w, 7));
	ASSERT_EQ(LASTV(0x104, 4), LAST());
	ASSERT_EQ(0x0706050403020111ULL, bar_get(_metadata, self, 0, 0x100, 8));
	/* 8 bytes at 0x10c: the trap's last four, then the device's. */
	ASSERT_EQ(8, __vt_region_write(self->dev.fd, &self->bar[0], 0x10c,
				       w, 8));
	ASSERT_EQ(LASTV(0x10c, 4), LAST());
	ASSERT_EQ(0x04030201, bar_get(_metadata, self, 0, 0x10c, 4));
	/* A read ending exactly at the trap does not touch it. */
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->bar[0], 0xfc, b, 4));
	ASSERT_EQ(LASTV(0x10c, 4), LAST());
}

TEST_F(testdev, untrapped_and_forwarded_accesses_reach_the_device)
{
	uint32_t before, after;

	/* Test 0 counts writes of its width to its target (0x800). */
	bar_put(_metadata, self, 0, TD_SELECT, 0, 1);
	before = bar_get(_metadata, self, 0, TD_COUNT, 4);
	bar_put(_metadata, self, 0, 0x800, 0xfa, 1);
	bar_put(_metadata, self, 0, 0x800, 0xfa, 1);
	after = bar_get(_metadata, self, 0, TD_COUNT, 4);
	ASSERT_EQ(before + 2, after);
	/* The variant saw them: its forward counter at 0x808. */
	ASSERT_EQ(2, bar_get(_metadata, self, 0, 0x808, 4));
	ASSERT_EQ(0, bar_get(_metadata, self, 0, 0x809, 1));
}

TEST_F(testdev, io_bar_trap_and_untrapped_ports)
{
	uint32_t before, after;

	bar_put(_metadata, self, 1, 0x40, 0x0102030405060708ULL, 8);
	/* I/O BARs take at most 4 bytes at a time. */
	ASSERT_EQ(LASTV(0x44, 4), LAST());
	ASSERT_EQ(0x0102030405060708ULL, bar_get(_metadata, self, 1, 0x40, 8));
	ASSERT_EQ(0x0506, bar_get(_metadata, self, 1, 0x42, 2));
	ASSERT_EQ(LASTV(0x42, 2), LAST());

	/* Ports outside the trap reach the device. */
	bar_put(_metadata, self, 1, TD_SELECT, 0, 1);
	before = bar_get(_metadata, self, 1, TD_COUNT, 4);
	bar_put(_metadata, self, 1, TD_PIO_TARGET, 0xfa, 1);
	after = bar_get(_metadata, self, 1, TD_COUNT, 4);
	ASSERT_EQ(before + 1, after);
}

/*
 * Review finding: the variant's per-user state outlived the user.  The next
 * user of the same binding starts from zero: nothing the previous one wrote
 * through the traps, no record of its last access, no forwarded count.
 */
TEST_F(testdev, bar_traps_keep_nothing_of_the_previous_user)
{
	char bdf[VT_BDF_LEN];

	bar_put(_metadata, self, 0, 0x100, 0x8877665544332211ULL, 8);
	bar_put(_metadata, self, 0, 0x108, 0x1122334455667788ULL, 8);
	bar_put(_metadata, self, 1, 0x40, 0x0102030405060708ULL, 8);
	bar_put(_metadata, self, 2, 0x1008, 0xfeedfacecafef00dULL, 8);
	bar_put(_metadata, self, 0, 0x800, 0xfa, 1);
	ASSERT_EQ(1, bar_get(_metadata, self, 0, 0x808, 4));
	ASSERT_NE(0, LAST());

	snprintf(bdf, sizeof(bdf), "%s", self->dev.bdf);
	vt_device_close(&self->dev);
	vt_device_open(&self->dev, bdf);

	ASSERT_EQ(0, LAST());
	ASSERT_EQ(0, bar_get(_metadata, self, 0, 0x808, 4));
	ASSERT_EQ(0, bar_get(_metadata, self, 0, 0x100, 8));
	ASSERT_EQ(0, bar_get(_metadata, self, 0, 0x108, 8));
	ASSERT_EQ(0, bar_get(_metadata, self, 1, 0x40, 8));
	ASSERT_EQ(0, bar_get(_metadata, self, 2, 0x1008, 8));
}

TEST_F(testdev, bar2_trap_and_bounds)
{
	uint64_t v = 0;

	bar_put(_metadata, self, 2, 0x1008, 0xfeedfacecafef00dULL, 8);
	ASSERT_EQ(LASTV(0x1008, 8), LAST());
	ASSERT_EQ(0xfeedfacecafef00dULL, bar_get(_metadata, self, 2, 0x1008, 8));
	ASSERT_EQ(0xcafe, bar_get(_metadata, self, 2, 0x100a, 2));
	/* Past the end of a BAR: nothing; across it: cut at the end. */
	ASSERT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &self->bar[0],
					    self->bar[0].size, &v, 4));
	ASSERT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &self->bar[2],
					    self->bar[2].size, &v, 8));
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->bar[0],
				      self->bar[0].size - 4, &v, 8));
}

static int trap_ioeventfd(int devfd, const struct vfio_region_info *bar,
			  uint64_t off, uint32_t width, int fd)
{
	struct vfio_device_ioeventfd req = {
		.argsz = sizeof(req),
		.flags = width,
		.offset = bar->offset + off,
		.data = 0xfa,
		.fd = fd,
	};

	return ioctl(devfd, VFIO_DEVICE_IOEVENTFD, &req) ? -errno : 0;
}

/*
 * An ioeventfd writes the device directly: it must not land on bytes whose
 * writes the variant serves, or it would bypass the handler.  Read-only
 * traps pass writes through, so an ioeventfd there is fine, as elsewhere.
 */
TEST_F(testdev, ioeventfd_refused_on_write_trapped_bytes)
{
	int efd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	/* Inside the scratch trap, straddling its start and its end. */
	EXPECT_EQ(-EINVAL, trap_ioeventfd(self->dev.fd, &self->bar[0],
					  0x100, 4, efd));
	EXPECT_EQ(-EINVAL, trap_ioeventfd(self->dev.fd, &self->bar[0],
					  0xfc, 8, efd));
	EXPECT_EQ(-EINVAL, trap_ioeventfd(self->dev.fd, &self->bar[0],
					  0x10f, 1, efd));
	/* The write-forwarding trap, the I/O and BAR2 traps. */
	EXPECT_EQ(-EINVAL, trap_ioeventfd(self->dev.fd, &self->bar[0],
					  0x800, 1, efd));
	EXPECT_EQ(-EINVAL, trap_ioeventfd(self->dev.fd, &self->bar[1],
					  0x44, 4, efd));
	EXPECT_EQ(-EINVAL, trap_ioeventfd(self->dev.fd, &self->bar[2],
					  0x1008, 8, efd));
	/* Next to a trap, and on a read-only trap: accepted, then removed. */
	ASSERT_EQ(0, trap_ioeventfd(self->dev.fd, &self->bar[0], 0xf8, 8, efd));
	ASSERT_EQ(0, trap_ioeventfd(self->dev.fd, &self->bar[0], 0xf8, 8, -1));
	ASSERT_EQ(0, trap_ioeventfd(self->dev.fd, &self->bar[0], 0x110, 4,
				    efd));
	ASSERT_EQ(0, trap_ioeventfd(self->dev.fd, &self->bar[0], 0x110, 4,
				    -1));
	ASSERT_EQ(0, trap_ioeventfd(self->dev.fd, &self->bar[0], 0x808, 4,
				    efd));
	ASSERT_EQ(0, trap_ioeventfd(self->dev.fd, &self->bar[0], 0x808, 4,
				    -1));
	close(efd);
}

/* The same function under plain vfio-pci: none of the variant's traps. */
TEST(generic_vfio_pci_shows_no_traps)
{
	struct vfio_region_info cfg, *info;
	struct vt_device dev;

	if (!vt_device_open_id(&dev, 0x1b36, 0x0005))
		SKIP(return, "no pci-testdev bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(dev.fd, VFIO_PCI_CONFIG_REGION_INDEX,
				      &cfg));
	ASSERT_NE(0xbeef, cfg_get(dev.fd, &cfg, PCI_SUBSYSTEM_ID, 2));
	ASSERT_EQ(0, cfg_get(dev.fd, &cfg, PCI_STATUS, 2) &
		     PCI_STATUS_CAP_LIST);
	info = region_info_caps(dev.fd, 0);
	ASSERT_NE(NULL, info);
	ASSERT_TRUE(info->flags & VFIO_REGION_INFO_FLAG_MMAP);
	free(info);
	info = region_info_caps(dev.fd, 2);
	ASSERT_NE(NULL, info);
	ASSERT_EQ(NULL, find_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP));
	free(info);
	vt_device_close(&dev);
}

/* ------------------------------------------------------------------ */
/* e1000e: hidden, replaced and extended capabilities                  */
/* ------------------------------------------------------------------ */

FIXTURE(e1000e) {
	struct vt_device dev;
	struct vfio_region_info cfg;
};

FIXTURE_SETUP(e1000e)
{
	int ret = vt_variant_open(&self->dev, 0x8086, 0x10d3, TRAP_DRIVER);

	if (ret == -ENOENT)
		SKIP(return, TRAP_DRIVER " is not loaded");
	if (ret == -ENODEV)
		SKIP(return, "no e1000e bound to vfio-pci");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX,
				      &self->cfg));
}

FIXTURE_TEARDOWN(e1000e)
{
	vt_variant_close(&self->dev);
}

TEST_F(e1000e, hidden_capability_is_gone)
{
	uint8_t pos[48], id[48];
	int n, i;
	bool pm = false, exp = false;

	n = walk_std(self->dev.fd, &self->cfg, pos, id, 48);
	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++) {
		ASSERT_NE(PCI_CAP_ID_MSI, id[i]);
		pm |= id[i] == PCI_CAP_ID_PM;
		exp |= id[i] == PCI_CAP_ID_EXP;
	}
	ASSERT_TRUE(pm);
	ASSERT_TRUE(exp);
}

TEST_F(e1000e, replaced_capability_shows_the_virtual_copy)
{
	uint8_t pos[48], id[48];
	int n, i, at = -1;

	n = walk_std(self->dev.fd, &self->cfg, pos, id, 48);
	for (i = 0; i < n; i++)
		if (id[i] == PCI_CAP_ID_PM)
			at = pos[i];
	ASSERT_NE(-1, at);
	ASSERT_EQ(0x0003, CFG(at + PCI_PM_PMC, 2));
	ASSERT_EQ(0, CFG(at + PCI_PM_CTRL, 2));
	/* Read-only: no way into D3hot through it. */
	CFG_PUT(at + PCI_PM_CTRL, 3, 2);
	ASSERT_EQ(0, CFG(at + PCI_PM_CTRL, 2));
}

TEST_F(e1000e, extended_chain_has_the_added_capability)
{
	uint16_t pos[64], id[64];
	int n, i;

	n = walk_ext(self->dev.fd, &self->cfg, pos, id, 64);
	ASSERT_EQ(2, n);
	ASSERT_EQ(0x100, pos[0]);
	ASSERT_EQ(PCI_EXT_CAP_ID_ERR, id[0]);
	ASSERT_EQ(0x200, pos[1]);
	ASSERT_EQ(PCI_EXT_CAP_ID_VNDR, id[1]);
	for (i = 0; i < n; i++)
		ASSERT_NE(PCI_EXT_CAP_ID_DSN, id[i]);
	/* Header: ID, version 1, end of chain; then the VSEC header. */
	ASSERT_EQ(0x0001000b, CFG(0x200, 4));
	ASSERT_EQ(0x01011234, CFG(0x204, 4));
	ASSERT_EQ(0, CFG(0x208, 4));
	/* The header is read-only. */
	CFG_PUT(0x200, 0x14000001, 4);
	ASSERT_EQ(0x0001000b, CFG(0x200, 4));
}

TEST_F(e1000e, register_in_added_extended_capability)
{
	ASSERT_EQ(0x0000c0de, CFG(0x20c, 4));
	CFG_PUT(0x20c, 0xffffffff, 4);
	ASSERT_EQ(0xffffc0de, CFG(0x20c, 4));
	CFG_PUT(0x20e, 0x1234, 2);
	ASSERT_EQ(0x1234c0de, CFG(0x20c, 4));
}

/*
 * Review finding: the nointx quirk.  The variant declares it for e1000e
 * through the same path the core's device table takes: no pin, no INTx
 * interrupt, SET_IRQS on INTx refused, and the function keeps INTx
 * disabled even after MSI-X comes and goes.
 */
static uint16_t phys_command(struct __test_metadata *_metadata,
			     const char *bdf)
{
	uint16_t cmd = 0;

	EXPECT_EQ(0, __vt_sysfs_command(bdf, &cmd, false));
	return cmd;
}

TEST_F(e1000e, nointx_hides_and_disables_intx)
{
	struct vfio_irq_info irq;
	int32_t efd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, CFG(PCI_INTERRUPT_PIN, 1));
	ASSERT_EQ(0, __vt_irq_info(self->dev.fd, VFIO_PCI_INTX_IRQ_INDEX,
				   &irq));
	ASSERT_EQ(0, irq.count);
	ASSERT_EQ(-EINVAL, __vt_set_irq_fds(self->dev.fd, VFIO_PCI_INTX_IRQ_INDEX,
					 0, 1, &efd));
	ASSERT_TRUE(phys_command(_metadata, self->dev.bdf) &
		    PCI_COMMAND_INTX_DISABLE);

	/* The user's DisINTx is virtual: clearing it leaves the device's. */
	CFG_PUT(PCI_COMMAND, CFG(PCI_COMMAND, 2) & ~PCI_COMMAND_INTX_DISABLE,
		2);
	ASSERT_TRUE(phys_command(_metadata, self->dev.bdf) &
		    PCI_COMMAND_INTX_DISABLE);

	/* MSI-X on and off: the kernel re-enables INTx; the core must not. */
	ASSERT_EQ(0, __vt_set_irq_fds(self->dev.fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1,
				   &efd));
	ASSERT_EQ(0, __vt_set_irq_fds(self->dev.fd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0,
				   NULL));
	ASSERT_TRUE(phys_command(_metadata, self->dev.bdf) &
		    PCI_COMMAND_INTX_DISABLE);
	close(efd);
}

TEST_HARNESS_MAIN
