/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci-core: interrupt state of an open device (INTx, MSI, MSI-X, and
 * the ERR and REQ notification eventfds).  Only the core includes this.
 *
 * Lock order, outermost first:
 *
 *	cfg_lock -> igate -> memory_lock -> lock (spinlock, irqsave)
 *
 * igate serializes every change of the interrupt setup: which index is
 * active, the per-vector contexts, the INTx mask state seen from process
 * context, and updates of the ERR/REQ pointers.  memory_lock is taken (for
 * write, through vfio_pci_core_memory_lock_and_enable()) under igate around
 * MSI/MSI-X work that touches the device.  Code holding memory_lock never
 * takes igate: the COMMAND write hook drops memory_lock before it changes
 * the INTx mask.  @lock is innermost: it is what the INTx hard-IRQ handler
 * takes to test and change the mask state.
 *
 * The ERR and REQ eventfds are published with RCU, so the AER
 * error_detected callback and the request op, which may run while an ioctl
 * holds igate, read them without any mutex.
 */
#ifndef __VFIO_PCI_CORE_IRQ_H
#define __VFIO_PCI_CORE_IRQ_H

#include <linux/eventfd.h>
#include <linux/irqbypass.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/xarray.h>

struct vfio_pci_core_device;

/* No interrupt index active. */
#define VFIO_PCI_IRQ_NONE	VFIO_PCI_NUM_IRQS

/**
 * struct vfio_pci_irq_vec - one interrupt the user has attached an eventfd to
 * @core: the device
 * @trigger: signalled when the interrupt fires; NULL for an INTx set up
 *	     without one.  Read locklessly by the INTx paths.
 * @unmask: INTx only: the eventfd that unmasks INTx when written
 * @name: the name shown in /proc/interrupts
 * @irq: the Linux IRQ number
 * @masked: INTx only: the line is masked, by the handler or by the user;
 *	    guarded by &vfio_pci_irq_state.lock
 * @producer: IRQ bypass producer, for KVM posted interrupts (MSI/MSI-X)
 * @bypass: @producer is registered
 */
struct vfio_pci_irq_vec {
	struct vfio_pci_core_device *core;
	struct eventfd_ctx *trigger;
	struct virqfd *unmask;
	char *name;
	int irq;
	bool masked;
	struct irq_bypass_producer producer;
	bool bypass;
};

/**
 * struct vfio_pci_irq_eventfd - an ERR or REQ eventfd, freed after RCU
 * @ctx: the eventfd
 * @rcu: for the deferred free
 */
struct vfio_pci_irq_eventfd {
	struct eventfd_ctx *ctx;
	struct rcu_head rcu;
};

/**
 * struct vfio_pci_irq_state - interrupt state of one device
 * @igate: see the lock order above
 * @lock: guards the INTx mask state against the hard-IRQ handler
 * @type: the active index (INTx, MSI or MSI-X), or VFIO_PCI_IRQ_NONE;
 *	  changes under @igate, read by the INTx handler
 * @intx: the INTx context while INTx is active
 * @vecs: MSI/MSI-X contexts by vector number, while that index is active
 * @pci_2_3: the device masks INTx through COMMAND.INTX_DISABLE, so the line
 *	     may be shared; decided at open
 * @virq_disabled: the user's virtual COMMAND.INTX_DISABLE bit
 * @dyn_msix: MSI-X vectors can be allocated after MSI-X is enabled
 * @msi_qmax: log2 of the MSI vectors enabled, for the virtual Multiple
 *	      Message Capable field
 * @err: the ERR eventfd, RCU-published
 * @req: the REQ eventfd, RCU-published
 * @nointx: INTx is never offered (intx_quirk.c); fixed before registration
 */
struct vfio_pci_irq_state {
	struct mutex igate;		/* see the lock order above */
	spinlock_t lock;		/* INTx mask vs. hard IRQ */
	int type;
	struct vfio_pci_irq_vec *intx;
	struct xarray vecs;
	bool pci_2_3;
	bool virq_disabled;
	bool dyn_msix;
	u8 msi_qmax;
	struct vfio_pci_irq_eventfd __rcu *err;
	struct vfio_pci_irq_eventfd __rcu *req;
	bool nointx;
};

/* irq_set.c: life cycle and the ioctl */
void vfio_pci_core_irq_init(struct vfio_pci_core_device *core);
void vfio_pci_core_irq_destroy(struct vfio_pci_core_device *core);
void vfio_pci_core_irq_open(struct vfio_pci_core_device *core);
void vfio_pci_core_irq_close(struct vfio_pci_core_device *core);
long vfio_pci_core_ioctl_set_irqs(struct vfio_pci_core_device *core,
				  void __user *arg);
void vfio_pci_core_irq_sync_msi_flags(struct vfio_pci_core_device *core);

/* intx_quirk.c */
void vfio_pci_core_intx_quirk(struct vfio_pci_core_device *core);

/* intx.c: the action handlers run with igate held */
int vfio_pci_intx_set_mask(struct vfio_pci_core_device *core,
			   unsigned int start, unsigned int count, u32 flags,
			   void *data);
int vfio_pci_intx_set_unmask(struct vfio_pci_core_device *core,
			     unsigned int start, unsigned int count, u32 flags,
			     void *data);
int vfio_pci_intx_set_trigger(struct vfio_pci_core_device *core,
			      unsigned int start, unsigned int count,
			      u32 flags, void *data);
void vfio_pci_intx_disable(struct vfio_pci_core_device *core);

/* msi.c: with igate held */
int vfio_pci_msi_set_trigger(struct vfio_pci_core_device *core,
			     unsigned int index, unsigned int start,
			     unsigned int count, u32 flags, void *data);
void vfio_pci_msi_disable(struct vfio_pci_core_device *core);

/* err_req.c: with igate held */
int vfio_pci_err_req_set_trigger(struct vfio_pci_core_device *core,
				 unsigned int index, unsigned int count,
				 u32 flags, void *data);
void vfio_pci_err_req_clear(struct vfio_pci_core_device *core);

#endif /* __VFIO_PCI_CORE_IRQ_H */
