// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: starting a variant.  The default device ops a variant
 * builds on, the PCI probe and remove every variant shares, and the
 * lifetime of what a variant declares at probe.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "private.h"

/* One line per member the core serves. */
void vfio_pci_core_default_ops(struct vfio_device_ops *ops)
{
	if (!ops->init)
		ops->init = vfio_pci_core_init_dev;
	if (!ops->release)
		ops->release = vfio_pci_core_release_dev;
	if (!ops->open_device)
		ops->open_device = vfio_pci_core_open_device;
	if (!ops->close_device)
		ops->close_device = vfio_pci_core_close_device;
	if (!ops->ioctl)
		ops->ioctl = vfio_pci_core_ioctl;
	if (!ops->device_feature)
		ops->device_feature = vfio_pci_core_device_feature;
#if VFIO_PCI_COMPAT_CORE_REGION_INFO
	if (!ops->get_region_info_caps)
		ops->get_region_info_caps = vfio_pci_core_get_region_info_caps;
#endif
	if (!ops->read)
		ops->read = vfio_pci_core_read;
	if (!ops->write)
		ops->write = vfio_pci_core_write;
	if (!ops->mmap)
		ops->mmap = vfio_pci_core_mmap;
	if (!ops->match)
		ops->match = vfio_pci_core_match;
#if VFIO_PCI_COMPAT_MATCH_TOKEN_UUID_OP
	if (!ops->match_token_uuid)
		ops->match_token_uuid = vfio_pci_core_match_token_uuid;
#endif
	if (!ops->request)
		ops->request = vfio_pci_core_request;
	/* NULL on a kernel without iommufd: the group path only. */
	if (!ops->bind_iommufd)
		ops->bind_iommufd = vfio_iommufd_physical_bind;
	if (!ops->unbind_iommufd)
		ops->unbind_iommufd = vfio_iommufd_physical_unbind;
	/* The physical helpers, remembering the IOAS for iova_rw.c. */
	if (!ops->attach_ioas)
		ops->attach_ioas = vfio_pci_core_attach_ioas;
	if (!ops->detach_ioas)
		ops->detach_ioas = vfio_pci_core_detach_ioas;
#if VFIO_PCI_COMPAT_PASID_OPS
	/* PASIDs of the device: attach, replace, detach (all at unbind). */
	if (!ops->pasid_attach_ioas)
		ops->pasid_attach_ioas = vfio_iommufd_physical_pasid_attach_ioas;
	if (!ops->pasid_detach_ioas)
		ops->pasid_detach_ioas = vfio_iommufd_physical_pasid_detach_ioas;
#endif
}
EXPORT_SYMBOL_GPL(vfio_pci_core_default_ops);

int vfio_pci_core_variant_probe(const struct vfio_pci_core_variant *variant,
				struct pci_dev *pdev,
				const struct pci_device_id *id)
{
	size_t size = variant->dev_size ?: sizeof(struct vfio_pci_core_device);
	struct vfio_pci_core_device *core;
	struct vfio_device *vdev;
	int ret;

	if (size < sizeof(*core))
		return -EINVAL;

	vdev = _vfio_alloc_device(size, &pdev->dev, &variant->ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	core = container_of(vdev, struct vfio_pci_core_device, vdev);
	/* A variant's own init op must have called vfio_pci_core_init_dev(). */
	if (WARN_ON(!core->priv || core->pdev != pdev)) {
		ret = -EINVAL;
		goto out_put;
	}
	core->priv->traps.variant = variant;
	dev_set_drvdata(&pdev->dev, core);

	if (variant->setup) {
		ret = variant->setup(core, id);
		if (ret)
			goto out_clear;
	}

	ret = vfio_pci_core_register_device(core);
	if (ret)
		goto out_teardown;
	return 0;

out_teardown:
	if (variant->teardown)
		variant->teardown(core);
out_clear:
	dev_set_drvdata(&pdev->dev, NULL);
out_put:
	vfio_put_device(vdev);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_variant_probe);

/*
 * The probe's reference, when the PCI core removed the function.  The
 * last vfio_put_device() runs the vfio core's release of the device set,
 * which takes the set's lock.  The PCI core removes a function holding
 * pci_rescan_remove_lock, which pciehp takes under its slot's reset_lock
 * (pciehp_ist()), and the set's lock is held across a slot reset (at open),
 * which takes that reset_lock: dropping the reference there closes a
 * cycle, so it is dropped here, with no lock held.
 */
static struct workqueue_struct *vfio_pci_core_put_wq;

static void vfio_pci_core_put_work(struct work_struct *work)
{
	struct vfio_pci_core_private *priv =
		container_of(work, struct vfio_pci_core_private, put_work);

	/* Frees priv, and the work item with it: touch nothing after. */
	vfio_put_device(&priv->core->vdev);
}

void vfio_pci_core_put_work_init(struct vfio_pci_core_device *core)
{
	INIT_WORK(&core->priv->put_work, vfio_pci_core_put_work);
}

int vfio_pci_core_put_wq_create(void)
{
	vfio_pci_core_put_wq = alloc_workqueue("vfio-pci-core-put",
					       WQ_UNBOUND, 0);
	return vfio_pci_core_put_wq ? 0 : -ENOMEM;
}

void vfio_pci_core_put_wq_destroy(void)
{
	destroy_workqueue(vfio_pci_core_put_wq);
}

void vfio_pci_core_variant_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);
	const struct vfio_pci_core_variant *variant = core->priv->traps.variant;

	vfio_pci_core_unregister_device(core);
	if (variant && variant->teardown)
		variant->teardown(core);
	if (vfio_pci_core_pci_removing(pdev))
		queue_work(vfio_pci_core_put_wq, &core->priv->put_work);
	else
		vfio_put_device(&core->vdev);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_variant_remove);

/* A new user: forget what the last one left in the variant's structure. */
void vfio_pci_core_variant_open(struct vfio_pci_core_device *core)
{
	const struct vfio_pci_core_variant *variant = core->priv->traps.variant;

	if (variant && variant->open_state)
		memset((u8 *)core + variant->open_state, 0,
		       variant->dev_size - variant->open_state);
}

/* The default pci_driver probe: the variant is found from the driver. */
static int vfio_pci_core_variant_pci_probe(struct pci_dev *pdev,
					   const struct pci_device_id *id)
{
	const struct pci_driver *drv = to_pci_driver(pdev->dev.driver);
	const struct vfio_pci_core_variant *variant =
		container_of(drv, struct vfio_pci_core_variant, driver);

	return vfio_pci_core_variant_probe(variant, pdev, id);
}

int __vfio_pci_core_variant_register(struct vfio_pci_core_variant *variant,
				     struct module *owner,
				     const char *mod_name)
{
	struct pci_driver *drv = &variant->driver;

	if (variant->dev_size &&
	    variant->dev_size < sizeof(struct vfio_pci_core_device))
		return -EINVAL;
	if (variant->open_state &&
	    (variant->open_state < sizeof(struct vfio_pci_core_device) ||
	     variant->open_state >= variant->dev_size))
		return -EINVAL;

	if (!variant->ops.name)
		variant->ops.name = (char *)drv->name;
	vfio_pci_core_default_ops(&variant->ops);

	if (!drv->probe)
		drv->probe = vfio_pci_core_variant_pci_probe;
	if (!drv->remove)
		drv->remove = vfio_pci_core_variant_remove;
	if (!drv->err_handler)
		drv->err_handler = &vfio_pci_core_err_handlers;
	/* Runtime PM of bound functions is the core's (power.c). */
	if (!drv->driver.pm)
		drv->driver.pm = &vfio_pci_core_pm_ops;
	/* Userspace owns the DMA of every function a vfio driver binds. */
	drv->driver_managed_dma = true;

	return __pci_register_driver(drv, owner, mod_name);
}
EXPORT_SYMBOL_GPL(__vfio_pci_core_variant_register);

void vfio_pci_core_variant_unregister(struct vfio_pci_core_variant *variant)
{
	pci_unregister_driver(&variant->driver);
	/* A release op deferred by the remove may be the variant's code. */
	flush_workqueue(vfio_pci_core_put_wq);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_variant_unregister);

void vfio_pci_core_traps_free(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_traps *traps = &core->priv->traps;
	unsigned int i;

	for (i = 0; i < traps->nvcaps; i++)
		kfree(traps->vcaps[i].cap.data);
	kfree(traps->vcaps);
	kfree(traps->regs);
	kfree(traps->hidden);
	kfree(traps->bar_traps);
	memset(traps, 0, sizeof(*traps));
}
