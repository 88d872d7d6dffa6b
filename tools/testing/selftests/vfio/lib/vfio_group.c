// SPDX-License-Identifier: GPL-2.0
/*
 * The group/container path for the selftests; see vfio_group.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio_group.h"

bool vt_have_iommufd(void)
{
	return access("/dev/iommu", F_OK) == 0;
}

int vt_group_number(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	return atoi(strrchr(link, '/') + 1);
}

int __vt_group_open_device(const char *bdf, int *container, int *group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int c = -1, g = -1, fd, nr, ret;
	char path[64];

	nr = vt_group_number(bdf);
	if (nr < 0)
		return -ENOENT;
	c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (c < 0)
		return -errno;
	snprintf(path, sizeof(path), "/dev/vfio/%d", nr);
	g = open(path, O_RDWR | O_CLOEXEC);
	if (g < 0)
		goto err;
	if (ioctl(g, VFIO_GROUP_GET_STATUS, &status))
		goto err;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto err;
	}
	if (ioctl(g, VFIO_GROUP_SET_CONTAINER, &c))
		goto err;
	if (ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err;
	fd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (fd < 0)
		goto err;
	*container = c;
	*group = g;
	return fd;
err:
	ret = -errno;
	if (g >= 0)
		close(g);
	close(c);
	return ret;
}
