// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: functions whose INTx is not offered to users.
 *
 * Some NICs honour COMMAND.INTX_DISABLE but never set STATUS.INTERRUPT, so
 * a shared-line handler can never claim their interrupt: once the user
 * unmasks it, the line fires until the kernel shuts it off, and every
 * other device on that line with it.  For those the user sees no pin (the
 * virtual INTERRUPT_PIN reads 0, the INTx index has no interrupt) and the
 * device keeps INTX_DISABLE set for the whole session.  MSI and MSI-X are
 * unaffected.
 */
#include <linux/pci.h>

#include "private.h"

static const struct pci_device_id vfio_pci_nointx_ids[] = {
	/* Intel 700 series (i40e: X710, XL710, XXV710, X722) */
	{ PCI_VDEVICE(INTEL, 0x1572) },
	{ PCI_VDEVICE(INTEL, 0x1574) },
	{ PCI_VDEVICE(INTEL, 0x1580) },
	{ PCI_VDEVICE(INTEL, 0x1581) },
	{ PCI_VDEVICE(INTEL, 0x1583) },
	{ PCI_VDEVICE(INTEL, 0x1584) },
	{ PCI_VDEVICE(INTEL, 0x1585) },
	{ PCI_VDEVICE(INTEL, 0x1586) },
	{ PCI_VDEVICE(INTEL, 0x1587) },
	{ PCI_VDEVICE(INTEL, 0x1588) },
	{ PCI_VDEVICE(INTEL, 0x1589) },
	{ PCI_VDEVICE(INTEL, 0x158a) },
	{ PCI_VDEVICE(INTEL, 0x158b) },
	{ PCI_VDEVICE(INTEL, 0x37d0) },
	{ PCI_VDEVICE(INTEL, 0x37d1) },
	{ PCI_VDEVICE(INTEL, 0x37d2) },
	/* Intel X550 (ixgbe) */
	{ PCI_VDEVICE(INTEL, 0x1563) },
	{ }
};

/* At init: the quirk table's verdict, which a variant may still add to. */
void vfio_pci_core_intx_quirk(struct vfio_pci_core_device *core)
{
	core->priv->irq.nointx = !!pci_match_id(vfio_pci_nointx_ids,
						core->pdev);
}

/**
 * vfio_pci_core_set_nointx() - never offer the function's INTx to users
 * @core: the device, initialized but not yet registered
 */
void vfio_pci_core_set_nointx(struct vfio_pci_core_device *core)
{
	core->priv->irq.nointx = true;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_set_nointx);
