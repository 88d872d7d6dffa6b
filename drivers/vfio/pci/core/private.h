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

#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/workqueue.h>
#include <linux/vfio_pci_core.h>

#include "config.h"
#include "irq.h"
#include "topology.h"
#include "pm_ioeventfd.h"
#include "migration.h"
#include "trap.h"
#include "region.h"

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
 * @memory_lock: taken for read around every BAR access and in the mmap fault
 *		 handler, for write (after zapping the BAR mappings) while
 *		 anything changes whether the BARs decode.  Never held while
 *		 touching user memory: the user buffer may be an mmap of this
 *		 device, whose fault handler takes this lock.
 * @barmap: kernel mapping of each BAR, created on first access, released at
 *	    the last close; protected by @barmap_lock
 * @barmap_lock: serializes creation of @barmap entries
 * @pci_saved_state: config space saved at open, restored at the last close
 * @cfg: the virtual config space, from open to the last close
 * @cfg_lock: serializes config writes and trapped reads (untrapped reads take
 *	      no lock, config_rw.c); taken before memory_lock
 * @bar_mmappable: which BARs userspace may mmap; decided at open
 * @bar_pad: for a sub-page BAR, the resource claiming the rest of its page so
 *	     that no other device is placed there; held from open to close
 * @reset_works: a function reset succeeded at open; gates VFIO_DEVICE_RESET
 * @irq: interrupt state (irq.h); its igate nests inside @cfg_lock and
 *	 outside @memory_lock
 * @topo: device set and SR-IOV state (topology.h)
 * @pm_io: ioeventfds and runtime power management (pm_ioeventfd.h)
 * @mig: live migration state (migration.c, mig_file.c)
 * @dirty: software dirty tracker (dirty.c)
 * @iova_lock: guards @iova_access
 * @iova_access: iommufd access on the IOAS behind the device's attachment,
 *		 for vfio_pci_core_iova_rw(); made at attach (iova_rw.c)
 * @iova_wanted: the variant reads its IOVA space (vfio_pci_core_iova_init());
 *		 fixed before the device is registered
 * @traps: what the variant declared at probe (trap.h); read-only once the
 *	   device is registered
 * @vga_disabled: the driver withholds the VGA region (vga.c); fixed before
 *		  the device is registered
 * @dma_shadow: the variant's shadow of a device buffer (dma_shadow.c), or
 *		NULL; fixed before the device is registered
 * @replay: the variant's log of register writes (mig_replay.c), or NULL;
 *	    fixed before the device is registered
 * @reset_task: the task inside a reset the core does itself (reset.c);
 *		written under memory_lock held for write
 * @dmabufs: exported DMA_BUF slices (dmabuf.c); changed under memory_lock
 *	     held for write
 * @regions: virtual BARs and device regions the variant added (region.h);
 *	     read-only once the device is registered
 * @put_work: drops the probe's reference when the PCI core removed the
 *	      function (variant.c); queued once, by the remove
 */
struct vfio_pci_core_private {
	struct vfio_pci_core_device *core;
	/* never held while touching user memory, see above */
	struct rw_semaphore memory_lock;
	void __iomem *barmap[PCI_STD_NUM_BARS];
	struct mutex barmap_lock;	/* guards barmap[] */
	struct pci_saved_state *pci_saved_state;
	struct vfio_pci_cfg_state cfg;
	struct mutex cfg_lock;		/* see @cfg_lock above */
	bool bar_mmappable[PCI_STD_NUM_BARS];
	struct resource *bar_pad[PCI_STD_NUM_BARS];
	bool reset_works;
	struct vfio_pci_irq_state irq;
	struct vfio_pci_core_topology topo;
	struct vfio_pci_core_pm_io pm_io;
	struct vfio_pci_core_mig mig;
	struct vfio_pci_core_dirty dirty;
	struct mutex iova_lock;		/* see @iova_lock above */
	struct iommufd_access *iova_access;
	bool iova_wanted;
	struct vfio_pci_core_traps traps;
	bool vga_disabled;
	struct vfio_pci_dma_shadow *dma_shadow;
	struct vfio_pci_replay *replay;
	struct task_struct *reset_task;
	struct list_head dmabufs;
	struct vfio_pci_core_regions regions;
	struct work_struct put_work;
};

/*
 * Bit 0 of pci_dev->priv_flags is the PCI core's "added" flag (PCI_DEV_ADDED
 * in drivers/pci/pci.h, not visible to modules; bit 0 since Linux 4.17).  It
 * is set once the device has been added to the bus, and the PCI core clears
 * it, under pci_rescan_remove_lock, just before it releases the driver of a
 * device it is removing.
 */
#define VFIO_PCI_CORE_PCI_DEV_ADDED	0

/*
 * Called from the driver's remove: is the PCI core removing @pdev
 * (hot-unplug, sysfs remove, SR-IOV disable, the removal of a bridge above
 * it), holding pci_rescan_remove_lock, rather than unbinding its driver?
 * Known only on kernels that clear the flag before releasing the driver
 * (vfio_pci_core_compat.h); false elsewhere.
 */
static inline bool vfio_pci_core_pci_removing(struct pci_dev *pdev)
{
	return VFIO_PCI_CORE_PCI_CLEARS_ADDED_FIRST &&
	       !test_bit(VFIO_PCI_CORE_PCI_DEV_ADDED, &pdev->priv_flags);
}

static inline struct vfio_pci_core_device *
to_vfio_pci_core(struct vfio_device *vdev)
{
	return container_of(vdev, struct vfio_pci_core_device, vdev);
}

/*
 * Call before copy_to_user()/copy_from_user() on a path that also takes
 * memory_lock: a fault on the user buffer may need the lock.
 */
static inline void
vfio_pci_core_assert_no_memory_lock(struct vfio_pci_core_device *core)
{
	lockdep_assert_not_held(&core->priv->memory_lock);
}

/*
 * For a public entry point that takes @lock: is its caller (a variant
 * callback the core runs under @lock) holding it already?  Lockdep reports
 * that as a failed assertion naming the entry point, and the entry point
 * fails with -EDEADLK instead of deadlocking.  Without lockdep the rule is
 * only written down (Documentation/vfio-pci-core/contract.rst).
 */
static inline bool vfio_pci_core_caller_holds(struct rw_semaphore *lock)
{
#ifdef CONFIG_LOCKDEP
	lockdep_assert_not_held(lock);
	return debug_locks && lockdep_is_held(lock) == LOCK_STATE_HELD;
#else
	return false;
#endif
}

/*
 * Declarations (traps, regions, migration, options) are taken only before
 * the device is registered; afterwards they fail with -EBUSY.
 */
static inline bool
vfio_pci_core_declare_refused(struct vfio_pci_core_device *core)
{
	return core->priv->traps.frozen;
}

/*
 * dmabuf.c: VFIO_DEVICE_FEATURE_DMA_BUF.  revoke() and sync() are called
 * with memory_lock held for write: memory_lock_zap() revokes every dma-buf
 * of the device, memory_unlock() gives them back if the BARs decode.
 * cleanup() at the last close, without memory_lock.
 */
#if VFIO_PCI_COMPAT_DMABUF
struct dma_buf_attachment;
int vfio_pci_dma_buf_iommufd_map(struct dma_buf_attachment *attach,
				 struct phys_vec *phys);
int vfio_pci_core_feature_dma_buf(struct vfio_pci_core_device *core,
				  u32 flags, void __user *arg, size_t argsz);
void vfio_pci_core_dmabuf_revoke(struct vfio_pci_core_device *core);
void vfio_pci_core_dmabuf_sync(struct vfio_pci_core_device *core);
void vfio_pci_core_dmabuf_cleanup(struct vfio_pci_core_device *core);
int vfio_pci_core_dmabuf_init(struct pci_dev *pdev);
#else
static inline int vfio_pci_core_dmabuf_init(struct pci_dev *pdev)
{
	return 0;
}

static inline void
vfio_pci_core_dmabuf_revoke(struct vfio_pci_core_device *core) { }
static inline void
vfio_pci_core_dmabuf_sync(struct vfio_pci_core_device *core) { }
static inline void
vfio_pci_core_dmabuf_cleanup(struct vfio_pci_core_device *core) { }
#endif

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
void __iomem *vfio_pci_core_bar_map(struct vfio_pci_core_device *core,
				    unsigned int bar);
/* One access to the device, under memory_lock (taken here) if it decodes. */
int vfio_pci_core_bar_io(struct vfio_pci_core_device *core,
			 void __iomem *addr, size_t width, u64 *val,
			 bool is_io, bool write);
void vfio_pci_core_bar_unmap_all(struct vfio_pci_core_device *core);
/*
 * The widest naturally aligned access at @pos with @left bytes to go: 8
 * bytes at most for memory, 4 for I/O ports.
 */
size_t vfio_pci_core_piece_width(loff_t pos, u64 left, bool is_io);
/* One access of 1, 2, 4 (or 8, memory only) bytes; @val in CPU order. */
void vfio_pci_core_io_rw_one(void __iomem *addr, size_t width, u64 *val,
			     bool write);
void vfio_pci_core_zap_bars(struct vfio_pci_core_device *core);
/* Does a BAR of this kind decode now?  Caller holds memory_lock. */
bool vfio_pci_core_bar_decodes(struct vfio_pci_core_device *core, bool is_io);

/*
 * memory.c: the caller of vfio_pci_core_memory_enabled() holds memory_lock.
 * vfio_pci_core_memory_lock_zap() takes it for write and revokes every user
 * mapping of the device before anything stops the BARs from decoding;
 * vfio_pci_core_memory_unlock() ends that.
 */
void vfio_pci_core_memory_lock_zap(struct vfio_pci_core_device *core);
void vfio_pci_core_memory_unlock(struct vfio_pci_core_device *core);
bool vfio_pci_core_memory_enabled(struct vfio_pci_core_device *core);
u16 vfio_pci_core_memory_lock_and_enable(struct vfio_pci_core_device *core);
void vfio_pci_core_memory_unlock_and_restore(struct vfio_pci_core_device *core,
					     u16 cmd);

/* mmap.c */
void vfio_pci_core_mmap_probe(struct vfio_pci_core_device *core);
void vfio_pci_core_mmap_release(struct vfio_pci_core_device *core);

/* reset.c */
int vfio_pci_core_reset_at_open(struct vfio_pci_core_device *core);
bool vfio_pci_core_reset_at_close(struct vfio_pci_core_device *core);
/*
 * Reset the function with its BAR mappings revoked and memory_lock held for
 * write: VFIO_DEVICE_RESET and FLR requested through config space.
 */
int vfio_pci_core_reset_function(struct vfio_pci_core_device *core);
/*
 * Around a reset the core does itself, memory_lock held for write:
 * reset_begin() before it, reset_end() after it (which notifies migration,
 * DMA_BUF and the variant when @ret is 0).  reset_notify() is that
 * notification, for every path.
 */
void vfio_pci_core_reset_begin(struct vfio_pci_core_device *core);
void vfio_pci_core_reset_end(struct vfio_pci_core_device *core, int ret);
void vfio_pci_core_reset_notify(struct vfio_pci_core_device *core);
long vfio_pci_core_ioctl_reset(struct vfio_pci_core_device *core,
			       void __user *arg);

/* rom.c */
size_t vfio_pci_core_rom_size(struct vfio_pci_core_device *core);
ssize_t vfio_pci_core_rom_rw(struct vfio_pci_core_device *core,
			     char __user *buf, size_t count, loff_t pos,
			     bool write);

/* vga.c: the legacy VGA windows of a VGA-class function */
bool vfio_pci_core_has_vga(struct vfio_pci_core_device *core);
size_t vfio_pci_core_vga_size(struct vfio_pci_core_device *core);
int vfio_pci_core_vga_register(struct vfio_pci_core_device *core);
void vfio_pci_core_vga_unregister(struct vfio_pci_core_device *core);
ssize_t vfio_pci_core_vga_rw(struct vfio_pci_core_device *core,
			     char __user *buf, size_t count, loff_t pos,
			     bool write);
/* iova_rw.c */
void vfio_pci_core_iova_close(struct vfio_pci_core_device *core);

/* dma_shadow.c */
void vfio_pci_dma_shadow_open(struct vfio_pci_core_device *core);
void vfio_pci_dma_shadow_reset(struct vfio_pci_core_device *core);

/* mig_replay.c */
void vfio_pci_replay_open(struct vfio_pci_core_device *core);
void vfio_pci_replay_reset(struct vfio_pci_core_device *core);

/* variant.c */
void vfio_pci_core_variant_open(struct vfio_pci_core_device *core);
void vfio_pci_core_put_work_init(struct vfio_pci_core_device *core);
int vfio_pci_core_put_wq_create(void);
void vfio_pci_core_put_wq_destroy(void);

/* irq_info.c */
long vfio_pci_core_ioctl_irq_info(struct vfio_pci_core_device *core,
				  void __user *arg);
u32 vfio_pci_core_irq_count(struct vfio_pci_core_device *core,
			    unsigned int index);

/*
 * intx.c: INTx mask for the rest of the core (runtime PM, config space).
 * Each takes igate, so the caller must not hold igate or memory_lock.
 * vfio_pci_core_intx_mask() masks only an INTx in use, and returns true if
 * it masked an unmasked line;
 * only then should the caller undo it with vfio_pci_core_intx_unmask().
 * vfio_pci_core_intx_virq_set() applies the user's virtual
 * COMMAND.INTX_DISABLE bit.
 */
bool vfio_pci_core_intx_mask(struct vfio_pci_core_device *core);
void vfio_pci_core_intx_unmask(struct vfio_pci_core_device *core);
void vfio_pci_core_intx_virq_set(struct vfio_pci_core_device *core,
				 bool disabled);

#endif /* __VFIO_PCI_CORE_PRIVATE_H */
