// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: function reset at open, at the last close and on
 * VFIO_DEVICE_RESET.
 *
 * "Reset works" is not guessed from the list of reset methods the PCI core
 * found: it is the outcome of actually resetting the function at open, so
 * that VFIO_DEVICE_RESET is only offered when it did work on this device in
 * this topology (a bus reset, for instance, needs the function alone on its
 * bus).
 *
 * Every reset here goes through pci_try_reset_function(): it only trylocks
 * the device, because the device lock may be held by someone waiting for us
 * (unbind waits for the last close), and it saves and restores the config
 * state around the reset, so the function comes back decoding as before.
 */
#include <linux/pci.h>

#include "private.h"

int vfio_pci_core_reset_at_open(struct vfio_pci_core_device *core)
{
	int ret;

	ret = pci_try_reset_function(core->pdev);
	/* Busy, not unsupported: let the user retry the open. */
	if (ret == -EAGAIN)
		return ret;

	core->priv->reset_works = !ret;
	return 0;
}

/*
 * Returns whether the function was reset; if not, the device set owes it a
 * bus or slot reset (dev_set.c).
 */
bool vfio_pci_core_reset_at_close(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_private *priv = core->priv;
	int ret;

	if (!priv->reset_works)
		return false;

	/*
	 * No mapping can exist at the last close, but take the lock anyway so
	 * the rule "decoding changes only under memory_lock" has no exception.
	 */
	down_write(&priv->memory_lock);
	ret = pci_try_reset_function(core->pdev);
	if (ret)
		pci_dbg(core->pdev, "no reset at close: %d\n", ret);
	up_write(&priv->memory_lock);
	return !ret;
}

int vfio_pci_core_reset_function(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	int ret;

	vfio_pci_core_memory_lock_zap(core);
	/* A reset from D3hot may not take: bring the function to D0 first. */
	ret = vfio_pci_core_set_power_state(core, PCI_D0);
	if (!ret)
		ret = pci_try_reset_function(pdev);
	/* Only records the reset: see the lock rule in migration.h. */
	if (!ret)
		vfio_pci_core_mig_reset_notify(core);
	vfio_pci_core_memory_unlock(core);
	return ret;
}

long vfio_pci_core_ioctl_reset(struct vfio_pci_core_device *core,
			       void __user *arg)
{
	if (!core->priv->reset_works)
		return -EINVAL;
	return vfio_pci_core_reset_function(core);
}
