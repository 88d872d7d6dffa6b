// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: CPU access to the IOVA space the device is attached to.
 *
 * A driver that reads what its device is about to fetch by DMA, or carries
 * out a DMA the user asked for, needs to reach the memory behind an IOVA as
 * the device does.  Which memory that is depends on how the user set up the
 * device's DMA:
 *
 *  - group path, type1 container: the container knows the user's mappings;
 *    vfio_dma_rw() copies through them.
 *  - iommufd (cdev, or the group path with iommufd as the container), the
 *    device attached to an IOAS: an iommufd access object on that IOAS, and
 *    iommufd_access_rw(), which copies under iommufd's own locks; nothing
 *    is pinned between calls, so an unmap needs nothing from us.
 *  - iommufd, the device attached to a page table (HWPT) the user allocated
 *    from an IOAS, as QEMU does for every physical device: an access can
 *    only be attached to an IOAS, and nothing exported maps a HWPT to its
 *    IOAS.  The core sees the page table's ID at attach time and looks for
 *    the IOAS objects of the user's iommufd: a paging HWPT keeps its IOAS
 *    alive, so when the iommufd holds exactly one IOAS that IOAS is the
 *    page table's, for as long as the attachment lasts.  With several
 *    (e.g. a VMM with one IOAS per vIOMMU address space) the core cannot
 *    tell which one the page table translates, and refuses the attach.
 *
 * The look-up and the access exist only for a variant that asked for them
 * with vfio_pci_core_iova_init(); everything happens at attach time, so a
 * device that cannot reach its IOVA space says so before any migration.
 */
#include <linux/iommufd.h>

#include "private.h"

#if VFIO_PCI_COMPAT_IOMMUFD
/* iommufd_access_*() here and iova_bitmap_set() in dirty.c */
VFIO_PCI_COMPAT_IMPORT_NS(IOMMUFD);
#endif

/*
 * The IDs searched for the IOAS of a page table: object IDs are allocated
 * lowest-free-first, so its IOAS (created before it, unless the page table
 * reused a freed ID) is below it or shortly above.  An IOAS farther away is
 * not found and the attach is refused.
 */
#define VFIO_PCI_IOVA_SCAN_BELOW	65536
#define VFIO_PCI_IOVA_SCAN_ABOVE	256

void vfio_pci_core_iova_init(struct vfio_pci_core_device *core)
{
	core->priv->iova_wanted = true;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_iova_init);

#if VFIO_PCI_COMPAT_IOMMUFD
static void vfio_pci_iova_unmap(void *data, unsigned long iova,
				unsigned long length)
{
	/* Nothing is pinned: iommufd_access_rw() looks the IOVA up each time. */
}

static const struct iommufd_access_ops vfio_pci_iova_access_ops = {
	.unmap = vfio_pci_iova_unmap,
};

/*
 * The IOAS behind @pt_id: @pt_id itself, or the one IOAS of the iommufd.
 * On success @access is attached to it.
 */
static int vfio_pci_iova_find_ioas(struct iommufd_access *access, u32 pt_id)
{
	u32 id, found = 0, first, last;
	int ret;

	ret = iommufd_access_attach(access, pt_id);
	if (ret != -ENOENT)
		return ret;

	/* A page table: count the IOAS objects around it. */
	first = pt_id > VFIO_PCI_IOVA_SCAN_BELOW ?
		pt_id - VFIO_PCI_IOVA_SCAN_BELOW : 1;
	if (check_add_overflow(pt_id, VFIO_PCI_IOVA_SCAN_ABOVE, &last))
		last = U32_MAX;
	for (id = first; id && id <= last; id++) {
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		if (id == pt_id || iommufd_access_attach(access, id))
			continue;
		iommufd_access_detach(access);
		if (found)
			return -EOPNOTSUPP;	/* which one? */
		found = id;
	}
	if (!found)
		return -EOPNOTSUPP;
	return iommufd_access_attach(access, found);
}

/* A new access for @pt_id, attached to its IOAS. */
static struct iommufd_access *
vfio_pci_iova_access_new(struct vfio_pci_core_device *core, u32 pt_id)
{
	struct iommufd_access *access;
	struct iommufd_ctx *ictx;
	u32 id;
	int ret;

	ictx = vfio_iommufd_device_ictx(&core->vdev);
	if (!ictx)
		return ERR_PTR(-EOPNOTSUPP);
	access = iommufd_access_create(ictx, &vfio_pci_iova_access_ops, core,
				       &id);
	if (IS_ERR(access))
		return access;
	ret = vfio_pci_iova_find_ioas(access, pt_id);
	if (ret) {
		iommufd_access_destroy(access);
		return ERR_PTR(ret);
	}
	return access;
}

static void vfio_pci_iova_release_locked(struct vfio_pci_core_private *priv)
{
	lockdep_assert_held(&priv->iova_lock);
	if (priv->iova_access) {
		iommufd_access_destroy(priv->iova_access);
		priv->iova_access = NULL;
	}
}

static int vfio_pci_iova_attach(struct vfio_device *vdev, u32 *pt_id)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	struct vfio_pci_core_private *priv = core->priv;
	struct iommufd_access *access = NULL;
	int ret;

	guard(mutex)(&priv->iova_lock);
	/* Before anything changes: a refusal leaves the old attachment. */
	if (priv->iova_wanted) {
		access = vfio_pci_iova_access_new(core, *pt_id);
		if (IS_ERR(access))
			return PTR_ERR(access);
	}
	ret = vfio_iommufd_physical_attach_ioas(vdev, pt_id);
	if (ret) {
		if (access)
			iommufd_access_destroy(access);
		return ret;
	}
	vfio_pci_iova_release_locked(priv);
	priv->iova_access = access;
	return 0;
}

static void vfio_pci_iova_detach(struct vfio_device *vdev)
{
	struct vfio_pci_core_private *priv = to_vfio_pci_core(vdev)->priv;

	scoped_guard(mutex, &priv->iova_lock)
		vfio_pci_iova_release_locked(priv);
	vfio_iommufd_physical_detach_ioas(vdev);
}

static int vfio_pci_iova_iommufd_rw(struct vfio_pci_core_device *core,
				    u64 iova, void *buf, size_t len,
				    bool write)
{
	struct vfio_pci_core_private *priv = core->priv;

	guard(mutex)(&priv->iova_lock);
	if (!priv->iova_access)
		return -EOPNOTSUPP;
	if (iova > ULONG_MAX)
		return -EINVAL;
	return iommufd_access_rw(priv->iova_access, iova, buf, len,
				 write ? IOMMUFD_ACCESS_RW_WRITE : 0);
}

void vfio_pci_core_iova_close(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_private *priv = core->priv;

	guard(mutex)(&priv->iova_lock);
	vfio_pci_iova_release_locked(priv);
}
#else
static int vfio_pci_iova_attach(struct vfio_device *vdev, u32 *pt_id)
{
	return -EOPNOTSUPP;
}

static void vfio_pci_iova_detach(struct vfio_device *vdev)
{
}

static int vfio_pci_iova_iommufd_rw(struct vfio_pci_core_device *core,
				    u64 iova, void *buf, size_t len,
				    bool write)
{
	return -EOPNOTSUPP;
}

void vfio_pci_core_iova_close(struct vfio_pci_core_device *core)
{
}
#endif

int vfio_pci_core_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	return vfio_pci_iova_attach(vdev, pt_id);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_attach_ioas);

void vfio_pci_core_detach_ioas(struct vfio_device *vdev)
{
	vfio_pci_iova_detach(vdev);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_detach_ioas);

int vfio_pci_core_iova_rw(struct vfio_pci_core_device *core, u64 iova,
			  void *buf, size_t len, bool write)
{
	/* It touches user memory, which may be a mapping of this device. */
	if (vfio_pci_core_caller_holds(&core->priv->memory_lock))
		return -EDEADLK;
	if (!core->priv->iova_wanted || !len)
		return -EINVAL;
	/* Bound through iommufd (cdev, or a group in an iommufd container). */
	if (vfio_iommufd_device_ictx(&core->vdev))
		return vfio_pci_iova_iommufd_rw(core, iova, buf, len, write);
	/* A type1 container: it copies through the user's own mappings. */
	return vfio_dma_rw(&core->vdev, iova, buf, len, write);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_iova_rw);
