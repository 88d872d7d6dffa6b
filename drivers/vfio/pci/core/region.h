/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions a variant added (region_decl.c): virtual BARs and device regions.
 * Declared before the device is registered and read-only afterwards, so the
 * access paths (region_rw.c, region_mmap.c, config_hooks.c, dmabuf.c) read
 * them without a lock.  The backing mappings live as long as the device.
 */
#ifndef __VFIO_PCI_CORE_REGION_PRIV_H
#define __VFIO_PCI_CORE_REGION_PRIV_H

#include <linux/pci.h>
#include <linux/vfio_pci_core.h>

/**
 * struct vfio_pci_core_vregion - one added region
 * @desc: the variant's declaration (the core's copy)
 * @io: kernel mapping of @desc.phys for UC and WC backing, or NULL
 * @mem: kernel mapping of @desc.phys for WB backing, or NULL
 * @index: its region index
 * @vbar_flags: VFIO_PCI_CORE_VBAR_* of a virtual BAR
 */
struct vfio_pci_core_vregion {
	struct vfio_pci_core_region desc;
	void __iomem *io;
	void *mem;
	unsigned int index;
	u32 vbar_flags;
};

/**
 * struct vfio_pci_core_regions - every region a variant added
 * @vbar: the virtual BAR at each index, or NULL
 * @vbar_regs: bitmap of the BAR registers virtual BARs own (a 64-bit one
 *	       owns two)
 * @dev: device regions, index VFIO_PCI_NUM_REGIONS + i
 * @ndev: entries in @dev
 */
struct vfio_pci_core_regions {
	struct vfio_pci_core_vregion *vbar[PCI_STD_NUM_BARS];
	u8 vbar_regs;
	struct vfio_pci_core_vregion *dev[VFIO_PCI_CORE_MAX_DEV_REGIONS];
	unsigned int ndev;
};

/* region_decl.c */
void vfio_pci_core_regions_free(struct vfio_pci_core_device *core);
/* The virtual BAR at @bar, or NULL. */
struct vfio_pci_core_vregion *
vfio_pci_core_vbar(struct vfio_pci_core_device *core, unsigned int bar);
/* Does a virtual BAR own BAR register @bar (either half)? */
bool vfio_pci_core_vbar_owns(struct vfio_pci_core_device *core,
			     unsigned int bar);
/* The added region at @index (a virtual BAR or a device region), or NULL. */
struct vfio_pci_core_vregion *
vfio_pci_core_vregion(struct vfio_pci_core_device *core, unsigned int index);
/* Does this region follow memory enable, reset and D3? */
bool vfio_pci_core_vregion_gated(const struct vfio_pci_core_vregion *vr);

/* region_rw.c */
int vfio_pci_core_vregion_info(struct vfio_pci_core_device *core,
			       struct vfio_pci_core_vregion *vr,
			       struct vfio_region_info *info,
			       struct vfio_info_cap *caps);
ssize_t vfio_pci_core_vregion_rw(struct vfio_pci_core_device *core,
				 struct vfio_pci_core_vregion *vr,
				 char __user *buf, size_t count, loff_t pos,
				 bool write);

/* region_mmap.c */
int vfio_pci_core_vregion_mmap(struct vfio_pci_core_device *core,
			       struct vfio_pci_core_vregion *vr,
			       struct vm_area_struct *vma);

#endif /* __VFIO_PCI_CORE_REGION_PRIV_H */
