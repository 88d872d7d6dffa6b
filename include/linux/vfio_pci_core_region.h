/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci-core: regions a variant adds.  Included by vfio_pci_core.h;
 * variant drivers include that header, not this one.
 *
 * Two kinds, both declared from &vfio_pci_core_variant.setup:
 *
 * - virtual BARs: a BAR the function does not implement (or one the variant
 *   replaces), backed by memory the variant provides.  The core emulates
 *   the BAR register (sizing, 64-bit, prefetchable), gates access on the
 *   user's COMMAND memory bit like a real BAR, revokes mappings on memory
 *   disable, reset and D3, and maps large ranges with huge pages.
 * - device regions: regions past VFIO_PCI_NUM_REGIONS, reported with a
 *   VFIO_REGION_INFO_CAP_TYPE capability.
 *
 * The rules every callback follows are in Documentation/vfio-pci-core/
 * contract.rst.
 */
#ifndef __LINUX_VFIO_PCI_CORE_REGION_H
#define __LINUX_VFIO_PCI_CORE_REGION_H

#include <linux/bits.h>
#include <linux/types.h>

struct vfio_pci_core_device;
struct vfio_pci_core_region;

/**
 * enum vfio_pci_core_mem_cache - how the CPU maps a region's backing memory
 * @VFIO_PCI_CORE_MEM_UC: uncached, as a BAR is mapped
 * @VFIO_PCI_CORE_MEM_WC: write-combining
 * @VFIO_PCI_CORE_MEM_WB: cacheable, for memory coherent with the CPU
 */
enum vfio_pci_core_mem_cache {
	VFIO_PCI_CORE_MEM_UC,
	VFIO_PCI_CORE_MEM_WC,
	VFIO_PCI_CORE_MEM_WB,
};

/**
 * struct vfio_pci_core_region_ops - a variant's region callbacks
 * @rw: serve read(2) (@write false: fill @buf) or write(2) (@write true:
 *	consume @buf) of @count bytes at offset @pos of the region.  @buf is
 *	a kernel buffer; the core copies from and to user memory outside
 *	its locks.  Return the bytes done (at most @count, at least 1) or a
 *	negative errno.  Optional when the region has backing memory (the
 *	core then copies to or from it).
 *
 * Context: process context, with the device's memory lock held for read;
 * for a virtual BAR or a %VFIO_PCI_CORE_REGION_GATED region, only while the
 * BARs decode.  May sleep; must not touch user memory, call
 * vfio_pci_core_mmio_begin() or vfio_pci_core_bar_hw_read()/_write() (the
 * core refuses those with -EDEADLK, and lockdep reports it), or take a lock
 * that is held anywhere around those calls.
 */
struct vfio_pci_core_region_ops {
	ssize_t (*rw)(struct vfio_pci_core_device *core,
		      const struct vfio_pci_core_region *region, void *buf,
		      size_t count, u64 pos, bool write);
};

/**
 * define VFIO_PCI_CORE_REGION_READ - the user may read(2) the region
 */
#define VFIO_PCI_CORE_REGION_READ	BIT(0)
/**
 * define VFIO_PCI_CORE_REGION_WRITE - the user may write(2) the region
 */
#define VFIO_PCI_CORE_REGION_WRITE	BIT(1)
/**
 * define VFIO_PCI_CORE_REGION_MMAP - the user may mmap(2) the region; needs
 * page-aligned backing memory
 */
#define VFIO_PCI_CORE_REGION_MMAP	BIT(2)
/**
 * define VFIO_PCI_CORE_REGION_GATED - a device region that follows the
 * COMMAND memory bit, resets and D3 as a BAR does (always so for a virtual
 * BAR)
 */
#define VFIO_PCI_CORE_REGION_GATED	BIT(3)

/**
 * struct vfio_pci_core_region - a device region or a virtual BAR's backing
 * @size: bytes.  A virtual BAR's size is a power of two, at least 16 (at
 *	  least a page to be mappable), at most 4 GiB unless 64-bit.
 * @flags: VFIO_PCI_CORE_REGION_* bits
 * @type: the VFIO_REGION_INFO_CAP_TYPE type of a device region (a
 *	  VFIO_REGION_TYPE_* value, or VFIO_REGION_TYPE_PCI_VENDOR_TYPE |
 *	  vendor ID); ignored for a virtual BAR
 * @subtype: its subtype
 * @phys: physical address of the backing memory, 0 for none.  The core
 *	  maps it (ioremap, or memremap for %VFIO_PCI_CORE_MEM_WB) for read
 *	  and write, and inserts its pages in user mappings.  It must stay
 *	  valid while the device is bound.
 * @cache: how the CPU maps @phys
 * @p2p_bar: for VFIO_DEVICE_FEATURE_DMA_BUF on a virtual BAR: the BAR of
 *	     this function whose address range holds @phys, plus one; 0 when
 *	     the memory cannot be exported
 * @ops: optional callbacks, see &struct vfio_pci_core_region_ops
 * @private: the variant's, for the callbacks
 *
 * A region has @phys, an @ops.rw, or both (@ops.rw then serves read and
 * write, @phys mmap).
 */
struct vfio_pci_core_region {
	u64 size;
	u32 flags;
	u32 type;
	u32 subtype;
	phys_addr_t phys;
	enum vfio_pci_core_mem_cache cache;
	u8 p2p_bar;
	const struct vfio_pci_core_region_ops *ops;
	void *private;
};

/**
 * define VFIO_PCI_CORE_VBAR_64 - a virtual BAR with a 64-bit address
 * (it takes the next BAR register too)
 */
#define VFIO_PCI_CORE_VBAR_64		BIT(0)
/**
 * define VFIO_PCI_CORE_VBAR_PREFETCH - a prefetchable virtual BAR
 */
#define VFIO_PCI_CORE_VBAR_PREFETCH	BIT(1)

/**
 * vfio_pci_core_add_vbar() - show memory the variant provides as a BAR
 * @core: the device, not yet registered
 * @bar: the BAR index, 0..5 (0..4 with %VFIO_PCI_CORE_VBAR_64)
 * @region: size, backing and callbacks; the core keeps a copy
 * @vbar_flags: VFIO_PCI_CORE_VBAR_* bits
 *
 * The BAR register(s) become virtual: sizing reads back the size, the type
 * bits say memory, 32 or 64-bit, prefetchable or not.  If the function has
 * a BAR there it is hidden from the user (region info, read, write, mmap
 * and DMA_BUF all serve the virtual one).  Read, write, mmap and DMA_BUF
 * work only while the user's COMMAND has memory enable set and the device
 * is in D0; clearing the bit, a reset and D3 revoke mappings (the next
 * access faults them back or gets SIGBUS) and DMA_BUF exports.  Mappings
 * are filled with PMD-size pages where the backing and the mapping are
 * aligned for it.
 *
 * Context: process context, from &vfio_pci_core_variant.setup.
 * Return: 0; -EINVAL for a bad index, size, flags or a region without
 * backing or @ops.rw; -EBUSY once the device is registered, for a BAR
 * register already taken by a virtual BAR, by the upper half of a 64-bit
 * BAR of the function, by BAR traps or by the MSI-X table or PBA; -ENOMEM.
 */
int vfio_pci_core_add_vbar(struct vfio_pci_core_device *core,
			   unsigned int bar,
			   const struct vfio_pci_core_region *region,
			   u32 vbar_flags);

/**
 * define VFIO_PCI_CORE_MAX_DEV_REGIONS - device regions one device may add
 */
#define VFIO_PCI_CORE_MAX_DEV_REGIONS	8

/**
 * vfio_pci_core_add_region() - add a device-specific region
 * @core: the device, not yet registered
 * @region: size, type, backing and callbacks; the core keeps a copy
 *
 * The region gets the next index from VFIO_PCI_NUM_REGIONS on;
 * VFIO_DEVICE_GET_INFO counts it and VFIO_DEVICE_GET_REGION_INFO reports
 * it with a VFIO_REGION_INFO_CAP_TYPE capability (@region->type and
 * @region->subtype).
 *
 * Context: process context, from &vfio_pci_core_variant.setup.
 * Return: the region index; -EINVAL for a size of 0, no access flag, a
 * region without backing or @ops.rw, or mmap without page-aligned backing;
 * -EBUSY once the device is registered; -ENOSPC beyond
 * %VFIO_PCI_CORE_MAX_DEV_REGIONS; -ENOMEM.
 */
int vfio_pci_core_add_region(struct vfio_pci_core_device *core,
			     const struct vfio_pci_core_region *region);

#endif /* __LINUX_VFIO_PCI_CORE_REGION_H */
