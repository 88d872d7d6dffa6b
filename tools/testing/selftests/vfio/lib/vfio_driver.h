/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving a function between drivers the way an admin does (driver_override
 * and drivers_probe), for suites that test a variant driver bound only
 * through driver_override.
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_DRIVER_H
#define SELFTESTS_VFIO_LIB_VFIO_DRIVER_H

#include <stdbool.h>

/* Write @val to the sysfs file @path; 0 or -errno. */
int vt_sysfs_write(const char *path, const char *val);

/* Is @bdf bound to the driver named @driver? */
bool vt_bound_to(const char *bdf, const char *driver);

/* Is a driver of that name registered? */
bool vt_have_driver(const char *driver);

/* Unbind @bdf and probe it again with @driver as its override. */
bool vt_rebind(const char *bdf, const char *driver);

#endif /* SELFTESTS_VFIO_LIB_VFIO_DRIVER_H */
