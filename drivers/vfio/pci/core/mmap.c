// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: mmap(2) of BAR regions.
 *
 * Only memory BARs are mappable, and only when userspace gets whole pages
 * that belong to nothing but the BAR: a BAR smaller than a page must start
 * on a page boundary, and the rest of its page is claimed with a padding
 * resource for as long as the device is open.
 *
 * mmap() itself maps nothing.  Each page is inserted by the fault handler
 * with memory_lock held for read, after checking that the BARs decode; that
 * is what lets memory.c revoke mappings by zapping them under the lock held
 * for write.  vm_pgoff keeps the file offset (region index included), so the
 * zap can address BAR mappings by file range.
 */
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>

#include "private.h"

/* File pages per region: the region index sits above this many bits. */
#define VFIO_PCI_CORE_PGOFF_SHIFT	(VFIO_PCI_CORE_OFFSET_SHIFT - PAGE_SHIFT)

/*
 * Claim [end of BAR, end of its page) so that the page holds only this BAR.
 * Returns false when that cannot be guaranteed.
 */
static bool vfio_pci_core_pad_subpage(struct vfio_pci_core_device *core,
				      unsigned int bar)
{
	struct resource *res = &core->pdev->resource[bar];
	struct resource *pad;

	if (!PAGE_ALIGNED(res->start) || !res->parent)
		return false;

	pad = kzalloc_obj(*pad, GFP_KERNEL);
	if (!pad)
		return false;
	pad->name = "vfio-pci-core sub-page BAR padding";
	pad->start = res->start + resource_size(res);
	pad->end = res->start + PAGE_SIZE - 1;
	pad->flags = IORESOURCE_MEM;
	if (request_resource(res->parent, pad)) {
		kfree(pad);
		return false;
	}
	core->priv->bar_pad[bar] = pad;
	return true;
}

static bool vfio_pci_core_bar_can_mmap(struct vfio_pci_core_device *core,
				       unsigned int bar)
{
	struct pci_dev *pdev = core->pdev;
	unsigned long flags = pci_resource_flags(pdev, bar);
	resource_size_t len = pci_resource_len(pdev, bar);

	if (!(flags & IORESOURCE_MEM) || (flags & IORESOURCE_UNSET) || !len)
		return false;
	if (len >= PAGE_SIZE)
		return true;
	return vfio_pci_core_pad_subpage(core, bar);
}

/* At open: decide which BARs are mappable for this open session. */
void vfio_pci_core_mmap_probe(struct vfio_pci_core_device *core)
{
	unsigned int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++)
		core->priv->bar_mmappable[bar] =
			vfio_pci_core_bar_can_mmap(core, bar);
}

/* At the last close, when no mapping can exist any more. */
void vfio_pci_core_mmap_release(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_private *priv = core->priv;
	unsigned int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		priv->bar_mmappable[bar] = false;
		if (!priv->bar_pad[bar])
			continue;
		release_resource(priv->bar_pad[bar]);
		kfree(priv->bar_pad[bar]);
		priv->bar_pad[bar] = NULL;
	}
}

static vm_fault_t vfio_pci_core_mmap_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vfio_pci_core_device *core = vma->vm_private_data;
	unsigned int bar = vma->vm_pgoff >> VFIO_PCI_CORE_PGOFF_SHIFT;
	pgoff_t bar_pgoff = vmf->pgoff & GENMASK(VFIO_PCI_CORE_PGOFF_SHIFT - 1, 0);
	unsigned long pfn;
	vm_fault_t ret;

	pfn = (pci_resource_start(core->pdev, bar) >> PAGE_SHIFT) + bar_pgoff;

	down_read(&core->priv->memory_lock);
	/* Low power engaged: no access until userspace leaves it. */
	if (!vfio_pci_core_low_power_engaged(core) &&
	    vfio_pci_core_memory_enabled(core))
		ret = vmf_insert_pfn(vma, vmf->address & PAGE_MASK, pfn);
	else
		ret = VM_FAULT_SIGBUS;
	up_read(&core->priv->memory_lock);
	return ret;
}

static const struct vm_operations_struct vfio_pci_core_mmap_ops = {
	.fault = vfio_pci_core_mmap_fault,
};

/* Does @vma lie inside BAR @bar rounded up to whole pages? */
static bool vfio_pci_core_mmap_in_bar(struct vfio_pci_core_device *core,
				      unsigned int bar, struct vm_area_struct *vma)
{
	u64 span = PAGE_ALIGN((u64)pci_resource_len(core->pdev, bar));
	u64 start = ((u64)vma->vm_pgoff << PAGE_SHIFT) &
		    VFIO_PCI_CORE_OFFSET_MASK;
	u64 len = vma->vm_end - vma->vm_start;

	return start < span && len <= span - start;
}

int vfio_pci_core_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	unsigned long index = vma->vm_pgoff >> VFIO_PCI_CORE_PGOFF_SHIFT;
	struct vfio_pci_core_vregion *vr;
	void __iomem *io;

	/* A private mapping would turn device pages into COW anonymous ones. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/* A variant's virtual BAR or device region (region_mmap.c). */
	vr = index <= U32_MAX ? vfio_pci_core_vregion(core, index) : NULL;
	if (vr)
		return vfio_pci_core_vregion_mmap(core, vr, vma);
	if (vfio_pci_core_vbar_owns(core, index))
		return -EINVAL;
	if (index > VFIO_PCI_BAR5_REGION_INDEX)
		return -EINVAL;
	index = array_index_nospec(index, PCI_STD_NUM_BARS);
	if (!core->priv->bar_mmappable[index])
		return -EINVAL;
	if (!vfio_pci_core_mmap_in_bar(core, index, vma))
		return -EINVAL;
	/* Pages holding a variant's trapped range are served by read/write. */
	if (vfio_pci_bar_trap_pages(core, index,
				    ((u64)vma->vm_pgoff << PAGE_SHIFT) &
				    VFIO_PCI_CORE_OFFSET_MASK,
				    vma->vm_end - vma->vm_start))
		return -EINVAL;

	/* Own the BAR's resource, as read/write does, before exposing it. */
	io = vfio_pci_core_bar_map(core, index);
	if (IS_ERR(io))
		return PTR_ERR(io);

	vma->vm_private_data = core;
	vma->vm_page_prot = pgprot_decrypted(pgprot_noncached(vma->vm_page_prot));
	vm_flags_set(vma, VM_ALLOW_ANY_UNCACHED | VM_IO | VM_PFNMAP |
			  VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vfio_pci_core_mmap_ops;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_mmap);
