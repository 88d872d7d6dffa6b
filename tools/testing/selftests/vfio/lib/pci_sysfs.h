/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI sysfs for the selftests: writing attributes, moving a function from
 * one driver to another the way an admin does (driver_override, then
 * drivers_probe), raw config space behind vfio's back, and loading and
 * unloading kernel modules.  Functions return 0 or -errno.
 */
#ifndef SELFTESTS_VFIO_LIB_PCI_SYSFS_H
#define SELFTESTS_VFIO_LIB_PCI_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write @val to the file at @path (sysfs: one write). */
int vt_write_file(const char *path, const char *val);

/*
 * Read the file at @path (up to @len bytes, in as many reads as it takes):
 * the number of bytes read, or -errno.
 */
long vt_read_file(const char *path, void *buf, size_t len);

/* Write @val to /sys/bus/pci/devices/@bdf/@attr. */
int vt_sysfs_write(const char *bdf, const char *attr, const char *val);

/*
 * The last path component of the symlink /sys/bus/pci/devices/@bdf/@attr
 * (driver, iommu_group, virtfnN, physfn) into @out; 0 or -errno.
 */
int vt_sysfs_link(const char *bdf, const char *attr, char *out, size_t len);

/* Poll for about @ms milliseconds until @bdf exists (or no longer does). */
bool vt_wait_present(const char *bdf, bool present, int ms);

/* The number of @bdf's IOMMU group, or -1. */
int vt_iommu_group(const char *bdf);

/* The name of @bdf's driver into @buf ("" when unbound). */
int vt_driver_of(const char *bdf, char *buf, size_t len);

/*
 * Unbind @bdf from its driver and bind it to @driver (NULL: leave it
 * unbound, driver_override cleared).
 */
int vt_driver_move(const char *bdf, const char *driver);

/* Read or write @len bytes at @off of @bdf's config space through sysfs. */
int vt_sysfs_config(const char *bdf, unsigned int off, void *buf, size_t len,
		    int write);

/*
 * Run a shell command (insmod, rmmod, modprobe); its exit status, or -1
 * when it could not run.  Output goes to stderr, as TAP diagnostics.
 */
int vt_shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The work tree this binary was built in (build/selftests/../..). */
const char *vt_repo_dir(void);

#endif /* SELFTESTS_VFIO_LIB_PCI_SYSFS_H */
