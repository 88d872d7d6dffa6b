// SPDX-License-Identifier: GPL-2.0
/*
 * edu-vfio-pci: the migration callbacks.  The registers and the buffer's
 * shadow go in PRE_COPY (each again when it changed) and at stop-copy.
 */
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/iopoll.h>

#include "edu.h"

enum { EDU_TAG_REGS = 1, EDU_TAG_BUF };

/* Wait for the device to finish a DMA and a factorial (~100 ms under TCG). */
static int edu_wait_idle(void __iomem *io)
{
	u32 v;

	return readl_poll_timeout(io + EDU_DMA_CMD, v, !(v & EDU_DMA_RUN),
				  1000, 1000000) ?:
	       readl_poll_timeout(io + EDU_STATUS, v,
				  !(v & EDU_STATUS_COMPUTING), 1000, 1000000);
}

/* Snapshot of the registers; the device may be running. */
static int edu_read_regs(struct edu_device *edu, struct edu_regs *r,
			 bool *dma_running)
{
	struct vfio_pci_core_device *core = &edu->core;
	void __iomem *io;
	u16 cmd;
	int i;

	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	memset(r, 0, sizeof(*r));
	r->liveness = cpu_to_le32(readl(io + EDU_LIVENESS));
	r->status = cpu_to_le32(readl(io + EDU_STATUS) & EDU_STATUS_IRQFACT);
	r->irq_status = cpu_to_le32(readl(io + EDU_IRQ_STATUS));
	for (i = 0; i < 3; i++)
		r->dma[i] = cpu_to_le64(readq(io + EDU_DMA_SRC + 8 * i));
	*dma_running = readq(io + EDU_DMA_CMD) & EDU_DMA_RUN;
	vfio_pci_core_mmio_end(core, cmd);
	r->fact_in = cpu_to_le32(edu->u.fact_in);
	r->fact_set = cpu_to_le32(edu->u.fact_set);
	return 0;
}

/*
 * PRE_COPY (@all false): the registers and the known buffer first, then
 * each again when a write changed them, so that PRECOPY_INFO reports what
 * changed.  Stop-copy (@all true): the registers, and the buffer unless it
 * went in PRE_COPY and did not change since.
 */
static int edu_mig_send(struct vfio_pci_core_device *core,
			struct vfio_pci_mig_stream *s, bool initial, bool all)
{
	struct edu_device *edu = to_edu(core);
	struct edu_regs r;
	bool running;
	int ret;

	guard(mutex)(&edu->lock);
	if (all || initial || edu->u.regs_dirty ||
	    vfio_pci_dma_shadow_learning(core)) {
		ret = edu_read_regs(edu, &r, &running);
		if (ret)
			return ret;
		/* The last DMA out is over: read back what it moved. */
		if (!running)
			vfio_pci_dma_shadow_settle(core);
	}
	if (all || initial || edu->u.regs_dirty) {
		ret = vfio_pci_mig_put(s, EDU_TAG_REGS, &r, sizeof(r));
		if (ret)
			return ret;
		edu->u.regs_dirty = false;
	}
	return vfio_pci_dma_shadow_save(core, s, EDU_TAG_BUF, initial);
}

static int edu_mig_precopy(struct vfio_pci_core_device *core,
			   struct vfio_pci_mig_stream *s, bool initial)
{
	return edu_mig_send(core, s, initial, false);
}

static int edu_mig_save(struct vfio_pci_core_device *core,
			struct vfio_pci_mig_stream *s)
{
	return edu_mig_send(core, s, false, true);
}

/* The session is over: the next one sends the shadow again. */
static void edu_mig_save_end(struct vfio_pci_core_device *core)
{
	guard(mutex)(&to_edu(core)->lock);
	vfio_pci_dma_shadow_reset(core);
}

/* Records arrive in stream order: the last of each kind is the state. */
static int edu_mig_load(struct vfio_pci_core_device *core, u32 tag,
			const void *data, u32 len)
{
	struct edu_device *edu = to_edu(core);

	guard(mutex)(&edu->lock);
	if (tag == EDU_TAG_BUF)
		return vfio_pci_dma_shadow_load(core, data, len);
	if (tag != EDU_TAG_REGS || len != sizeof(edu->u.load_regs))
		return -EINVAL;
	memcpy(&edu->u.load_regs, data, len);
	edu->u.regs_loaded = true;
	return 0;
}

static int edu_mig_load_end(struct vfio_pci_core_device *core)
{
	struct edu_device *edu = to_edu(core);
	struct edu_regs r;
	void __iomem *io;
	unsigned int i;
	u16 cmd;
	int ret;

	guard(mutex)(&edu->lock);
	r = edu->u.load_regs;
	if (!edu->u.regs_loaded || r.reserved || le32_to_cpu(r.fact_set) > 1 ||
	    le32_to_cpu(r.status) & ~EDU_STATUS_IRQFACT)
		return -EINVAL;
	memset(&edu->u, 0, sizeof(edu->u));
	WRITE_ONCE(edu->u.stopped, true);
	vfio_pci_dma_shadow_load_end(core);

	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	/* No interrupt from the replayed factorial; IRQFACT goes back after. */
	writel(0, io + EDU_STATUS);
	writel(~le32_to_cpu(r.liveness), io + EDU_LIVENESS);
	for (i = 0; i < 3; i++)
		writeq(le64_to_cpu(r.dma[i]), io + EDU_DMA_SRC + 8 * i);
	edu->u.fact_in = le32_to_cpu(r.fact_in);
	edu->u.fact_set = le32_to_cpu(r.fact_set);
	if (edu->u.fact_set)
		writel(edu->u.fact_in, io + EDU_FACT);
	ret = edu_wait_idle(io);
	writel(le32_to_cpu(r.status), io + EDU_STATUS);
	writel(~0U, io + EDU_IRQ_ACK);
	vfio_pci_core_mmio_end(core, cmd);
	/* Interrupts are for RUNNING: raised by edu_mig_start(). */
	WRITE_ONCE(edu->u.irq_pending, le32_to_cpu(r.irq_status));
	return ret;
}

static int edu_mig_stop(struct vfio_pci_core_device *core)
{
	struct edu_device *edu = to_edu(core);
	void __iomem *io;
	u16 cmd;
	int ret;

	guard(mutex)(&edu->lock);
	WRITE_ONCE(edu->u.stopped, true);
	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	ret = edu_wait_idle(io);
	vfio_pci_core_mmio_end(core, cmd);
	vfio_pci_dma_shadow_stopped(core);
	return ret;
}

static int edu_mig_start(struct vfio_pci_core_device *core)
{
	struct edu_device *edu = to_edu(core);
	void __iomem *io;
	u16 cmd;
	u32 irq;

	guard(mutex)(&edu->lock);
	irq = xchg(&edu->u.irq_pending, 0);
	if (irq) {
		io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
		if (IS_ERR(io))
			return PTR_ERR(io);
		writel(irq, io + EDU_IRQ_RAISE);
		vfio_pci_core_mmio_end(core, cmd);
	}
	WRITE_ONCE(edu->u.stopped, false);
	return 0;
}

/* Reset path: no lock, no device access (see vfio_pci_core_mig_ops). */
static void edu_mig_reset(struct vfio_pci_core_device *core)
{
	struct edu_device *edu = to_edu(core);

	WRITE_ONCE(edu->u.irq_pending, 0);
	WRITE_ONCE(edu->u.stopped, false);
	/* Session flags: the core holds its migration state lock here. */
	edu->u.regs_loaded = false;
	vfio_pci_dma_shadow_reset(core);
}

const struct vfio_pci_core_mig_ops edu_mig_ops = {
	.version	= 2,
	.record_max	= VFIO_PCI_DMA_SHADOW_RECORD(EDU_BUF_SIZE),
	.stop		= edu_mig_stop,
	.start		= edu_mig_start,
	.save		= edu_mig_save,
	.load		= edu_mig_load,
	.load_end	= edu_mig_load_end,
	.precopy	= edu_mig_precopy,
	.save_end	= edu_mig_save_end,
	.reset		= edu_mig_reset,
};
