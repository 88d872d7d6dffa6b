// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the ERR and REQ notification eventfds.
 *
 * ERR tells the user that AER reported an error on the function; REQ asks
 * the user to release the device (it is being unbound or removed).  Both are
 * signalled from contexts that must not wait for an ioctl holding igate, so
 * the eventfds are published with RCU: replaced under igate, read under
 * rcu_read_lock(), the old one dropped after a grace period.
 */
#include <linux/slab.h>

#include "private.h"

static void vfio_pci_irq_eventfd_free(struct rcu_head *rcu)
{
	struct vfio_pci_irq_eventfd *e =
		container_of(rcu, struct vfio_pci_irq_eventfd, rcu);

	eventfd_ctx_put(e->ctx);
	kfree(e);
}

/* Publish @ctx (or nothing) in @slot; on success the slot owns @ctx. */
static int vfio_pci_irq_eventfd_replace(struct vfio_pci_core_device *core,
					struct vfio_pci_irq_eventfd __rcu **slot,
					struct eventfd_ctx *ctx)
{
	struct vfio_pci_irq_eventfd *new = NULL, *old;

	lockdep_assert_held(&core->priv->irq.igate);

	if (ctx) {
		new = kzalloc_obj(*new, GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
		new->ctx = ctx;
	}
	old = rcu_replace_pointer(*slot, new,
				  lockdep_is_held(&core->priv->irq.igate));
	if (old)
		call_rcu(&old->rcu, vfio_pci_irq_eventfd_free);
	return 0;
}

static void vfio_pci_irq_eventfd_fire(struct vfio_pci_irq_eventfd __rcu **slot)
{
	struct vfio_pci_irq_eventfd *e;

	rcu_read_lock();
	e = rcu_dereference(*slot);
	if (e)
		eventfd_signal(e->ctx);
	rcu_read_unlock();
}

int vfio_pci_err_req_set_trigger(struct vfio_pci_core_device *core,
				 unsigned int index, unsigned int count,
				 u32 flags, void *data)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	struct vfio_pci_irq_eventfd __rcu **slot;
	struct vfio_pci_irq_eventfd *cur;
	struct eventfd_ctx *ctx;
	s32 fd;
	int ret;

	slot = index == VFIO_PCI_ERR_IRQ_INDEX ? &irq->err : &irq->req;
	cur = rcu_dereference_protected(*slot, lockdep_is_held(&irq->igate));

	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		/* count 1 signals the eventfd, count 0 removes it. */
		if (!cur)
			return -EINVAL;
		if (count) {
			eventfd_signal(cur->ctx);
			return 0;
		}
		return vfio_pci_irq_eventfd_replace(core, slot, NULL);
	}

	if (!count)
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (*(u8 *)data && cur)
			eventfd_signal(cur->ctx);
		return 0;
	}

	fd = *(s32 *)data;
	if (fd == -1)
		return vfio_pci_irq_eventfd_replace(core, slot, NULL);
	if (fd < 0)
		return -EINVAL;
	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ret = vfio_pci_irq_eventfd_replace(core, slot, ctx);
	if (ret)
		eventfd_ctx_put(ctx);
	return ret;
}

void vfio_pci_err_req_clear(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;

	vfio_pci_irq_eventfd_replace(core, &irq->err, NULL);
	vfio_pci_irq_eventfd_replace(core, &irq->req, NULL);
}

void vfio_pci_core_request(struct vfio_device *vdev, unsigned int count)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	struct vfio_pci_irq_eventfd *e;

	rcu_read_lock();
	e = rcu_dereference(core->priv->irq.req);
	if (e) {
		if (!(count % 10))
			pci_notice_ratelimited(core->pdev,
					       "asking the user to release the device (#%u)\n",
					       count);
		eventfd_signal(e->ctx);
	} else if (!count) {
		pci_warn(core->pdev,
			 "no request eventfd: waiting for the user to close the device\n");
	}
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(vfio_pci_core_request);

pci_ers_result_t vfio_pci_core_aer_err_detected(struct pci_dev *pdev,
						pci_channel_state_t state)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	vfio_pci_irq_eventfd_fire(&core->priv->irq.err);
	/* The user owns the device: leave recovery to it. */
	return PCI_ERS_RESULT_CAN_RECOVER;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_aer_err_detected);

const struct pci_error_handlers vfio_pci_core_err_handlers = {
	.error_detected = vfio_pci_core_aer_err_detected,
	/* A reset behind the core's back ends migration sessions. */
	.reset_done = vfio_pci_core_reset_done,
};
EXPORT_SYMBOL_GPL(vfio_pci_core_err_handlers);
