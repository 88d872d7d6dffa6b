/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SR-IOV VFs made by a PF's host driver, for suites that hand VFs to a
 * variant: the PF leaves vfio-pci for its host driver, which creates the
 * VFs with autoprobe off (no VF driver takes them), and everything goes
 * back afterwards.  Functions return 0 or -1 (or -errno where noted).
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_SRIOV_H
#define SELFTESTS_VFIO_LIB_VFIO_SRIOV_H

#include "vfio_test.h"

/* The BDF of @pf's VF @i into @buf (VT_BDF_LEN bytes); 0 or -errno. */
int vt_vf_bdf(const char *pf, int i, char *buf);

/*
 * Move @pf from vfio-pci to @host_driver (modprobe'd first), turn VF
 * autoprobe off and create @n VFs, whose BDFs go to @vfs.  On failure
 * call vt_host_vfs_down() all the same.
 */
int vt_host_vfs_up(const char *pf, const char *host_driver, int n,
		   char (*vfs)[VT_BDF_LEN]);

/*
 * Unbind the first @n VFs in @vfs, remove every VF of @pf, turn autoprobe
 * back on and return @pf to vfio-pci: the result of that last move.
 */
int vt_host_vfs_down(const char *pf, int n, char (*vfs)[VT_BDF_LEN]);

#endif /* SELFTESTS_VFIO_LIB_VFIO_SRIOV_H */
