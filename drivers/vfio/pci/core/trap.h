/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The variant framework's per-device state: what the variant declared at
 * probe (config registers, virtual and hidden capabilities, BAR traps).
 * Written only before the device is registered, read-only afterwards, so
 * the access paths read it without a lock.
 */
#ifndef __VFIO_PCI_CORE_TRAP_H
#define __VFIO_PCI_CORE_TRAP_H

#include <linux/types.h>
#include <linux/vfio_pci_core.h>

#define VFIO_PCI_CFG_MAX_VCAPS	16

/**
 * struct vfio_pci_cfg_vcap - a virtual capability declared by the variant
 * @cap: the declaration, @cap.data pointing at the core's own copy
 * @replace: it replaces the device's capability @cap.id
 */
struct vfio_pci_cfg_vcap {
	struct vfio_pci_core_cfg_cap cap;
	bool replace;
};

/**
 * struct vfio_pci_cfg_hidden - a capability ID the variant hides
 * @id: the ID
 * @extended: an extended capability ID
 */
struct vfio_pci_cfg_hidden {
	u16 id;
	bool extended;
};

/**
 * struct vfio_pci_core_traps - everything a variant declared
 * @variant: the variant that probed the device, NULL for a device probed
 *	     without vfio_pci_core_variant_probe()
 * @frozen: the device is registered: nothing more may be declared
 * @regs: virtual config registers
 * @nregs: entries in @regs
 * @vcaps: virtual capabilities, in declaration order
 * @nvcaps: entries in @vcaps
 * @hidden: hidden capability IDs
 * @nhidden: entries in @hidden
 * @bar_traps: trapped BAR ranges, sorted by BAR then offset
 * @nbar_traps: entries in @bar_traps
 * @vf_pasid: offset of the VF's virtual PASID capability (cfg_pasid.c), 0
 *	      for none
 * @pf_pasid: offset of the PF's PASID capability, when @vf_pasid is set
 * @pf_pri: offset of the PF's PRI capability, 0 for none (then the VF has
 *	    no virtual PRI)
 */
struct vfio_pci_core_traps {
	const struct vfio_pci_core_variant *variant;
	bool frozen;
	struct vfio_pci_core_cfg_reg *regs;
	unsigned int nregs;
	struct vfio_pci_cfg_vcap *vcaps;
	unsigned int nvcaps;
	struct vfio_pci_cfg_hidden *hidden;
	unsigned int nhidden;
	struct vfio_pci_core_bar_trap *bar_traps;
	unsigned int nbar_traps;
	u16 vf_pasid;
	u16 pf_pasid;
	u16 pf_pri;
};

/* cfg_trap.c: config traps, applied by config_space.c at every open */
bool vfio_pci_cfg_trap_hides(struct vfio_pci_core_device *core, u16 id,
			     bool extended);
const struct vfio_pci_cfg_vcap *
vfio_pci_cfg_trap_replacement(struct vfio_pci_core_device *core, u16 id,
			      bool extended);
unsigned int vfio_pci_cfg_ecap_fixed_len(struct pci_dev *pdev, u16 id,
					 unsigned int pos);
void vfio_pci_cfg_trap_drop_vcaps(struct vfio_pci_core_device *core,
				  unsigned int n);
void vfio_pci_cfg_trap_apply_regs(struct vfio_pci_core_device *core);
int vfio_pci_cfg_trap_read(struct vfio_pci_core_device *core,
			   unsigned int pos, unsigned int width, u32 *val);
int vfio_pci_cfg_trap_write(struct vfio_pci_core_device *core,
			    unsigned int pos, unsigned int width, u32 val);

/* bar_trap.c: BAR traps, used by bar_rw.c, mmap.c and regions.c */
const struct vfio_pci_core_bar_trap *
vfio_pci_bar_trap_at(struct vfio_pci_core_device *core, unsigned int bar,
		     u64 pos, u64 *span);
bool vfio_pci_bar_trap_pages(struct vfio_pci_core_device *core,
			     unsigned int bar, u64 start, u64 len);
int vfio_pci_bar_trap_region_info(struct vfio_pci_core_device *core,
				  unsigned int bar,
				  struct vfio_region_info *info,
				  struct vfio_info_cap *caps);

/* variant.c */
void vfio_pci_core_traps_free(struct vfio_pci_core_device *core);

#endif /* __VFIO_PCI_CORE_TRAP_H */
