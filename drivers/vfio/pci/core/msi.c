// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: MSI and MSI-X vectors delivered through eventfds.
 *
 * Enabling the index allocates start + count vectors (fewer available: the
 * ioctl answers with how many there are and nothing stays enabled).  Vectors
 * are then attached, replaced or detached one by one while the others keep
 * running.  A vector's Linux IRQ, once allocated, is kept until the index is
 * disabled; with dynamic MSI-X, vectors beyond the first allocation are
 * added on demand.  Everything that touches the device is done with memory
 * decoding on and memory_lock held (vfio_pci_core_memory_lock_and_enable()),
 * since the MSI-X table lives in a BAR the user may have turned off.
 */
#include <linux/interrupt.h>
#include <linux/msi.h>
#include <linux/slab.h>

#include "private.h"

static irqreturn_t vfio_pci_msi_handler(int irqno, void *arg)
{
	eventfd_signal(arg);
	return IRQ_HANDLED;
}

/* Freeing the vectors re-enables INTx: not on a function without it. */
static void vfio_pci_msi_free_vectors(struct vfio_pci_core_device *core)
{
	pci_free_irq_vectors(core->pdev);
	if (core->priv->irq.nointx)
		pci_intx(core->pdev, 0);
}

static int vfio_pci_msi_enable(struct vfio_pci_core_device *core,
			       unsigned int index, unsigned int nvec)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	bool msix = index == VFIO_PCI_MSIX_IRQ_INDEX;
	u16 cmd;
	int ret;

	if (irq->type != VFIO_PCI_IRQ_NONE)
		return -EINVAL;

	cmd = vfio_pci_core_memory_lock_and_enable(core);
	ret = pci_alloc_irq_vectors(core->pdev, 1, nvec,
				    msix ? PCI_IRQ_MSIX : PCI_IRQ_MSI);
	if (ret > 0 && ret < nvec)
		vfio_pci_msi_free_vectors(core);
	vfio_pci_core_memory_unlock_and_restore(core, cmd);
	/* Not all of them: tell the user how many it can have. */
	if (ret < (int)nvec)
		return ret;

	WRITE_ONCE(irq->type, index);
	if (!msix)
		irq->msi_qmax = order_base_2(nvec);
	return 0;
}

/* The Linux IRQ of @vector, allocating it with dynamic MSI-X. */
static int vfio_pci_msi_irq(struct vfio_pci_core_device *core,
			    unsigned int vector, bool msix)
{
	struct pci_dev *pdev = core->pdev;
	struct msi_map map;
	int virq;
	u16 cmd;

	virq = pci_irq_vector(pdev, vector);
	if (virq > 0 || !msix || !core->priv->irq.dyn_msix)
		return virq ? virq : -EINVAL;

	cmd = vfio_pci_core_memory_lock_and_enable(core);
	map = pci_msix_alloc_irq_at(pdev, vector, NULL);
	vfio_pci_core_memory_unlock_and_restore(core, cmd);
	return map.index < 0 ? map.index : map.virq;
}

static void vfio_pci_msi_detach(struct vfio_pci_core_device *core,
				unsigned int vector)
{
	struct vfio_pci_irq_vec *vec;
	u16 cmd;

	vec = xa_erase(&core->priv->irq.vecs, vector);
	if (!vec)
		return;
	if (vec->bypass)
		irq_bypass_unregister_producer(&vec->producer);
	cmd = vfio_pci_core_memory_lock_and_enable(core);
	free_irq(vec->irq, vec->trigger);
	vfio_pci_core_memory_unlock_and_restore(core, cmd);
	eventfd_ctx_put(vec->trigger);
	kfree(vec->name);
	kfree(vec);
}

/* Point @vector at eventfd @fd, or at nothing for a negative @fd. */
static int vfio_pci_msi_attach(struct vfio_pci_core_device *core,
			       unsigned int vector, s32 fd, bool msix)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	struct pci_dev *pdev = core->pdev;
	struct vfio_pci_irq_vec *vec;
	struct eventfd_ctx *trigger;
	struct msi_msg msg;
	int virq, ret;
	u16 cmd;

	vfio_pci_msi_detach(core, vector);
	if (fd < 0)
		return 0;

	virq = vfio_pci_msi_irq(core, vector, msix);
	if (virq < 0)
		return virq;

	trigger = eventfd_ctx_fdget(fd);
	if (IS_ERR(trigger))
		return PTR_ERR(trigger);

	vec = kzalloc_obj(*vec, GFP_KERNEL_ACCOUNT);
	if (!vec) {
		ret = -ENOMEM;
		goto out_put;
	}
	vec->core = core;
	vec->irq = virq;
	vec->trigger = trigger;
	vec->name = kasprintf(GFP_KERNEL_ACCOUNT, "vfio-msi%s[%u](%s)",
			      msix ? "x" : "", vector, pci_name(pdev));
	if (!vec->name) {
		ret = -ENOMEM;
		goto out_free;
	}

	cmd = vfio_pci_core_memory_lock_and_enable(core);
	/*
	 * A reset behind our back (config space, the device's own) may have
	 * cleared the table entry: write the message the kernel holds again.
	 */
	if (msix) {
		get_cached_msi_msg(virq, &msg);
		pci_write_msi_msg(virq, &msg);
	}
	ret = request_irq(virq, vfio_pci_msi_handler, 0, vec->name, trigger);
	vfio_pci_core_memory_unlock_and_restore(core, cmd);
	if (ret)
		goto out_free;

	ret = xa_insert(&irq->vecs, vector, vec, GFP_KERNEL_ACCOUNT);
	if (ret) {
		cmd = vfio_pci_core_memory_lock_and_enable(core);
		free_irq(virq, trigger);
		vfio_pci_core_memory_unlock_and_restore(core, cmd);
		goto out_free;
	}

	/* Posted interrupts are an optimisation: carry on without them. */
	ret = vfio_pci_compat_bypass_register(&vec->producer, trigger, virq);
	if (ret)
		pci_info(pdev, "no IRQ bypass for vector %u: %d\n", vector,
			 ret);
	vec->bypass = !ret;
	return 0;

out_free:
	kfree(vec->name);
	kfree(vec);
out_put:
	eventfd_ctx_put(trigger);
	return ret;
}

/* Attach @count vectors from @start; on failure undo this call's work. */
static int vfio_pci_msi_attach_range(struct vfio_pci_core_device *core,
				     unsigned int start, unsigned int count,
				     const s32 *fds, bool msix)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < count; i++) {
		ret = vfio_pci_msi_attach(core, start + i, fds ? fds[i] : -1,
					  msix);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			vfio_pci_msi_detach(core, start + i);
	}
	return ret;
}

void vfio_pci_msi_disable(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	struct vfio_pci_irq_vec *vec;
	unsigned long vector;
	u16 cmd;

	lockdep_assert_held(&irq->igate);
	xa_for_each(&irq->vecs, vector, vec)
		vfio_pci_msi_detach(core, vector);

	cmd = vfio_pci_core_memory_lock_and_enable(core);
	vfio_pci_msi_free_vectors(core);
	vfio_pci_core_memory_unlock_and_restore(core, cmd);
	WRITE_ONCE(irq->type, VFIO_PCI_IRQ_NONE);
}

int vfio_pci_msi_set_trigger(struct vfio_pci_core_device *core,
			     unsigned int index, unsigned int start,
			     unsigned int count, u32 flags, void *data)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	bool msix = index == VFIO_PCI_MSIX_IRQ_INDEX;
	bool active = irq->type == (int)index;
	struct vfio_pci_irq_vec *vec;
	unsigned int i;
	int ret;

	/* count 0 with no data turns the index off. */
	if (active && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		vfio_pci_msi_disable(core);
		return 0;
	}
	if (!active && irq->type != VFIO_PCI_IRQ_NONE)
		return -EINVAL;

	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		if (active)
			return vfio_pci_msi_attach_range(core, start, count,
							 data, msix);
		ret = vfio_pci_msi_enable(core, index, start + count);
		if (ret)
			return ret;
		ret = vfio_pci_msi_attach_range(core, start, count, data,
						msix);
		if (ret)
			vfio_pci_msi_disable(core);
		return ret;
	}

	/* Loopback on the vectors that have an eventfd. */
	if (!active)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		vec = xa_load(&irq->vecs, start + i);
		if (!vec)
			continue;
		if ((flags & VFIO_IRQ_SET_DATA_NONE) || ((u8 *)data)[i])
			eventfd_signal(vec->trigger);
	}
	return 0;
}
