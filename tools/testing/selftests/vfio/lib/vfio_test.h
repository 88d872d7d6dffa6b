/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the vfio-pci-core selftests: finding the emulated devices,
 * opening them through the cdev and iommufd, and the raw ioctls the tests
 * exercise.  Functions named __vt_*() return 0 or -errno so that negative
 * tests can assert the exact errno; their vt_*() twins abort the test on
 * failure.
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_TEST_H
#define SELFTESTS_VFIO_LIB_VFIO_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <linux/vfio.h>
#include <linux/iommufd.h>

#include "vfio_group.h"

/*
 * The emulated devices of the test VM: X(name, vendor, device).  One list,
 * used both for lookups and for generating fixture variants.
 */
#define VT_DEVICES(X)				\
	X(edu,		0x1234, 0x11e8)		\
	X(igb,		0x8086, 0x10c9)		\
	X(e1000e,	0x8086, 0x10d3)		\
	X(nvme,		0x1b36, 0x0010)		\
	X(pci_testdev,	0x1b36, 0x0005)		\
	X(ivshmem,	0x1af4, 0x1110)		\
	X(vga,		0x1234, 0x1111)

#define VT_MAX_BDFS	16
#define VT_BDF_LEN	16

/* Print to stderr and exit non-zero; for setup failures outside a test. */
#define vt_die(fmt, ...) do {						\
	fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__,		\
		##__VA_ARGS__);						\
	exit(1);							\
} while (0)

/*
 * Fill @bdfs with the functions whose vendor/device match and that are bound
 * to vfio-pci.  Returns how many were found.
 */
int vt_find_bound(uint16_t vendor, uint16_t device,
		  char bdfs[][VT_BDF_LEN], int max);

/*
 * First function bound to vfio-pci with this vendor:device, or NULL.  The
 * string stays valid, and is only rewritten by a lookup of the same ID.
 */
const char *vt_find_one(uint16_t vendor, uint16_t device);

/* Read a sysfs attribute of a PCI function as a number; -1 on error. */
long long vt_sysfs_num(const char *bdf, const char *attr);

/* Path of the function's /dev/vfio/devices/vfioN node into @path. */
int __vt_cdev_path(const char *bdf, char *path, size_t len);

/* open() the cdev; returns the fd or -errno. */
int __vt_cdev_open(const char *bdf);
int vt_cdev_open(const char *bdf);

int vt_iommufd_open(void);
int __vt_ioas_alloc(int iommufd, uint32_t *ioas_id);
uint32_t vt_ioas_alloc(int iommufd);

/* IOMMU_HWPT_ALLOC of a paging page table from @pt_id for device @dev_id. */
int __vt_hwpt_alloc(int iommufd, uint32_t dev_id, uint32_t pt_id,
		    uint32_t flags, uint32_t *hwpt_id);

int __vt_bind(int devfd, int iommufd, uint32_t *devid);
int __vt_attach(int devfd, uint32_t pt_id, uint32_t *out_pt_id);
int __vt_detach(int devfd);

int __vt_get_info(int devfd, struct vfio_device_info *info);
int __vt_region_info(int devfd, uint32_t index, struct vfio_region_info *info);
int __vt_irq_info(int devfd, uint32_t index, struct vfio_irq_info *info);

/* pread/pwrite at @offset of region @info; returns bytes or -errno. */
ssize_t __vt_region_read(int devfd, const struct vfio_region_info *info,
			 uint64_t offset, void *buf, size_t len);
ssize_t __vt_region_write(int devfd, const struct vfio_region_info *info,
			  uint64_t offset, const void *buf, size_t len);

/* VFIO_DEVICE_RESET; 0 or -errno. */
int __vt_reset(int devfd);

/*
 * VFIO_DEVICE_SET_IRQS with @len bytes of @data after the header; 0 or
 * -errno.
 */
int __vt_set_irqs(int devfd, uint32_t index, uint32_t flags, uint32_t start,
		  uint32_t count, const void *data, size_t len);

/*
 * mmap @len bytes at @offset of region @info with @prot and @flags
 * (MAP_SHARED, MAP_PRIVATE...).  Returns 0 and the address in *@addr, or
 * -errno.
 */
int __vt_region_mmap(int devfd, const struct vfio_region_info *info,
		     uint64_t offset, size_t len, int prot, int flags,
		     void **addr);

/*
 * Minor page faults taken by the calling thread so far.  A BAR mapping's
 * page table entries are invisible to /proc/self/pagemap (the page walker
 * skips VM_PFNMAP), so tests see revocation as a new fault on the next touch.
 */
long vt_minor_faults(void);

/* Minor faults taken by one 32-bit read of @p; the value goes to *@val. */
long vt_faults_of_read32(volatile uint32_t *p, uint32_t *val);

/*
 * Read @p in a forked child, which exits 1 if it did not read @expect and 2
 * if the read did not take @faults minor faults (@faults < 0: any number).
 * Returns the child's wait status (a SIGBUS shows as WTERMSIG), or -1.
 */
int vt_child_read32(volatile uint32_t *p, uint32_t expect, long faults);

/*
 * Read or write the function's COMMAND register through sysfs, behind
 * vfio's back; 0 or -errno.
 */
int __vt_sysfs_command(const char *bdf, uint16_t *cmd, bool write);

/*
 * Power state of a function, behind vfio's back.  vt_wait_runtime_status()
 * polls power/runtime_status for about two seconds and returns true once it
 * reads @want ("active", "suspended").  vt_phys_pm_state() returns the
 * PowerState field of the real PMCSR (0 = D0 ... 3 = D3hot), or -errno
 * (-ENOENT without a PM capability).
 */
bool vt_wait_runtime_status(const char *bdf, const char *want);
int vt_phys_pm_state(const char *bdf);

/*
 * Offset of the PM capability in the function's config space as the user
 * sees it through the vfio config region, or -ENOENT.
 */
int vt_pm_cap(int devfd);

/* VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY (@enter) or _EXIT; 0 or -errno. */
int vt_low_power(int devfd, bool enter);

/*
 * An opened device: cdev bound to a fresh iommufd and attached to a fresh
 * IOAS.  On a kernel without iommufd (see vfio_group.h), the device fd of
 * its group in a fresh type1 container instead: @iommufd is -1 then, and
 * @container and @group are open.  vt_device_open() aborts on any failure.
 */
struct vt_device {
	char bdf[VT_BDF_LEN];
	int fd;
	int iommufd;
	uint32_t devid;
	uint32_t ioas_id;
	uint32_t pt_id;
	int container;
	int group;
};

void vt_device_open(struct vt_device *d, const char *bdf);

/*
 * VFIO_DEVICE_SET_IRQS, ACTION_TRIGGER on @count vectors of @index from
 * @start: with the eventfds in @fds, or with DATA_NONE when @fds is NULL
 * (count 0 then disables the index).  0 or -errno.
 */
int __vt_set_irq_fds(int devfd, uint32_t index, uint32_t start,
		     uint32_t count, const int32_t *fds);

/*
 * VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE set to @state; the data fd the arc
 * opened, if any, goes to *@data_fd (when not NULL).  0 or -errno.
 */
int __vt_mig_set_state(int devfd, uint32_t state, int *data_fd);

/*
 * The group path: open the function's group, set a container on it (a
 * type1 container, or an iommufd in its place when @iommufd) and get the
 * device fd.  Returns the device fd with *@container and *@group set, or
 * -errno with nothing left open.
 */
int __vt_group_device_open(const char *bdf, bool iommufd, int *container,
			   int *group);

/*
 * Open the first function with this vendor:device bound to vfio-pci, as
 * vt_device_open() does.  Returns false, with d->fd = -1, when there is none,
 * so that a fixture can SKIP.
 */
bool vt_device_open_id(struct vt_device *d, uint16_t vendor, uint16_t device);
void vt_device_close(struct vt_device *d);

#endif /* SELFTESTS_VFIO_LIB_VFIO_TEST_H */
