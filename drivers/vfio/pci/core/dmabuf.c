// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: VFIO_DEVICE_FEATURE_DMA_BUF, a slice of a memory BAR (the
 * function's own, or a variant's virtual BAR) handed out as a dma-buf for
 * peer-to-peer DMA.
 *
 * The export is revocable like an mmap of the BAR: whatever revokes BAR
 * mappings (memory disable, reset, D3, low power; memory.c) also revokes
 * every dma-buf of the device, and memory_unlock() gives them back once the
 * BARs decode again.  Importers must be dynamic and accept revocation.
 * iommufd finds these dma-bufs through vfio_pci_dma_buf_iommufd_map(), the
 * symbol it looks up by name.
 *
 * Locks: memory_lock -> the dma-buf's reservation lock.  The device's list
 * of dma-bufs and each one's @core change under memory_lock held for write;
 * @revoked and @mapped under the reservation lock.
 */
#include <linux/dma-buf-mapping.h>
#include <linux/dma-resv.h>
#include <linux/pci-p2pdma.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "private.h"

MODULE_IMPORT_NS("DMA_BUF");

/**
 * struct vfio_pci_core_dmabuf - one exported slice
 * @dmabuf: the dma-buf
 * @core: the device, until its last close (then NULL: revoked for good);
 *	  a registration reference is held while it is set
 * @link: in the device's @dmabufs list
 * @provider: the P2P provider of the BAR the memory lies in
 * @phys: the physical ranges, @nr of them
 * @nr: entries in @phys
 * @size: bytes in all
 * @revoked: no new mapping; set while the BAR does not decode
 * @mapped: mappings importers hold; a revocation waits for them to go
 * @unmapped: woken when @mapped drops
 */
struct vfio_pci_core_dmabuf {
	struct dma_buf *dmabuf;
	struct vfio_pci_core_device *core;
	struct list_head link;
	struct p2pdma_provider *provider;
	struct phys_vec *phys;
	u32 nr;
	size_t size;
	bool revoked;
	unsigned int mapped;
	wait_queue_head_t unmapped;
};

static int vfio_pci_core_dmabuf_attach(struct dma_buf *dmabuf,
				       struct dma_buf_attachment *attach)
{
	struct vfio_pci_core_dmabuf *db = dmabuf->priv;

	/* Only importers that reach BAR memory and let go when told. */
	if (!attach->peer2peer || !dma_buf_attach_revocable(attach))
		return -EOPNOTSUPP;
	return READ_ONCE(db->revoked) ? -ENODEV : 0;
}

static struct sg_table *
vfio_pci_core_dmabuf_map(struct dma_buf_attachment *attach,
			 enum dma_data_direction dir)
{
	struct vfio_pci_core_dmabuf *db = attach->dmabuf->priv;
	struct sg_table *sgt;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (db->revoked)
		return ERR_PTR(-ENODEV);
	sgt = dma_buf_phys_vec_to_sgt(attach, db->provider, db->phys, db->nr,
				      db->size, dir);
	if (!IS_ERR(sgt))
		db->mapped++;
	return sgt;
}

static void vfio_pci_core_dmabuf_unmap(struct dma_buf_attachment *attach,
				       struct sg_table *sgt,
				       enum dma_data_direction dir)
{
	struct vfio_pci_core_dmabuf *db = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	dma_buf_free_sgt(attach, sgt, dir);
	if (!--db->mapped)
		wake_up_all(&db->unmapped);
}

static void vfio_pci_core_dmabuf_release(struct dma_buf *dmabuf)
{
	struct vfio_pci_core_dmabuf *db = dmabuf->priv;
	struct vfio_pci_core_device *core = db->core;

	/*
	 * The last close detaches only dma-bufs whose file is still alive, so
	 * @core cannot change under us; our registration reference keeps it.
	 */
	if (core) {
		scoped_guard(rwsem_write, &core->priv->memory_lock)
			list_del(&db->link);
		vfio_device_put_registration(&core->vdev);
	}
	kfree(db->phys);
	kfree(db);
}

static const struct dma_buf_ops vfio_pci_core_dmabuf_ops = {
	.attach = vfio_pci_core_dmabuf_attach,
	.map_dma_buf = vfio_pci_core_dmabuf_map,
	.unmap_dma_buf = vfio_pci_core_dmabuf_unmap,
	.release = vfio_pci_core_dmabuf_release,
};

int vfio_pci_dma_buf_iommufd_map(struct dma_buf_attachment *attach,
				 struct phys_vec *phys)
{
	struct vfio_pci_core_dmabuf *db;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (attach->dmabuf->ops != &vfio_pci_core_dmabuf_ops)
		return -EOPNOTSUPP;
	db = attach->dmabuf->priv;
	if (db->revoked)
		return -ENODEV;
	/* iommufd takes one physical range and treats a move as a revoke. */
	if (db->nr != 1)
		return -EOPNOTSUPP;
	*phys = db->phys[0];
	return 0;
}
EXPORT_SYMBOL_FOR_MODULES(vfio_pci_dma_buf_iommufd_map, "iommufd");

/* At allocation, in probe: the P2P providers live as long as the binding. */
int vfio_pci_core_dmabuf_init(struct pci_dev *pdev)
{
	int ret = pcim_p2pdma_init(pdev);

	/* A function whose BARs cannot be mapped just has no DMA_BUF. */
	return ret == -EOPNOTSUPP ? 0 : ret;
}

/* Revoke or give back one dma-buf; memory_lock is held for write. */
static void vfio_pci_core_dmabuf_set(struct vfio_pci_core_dmabuf *db,
				     bool revoked)
{
	struct dma_resv *resv = db->dmabuf->resv;

	if (db->revoked == revoked)
		return;
	dma_resv_lock(resv, NULL);
	db->revoked = revoked;
	if (revoked) {
		dma_buf_invalidate_mappings(db->dmabuf);
		dma_resv_wait_timeout(resv, DMA_RESV_USAGE_BOOKKEEP, false,
				      MAX_SCHEDULE_TIMEOUT);
	}
	dma_resv_unlock(resv);
	/* Importers unmap when told to; the memory goes away only after. */
	if (revoked)
		wait_event(db->unmapped, !READ_ONCE(db->mapped));
}

/* Only dma-bufs whose file is alive: the others are being released. */
static void vfio_pci_core_dmabuf_set_all(struct vfio_pci_core_device *core,
					 bool revoked)
{
	struct vfio_pci_core_dmabuf *db;

	lockdep_assert_held_write(&core->priv->memory_lock);
	list_for_each_entry(db, &core->priv->dmabufs, link) {
		if (!get_file_active(&db->dmabuf->file))
			continue;
		vfio_pci_core_dmabuf_set(db, revoked);
		fput(db->dmabuf->file);
	}
}

void vfio_pci_core_dmabuf_revoke(struct vfio_pci_core_device *core)
{
	vfio_pci_core_dmabuf_set_all(core, true);
}

void vfio_pci_core_dmabuf_sync(struct vfio_pci_core_device *core)
{
	bool decodes = !vfio_pci_core_low_power_engaged(core) &&
		       core->priv->cfg.vconfig &&
		       vfio_pci_core_memory_enabled(core);

	vfio_pci_core_dmabuf_set_all(core, !decodes);
}

/* At the last close: revoke every dma-buf for good and let go of them. */
void vfio_pci_core_dmabuf_cleanup(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_dmabuf *db, *tmp;

	guard(rwsem_write)(&core->priv->memory_lock);
	list_for_each_entry_safe(db, tmp, &core->priv->dmabufs, link) {
		if (!get_file_active(&db->dmabuf->file))
			continue;
		vfio_pci_core_dmabuf_set(db, true);
		list_del(&db->link);
		db->core = NULL;
		vfio_device_put_registration(&core->vdev);
		fput(db->dmabuf->file);
	}
}

/*
 * The memory behind BAR region @index: where it starts, how long it is,
 * and its P2P provider.  -ENODEV for a region that is no exportable BAR,
 * -EINVAL for one without a provider, as the kernel's vfio-pci answers.
 */
static int vfio_pci_core_dmabuf_source(struct vfio_pci_core_device *core,
				       u32 index, phys_addr_t *start,
				       u64 *len,
				       struct p2pdma_provider **provider)
{
	struct pci_dev *pdev = core->pdev;
	struct vfio_pci_core_vregion *vr;
	unsigned int bar;

	if (index >= VFIO_PCI_ROM_REGION_INDEX)
		return -ENODEV;
	bar = array_index_nospec(index, PCI_STD_NUM_BARS);
	vr = vfio_pci_core_vbar(core, bar);
	if (vr) {
		*start = vr->desc.phys;
		*len = vr->desc.size;
		*provider = vr->desc.p2p_bar ?
			pcim_p2pdma_provider(pdev, vr->desc.p2p_bar - 1) : NULL;
		return 0;
	}
	if (vfio_pci_core_vbar_owns(core, bar) ||
	    !pci_resource_len(pdev, bar) ||
	    IS_ERR(vfio_pci_core_bar_map(core, bar)))
		return -ENODEV;
	*start = pci_resource_start(pdev, bar);
	*len = pci_resource_len(pdev, bar);
	*provider = pcim_p2pdma_provider(pdev, bar);
	return 0;
}

/* Each range page-aligned and non-empty, their sum representable. */
static int vfio_pci_core_dmabuf_total(const struct vfio_region_dma_range *r,
				      u32 nr, size_t *total)
{
	size_t sum = 0;
	u32 i;

	for (i = 0; i < nr; i++) {
		if (!r[i].length || !PAGE_ALIGNED(r[i].offset) ||
		    !PAGE_ALIGNED(r[i].length))
			return -EINVAL;
		if (check_add_overflow(sum, r[i].length, &sum))
			return -EINVAL;
	}
	/* The DMA API keeps a flag in the top bit of a mapping's size. */
	if ((u64)sum & DMA_IOVA_USE_SWIOTLB)
		return -EINVAL;
	*total = sum;
	return 0;
}

static int vfio_pci_core_dmabuf_ranges(struct vfio_pci_core_dmabuf *db,
				       const struct vfio_region_dma_range *r,
				       phys_addr_t start, u64 len)
{
	phys_addr_t end;
	u32 i;

	for (i = 0; i < db->nr; i++) {
		if (check_add_overflow(start, r[i].offset, &db->phys[i].paddr) ||
		    check_add_overflow(db->phys[i].paddr, r[i].length, &end))
			return -EOVERFLOW;
		if (end > start + len)
			return -EINVAL;
		db->phys[i].len = r[i].length;
	}
	return 0;
}

/* What the user asked for, checked in the order the kernel's vfio-pci does. */
static struct vfio_pci_core_dmabuf *
vfio_pci_core_dmabuf_new(const struct vfio_device_feature_dma_buf *req,
			 const struct vfio_region_dma_range *ranges,
			 phys_addr_t start, u64 len,
			 struct p2pdma_provider *provider)
{
	struct vfio_pci_core_dmabuf *db;
	int ret;

	db = kzalloc_obj(*db, GFP_KERNEL);
	if (!db)
		return ERR_PTR(-ENOMEM);
	db->nr = req->nr_ranges;
	init_waitqueue_head(&db->unmapped);
	ret = vfio_pci_core_dmabuf_total(ranges, db->nr, &db->size);
	if (ret)
		goto out_free;
	db->phys = kcalloc(db->nr, sizeof(*db->phys), GFP_KERNEL);
	if (!db->phys) {
		ret = -ENOMEM;
		goto out_free;
	}
	db->provider = provider;
	ret = provider ? vfio_pci_core_dmabuf_ranges(db, ranges, start, len) :
			 -EINVAL;
	if (ret)
		goto out_free_phys;
	return db;

out_free_phys:
	kfree(db->phys);
out_free:
	kfree(db);
	return ERR_PTR(ret);
}

int vfio_pci_core_feature_dma_buf(struct vfio_pci_core_device *core,
				  u32 flags, void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_buf __user *uarg = arg;
	struct vfio_region_dma_range *ranges __free(kfree) = NULL;
	struct vfio_device_feature_dma_buf req;
	DEFINE_DMA_BUF_EXPORT_INFO(exp);
	struct p2pdma_provider *provider;
	struct vfio_pci_core_dmabuf *db;
	phys_addr_t start;
	u64 len;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET,
				 sizeof(req));
	if (ret != 1)
		return ret;
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (!req.nr_ranges || req.flags)
		return -EINVAL;
	ret = vfio_pci_core_dmabuf_source(core, req.region_index, &start,
					  &len, &provider);
	if (ret)
		return ret;

	ranges = memdup_array_user(&uarg->dma_ranges, req.nr_ranges,
				   sizeof(*ranges));
	if (IS_ERR(ranges))
		return PTR_ERR(no_free_ptr(ranges));

	db = vfio_pci_core_dmabuf_new(&req, ranges, start, len, provider);
	if (IS_ERR(db))
		return PTR_ERR(db);

	if (!vfio_device_try_get_registration(&core->vdev)) {
		ret = -ENODEV;
		goto out_free;
	}
	exp.ops = &vfio_pci_core_dmabuf_ops;
	exp.size = db->size;
	exp.flags = req.open_flags;
	exp.priv = db;
	db->dmabuf = dma_buf_export(&exp);
	if (IS_ERR(db->dmabuf)) {
		ret = PTR_ERR(db->dmabuf);
		goto out_put_registration;
	}

	/* From here dma_buf_put() frees @db through release. */
	db->core = core;
	scoped_guard(rwsem_write, &core->priv->memory_lock) {
		db->revoked = !(!vfio_pci_core_low_power_engaged(core) &&
				vfio_pci_core_memory_enabled(core));
		list_add_tail(&db->link, &core->priv->dmabufs);
	}

	ret = dma_buf_fd(db->dmabuf, req.open_flags);
	if (ret < 0)
		dma_buf_put(db->dmabuf);
	return ret;

out_put_registration:
	vfio_device_put_registration(&core->vdev);
out_free:
	kfree(db->phys);
	kfree(db);
	return ret;
}
