// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci: the generic driver.  Binds to any PCI function an admin hands it
 * (driver_override, or the ids= parameter) and serves it through
 * vfio-pci-core with no device-specific behaviour.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio_pci_core.h>

static char ids[1024];
module_param_string(ids, ids, sizeof(ids), 0444);
MODULE_PARM_DESC(ids, "PCI IDs to claim at load, comma-separated hex vendor:device[:subvendor[:subdevice[:class[:class_mask]]]]");

/*
 * Nothing device-specific: the core's default ops, probe and remove.  No
 * id_table: the driver binds only where an admin sends it.
 */
static struct vfio_pci_core_variant vfio_pci_variant = {
	.driver = {
		.name = "vfio-pci",
	},
};

/* Parse one "vendor:device[:subvendor[:subdevice[:class[:class_mask]]]]". */
static int vfio_pci_add_id(char *id)
{
	unsigned int vendor, device, subvendor = PCI_ANY_ID,
		     subdevice = PCI_ANY_ID, class = 0, class_mask = 0;
	int fields;

	fields = sscanf(id, "%x:%x:%x:%x:%x:%x", &vendor, &device,
			&subvendor, &subdevice, &class, &class_mask);
	if (fields < 2)
		return -EINVAL;
	return pci_add_dynid(&vfio_pci_variant.driver, vendor, device, subvendor,
			     subdevice, class, class_mask, 0);
}

static void vfio_pci_add_ids(void)
{
	char *p = ids, *id;
	int ret;

	while ((id = strsep(&p, ","))) {
		if (!*id)
			continue;
		ret = vfio_pci_add_id(id);
		if (ret)
			pr_warn("vfio-pci: cannot add id \"%s\": %d\n", id, ret);
		else
			pr_info("vfio-pci: added id %s\n", id);
	}
}

static int __init vfio_pci_init(void)
{
	int ret;

	ret = vfio_pci_core_variant_register(&vfio_pci_variant);
	if (ret)
		return ret;
	vfio_pci_add_ids();
	return 0;
}
module_init(vfio_pci_init);

static void __exit vfio_pci_exit(void)
{
	vfio_pci_core_variant_unregister(&vfio_pci_variant);
}
module_exit(vfio_pci_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI: generic driver handing PCI functions to userspace");
