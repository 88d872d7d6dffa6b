// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the device fd's ioctl dispatch.  One row per command; each
 * handler validates its own argument structure and answers with the errno the
 * uAPI documents.
 */
#include <linux/uaccess.h>

#include "private.h"

typedef long (*vfio_pci_core_ioctl_fn)(struct vfio_pci_core_device *core,
				       void __user *arg);

static long vfio_pci_core_ioctl_get_info(struct vfio_pci_core_device *core,
					 void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = VFIO_DEVICE_FLAGS_PCI;
	if (core->priv->reset_works)
		info.flags |= VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS + core->priv->regions.ndev;
	info.num_irqs = VFIO_PCI_NUM_IRQS;

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static const struct {
	unsigned int cmd;
	vfio_pci_core_ioctl_fn fn;
} vfio_pci_core_ioctls[] = {
	{ VFIO_DEVICE_GET_INFO, vfio_pci_core_ioctl_get_info },
#if !VFIO_PCI_COMPAT_CORE_REGION_INFO
	{ VFIO_DEVICE_GET_REGION_INFO, vfio_pci_core_ioctl_region_info },
#endif
	{ VFIO_DEVICE_GET_IRQ_INFO, vfio_pci_core_ioctl_irq_info },
	{ VFIO_DEVICE_SET_IRQS, vfio_pci_core_ioctl_set_irqs },
	{ VFIO_DEVICE_RESET, vfio_pci_core_ioctl_reset },
	{ VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, vfio_pci_core_ioctl_hot_reset_info },
	{ VFIO_DEVICE_PCI_HOT_RESET, vfio_pci_core_ioctl_hot_reset },
	{ VFIO_DEVICE_IOEVENTFD, vfio_pci_core_ioctl_ioeventfd },
};

long vfio_pci_core_ioctl(struct vfio_device *vdev, unsigned int cmd,
			 unsigned long arg)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vfio_pci_core_ioctls); i++) {
		if (vfio_pci_core_ioctls[i].cmd == cmd)
			return vfio_pci_core_ioctls[i].fn(core,
							  (void __user *)arg);
	}
	return -ENOTTY;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_ioctl);
