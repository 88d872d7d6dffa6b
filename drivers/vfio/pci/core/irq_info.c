// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: VFIO_DEVICE_GET_IRQ_INFO, what interrupts each index offers.
 */
#include <linux/bitfield.h>
#include <linux/uaccess.h>

#include "private.h"

u32 vfio_pci_core_irq_count(struct vfio_pci_core_device *core,
			    unsigned int index)
{
	struct pci_dev *pdev = core->pdev;
	u16 flags;
	u8 pin;

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		/* The virtual pin: 0 for VFs and functions without a line. */
		pin = vfio_pci_cfg_vread(core, PCI_INTERRUPT_PIN, 1);
		return pin ? 1 : 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (!pdev->msi_cap)
			return 0;
		pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS,
				     &flags);
		return 1U << FIELD_GET(PCI_MSI_FLAGS_QMASK, flags);
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if (!pdev->msix_cap)
			return 0;
		return pci_msix_vec_count(pdev);
	default: /* ERR and REQ: one eventfd each, on every device */
		return 1;
	}
}

long vfio_pci_core_ioctl_irq_info(struct vfio_pci_core_device *core,
				  void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;

	info.flags = VFIO_IRQ_INFO_EVENTFD;
	info.count = vfio_pci_core_irq_count(core, info.index);
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index != VFIO_PCI_MSIX_IRQ_INDEX ||
		 !pci_msix_can_alloc_dyn(core->pdev))
		/* MSI-X vectors can be added while enabled where supported. */
		info.flags |= VFIO_IRQ_INFO_NORESIZE;

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}
