// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: CPU access to the IOVA space the device is attached to.
 *
 * A device that keeps state in internal memory it can only move by DMA needs
 * the driver to read and write the memory that DMA reaches.  With the
 * iommufd binding the core records which IOAS the device was attached to
 * and opens an iommufd access object on it when first asked.  The access
 * pins nothing, so an unmap of the IOAS needs no action from us.  Without
 * iommufd in the kernel (6.12 as Debian builds it) there is no such access.
 */
#include <linux/iommufd.h>

#include "private.h"

#if VFIO_PCI_COMPAT_IOMMUFD
/* iommufd_access_*() here and iova_bitmap_set() in dirty.c */
VFIO_PCI_COMPAT_IMPORT_NS(IOMMUFD);
#endif

static void vfio_pci_iova_unmap(void *data, unsigned long iova,
				unsigned long length)
{
	/* Nothing is pinned: iommufd_access_rw() looks the IOVA up each time. */
}

static const struct iommufd_access_ops vfio_pci_iova_access_ops = {
	.unmap = vfio_pci_iova_unmap,
};

static void vfio_pci_iova_release_locked(struct vfio_pci_core_private *priv)
{
	lockdep_assert_held(&priv->iova_lock);
	if (VFIO_PCI_COMPAT_IOMMUFD && priv->iova_access) {
		iommufd_access_destroy(priv->iova_access);
		priv->iova_access = NULL;
	}
}

static int vfio_pci_iova_open_locked(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_private *priv = core->priv;
	struct iommufd_access *access;
	struct iommufd_ctx *ictx;
	u32 id;
	int ret;

	ictx = vfio_iommufd_device_ictx(&core->vdev);
	if (!ictx)
		return -EOPNOTSUPP;
	access = iommufd_access_create(ictx, &vfio_pci_iova_access_ops, core,
				       &id);
	if (IS_ERR(access))
		return PTR_ERR(access);
	ret = iommufd_access_attach(access, priv->iova_ioas);
	if (ret) {
		iommufd_access_destroy(access);
		return ret;
	}
	priv->iova_access = access;
	return 0;
}

int vfio_pci_core_iova_rw(struct vfio_pci_core_device *core, u64 iova,
			  void *buf, size_t len, bool write)
{
	struct vfio_pci_core_private *priv = core->priv;
	int ret;

	/* It touches user memory, which may be a mapping of this device. */
	if (vfio_pci_core_caller_holds(&priv->memory_lock))
		return -EDEADLK;
	if (!VFIO_PCI_COMPAT_IOMMUFD)
		return -EOPNOTSUPP;

	guard(mutex)(&priv->iova_lock);
	if (!priv->iova_ioas_valid)
		return -EOPNOTSUPP;
	if (!priv->iova_access) {
		ret = vfio_pci_iova_open_locked(core);
		if (ret)
			return ret;
	}
	return iommufd_access_rw(priv->iova_access, iova, buf, len,
				 write ? IOMMUFD_ACCESS_RW_WRITE : 0);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_iova_rw);

int vfio_pci_core_iova_lend(struct vfio_pci_core_device *core, u64 iova,
			    void *buf, size_t len, bool to_device,
			    int (*dma)(struct vfio_pci_core_device *core,
				       void *arg), void *arg)
{
	void *saved;
	int ret, undo;

	saved = kvmalloc(len, GFP_KERNEL);
	if (!saved)
		return -ENOMEM;
	/* Keep the user's bytes; writing proves the range writable. */
	ret = vfio_pci_core_iova_rw(core, iova, saved, len, false);
	if (!ret)
		ret = vfio_pci_core_iova_rw(core, iova, to_device ? buf : saved,
					    len, true);
	if (ret)
		goto out;
	ret = dma(core, arg);
	if (!ret && !to_device)
		ret = vfio_pci_core_iova_rw(core, iova, buf, len, false);
	/* The user's memory goes back whatever happened. */
	undo = vfio_pci_core_iova_rw(core, iova, saved, len, true);
	ret = ret ?: undo;
out:
	kvfree(saved);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_iova_lend);

int vfio_pci_core_attach_ioas(struct vfio_device *vdev, u32 *pt_id)
{
	struct vfio_pci_core_private *priv = to_vfio_pci_core(vdev)->priv;
	u32 requested = *pt_id;
	int ret;

	if (!VFIO_PCI_COMPAT_IOMMUFD)
		return -EOPNOTSUPP;

	guard(mutex)(&priv->iova_lock);
	/* A new attachment: the old access points at the old IOAS. */
	vfio_pci_iova_release_locked(priv);
	priv->iova_ioas_valid = false;
	ret = vfio_iommufd_physical_attach_ioas(vdev, pt_id);
	if (!ret) {
		priv->iova_ioas = requested;
		priv->iova_ioas_valid = true;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_attach_ioas);

void vfio_pci_core_detach_ioas(struct vfio_device *vdev)
{
	struct vfio_pci_core_private *priv = to_vfio_pci_core(vdev)->priv;

	if (!VFIO_PCI_COMPAT_IOMMUFD)
		return;

	scoped_guard(mutex, &priv->iova_lock) {
		vfio_pci_iova_release_locked(priv);
		priv->iova_ioas_valid = false;
	}
	vfio_iommufd_physical_detach_ioas(vdev);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_detach_ioas);

void vfio_pci_core_iova_close(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_private *priv = core->priv;

	guard(mutex)(&priv->iova_lock);
	vfio_pci_iova_release_locked(priv);
}
