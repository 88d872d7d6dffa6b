// SPDX-License-Identifier: GPL-2.0
/*
 * Regions a variant adds, seen through the test variant vfio-pci-gpu-test
 * (drivers/vfio/pci/variants/gpu_test/gpu_test.c): ivshmem-plain's shared
 * memory shown as a virtual 64-bit prefetchable BAR4 (ivshmem has no BAR4),
 * and a device region (index 9) with a type capability.  The fixture moves
 * the ivshmem from vfio-pci to the variant and back, so the differential
 * suite (which runs on vfio-pci) never sees the variant.
 *
 * Virtual BAR: region info, register sizing, read/write through the fd
 * (the same bytes as the function's own BAR2), mmap filled with PMD pages
 * (counted as page faults, from outside the driver), revocation while
 * memory decode is off and across resets (SIGBUS, then back), refused
 * mmaps and ioeventfds.  Every reset path (VFIO_DEVICE_RESET, hot reset,
 * a reset through sysfs) notifies the variant exactly once.
 * DMA_BUF: a slice of BAR4 or BAR2 exported and mapped into an IOAS by
 * iommufd (which must recognise the dma-buf as vfio's), revoked while
 * memory decode is off, and the bad inputs with the errno the kernel's
 * vfio-pci gives for each.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"
#include "lib/vfio_driver.h"
#include "lib/vfio_dmabuf.h"

#define GPU_DRIVER	"vfio-pci-gpu-test"
#define GPU_MISUSE	"/sys/module/vfio_pci_gpu_test/parameters/misuse"
#define VBAR		4
#define MEM_BAR		2
#define STATUS_INDEX	VFIO_PCI_NUM_REGIONS
#define STATUS_RESETS	0x000
#define STATUS_MAGIC	0x004
#define STATUS_MISUSE	0x100
#define PMD		(2UL << 20)

FIXTURE(gpu) {
	struct vt_device dev;
	struct vfio_region_info cfg, vbar, mem, status;
	void *reserve;
	size_t reserve_len;
};

FIXTURE_SETUP(gpu)
{
	int ret = vt_variant_open(&self->dev, 0x1af4, 0x1110, GPU_DRIVER);

	if (ret == -ENOENT)
		SKIP(return, GPU_DRIVER " is not loaded");
	if (ret == -ENODEV)
		SKIP(return, "no ivshmem bound to vfio-pci");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX, &self->cfg));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VBAR, &self->vbar));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, MEM_BAR, &self->mem));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, STATUS_INDEX,
				      &self->status));
}

FIXTURE_TEARDOWN(gpu)
{
	if (self->reserve)
		munmap(self->reserve, self->reserve_len);
	vt_variant_close(&self->dev);
}

static uint32_t cfg_get(FIXTURE_DATA(gpu) *self, uint32_t off, size_t size)
{
	uint32_t v = 0;

	if (__vt_region_read(self->dev.fd, &self->cfg, off, &v, size) !=
	    (ssize_t)size)
		return ~0u;
	return v;
}

static ssize_t cfg_put(FIXTURE_DATA(gpu) *self, uint32_t off, uint32_t v,
		       size_t size)
{
	return __vt_region_write(self->dev.fd, &self->cfg, off, &v, size);
}

static void memory_enable(struct __test_metadata *_metadata,
			  FIXTURE_DATA(gpu) *self, bool on)
{
	uint16_t cmd = cfg_get(self, PCI_COMMAND, 2);

	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	ASSERT_EQ(2, cfg_put(self, PCI_COMMAND, cmd, 2));
}

static uint32_t resets(struct __test_metadata *_metadata,
		       FIXTURE_DATA(gpu) *self)
{
	uint32_t n = 0;

	EXPECT_EQ(4, __vt_region_read(self->dev.fd, &self->status,
				      STATUS_RESETS, &n, 4));
	return n;
}

/* The whole virtual BAR, mapped at a PMD-aligned address. */
static volatile uint8_t *map_vbar(struct __test_metadata *_metadata,
				  FIXTURE_DATA(gpu) *self)
{
	size_t len = self->vbar.size;
	uintptr_t at;
	void *p;

	self->reserve_len = len + PMD;
	self->reserve = mmap(NULL, self->reserve_len, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (self->reserve == MAP_FAILED) {
		self->reserve = NULL;
		return NULL;
	}
	at = ((uintptr_t)self->reserve + PMD - 1) & ~(PMD - 1);
	p = mmap((void *)at, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, self->dev.fd, self->vbar.offset);
	EXPECT_NE(MAP_FAILED, p);
	return p == MAP_FAILED ? NULL : p;
}

TEST_F(gpu, device_info_counts_the_device_region)
{
	struct vfio_device_info info;

	ASSERT_EQ(0, __vt_get_info(self->dev.fd, &info));
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS + 1, info.num_regions);
}

TEST_F(gpu, virtual_bar_region_info)
{
	struct vfio_region_info upper;

	ASSERT_EQ(self->mem.size, self->vbar.size);
	ASSERT_EQ(16UL << 20, self->vbar.size);
	ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP, self->vbar.flags);
	/* BAR5 is the upper half of the 64-bit BAR4. */
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VBAR + 1, &upper));
	ASSERT_EQ(0, upper.size);
	ASSERT_EQ(0, upper.flags);
}

TEST_F(gpu, virtual_bar_register_sizes_like_a_bar)
{
	uint32_t bar2 = cfg_get(self, PCI_BASE_ADDRESS_2, 4);

	/* Unassigned, memory, 64-bit, prefetchable. */
	ASSERT_EQ(PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
		  cfg_get(self, PCI_BASE_ADDRESS_4, 4));
	ASSERT_EQ(0, cfg_get(self, PCI_BASE_ADDRESS_5, 4));
	ASSERT_EQ(4, cfg_put(self, PCI_BASE_ADDRESS_4, ~0u, 4));
	ASSERT_EQ(4, cfg_put(self, PCI_BASE_ADDRESS_5, ~0u, 4));
	ASSERT_EQ(~(uint32_t)(self->vbar.size - 1) | 0xc,
		  cfg_get(self, PCI_BASE_ADDRESS_4, 4));
	ASSERT_EQ(~0u, cfg_get(self, PCI_BASE_ADDRESS_5, 4));
	ASSERT_EQ(4, cfg_put(self, PCI_BASE_ADDRESS_4, 0xc0000000, 4));
	ASSERT_EQ(0xc000000c, cfg_get(self, PCI_BASE_ADDRESS_4, 4));
	/* The function's own BAR2 is untouched. */
	ASSERT_EQ(bar2, cfg_get(self, PCI_BASE_ADDRESS_2, 4));
}

TEST_F(gpu, virtual_bar_rw_is_the_backing_memory)
{
	static const char pat[] = "virtual BAR4!";
	char back[sizeof(pat)] = {};
	uint64_t off = (1 << 20) + 3;

	ASSERT_EQ(sizeof(pat), __vt_region_write(self->dev.fd, &self->vbar,
						 off, pat, sizeof(pat)));
	ASSERT_EQ(sizeof(pat), __vt_region_read(self->dev.fd, &self->mem,
						off, back, sizeof(back)));
	ASSERT_EQ(0, memcmp(pat, back, sizeof(pat)));
	/* Reads stop at the end of the region. */
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->vbar,
				      self->vbar.size - 4, back, 8));
	ASSERT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &self->vbar,
					    self->vbar.size, back, 4));
}

/*
 * First touch of each 4 KiB page of the 16 MiB BAR: with PMD mappings one
 * fault maps 2 MiB, so 8 faults; with 4 KiB pages it would be 4096.  The
 * count is the kernel's (getrusage), not the driver's.
 */
TEST_F(gpu, virtual_bar_mmap_faults_in_pmd_pages)
{
	volatile uint8_t *p = map_vbar(_metadata, self);
	uint32_t marker = 0x600d600d, v;
	long before, faults;
	size_t off;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(4, __vt_region_write(self->dev.fd, &self->vbar, 3 << 20,
				       &marker, 4));
	before = vt_minor_faults();
	for (off = 0; off < self->vbar.size; off += 4096)
		(void)p[off];
	faults = vt_minor_faults() - before;
	printf("# bench: vbar mmap first touch of 16 MiB: %ld page faults (8 with PMD pages, 4096 with 4 KiB pages)\n",
	       faults);
	v = *(volatile uint32_t *)(p + (3 << 20));
	ASSERT_EQ(marker, v);
	ASSERT_LE(faults, 16);
}

TEST_F(gpu, memory_decode_off_revokes_the_virtual_bar)
{
	volatile uint8_t *p = map_vbar(_metadata, self);
	volatile uint32_t *w;
	uint32_t v = 0x5eed, got;
	int status;

	ASSERT_NE(NULL, p);
	w = (volatile uint32_t *)(p + 8192);
	*w = v;
	memory_enable(_metadata, self, false);
	status = vt_child_read32(w, v, -1);
	ASSERT_EQ(-EIO, __vt_region_read(self->dev.fd, &self->vbar, 8192,
					 &got, 4));
	memory_enable(_metadata, self, true);
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGBUS, WTERMSIG(status));
	/* Back with decode on: one fault maps it again. */
	ASSERT_EQ(1, vt_faults_of_read32(w, &got));
	ASSERT_EQ(v, got);
}

TEST_F(gpu, device_reset_revokes_and_notifies_once)
{
	volatile uint8_t *p = map_vbar(_metadata, self);
	volatile uint32_t *w;
	uint32_t n0, got;

	ASSERT_NE(NULL, p);
	w = (volatile uint32_t *)(p + PMD);
	*w = 0xabcd1234;
	n0 = resets(_metadata, self);
	ASSERT_EQ(0, __vt_reset(self->dev.fd));
	ASSERT_EQ(n0 + 1, resets(_metadata, self));
	/* Zapped by the reset, faulted back in; device memory survives. */
	ASSERT_EQ(1, vt_faults_of_read32(w, &got));
	ASSERT_EQ(0xabcd1234, got);
}

TEST_F(gpu, hot_reset_notifies_once)
{
	struct vfio_pci_hot_reset hr = { .argsz = sizeof(hr) };
	uint32_t n0 = resets(_metadata, self);

	/* The cdev form: no group fds, the iommufd the device is bound to. */
	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_PCI_HOT_RESET, &hr));
	ASSERT_EQ(n0 + 1, resets(_metadata, self));
}

TEST_F(gpu, reset_behind_the_core_notifies_once)
{
	char path[PATH_MAX];
	uint32_t n0 = resets(_metadata, self);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset",
		 self->dev.bdf);
	ASSERT_EQ(0, vt_write_file(path, "1"));
	ASSERT_EQ(n0 + 1, resets(_metadata, self));
}

TEST_F(gpu, refused_mappings_and_accesses)
{
	struct vfio_device_ioeventfd ioev = {
		.argsz = sizeof(ioev), .flags = VFIO_DEVICE_IOEVENTFD_32,
		.offset = self->vbar.offset, .fd = -1,
	};
	struct vfio_region_info upper;
	uint32_t v;
	void *p;

	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->vbar, 0, 4096,
					    PROT_READ, MAP_PRIVATE, &p));
	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->vbar,
					    self->vbar.size - 4096, 8192,
					    PROT_READ, MAP_SHARED, &p));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VBAR + 1, &upper));
	upper.offset = (uint64_t)(VBAR + 1) << 40;
	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &upper, 0, 4096,
					    PROT_READ, MAP_SHARED, &p));
	ASSERT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &upper, 0, &v, 4));
	/* No mmap flag: the device region is served by read/write only. */
	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->status, 0,
					    4096, PROT_READ, MAP_SHARED, &p));
	/* No device register stands behind a virtual BAR. */
	ioev.fd = eventfd(0, 0);
	ASSERT_LE(0, ioev.fd);
	ASSERT_EQ(-1, ioctl(self->dev.fd, VFIO_DEVICE_IOEVENTFD, &ioev));
	ASSERT_EQ(EINVAL, errno);
	close(ioev.fd);
}

TEST_F(gpu, device_region_has_a_type_capability)
{
	struct {
		struct vfio_region_info info;
		uint8_t caps[256];
	} buf = { .info = { .argsz = sizeof(buf), .index = STATUS_INDEX } };
	struct vfio_region_info_cap_type *type;
	struct vfio_info_cap_header *hdr;
	struct vfio_region_info past;

	ASSERT_EQ(0, ioctl(self->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &buf));
	ASSERT_EQ(4096, buf.info.size);
	ASSERT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_CAPS, buf.info.flags);
	ASSERT_NE(0, buf.info.cap_offset);
	hdr = (void *)((uint8_t *)&buf + buf.info.cap_offset);
	ASSERT_EQ(VFIO_REGION_INFO_CAP_TYPE, hdr->id);
	ASSERT_EQ(0, hdr->next);
	type = (void *)hdr;
	ASSERT_EQ(VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x1af4, type->type);
	ASSERT_EQ(1, type->subtype);
	ASSERT_EQ(-EINVAL, __vt_region_info(self->dev.fd, STATUS_INDEX + 1,
					    &past));
}

TEST_F(gpu, device_region_rw_goes_to_the_variant)
{
	uint32_t v = 0;

	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->status,
				      STATUS_MAGIC, &v, 4));
	ASSERT_EQ(0x54555047, v);
	ASSERT_EQ(-EINVAL, __vt_region_write(self->dev.fd, &self->status,
					     STATUS_RESETS, &v, 4));
	ASSERT_EQ(-EINVAL, __vt_region_read(self->dev.fd, &self->status,
					    4096, &v, 4));
}

/*
 * The misuse hook: a device-region callback (running under the core's
 * memory lock) calls vfio_pci_core_bar_hw_read().  Off by default (-EPERM);
 * after the suites, tools/testing/vm/guest/check.sh turns it on and runs
 * this test alone, expecting -EDEADLK here; the host then expects exactly
 * one lockdep report between the markers it logs around it.
 */
TEST_F(gpu, misuse_hook)
{
	uint32_t v = 1;
	char on = '0';
	int fd = open(GPU_MISUSE, O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, read(fd, &on, 1));
	close(fd);
	ASSERT_EQ(on == 'Y' ? -EDEADLK : -EPERM,
		  __vt_region_write(self->dev.fd, &self->status, STATUS_MISUSE,
				    &v, 4));
}

/* VFIO_DEVICE_FEATURE_DMA_BUF */

static int map_file(struct vt_device *d, int fd, uint64_t len)
{
	struct iommu_ioas_map_file map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = d->ioas_id, .fd = fd, .length = len,
		.iova = 1ULL << 32,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap), .ioas_id = d->ioas_id,
		.iova = map.iova, .length = len,
	};

	if (ioctl(d->iommufd, IOMMU_IOAS_MAP_FILE, &map))
		return -errno;
	return ioctl(d->iommufd, IOMMU_IOAS_UNMAP, &unmap) ? -errno : 0;
}

TEST_F(gpu, dma_buf_of_a_virtual_bar_slice_maps_into_the_ioas)
{
	const struct vfio_region_dma_range r = { .offset = PMD, .length = PMD };
	int fd;

	fd = __vt_dma_buf(self->dev.fd, VFIO_DEVICE_FEATURE_GET, VBAR, 0, 1, &r, 0);
	ASSERT_LE(0, fd);
	/* iommufd recognises it as a vfio dma-buf and maps its range. */
	ASSERT_EQ(0, map_file(&self->dev, fd, PMD));
	ASSERT_EQ(PMD, lseek(fd, 0, SEEK_END));
	close(fd);
}

TEST_F(gpu, dma_buf_is_revoked_while_memory_decode_is_off)
{
	const struct vfio_region_dma_range r = { .offset = 0, .length = PMD };
	int fd, off, on;

	fd = __vt_dma_buf(self->dev.fd, VFIO_DEVICE_FEATURE_GET, MEM_BAR, 0, 1, &r,
		     0);
	ASSERT_LE(0, fd);
	memory_enable(_metadata, self, false);
	off = map_file(&self->dev, fd, PMD);
	memory_enable(_metadata, self, true);
	on = map_file(&self->dev, fd, PMD);
	ASSERT_EQ(-ENODEV, off);
	ASSERT_EQ(0, on);
	/* A reset revokes it only while the reset runs. */
	ASSERT_EQ(0, __vt_reset(self->dev.fd));
	ASSERT_EQ(0, map_file(&self->dev, fd, PMD));
	close(fd);
}

/*
 * Bad inputs, each with the errno the kernel's vfio-pci answers (read from
 * its 7.3 source: the feature is GET only; a region that is no memory BAR
 * is -ENODEV, checked before the ranges are read; ranges must be non-empty
 * and page-aligned and lie inside the BAR).  ivshmem's BAR1 and BAR3 do not
 * exist; BAR5 is the upper half of the virtual BAR4.
 */
TEST_F(gpu, dma_buf_bad_inputs)
{
	const struct vfio_region_dma_range ok = { 0, 4096 };
	const struct {
		const char *what;
		uint32_t flags, index, dflags, nr;
		struct vfio_region_dma_range r;
		size_t less;
		int err;
	} rows[] = {
		{ "SET", VFIO_DEVICE_FEATURE_SET, VBAR, 0, 1, ok, 0, -EINVAL },
		{ "argsz below the header", VFIO_DEVICE_FEATURE_GET, VBAR, 0,
		  0, ok, 1, -EINVAL },
		{ "no ranges", VFIO_DEVICE_FEATURE_GET, VBAR, 0, 0, ok, 0,
		  -EINVAL },
		{ "flags", VFIO_DEVICE_FEATURE_GET, VBAR, 1, 1, ok, 0, -EINVAL },
		{ "the ROM", VFIO_DEVICE_FEATURE_GET, VFIO_PCI_ROM_REGION_INDEX,
		  0, 1, ok, 0, -ENODEV },
		{ "the config region", VFIO_DEVICE_FEATURE_GET,
		  VFIO_PCI_CONFIG_REGION_INDEX, 0, 1, ok, 0, -ENODEV },
		{ "the device region", VFIO_DEVICE_FEATURE_GET, STATUS_INDEX,
		  0, 1, ok, 0, -ENODEV },
		{ "an absent BAR", VFIO_DEVICE_FEATURE_GET, 1, 0, 1, ok, 0,
		  -ENODEV },
		{ "the upper half of BAR4", VFIO_DEVICE_FEATURE_GET, VBAR + 1,
		  0, 1, ok, 0, -ENODEV },
		{ "an empty range", VFIO_DEVICE_FEATURE_GET, VBAR, 0, 1,
		  { 0, 0 }, 0, -EINVAL },
		{ "an unaligned offset", VFIO_DEVICE_FEATURE_GET, VBAR, 0, 1,
		  { 100, 4096 }, 0, -EINVAL },
		{ "an unaligned length", VFIO_DEVICE_FEATURE_GET, VBAR, 0, 1,
		  { 0, 100 }, 0, -EINVAL },
		{ "past the end", VFIO_DEVICE_FEATURE_GET, VBAR, 0, 1,
		  { 16 << 20, 4096 }, 0, -EINVAL },
		{ "offset wrapping", VFIO_DEVICE_FEATURE_GET, VBAR, 0, 1,
		  { ~0xfffULL, 4096 }, 0, -EOVERFLOW },
		{ "longer than BAR0", VFIO_DEVICE_FEATURE_GET, 0, 0, 1,
		  { 0, 8192 }, 0, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		int got = __vt_dma_buf(self->dev.fd, rows[i].flags, rows[i].index,
				  rows[i].dflags, rows[i].nr, &rows[i].r,
				  rows[i].less ? sizeof(struct vfio_device_feature_dma_buf) : 0);

		if (got >= 0)
			close(got);
		EXPECT_EQ(rows[i].err, got)
			TH_LOG("%s", rows[i].what);
	}
	/* A probe for GET answers 0; for SET, -EINVAL. */
	ASSERT_EQ(0, __vt_dma_buf(self->dev.fd, VFIO_DEVICE_FEATURE_PROBE |
			     VFIO_DEVICE_FEATURE_GET, VBAR, 0, 0, NULL, 0));
	ASSERT_EQ(-EINVAL, __vt_dma_buf(self->dev.fd, VFIO_DEVICE_FEATURE_PROBE |
				   VFIO_DEVICE_FEATURE_SET, VBAR, 0, 0, NULL,
				   0));
}

TEST_HARNESS_MAIN
