// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: VFIO_DEVICE_GET_PCI_HOT_RESET_INFO and
 * VFIO_DEVICE_PCI_HOT_RESET, the slot or bus reset of a device set.
 *
 * The info ioctl lists every function the reset would hit.  A user that
 * opened the device through a group learns each function's IOMMU group; a
 * user of the device cdev learns, per function, its devid in the user's
 * iommufd, or whether the user owns it without having bound it.
 *
 * The reset itself is only done for a user who owns every member of the set:
 * a group user proves it by passing an fd of each member's group, a cdev
 * user by having bound (or owning the group of) each member in its iommufd,
 * and passes an empty array.  No member may be busy: each one's memory_lock
 * is only try-locked, and any contention fails the whole reset with -EBUSY.
 */
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "private.h"

/* Which reset the device's slot or bus offers: true for slot, or -ENODEV. */
static int vfio_pci_core_hot_reset_kind(struct pci_dev *pdev, bool *slot)
{
	*slot = vfio_pci_core_reset_use_slot(pdev);
	if (!*slot && pci_probe_reset_bus(pdev->bus))
		return -ENODEV;
	return 0;
}

static int vfio_pci_core_count_one(struct pci_dev *pdev, void *data)
{
	(*(u32 *)data)++;
	return 0;
}

static u32 vfio_pci_core_count_affected(struct pci_dev *pdev, bool slot)
{
	u32 count = 0;

	vfio_pci_core_walk_affected(pdev, slot, vfio_pci_core_count_one,
				    &count);
	return count;
}

struct vfio_pci_core_hot_reset_fill {
	struct vfio_device *vdev;		/* the caller's device */
	struct iommufd_ctx *ictx;		/* cdev callers only */
	struct vfio_pci_dependent_device *devs;
	u32 max;
	u32 count;
	u32 flags;
};

/* devid of an affected function as the cdev user sees it. */
static u32 vfio_pci_core_hot_reset_devid(struct vfio_pci_core_hot_reset_fill *fill,
					 struct pci_dev *pdev)
{
	struct vfio_device *member;
	int id;

	member = vfio_find_device_in_devset(fill->vdev->dev_set, &pdev->dev);
	if (!member || !fill->ictx)
		return VFIO_PCI_DEVID_NOT_OWNED;
	id = vfio_iommufd_get_dev_id(member, fill->ictx);
	if (id > 0)
		return id;
	/* Not bound, but its group is owned by the user's iommufd. */
	if (id == -ENOENT)
		return VFIO_PCI_DEVID_OWNED;
	return VFIO_PCI_DEVID_NOT_OWNED;
}

static int vfio_pci_core_hot_reset_fill_one(struct pci_dev *pdev, void *data)
{
	struct vfio_pci_core_hot_reset_fill *fill = data;
	struct vfio_pci_dependent_device *dev;
	struct iommu_group *group;

	/* More functions than counted: the topology changed under us. */
	if (fill->count >= fill->max)
		return -EAGAIN;

	dev = &fill->devs[fill->count++];
	dev->segment = pci_domain_nr(pdev->bus);
	dev->bus = pdev->bus->number;
	dev->devfn = pdev->devfn;

	if (fill->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID) {
		dev->devid = vfio_pci_core_hot_reset_devid(fill, pdev);
		if (dev->devid == VFIO_PCI_DEVID_NOT_OWNED)
			fill->flags &= ~VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
		return 0;
	}

	/* A function without an IOMMU group is not isolated: no reset. */
	group = iommu_group_get(&pdev->dev);
	if (!group)
		return -EPERM;
	dev->group_id = iommu_group_id(group);
	iommu_group_put(group);
	return 0;
}

long vfio_pci_core_ioctl_hot_reset_info(struct vfio_pci_core_device *core,
					void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_pci_hot_reset_info, count);
	struct vfio_pci_core_hot_reset_fill fill = { .vdev = &core->vdev };
	struct vfio_device_set *set = core->vdev.dev_set;
	struct vfio_pci_hot_reset_info hdr;
	u32 count, room;
	bool slot;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz)
		return -EINVAL;

	ret = vfio_pci_core_hot_reset_kind(core->pdev, &slot);
	if (ret)
		return ret;

	hdr.flags = 0;
	count = vfio_pci_core_count_affected(core->pdev, slot);
	if (!count)
		return -ERANGE;	/* the device itself is always below its bus */

	room = (hdr.argsz - sizeof(hdr)) / sizeof(*fill.devs);
	if (count > room) {
		/* Tell the user how much room to make. */
		hdr.count = count;
		if (copy_to_user(arg, &hdr, minsz))
			return -EFAULT;
		return -ENOSPC;
	}

	fill.devs = kcalloc(count, sizeof(*fill.devs), GFP_KERNEL);
	if (!fill.devs)
		return -ENOMEM;
	fill.max = count;
	if (vfio_device_cdev_opened(&core->vdev)) {
		fill.flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
			     VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED;
		fill.ictx = vfio_iommufd_device_ictx(&core->vdev);
	}

	/* Membership and ownership only hold still under the set lock. */
	mutex_lock(&set->lock);
	ret = vfio_pci_core_walk_affected(core->pdev, slot,
					  vfio_pci_core_hot_reset_fill_one,
					  &fill);
	mutex_unlock(&set->lock);
	if (ret)
		goto out;

	hdr.count = fill.count;
	hdr.flags = fill.flags;
	if (copy_to_user(((struct vfio_pci_hot_reset_info __user *)arg)->devices,
			 fill.devs, fill.count * sizeof(*fill.devs)) ||
	    copy_to_user(arg, &hdr, minsz))
		ret = -EFAULT;
out:
	kfree(fill.devs);
	return ret;
}

/* Proof of ownership the user brought: group files, or its iommufd. */
struct vfio_pci_core_hot_reset_owner {
	struct file **groups;
	u32 ngroups;
	struct iommufd_ctx *ictx;
};

static bool vfio_pci_core_owns(const struct vfio_pci_core_hot_reset_owner *o,
			       struct vfio_device *vdev)
{
	u32 i;

	if (o->ictx) {
		int id = vfio_iommufd_get_dev_id(vdev, o->ictx);

		/* Bound in the user's iommufd, or its group owned by it. */
		return id > 0 || id == -ENOENT;
	}
	for (i = 0; i < o->ngroups; i++) {
		if (vfio_file_has_dev(o->groups[i], vdev))
			return true;
	}
	return false;
}

static int vfio_pci_core_set_hot_reset(struct vfio_device_set *set,
				       const struct vfio_pci_core_hot_reset_owner *owner)
{
	struct vfio_device *cur;
	struct pci_dev *pdev;
	int ret;

	mutex_lock(&set->lock);

	pdev = vfio_pci_core_dev_set_resettable(set);
	if (!pdev) {
		ret = -EINVAL;
		goto out_unlock;
	}

	list_for_each_entry(cur, &set->device_list, dev_set_list) {
		if (!vfio_pci_core_owns(owner, cur)) {
			ret = -EINVAL;
			goto out_unlock;
		}
	}

	/*
	 * Wake every member before anything touches it and hold it awake
	 * until the reset is done.  This resumes synchronously, so it runs
	 * before any member's memory_lock is taken.
	 */
	ret = vfio_pci_core_dev_set_pm_get(set);
	if (ret)
		goto out_unlock;

	/*
	 * Lock every member out of its BARs.  Sleeping on one member's lock
	 * while holding another's could deadlock against a user of both, so
	 * any contention undoes what was taken and fails.
	 */
	list_for_each_entry(cur, &set->device_list, dev_set_list) {
		struct vfio_pci_core_device *member = to_vfio_pci_core(cur);

		if (!down_write_trylock(&member->priv->memory_lock)) {
			ret = -EBUSY;
			goto out_release;
		}
		vfio_pci_core_zap_bars(member);
		vfio_pci_core_dmabuf_revoke(member);
	}

	/*
	 * A member its user put in D3hot through PMCSR is brought to D0
	 * first, as for a function reset; one that loses its state in D3hot
	 * gets back the state saved on the way down, so that the reset saves
	 * and restores a sane one.
	 */
	list_for_each_entry(cur, &set->device_list, dev_set_list) {
		struct vfio_pci_core_device *member = to_vfio_pci_core(cur);

		vfio_pci_core_set_power_state(member, PCI_D0);
		vfio_pci_core_reset_begin(member);
	}

	ret = pci_reset_bus(pdev);

	/* Each member learns of the reset as from a function reset. */
	list_for_each_entry(cur, &set->device_list, dev_set_list)
		vfio_pci_core_reset_end(to_vfio_pci_core(cur), ret);

	/* cur is the list head again: release every member below. */
out_release:
	list_for_each_entry_continue_reverse(cur, &set->device_list,
					     dev_set_list) {
		struct vfio_pci_core_device *member = to_vfio_pci_core(cur);

		vfio_pci_core_dmabuf_sync(member);
		up_write(&member->priv->memory_lock);
	}
	vfio_pci_core_dev_set_pm_put(set);
out_unlock:
	mutex_unlock(&set->lock);
	return ret;
}

static int vfio_pci_core_hot_reset_groups(struct vfio_pci_core_device *core,
					  u32 count, bool slot,
					  struct vfio_pci_hot_reset __user *arg)
{
	struct vfio_pci_core_hot_reset_owner owner = {};
	struct file **files;
	s32 *fds;
	u32 i;
	int ret;

	/*
	 * Each affected function is in at most one group, so more fds than
	 * functions is wrong; this also bounds the allocations below.
	 */
	if (count > vfio_pci_core_count_affected(core->pdev, slot))
		return -EINVAL;

	fds = memdup_array_user(arg->group_fds, count, sizeof(*fds));
	if (IS_ERR(fds))
		return PTR_ERR(fds);
	files = kcalloc(count, sizeof(*files), GFP_KERNEL);
	if (!files) {
		kfree(fds);
		return -ENOMEM;
	}

	/* Hold each group across the reset. */
	for (i = 0; i < count; i++) {
		files[i] = fget(fds[i]);
		if (!files[i]) {
			ret = -EBADF;
			goto out_put;
		}
		if (!vfio_file_is_group(files[i])) {
			fput(files[i]);
			ret = -EINVAL;
			goto out_put;
		}
	}

	owner.groups = files;
	owner.ngroups = count;
	ret = vfio_pci_core_set_hot_reset(core->vdev.dev_set, &owner);

out_put:
	while (i--)
		fput(files[i]);
	kfree(files);
	kfree(fds);
	return ret;
}

long vfio_pci_core_ioctl_hot_reset(struct vfio_pci_core_device *core,
				   void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_pci_hot_reset, count);
	struct vfio_pci_core_hot_reset_owner owner = {};
	struct vfio_pci_hot_reset hdr;
	bool slot, cdev;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz || hdr.flags)
		return -EINVAL;

	/* A cdev user proves ownership through its iommufd, with no fds. */
	cdev = vfio_device_cdev_opened(&core->vdev);
	if (cdev == !!hdr.count)
		return -EINVAL;

	ret = vfio_pci_core_hot_reset_kind(core->pdev, &slot);
	if (ret)
		return ret;

	if (hdr.count)
		return vfio_pci_core_hot_reset_groups(core, hdr.count, slot,
						      arg);

	owner.ictx = vfio_iommufd_device_ictx(&core->vdev);
	if (!owner.ictx)
		return -EINVAL;
	return vfio_pci_core_set_hot_reset(core->vdev.dev_set, &owner);
}
