// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the vfio-pci-core selftests; see vfio_test.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pci_sysfs.h"
#include "vfio_test.h"
#include "vfio_driver.h"

#define SYSFS_PCI "/sys/bus/pci/devices"
#define PCI_COMMAND_OFFSET 4

long long vt_sysfs_num(const char *bdf, const char *attr)
{
	char path[PATH_MAX], buf[64];
	long long val;
	FILE *f;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	val = strtoll(buf, NULL, 0);
	return val;
}

static int vt_cmp_bdf(const void *a, const void *b)
{
	return strcmp(a, b);
}

int vt_find_bound(uint16_t vendor, uint16_t device,
		  char bdfs[][VT_BDF_LEN], int max)
{
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir(SYSFS_PCI);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		if (vt_sysfs_num(de->d_name, "vendor") != vendor ||
		    vt_sysfs_num(de->d_name, "device") != device ||
		    !vt_bound_to(de->d_name, "vfio-pci"))
			continue;
		snprintf(bdfs[n++], VT_BDF_LEN, "%.15s", de->d_name);
	}
	closedir(dir);
	qsort(bdfs, n, VT_BDF_LEN, vt_cmp_bdf);
	return n;
}

const char *vt_find_one(uint16_t vendor, uint16_t device)
{
	/* One slot per device ID, so a lookup never clobbers another's. */
	static struct {
		uint16_t vendor, device;
		char bdf[VT_BDF_LEN];
	} found[16];
	const unsigned int nfound = sizeof(found) / sizeof(found[0]);
	char bdfs[VT_MAX_BDFS][VT_BDF_LEN];
	unsigned int i;

	if (!vt_find_bound(vendor, device, bdfs, VT_MAX_BDFS))
		return NULL;
	for (i = 0; i < nfound; i++) {
		if (!found[i].vendor ||
		    (found[i].vendor == vendor && found[i].device == device))
			break;
	}
	if (i == nfound)
		vt_die("vt_find_one: more than %u device IDs", nfound);
	found[i].vendor = vendor;
	found[i].device = device;
	memcpy(found[i].bdf, bdfs[0], VT_BDF_LEN);
	return found[i].bdf;
}

int __vt_cdev_path(const char *bdf, char *path, size_t len)
{
	char dirpath[PATH_MAX];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *dir;

	snprintf(dirpath, sizeof(dirpath), SYSFS_PCI "/%s/vfio-dev", bdf);
	dir = opendir(dirpath);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "vfio", 4))
			continue;
		snprintf(path, len, "/dev/vfio/devices/%s", de->d_name);
		ret = 0;
		break;
	}
	closedir(dir);
	return ret;
}

int __vt_cdev_open(const char *bdf)
{
	char path[PATH_MAX];
	int ret, fd;

	ret = __vt_cdev_path(bdf, path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDWR);
	return fd < 0 ? -errno : fd;
}

int vt_cdev_open(const char *bdf)
{
	int fd = __vt_cdev_open(bdf);

	if (fd < 0)
		vt_die("open cdev of %s: %s", bdf, strerror(-fd));
	return fd;
}

int vt_iommufd_open(void)
{
	int fd = open("/dev/iommu", O_RDWR);

	if (fd < 0)
		vt_die("open /dev/iommu: %s", strerror(errno));
	return fd;
}

static int vt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int __vt_ioas_alloc(int iommufd, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	int ret;

	ret = vt_ioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc);
	if (!ret)
		*ioas_id = alloc.out_ioas_id;
	return ret;
}

uint32_t vt_ioas_alloc(int iommufd)
{
	uint32_t id;
	int ret = __vt_ioas_alloc(iommufd, &id);

	if (ret)
		vt_die("IOMMU_IOAS_ALLOC: %s", strerror(-ret));
	return id;
}

int __vt_hwpt_alloc(int iommufd, uint32_t dev_id, uint32_t pt_id,
		    uint32_t flags, uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
	};
	int ret;

	ret = vt_ioctl(iommufd, IOMMU_HWPT_ALLOC, &alloc);
	if (!ret)
		*hwpt_id = alloc.out_hwpt_id;
	return ret;
}

int __vt_bind(int devfd, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};
	int ret;

	ret = vt_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (!ret && devid)
		*devid = bind.out_devid;
	return ret;
}

int __vt_attach(int devfd, uint32_t pt_id, uint32_t *out_pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = pt_id,
	};
	int ret;

	ret = vt_ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	if (!ret && out_pt_id)
		*out_pt_id = attach.pt_id;
	return ret;
}

int __vt_detach(int devfd)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};

	return vt_ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
}

int __vt_get_info(int devfd, struct vfio_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return vt_ioctl(devfd, VFIO_DEVICE_GET_INFO, info);
}

int __vt_region_info(int devfd, uint32_t index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return vt_ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, info);
}

int __vt_irq_info(int devfd, uint32_t index, struct vfio_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return vt_ioctl(devfd, VFIO_DEVICE_GET_IRQ_INFO, info);
}

ssize_t __vt_region_read(int devfd, const struct vfio_region_info *info,
			 uint64_t offset, void *buf, size_t len)
{
	ssize_t n = pread(devfd, buf, len, info->offset + offset);

	return n < 0 ? -errno : n;
}

ssize_t __vt_region_write(int devfd, const struct vfio_region_info *info,
			  uint64_t offset, const void *buf, size_t len)
{
	ssize_t n = pwrite(devfd, buf, len, info->offset + offset);

	return n < 0 ? -errno : n;
}

int __vt_reset(int devfd)
{
	return ioctl(devfd, VFIO_DEVICE_RESET) ? -errno : 0;
}

int __vt_set_irqs(int devfd, uint32_t index, uint32_t flags, uint32_t start,
		  uint32_t count, const void *data, size_t len)
{
	struct vfio_irq_set *set;
	int ret;

	set = calloc(1, sizeof(*set) + len);
	if (!set)
		return -ENOMEM;
	set->argsz = sizeof(*set) + len;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (len)
		memcpy(set->data, data, len);
	ret = ioctl(devfd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
	free(set);
	return ret;
}

int __vt_region_mmap(int devfd, const struct vfio_region_info *info,
		     uint64_t offset, size_t len, int prot, int flags,
		     void **addr)
{
	void *p = mmap(NULL, len, prot, flags, devfd, info->offset + offset);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

long vt_minor_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return -errno;
	return ru.ru_minflt;
}

long vt_faults_of_read32(volatile uint32_t *p, uint32_t *val)
{
	volatile uint32_t warm = 0;
	long before;

	/*
	 * After a fork, stack pages are shared copy-on-write and the first
	 * write to each faults: take those faults before counting.
	 */
	*val = warm;
	before = vt_minor_faults();
	before = vt_minor_faults();
	*val = *p;
	return vt_minor_faults() - before;
}

int vt_child_read32(volatile uint32_t *p, uint32_t expect, long faults)
{
	int status;
	uint32_t v;
	pid_t pid;
	long n;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		n = vt_faults_of_read32(p, &v);
		if (v != expect)
			_exit(1);
		_exit(faults >= 0 && n != faults ? 2 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

int __vt_sysfs_command(const char *bdf, uint16_t *cmd, bool write)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", bdf);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, cmd, 2, PCI_COMMAND_OFFSET) :
		    pread(fd, cmd, 2, PCI_COMMAND_OFFSET);
	close(fd);
	return n == 2 ? 0 : -EIO;
}

bool vt_wait_runtime_status(const char *bdf, const char *want)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char path[PATH_MAX], buf[32];
	ssize_t n;
	int i, fd;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/power/runtime_status",
		 bdf);
	for (i = 0; i < 100; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return false;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		if (n > 0 && (size_t)n == strlen(want) &&
		    !memcmp(buf, want, n))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Walk the capability list of a 256-byte config space image. */
static int vt_find_pm_cap(const uint8_t *cfg)
{
	uint8_t pos = cfg[0x34] & ~3;
	int guard;

	if (!(cfg[0x06] & 0x10))	/* STATUS.CAP_LIST */
		return -ENOENT;
	for (guard = 0; pos >= 0x40 && guard < 48; guard++) {
		if (cfg[pos] == 0x01)	/* PCI_CAP_ID_PM */
			return pos;
		pos = cfg[pos + 1] & ~3;
	}
	return -ENOENT;
}

int vt_phys_pm_state(const char *bdf)
{
	char path[PATH_MAX];
	uint8_t cfg[256];
	ssize_t n;
	int fd, pm;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, cfg, sizeof(cfg), 0);
	close(fd);
	if (n != sizeof(cfg))
		return -EIO;
	pm = vt_find_pm_cap(cfg);
	if (pm < 0)
		return pm;
	return cfg[pm + 4] & 3;
}

int vt_pm_cap(int devfd)
{
	struct vfio_region_info cfg_info;
	uint8_t cfg[256];

	if (__vt_region_info(devfd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg_info))
		return -EIO;
	if (__vt_region_read(devfd, &cfg_info, 0, cfg, sizeof(cfg)) !=
	    sizeof(cfg))
		return -EIO;
	return vt_find_pm_cap(cfg);
}

int vt_low_power(int devfd, bool enter)
{
	struct vfio_device_feature f = {
		.argsz = sizeof(f),
		.flags = VFIO_DEVICE_FEATURE_SET |
			 (enter ? VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY :
				  VFIO_DEVICE_FEATURE_LOW_POWER_EXIT),
	};

	return ioctl(devfd, VFIO_DEVICE_FEATURE, &f) ? -errno : 0;
}

void vt_device_open(struct vt_device *d, const char *bdf)
{
	int ret;

	memset(d, 0, sizeof(*d));
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->container = -1;
	d->group = -1;
	if (!vt_have_iommufd()) {
		d->iommufd = -1;
		d->fd = __vt_group_open_device(bdf, &d->container, &d->group);
		if (d->fd < 0)
			vt_die("open %s through its group: %s", bdf,
			       strerror(-d->fd));
		return;
	}
	d->fd = vt_cdev_open(bdf);
	d->iommufd = vt_iommufd_open();
	ret = __vt_bind(d->fd, d->iommufd, &d->devid);
	if (ret)
		vt_die("bind %s: %s", bdf, strerror(-ret));
	d->ioas_id = vt_ioas_alloc(d->iommufd);
	ret = __vt_attach(d->fd, d->ioas_id, &d->pt_id);
	if (ret)
		vt_die("attach %s to IOAS %u: %s", bdf, d->ioas_id,
		       strerror(-ret));
}

bool vt_device_open_id(struct vt_device *d, uint16_t vendor, uint16_t device)
{
	const char *bdf = vt_find_one(vendor, device);

	if (!bdf) {
		memset(d, 0, sizeof(*d));
		d->fd = -1;
		d->iommufd = -1;
		d->container = -1;
		d->group = -1;
		return false;
	}
	vt_device_open(d, bdf);
	return true;
}

void vt_device_close(struct vt_device *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->iommufd >= 0)
		close(d->iommufd);
	/* > 0: a zeroed, never opened vt_device must not close stdin. */
	if (d->group > 0)
		close(d->group);
	if (d->container > 0)
		close(d->container);
	d->fd = -1;
	d->iommufd = -1;
	d->group = -1;
	d->container = -1;
}

int __vt_group_device_open(const char *bdf, bool iommufd, int *container,
			   int *group)
{
	int type = VFIO_TYPE1v2_IOMMU, ret, fd;
	char path[64];

	*container = open(iommufd ? "/dev/iommu" : "/dev/vfio/vfio", O_RDWR);
	if (*container < 0)
		return -errno;
	snprintf(path, sizeof(path), "/dev/vfio/%d", vt_iommu_group(bdf));
	*group = open(path, O_RDWR);
	if (*group < 0)
		goto fail;
	if (ioctl(*group, VFIO_GROUP_SET_CONTAINER, container))
		goto fail;
	if (!iommufd && ioctl(*container, VFIO_SET_IOMMU, type))
		goto fail;
	fd = ioctl(*group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (fd < 0)
		goto fail;
	return fd;
fail:
	ret = -errno;
	if (*group >= 0)
		close(*group);
	close(*container);
	*group = *container = -1;
	return ret;
}

int __vt_set_irq_fds(int devfd, uint32_t index, uint32_t start,
		     uint32_t count, const int32_t *fds)
{
	struct vfio_irq_set *set;
	size_t len = sizeof(*set) + (fds ? 4 * count : 0);
	int ret;

	set = calloc(1, len);
	if (!set)
		return -ENOMEM;
	set->argsz = len;
	set->flags = (fds ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE) |
		     VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = start;
	set->count = count;
	if (fds)
		memcpy(set->data, fds, 4 * count);
	ret = vt_ioctl(devfd, VFIO_DEVICE_SET_IRQS, set);
	free(set);
	return ret;
}

int __vt_mig_set_state(int devfd, uint32_t state, int *data_fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state st;
	} buf = {
		.f = {
			.argsz = sizeof(buf),
			.flags = VFIO_DEVICE_FEATURE_SET |
				 VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		},
		.st = { .device_state = state },
	};
	int ret;

	ret = vt_ioctl(devfd, VFIO_DEVICE_FEATURE, &buf);
	if (!ret && data_fd)
		*data_fd = buf.st.data_fd;
	return ret;
}
