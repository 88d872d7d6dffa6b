/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci-core: private state of live migration (migration.c, mig_file.c)
 * and of the software dirty tracker (dirty.c).
 *
 * Lock order, outermost first:
 *
 *   mig.state_lock -> migf->lock -> mmap_lock -> memory_lock -> mig.reset_lock
 *   dirty.log_lock -> mmap_lock
 *   memory_lock -> dirty.mark_lock
 *
 * state_lock is never held by anyone who holds memory_lock: the reset paths
 * (which hold memory_lock for write) and the variant's abort only try to
 * take it.  When that fails they set reset_pending (or abort_err) under
 * reset_lock and the state_lock holder applies it when it unlocks
 * (vfio_pci_core_mig_unlock()).  So a state_lock holder may wait for
 * memory_lock, and a data-file call, which holds state_lock and then the
 * file's lock for the variant's callbacks, may fault on an mmap of the
 * device (mmap_lock -> memory_lock) while copying to or from the user,
 * without either ever waiting for the reset in a cycle.
 */
#ifndef __VFIO_PCI_CORE_MIGRATION_H
#define __VFIO_PCI_CORE_MIGRATION_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/vfio.h>

struct vfio_pci_core_device;
struct vfio_pci_mig_stream;

/**
 * struct vfio_pci_core_mig - migration state of one device
 * @ops: the variant's device work; NULL when the device does not migrate
 * @state_lock: serializes state changes and every call into @ops but @reset
 * @state: the current state; read and written under @state_lock
 * @reset_lock: guards @reset_pending and @abort_err
 * @reset_pending: a reset happened while @state_lock was held by someone
 *		   else; the holder applies it when unlocking
 * @abort_err: the variant aborted the session (vfio_pci_core_mig_abort())
 *	       with this errno; applied like @reset_pending, before it
 * @save: the data file of the saving states, or NULL; the core holds a file
 *	  reference while it is set
 * @resume: the data file of RESUMING, or NULL
 */
struct vfio_pci_core_mig {
	const struct vfio_pci_core_mig_ops *ops;
	struct mutex state_lock;	/* see above */
	enum vfio_device_mig_state state;
	bool stopped;			/* written under state_lock */
	spinlock_t reset_lock;		/* innermost */
	bool reset_pending;
	int abort_err;
	struct vfio_pci_mig_stream *save;
	struct vfio_pci_mig_stream *resume;
};

/**
 * struct vfio_pci_core_dirty_range - one IOVA range being tracked
 * @iova: first byte
 * @length: bytes, a multiple of the tracking page size
 * @bitmap: one bit per page
 */
struct vfio_pci_core_dirty_range {
	u64 iova;
	u64 length;
	unsigned long *bitmap;
};

/**
 * struct vfio_pci_core_dirty - the dirty tracker of one device
 * @log_lock: serializes start, stop and report
 * @mark_lock: guards @ranges against vfio_pci_core_dirty_mark(); bits are
 *	       set and cleared with atomic operations
 * @ranges: the tracked ranges, sorted by IOVA; NULL while not tracking
 * @nr_ranges: their number
 * @page_shift: log2 of the tracking page size
 * @dev_ops: the device's own tracker, NULL for the software one alone;
 *	     its calls run under @log_lock
 */
struct vfio_pci_core_dirty {
	struct mutex log_lock;		/* see above */
	spinlock_t mark_lock;		/* see above */
	struct vfio_pci_core_dirty_range *ranges;
	u32 nr_ranges;
	unsigned int page_shift;
	const struct vfio_pci_core_dirty_ops *dev_ops;
};

/* migration.c */
void vfio_pci_core_mig_setup(struct vfio_pci_core_device *core);
void vfio_pci_core_mig_open(struct vfio_pci_core_device *core);
void vfio_pci_core_mig_close(struct vfio_pci_core_device *core);
void vfio_pci_core_mig_reset_notify(struct vfio_pci_core_device *core);
void vfio_pci_core_mig_lock(struct vfio_pci_core_device *core);
void vfio_pci_core_mig_unlock(struct vfio_pci_core_device *core);
bool vfio_pci_core_mig_trylock(struct vfio_pci_core_device *core);
void vfio_pci_core_mig_fail(struct vfio_pci_core_device *core, int err);
int vfio_pci_core_mig_check(struct vfio_pci_core_device *core);

/* mig_file.c, mig_save.c, mig_load.c: called with state_lock held */
struct vfio_pci_mig_stream *
vfio_pci_mig_file_new(struct vfio_pci_core_device *core, bool saving);
/* end the session: files fail with @err; lock-free, may run in reset */
void vfio_pci_mig_file_drop(struct vfio_pci_mig_stream *s, int err);
struct file *vfio_pci_mig_file_filp(struct vfio_pci_mig_stream *s);
int vfio_pci_mig_file_begin_save(struct vfio_pci_mig_stream *s, bool precopy);
void vfio_pci_mig_file_stop_copy(struct vfio_pci_mig_stream *s);
int vfio_pci_mig_file_end_load(struct vfio_pci_mig_stream *s);
u64 vfio_pci_mig_file_framed(const struct vfio_pci_core_mig_ops *ops,
			     u64 payload);
u64 vfio_pci_mig_file_stream_bytes(const struct vfio_pci_core_mig_ops *ops,
				   u64 payload);

/* dirty.c */
void vfio_pci_core_dirty_setup(struct vfio_pci_core_device *core);
void vfio_pci_core_dirty_close(struct vfio_pci_core_device *core);

#endif /* __VFIO_PCI_CORE_MIGRATION_H */
