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

/* Read at each probe: a change applies to devices bound afterwards. */
static bool disable_idle_d3;
module_param(disable_idle_d3, bool, 0644);
MODULE_PARM_DESC(disable_idle_d3, "Keep unused devices in D0 instead of letting them idle in D3");

/* As in the kernel's own vfio-pci: fixed at load, read at each probe. */
static bool disable_vga;
module_param(disable_vga, bool, 0444);
MODULE_PARM_DESC(disable_vga, "Offer no VGA region for VGA-class devices");

/*
 * Off by default, as in the kernel's own vfio-pci: VFs usually only work
 * when the PF's userspace driver manages them.
 */
static bool enable_sriov;
module_param(enable_sriov, bool, 0644);
MODULE_PARM_DESC(enable_sriov, "Allow creating SR-IOV VFs of bound PFs through sriov_numvfs (default: no)");

static int vfio_pci_setup(struct vfio_pci_core_device *core,
			  const struct pci_device_id *id)
{
	return vfio_pci_core_set_idle_d3(core, !READ_ONCE(disable_idle_d3)) ?:
	       vfio_pci_core_set_vga_disabled(core, disable_vga);
}

static int vfio_pci_sriov_configure(struct pci_dev *pdev, int nr_virtfn)
{
	if (!enable_sriov)
		return -ENOENT;
	return vfio_pci_core_sriov_configure(dev_get_drvdata(&pdev->dev),
					     nr_virtfn);
}

/*
 * Nothing device-specific: the core's default ops, probe and remove, plus
 * SR-IOV for the PFs an admin binds.  No id_table: the driver binds only
 * where an admin sends it.
 */
static struct vfio_pci_core_variant vfio_pci_variant = {
	.driver = {
		.name = "vfio-pci",
		.sriov_configure = vfio_pci_sriov_configure,
	},
	.setup = vfio_pci_setup,
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
MODULE_VERSION(VFIO_PCI_CORE_VERSION);
