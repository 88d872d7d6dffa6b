// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_edu_migrate: the migration demo of "make run".  Rebinds the first two
 * edus to edu-vfio-pci, gives edu A some state (liveness, a factorial, its
 * buffer filled by DMA, a DMA to RAM just issued), migrates A to B through
 * PRE_COPY and STOP_COPY, prints what moved and gives both back to vfio-pci.
 */
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib/vfio_test.h"

#define VARIANT		"edu-vfio-pci"
#define RAM_IOVA	0x100000ULL
#define RAM_SIZE	0x4000
#define BUF		0x40000
#define BUF_SIZE	4096

struct edu {
	struct vt_device d;
	struct vfio_region_info bar0, cfg;
	uint8_t *ram;
};

static const struct { const char *name; uint64_t off; int size; } regs[] = {
	{ "liveness (0x04)", 0x04, 4 }, { "factorial (0x08)", 0x08, 4 },
	{ "status (0x20)", 0x20, 4 }, { "irq status (0x24)", 0x24, 4 },
	{ "dma src (0x80)", 0x80, 8 }, { "dma dst (0x88)", 0x88, 8 },
	{ "dma cnt (0x90)", 0x90, 8 },
};

static void sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			perror(path);
		close(fd);
	}
}

static void rebind(const char *bdf, const char *drv)
{
	char p[256];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
	sysfs_write(p, bdf);
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver_override", bdf);
	sysfs_write(p, drv);
	sysfs_write("/sys/bus/pci/drivers_probe", bdf);
}

static uint64_t rd(struct edu *e, uint64_t off, int size)
{
	uint64_t v = 0;

	__vt_region_read(e->d.fd, &e->bar0, off, &v, size);
	return v;
}

static void wr(struct edu *e, uint64_t off, uint64_t v, int size)
{
	if (__vt_region_write(e->d.fd, &e->bar0, off, &v, size) != size)
		vt_die("write %#llx", (unsigned long long)off);
}

static void dma(struct edu *e, uint64_t src, uint64_t dst, uint64_t cnt,
		uint64_t cmd, bool wait)
{
	int i;

	wr(e, 0x80, src, 8);
	wr(e, 0x88, dst, 8);
	wr(e, 0x90, cnt, 8);
	wr(e, 0x98, cmd | 1, 8);
	for (i = 0; wait && i < 300 && (rd(e, 0x98, 8) & 1); i++)
		usleep(10000);
}

static void edu_open(struct edu *e, const char *bdf)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = RAM_SIZE, .iova = RAM_IOVA,
	};
	uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	vt_device_open(&e->d, bdf);
	__vt_region_info(e->d.fd, VFIO_PCI_BAR0_REGION_INDEX, &e->bar0);
	__vt_region_info(e->d.fd, VFIO_PCI_CONFIG_REGION_INDEX, &e->cfg);
	__vt_region_write(e->d.fd, &e->cfg, PCI_COMMAND, &cmd, 2);
	wr(e, 0x64, ~0u, 4);
	e->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map.ioas_id = e->d.ioas_id;
	map.user_va = (uintptr_t)e->ram;
	if (ioctl(e->d.iommufd, IOMMU_IOAS_MAP, &map))
		vt_die("IOAS map");
}

static int set_state(struct edu *e, uint32_t state)
{
	uint8_t buf[sizeof(struct vfio_device_feature) +
		    sizeof(struct vfio_device_feature_mig_state)]
		__attribute__((aligned(8)));
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *m = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET |
		   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	m->device_state = state;
	if (ioctl(e->d.fd, VFIO_DEVICE_FEATURE, f))
		vt_die("set state %u: %s", state, strerror(errno));
	return m->data_fd;
}

static size_t drain(int fd, uint8_t *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	return len;
}

static uint32_t sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	while (n--)
		s = s * 31 + *p++;
	return s;
}

int main(void)
{
	static uint8_t stream[65536];
	char all[VT_MAX_BDFS][VT_BDF_LEN];
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	struct edu a, b;
	size_t pre, len;
	struct timespec t0, t1;
	int fd, bfd, i;

	if (vt_find_bound(0x1234, 0x11e8, all, VT_MAX_BDFS) < 2)
		vt_die("needs two edus bound to vfio-pci");
	printf("edu A %s -> edu B %s, both rebound to " VARIANT "\n", all[0],
	       all[1]);
	rebind(all[0], VARIANT);
	rebind(all[1], VARIANT);
	edu_open(&a, all[0]);
	edu_open(&b, all[1]);

	for (i = 0; i < BUF_SIZE; i++)
		a.ram[i] = i * 13;
	dma(&a, RAM_IOVA, BUF, BUF_SIZE, 0, true);
	wr(&a, 0x04, 0xc0ffee, 4);
	wr(&a, 0x20, 0x80, 4);
	wr(&a, 0x08, 12, 4);
	dma(&a, BUF, RAM_IOVA + 0x2000, 512, 2 | 4, false);

	fd = set_state(&a, VFIO_DEVICE_STATE_PRE_COPY);
	ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info);
	pre = drain(fd, stream, sizeof(stream));
	printf("PRE_COPY: initial_bytes %llu, read %zu bytes while A ran\n",
	       (unsigned long long)info.initial_bytes, pre);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	set_state(&a, VFIO_DEVICE_STATE_STOP_COPY);
	len = pre + drain(fd, stream + pre, sizeof(stream) - pre);
	bfd = set_state(&b, VFIO_DEVICE_STATE_RESUMING);
	if (write(bfd, stream, len) != (ssize_t)len)
		vt_die("resume write: %s", strerror(errno));
	set_state(&b, VFIO_DEVICE_STATE_RUNNING);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("STOP_COPY: %zu more bytes; stream %zu bytes; downtime %ld us\n",
	       len - pre, len, (t1.tv_sec - t0.tv_sec) * 1000000 +
	       (t1.tv_nsec - t0.tv_nsec) / 1000);
	close(fd);
	close(bfd);

	printf("%-20s %18s %18s\n", "register", "edu A (stopped)", "edu B");
	for (i = 0; i < (int)(sizeof(regs) / sizeof(regs[0])); i++)
		printf("%-20s %#18llx %#18llx\n", regs[i].name,
		       (unsigned long long)rd(&a, regs[i].off, regs[i].size),
		       (unsigned long long)rd(&b, regs[i].off, regs[i].size));
	dma(&b, BUF, RAM_IOVA + 0x1000, BUF_SIZE, 2, true);
	printf("4 KiB buffer checksum: A %#x, B %#x (%s)\n", sum(a.ram, BUF_SIZE),
	       sum(b.ram + 0x1000, BUF_SIZE),
	       memcmp(a.ram, b.ram + 0x1000, BUF_SIZE) ? "DIFFERENT" : "same");

	vt_device_close(&a.d);
	vt_device_close(&b.d);
	rebind(all[0], "vfio-pci");
	rebind(all[1], "vfio-pci");
	return 0;
}
