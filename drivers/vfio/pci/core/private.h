/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State of a vfio-pci device that only the core sees.  Variant drivers
 * cannot include this file: it is not under include/ and nothing in
 * include/linux/vfio_pci_core.h refers to its contents.
 *
 * Region offsets: the file offset of a read, write or mmap carries the region
 * index in its top bits (above VFIO_PCI_CORE_OFFSET_SHIFT) and the offset
 * within the region below.  Userspace learns the encoding from
 * VFIO_DEVICE_GET_REGION_INFO and must not assume it.
 */
#ifndef __VFIO_PCI_CORE_PRIVATE_H
#define __VFIO_PCI_CORE_PRIVATE_H

#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/vfio_pci_core.h>

#include "config.h"

#define VFIO_PCI_CORE_OFFSET_SHIFT	40
#define VFIO_PCI_CORE_OFFSET_MASK	((1ULL << VFIO_PCI_CORE_OFFSET_SHIFT) - 1)

static inline u64 vfio_pci_core_index_to_offset(unsigned int index)
{
	return (u64)index << VFIO_PCI_CORE_OFFSET_SHIFT;
}

static inline unsigned int vfio_pci_core_offset_to_index(loff_t pos)
{
	return (u64)pos >> VFIO_PCI_CORE_OFFSET_SHIFT;
}

/**
 * struct vfio_pci_core_private - the core's own state of one device
 * @core: back pointer to the device
 * @memory_lock: taken for read around every BAR access and for write while
 *		 anything changes whether the BARs decode; never held while
 *		 touching user memory
 * @barmap: kernel mapping of each BAR, created on first access, released at
 *	    the last close; protected by @barmap_lock
 * @barmap_lock: serializes creation of @barmap entries
 * @pci_saved_state: config space saved at open, restored at the last close
 * @cfg: the virtual config space, from open to the last close
 * @cfg_lock: serializes config accesses; taken before memory_lock
 */
struct vfio_pci_core_private {
	struct vfio_pci_core_device *core;
	struct rw_semaphore memory_lock;
	void __iomem *barmap[PCI_STD_NUM_BARS];
	struct mutex barmap_lock;	/* guards barmap[] */
	struct pci_saved_state *pci_saved_state;
	struct vfio_pci_cfg_state cfg;
	struct mutex cfg_lock;		/* see @cfg_lock above */
};

static inline struct vfio_pci_core_device *
to_vfio_pci_core(struct vfio_device *vdev)
{
	return container_of(vdev, struct vfio_pci_core_device, vdev);
}

/* regions.c */
ssize_t vfio_pci_core_region_rw(struct vfio_pci_core_device *core,
				char __user *buf, size_t count, loff_t *ppos,
				bool write);
long vfio_pci_core_ioctl_region_info(struct vfio_pci_core_device *core,
				     void __user *arg);

/* config_space.c */
int vfio_pci_core_config_init(struct vfio_pci_core_device *core);
void vfio_pci_core_config_free(struct vfio_pci_core_device *core);
ssize_t vfio_pci_core_config_rw(struct vfio_pci_core_device *core,
				char __user *buf, size_t count, loff_t pos,
				bool write);
bool vfio_pci_core_memory_enabled(struct vfio_pci_core_device *core);

/* bar_rw.c */
ssize_t vfio_pci_core_bar_rw(struct vfio_pci_core_device *core,
			     unsigned int bar, char __user *buf, size_t count,
			     loff_t pos, bool write);
void vfio_pci_core_bar_unmap_all(struct vfio_pci_core_device *core);
void vfio_pci_core_zap_bars(struct vfio_pci_core_device *core);

/* irq_info.c */
long vfio_pci_core_ioctl_irq_info(struct vfio_pci_core_device *core,
				  void __user *arg);

#endif /* __VFIO_PCI_CORE_PRIVATE_H */
