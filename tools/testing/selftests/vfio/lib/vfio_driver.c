// SPDX-License-Identifier: GPL-2.0
/* Moving a function between drivers: see vfio_driver.h. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#include "pci_sysfs.h"
#include "vfio_driver.h"
#include "vfio_test.h"

#define SYSFS_PCI	"/sys/bus/pci/devices"

bool vt_bound_to(const char *bdf, const char *driver)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *name;
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	name = strrchr(link, '/');
	return name && !strcmp(name + 1, driver);
}

bool vt_have_driver(const char *driver)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", driver);
	return !access(path, F_OK);
}

int vt_rebind(const char *bdf, const char *driver)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver/unbind", bdf);
	if (!access(path, F_OK)) {
		ret = vt_write_file(path, bdf);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver_override", bdf);
	ret = vt_write_file(path, driver);
	if (ret)
		return ret;
	/* A probe that fails says so through the driver link, not here. */
	vt_write_file("/sys/bus/pci/drivers_probe", bdf);
	return vt_bound_to(bdf, driver) ? 0 : -EIO;
}

int vt_variant_open(struct vt_device *d, uint16_t vendor, uint16_t device,
		    const char *driver)
{
	char name[VT_BDF_LEN];
	const char *bdf;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	if (!vt_have_driver(driver))
		return -ENOENT;
	bdf = vt_find_one(vendor, device);
	if (!bdf)
		return -ENODEV;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	if (vt_rebind(d->bdf, driver))
		return -EIO;
	snprintf(name, sizeof(name), "%s", d->bdf);
	vt_device_open(d, name);
	return 0;
}

void vt_variant_close(struct vt_device *d)
{
	if (d->fd >= 0)
		vt_device_close(d);
	if (d->bdf[0] && vt_rebind(d->bdf, "vfio-pci"))
		fprintf(stderr, "could not rebind %s to vfio-pci\n", d->bdf);
}
