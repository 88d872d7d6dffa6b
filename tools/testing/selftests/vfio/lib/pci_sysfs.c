// SPDX-License-Identifier: GPL-2.0
/*
 * PCI functions through sysfs; see pci_sysfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pci_sysfs.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

int vt_sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : 0;
}

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

bool vt_rebind(const char *bdf, const char *driver)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver/unbind", bdf);
	if (!access(path, F_OK))
		vt_sysfs_write(path, bdf);
	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver_override", bdf);
	if (vt_sysfs_write(path, driver))
		return false;
	vt_sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	return vt_bound_to(bdf, driver);
}

bool vt_wait_present(const char *bdf, bool present, int ms)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s", bdf);
	for (; ms > 0; ms -= 50) {
		if (!access(path, F_OK) == present)
			return true;
		usleep(50 * 1000);
	}
	return !access(path, F_OK) == present;
}
