// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: BAR ranges trapped by a variant.
 *
 * One list per device, sorted by BAR and offset, serves the three places
 * that must agree on it: read/write (bar_rw.c cuts accesses at the ranges'
 * ends and hands the pieces inside to the variant), mmap (mmap.c refuses
 * any page holding a trapped byte) and region info (the mappable areas are
 * the BAR's pages minus those).
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "private.h"

static int vfio_pci_bar_trap_cmp(const void *a, const void *b)
{
	const struct vfio_pci_core_bar_trap *x = a, *y = b;

	if (x->bar != y->bar)
		return x->bar < y->bar ? -1 : 1;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return 0;
}

static int vfio_pci_bar_trap_check(struct vfio_pci_core_device *core,
				   const struct vfio_pci_core_bar_trap *t)
{
	struct pci_dev *pdev = core->pdev;
	resource_size_t len;
	u64 end;

	if (t->bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	/* A virtual BAR is the variant's own: it serves it in full. */
	if (vfio_pci_core_vbar_owns(core, t->bar))
		return -EBUSY;
	len = pci_resource_len(pdev, t->bar);
	if (!len || !(pci_resource_flags(pdev, t->bar) &
		      (IORESOURCE_MEM | IORESOURCE_IO)))
		return -EINVAL;
	if (!t->size || check_add_overflow(t->offset, t->size, &end) ||
	    end > len)
		return -EINVAL;
	return 0;
}

int vfio_pci_core_bar_add_traps(struct vfio_pci_core_device *core,
				const struct vfio_pci_core_bar_trap *traps,
				unsigned int n)
{
	struct vfio_pci_core_traps *t = &core->priv->traps;
	struct vfio_pci_core_bar_trap *all;
	unsigned int i, total;
	int ret;

	if (t->frozen)
		return -EBUSY;
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		ret = vfio_pci_bar_trap_check(core, &traps[i]);
		if (ret)
			return ret;
	}
	if (check_add_overflow(t->nbar_traps, n, &total))
		return -EINVAL;

	all = kmalloc_array(total, sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	if (t->nbar_traps)
		memcpy(all, t->bar_traps, t->nbar_traps * sizeof(*all));
	memcpy(&all[t->nbar_traps], traps, n * sizeof(*traps));
	sort(all, total, sizeof(*all), vfio_pci_bar_trap_cmp, NULL);

	/* Sorted: an overlap can only be with the next range of the BAR. */
	for (i = 1; i < total; i++) {
		if (all[i].bar == all[i - 1].bar &&
		    all[i].offset < all[i - 1].offset + all[i - 1].size) {
			kfree(all);
			return -EBUSY;
		}
	}
	kfree(t->bar_traps);
	t->bar_traps = all;
	t->nbar_traps = total;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_bar_add_traps);

/*
 * The range holding @pos of @bar, or NULL.  *@span: how many bytes from @pos
 * stay on the same side (to the range's end, or to the next range's start;
 * U64_MAX when no range follows).
 */
const struct vfio_pci_core_bar_trap *
vfio_pci_bar_trap_at(struct vfio_pci_core_device *core, unsigned int bar,
		     u64 pos, u64 *span)
{
	const struct vfio_pci_core_traps *t = &core->priv->traps;
	unsigned int i;

	*span = U64_MAX;
	for (i = 0; i < t->nbar_traps; i++) {
		const struct vfio_pci_core_bar_trap *r = &t->bar_traps[i];

		if (r->bar != bar)
			continue;
		if (pos < r->offset) {
			*span = r->offset - pos;
			return NULL;
		}
		if (pos - r->offset < r->size) {
			*span = r->size - (pos - r->offset);
			return r;
		}
	}
	return NULL;
}

/* The pages [first, last] holding bytes of range @r. */
static void vfio_pci_bar_trap_page_span(const struct vfio_pci_core_bar_trap *r,
					u64 *first, u64 *last)
{
	*first = r->offset >> PAGE_SHIFT;
	*last = (r->offset + r->size - 1) >> PAGE_SHIFT;
}

/* Does [@start, @start + @len) of @bar share a page with a trapped range? */
bool vfio_pci_bar_trap_pages(struct vfio_pci_core_device *core,
			     unsigned int bar, u64 start, u64 len)
{
	const struct vfio_pci_core_traps *t = &core->priv->traps;
	u64 first, last, pfirst, plast;
	unsigned int i;

	if (!len)
		return false;
	pfirst = start >> PAGE_SHIFT;
	plast = (start + len - 1) >> PAGE_SHIFT;
	for (i = 0; i < t->nbar_traps; i++) {
		if (t->bar_traps[i].bar != bar)
			continue;
		vfio_pci_bar_trap_page_span(&t->bar_traps[i], &first, &last);
		if (first <= plast && pfirst <= last)
			return true;
	}
	return false;
}

/*
 * Walk the mappable areas of @bar: the pages of the BAR (rounded up to a
 * page) not holding a trapped byte.  Fills @areas when not NULL; returns how
 * many there are.
 */
static unsigned int vfio_pci_bar_trap_areas(struct vfio_pci_core_device *core,
					    unsigned int bar,
					    struct vfio_region_sparse_mmap_area *areas)
{
	const struct vfio_pci_core_traps *t = &core->priv->traps;
	u64 span = PAGE_ALIGN((u64)pci_resource_len(core->pdev, bar));
	u64 next = 0, first, last;
	unsigned int i, n = 0;

	for (i = 0; i < t->nbar_traps; i++) {
		if (t->bar_traps[i].bar != bar)
			continue;
		vfio_pci_bar_trap_page_span(&t->bar_traps[i], &first, &last);
		first <<= PAGE_SHIFT;
		if (first > next) {
			if (areas) {
				areas[n].offset = next;
				areas[n].size = first - next;
			}
			n++;
		}
		next = max(next, (last + 1) << PAGE_SHIFT);
	}
	if (next < span) {
		if (areas) {
			areas[n].offset = next;
			areas[n].size = span - next;
		}
		n++;
	}
	return n;
}

/*
 * For a mappable BAR with trapped ranges: describe the mappable areas with
 * a sparse-mmap capability, or take the mmap flag away when none is left.
 */
int vfio_pci_bar_trap_region_info(struct vfio_pci_core_device *core,
				  unsigned int bar,
				  struct vfio_region_info *info,
				  struct vfio_info_cap *caps)
{
	struct vfio_region_info_cap_sparse_mmap *sparse;
	unsigned int n;
	size_t size;
	int ret;

	if (!vfio_pci_bar_trap_pages(core, bar, 0,
				     pci_resource_len(core->pdev, bar)))
		return 0;

	n = vfio_pci_bar_trap_areas(core, bar, NULL);
	if (!n) {
		info->flags &= ~VFIO_REGION_INFO_FLAG_MMAP;
		return 0;
	}
	size = struct_size(sparse, areas, n);
	sparse = kzalloc(size, GFP_KERNEL);
	if (!sparse)
		return -ENOMEM;
	sparse->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	sparse->header.version = 1;
	sparse->nr_areas = n;
	vfio_pci_bar_trap_areas(core, bar, sparse->areas);
	ret = vfio_info_add_capability(caps, &sparse->header, size);
	kfree(sparse);
	return ret;
}

static int vfio_pci_bar_hw_access(struct vfio_pci_core_device *core,
				  unsigned int bar, u64 offset,
				  unsigned int size, u64 *val, bool write)
{
	struct pci_dev *pdev = core->pdev;
	resource_size_t len;
	bool is_io;
	void __iomem *io;

	if (vfio_pci_core_caller_holds(&core->priv->memory_lock))
		return -EDEADLK;
	if (bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	len = pci_resource_len(pdev, bar);
	is_io = pci_resource_flags(pdev, bar) & IORESOURCE_IO;
	if (size != 1 && size != 2 && size != 4 &&
	    !(size == 8 && IS_ENABLED(CONFIG_64BIT) && !is_io))
		return -EINVAL;
	if (offset % size || offset >= len || size > len - offset)
		return -EINVAL;

	io = vfio_pci_core_bar_map(core, bar);
	if (IS_ERR(io))
		return PTR_ERR(io);
	return vfio_pci_core_bar_io(core, io + offset, size, val, is_io,
				    write);
}

int vfio_pci_core_bar_hw_read(struct vfio_pci_core_device *core,
			      unsigned int bar, u64 offset, unsigned int size,
			      u64 *val)
{
	*val = 0;
	return vfio_pci_bar_hw_access(core, bar, offset, size, val, false);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_bar_hw_read);

int vfio_pci_core_bar_hw_write(struct vfio_pci_core_device *core,
			       unsigned int bar, u64 offset, unsigned int size,
			       u64 val)
{
	return vfio_pci_bar_hw_access(core, bar, offset, size, &val, true);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_bar_hw_write);

int vfio_pci_core_bar_hw_wait(struct vfio_pci_core_device *core,
			      unsigned int bar, u64 offset, unsigned int size,
			      u64 mask, unsigned int timeout_ms)
{
	unsigned int i;
	u64 val;
	int ret;

	for (i = 0; i < timeout_ms; i++) {
		ret = vfio_pci_core_bar_hw_read(core, bar, offset, size, &val);
		if (ret || !(val & mask))
			return ret;
		usleep_range(1000, 2000);
	}
	return -ETIMEDOUT;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_bar_hw_wait);
