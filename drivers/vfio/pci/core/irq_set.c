// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: VFIO_DEVICE_SET_IRQS, and the interrupt state's life cycle.
 *
 * The header is checked by the vfio core's common helper (index, flags, one
 * data type, start/count against the index's size, payload length); the
 * payload is copied before any lock is taken.  The action is then looked up
 * in a table by index and action; a combination not in it, and a request
 * with no action or several, answers -ENOTTY.
 */
#include <linux/bitfield.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "private.h"

typedef int (*vfio_pci_irq_action_fn)(struct vfio_pci_core_device *core,
				      unsigned int index, unsigned int start,
				      unsigned int count, u32 flags,
				      void *data);

static int vfio_pci_irq_intx_mask(struct vfio_pci_core_device *core,
				  unsigned int index, unsigned int start,
				  unsigned int count, u32 flags, void *data)
{
	return vfio_pci_intx_set_mask(core, start, count, flags, data);
}

static int vfio_pci_irq_intx_unmask(struct vfio_pci_core_device *core,
				    unsigned int index, unsigned int start,
				    unsigned int count, u32 flags, void *data)
{
	return vfio_pci_intx_set_unmask(core, start, count, flags, data);
}

static int vfio_pci_irq_intx_trigger(struct vfio_pci_core_device *core,
				     unsigned int index, unsigned int start,
				     unsigned int count, u32 flags, void *data)
{
	return vfio_pci_intx_set_trigger(core, start, count, flags, data);
}

static int vfio_pci_irq_err_req_trigger(struct vfio_pci_core_device *core,
					unsigned int index, unsigned int start,
					unsigned int count, u32 flags,
					void *data)
{
	/* One eventfd each: start 0, count 0 or 1. */
	if (start != 0 || count > 1)
		return -EINVAL;
	return vfio_pci_err_req_set_trigger(core, index, count, flags, data);
}

/* [index][action bit]; NULL: not supported.  MSI masking is not offered. */
static const vfio_pci_irq_action_fn
vfio_pci_irq_actions[VFIO_PCI_NUM_IRQS][3] = {
	[VFIO_PCI_INTX_IRQ_INDEX] = {
		vfio_pci_irq_intx_mask,
		vfio_pci_irq_intx_unmask,
		vfio_pci_irq_intx_trigger,
	},
	[VFIO_PCI_MSI_IRQ_INDEX] = { NULL, NULL, vfio_pci_msi_set_trigger },
	[VFIO_PCI_MSIX_IRQ_INDEX] = { NULL, NULL, vfio_pci_msi_set_trigger },
	[VFIO_PCI_ERR_IRQ_INDEX] = { NULL, NULL, vfio_pci_irq_err_req_trigger },
	[VFIO_PCI_REQ_IRQ_INDEX] = { NULL, NULL, vfio_pci_irq_err_req_trigger },
};

/*
 * @index was checked against VFIO_PCI_NUM_IRQS, but it selects a function
 * pointer that is then called: clamp it under speculation too.
 */
static vfio_pci_irq_action_fn vfio_pci_irq_action(unsigned int index,
						  u32 flags)
{
	index = array_index_nospec(index, VFIO_PCI_NUM_IRQS);
	switch (flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) {
	case VFIO_IRQ_SET_ACTION_MASK:
		return vfio_pci_irq_actions[index][0];
	case VFIO_IRQ_SET_ACTION_UNMASK:
		return vfio_pci_irq_actions[index][1];
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		return vfio_pci_irq_actions[index][2];
	default:	/* none, or more than one */
		return NULL;
	}
}

/*
 * Keep the virtual MSI Multiple Message Capable field at what was enabled
 * (0 until then).  cfg_lock is held, or the device is still being opened.
 */
void vfio_pci_core_irq_sync_msi_flags(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	unsigned int pos = pdev->msi_cap + PCI_MSI_FLAGS;
	u16 flags;

	if (!pdev->msi_cap || !core->priv->cfg.vconfig)
		return;
	flags = vfio_pci_cfg_vread(core, pos, 2) & ~PCI_MSI_FLAGS_QMASK;
	flags |= FIELD_PREP(PCI_MSI_FLAGS_QMASK, core->priv->irq.msi_qmax);
	vfio_pci_cfg_vwrite(core, pos, 2, flags);
}

long vfio_pci_core_ioctl_set_irqs(struct vfio_pci_core_device *core,
				  void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_pci_core_private *priv = core->priv;
	struct vfio_irq_set __user *uarg = arg;
	vfio_pci_irq_action_fn fn;
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;

	ret = vfio_set_irqs_validate_and_prepare(&hdr,
						 vfio_pci_core_irq_count(core,
									 hdr.index),
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;

	fn = vfio_pci_irq_action(hdr.index, hdr.flags);
	if (data_size) {
		data = memdup_user(&uarg->data, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&priv->cfg_lock);
	mutex_lock(&priv->irq.igate);
	if (fn)
		ret = fn(core, hdr.index, hdr.start, hdr.count, hdr.flags, data);
	else
		ret = -ENOTTY;
	if (hdr.index == VFIO_PCI_MSI_IRQ_INDEX)
		vfio_pci_core_irq_sync_msi_flags(core);
	mutex_unlock(&priv->irq.igate);
	mutex_unlock(&priv->cfg_lock);

	kfree(data);
	return ret;
}

void vfio_pci_core_irq_init(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;

	mutex_init(&irq->igate);
	spin_lock_init(&irq->lock);
	xa_init(&irq->vecs);
	irq->type = VFIO_PCI_IRQ_NONE;
}

void vfio_pci_core_irq_destroy(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;

	xa_destroy(&irq->vecs);
	mutex_destroy(&irq->igate);
}

void vfio_pci_core_irq_open(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;
	struct pci_dev *pdev = core->pdev;
	u16 cmd;

	irq->pci_2_3 = pci_intx_mask_supported(pdev);
	irq->dyn_msix = pci_msix_can_alloc_dyn(pdev);
	irq->virq_disabled = false;
	irq->msi_qmax = 0;

	/*
	 * The user starts with INTx unmasked on the device, unless it is
	 * never offered: then it stays disabled for the whole session.
	 */
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (irq->nointx)
		pci_intx(pdev, 0);
	else if (irq->pci_2_3 && (cmd & PCI_COMMAND_INTX_DISABLE))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd & ~PCI_COMMAND_INTX_DISABLE);
}

void vfio_pci_core_irq_close(struct vfio_pci_core_device *core)
{
	struct vfio_pci_irq_state *irq = &core->priv->irq;

	mutex_lock(&irq->igate);
	switch (irq->type) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		vfio_pci_intx_disable(core);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX:
		vfio_pci_msi_disable(core);
		break;
	}
	vfio_pci_err_req_clear(core);
	irq->virq_disabled = false;
	mutex_unlock(&irq->igate);
}
