// SPDX-License-Identifier: GPL-2.0
/*
 * mmap(2) of BAR regions: what may be mapped, that the mapping reaches the
 * device, that it is revoked while the BARs cannot decode and comes back
 * afterwards, and that it keeps the device open until munmap.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_ID_VALUE	0x010000ed

static size_t page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/*
 * Read a 32-bit word in a child process.  The child's exit status says what
 * happened: 0 the value matched @expect (and, if @faults >= 0, the read took
 * that many faults), 1 wrong value, 2 wrong fault count; or it was killed by
 * SIGBUS.
 */
FIXTURE(edu) {
	struct vt_device dev;
	struct vfio_region_info bar0;
	void *map;
};

FIXTURE_SETUP(edu)
{
	const char *bdf = vt_find_one(0x1234, 0x11e8);

	self->dev.fd = -1;
	self->map = MAP_FAILED;
	if (!bdf)
		SKIP(return, "no edu bound to vfio-pci");
	vt_device_open(&self->dev, bdf);
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &self->bar0));
}

FIXTURE_TEARDOWN(edu)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->bar0.size);
	vt_device_close(&self->dev);
}

static volatile uint32_t *edu_map(struct __test_metadata *_metadata,
				  FIXTURE_DATA(edu) *self)
{
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar0, 0,
				      self->bar0.size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, &self->map));
	return self->map;
}

TEST_F(edu, bar0_is_mmappable)
{
	ASSERT_TRUE(self->bar0.flags & VFIO_REGION_INFO_FLAG_MMAP);
}

TEST_F(edu, id_register_reads_through_mapping)
{
	volatile uint32_t *regs = edu_map(_metadata, self);

	ASSERT_EQ(EDU_ID_VALUE, regs[EDU_ID / 4]);
}

TEST_F(edu, liveness_register_through_mapping)
{
	volatile uint32_t *regs = edu_map(_metadata, self);
	uint32_t v;

	regs[EDU_LIVENESS / 4] = 0x12345678;
	ASSERT_EQ(~0x12345678u, regs[EDU_LIVENESS / 4]);
	/* The same register through read(2) agrees with the mapping. */
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->bar0, EDU_LIVENESS,
				      &v, 4));
	ASSERT_EQ(~0x12345678u, v);
}

TEST_F(edu, mapping_beyond_bar_fails)
{
	size_t ps = page_size();
	void *p;

	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->bar0, 0,
					    self->bar0.size + ps, PROT_READ,
					    MAP_SHARED, &p));
	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->bar0,
					    self->bar0.size, ps, PROT_READ,
					    MAP_SHARED, &p));
	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->bar0,
					    self->bar0.size - ps, 2 * ps,
					    PROT_READ, MAP_SHARED, &p));
	/* The last page alone is fine. */
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar0,
				      self->bar0.size - ps, ps, PROT_READ,
				      MAP_SHARED, &p));
	munmap(p, ps);
}

TEST_F(edu, unaligned_offset_fails)
{
	void *p;

	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->bar0, 1,
					    page_size(), PROT_READ, MAP_SHARED,
					    &p));
}

TEST_F(edu, private_mapping_fails)
{
	void *p;

	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->bar0, 0,
					    page_size(), PROT_READ,
					    MAP_PRIVATE, &p));
}

TEST_F(edu, config_rom_and_absent_bar_fail)
{
	static const uint32_t idx[] = {
		VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_ROM_REGION_INDEX,
		VFIO_PCI_BAR1_REGION_INDEX,
	};
	struct vfio_region_info info;
	unsigned int i;
	void *p;

	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		ASSERT_EQ(0, __vt_region_info(self->dev.fd, idx[i], &info));
		ASSERT_FALSE(info.flags & VFIO_REGION_INFO_FLAG_MMAP);
		ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &info, 0,
						    page_size(), PROT_READ,
						    MAP_SHARED, &p));
	}
	/* Past the last region index. */
	info.offset = (uint64_t)VFIO_PCI_NUM_REGIONS << 40;
	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &info, 0,
					    page_size(), PROT_READ, MAP_SHARED,
					    &p));
}

TEST_F(edu, mapping_keeps_device_open_until_munmap)
{
	volatile uint32_t *regs;
	int fd;

	/* It binds the cdev again once the mapping goes. */
	VT_REQUIRE_IOMMUFD();
	regs = edu_map(_metadata, self);

	/* The mapping holds the file: the device stays open and usable. */
	close(self->dev.fd);
	self->dev.fd = -1;
	ASSERT_EQ(EDU_ID_VALUE, regs[EDU_ID / 4]);
	ASSERT_EQ(0, munmap(self->map, self->bar0.size));
	self->map = MAP_FAILED;

	/* Now the last close has run, so a new bind succeeds. */
	fd = __vt_cdev_open(self->dev.bdf);
	ASSERT_LE(0, fd);
	self->dev.fd = fd;
	ASSERT_EQ(0, __vt_bind(fd, self->dev.iommufd, NULL));
	ASSERT_EQ(0, __vt_attach(fd, self->dev.ioas_id, NULL));
	regs = edu_map(_metadata, self);
	ASSERT_EQ(EDU_ID_VALUE, regs[EDU_ID / 4]);
}

TEST_F(edu, reset_revokes_mapping_and_fault_restores_it)
{
	volatile uint32_t *regs = edu_map(_metadata, self);
	struct vfio_device_info info;
	uint32_t v;

	ASSERT_EQ(0, __vt_get_info(self->dev.fd, &info));
	if (!(info.flags & VFIO_DEVICE_FLAGS_RESET))
		SKIP(return, "edu has no working reset here");

	/* First touch faults the page in, the second finds it mapped. */
	ASSERT_EQ(1, vt_faults_of_read32(&regs[EDU_ID / 4], &v));
	ASSERT_EQ(EDU_ID_VALUE, v);
	ASSERT_EQ(0, vt_faults_of_read32(&regs[EDU_ID / 4], &v));

	/* Zapped: the next touch goes through the fault handler again. */
	ASSERT_EQ(0, __vt_reset(self->dev.fd));
	ASSERT_EQ(1, vt_faults_of_read32(&regs[EDU_ID / 4], &v));
	ASSERT_EQ(EDU_ID_VALUE, v);
	ASSERT_EQ(0, vt_faults_of_read32(&regs[EDU_ID / 4], &v));

	/* A child forked after the reset re-faults on its own. */
	ASSERT_EQ(0, __vt_reset(self->dev.fd));
	ASSERT_EQ(0, vt_child_read32(&regs[EDU_ID / 4], EDU_ID_VALUE, 1));
	ASSERT_EQ(1, vt_faults_of_read32(&regs[EDU_ID / 4], &v));
	ASSERT_EQ(EDU_ID_VALUE, v);
}

/*
 * A process reading the mapping while resets revoke it must only ever see the
 * device as it is outside a reset: faults wait for the reset to finish.
 */
TEST_F(edu, reads_racing_resets_see_the_device)
{
	volatile uint32_t *regs = edu_map(_metadata, self);
	struct vfio_device_info info;
	volatile int *stop;
	int i, status;
	pid_t pid;

	ASSERT_EQ(0, __vt_get_info(self->dev.fd, &info));
	if (!(info.flags & VFIO_DEVICE_FLAGS_RESET))
		SKIP(return, "edu has no working reset here");

	stop = mmap(NULL, page_size(), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stop);
	*stop = 0;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		while (!*stop)
			if (regs[EDU_ID / 4] != EDU_ID_VALUE)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, __vt_reset(self->dev.fd));
		usleep(1000);
	}
	*stop = 1;
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	munmap((void *)stop, page_size());
}

/* COMMAND through the device fd: the decode state the core goes by. */
static int vfio_command(FIXTURE_DATA(edu) *self, uint16_t *cmd, bool write)
{
	struct vfio_region_info cfg;
	ssize_t n;

	if (__vt_region_info(self->dev.fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg))
		return -EINVAL;
	if (write)
		n = __vt_region_write(self->dev.fd, &cfg, PCI_COMMAND, cmd, 2);
	else
		n = __vt_region_read(self->dev.fd, &cfg, PCI_COMMAND, cmd, 2);
	return n == 2 ? 0 : -EIO;
}

/*
 * The fault handler itself checks memory decode: a mapping not touched
 * before decode went off must not fault in.
 */
TEST_F(edu, fault_with_memory_decode_off_is_sigbus)
{
	volatile uint32_t *regs = edu_map(_metadata, self);
	uint16_t cmd, off;
	uint32_t v;
	int status;

	ASSERT_EQ(0, vfio_command(self, &cmd, false));
	ASSERT_TRUE(cmd & 0x2);
	off = cmd & ~0x2;
	ASSERT_EQ(0, vfio_command(self, &off, true));

	status = vt_child_read32(&regs[EDU_ID / 4], EDU_ID_VALUE, -1);
	ASSERT_EQ(0, vfio_command(self, &cmd, true));
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGBUS, WTERMSIG(status));

	/* With decode back on, the same page faults in normally. */
	ASSERT_EQ(1, vt_faults_of_read32(&regs[EDU_ID / 4], &v));
	ASSERT_EQ(EDU_ID_VALUE, v);
}

/* read(2) of a memory BAR with decode off fails rather than reading ~0. */
TEST_F(edu, bar_read_with_memory_decode_off_is_eio)
{
	uint16_t cmd, off;
	uint32_t v;
	ssize_t n;

	ASSERT_EQ(0, vfio_command(self, &cmd, false));
	off = cmd & ~0x2;
	ASSERT_EQ(0, vfio_command(self, &off, true));
	n = __vt_region_read(self->dev.fd, &self->bar0, EDU_ID, &v, 4);
	ASSERT_EQ(0, vfio_command(self, &cmd, true));
	ASSERT_EQ(-EIO, n);
}

TEST_F(edu, memory_disable_revokes_mapping_with_sigbus)
{
	volatile uint32_t *regs = edu_map(_metadata, self);
	struct vfio_region_info cfg;
	uint16_t cmd, off;
	uint32_t v;
	ssize_t n;
	int status;

	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX, &cfg));
	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &cfg, 4, &cmd, 2));
	ASSERT_TRUE(cmd & 0x2);
	ASSERT_EQ(EDU_ID_VALUE, regs[EDU_ID / 4]);

	off = cmd & ~0x2;
	n = __vt_region_write(self->dev.fd, &cfg, 4, &off, 2);
	if (n == -EINVAL)
		SKIP(return, "config space writes are not implemented yet");
	ASSERT_EQ(2, n);

	status = vt_child_read32(&regs[EDU_ID / 4], EDU_ID_VALUE, -1);
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGBUS, WTERMSIG(status));
	ASSERT_EQ(-EIO, __vt_region_read(self->dev.fd, &self->bar0, EDU_ID,
					 &v, 4));

	ASSERT_EQ(2, __vt_region_write(self->dev.fd, &cfg, 4, &cmd, 2));
	ASSERT_EQ(1, vt_faults_of_read32(&regs[EDU_ID / 4], &v));
	ASSERT_EQ(EDU_ID_VALUE, v);
}

/* ivshmem-plain BAR2 is host RAM: what is written must read back. */
FIXTURE(ivshmem) {
	struct vt_device dev;
	struct vfio_region_info bar0, bar2;
};

FIXTURE_SETUP(ivshmem)
{
	if (!vt_device_open_id(&self->dev, 0x1af4, 0x1110))
		SKIP(return, "no ivshmem bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &self->bar0));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR2_REGION_INDEX,
				      &self->bar2));
}

FIXTURE_TEARDOWN(ivshmem)
{
	vt_device_close(&self->dev);
}

TEST_F(ivshmem, ram_bar_write_read_through_mapping)
{
	size_t ps = page_size(), off;
	uint64_t v;
	uint8_t *p;

	ASSERT_TRUE(self->bar2.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar2, 0,
				      self->bar2.size, PROT_READ | PROT_WRITE,
				      MAP_SHARED, (void **)&p));
	/* One word per 64 KiB: enough pages to cover many faults. */
	for (off = 0; off < self->bar2.size; off += 16 * ps)
		*(volatile uint64_t *)(p + off) = 0x5a5a000000000000ULL | off;
	for (off = 0; off < self->bar2.size; off += 16 * ps) {
		ASSERT_EQ(0x5a5a000000000000ULL | off,
			  *(volatile uint64_t *)(p + off));
		ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->bar2, off,
					      &v, 8));
		ASSERT_EQ(0x5a5a000000000000ULL | off, v);
	}
	ASSERT_EQ(0, munmap(p, self->bar2.size));
}

/*
 * read(2)/write(2) with the user buffer inside a mapping of the same device:
 * the copy faults the mapping in, and its fault handler needs memory_lock,
 * which the access path must not be holding while it copies.
 */
TEST_F(ivshmem, rw_with_buffer_in_own_mapping)
{
	size_t ps = page_size();
	uint8_t *src, *dst;
	unsigned int i;

	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar2, 0, ps,
				      PROT_READ | PROT_WRITE, MAP_SHARED,
				      (void **)&src));
	for (i = 0; i < ps; i++)
		src[i] = i * 7;

	/*
	 * A fresh mapping of BAR2 pages 2-3 has no page table entries yet, so
	 * the copy into it is what faults.
	 */
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar2, 2 * ps,
				      2 * ps, PROT_READ | PROT_WRITE,
				      MAP_SHARED, (void **)&dst));
	ASSERT_EQ(ps, __vt_region_read(self->dev.fd, &self->bar2, 0, dst, ps));
	ASSERT_EQ(0, memcmp(src, dst, ps));
	ASSERT_EQ(0, munmap(dst, 2 * ps));

	/* write(2) from a fresh mapping: copy_from_user faults instead. */
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar2, 2 * ps,
				      2 * ps, PROT_READ | PROT_WRITE,
				      MAP_SHARED, (void **)&dst));
	ASSERT_EQ(ps, __vt_region_write(self->dev.fd, &self->bar2, 3 * ps, dst,
					ps));
	ASSERT_EQ(0, memcmp(src, dst + ps, ps));
	ASSERT_EQ(0, munmap(dst, 2 * ps));

	/* BAR0 into a fresh mapping, straddling two of its pages. */
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar2, 2 * ps,
				      2 * ps, PROT_READ | PROT_WRITE,
				      MAP_SHARED, (void **)&dst));
	ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->bar0, 0,
				      dst + ps - 4, 8));
	ASSERT_EQ(0, munmap(dst, 2 * ps));
	ASSERT_EQ(0, munmap(src, ps));
}

TEST_F(ivshmem, subpage_bar_maps_one_page_or_none)
{
	size_t ps = page_size();
	uint32_t v;
	void *p;

	ASSERT_LT(self->bar0.size, ps);
	if (!(self->bar0.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->bar0,
						    0, ps, PROT_READ,
						    MAP_SHARED, &p));
		SKIP(return, "BAR0 is not page aligned here");
	}
	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &self->bar0, 0,
					    2 * ps, PROT_READ, MAP_SHARED,
					    &p));
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar0, 0, ps,
				      PROT_READ | PROT_WRITE, MAP_SHARED, &p));
	/* IVPosition (offset 8) reads 0 in plain mode, as through read(2). */
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->bar0, 8, &v, 4));
	ASSERT_EQ(v, ((volatile uint32_t *)p)[2]);
	ASSERT_EQ(0, munmap(p, ps));
}

/* The padding of a sub-page BAR is released at the last close. */
TEST_F(ivshmem, subpage_padding_released_at_close)
{
	char line[256];
	bool found = false;
	FILE *f;

	vt_device_close(&self->dev);
	f = fopen("/proc/iomem", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "vfio-pci-core sub-page"))
			found = true;
	fclose(f);
	ASSERT_FALSE(found);
}

/* e1000e: an I/O port BAR and a ROM next to mappable memory BARs. */
FIXTURE(e1000e) {
	struct vt_device dev;
};

FIXTURE_SETUP(e1000e)
{
	if (!vt_device_open_id(&self->dev, 0x8086, 0x10d3))
		SKIP(return, "no e1000e bound to vfio-pci");
}

FIXTURE_TEARDOWN(e1000e)
{
	vt_device_close(&self->dev);
}

TEST_F(e1000e, io_bar_and_rom_are_not_mappable)
{
	struct vfio_region_info bar0, bar2, rom;
	void *p;

	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &bar0));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR2_REGION_INDEX,
				      &bar2));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_ROM_REGION_INDEX,
				      &rom));
	ASSERT_TRUE(bar0.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_NE(0, bar2.size);
	ASSERT_FALSE(bar2.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_NE(0, rom.size);
	ASSERT_FALSE(rom.flags & VFIO_REGION_INFO_FLAG_MMAP);

	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &bar2, 0,
					    page_size(), PROT_READ, MAP_SHARED,
					    &p));
	ASSERT_EQ(-EINVAL, __vt_region_mmap(self->dev.fd, &rom, 0,
					    page_size(), PROT_READ, MAP_SHARED,
					    &p));
}

/* pci-testdev's 64 MiB prefetchable BAR maps whole. */
TEST(testdev_large_bar_maps_whole)
{
	const char *bdf = vt_find_one(0x1b36, 0x0005);
	struct vfio_region_info bar2;
	struct vt_device dev;
	void *p;

	if (!bdf)
		SKIP(return, "no pci-testdev bound to vfio-pci");
	vt_device_open(&dev, bdf);
	ASSERT_EQ(0, __vt_region_info(dev.fd, VFIO_PCI_BAR2_REGION_INDEX,
				      &bar2));
	ASSERT_EQ(64 << 20, bar2.size);
	ASSERT_TRUE(bar2.flags & VFIO_REGION_INFO_FLAG_MMAP);
	ASSERT_EQ(0, __vt_region_mmap(dev.fd, &bar2, 0, bar2.size, PROT_READ,
				      MAP_SHARED, &p));
	ASSERT_EQ(0, munmap(p, bar2.size));
	vt_device_close(&dev);
}

TEST_HARNESS_MAIN
