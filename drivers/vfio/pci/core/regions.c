// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the region index space.  Maps a file offset to a region and
 * describes each region (size, offset, flags) for VFIO_DEVICE_GET_REGION_INFO.
 */
#include <linux/uaccess.h>

#include "private.h"

/* The BAR holding the MSI-X table, or -1. */
static int vfio_pci_core_msix_bar(struct pci_dev *pdev)
{
	u32 table;

	if (!pdev->msix_cap)
		return -1;
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
	return table & PCI_MSIX_TABLE_BIR;
}

static int vfio_pci_core_bar_info(struct vfio_pci_core_device *core,
				  unsigned int bar, struct vfio_region_info *info,
				  struct vfio_info_cap *caps)
{
	struct vfio_info_cap_header msix = {
		.id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
		.version = 1,
	};
	struct pci_dev *pdev = core->pdev;
	unsigned long flags = pci_resource_flags(pdev, bar);
	int ret;

	info->size = pci_resource_len(pdev, bar);
	if (!info->size || !(flags & (IORESOURCE_MEM | IORESOURCE_IO)))
		return 0;
	info->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (!core->priv->bar_mmappable[bar])
		return 0;
	info->flags |= VFIO_REGION_INFO_FLAG_MMAP;

	/* A variant's trapped ranges: only the pages around them map. */
	ret = vfio_pci_bar_trap_region_info(core, bar, info, caps);
	if (ret || !(info->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return ret;

	/*
	 * The MSI-X table may be mapped along with the rest of its BAR: the
	 * device only takes vectors from SET_IRQS, so a VMM need not trap it.
	 */
	if (vfio_pci_core_msix_bar(pdev) == bar)
		return vfio_info_add_capability(caps, &msix, sizeof(msix));
	return 0;
}

int vfio_pci_core_get_region_info_caps(struct vfio_device *vdev,
				       struct vfio_region_info *info,
				       struct vfio_info_cap *caps)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	unsigned int index = info->index;
	struct vfio_pci_core_vregion *vr;

	info->offset = vfio_pci_core_index_to_offset(index);
	info->size = 0;
	info->flags = 0;

	/* A variant's virtual BAR or device region. */
	vr = vfio_pci_core_vregion(core, index);
	if (vr)
		return vfio_pci_core_vregion_info(core, vr, info, caps);
	/* The upper half of a 64-bit virtual BAR. */
	if (vfio_pci_core_vbar_owns(core, index))
		return 0;

	switch (index) {
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		return vfio_pci_core_bar_info(core, index, info, caps);
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info->size = core->pdev->cfg_size;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	case VFIO_PCI_ROM_REGION_INDEX:
		info->size = vfio_pci_core_rom_size(core);
		if (info->size)
			info->flags = VFIO_REGION_INFO_FLAG_READ;
		return 0;
	case VFIO_PCI_VGA_REGION_INDEX:
		info->size = vfio_pci_core_vga_size(core);
		if (!info->size)
			return -EINVAL;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		return 0;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_GPL(vfio_pci_core_get_region_info_caps);

#if !VFIO_PCI_COMPAT_CORE_REGION_INFO
/*
 * Kernels before 6.19 pass VFIO_DEVICE_GET_REGION_INFO to the driver; do the
 * argsz handling and capability copy-out that newer vfio cores do for us.
 */
long vfio_pci_core_ioctl_region_info(struct vfio_pci_core_device *core,
				     void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info = {};
	struct vfio_info_cap caps = {};
	long ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	ret = vfio_pci_core_get_region_info_caps(&core->vdev, &info, &caps);
	if (ret)
		goto out_free;

	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
			info.cap_offset = 0;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + sizeof(info), caps.buf,
					 caps.size)) {
				ret = -EFAULT;
				goto out_free;
			}
			info.cap_offset = sizeof(info);
		}
	}

	if (copy_to_user(arg, &info, minsz))
		ret = -EFAULT;
out_free:
	kfree(caps.buf);
	return ret;
}
#endif

ssize_t vfio_pci_core_region_rw(struct vfio_pci_core_device *core,
				char __user *buf, size_t count, loff_t *ppos,
				bool write)
{
	unsigned int index = vfio_pci_core_offset_to_index(*ppos);
	loff_t pos = *ppos & VFIO_PCI_CORE_OFFSET_MASK;
	struct vfio_pci_core_vregion *vr;
	ssize_t done;

	if (!count)
		return 0;

	vr = vfio_pci_core_vregion(core, index);
	if (index > VFIO_PCI_VGA_REGION_INDEX && !vr)
		return -EINVAL;
	if (!vr && vfio_pci_core_vbar_owns(core, index))
		return -EINVAL;

	/* A device in low power wakes for the access (power.c). */
	done = vfio_pci_core_pm_get(core);
	if (done)
		return done;

	if (vr) {
		done = vfio_pci_core_vregion_rw(core, vr, buf, count, pos,
						write);
		goto out_put;
	}

	switch (index) {
	case VFIO_PCI_BAR0_REGION_INDEX ... VFIO_PCI_BAR5_REGION_INDEX:
		done = vfio_pci_core_bar_rw(core, index, buf, count, pos, write);
		break;
	case VFIO_PCI_ROM_REGION_INDEX:
		done = vfio_pci_core_rom_rw(core, buf, count, pos, write);
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		done = vfio_pci_core_config_rw(core, buf, count, pos, write);
		break;
	default:
		done = vfio_pci_core_vga_rw(core, buf, count, pos, write);
		break;
	}
out_put:
	vfio_pci_core_pm_put(core);

	if (done > 0)
		*ppos += done;
	return done;
}

ssize_t vfio_pci_core_read(struct vfio_device *vdev, char __user *buf,
			   size_t count, loff_t *ppos)
{
	return vfio_pci_core_region_rw(to_vfio_pci_core(vdev), buf, count,
				       ppos, false);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_read);

ssize_t vfio_pci_core_write(struct vfio_device *vdev, const char __user *buf,
			    size_t count, loff_t *ppos)
{
	return vfio_pci_core_region_rw(to_vfio_pci_core(vdev),
				       (char __user *)buf, count, ppos, true);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_write);
