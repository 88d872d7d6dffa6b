// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: device sets.
 *
 * A bus or slot reset hits every function below the bus or slot, so the vfio
 * devices it hits must be opened, closed and reset under one lock: the vfio
 * core's device set.  A device joins the set keyed by what its reset would
 * cover:
 *
 *  - its slot, when the slot can be reset;
 *  - otherwise its bus, when the bus can be reset or nothing better exists;
 *  - itself, on a root bus (no bridge to reset it) and for an SR-IOV VF.
 *    A VF has no secondary bus reset of its own, and the PF's reset is not
 *    its to ask for, so VFs never share a set: opening many VFs at once does
 *    not queue on one lock.
 *
 * A reset through the set is only done when every PCI function it touches
 * is a member: then each of them is driven by vfio-pci-core and cannot be
 * opened by anybody while the set lock is held.
 */
#include <linux/pci.h>

#include "private.h"

int vfio_pci_core_dev_set_assign(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	void *set_id;

	if (pdev->is_virtfn || pci_is_root_bus(pdev->bus))
		set_id = core;
	else if (vfio_pci_core_reset_use_slot(pdev))
		set_id = pdev->slot;
	else
		set_id = pdev->bus;
	return vfio_assign_device_set(&core->vdev, set_id);
}

/* A slot reset is preferred to a bus reset when the slot offers one. */
bool vfio_pci_core_reset_use_slot(struct pci_dev *pdev)
{
	return !pci_probe_reset_slot(pdev->slot);
}

struct vfio_pci_core_walk {
	vfio_pci_core_walk_fn fn;
	void *data;
	struct pci_slot *slot;	/* NULL: everything below the bus */
	int ret;
};

/* Is @pdev, or the bridge above it on @slot's bus, the function in @slot? */
static bool vfio_pci_core_below_slot(struct pci_dev *pdev,
				     struct pci_slot *slot)
{
	for (; pdev; pdev = pdev->bus->self) {
		if (pdev->bus == slot->bus)
			return pdev->slot == slot;
	}
	return false;
}

static int vfio_pci_core_walk_one(struct pci_dev *pdev, void *data)
{
	struct vfio_pci_core_walk *walk = data;

	if (walk->slot && !vfio_pci_core_below_slot(pdev, walk->slot))
		return 0;
	walk->ret = walk->fn(pdev, walk->data);
	return walk->ret;
}

/*
 * Call @fn on every function the slot (@slot true) or bus reset of @pdev
 * would reset, stopping at the first non-zero return, which is returned.
 */
int vfio_pci_core_walk_affected(struct pci_dev *pdev, bool slot,
				vfio_pci_core_walk_fn fn, void *data)
{
	struct vfio_pci_core_walk walk = {
		.fn = fn,
		.data = data,
		.slot = slot ? pdev->slot : NULL,
	};

	pci_walk_bus(pdev->bus, vfio_pci_core_walk_one, &walk);
	return walk.ret;
}

static int vfio_pci_core_member_of(struct pci_dev *pdev, void *data)
{
	struct vfio_device_set *set = data;

	return vfio_find_device_in_devset(set, &pdev->dev) ? 0 : -ENODEV;
}

static struct vfio_pci_core_device *
vfio_pci_core_set_first(struct vfio_device_set *set)
{
	struct vfio_device *first;

	first = list_first_entry(&set->device_list, struct vfio_device,
				 dev_set_list);
	return to_vfio_pci_core(first);
}

/*
 * The function to hand to pci_reset_bus() for a reset of the whole set, or
 * NULL when there is no such reset or it would touch a non-member.  Every
 * member shares the same slot or bus, so any member can answer.
 */
struct pci_dev *vfio_pci_core_dev_set_resettable(struct vfio_device_set *set)
{
	struct pci_dev *pdev;
	bool slot;

	lockdep_assert_held(&set->lock);

	if (list_empty(&set->device_list))
		return NULL;
	pdev = vfio_pci_core_set_first(set)->pdev;
	slot = vfio_pci_core_reset_use_slot(pdev);
	if (!slot && pci_probe_reset_bus(pdev->bus))
		return NULL;
	if (vfio_pci_core_walk_affected(pdev, slot,
					vfio_pci_core_member_of, set))
		return NULL;
	return pdev;
}

/*
 * Every member must be awake before a reset of the set touches it: resume
 * each runtime-suspended one (an idle device, or one in low power) and hold
 * it resumed until vfio_pci_core_dev_set_pm_put().  The resume takes the
 * member's memory_lock in its callback, so none may be held here.
 */
int vfio_pci_core_dev_set_pm_get(struct vfio_device_set *set)
{
	struct vfio_device *cur;
	int ret;

	lockdep_assert_held(&set->lock);

	list_for_each_entry(cur, &set->device_list, dev_set_list) {
		vfio_pci_core_assert_no_memory_lock(to_vfio_pci_core(cur));
		ret = vfio_pci_core_pm_get(to_vfio_pci_core(cur));
		if (ret)
			goto unwind;
	}
	return 0;

unwind:
	list_for_each_entry_continue_reverse(cur, &set->device_list,
					     dev_set_list)
		vfio_pci_core_pm_put(to_vfio_pci_core(cur));
	return ret;
}

void vfio_pci_core_dev_set_pm_put(struct vfio_device_set *set)
{
	struct vfio_device *cur;

	list_for_each_entry(cur, &set->device_list, dev_set_list)
		vfio_pci_core_pm_put(to_vfio_pci_core(cur));
}

/*
 * Before the close-time reset of the set, with every member resumed: put
 * each one in D0 under its own memory_lock, restoring what a function that
 * loses its state in D3hot saved on the way down.  No member has a user
 * left, so nobody holds those locks for long.
 */
static void vfio_pci_core_dev_set_to_d0(struct vfio_device_set *set)
{
	struct vfio_device *cur;

	list_for_each_entry(cur, &set->device_list, dev_set_list) {
		struct vfio_pci_core_device *member = to_vfio_pci_core(cur);

		down_write(&member->priv->memory_lock);
		vfio_pci_core_set_power_state(member, PCI_D0);
		up_write(&member->priv->memory_lock);
	}
}

/*
 * Called at the last close of a member, under the set lock.  When the
 * function reset at close did not work for some member, reset the whole slot
 * or bus instead, provided nobody else in the set is still open (the closing
 * device still counts as open here) and the reset stays within the set.
 */
void vfio_pci_core_dev_set_try_reset(struct vfio_device_set *set)
{
	struct vfio_device *cur;
	struct pci_dev *pdev;
	bool owed = false;
	int ret;

	lockdep_assert_held(&set->lock);

	if (vfio_device_set_open_count(set) > 1)
		return;
	list_for_each_entry(cur, &set->device_list, dev_set_list)
		owed |= to_vfio_pci_core(cur)->priv->topo.needs_reset;
	if (!owed)
		return;

	pdev = vfio_pci_core_dev_set_resettable(set);
	if (!pdev || vfio_pci_core_dev_set_pm_get(set))
		return;
	vfio_pci_core_dev_set_to_d0(set);
	ret = pci_reset_bus(pdev);
	if (!ret) {
		list_for_each_entry(cur, &set->device_list, dev_set_list)
			to_vfio_pci_core(cur)->priv->topo.needs_reset = false;
	}
	vfio_pci_core_dev_set_pm_put(set);
}
