// SPDX-License-Identifier: GPL-2.0
/* SR-IOV VFs made by a PF's host driver: see vfio_sriov.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pci_sysfs.h"
#include "vfio_sriov.h"

int vt_vf_bdf(const char *pf, int i, char *buf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/virtfn%d", pf,
		 i);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(buf, VT_BDF_LEN, "%.15s", strrchr(link, '/') + 1);
	return 0;
}

int vt_host_vfs_up(const char *pf, const char *host_driver, int n,
		   char (*vfs)[VT_BDF_LEN])
{
	char num[16];
	int i;

	snprintf(num, sizeof(num), "%d", n);
	if (vt_shell("modprobe %s", host_driver) ||
	    vt_driver_move(pf, host_driver) ||
	    vt_sysfs_write(pf, "sriov_drivers_autoprobe", "0") ||
	    vt_sysfs_write(pf, "sriov_numvfs", num))
		return -1;
	for (i = 0; i < n; i++)
		if (vt_vf_bdf(pf, i, vfs[i]))
			return -1;
	return 0;
}

int vt_host_vfs_down(const char *pf, int n, char (*vfs)[VT_BDF_LEN])
{
	int i;

	for (i = 0; i < n; i++)
		if (vfs[i][0])
			vt_driver_move(vfs[i], NULL);
	vt_sysfs_write(pf, "sriov_numvfs", "0");
	vt_sysfs_write(pf, "sriov_drivers_autoprobe", "1");
	return vt_driver_move(pf, "vfio-pci");
}
