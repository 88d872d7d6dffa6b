// SPDX-License-Identifier: GPL-2.0
/*
 * vf-pasid-vfio-pci: a VF's user sees its PF's PASID and PRI capabilities.
 *
 * PCIe keeps PASID and PRI on the PF; a VF shares them and shows neither,
 * and where a virtual copy could sit in a VF's config space without
 * covering registers the vendor hid there is device knowledge.  This
 * variant carries that knowledge: each entry of its device table (and of
 * the ids= parameter, vendor:device:offset) names the offset, and the core
 * (vfio_pci_core_cfg_add_vf_pasid()) does the rest.
 */
#include <linux/module.h>
#include <linux/vfio_pci_core.h>

#include "vf_pasid.h"

static char ids[1024];
module_param_string(ids, ids, sizeof(ids), 0444);
MODULE_PARM_DESC(ids, "VFs to bind at load with the offset of their virtual PASID capability, comma-separated hex vendor:device:offset");

/*
 * driver_data: the offset of the virtual PASID capability.
 *
 * No MODULE_DEVICE_TABLE: the one entry is QEMU's igbvf (the 82576 VF
 * model: its capabilities and its PF's all end below 0x1c0, and the model
 * implements nothing else in config space), which is not known to hold for
 * a real 82576 VF, whose vfio_pci: alias belongs to igbvf-vfio-pci.  The
 * entry is reached only through driver_override once an admin (or the
 * test rig) has loaded this module; real devices come with ids=.
 */
static const struct pci_device_id vf_pasid_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x10ca),
	  .driver_data = 0x200 },
	{ }
};

static int vf_pasid_setup(struct vfio_pci_core_device *core,
			  const struct pci_device_id *id)
{
	return vfio_pci_core_cfg_add_vf_pasid(core, id->driver_data);
}

static struct vfio_pci_core_variant vf_pasid_variant = {
	.driver = {
		.name = "vf-pasid-vfio-pci",
		.id_table = vf_pasid_table,
	},
	.setup = vf_pasid_setup,
};

static int __init vf_pasid_init(void)
{
	int ret = vf_pasid_ids_check(ids);

	if (ret)
		return ret;
	ret = vfio_pci_core_variant_register(&vf_pasid_variant);
	if (ret)
		return ret;
	ret = vf_pasid_ids_add(ids, &vf_pasid_variant.driver);
	if (ret)
		vfio_pci_core_variant_unregister(&vf_pasid_variant);
	return ret;
}
module_init(vf_pasid_init);

static void __exit vf_pasid_exit(void)
{
	vfio_pci_core_variant_unregister(&vf_pasid_variant);
}
module_exit(vf_pasid_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(VFIO_PCI_CORE_VERSION);
MODULE_DESCRIPTION("VFIO variant: virtual PASID and PRI capabilities for SR-IOV VFs");
