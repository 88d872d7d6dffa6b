// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: runtime power management and the low-power features.
 *
 * Who holds a runtime PM reference on the device:
 *  - the PCI core, from before probe; with idle_d3 (the default) the core
 *    gives it back when registration ends, so a function nobody has open is
 *    runtime-suspended (to D3hot where it has a PM capability);
 *  - the open session, from the first open to the last close, whatever
 *    idle_d3 says: low-power entry drops this one and only this one, so
 *    without idle_d3 the PCI core's reference keeps the function in D0;
 *  - the vfio core, around every device ioctl, because the driver has
 *    dev_pm_ops (vfio_pci_core_pm_ops);
 *  - read() and write(), for their duration.
 *
 * Low power (VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY*) drops the open session's
 * share with pm_runtime_put_noidle(): once the ioctl's own reference goes,
 * the device suspends although it is open.  Leaving takes it back with
 * pm_runtime_get_noresume().  While engaged, BAR mappings stay revoked and
 * faults get SIGBUS; read, write and ioctls resume the device for their
 * duration, and a resume with a wakeup eventfd armed signals it and leaves
 * low power for good.
 *
 * The engaged flag and the wakeup eventfd change only with memory_lock held
 * for write.  The runtime callbacks take memory_lock, so nothing here calls
 * a synchronous resume with memory_lock held.
 */
#include <linux/eventfd.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "private.h"

/* pci_power_t is a sparse-restricted type: compare D-states through this. */
static int vfio_pci_core_dstate(pci_power_t state)
{
	return (__force int)state;
}

void vfio_pci_core_pm_init(struct vfio_pci_core_device *core)
{
	core->priv->pm_io.idle_d3 = true;
}

void vfio_pci_core_pm_release(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_pm_io *pm = &core->priv->pm_io;

	kfree(pm->pm_save);
	pm->pm_save = NULL;
}

/* Documented in include/linux/vfio_pci_core.h. */
int vfio_pci_core_set_idle_d3(struct vfio_pci_core_device *core,
			      bool idle_d3)
{
	if (vfio_pci_core_declare_refused(core))
		return -EBUSY;
	core->priv->pm_io.idle_d3 = idle_d3;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_set_idle_d3);

/*
 * Move the function to @state.  A function that loses its config state in
 * D3hot gets it saved on the way there and restored on the way back; the
 * copy is ours, because resets consume the one in struct pci_dev.  Leaving
 * D0 needs memory_lock held for write, with the BAR mappings revoked.
 */
int vfio_pci_core_set_power_state(struct vfio_pci_core_device *core,
				  pci_power_t state)
{
	struct vfio_pci_core_pm_io *pm = &core->priv->pm_io;
	struct pci_dev *pdev = core->pdev;
	int from = vfio_pci_core_dstate(pdev->current_state);
	int to = vfio_pci_core_dstate(state);
	int d3hot = vfio_pci_core_dstate(PCI_D3hot);
	bool save = false, restore = false;
	int ret;

	if (to > vfio_pci_core_dstate(PCI_D0)) {
		lockdep_assert_held_write(&core->priv->memory_lock);
		/*
		 * VFs stop working when their PF leaves D0.  sriov_active
		 * is set under memory_lock before the VFs are created, so a
		 * PMCSR write racing sriov_configure() is refused too.
		 */
		if (core->priv->topo.sriov_active || pci_num_vf(pdev))
			return -EBUSY;
	}

	if (pm->needs_pm_restore) {
		save = from < d3hot && to >= d3hot;
		restore = from >= d3hot && state == PCI_D0;
	}
	if (save)
		pci_save_state(pdev);

	ret = pci_set_power_state(pdev, state);
	if (ret)
		return ret;

	if (save && vfio_pci_core_dstate(pdev->current_state) >= d3hot) {
		/* A D0 entry without us may have left an older copy behind. */
		kfree(pm->pm_save);
		pm->pm_save = pci_store_saved_state(pdev);
	} else if (restore && pm->pm_save) {
		pci_load_and_free_saved_state(pdev, &pm->pm_save);
		pci_restore_state(pdev);
	}
	return 0;
}

/* Caller holds memory_lock (either mode). */
bool vfio_pci_core_low_power_engaged(struct vfio_pci_core_device *core)
{
	lockdep_assert_held(&core->priv->memory_lock);
	return core->priv->pm_io.low_power;
}

/* Caller holds memory_lock for write. */
static void vfio_pci_core_low_power_leave(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_pm_io *pm = &core->priv->pm_io;

	lockdep_assert_held_write(&core->priv->memory_lock);
	if (!pm->low_power)
		return;
	pm->low_power = false;
	/* The open session's reference, dropped at entry, comes back. */
	pm_runtime_get_noresume(&core->pdev->dev);
	if (pm->wake_ctx) {
		eventfd_ctx_put(pm->wake_ctx);
		pm->wake_ctx = NULL;
	}
}

static int vfio_pci_core_low_power_engage(struct vfio_pci_core_device *core,
					  struct eventfd_ctx *wake_ctx)
{
	struct vfio_pci_core_pm_io *pm = &core->priv->pm_io;

	vfio_pci_core_memory_lock_zap(core);
	if (pm->low_power) {
		vfio_pci_core_memory_unlock(core);
		return -EINVAL;
	}
	pm->low_power = true;
	pm->wake_ctx = wake_ctx;
	/*
	 * Only the count drops here: the vfio core's reference around this
	 * ioctl is the last one, and its put lets the device suspend.
	 */
	pm_runtime_put_noidle(&core->pdev->dev);
	vfio_pci_core_memory_unlock(core);
	return 0;
}

int vfio_pci_core_feature_low_power_entry(struct vfio_pci_core_device *core,
					  u32 flags, void __user *arg,
					  size_t argsz)
{
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET, 0);
	if (ret != 1)
		return ret;
	return vfio_pci_core_low_power_engage(core, NULL);
}

int vfio_pci_core_feature_low_power_wakeup(struct vfio_pci_core_device *core,
					   u32 flags, void __user *arg,
					   size_t argsz)
{
	struct vfio_device_low_power_entry_with_wakeup req;
	struct eventfd_ctx *wake_ctx;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				 sizeof(req));
	if (ret != 1)
		return ret;
	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.wakeup_eventfd < 0)
		return -EINVAL;

	wake_ctx = eventfd_ctx_fdget(req.wakeup_eventfd);
	if (IS_ERR(wake_ctx))
		return PTR_ERR(wake_ctx);
	ret = vfio_pci_core_low_power_engage(core, wake_ctx);
	if (ret)
		eventfd_ctx_put(wake_ctx);
	return ret;
}

int vfio_pci_core_feature_low_power_exit(struct vfio_pci_core_device *core,
					 u32 flags, void __user *arg,
					 size_t argsz)
{
	struct vfio_pci_core_private *priv = core->priv;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET, 0);
	if (ret != 1)
		return ret;

	/*
	 * The vfio core resumed the device for this ioctl; with a wakeup
	 * eventfd armed that resume already left low power, and this is a
	 * no-op, as it is when low power was never engaged.
	 */
	down_write(&priv->memory_lock);
	vfio_pci_core_low_power_leave(core);
	up_write(&priv->memory_lock);
	return 0;
}

static int vfio_pci_core_runtime_suspend(struct device *dev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(dev);
	struct vfio_pci_core_private *priv = core->priv;

	/*
	 * The user may have put the function in D3hot through PMCSR.  Bring it
	 * back to D0 with its state restored, so that the PCI core saves a
	 * sane state before it picks the low-power state itself.
	 */
	down_write(&priv->memory_lock);
	vfio_pci_core_set_power_state(core, PCI_D0);
	up_write(&priv->memory_lock);

	/* An enabled INTx must not fire into a suspended session. */
	priv->pm_io.intx_masked = vfio_pci_core_intx_mask(core);
	return 0;
}

static int vfio_pci_core_runtime_resume(struct device *dev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(dev);
	struct vfio_pci_core_private *priv = core->priv;
	struct vfio_pci_core_pm_io *pm = &priv->pm_io;

	/* Any resume is the wakeup the user asked to be told about. */
	down_write(&priv->memory_lock);
	if (pm->wake_ctx) {
		eventfd_signal(pm->wake_ctx);
		vfio_pci_core_low_power_leave(core);
	}
	up_write(&priv->memory_lock);

	if (pm->intx_masked) {
		pm->intx_masked = false;
		vfio_pci_core_intx_unmask(core);
	}
	return 0;
}

const struct dev_pm_ops vfio_pci_core_pm_ops = {
	RUNTIME_PM_OPS(vfio_pci_core_runtime_suspend,
		       vfio_pci_core_runtime_resume, NULL)
};
EXPORT_SYMBOL_GPL(vfio_pci_core_pm_ops);

int vfio_pci_core_pm_register(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_private *priv = core->priv;
	struct pci_dev *pdev = core->pdev;
	struct device *dev = &pdev->dev;
	u16 pmcsr;

	/*
	 * The vfio core resumes the device around ioctls only for a driver
	 * with dev_pm_ops; the variant's pci_driver must name ours.
	 */
	if (!dev->driver || !dev->driver->pm ||
	    !dev->driver->pm->runtime_resume) {
		pci_err(pdev, "%s: pci_driver lacks .driver.pm = &vfio_pci_core_pm_ops\n",
			dev->driver ? dev->driver->name : "?");
		return -EINVAL;
	}

	if (pdev->pm_cap) {
		pci_read_config_word(pdev, pdev->pm_cap + PCI_PM_CTRL, &pmcsr);
		priv->pm_io.needs_pm_restore =
			!(pmcsr & PCI_PM_CTRL_NO_SOFT_RESET);
	}

	/*
	 * A function left by another driver may be in a state the PCI core
	 * only lets go to D0: make it D0 before allowing runtime PM.
	 */
	down_write(&priv->memory_lock);
	vfio_pci_core_set_power_state(core, PCI_D0);
	up_write(&priv->memory_lock);

	pm_runtime_allow(dev);
	/* The PCI core's reference from before probe: give it back. */
	if (priv->pm_io.idle_d3)
		pm_runtime_put(dev);
	return 0;
}

void vfio_pci_core_pm_unregister(struct vfio_pci_core_device *core)
{
	struct device *dev = &core->pdev->dev;

	/* The PCI core expects its reference back at remove. */
	if (core->priv->pm_io.idle_d3)
		pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
}

int vfio_pci_core_pm_open(struct vfio_pci_core_device *core)
{
	int ret;

	ret = pm_runtime_resume_and_get(&core->pdev->dev);
	return ret < 0 ? ret : 0;
}

/* Last close, before the device is touched: back to D0, low power off. */
void vfio_pci_core_pm_close_begin(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_private *priv = core->priv;

	down_write(&priv->memory_lock);
	vfio_pci_core_low_power_leave(core);
	up_write(&priv->memory_lock);
	/* The session's reference is back: wake the device if it slept. */
	pm_runtime_resume(&core->pdev->dev);

	down_write(&priv->memory_lock);
	vfio_pci_core_set_power_state(core, PCI_D0);
	up_write(&priv->memory_lock);
}

/* Last close, when done with the device (or a failed open). */
void vfio_pci_core_pm_close_end(struct vfio_pci_core_device *core)
{
	pm_runtime_put(&core->pdev->dev);
}

/* Around read() and write(): the vfio core does not resume for those. */
int vfio_pci_core_pm_get(struct vfio_pci_core_device *core)
{
	int ret;

	ret = pm_runtime_resume_and_get(&core->pdev->dev);
	if (ret) {
		pci_info_ratelimited(core->pdev, "runtime resume failed %d\n",
				     ret);
		return -EIO;
	}
	return 0;
}

void vfio_pci_core_pm_put(struct vfio_pci_core_device *core)
{
	pm_runtime_put(&core->pdev->dev);
}
