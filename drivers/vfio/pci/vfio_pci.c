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
 * Off by default, as in the kernel's own vfio-pci: VFs usually only work
 * when the PF's userspace driver manages them.
 */
static bool enable_sriov;
module_param(enable_sriov, bool, 0644);
MODULE_PARM_DESC(enable_sriov, "Allow creating SR-IOV VFs of bound PFs through sriov_numvfs (default: no)");

static const struct vfio_device_ops vfio_pci_ops = {
	.name		= "vfio-pci",
	.init		= vfio_pci_core_init_dev,
	.release	= vfio_pci_core_release_dev,
	.open_device	= vfio_pci_core_open_device,
	.close_device	= vfio_pci_core_close_device,
	.ioctl		= vfio_pci_core_ioctl,
	.device_feature	= vfio_pci_core_device_feature,
	VFIO_PCI_CORE_REGION_INFO_OP
	.read		= vfio_pci_core_read,
	.write		= vfio_pci_core_write,
	.mmap		= vfio_pci_core_mmap,
	.match		= vfio_pci_core_match,
	VFIO_PCI_CORE_MATCH_TOKEN_OP
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
};

static int vfio_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vfio_pci_core_device *core;
	int ret;

	core = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev,
				 &vfio_pci_ops);
	if (IS_ERR(core))
		return PTR_ERR(core);

	dev_set_drvdata(&pdev->dev, core);
	ret = vfio_pci_core_register_device(core);
	if (ret)
		goto out_put;
	return 0;

out_put:
	vfio_put_device(&core->vdev);
	return ret;
}

static void vfio_pci_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(core);
	vfio_put_device(&core->vdev);
}

static int vfio_pci_sriov_configure(struct pci_dev *pdev, int nr_virtfn)
{
	if (!enable_sriov)
		return -ENOENT;
	return vfio_pci_core_sriov_configure(dev_get_drvdata(&pdev->dev),
					     nr_virtfn);
}

static struct pci_driver vfio_pci_driver = {
	.name			= "vfio-pci",
	.id_table		= NULL,	/* bound only by an admin's choice */
	.probe			= vfio_pci_probe,
	.remove			= vfio_pci_remove,
	.sriov_configure	= vfio_pci_sriov_configure,
	.driver_managed_dma	= true,
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
	return pci_add_dynid(&vfio_pci_driver, vendor, device, subvendor,
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

	ret = pci_register_driver(&vfio_pci_driver);
	if (ret)
		return ret;
	vfio_pci_add_ids();
	return 0;
}
module_init(vfio_pci_init);

static void __exit vfio_pci_exit(void)
{
	pci_unregister_driver(&vfio_pci_driver);
}
module_exit(vfio_pci_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI: generic driver handing PCI functions to userspace");
