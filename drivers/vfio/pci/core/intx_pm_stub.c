// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: INTx masking around runtime suspend, for a core without
 * INTx support.  No INTx can be enabled, so there is never anything to mask.
 * The INTx code provides the real functions and takes this file's place in
 * Kbuild.
 */
#include "private.h"

bool vfio_pci_core_intx_pm_mask(struct vfio_pci_core_device *core)
{
	return false;
}

void vfio_pci_core_intx_pm_unmask(struct vfio_pci_core_device *core)
{
}
