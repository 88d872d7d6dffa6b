/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's place in the PCI topology, as far as the core cares: which
 * other vfio devices share its bus or slot reset (the vfio device set), and
 * for SR-IOV, the link between a PF and the VFs it created and the VF token
 * that ties their users together.
 *
 * Locks, outermost first:
 *	dev_set->lock (vfio core) - open/close of every member, hot reset
 *	cfg_lock, then memory_lock of each member (trylock in a hot reset)
 *
 * A reset of the set first runtime-resumes every member (and keeps it
 * resumed until done) with no memory_lock held: the runtime PM callbacks
 * take memory_lock.  D0 is then entered under each member's memory_lock.
 *	vfio_pci_core_sriov_lock - the list of PFs with SR-IOV enabled by us
 *	vfio_pci_vf_token.lock - leaf
 */
#ifndef __VFIO_PCI_CORE_TOPOLOGY_H
#define __VFIO_PCI_CORE_TOPOLOGY_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/uuid.h>

struct vfio_pci_core_device;

/**
 * struct vfio_pci_vf_token - the secret shared by a PF's user and its VFs'
 * @lock: guards @uuid and @users
 * @uuid: the current token; random until a PF user sets one
 * @users: how many of the PF's VFs are open right now
 */
struct vfio_pci_vf_token {
	struct mutex lock;	/* guards uuid and users */
	uuid_t uuid;
	unsigned int users;
};

/**
 * struct vfio_pci_core_topology - device set and SR-IOV state of a device
 * @needs_reset: the last close could not reset the function; a bus or slot
 *		 reset of the set is owed.  Under dev_set->lock.
 * @vf_token: SR-IOV PF only, from register to unregister
 * @nb: SR-IOV PF only: PCI bus notifier that claims the VFs we create
 * @pf_node: on the list of PFs whose SR-IOV we enabled, while enabled
 * @sriov_active: SR-IOV enabled through vfio_pci_core_sriov_configure();
 *		  set under memory_lock held for write before the VFs are
 *		  created, cleared after they are gone.  While set the PF
 *		  stays runtime-resumed and refuses to leave D0 (-EBUSY).
 * @pf: VF only: the PF's device, when a vfio-pci-core driver enabled the
 *	VFs; constant from register to unregister (the PF removes its VFs,
 *	and so unregisters them, before it goes away itself)
 */
struct vfio_pci_core_topology {
	bool needs_reset;
	struct vfio_pci_vf_token *vf_token;
	struct notifier_block nb;
	struct list_head pf_node;
	bool sriov_active;
	struct vfio_pci_core_device *pf;
};

/* dev_set.c */
typedef int (*vfio_pci_core_walk_fn)(struct pci_dev *pdev, void *data);

int vfio_pci_core_dev_set_assign(struct vfio_pci_core_device *core);
bool vfio_pci_core_reset_use_slot(struct pci_dev *pdev);
int vfio_pci_core_walk_affected(struct pci_dev *pdev, bool slot,
				vfio_pci_core_walk_fn fn, void *data);
struct pci_dev *vfio_pci_core_dev_set_resettable(struct vfio_device_set *set);
int vfio_pci_core_dev_set_pm_get(struct vfio_device_set *set);
void vfio_pci_core_dev_set_pm_put(struct vfio_device_set *set);
void vfio_pci_core_dev_set_try_reset(struct vfio_device_set *set);

/* hot_reset.c */
long vfio_pci_core_ioctl_hot_reset_info(struct vfio_pci_core_device *core,
					void __user *arg);
long vfio_pci_core_ioctl_hot_reset(struct vfio_pci_core_device *core,
				   void __user *arg);

/* sriov.c */
void vfio_pci_core_topology_init(struct vfio_pci_core_device *core);
int vfio_pci_core_sriov_register(struct vfio_pci_core_device *core);
void vfio_pci_core_sriov_unregister(struct vfio_pci_core_device *core);
void vfio_pci_core_sriov_remove(struct vfio_pci_core_device *core);

/* vf_token.c */
int vfio_pci_core_vf_token_alloc(struct vfio_pci_core_device *core);
void vfio_pci_core_vf_token_free(struct vfio_pci_core_device *core);
void vfio_pci_core_vf_token_open(struct vfio_pci_core_device *core);
void vfio_pci_core_vf_token_close(struct vfio_pci_core_device *core);
int vfio_pci_core_feature_vf_token(struct vfio_pci_core_device *core,
				   u32 flags, void __user *arg, size_t argsz);

#endif /* __VFIO_PCI_CORE_TOPOLOGY_H */
