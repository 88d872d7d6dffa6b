// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: config registers whose writes have side effects.
 *
 * Each hook receives the piece of the register the user wrote (@pos,
 * @width, @val) and the register's start (@reg), performs the side effect
 * and stores what the default merge would.  Called with cfg_lock held.
 * Hooks sit above config_vcfg.c (vconfig and the default merge) and call
 * only down into it; config_rw.c calls vfio_pci_cfg_write_piece().
 */
#include <linux/bitfield.h>
#include <linux/pci.h>

#include "private.h"

/* The register's new value, with the user's piece merged over the old one. */
static u32 vfio_pci_cfg_merge(struct vfio_pci_core_device *core,
			      unsigned int reg, unsigned int size,
			      unsigned int pos, unsigned int width, u32 val)
{
	u32 old = vfio_pci_cfg_vread(core, reg, size);
	unsigned int shift = 8 * (pos - reg);
	u32 mask = (width == 4 ? ~0u : (1u << (8 * width)) - 1) << shift;

	return (old & ~mask) | ((val << shift) & mask);
}

/*
 * Before decode is turned on: write back every BAR register that no longer
 * holds what it held at open (a reset the core did not do, e.g. AER
 * recovery, lost them).  Through the bottom layer's device accessors,
 * which wait out a reset in progress.  Caller holds cfg_lock and
 * memory_lock.
 */
static void vfio_pci_cfg_restore_bars(struct vfio_pci_core_device *core)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	unsigned int i, reg;
	u32 v;

	lockdep_assert_held(&core->priv->cfg_lock);
	lockdep_assert_held_write(&core->priv->memory_lock);
	for (i = 0; i <= PCI_STD_NUM_BARS; i++) {
		/* The ROM's enable bit is the PCI core's, while it reads it. */
		u32 keep = i < PCI_STD_NUM_BARS ? 0 : PCI_ROM_ADDRESS_ENABLE;

		reg = i < PCI_STD_NUM_BARS ? PCI_BASE_ADDRESS_0 + 4 * i :
		      PCI_ROM_ADDRESS;
		if (vfio_pci_cfg_hw_read(core, reg, 4, &v) ||
		    (v & ~keep) == (cfg->hw_bar[i] & ~keep))
			continue;
		pci_info_ratelimited(core->pdev,
				     "BAR register %#x lost (%#x, not %#x): restoring it\n",
				     reg, v, cfg->hw_bar[i]);
		vfio_pci_cfg_hw_write(core, reg, 4,
				      (cfg->hw_bar[i] & ~keep) | (v & keep));
	}
}

/*
 * Is decode about to be turned on (@on: the enable bits the user's write
 * leaves set) where the device has it off?  Only then can its BARs have
 * been lost since the last look: a reset clears COMMAND with them.  One
 * device read, so a write that leaves decode as it is (a VMM rewriting
 * COMMAND) costs no BAR walk.
 */
static bool vfio_pci_cfg_decode_lost(struct vfio_pci_core_device *core,
				     u16 on)
{
	u32 hw;

	if (!on)
		return false;
	/* Cannot tell: check the BARs. */
	if (vfio_pci_cfg_hw_read(core, PCI_COMMAND, 2, &hw))
		return true;
	return on & ~hw;
}

/*
 * COMMAND: memory and I/O enable reach the device, and their state is kept
 * in vconfig for the memory-enabled test.  Clearing memory enable revokes
 * the user's BAR mappings before the device stops decoding.
 */
static int vfio_pci_cfg_write_command(struct vfio_pci_core_device *core,
				      unsigned int reg, unsigned int pos,
				      unsigned int width, u32 val)
{
	struct vfio_pci_core_private *priv = core->priv;
	u16 old = vfio_pci_cfg_vread(core, reg, 2);
	u16 new = vfio_pci_cfg_merge(core, reg, 2, pos, width, val);
	u16 track = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;
	int ret;

	if ((old & PCI_COMMAND_MEMORY) && !(new & PCI_COMMAND_MEMORY))
		vfio_pci_core_memory_lock_zap(core);
	else
		down_write(&priv->memory_lock);
	if (vfio_pci_cfg_decode_lost(core, new & track))
		vfio_pci_cfg_restore_bars(core);
	ret = vfio_pci_cfg_default_write(core, pos, width, val);
	if (!ret)
		vfio_pci_cfg_vwrite(core, reg, 2,
				    (vfio_pci_cfg_vread(core, reg, 2) & ~track) |
				    (new & track));
	vfio_pci_core_memory_unlock(core);

	/* The user's INTx disable masks INTx; igate nests in cfg_lock only. */
	if ((old ^ new) & PCI_COMMAND_INTX_DISABLE)
		vfio_pci_core_intx_virq_set(core,
					    new & PCI_COMMAND_INTX_DISABLE);
	return ret;
}

/*
 * MSI flags: Enable only sticks while SET_IRQS has MSI on, and the enabled
 * queue size cannot exceed what SET_IRQS allocated.  Nothing reaches the
 * device: the kernel's MSI code owns the real register.
 */
static int vfio_pci_cfg_write_msi_flags(struct vfio_pci_core_device *core,
					unsigned int reg, unsigned int pos,
					unsigned int width, u32 val)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	u16 new = vfio_pci_cfg_merge(core, reg, 2, pos, width, val);
	u16 keep = vfio_pci_cfg_vread(core, reg, 2);
	u16 qmax = READ_ONCE(irq->msi_qmax);

	if (READ_ONCE(irq->type) != VFIO_PCI_MSI_IRQ_INDEX)
		new &= ~PCI_MSI_FLAGS_ENABLE;
	if (FIELD_GET(PCI_MSI_FLAGS_QSIZE, new) > qmax)
		new = (new & ~PCI_MSI_FLAGS_QSIZE) |
		      FIELD_PREP(PCI_MSI_FLAGS_QSIZE, qmax);
	keep &= ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	vfio_pci_cfg_vwrite(core, reg, 2,
			    keep | (new & (PCI_MSI_FLAGS_ENABLE |
					   PCI_MSI_FLAGS_QSIZE)));
	return 0;
}

/* A BAR reads back what was written, cut to its size, with its type bits. */
static int vfio_pci_cfg_write_bar(struct vfio_pci_core_device *core,
				  unsigned int reg, unsigned int pos,
				  unsigned int width, u32 val)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	unsigned int bar = reg == PCI_ROM_ADDRESS ? PCI_STD_NUM_BARS :
			   (reg - PCI_BASE_ADDRESS_0) / 4;
	u32 v = vfio_pci_cfg_merge(core, reg, 4, pos, width, val);

	vfio_pci_cfg_vwrite(core, reg, 4,
			    (v & cfg->bar_mask[bar]) | cfg->bar_flags[bar]);
	return 0;
}

void vfio_pci_cfg_init_bars(struct vfio_pci_core_device *core)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	struct pci_dev *pdev = core->pdev;
	resource_size_t len;
	unsigned int i;
	u64 mask64 = 0;
	bool upper = false;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * i;
		unsigned long flags = pci_resource_flags(pdev, i);
		struct vfio_pci_core_vregion *vr = vfio_pci_core_vbar(core, i);
		u32 v = vfio_pci_cfg_vread(core, reg, 4);

		cfg->hw_bar[i] = v;
		len = pci_resource_len(pdev, i);
		cfg->bar_mask[i] = 0;
		cfg->bar_flags[i] = 0;
		/* A variant's BAR starts unassigned, whatever was there. */
		if (vfio_pci_core_vbar_owns(core, i))
			v = 0;
		if (vr) {
			mask64 = ~(vr->desc.size - 1);
			cfg->bar_mask[i] = lower_32_bits(mask64) &
					   PCI_BASE_ADDRESS_MEM_MASK;
			upper = vr->vbar_flags & VFIO_PCI_CORE_VBAR_64;
			if (upper)
				cfg->bar_flags[i] |= PCI_BASE_ADDRESS_MEM_TYPE_64;
			if (vr->vbar_flags & VFIO_PCI_CORE_VBAR_PREFETCH)
				cfg->bar_flags[i] |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		} else if (upper) {
			/* Upper half of a 64-bit BAR. */
			cfg->bar_mask[i] = upper_32_bits(mask64);
			upper = false;
		} else if (len && pci_resource_start(pdev, i)) {
			/*
			 * The type bits come from the resource, not from the
			 * register: a VF's BARs read as 0 in hardware.
			 */
			if (flags & IORESOURCE_IO) {
				cfg->bar_mask[i] = ~(u32)(len - 1) &
						   PCI_BASE_ADDRESS_IO_MASK;
				cfg->bar_flags[i] = PCI_BASE_ADDRESS_SPACE_IO;
			} else {
				mask64 = ~(u64)(len - 1);
				cfg->bar_mask[i] = lower_32_bits(mask64) &
						   PCI_BASE_ADDRESS_MEM_MASK;
				upper = flags & IORESOURCE_MEM_64;
				if (upper)
					cfg->bar_flags[i] |= PCI_BASE_ADDRESS_MEM_TYPE_64;
				if (flags & IORESOURCE_PREFETCH)
					cfg->bar_flags[i] |= PCI_BASE_ADDRESS_MEM_PREFETCH;
			}
		}
		vfio_pci_cfg_vwrite(core, reg, 4,
				    (v & cfg->bar_mask[i]) | cfg->bar_flags[i]);
	}

	len = pci_resource_len(pdev, PCI_ROM_RESOURCE);
	if (pci_resource_flags(pdev, PCI_ROM_RESOURCE) & IORESOURCE_ROM_SHADOW)
		len = 0x20000;
	i = PCI_STD_NUM_BARS;
	cfg->hw_bar[i] = vfio_pci_cfg_vread(core, PCI_ROM_ADDRESS, 4);
	cfg->bar_flags[i] = 0;
	cfg->bar_mask[i] = len ? (~(u32)(len - 1) & PCI_ROM_ADDRESS_MASK) |
				 PCI_ROM_ADDRESS_ENABLE : 0;
	vfio_pci_cfg_vwrite(core, PCI_ROM_ADDRESS, 4,
			    vfio_pci_cfg_vread(core, PCI_ROM_ADDRESS, 4) &
			    cfg->bar_mask[i]);
}

static int vfio_pci_cfg_write_devctl(struct vfio_pci_core_device *core,
				     unsigned int reg, unsigned int pos,
				     unsigned int width, u32 val)
{
	u16 new = vfio_pci_cfg_merge(core, reg, 2, pos, width, val);
	u16 old = vfio_pci_cfg_vread(core, reg, 2);
	u32 devcap;
	int ret;

	ret = vfio_pci_cfg_default_write(core, pos, width, val);
	if (ret)
		return ret;

	/* Initiate FLR always reads 0. */
	vfio_pci_cfg_vwrite(core, reg, 2, new & ~PCI_EXP_DEVCTL_BCR_FLR);
	if (new & PCI_EXP_DEVCTL_BCR_FLR) {
		pcie_capability_read_dword(core->pdev, PCI_EXP_DEVCAP, &devcap);
		if (devcap & PCI_EXP_DEVCAP_FLR)
			vfio_pci_core_reset_function(core);
	}

	/* A new read request size reaches the device, never below MPS. */
	if ((new ^ old) & PCI_EXP_DEVCTL_READRQ) {
		int rq = 128 << FIELD_GET(PCI_EXP_DEVCTL_READRQ, new);

		pcie_set_readrq(core->pdev, max(rq, pcie_get_mps(core->pdev)));
	}
	return 0;
}

static int vfio_pci_cfg_write_af(struct vfio_pci_core_device *core,
				 unsigned int reg, unsigned int pos,
				 unsigned int width, u32 val)
{
	u8 cap;

	vfio_pci_cfg_vwrite(core, reg, 1, 0);
	if (!(val & PCI_AF_CTRL_FLR))
		return 0;
	pci_read_config_byte(core->pdev, reg - PCI_AF_CTRL + PCI_AF_CAP, &cap);
	if ((cap & PCI_AF_CAP_TP) && (cap & PCI_AF_CAP_FLR))
		vfio_pci_core_reset_function(core);
	return 0;
}

/*
 * PMCSR: D0 and D3hot requests are carried out by the core, which revokes
 * BAR mappings before the device stops decoding, and restores the state of
 * a device that loses it in D3hot when it comes back.
 */
static int vfio_pci_cfg_write_pmcsr(struct vfio_pci_core_device *core,
				    unsigned int reg, unsigned int pos,
				    unsigned int width, u32 val)
{
	struct vfio_pci_core_private *priv = core->priv;
	struct pci_dev *pdev = core->pdev;
	pci_power_t state;

	if (pos == reg) {
		state = (val & PCI_PM_CTRL_STATE_MASK) == 3 ? PCI_D3hot :
			(val & PCI_PM_CTRL_STATE_MASK) == 0 ? PCI_D0 :
			pdev->current_state;
		if (state != pdev->current_state) {
			if (state == PCI_D3hot)
				vfio_pci_core_memory_lock_zap(core);
			else
				down_write(&priv->memory_lock);
			/* Saves and restores state as the device needs. */
			vfio_pci_core_set_power_state(core, state);
			vfio_pci_core_memory_unlock(core);
		}
	}
	return vfio_pci_cfg_default_write(core, pos, width, val);
}

/*
 * A user write of @width bytes at @pos, inside one register or one run of
 * raw bytes: the register's hook, the variant's trap, or the default merge.
 */
int vfio_pci_cfg_write_piece(struct vfio_pci_core_device *core,
			     unsigned int pos, unsigned int width, u32 val)
{
	const struct vfio_pci_cfg_byte *m = &core->priv->cfg.map[pos];
	unsigned int reg = pos - m->reg_off;

	lockdep_assert_held(&core->priv->cfg_lock);

	switch (m->hook) {
	case VFIO_PCI_CFG_HOOK_COMMAND:
		return vfio_pci_cfg_write_command(core, reg, pos, width, val);
	case VFIO_PCI_CFG_HOOK_BAR:
	case VFIO_PCI_CFG_HOOK_ROM:
		return vfio_pci_cfg_write_bar(core, reg, pos, width, val);
	case VFIO_PCI_CFG_HOOK_PMCSR:
		return vfio_pci_cfg_write_pmcsr(core, reg, pos, width, val);
	case VFIO_PCI_CFG_HOOK_EXP_DEVCTL:
		return vfio_pci_cfg_write_devctl(core, reg, pos, width, val);
	case VFIO_PCI_CFG_HOOK_AF_CTRL:
		return vfio_pci_cfg_write_af(core, reg, pos, width, val);
	case VFIO_PCI_CFG_HOOK_MSI_FLAGS:
		return vfio_pci_cfg_write_msi_flags(core, reg, pos, width, val);
	case VFIO_PCI_CFG_HOOK_TRAP:
		return vfio_pci_cfg_trap_write(core, pos, width, val);
	default:
		return vfio_pci_cfg_default_write(core, pos, width, val);
	}
}
