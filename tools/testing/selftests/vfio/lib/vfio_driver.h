/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving a function between drivers the way an admin does (driver_override
 * and drivers_probe), for suites that test a variant driver bound only
 * through driver_override.
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_DRIVER_H
#define SELFTESTS_VFIO_LIB_VFIO_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "pci_sysfs.h"

/* Is @bdf bound to the driver named @driver? */
bool vt_bound_to(const char *bdf, const char *driver);

/* Is a driver of that name registered? */
bool vt_have_driver(const char *driver);

/*
 * Unbind @bdf and probe it again with @driver as its override, as an admin
 * does.  0 once it is bound to @driver; -errno from sysfs, or -EIO when
 * the probe left it elsewhere.
 */
int vt_rebind(const char *bdf, const char *driver);

struct vt_device;

/*
 * For a suite of a variant: move the first vendor:device function bound to
 * vfio-pci to @driver and open it (vt_device_open()).  Returns 0;
 * -ENOENT when @driver is not loaded or -ENODEV when no such function is
 * bound to vfio-pci (the suite SKIPs; d->fd is -1); -EIO when the move
 * failed (d->bdf is set: vt_variant_close() moves it back).
 */
int vt_variant_open(struct vt_device *d, uint16_t vendor, uint16_t device,
		    const char *driver);

/* Close what vt_variant_open() opened and move the function back. */
void vt_variant_close(struct vt_device *d);

#endif /* SELFTESTS_VFIO_LIB_VFIO_DRIVER_H */
