/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The legacy group/container path for the selftests, and what a suite does
 * on a kernel without iommufd (Debian's stock kernels are built without
 * CONFIG_IOMMUFD: no /dev/iommu, no /dev/vfio/devices/vfioN).  There,
 * vt_device_open() opens the function through its group and a type1
 * container instead; tests that need iommufd itself skip with
 * VT_REQUIRE_IOMMUFD().
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_GROUP_H
#define SELFTESTS_VFIO_LIB_VFIO_GROUP_H

#include <stdbool.h>

/* Why a test skips on such a kernel; names the missing kernel feature. */
#define VT_NO_IOMMUFD \
	"needs iommufd: the kernel has no CONFIG_IOMMUFD (no /dev/iommu, no vfio device cdev)"

/* In a kselftest_harness test or fixture setup: skip without iommufd. */
#define VT_REQUIRE_IOMMUFD() do {				\
	if (!vt_have_iommufd())					\
		SKIP(return, VT_NO_IOMMUFD);			\
} while (0)

/* Whether the running kernel serves iommufd (/dev/iommu exists). */
bool vt_have_iommufd(void);

/* The function's IOMMU group number, or -1. */
int vt_group_number(const char *bdf);

/*
 * Open a fresh type1 container and the function's group, put the group in
 * the container and get the device fd.  Returns the device fd, with the
 * container and group fds in *@container and *@group, or -errno (nothing
 * left open).
 */
int __vt_group_open_device(const char *bdf, int *container, int *group);

#endif /* SELFTESTS_VFIO_LIB_VFIO_GROUP_H */
