/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI functions through sysfs, the way an admin moves them: which driver a
 * function is bound to, rebinding with driver_override, waiting for a
 * function to leave or come back.
 */
#ifndef SELFTESTS_VFIO_LIB_PCI_SYSFS_H
#define SELFTESTS_VFIO_LIB_PCI_SYSFS_H

#include <stdbool.h>

/* Write @val to @path; 0 or -errno. */
int vt_sysfs_write(const char *path, const char *val);

/* Is @bdf bound to the driver named @driver? */
bool vt_bound_to(const char *bdf, const char *driver);

/* Unbind @bdf if bound, then bind it to @driver; true once it is there. */
bool vt_rebind(const char *bdf, const char *driver);

/* Poll for about @ms milliseconds until @bdf exists (or no longer does). */
bool vt_wait_present(const char *bdf, bool present, int ms);

#endif /* SELFTESTS_VFIO_LIB_PCI_SYSFS_H */
