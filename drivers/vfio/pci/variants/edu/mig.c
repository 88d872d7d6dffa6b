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

/*
 * The registers as the user wrote them (the factorial's input among them),
 * in replay order.  Phase 1: IRQFACT, once the replayed factorial is done.
 * Phase 2, at start: the interrupt status, read back at save time.
 */
static const struct vfio_pci_replay_reg edu_replay_regs[] = {
	{ .offset = EDU_LIVENESS,	.size = 4 },
	{ .offset = EDU_DMA_SRC,	.size = 8 },
	{ .offset = EDU_DMA_DST,	.size = 8 },
	{ .offset = EDU_DMA_CNT,	.size = 8 },
	{ .offset = EDU_FACT,		.size = 4 },
	{ .offset = EDU_STATUS,		.size = 4, .phase = 1 },
	{ .offset = EDU_IRQ_RAISE,	.size = 4, .phase = 2 },
};

/* Wait for the device to finish a DMA and a factorial (~100 ms under TCG). */
static int edu_wait_idle(void __iomem *io)
{
	u32 v;

	return readl_poll_timeout(io + EDU_DMA_CMD, v, !(v & EDU_DMA_RUN),
				  1000, 1000000) ?:
	       readl_poll_timeout(io + EDU_STATUS, v,
				  !(v & EDU_STATUS_COMPUTING), 1000, 1000000);
}

/*
 * PRE_COPY: the registers and the known buffer in the first pass, then each
 * again when it changed, so that PRECOPY_INFO reports what changed; at
 * stop-copy (the core calls this in place of a save op), what changed since
 * (or everything, in a session without PRE_COPY).
 */
static int edu_mig_precopy(struct vfio_pci_core_device *core,
			   struct vfio_pci_mig_stream *s, bool initial)
{
	void __iomem *io;
	bool running;
	u16 cmd;
	int ret;

	guard(mutex)(&to_edu(core)->lock);
	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	/* The device sets the interrupt status; the destination raises it. */
	vfio_pci_replay_log(core, EDU_IRQ_RAISE, 4, readl(io + EDU_IRQ_STATUS));
	running = readq(io + EDU_DMA_CMD) & EDU_DMA_RUN;
	vfio_pci_core_mmio_end(core, cmd);
	/* The last DMA out is over: read back what it moved. */
	if (!running)
		vfio_pci_dma_shadow_settle(core);
	ret = vfio_pci_replay_save(core, s, EDU_TAG_REGS, initial);
	return ret ?: vfio_pci_dma_shadow_save(core, s, EDU_TAG_BUF, initial);
}

/* Records arrive in stream order: the last of each kind is the state. */
static int edu_mig_load(struct vfio_pci_core_device *core, u32 tag,
			const void *data, u32 len)
{
	guard(mutex)(&to_edu(core)->lock);
	if (tag == EDU_TAG_BUF)
		return vfio_pci_dma_shadow_load(core, data, len);
	if (tag == EDU_TAG_REGS)
		return vfio_pci_replay_load(core, data, len);
	return -EINVAL;
}

static int edu_mig_load_end(struct vfio_pci_core_device *core)
{
	void __iomem *io;
	u16 cmd;
	int ret;

	guard(mutex)(&to_edu(core)->lock);
	ret = vfio_pci_replay_load_end(core);
	if (ret)
		return ret;
	vfio_pci_dma_shadow_load_end(core);
	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	/* No interrupt from the replayed factorial; IRQFACT goes back after. */
	writel(0, io + EDU_STATUS);
	vfio_pci_replay_apply(core, io, 0);
	ret = edu_wait_idle(io);
	vfio_pci_replay_apply(core, io, 1);
	writel(~0U, io + EDU_IRQ_ACK);
	vfio_pci_core_mmio_end(core, cmd);
	return ret;
}

static int edu_mig_stop(struct vfio_pci_core_device *core)
{
	void __iomem *io;
	u16 cmd;
	int ret;

	guard(mutex)(&to_edu(core)->lock);
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
	void __iomem *io;
	u16 cmd;

	guard(mutex)(&to_edu(core)->lock);
	/* Interrupts are for RUNNING: the loaded status is raised here. */
	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	vfio_pci_replay_apply(core, io, 2);
	vfio_pci_core_mmio_end(core, cmd);
	return 0;
}

static const struct vfio_pci_core_mig_ops edu_mig_ops = {
	.version	= 3,	/* 3: the registers as the replay log */
	.record_max	= VFIO_PCI_DMA_SHADOW_RECORD(EDU_BUF_SIZE),
	.stop		= edu_mig_stop,
	.start		= edu_mig_start,
	.load		= edu_mig_load,
	.load_end	= edu_mig_load_end,
	.precopy	= edu_mig_precopy,
};

int edu_mig_init(struct vfio_pci_core_device *core)
{
	int ret = vfio_pci_replay_init(core, 0, edu_replay_regs,
				       ARRAY_SIZE(edu_replay_regs));

	return ret ?: vfio_pci_core_migration_init(core, &edu_mig_ops);
}
