// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: declaring virtual BARs and device regions.
 *
 * Both are checked and copied here, from the variant's setup, and their
 * backing memory is mapped for the kernel once, for the device's lifetime.
 */
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/nospec.h>
#include <linux/slab.h>

#include "private.h"

static void vfio_pci_core_vregion_unmap(struct vfio_pci_core_vregion *vr)
{
	if (vr->io)
		iounmap(vr->io);
	if (vr->mem)
		memunmap(vr->mem);
}

static int vfio_pci_core_vregion_map(struct vfio_pci_core_vregion *vr)
{
	const struct vfio_pci_core_region *d = &vr->desc;

	if (!d->phys)
		return 0;
	switch (d->cache) {
	case VFIO_PCI_CORE_MEM_WB:
		vr->mem = memremap(d->phys, d->size, MEMREMAP_WB);
		return vr->mem ? 0 : -ENOMEM;
	case VFIO_PCI_CORE_MEM_WC:
		vr->io = ioremap_wc(d->phys, d->size);
		break;
	default:
		vr->io = ioremap(d->phys, d->size);
		break;
	}
	return vr->io ? 0 : -ENOMEM;
}

/* What both kinds need: a way to serve the user, and sane flags. */
static int vfio_pci_core_region_check(const struct vfio_pci_core_region *r)
{
	u32 access = VFIO_PCI_CORE_REGION_READ | VFIO_PCI_CORE_REGION_WRITE |
		     VFIO_PCI_CORE_REGION_MMAP;

	if (!r->size || r->flags & ~(access | VFIO_PCI_CORE_REGION_GATED) ||
	    !(r->flags & access))
		return -EINVAL;
	if (r->cache > VFIO_PCI_CORE_MEM_WB)
		return -EINVAL;
	if (!r->phys && !(r->ops && r->ops->rw))
		return -EINVAL;
	if (r->flags & VFIO_PCI_CORE_REGION_MMAP &&
	    (!r->phys || !PAGE_ALIGNED(r->phys) || !PAGE_ALIGNED(r->size)))
		return -EINVAL;
	if (r->phys && r->phys + r->size - 1 < r->phys)
		return -EINVAL;
	return 0;
}

static struct vfio_pci_core_vregion *
vfio_pci_core_vregion_new(const struct vfio_pci_core_region *r,
			  unsigned int index)
{
	struct vfio_pci_core_vregion *vr;

	vr = kzalloc_obj(*vr, GFP_KERNEL);
	if (!vr)
		return ERR_PTR(-ENOMEM);
	vr->desc = *r;
	vr->index = index;
	if (vfio_pci_core_vregion_map(vr)) {
		kfree(vr);
		return ERR_PTR(-ENOMEM);
	}
	return vr;
}

/* BAR registers the MSI-X table and PBA live in: the core maps those. */
static u8 vfio_pci_core_msix_bars(struct pci_dev *pdev)
{
	u32 table, pba;

	if (!pdev->msix_cap)
		return 0;
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	return BIT(table & PCI_MSIX_TABLE_BIR) | BIT(pba & PCI_MSIX_PBA_BIR);
}

/* Is BAR register @bar the upper half of the function's 64-bit BAR? */
static bool vfio_pci_core_hw_upper_half(struct pci_dev *pdev, unsigned int bar)
{
	return bar > 0 && pci_resource_len(pdev, bar - 1) &&
	       (pci_resource_flags(pdev, bar - 1) & IORESOURCE_MEM_64);
}

static int vfio_pci_core_vbar_check(struct vfio_pci_core_device *core,
				    unsigned int bar,
				    const struct vfio_pci_core_region *r,
				    u32 vbar_flags)
{
	struct vfio_pci_core_private *priv = core->priv;
	u32 known = VFIO_PCI_CORE_VBAR_64 | VFIO_PCI_CORE_VBAR_PREFETCH;
	bool is64 = vbar_flags & VFIO_PCI_CORE_VBAR_64;
	u8 regs = is64 ? BIT(bar) | BIT(bar + 1) : BIT(bar);
	unsigned int i;
	int ret;

	if (vbar_flags & ~known || bar >= PCI_STD_NUM_BARS - is64)
		return -EINVAL;
	ret = vfio_pci_core_region_check(r);
	if (ret)
		return ret;
	if (r->flags & VFIO_PCI_CORE_REGION_GATED ||
	    !is_power_of_2(r->size) || r->size < 16 ||
	    (!is64 && r->size > SZ_4G / 2))
		return -EINVAL;
	if (r->p2p_bar > PCI_STD_NUM_BARS || (r->p2p_bar && !r->phys))
		return -EINVAL;

	if (priv->regions.vbar_regs & regs)
		return -EBUSY;
	if (vfio_pci_core_hw_upper_half(core->pdev, bar))
		return -EBUSY;
	/* A 32-bit one over a 64-bit BAR would leave its upper half behind. */
	if (!is64 && pci_resource_len(core->pdev, bar) &&
	    (pci_resource_flags(core->pdev, bar) & IORESOURCE_MEM_64))
		return -EBUSY;
	if (vfio_pci_core_msix_bars(core->pdev) & regs)
		return -EBUSY;
	for (i = 0; i < priv->traps.nbar_traps; i++) {
		if (BIT(priv->traps.bar_traps[i].bar) & regs)
			return -EBUSY;
	}
	return 0;
}

int vfio_pci_core_add_vbar(struct vfio_pci_core_device *core,
			   unsigned int bar,
			   const struct vfio_pci_core_region *region,
			   u32 vbar_flags)
{
	struct vfio_pci_core_regions *regs = &core->priv->regions;
	struct vfio_pci_core_vregion *vr;
	int ret;

	if (vfio_pci_core_declare_refused(core))
		return -EBUSY;
	ret = vfio_pci_core_vbar_check(core, bar, region, vbar_flags);
	if (ret)
		return ret;

	vr = vfio_pci_core_vregion_new(region, bar);
	if (IS_ERR(vr))
		return PTR_ERR(vr);
	vr->vbar_flags = vbar_flags;
	regs->vbar[bar] = vr;
	regs->vbar_regs |= BIT(bar);
	if (vbar_flags & VFIO_PCI_CORE_VBAR_64)
		regs->vbar_regs |= BIT(bar + 1);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_add_vbar);

int vfio_pci_core_add_region(struct vfio_pci_core_device *core,
			     const struct vfio_pci_core_region *region)
{
	struct vfio_pci_core_regions *regs = &core->priv->regions;
	struct vfio_pci_core_vregion *vr;
	int ret;

	if (vfio_pci_core_declare_refused(core))
		return -EBUSY;
	ret = vfio_pci_core_region_check(region);
	if (ret)
		return ret;
	if (region->p2p_bar)
		return -EINVAL;
	if (regs->ndev >= VFIO_PCI_CORE_MAX_DEV_REGIONS)
		return -ENOSPC;

	vr = vfio_pci_core_vregion_new(region,
				       VFIO_PCI_NUM_REGIONS + regs->ndev);
	if (IS_ERR(vr))
		return PTR_ERR(vr);
	regs->dev[regs->ndev++] = vr;
	return vr->index;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_add_region);

void vfio_pci_core_regions_free(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_regions *regs = &core->priv->regions;
	unsigned int i;

	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (!regs->vbar[i])
			continue;
		vfio_pci_core_vregion_unmap(regs->vbar[i]);
		kfree(regs->vbar[i]);
	}
	for (i = 0; i < regs->ndev; i++) {
		vfio_pci_core_vregion_unmap(regs->dev[i]);
		kfree(regs->dev[i]);
	}
	memset(regs, 0, sizeof(*regs));
}

struct vfio_pci_core_vregion *
vfio_pci_core_vbar(struct vfio_pci_core_device *core, unsigned int bar)
{
	if (bar >= PCI_STD_NUM_BARS)
		return NULL;
	return core->priv->regions.vbar[bar];
}

bool vfio_pci_core_vbar_owns(struct vfio_pci_core_device *core,
			     unsigned int bar)
{
	return bar < PCI_STD_NUM_BARS &&
	       (core->priv->regions.vbar_regs & BIT(bar));
}

struct vfio_pci_core_vregion *
vfio_pci_core_vregion(struct vfio_pci_core_device *core, unsigned int index)
{
	struct vfio_pci_core_regions *regs = &core->priv->regions;

	/*
	 * @index comes from the user and the region found is then called
	 * through its ops: clamp it under speculation too.
	 */
	if (index < PCI_STD_NUM_BARS)
		return regs->vbar[array_index_nospec(index, PCI_STD_NUM_BARS)];
	if (index < VFIO_PCI_NUM_REGIONS ||
	    index - VFIO_PCI_NUM_REGIONS >= regs->ndev)
		return NULL;
	index = array_index_nospec(index - VFIO_PCI_NUM_REGIONS, regs->ndev);
	return regs->dev[index];
}

bool vfio_pci_core_vregion_gated(const struct vfio_pci_core_vregion *vr)
{
	return vr->index < PCI_STD_NUM_BARS ||
	       (vr->desc.flags & VFIO_PCI_CORE_REGION_GATED);
}
