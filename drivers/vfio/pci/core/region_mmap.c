// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: mmap(2) of the regions a variant added.
 *
 * As for BARs (mmap.c), nothing is mapped at mmap() time: the fault handler
 * inserts the backing memory's pages with memory_lock held for read, after
 * checking that a gated region decodes, so memory.c revokes these mappings
 * with the BARs'.  Where the mapping and the backing are both aligned to a
 * PMD, one fault maps the whole PMD.
 */
#include <linux/mm.h>

#include "private.h"

/* File pages per region: the region index sits above this many bits. */
#define VFIO_PCI_CORE_VREGION_PGOFF_BITS	\
	(VFIO_PCI_CORE_OFFSET_SHIFT - PAGE_SHIFT)

static struct vfio_pci_core_vregion *
vfio_pci_core_vregion_of(struct vm_area_struct *vma)
{
	return vfio_pci_core_vregion(vma->vm_private_data,
				     vma->vm_pgoff >>
				     VFIO_PCI_CORE_VREGION_PGOFF_BITS);
}

/* The page of the region at @addr of @vma. */
static pgoff_t vfio_pci_core_vregion_page(struct vm_area_struct *vma,
					  unsigned long addr)
{
	pgoff_t pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);

	return pgoff & GENMASK(VFIO_PCI_CORE_VREGION_PGOFF_BITS - 1, 0);
}

/* Insert the pages of @order at the fault, or fall back to smaller ones. */
static vm_fault_t vfio_pci_core_vregion_insert(struct vm_fault *vmf,
					       struct vfio_pci_core_vregion *vr,
					       unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long nr = 1UL << order;
	unsigned long addr = ALIGN_DOWN(vmf->address, PAGE_SIZE << order);
	pgoff_t page = vfio_pci_core_vregion_page(vma, addr);
	unsigned long pfn = PHYS_PFN(vr->desc.phys) + page;

	if (addr < vma->vm_start || addr + (PAGE_SIZE << order) > vma->vm_end ||
	    (pfn & (nr - 1)) || page + nr > PHYS_PFN(vr->desc.size))
		return order ? VM_FAULT_FALLBACK : VM_FAULT_SIGBUS;
	if (!order)
		return vmf_insert_pfn(vma, addr, pfn);
	return vfio_pci_compat_insert_pfn_pmd(vmf, pfn, order);
}

static vm_fault_t vfio_pci_core_vregion_huge_fault(struct vm_fault *vmf,
						   unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vfio_pci_core_device *core = vma->vm_private_data;
	struct vfio_pci_core_vregion *vr = vfio_pci_core_vregion_of(vma);
	vm_fault_t ret;

	if (!vr)
		return VM_FAULT_SIGBUS;
	if (order && !vfio_pci_compat_pfnmap_order(order))
		return VM_FAULT_FALLBACK;

	guard(rwsem_read)(&core->priv->memory_lock);
	if (vfio_pci_core_vregion_gated(vr) &&
	    (vfio_pci_core_low_power_engaged(core) ||
	     !vfio_pci_core_memory_enabled(core)))
		ret = VM_FAULT_SIGBUS;
	else
		ret = vfio_pci_core_vregion_insert(vmf, vr, order);
	return ret;
}

static vm_fault_t vfio_pci_core_vregion_fault(struct vm_fault *vmf)
{
	return vfio_pci_core_vregion_huge_fault(vmf, 0);
}

static const struct vm_operations_struct vfio_pci_core_vregion_vm_ops = {
	.fault = vfio_pci_core_vregion_fault,
	.huge_fault = vfio_pci_core_vregion_huge_fault,
};

int vfio_pci_core_vregion_mmap(struct vfio_pci_core_device *core,
			       struct vfio_pci_core_vregion *vr,
			       struct vm_area_struct *vma)
{
	u64 start = ((u64)vma->vm_pgoff << PAGE_SHIFT) &
		    VFIO_PCI_CORE_OFFSET_MASK;
	u64 len = vma->vm_end - vma->vm_start;

	if (!(vr->desc.flags & VFIO_PCI_CORE_REGION_MMAP))
		return -EINVAL;
	if (start >= vr->desc.size || len > vr->desc.size - start)
		return -EINVAL;

	vma->vm_private_data = core;
	switch (vr->desc.cache) {
	case VFIO_PCI_CORE_MEM_WB:
		break;
	case VFIO_PCI_CORE_MEM_WC:
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
		vm_flags_set(vma, VM_ALLOW_ANY_UNCACHED);
		break;
	default:
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
		vm_flags_set(vma, VM_ALLOW_ANY_UNCACHED);
		break;
	}
	vma->vm_page_prot = pgprot_decrypted(vma->vm_page_prot);
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vfio_pci_core_vregion_vm_ops;
	return 0;
}
