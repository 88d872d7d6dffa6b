// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: a software tracker for VFIO_DEVICE_FEATURE_DMA_LOGGING_*.
 *
 * For devices whose driver knows what they write (it starts their DMA, or
 * traps the registers that do): the variant reports each write with
 * vfio_pci_core_dirty_mark() and the core keeps one bitmap per tracked range.
 * A device with its own page tracker plugs it in with
 * vfio_pci_core_dirty_init_device(): the core starts and stops it with the
 * session and, before each report, has it mark what it saw (&struct
 * vfio_pci_core_dirty_ops.sync), all under log_lock; the checks, bitmaps
 * and reports stay the core's.
 *
 * The vfio core has already copied the ranges into an interval tree and
 * refused overlapping ones, unaligned ones (for a power-of-two page size)
 * and ones that overflow, and it bounds the range count.  It does not check
 * the page size itself, nor empty ranges (which turn into a node ending
 * before it starts, or spanning all of the address space from 0), nor how
 * much memory the bitmaps would take: those are checked here.
 */
#include <linux/interval_tree.h>
#include <linux/iova_bitmap.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/sizes.h>

#include "private.h"

/* The most bits all bitmaps together may have: 8 MiB of bitmap. */
#define VFIO_PCI_DIRTY_MAX_BITS		(8ULL * SZ_8M)
#define VFIO_PCI_DIRTY_MAX_PAGE		SZ_1G

static void vfio_pci_dirty_free(struct vfio_pci_core_dirty_range *ranges,
				u32 nr)
{
	u32 i;

	if (!ranges)
		return;
	for (i = 0; i < nr; i++)
		kvfree(ranges[i].bitmap);
	kvfree(ranges);
}

static int vfio_pci_dirty_build(struct rb_root_cached *root, u32 nnodes,
				unsigned int shift,
				struct vfio_pci_core_dirty_range *ranges)
{
	struct interval_tree_node *node;
	u64 total = 0, bits;
	u32 i = 0;

	for (node = interval_tree_iter_first(root, 0, ULONG_MAX); node;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		u64 start = node->start, length = (u64)node->last - start + 1;

		/* Empty ranges wrap around: see the comment on top. */
		if (i == nnodes || node->last < node->start || !length)
			return -EINVAL;
		if (!IS_ALIGNED(start, 1ULL << shift) ||
		    !IS_ALIGNED(length, 1ULL << shift))
			return -EINVAL;
		bits = length >> shift;
		total += bits;
		if (bits > VFIO_PCI_DIRTY_MAX_BITS ||
		    total > VFIO_PCI_DIRTY_MAX_BITS)
			return -E2BIG;
		ranges[i].iova = start;
		ranges[i].length = length;
		ranges[i].bitmap = kvcalloc(BITS_TO_LONGS(bits),
					    sizeof(unsigned long),
					    GFP_KERNEL_ACCOUNT);
		if (!ranges[i].bitmap)
			return -ENOMEM;
		i++;
	}
	return i == nnodes ? 0 : -EINVAL;
}

/* Start the device's tracker on the ranges the core just checked. */
static int vfio_pci_dirty_dev_start(struct vfio_device *vdev,
				    struct vfio_pci_core_dirty *d,
				    struct vfio_pci_core_dirty_range *ranges,
				    u32 nr, unsigned int shift)
{
	struct vfio_pci_core_dirty_span *spans;
	u32 i;
	int ret;

	lockdep_assert_held(&d->log_lock);
	spans = kvcalloc(nr, sizeof(*spans), GFP_KERNEL);
	if (!spans)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		spans[i].iova = ranges[i].iova;
		spans[i].length = ranges[i].length;
	}
	ret = d->dev_ops->start(to_vfio_pci_core(vdev), spans, nr, 1ULL << shift);
	kvfree(spans);
	return ret;
}

static int vfio_pci_dirty_start(struct vfio_device *vdev,
				struct rb_root_cached *root, u32 nnodes,
				u64 *page_size)
{
	struct vfio_pci_core_dirty *d = &to_vfio_pci_core(vdev)->priv->dirty;
	struct vfio_pci_core_dirty_range *ranges;
	unsigned int shift;
	int ret;

	if (!is_power_of_2(*page_size) || *page_size < SZ_4K ||
	    *page_size > VFIO_PCI_DIRTY_MAX_PAGE)
		return -EINVAL;
	shift = ilog2(*page_size);

	guard(mutex)(&d->log_lock);
	/* One session at a time; stop ends it. */
	if (d->ranges)
		return -EINVAL;
	if (d->dev_ops && nnodes > d->dev_ops->max_ranges)
		return -E2BIG;

	ranges = kvcalloc(nnodes, sizeof(*ranges), GFP_KERNEL_ACCOUNT);
	if (!ranges)
		return -ENOMEM;
	ret = vfio_pci_dirty_build(root, nnodes, shift, ranges);
	if (!ret && d->dev_ops)
		ret = vfio_pci_dirty_dev_start(vdev, d, ranges, nnodes, shift);
	if (ret) {
		vfio_pci_dirty_free(ranges, nnodes);
		return ret;
	}

	spin_lock_irq(&d->mark_lock);
	d->page_shift = shift;
	d->nr_ranges = nnodes;
	d->ranges = ranges;
	spin_unlock_irq(&d->mark_lock);
	return 0;
}

static void vfio_pci_dirty_stop_locked(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_dirty *d = &core->priv->dirty;
	struct vfio_pci_core_dirty_range *ranges;
	u32 nr;

	lockdep_assert_held(&d->log_lock);
	if (d->ranges && d->dev_ops)
		d->dev_ops->stop(core);
	spin_lock_irq(&d->mark_lock);
	ranges = d->ranges;
	nr = d->nr_ranges;
	d->ranges = NULL;
	d->nr_ranges = 0;
	spin_unlock_irq(&d->mark_lock);
	vfio_pci_dirty_free(ranges, nr);
}

static int vfio_pci_dirty_stop(struct vfio_device *vdev)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);

	guard(mutex)(&core->priv->dirty.log_lock);
	vfio_pci_dirty_stop_locked(core);
	return 0;
}

/* Report and clear the dirty pages of one tracked range within [lo, hi]. */
static void vfio_pci_dirty_report_range(struct vfio_pci_core_dirty_range *r,
					unsigned int shift, u64 lo, u64 hi,
					struct iova_bitmap *dirty)
{
	u64 r_last = r->iova + r->length - 1;
	unsigned long first, last, bit, end;

	if (hi < r->iova || lo > r_last)
		return;
	first = (max(lo, r->iova) - r->iova) >> shift;
	last = (min(hi, r_last) - r->iova) >> shift;

	for (bit = find_next_bit(r->bitmap, last + 1, first); bit <= last;
	     bit = find_next_bit(r->bitmap, last + 1, end)) {
		u64 from, to;

		end = find_next_zero_bit(r->bitmap, last + 1, bit);
		from = r->iova + ((u64)bit << shift);
		to = r->iova + ((u64)end << shift) - 1;
		/* Clear bit by bit: a concurrent mark must not be lost. */
		for (; bit < end; bit++)
			clear_bit(bit, r->bitmap);
		from = max(from, lo);
		to = min(to, hi);
		iova_bitmap_set(dirty, from, to - from + 1);
	}
}

static int vfio_pci_dirty_read_and_clear(struct vfio_device *vdev,
					 unsigned long iova,
					 unsigned long length,
					 struct iova_bitmap *dirty)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	struct vfio_pci_core_dirty *d = &core->priv->dirty;
	u64 lo = iova, hi = iova + length - 1;
	int ret;
	u32 i;

	if (!length)
		return 0;

	/* log_lock keeps the ranges alive; iova_bitmap_set() may sleep. */
	guard(mutex)(&d->log_lock);
	if (!d->ranges)
		return -EINVAL;
	for (i = 0; d->dev_ops && i < d->nr_ranges; i++) {
		struct vfio_pci_core_dirty_range *r = &d->ranges[i];
		u64 from = max(lo, r->iova);
		u64 to = min(hi, r->iova + r->length - 1);

		if (from > to)
			continue;
		ret = d->dev_ops->sync(core, from, to - from + 1);
		if (ret) {
			/* The device's log is lost: the session ends. */
			vfio_pci_dirty_stop_locked(core);
			return ret;
		}
	}
	for (i = 0; i < d->nr_ranges; i++)
		vfio_pci_dirty_report_range(&d->ranges[i], d->page_shift, lo,
					    hi, dirty);
	return 0;
}

static const struct vfio_log_ops vfio_pci_core_log_ops = {
	.log_start		= vfio_pci_dirty_start,
	.log_stop		= vfio_pci_dirty_stop,
	.log_read_and_clear	= vfio_pci_dirty_read_and_clear,
};

bool vfio_pci_core_dirty_init(struct vfio_pci_core_device *core)
{
	if (!VFIO_PCI_COMPAT_DIRTY_REPORT || vfio_pci_core_declare_refused(core))
		return false;
	core->vdev.log_ops = &vfio_pci_core_log_ops;
	return true;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_dirty_init);

bool vfio_pci_core_dirty_init_device(struct vfio_pci_core_device *core,
				     const struct vfio_pci_core_dirty_ops *ops)
{
	if (WARN_ON(!ops || !ops->start || !ops->stop || !ops->sync ||
		    !ops->max_ranges))
		return false;
	if (!vfio_pci_core_dirty_init(core))
		return false;
	core->priv->dirty.dev_ops = ops;
	return true;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_dirty_init_device);

void vfio_pci_core_dirty_mark(struct vfio_pci_core_device *core, u64 iova,
			      u64 length)
{
	struct vfio_pci_core_dirty *d = &core->priv->dirty;
	unsigned long flags;
	u64 last;
	u32 i;

	if (!length)
		return;
	if (check_add_overflow(iova, length - 1, &last))
		last = U64_MAX;

	spin_lock_irqsave(&d->mark_lock, flags);
	for (i = 0; d->ranges && i < d->nr_ranges; i++) {
		struct vfio_pci_core_dirty_range *r = &d->ranges[i];
		u64 r_last = r->iova + r->length - 1;
		unsigned long bit, end;

		if (last < r->iova || iova > r_last)
			continue;
		bit = (max(iova, r->iova) - r->iova) >> d->page_shift;
		end = (min(last, r_last) - r->iova) >> d->page_shift;
		/* Racing a report's clear_bit() can only over-report. */
		bitmap_set(r->bitmap, bit, end - bit + 1);
	}
	spin_unlock_irqrestore(&d->mark_lock, flags);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_dirty_mark);

void vfio_pci_core_dirty_setup(struct vfio_pci_core_device *core)
{
	mutex_init(&core->priv->dirty.log_lock);
	spin_lock_init(&core->priv->dirty.mark_lock);
}

/* The last close ends tracking: the next user starts from nothing. */
void vfio_pci_core_dirty_close(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_dirty *d = &core->priv->dirty;

	guard(mutex)(&d->log_lock);
	vfio_pci_dirty_stop_locked(core);
}
