// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: SR-IOV.
 *
 * A PF bound to a vfio-pci-core driver may have VFs created through its
 * sriov_numvfs attribute.  Those VFs belong with the PF's user: each one is
 * steered to the PF's driver (driver_override, set by a PCI bus notifier
 * before any driver can probe it) and learns which core device its PF is, so
 * that opening it requires the PF's VF token (vf_token.c).
 *
 * The PF side is known to VFs through a list of the PFs whose SR-IOV was
 * enabled here.  A PF is added before pci_enable_sriov() creates the VFs and
 * removed only after pci_disable_sriov() has removed them, and removing a VF
 * unbinds it (waiting for its users to close it).  So a VF's link to its PF
 * is fixed at register and stays valid until it is unregistered, and a PF
 * with VFs in use is not torn down under them: its unregister first disables
 * SR-IOV, which waits for the VFs to go.
 */
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>

#include "private.h"

/* The PFs whose SR-IOV vfio_pci_core_sriov_configure() enabled. */
static DEFINE_MUTEX(vfio_pci_core_sriov_lock);
static LIST_HEAD(vfio_pci_core_sriov_pfs);

static struct vfio_pci_core_device *
vfio_pci_core_from_topo(struct vfio_pci_core_topology *topo)
{
	return container_of(topo, struct vfio_pci_core_private, topo)->core;
}

void vfio_pci_core_topology_init(struct vfio_pci_core_device *core)
{
	INIT_LIST_HEAD(&core->priv->topo.pf_node);
}

static int vfio_pci_core_vf_notifier(struct notifier_block *nb,
				     unsigned long action, void *data)
{
	struct vfio_pci_core_topology *topo =
		container_of(nb, struct vfio_pci_core_topology, nb);
	struct vfio_pci_core_device *pf = vfio_pci_core_from_topo(topo);
	struct pci_dev *vf = to_pci_dev(data);
	struct pci_driver *drv;
	int ret;

	if (!vf->is_virtfn || pci_physfn(vf) != pf->pdev)
		return NOTIFY_DONE;

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		/* Before any driver probes it: only the PF's driver may. */
		ret = device_set_driver_override(&vf->dev, pf->vdev.ops->name);
		if (ret)
			pci_warn(pf->pdev, "cannot reserve VF %s for %s: %d\n",
				 pci_name(vf), pf->vdev.ops->name, ret);
		else
			pci_info(pf->pdev, "VF %s reserved for %s\n",
				 pci_name(vf), pf->vdev.ops->name);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
		drv = pci_dev_driver(vf);
		if (drv && drv != pci_dev_driver(pf->pdev))
			pci_warn(pf->pdev,
				 "VF %s bound to %s, not to the PF's driver\n",
				 pci_name(vf), drv->name);
		break;
	}
	return NOTIFY_OK;
}

/* A VF: find its PF among those whose VFs we created. */
static void vfio_pci_core_vf_link(struct vfio_pci_core_device *core)
{
	struct pci_dev *physfn = pci_physfn(core->pdev);
	struct vfio_pci_core_private *cur;

	mutex_lock(&vfio_pci_core_sriov_lock);
	list_for_each_entry(cur, &vfio_pci_core_sriov_pfs, topo.pf_node) {
		if (cur->core->pdev == physfn) {
			core->priv->topo.pf = cur->core;
			break;
		}
	}
	mutex_unlock(&vfio_pci_core_sriov_lock);
}

int vfio_pci_core_sriov_register(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_topology *topo = &core->priv->topo;
	struct pci_dev *pdev = core->pdev;
	int ret;

	if (pdev->is_virtfn) {
		vfio_pci_core_vf_link(core);
		return 0;
	}
	if (!pdev->is_physfn)
		return 0;

	/*
	 * VFs that exist already were not created by us: we could neither
	 * claim them nor count their users, and some may be in use.  Tearing
	 * them down here could block on such a user, so refuse the PF.
	 */
	if (pci_num_vf(pdev)) {
		pci_warn(pdev, "SR-IOV already enabled: not binding the PF\n");
		return -EBUSY;
	}

	ret = vfio_pci_core_vf_token_alloc(core);
	if (ret)
		return ret;
	topo->nb.notifier_call = vfio_pci_core_vf_notifier;
	ret = bus_register_notifier(&pci_bus_type, &topo->nb);
	if (ret)
		vfio_pci_core_vf_token_free(core);
	return ret;
}

void vfio_pci_core_sriov_unregister(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_topology *topo = &core->priv->topo;

	if (!topo->vf_token)
		return;
	bus_unregister_notifier(&pci_bus_type, &topo->nb);
	vfio_pci_core_vf_token_free(core);
}

int vfio_pci_core_sriov_configure(struct vfio_pci_core_device *core,
				  int nr_virtfn)
{
	struct vfio_pci_core_topology *topo = &core->priv->topo;
	struct pci_dev *pdev = core->pdev;
	int ret;

	device_lock_assert(&pdev->dev);

	if (!nr_virtfn)
		goto disable;

	/*
	 * Being on the list is the right to enable: only one caller gets it,
	 * and keeps it until SR-IOV is disabled again.
	 */
	mutex_lock(&vfio_pci_core_sriov_lock);
	if (!list_empty(&topo->pf_node)) {
		mutex_unlock(&vfio_pci_core_sriov_lock);
		return -EINVAL;
	}
	list_add_tail(&topo->pf_node, &vfio_pci_core_sriov_pfs);
	mutex_unlock(&vfio_pci_core_sriov_lock);

	/*
	 * A PF must not be in a lower power state than its VFs: wake it and
	 * hold it awake while VFs exist.  The user may have put it in
	 * D3hot through PMCSR: back to D0 (with any state saved on the way
	 * down) under memory_lock, which also orders sriov_active against a
	 * racing PMCSR write or low-power entry.  The resume is done before
	 * memory_lock is taken: the runtime PM callbacks take it.
	 */
	ret = pm_runtime_resume_and_get(&pdev->dev);
	if (ret)
		goto out_del;
	down_write(&core->priv->memory_lock);
	vfio_pci_core_set_power_state(core, PCI_D0);
	topo->sriov_active = true;
	up_write(&core->priv->memory_lock);

	ret = pci_enable_sriov(pdev, nr_virtfn);
	if (ret) {
		pm_runtime_put(&pdev->dev);
		goto out_del;
	}
	return nr_virtfn;

disable:
	ret = 0;
	if (pci_num_vf(pdev)) {
		/* Removes every VF, waiting for the users of each. */
		pci_disable_sriov(pdev);
		pm_runtime_put(&pdev->dev);
	}
out_del:
	WRITE_ONCE(topo->sriov_active, false);
	mutex_lock(&vfio_pci_core_sriov_lock);
	list_del_init(&topo->pf_node);
	mutex_unlock(&vfio_pci_core_sriov_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_sriov_configure);

/*
 * The PF is being unbound from its driver: remove our VFs first.  Removing
 * a VF needs pci_rescan_remove_lock (Linux asserts it under lockdep).  When
 * the PCI core itself removes the PF (sysfs remove, hotplug, the removal of
 * a bridge above it) it already holds that lock and has cleared the PF's
 * "added" flag; taking the lock again would deadlock.  Every other unbind
 * (the driver's sysfs unbind, a driver_override change, rmmod) comes from
 * the driver core with the flag still set and without the lock, so it is
 * taken here, in the order the kernel's own sriov_numvfs store uses: the
 * PF's device lock, then pci_rescan_remove_lock.  Only on kernels that clear
 * the flag before releasing the driver (vfio_pci_core_compat.h): on 6.12 the
 * flag is still set during the PCI core's removal, so taking the lock there
 * deadlocked (sriov.*.pf_remove_with_vfs hung on the stock boot).
 */
void vfio_pci_core_sriov_remove(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	bool lock;

	if (!pdev->is_physfn || !pci_num_vf(pdev)) {
		vfio_pci_core_sriov_configure(core, 0);
		return;
	}

	lock = VFIO_PCI_CORE_PCI_CLEARS_ADDED_FIRST &&
	       !vfio_pci_core_pci_removing(pdev);
	if (lock)
		pci_lock_rescan_remove();
	vfio_pci_core_sriov_configure(core, 0);
	if (lock)
		pci_unlock_rescan_remove();
}
