/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci-core: state and entry points of ioeventfds (ioeventfd.c) and of
 * runtime power management (power.c).  The state is one member of struct
 * vfio_pci_core_private, pm_io.
 *
 * Lock order: cfg_lock -> irq mutex -> memory_lock.  ioeventfd_lock is taken
 * without memory_lock held and is never held while taking memory_lock for
 * write: tearing an ioeventfd down waits for its deferred write, which takes
 * memory_lock for read.  No synchronous runtime resume is ever done with
 * memory_lock held, because the runtime suspend and resume callbacks take it.
 */
#ifndef __VFIO_PCI_CORE_PM_IOEVENTFD_H
#define __VFIO_PCI_CORE_PM_IOEVENTFD_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>

struct eventfd_ctx;
struct vfio_pci_core_device;

/* The most ioeventfds one device may have, as upstream. */
#define VFIO_PCI_CORE_IOEVENTFD_MAX	1000

/**
 * struct vfio_pci_core_pm_io - ioeventfd and power state of one device
 * @ioeventfds: the registered ioeventfds (struct vfio_pci_core_ioeventfd),
 *		from open to the last close
 * @nr_ioeventfds: entries on @ioeventfds
 * @ioeventfd_lock: guards @ioeventfds and @nr_ioeventfds
 * @idle_d3: an unopened device is runtime-suspended; fixed before register
 * @low_power: userspace engaged low power with a LOW_POWER_ENTRY feature;
 *	       BAR mappings stay revoked (faults get SIGBUS) until it exits.
 *	       Changed under memory_lock held for write.
 * @wake_ctx: with LOW_POWER_ENTRY_WITH_WAKEUP, signalled by the runtime
 *	      resume, which also leaves low power; under memory_lock
 * @needs_pm_restore: the function loses its config state in D3hot
 *		      (PMCSR No_Soft_Reset clear); probed at register
 * @pm_save: config state saved on the way to D3hot when @needs_pm_restore,
 *	     restored and freed on the way back to D0; under memory_lock
 * @intx_masked: the runtime suspend masked INTx; the resume unmasks it
 */
struct vfio_pci_core_pm_io {
	struct list_head ioeventfds;
	unsigned int nr_ioeventfds;
	struct mutex ioeventfd_lock;	/* see @ioeventfd_lock above */
	bool idle_d3;
	bool low_power;
	struct eventfd_ctx *wake_ctx;
	bool needs_pm_restore;
	struct pci_saved_state *pm_save;
	bool intx_masked;
};

/* ioeventfd.c */
void vfio_pci_core_ioeventfd_init(struct vfio_pci_core_device *core);
void vfio_pci_core_ioeventfd_destroy(struct vfio_pci_core_device *core);
void vfio_pci_core_ioeventfd_release_all(struct vfio_pci_core_device *core);
long vfio_pci_core_ioctl_ioeventfd(struct vfio_pci_core_device *core,
				   void __user *arg);

/* power.c */
void vfio_pci_core_pm_init(struct vfio_pci_core_device *core);
void vfio_pci_core_pm_release(struct vfio_pci_core_device *core);
int vfio_pci_core_pm_register(struct vfio_pci_core_device *core);
void vfio_pci_core_pm_unregister(struct vfio_pci_core_device *core);
int vfio_pci_core_pm_open(struct vfio_pci_core_device *core);
void vfio_pci_core_pm_close_begin(struct vfio_pci_core_device *core);
void vfio_pci_core_pm_close_end(struct vfio_pci_core_device *core);
int vfio_pci_core_pm_get(struct vfio_pci_core_device *core);
void vfio_pci_core_pm_put(struct vfio_pci_core_device *core);
int vfio_pci_core_set_power_state(struct vfio_pci_core_device *core,
				  pci_power_t state);
bool vfio_pci_core_low_power_engaged(struct vfio_pci_core_device *core);
int vfio_pci_core_feature_low_power_entry(struct vfio_pci_core_device *core,
					  u32 flags, void __user *arg,
					  size_t argsz);
int vfio_pci_core_feature_low_power_wakeup(struct vfio_pci_core_device *core,
					   u32 flags, void __user *arg,
					   size_t argsz);
int vfio_pci_core_feature_low_power_exit(struct vfio_pci_core_device *core,
					 u32 flags, void __user *arg,
					 size_t argsz);

#endif /* __VFIO_PCI_CORE_PM_IOEVENTFD_H */
