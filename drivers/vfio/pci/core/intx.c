// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: INTx delivered to userspace through an eventfd.
 *
 * INTx is level triggered, so the handler masks the line before signalling
 * the user (the index is AUTOMASKED) and the user unmasks it after servicing
 * the device, with SET_IRQS or by writing an unmask eventfd.
 *
 * Where the function implements COMMAND.INTX_DISABLE (PCI 2.3), the mask is
 * that bit: the handler can tell from STATUS whether this function raised a
 * shared line.  Otherwise the line must be ours alone and the mask is the
 * interrupt controller's (disable_irq_nosync/enable_irq).
 *
 * The user's virtual COMMAND.INTX_DISABLE bit (virq_disabled) is a second,
 * independent mask: while it is set nothing reaches the eventfd and an
 * unmask request leaves the line masked.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/slab.h>

#include "private.h"

static bool vfio_pci_intx_active(struct vfio_pci_core_device *core)
{
	return READ_ONCE(core->priv->irq.type) == VFIO_PCI_INTX_IRQ_INDEX;
}

/* Hand one interrupt to the user; also the virqfd "thread" callback. */
static void vfio_pci_intx_signal(void *opaque, void *data)
{
	struct vfio_pci_core_device *core = opaque;
	struct vfio_pci_irq_vec *vec = data;
	struct eventfd_ctx *trigger;

	if (!vfio_pci_intx_active(core) ||
	    READ_ONCE(core->priv->irq.virq_disabled))
		return;
	trigger = READ_ONCE(vec->trigger);
	if (trigger)
		eventfd_signal(trigger);
}

/* Mask the line now; true if it was unmasked.  igate held. */
static bool vfio_pci_intx_do_mask(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	struct pci_dev *pdev = core->pdev;
	unsigned long flags;
	bool changed = false;

	lockdep_assert_held(&irq->igate);

	spin_lock_irqsave(&irq->lock, flags);
	if (irq->type != VFIO_PCI_INTX_IRQ_INDEX) {
		/* No INTx in use: the physical bit follows the virtual one. */
		if (irq->pci_2_3)
			pci_intx(pdev, 0);
	} else if (!irq->intx->masked) {
		if (irq->pci_2_3)
			pci_intx(pdev, 0);
		else
			disable_irq_nosync(pdev->irq);
		irq->intx->masked = true;
		changed = true;
	}
	spin_unlock_irqrestore(&irq->lock, flags);
	return changed;
}

/*
 * Unmask the line unless the user's virtual bit keeps it masked.  Returns 1
 * when the device still asserts INTx: the line then stays masked and the
 * caller hands the user that interrupt instead (from an eventfd wakeup that
 * cannot be done here, hence the virqfd thread callback).
 */
static int vfio_pci_intx_do_unmask(void *opaque, void *data)
{
	struct vfio_pci_core_device *core = opaque;
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	struct vfio_pci_irq_vec *vec = data;
	struct pci_dev *pdev = core->pdev;
	unsigned long flags;
	int pending = 0;

	spin_lock_irqsave(&irq->lock, flags);
	if (irq->type != VFIO_PCI_INTX_IRQ_INDEX) {
		if (irq->pci_2_3)
			pci_intx(pdev, 1);
	} else if (vec->masked && !irq->virq_disabled) {
		if (!irq->pci_2_3)
			enable_irq(pdev->irq);
		else if (!pci_check_and_unmask_intx(pdev))
			pending = 1;
		vec->masked = pending;
	}
	spin_unlock_irqrestore(&irq->lock, flags);
	return pending;
}

static void vfio_pci_intx_unmask_locked(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_vec *vec = core->priv->irq.intx;

	lockdep_assert_held(&core->priv->irq.igate);
	if (vfio_pci_intx_do_unmask(core, vec) > 0)
		vfio_pci_intx_signal(core, vec);
}

bool vfio_pci_core_intx_mask(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	bool changed;

	/*
	 * Only an INTx in use can fire into a suspended session.  Without
	 * one, leave the physical bit alone: nothing would clear it again
	 * at resume, and the PCI core saves it for the resume to restore.
	 */
	mutex_lock(&irq->igate);
	changed = irq->type == VFIO_PCI_INTX_IRQ_INDEX &&
		  vfio_pci_intx_do_mask(core);
	mutex_unlock(&irq->igate);
	return changed;
}

void vfio_pci_core_intx_unmask(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;

	mutex_lock(&irq->igate);
	vfio_pci_intx_unmask_locked(core);
	mutex_unlock(&irq->igate);
}

void vfio_pci_core_intx_virq_set(struct vfio_pci_core_device *core,
				 bool disabled)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;

	mutex_lock(&irq->igate);
	if (disabled != irq->virq_disabled) {
		WRITE_ONCE(irq->virq_disabled, disabled);
		if (disabled)
			vfio_pci_intx_do_mask(core);
		else
			vfio_pci_intx_unmask_locked(core);
	}
	mutex_unlock(&irq->igate);
}

static irqreturn_t vfio_pci_intx_handler(int irqno, void *dev_id)
{
	struct vfio_pci_irq_vec *vec = dev_id;
	struct vfio_pci_core_device *core = vec->core;
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	irqreturn_t ret = IRQ_NONE;
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	if (!irq->pci_2_3) {
		/* Exclusive line: it can only be ours. */
		disable_irq_nosync(core->pdev->irq);
		vec->masked = true;
		ret = IRQ_HANDLED;
	} else if (!vec->masked && pci_check_and_mask_intx(core->pdev)) {
		vec->masked = true;
		ret = IRQ_HANDLED;
	}
	spin_unlock_irqrestore(&irq->lock, flags);

	if (ret == IRQ_HANDLED)
		vfio_pci_intx_signal(core, vec);
	return ret;
}

static int vfio_pci_intx_enable(struct vfio_pci_core_device *core,
				struct eventfd_ctx *trigger)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	struct pci_dev *pdev = core->pdev;
	struct vfio_pci_irq_vec *vec;
	unsigned long irqflags;
	int ret;

	if (irq->type != VFIO_PCI_IRQ_NONE)
		return -EINVAL;
	if (!pdev->irq || pdev->irq == IRQ_NOTCONNECTED)
		return -ENODEV;

	vec = kzalloc_obj(*vec, GFP_KERNEL_ACCOUNT);
	if (!vec)
		return -ENOMEM;
	vec->name = kasprintf(GFP_KERNEL_ACCOUNT, "vfio-intx(%s)",
			      pci_name(pdev));
	if (!vec->name) {
		kfree(vec);
		return -ENOMEM;
	}
	vec->core = core;
	vec->trigger = trigger;
	vec->irq = pdev->irq;

	/*
	 * Start masked if the user's virtual DisINTx says so.  Nothing can
	 * race with us yet: no handler, no unmask eventfd, and igate held.
	 * The handler reads the type, so it is set before request_irq().
	 */
	vec->masked = irq->virq_disabled;
	if (irq->pci_2_3) {
		pci_intx(pdev, !vec->masked);
		irqflags = IRQF_SHARED;
	} else {
		irqflags = vec->masked ? IRQF_NO_AUTOEN : 0;
		/* Mask at the chip at once, not lazily at the next edge. */
		irq_set_status_flags(pdev->irq, IRQ_DISABLE_UNLAZY);
	}
	irq->intx = vec;
	WRITE_ONCE(irq->type, VFIO_PCI_INTX_IRQ_INDEX);

	ret = request_irq(pdev->irq, vfio_pci_intx_handler, irqflags,
			  vec->name, vec);
	if (ret) {
		WRITE_ONCE(irq->type, VFIO_PCI_IRQ_NONE);
		irq->intx = NULL;
		if (!irq->pci_2_3)
			irq_clear_status_flags(pdev->irq, IRQ_DISABLE_UNLAZY);
		kfree(vec->name);
		kfree(vec);
	}
	return ret;
}

/* Replace the trigger of active INTx; @trigger may be NULL. */
static void vfio_pci_intx_swap_trigger(struct vfio_pci_core_device *core,
				       struct eventfd_ctx *trigger)
{
	struct vfio_pci_irq_vec *vec = core->priv->irq.intx;
	struct eventfd_ctx *old = vec->trigger;

	WRITE_ONCE(vec->trigger, trigger);
	if (!old)
		return;
	/* Wait out the handler and unmask thread that may still use it. */
	synchronize_irq(core->pdev->irq);
	vfio_virqfd_flush_thread(&vec->unmask);
	eventfd_ctx_put(old);
}

void vfio_pci_intx_disable(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	struct vfio_pci_irq_vec *vec = irq->intx;
	struct pci_dev *pdev = core->pdev;

	lockdep_assert_held(&irq->igate);
	if (!vec)
		return;

	vfio_virqfd_disable(&vec->unmask);
	free_irq(pdev->irq, vec);
	if (!irq->pci_2_3)
		irq_clear_status_flags(pdev->irq, IRQ_DISABLE_UNLAZY);
	WRITE_ONCE(irq->type, VFIO_PCI_IRQ_NONE);
	irq->intx = NULL;
	if (vec->trigger)
		eventfd_ctx_put(vec->trigger);
	kfree(vec->name);
	kfree(vec);
}

/* MASK, UNMASK: only on active INTx, and only the one interrupt. */
static bool vfio_pci_intx_addressed(struct vfio_pci_core_device *core,
				    unsigned int start, unsigned int count)
{
	return core->priv->irq.type == VFIO_PCI_INTX_IRQ_INDEX &&
	       start == 0 && count == 1;
}

int vfio_pci_intx_set_mask(struct vfio_pci_core_device *core,
			   unsigned int start, unsigned int count, u32 flags,
			   void *data)
{
	if (!vfio_pci_intx_addressed(core, start, count))
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD)
		return -ENOTTY;	/* a mask eventfd is not offered */
	if ((flags & VFIO_IRQ_SET_DATA_NONE) || *(u8 *)data)
		vfio_pci_intx_do_mask(core);
	return 0;
}

int vfio_pci_intx_set_unmask(struct vfio_pci_core_device *core,
			     unsigned int start, unsigned int count, u32 flags,
			     void *data)
{
	struct vfio_pci_irq_vec *vec;
	s32 fd;

	if (!vfio_pci_intx_addressed(core, start, count))
		return -EINVAL;
	vec = core->priv->irq.intx;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		fd = *(s32 *)data;
		if (fd < 0) {
			vfio_virqfd_disable(&vec->unmask);
			return 0;
		}
		return vfio_virqfd_enable(core, vfio_pci_intx_do_unmask,
					  vfio_pci_intx_signal, vec,
					  &vec->unmask, fd);
	}
	if ((flags & VFIO_IRQ_SET_DATA_NONE) || *(u8 *)data)
		vfio_pci_intx_unmask_locked(core);
	return 0;
}

int vfio_pci_intx_set_trigger(struct vfio_pci_core_device *core,
			      unsigned int start, unsigned int count,
			      u32 flags, void *data)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	bool active = irq->type == VFIO_PCI_INTX_IRQ_INDEX;
	struct eventfd_ctx *trigger = NULL;
	s32 fd;
	int ret;

	/* count 0 with no data turns INTx off. */
	if (active && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		vfio_pci_intx_disable(core);
		return 0;
	}
	if ((!active && irq->type != VFIO_PCI_IRQ_NONE) || start != 0 ||
	    count != 1)
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		fd = *(s32 *)data;
		if (fd >= 0) {
			trigger = eventfd_ctx_fdget(fd);
			if (IS_ERR(trigger))
				return PTR_ERR(trigger);
		}
		if (active) {
			vfio_pci_intx_swap_trigger(core, trigger);
			return 0;
		}
		ret = vfio_pci_intx_enable(core, trigger);
		if (ret && trigger)
			eventfd_ctx_put(trigger);
		return ret;
	}

	/* Loopback: signal as if the device had interrupted. */
	if (!active)
		return -EINVAL;
	if ((flags & VFIO_IRQ_SET_DATA_NONE) || *(u8 *)data)
		vfio_pci_intx_signal(core, irq->intx);
	return 0;
}
