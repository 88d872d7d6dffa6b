// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: device access for a driver's own callbacks (migration,
 * traps): the BAR mappings the core keeps, and the memory lock around them.
 */
#include "private.h"

u16 vfio_pci_core_mmio_begin(struct vfio_pci_core_device *core)
{
	/* From a callback under memory_lock this would deadlock. */
	lockdep_assert_not_held(&core->priv->memory_lock);
	return vfio_pci_core_memory_lock_and_enable(core);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_mmio_begin);

void vfio_pci_core_mmio_end(struct vfio_pci_core_device *core, u16 cmd)
{
	vfio_pci_core_memory_unlock_and_restore(core, cmd);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_mmio_end);

void __iomem *vfio_pci_core_iomap(struct vfio_pci_core_device *core,
				  unsigned int bar)
{
	if (bar >= PCI_STD_NUM_BARS ||
	    !(pci_resource_flags(core->pdev, bar) & IORESOURCE_MEM))
		return IOMEM_ERR_PTR(-EINVAL);
	return vfio_pci_core_bar_map(core, bar);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_iomap);

void __iomem *vfio_pci_core_mmio_begin_bar(struct vfio_pci_core_device *core,
					   unsigned int bar, u16 *cmd)
{
	void __iomem *io = vfio_pci_core_iomap(core, bar);

	if (!IS_ERR(io))
		*cmd = vfio_pci_core_mmio_begin(core);
	return io;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_mmio_begin_bar);
