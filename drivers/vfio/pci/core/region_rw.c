// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: region info, read(2) and write(2) of the regions a variant
 * added.
 *
 * An access goes through a kernel bounce buffer: user memory is copied with
 * no lock held (the user buffer may be a mapping of this device), and the
 * region is touched under memory_lock held for read, after checking that a
 * gated region decodes.
 */
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "private.h"

int vfio_pci_core_vregion_info(struct vfio_pci_core_device *core,
			       struct vfio_pci_core_vregion *vr,
			       struct vfio_region_info *info,
			       struct vfio_info_cap *caps)
{
	const struct vfio_pci_core_region *d = &vr->desc;
	struct vfio_region_info_cap_type type = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
		.type = d->type,
		.subtype = d->subtype,
	};

	info->size = d->size;
	info->flags = 0;
	if (d->flags & VFIO_PCI_CORE_REGION_READ)
		info->flags |= VFIO_REGION_INFO_FLAG_READ;
	if (d->flags & VFIO_PCI_CORE_REGION_WRITE)
		info->flags |= VFIO_REGION_INFO_FLAG_WRITE;
	if (d->flags & VFIO_PCI_CORE_REGION_MMAP)
		info->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	if (vr->index < PCI_STD_NUM_BARS)
		return 0;
	return vfio_info_add_capability(caps, &type.header, sizeof(type));
}

/* Copy between the bounce buffer and the region; memory_lock is held. */
static ssize_t vfio_pci_core_vregion_io(struct vfio_pci_core_device *core,
					struct vfio_pci_core_vregion *vr,
					void *kbuf, size_t n, u64 pos,
					bool write)
{
	const struct vfio_pci_core_region *d = &vr->desc;
	ssize_t ret;

	if (d->ops && d->ops->rw) {
		ret = d->ops->rw(core, d, kbuf, n, pos, write);
		/* More than asked would overrun the bounce buffer. */
		if (ret > (ssize_t)n || ret == 0)
			return -EIO;
		return ret;
	}
	if (vr->mem) {
		if (write)
			memcpy(vr->mem + pos, kbuf, n);
		else
			memcpy(kbuf, vr->mem + pos, n);
	} else if (write) {
		memcpy_toio(vr->io + pos, kbuf, n);
	} else {
		memcpy_fromio(kbuf, vr->io + pos, n);
	}
	return n;
}

#define VFIO_PCI_CORE_VREGION_CHUNK	PAGE_SIZE

ssize_t vfio_pci_core_vregion_rw(struct vfio_pci_core_device *core,
				 struct vfio_pci_core_vregion *vr,
				 char __user *buf, size_t count, loff_t pos,
				 bool write)
{
	struct vfio_pci_core_private *priv = core->priv;
	u32 need = write ? VFIO_PCI_CORE_REGION_WRITE :
			   VFIO_PCI_CORE_REGION_READ;
	void *kbuf __free(kfree) = NULL;
	size_t done = 0;

	if (!(vr->desc.flags & need))
		return -EINVAL;
	if (pos < 0 || pos >= vr->desc.size)
		return -EINVAL;
	count = min_t(u64, count, vr->desc.size - pos);

	kbuf = kmalloc(min_t(size_t, count, VFIO_PCI_CORE_VREGION_CHUNK),
		       GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;

	while (done < count) {
		size_t n = min_t(size_t, count - done,
				 VFIO_PCI_CORE_VREGION_CHUNK);
		ssize_t ret;

		if (write && copy_from_user(kbuf, buf + done, n))
			return done ?: -EFAULT;

		scoped_guard(rwsem_read, &priv->memory_lock) {
			if (vfio_pci_core_vregion_gated(vr) &&
			    (vfio_pci_core_low_power_engaged(core) ||
			     !vfio_pci_core_memory_enabled(core)))
				ret = -EIO;
			else
				ret = vfio_pci_core_vregion_io(core, vr, kbuf,
							       n, pos + done,
							       write);
		}

		if (ret > 0 && !write && copy_to_user(buf + done, kbuf, ret))
			ret = -EFAULT;
		if (ret < 0)
			return done ?: ret;
		done += ret;
		if (ret < n)
			break;
	}
	return done;
}
