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
	 * Without memory_lock, the one exception to "decoding changes only
	 * under memory_lock": at the last close nothing can reach the BARs
	 * (no mapping, since each holds the device file; no read, write or
	 * ioeventfd; the runtime PM callbacks wait for the session reference
	 * dropped after this), and what else resets the device is serialized
	 * with us by the device set's lock.  Holding memory_lock across a
	 * reset that may be a slot reset would order it before pciehp's
	 * reset_lock, and memory_lock is taken under pci_rescan_remove_lock
	 * (SR-IOV enable, a function's probe and its runtime resume at
	 * removal), which pciehp takes under its reset_lock.
	 */
	lockdep_assert_not_held(&priv->memory_lock);
	ret = pci_try_reset_function(core->pdev);
	if (ret)
		pci_dbg(core->pdev, "no reset at close: %d\n", ret);
	return !ret;
}

/*
 * Every reset of an open function ends here, once: the core's own (function
 * reset, hot reset of the set) call it after the reset with memory_lock
 * held for write; the others (AER recovery, a reset through sysfs, the
 * resets at open and at the last close) through the reset_done error
 * handler below.
 */
void vfio_pci_core_reset_notify(struct vfio_pci_core_device *core)
{
	const struct vfio_pci_core_variant *variant = core->priv->traps.variant;

	/* Only records the reset: see the lock rule in migration.h. */
	vfio_pci_core_mig_reset_notify(core);
	if (variant && variant->reset_done)
		variant->reset_done(core);
}

/*
 * The core's own resets run with memory_lock held for write and notify
 * after the reset themselves; the PCI core calls reset_done in the middle
 * of them.  Set by the resetting task for each device it resets.
 */
void vfio_pci_core_reset_begin(struct vfio_pci_core_device *core)
{
	lockdep_assert_held_write(&core->priv->memory_lock);
	WRITE_ONCE(core->priv->reset_task, current);
}

void vfio_pci_core_reset_end(struct vfio_pci_core_device *core, int ret)
{
	lockdep_assert_held_write(&core->priv->memory_lock);
	WRITE_ONCE(core->priv->reset_task, NULL);
	if (!ret)
		vfio_pci_core_reset_notify(core);
}

void vfio_pci_core_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	if (!core || !core->priv)
		return;
	/* A reset of the core's own: it notifies once the reset is over. */
	if (READ_ONCE(core->priv->reset_task) == current)
		return;
	vfio_pci_core_reset_notify(core);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_reset_done);

int vfio_pci_core_reset_function(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	int ret;

	/* Revokes mappings and DMA_BUF exports; unlock gives them back. */
	vfio_pci_core_memory_lock_zap(core);
	/* A reset from D3hot may not take: bring the function to D0 first. */
	ret = vfio_pci_core_set_power_state(core, PCI_D0);
	vfio_pci_core_reset_begin(core);
	if (!ret)
		ret = pci_try_reset_function(pdev);
	vfio_pci_core_reset_end(core, ret);
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
