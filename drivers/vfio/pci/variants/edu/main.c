// SPDX-License-Identifier: GPL-2.0
/*
 * edu-vfio-pci: the driver's wiring.  See edu.h for what migrates and how.
 */
#include <linux/module.h>

#include "edu.h"

static const struct vfio_pci_core_bar_trap edu_traps[] = {
	{ .bar = 0, .offset = 0, .size = EDU_DMA_CMD + 8,	/* all registers */
	  .write = edu_trap_write },
};

static int edu_setup(struct vfio_pci_core_device *core,
		     const struct pci_device_id *id)
{
	struct edu_device *edu = to_edu(core);
	int ret;

	mutex_init(&edu->lock);
	vfio_pci_core_dirty_init(core);
	vfio_pci_core_iova_init(core);
	ret = vfio_pci_dma_shadow_init(core, EDU_BUF_ADDR, EDU_BUF_SIZE,
				       &edu_shadow_ops);
	ret = ret ?: vfio_pci_core_bar_add_traps(core, edu_traps,
						 ARRAY_SIZE(edu_traps));
	return ret ?: edu_mig_init(core);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x1234, 0x11e8) },
	{}
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct vfio_pci_core_variant edu_variant = {
	.driver = {
		.name		= "edu-vfio-pci",
		.id_table	= edu_ids,
	},
	.dev_size	= VFIO_PCI_CORE_VARIANT_SIZE(struct edu_device, core),
	.setup		= edu_setup,
};
module_vfio_pci_core_variant(edu_variant);

MODULE_VERSION(VFIO_PCI_CORE_VERSION);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant for QEMU's edu device, with live migration");
