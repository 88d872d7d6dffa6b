// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: device lifetime.  Allocation of the private state,
 * registration with the vfio core, first open and last close.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "private.h"

int vfio_pci_core_init_dev(struct vfio_device *vdev)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	struct vfio_pci_core_private *priv;
	int ret;

	ret = vfio_pci_core_dmabuf_init(to_pci_dev(vdev->dev));
	if (ret)
		return ret;
	priv = kzalloc_obj(*priv, GFP_KERNEL);
	if (!priv)
		return -ENOMEM;

	priv->core = core;
	init_rwsem(&priv->memory_lock);
	mutex_init(&priv->barmap_lock);
	mutex_init(&priv->cfg_lock);
	mutex_init(&priv->iova_lock);
	INIT_LIST_HEAD(&priv->dmabufs);
	core->pdev = to_pci_dev(vdev->dev);
	core->priv = priv;
	vfio_pci_core_put_work_init(core);
	vfio_pci_core_irq_init(core);
	vfio_pci_core_intx_quirk(core);
	vfio_pci_core_topology_init(core);
	vfio_pci_core_ioeventfd_init(core);
	vfio_pci_core_pm_init(core);
	vfio_pci_core_mig_setup(core);
	vfio_pci_core_dirty_setup(core);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_init_dev);

void vfio_pci_core_release_dev(struct vfio_device *vdev)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	struct vfio_pci_core_private *priv = core->priv;

	vfio_pci_core_irq_destroy(core);
	vfio_pci_core_pm_release(core);
	vfio_pci_core_ioeventfd_destroy(core);
	vfio_pci_core_traps_free(core);
	vfio_pci_core_regions_free(core);
	mutex_destroy(&priv->iova_lock);
	mutex_destroy(&priv->cfg_lock);
	mutex_destroy(&priv->barmap_lock);
	kfree(priv);
	core->priv = NULL;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_release_dev);

int vfio_pci_core_register_device(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	int ret;

	/* The variant's probe must publish the device before registering. */
	if (WARN_ON(dev_get_drvdata(&pdev->dev) != core))
		return -EINVAL;

	/* Bridges and other header types are not ours to hand out. */
	if (pdev->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return -EINVAL;

	/* VFs are steered to the PF's driver by its name. */
	if (WARN_ON(!core->vdev.ops->name))
		return -EINVAL;

	/* Migration set up through the core needs the variant's ops. */
	ret = vfio_pci_core_mig_check(core);
	if (ret)
		return ret;

	ret = vfio_pci_core_dev_set_assign(core);
	if (ret)
		return ret;

	ret = vfio_pci_core_vga_register(core);
	if (ret)
		return ret;

	ret = vfio_pci_core_sriov_register(core);
	if (ret)
		goto out_vga;

	ret = vfio_pci_core_pm_register(core);
	if (ret)
		goto out_sriov;

	/* What a variant declared is fixed from here on (trap.h). */
	core->priv->traps.frozen = true;

	ret = vfio_register_group_dev(&core->vdev);
	if (ret)
		goto out_pm;
	return 0;

out_pm:
	vfio_pci_core_pm_unregister(core);
out_sriov:
	vfio_pci_core_sriov_unregister(core);
out_vga:
	vfio_pci_core_vga_unregister(core);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_register_device);

void vfio_pci_core_unregister_device(struct vfio_pci_core_device *core)
{
	/* Our VFs go first: this waits until their users have closed them. */
	vfio_pci_core_sriov_remove(core);
	vfio_unregister_group_dev(&core->vdev);
	vfio_pci_core_pm_unregister(core);
	vfio_pci_core_sriov_unregister(core);
	vfio_pci_core_vga_unregister(core);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_unregister_device);

int vfio_pci_core_open_device(struct vfio_device *vdev)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	struct vfio_pci_core_private *priv = core->priv;
	struct pci_dev *pdev = core->pdev;
	int ret;

	/* Before anything of the new user's can reach the variant. */
	vfio_pci_core_variant_open(core);
	vfio_pci_dma_shadow_open(core);
	vfio_pci_replay_open(core);

	/* An idle device is runtime-suspended: wake it for the session. */
	ret = vfio_pci_core_pm_open(core);
	if (ret)
		return ret;

	/* Remember the state the host left the function in. */
	pci_save_state(pdev);
	priv->pci_saved_state = pci_store_saved_state(pdev);
	if (!priv->pci_saved_state)
		pci_dbg(pdev, "could not save config state\n");

	/* No DMA until the user turns bus mastering on. */
	pci_clear_master(pdev);
	ret = pci_enable_device(pdev);
	if (ret)
		goto out_free_state;

	/* Start the user from a clean function, and learn if reset works. */
	ret = vfio_pci_core_reset_at_open(core);
	if (ret)
		goto out_disable;

	/* Before config init, which reads COMMAND as the IRQ code left it. */
	vfio_pci_core_irq_open(core);
	ret = vfio_pci_core_config_init(core);
	if (ret)
		goto out_disable;

	vfio_pci_core_irq_sync_msi_flags(core);
	vfio_pci_core_mmap_probe(core);
	vfio_pci_core_vf_token_open(core);
	vfio_pci_core_mig_open(core);
	return 0;

out_disable:
	pci_disable_device(pdev);
out_free_state:
	kfree(priv->pci_saved_state);
	priv->pci_saved_state = NULL;
	vfio_pci_core_pm_close_end(core);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_open_device);

void vfio_pci_core_close_device(struct vfio_device *vdev)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	struct vfio_pci_core_private *priv = core->priv;
	struct pci_dev *pdev = core->pdev;

	/* Out of low power and in D0 before anything touches the device. */
	vfio_pci_core_pm_close_begin(core);
	/* Migration sessions and dirty tracking end with the user. */
	vfio_pci_core_mig_close(core);
	vfio_pci_core_dirty_close(core);
	vfio_pci_core_iova_close(core);
	/* Exported BAR slices end with the user too. */
	vfio_pci_core_dmabuf_cleanup(core);
	/* No interrupt or notification may outlive the user. */
	vfio_pci_core_irq_close(core);
	vfio_pci_core_vf_token_close(core);
	/* Before the BARs are unmapped: ioeventfds write through them. */
	vfio_pci_core_ioeventfd_release_all(core);
	vfio_pci_core_zap_bars(core);
	vfio_pci_core_bar_unmap_all(core);
	vfio_pci_core_mmap_release(core);
	mutex_lock(&priv->cfg_lock);
	vfio_pci_core_config_free(core);
	mutex_unlock(&priv->cfg_lock);
	pci_clear_master(pdev);
	/* Leave nothing of the user's device state behind for the host. */
	priv->topo.needs_reset = !vfio_pci_core_reset_at_close(core);
	pci_disable_device(pdev);

	if (priv->pci_saved_state) {
		pci_load_and_free_saved_state(pdev, &priv->pci_saved_state);
		pci_restore_state(pdev);
	}

	/* No function reset: a slot or bus reset, if the set allows one. */
	vfio_pci_core_dev_set_try_reset(vdev->dev_set);
	/* Nobody has it open: let it idle in low power again. */
	vfio_pci_core_pm_close_end(core);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_close_device);

/* Which vfio-pci-core is running: ours says so, with the tree's version. */
static int __init vfio_pci_core_init(void)
{
	int ret;

	ret = vfio_pci_core_put_wq_create();
	if (ret)
		return ret;
	pr_info("vfio-pci-core %s (out of tree) loaded\n", VFIO_PCI_CORE_VERSION);
	return 0;
}
module_init(vfio_pci_core_init);

/*
 * The ERR and REQ eventfds are freed from RCU callbacks in this module
 * (err_req.c): let the last of them run before the module text goes.
 */
static void __exit vfio_pci_core_exit(void)
{
	vfio_pci_core_put_wq_destroy();
	rcu_barrier();
}
module_exit(vfio_pci_core_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI core library: PCI functions for userspace drivers");
MODULE_VERSION(VFIO_PCI_CORE_VERSION);
