/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Config-space virtualization, in layers that call only downwards:
 * config_tables.c (what each register and capability looks like to
 * userspace) and config_space.c (the per-device byte map built from them at
 * open); config_vcfg.c (vconfig, device bytes, the default merge);
 * config_hooks.c (registers whose writes have side effects, variant traps);
 * config_rw.c (the device fd's access path).
 *
 * Every byte of config space has a struct vfio_pci_cfg_byte saying which of
 * its bits are virtual (read from and written to the shadow copy, vconfig)
 * and which the user may write.  Bits that are not virtual come from the
 * device; user writes reach the device only for bits that are writable and
 * not virtual.  Registers are described once, in tables, as offset, size and
 * 32-bit masks; the byte map is built from the tables at every open.
 */
#ifndef __VFIO_PCI_CORE_CONFIG_H
#define __VFIO_PCI_CORE_CONFIG_H

#include <linux/pci.h>
#include <linux/types.h>

struct vfio_pci_core_device;

/* Registers whose writes need more than the default bit merge. */
enum vfio_pci_cfg_hook {
	VFIO_PCI_CFG_HOOK_NONE,
	VFIO_PCI_CFG_HOOK_COMMAND,
	VFIO_PCI_CFG_HOOK_BAR,
	VFIO_PCI_CFG_HOOK_ROM,
	VFIO_PCI_CFG_HOOK_PMCSR,
	VFIO_PCI_CFG_HOOK_EXP_DEVCTL,
	VFIO_PCI_CFG_HOOK_AF_CTRL,
	VFIO_PCI_CFG_HOOK_MSI_FLAGS,
	VFIO_PCI_CFG_HOOK_W1C,		/* write-1-to-clear: no read-modify-write */
	VFIO_PCI_CFG_HOOK_TRAP,		/* a variant's register, cfg_trap.c */
};

/**
 * struct vfio_pci_cfg_reg - one register in a capability table
 * @off: offset from the start of the capability (or of the header)
 * @size: 1, 2 or 4 bytes
 * @hook: an enum vfio_pci_cfg_hook
 * @virt: bits served from and stored to vconfig
 * @write: bits the user may change
 */
struct vfio_pci_cfg_reg {
	u16 off;
	u8 size;
	u8 hook;
	u32 virt;
	u32 write;
};

#define VFIO_PCI_CFG_REG(_off, _size, _virt, _write, _hook)		\
	{ .off = (_off), .size = (_size), .virt = (_virt),		\
	  .write = (_write), .hook = VFIO_PCI_CFG_HOOK_##_hook }

/* How a capability is presented. */
enum vfio_pci_cfg_policy {
	VFIO_PCI_CFG_HIDE,	/* unlinked from the chain, bytes left raw */
	VFIO_PCI_CFG_READONLY,	/* device values, writes dropped */
	VFIO_PCI_CFG_TABLE,	/* per-register table, the rest read-only */
	VFIO_PCI_CFG_RAW,	/* reads and writes reach the device */
};

/**
 * struct vfio_pci_cfg_cap - how one capability ID is virtualized
 * @id: capability ID (standard or extended, depending on the table)
 * @policy: an enum vfio_pci_cfg_policy
 * @len: its length at @pos on @pdev, 0 if malformed; NULL means "up to the
 *	 next capability"
 * @regs: register table for VFIO_PCI_CFG_TABLE; entries that do not fit in
 *	  the capability's length on this device are ignored
 * @nregs: entries in @regs
 */
struct vfio_pci_cfg_cap {
	u16 id;
	u8 policy;
	unsigned int (*len)(struct pci_dev *pdev, unsigned int pos);
	const struct vfio_pci_cfg_reg *regs;
	unsigned int nregs;
};

/**
 * struct vfio_pci_cfg_state - one open device's virtual config space
 * @vconfig: the shadow copy, cfg_size bytes, little-endian like the device
 * @map: per-byte permissions, cfg_size entries
 * @bar_mask: size mask of each BAR (index 6: ROM) applied to user writes
 * @bar_flags: read-only low bits of each BAR (type, prefetch, ROM enable
 *	       excluded)
 * @hw_bar: the device's own BAR registers (index 6: ROM) at open, written
 *	    back if a reset the core did not do lost them
 */
struct vfio_pci_cfg_state {
	u8 *vconfig;
	struct vfio_pci_cfg_byte *map;
	u32 bar_mask[PCI_STD_NUM_BARS + 1];
	u32 bar_flags[PCI_STD_NUM_BARS + 1];
	u32 hw_bar[PCI_STD_NUM_BARS + 1];
};

/* Per-byte permissions; reg_size 0 means "not part of a described register". */
struct vfio_pci_cfg_byte {
	u8 virt;
	u8 write;
	u8 hook;
	u8 reg_size:3;		/* size of the register the byte belongs to */
	u8 reg_off:2;		/* offset of the byte inside that register */
};

/* config_tables.c */
extern const struct vfio_pci_cfg_reg vfio_pci_cfg_header[];
extern const unsigned int vfio_pci_cfg_header_nregs;
const struct vfio_pci_cfg_cap *vfio_pci_cfg_find_cap(u16 id);
const struct vfio_pci_cfg_cap *vfio_pci_cfg_find_ecap(u16 id);
const struct vfio_pci_cfg_reg *vfio_pci_cfg_cap_regs(struct pci_dev *pdev,
						     const struct vfio_pci_cfg_cap *cap,
						     unsigned int pos,
						     unsigned int *nregs);

/*
 * config_vcfg.c, the bottom layer: vconfig, the device's bytes and the
 * default merge of a write through the byte map.  Called with cfg_lock held,
 * but for reads of untrapped bytes (config_rw.c), vfio_pci_cfg_dev_read()
 * (@plain: the caller holds the function's config access block) and
 * vfio_pci_cfg_hw_write().
 */
u32 vfio_pci_cfg_vread(struct vfio_pci_core_device *core, unsigned int pos,
		       unsigned int width);
void vfio_pci_cfg_vwrite(struct vfio_pci_core_device *core, unsigned int pos,
			 unsigned int width, u32 val);
u32 vfio_pci_cfg_mask(struct vfio_pci_cfg_state *cfg, unsigned int pos,
		      unsigned int width, bool write);
int vfio_pci_cfg_dev_read(struct pci_dev *pdev, bool plain, unsigned int pos,
			  unsigned int width, u32 *val);
int vfio_pci_cfg_hw_read(struct vfio_pci_core_device *core, unsigned int pos,
			 unsigned int width, u32 *val);
int vfio_pci_cfg_hw_write(struct vfio_pci_core_device *core, unsigned int pos,
			  unsigned int width, u32 val);
int vfio_pci_cfg_default_write(struct vfio_pci_core_device *core,
			       unsigned int pos, unsigned int width, u32 val);

/* config_hooks.c, above it: writes with side effects, and variant traps */
int vfio_pci_cfg_write_piece(struct vfio_pci_core_device *core,
			     unsigned int pos, unsigned int width, u32 val);
void vfio_pci_cfg_init_bars(struct vfio_pci_core_device *core);

#endif /* __VFIO_PCI_CORE_CONFIG_H */
