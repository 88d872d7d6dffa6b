// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: memory_lock and BAR mmap revocation.
 *
 * Whether the BARs decode is decided in one place, vfio_pci_core_memory_enabled(),
 * and only ever changes with memory_lock held for write.  Userspace mappings
 * of the BARs are populated lazily by the fault handler (mmap.c), which checks
 * the predicate with memory_lock held for read.  So whoever is about to turn
 * decoding off first zaps every BAR mapping of the device and then holds the
 * lock for write until the change is done: a fault racing with it either
 * waits for the lock or sees decoding off and gets SIGBUS.
 */
#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/mm.h>

#include "private.h"

bool vfio_pci_core_memory_enabled(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	u16 cmd;

	lockdep_assert_held(&core->priv->memory_lock);

	/* In D3hot and deeper a function does not answer memory cycles. */
	if ((__force int)pdev->current_state >= (__force int)PCI_D3hot)
		return false;
	/* VFs have no memory enable bit: their BARs decode while in D0. */
	if (pdev->no_command_memory)
		return true;
	/* What userspace last wrote to COMMAND, kept in vconfig. */
	cmd = vfio_pci_cfg_vread(core, PCI_COMMAND, 2);
	return cmd & PCI_COMMAND_MEMORY;
}

/**
 * vfio_pci_core_zap_bars() - remove every userspace mapping of the BARs
 * @core: the device
 *
 * Every fd of the device shares the address_space of the device inode, so one
 * call covers all of them, and the mappings of forked children too.  Pages
 * come back through the fault handler once decoding is allowed again.
 */
void vfio_pci_core_zap_bars(struct vfio_pci_core_device *core)
{
	loff_t start = vfio_pci_core_index_to_offset(VFIO_PCI_BAR0_REGION_INDEX);

	/*
	 * To the end of the file: a variant's device regions sit past the
	 * standard ones, and those that are not gated simply fault back.
	 */
	unmap_mapping_range(core->vdev.inode->i_mapping, start, 0, true);
}

/**
 * vfio_pci_core_memory_lock_zap() - revoke BAR mappings and block new ones
 * @core: the device
 *
 * Takes memory_lock for write and then zaps, so that no fault can repopulate
 * a mapping between the zap and whatever the caller changes next.
 */
void vfio_pci_core_memory_lock_zap(struct vfio_pci_core_device *core)
{
	down_write(&core->priv->memory_lock);
	vfio_pci_core_zap_bars(core);
	vfio_pci_core_dmabuf_revoke(core);
}

/**
 * vfio_pci_core_memory_unlock() - undo vfio_pci_core_memory_lock_zap()
 * @core: the device
 */
void vfio_pci_core_memory_unlock(struct vfio_pci_core_device *core)
{
	/* Exported slices come back with decoding. */
	vfio_pci_core_dmabuf_sync(core);
	up_write(&core->priv->memory_lock);
}

u16 vfio_pci_core_memory_lock_and_enable(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	u16 cmd;

	/*
	 * Turning decoding on needs no zap: mappings were zapped when it was
	 * turned off, and faults wait on the lock until we restore it.
	 */
	down_write(&core->priv->memory_lock);
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd | PCI_COMMAND_MEMORY);
	return cmd;
}

void vfio_pci_core_memory_unlock_and_restore(struct vfio_pci_core_device *core,
					     u16 cmd)
{
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(core->pdev, PCI_COMMAND, cmd);
	up_write(&core->priv->memory_lock);
}
