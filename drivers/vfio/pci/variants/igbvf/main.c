// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: the driver's wiring.  See igbvf.h for what migrates and
 * how, and README.md for what the tests show and the limits.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "igbvf.h"

static int igbvf_open_device(struct vfio_device *vdev)
{
	struct igbvf_device *vf = to_igbvf(container_of(vdev,
				struct vfio_pci_core_device, vdev));
	unsigned int q;
	int ret;

	ret = vfio_pci_core_open_device(vdev);
	if (ret)
		return ret;
	/* Nothing the last user posted is reported to this one. */
	guard(mutex)(&vf->lock);
	for (q = 0; q < IGBVF_NQ; q++)
		memset(vf->posted[q], 0,
		       IGBVF_RING_MAX * sizeof(*vf->posted[q]));
	return 0;
}

/* Any reset of the VF makes its PF forget what it negotiated. */
static void igbvf_reset_done(struct vfio_pci_core_device *core)
{
	WRITE_ONCE(to_igbvf(core)->pf_forgot, true);
}

/*
 * The VF leaves (its PF disabled SR-IOV, or an unbind) while its user may
 * hold it: a migration session ends now with -ENODEV, rather than once
 * the removal, which waits for the user's close, is over.
 */
static void igbvf_remove(struct pci_dev *pdev)
{
	vfio_pci_core_mig_abort(dev_get_drvdata(&pdev->dev), -ENODEV);
	vfio_pci_core_variant_remove(pdev);
}

static void igbvf_teardown(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);
	unsigned int q;

	for (q = 0; q < IGBVF_NQ; q++)
		kvfree(vf->posted[q]);
}

static int igbvf_setup(struct vfio_pci_core_device *core,
		       const struct pci_device_id *id)
{
	struct igbvf_device *vf = to_igbvf(core);
	unsigned int q;
	int ret;

	mutex_init(&vf->lock);
	for (q = 0; q < IGBVF_NQ; q++) {
		vf->posted[q] = kvcalloc(IGBVF_RING_MAX, sizeof(*vf->posted[q]),
					 GFP_KERNEL);
		if (!vf->posted[q]) {
			igbvf_teardown(core);
			return -ENOMEM;
		}
	}
	vfio_pci_core_dirty_init(core);
	vfio_pci_core_iova_init(core);
	ret = vfio_pci_core_bar_add_traps(core, &igbvf_queue_trap, 1) ?:
	      vfio_pci_core_bar_add_traps(core, igbvf_mbx_traps,
					  ARRAY_SIZE(igbvf_mbx_traps)) ?:
	      igbvf_mig_init(core);
	if (ret)
		igbvf_teardown(core);
	return ret;
}

static const struct pci_device_id igbvf_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x10ca) },
	{}
};
MODULE_DEVICE_TABLE(pci, igbvf_ids);

static struct vfio_pci_core_variant igbvf_variant = {
	.driver = {
		.name		= "igbvf-vfio-pci",
		.id_table	= igbvf_ids,
		.remove		= igbvf_remove,
	},
	.ops		= { .open_device = igbvf_open_device },
	.dev_size	= VFIO_PCI_CORE_VARIANT_SIZE(struct igbvf_device, core),
	.open_state	= offsetof(struct igbvf_device, reg),
	.setup		= igbvf_setup,
	.teardown	= igbvf_teardown,
	.reset_done	= igbvf_reset_done,
};
module_vfio_pci_core_variant(igbvf_variant);

MODULE_VERSION(VFIO_PCI_CORE_VERSION);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant for Intel 82576 VFs, with live migration");
