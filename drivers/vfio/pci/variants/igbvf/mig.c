// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: the migration callbacks.  Stop disables the queues (the
 * device keeps what is posted: nothing is lost but the frames that arrive
 * while stopped), then saves the registers; start writes them back with
 * the queues disabled, heads before tails, then the enables and the
 * interrupt mask, then rings the doorbells again (a TX doorbell is what
 * makes the device send).  The stream is stream.c's.
 */
#include <linux/io.h>
#include <linux/iopoll.h>

#include "igbvf.h"

/* Registers @reg as the device has them; without @dctl, not the enables. */
void igbvf_read_regs(void __iomem *io, u32 *reg, bool dctl)
{
	unsigned int i, r;

	for (i = 0; i < IGBVF_R_NR; i++) {
		r = (i - IGBVF_R_QUEUE) % IGBVF_Q_NR;
		if (dctl || i < IGBVF_R_QUEUE ||
		    (r != IGBVF_Q_RXDCTL && r != IGBVF_Q_TXDCTL))
			reg[i] = readl(io + igbvf_reg_off(i));
	}
}

static int igbvf_mig_stop(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);
	unsigned int i, q;
	void __iomem *io;
	int ret = 0;
	u16 cmd;
	u32 v;

	guard(mutex)(&vf->lock);
	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	/* No more DMA: the queues off first, the rest read after. */
	for (q = 0; q < IGBVF_NQ && !ret; q++) {
		for (i = IGBVF_Q_RXDCTL; i <= IGBVF_Q_TXDCTL;
		     i += IGBVF_Q_TXDCTL - IGBVF_Q_RXDCTL) {
			u32 off = igbvf_reg_off(IGBVF_RQ(q, i));

			vf->reg[IGBVF_RQ(q, i)] = readl(io + off);
			writel(vf->reg[IGBVF_RQ(q, i)] & ~IGBVF_DCTL_ENABLE,
			       io + off);
			ret = readl_poll_timeout(io + off, v,
						 !(v & IGBVF_DCTL_ENABLE),
						 10, 10000);
		}
	}
	igbvf_read_regs(io, vf->reg, false);
	/* No more interrupts; EIMS reads back what the user last wrote. */
	writel(~0U, io + IGBVF_EIMC);
	vfio_pci_core_mmio_end(core, cmd);
	if (!ret)
		igbvf_mark_all(vf, vf->reg);
	return ret;
}

static int igbvf_mig_start(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);
	unsigned int i, q, r;
	void __iomem *io;
	u16 cmd;

	guard(mutex)(&vf->lock);
	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	/* Rings, heads and tails while the queues are off, then the rest. */
	for (i = IGBVF_R_QUEUE; i < IGBVF_R_NR; i++) {
		r = (i - IGBVF_R_QUEUE) % IGBVF_Q_NR;
		if (r != IGBVF_Q_RXDCTL && r != IGBVF_Q_TXDCTL)
			writel(vf->reg[i], io + igbvf_reg_off(i));
	}
	for (i = 0; i < IGBVF_R_EIMS; i++)
		writel(vf->reg[i], io + igbvf_reg_off(i));
	for (q = 0; q < IGBVF_NQ; q++) {
		i = IGBVF_RQ(q, IGBVF_Q_RXDCTL);
		writel(vf->reg[i], io + igbvf_reg_off(i));
		i = IGBVF_RQ(q, IGBVF_Q_TXDCTL);
		writel(vf->reg[i], io + igbvf_reg_off(i));
	}
	writel(vf->reg[IGBVF_R_EIMS], io + IGBVF_EIMS);
	/* Doorbells: TX sends what is pending, RX takes frames waiting. */
	for (q = 0; q < IGBVF_NQ; q++) {
		i = IGBVF_RQ(q, IGBVF_Q_TDT);
		writel(vf->reg[i], io + igbvf_reg_off(i));
		i = IGBVF_RQ(q, IGBVF_Q_RDT);
		writel(vf->reg[i], io + igbvf_reg_off(i));
	}
	vfio_pci_core_mmio_end(core, cmd);
	return 0;
}

/*
 * The state is in (the final registers and the negotiated state among it);
 * the PF gives the VF its queues back (start fills them) and what the VF
 * had negotiated.  The next stream starts afresh.
 */
static int igbvf_mig_load_end(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);
	void __iomem *io;
	unsigned int q;
	bool loaded;
	u32 n;
	u16 cmd;
	int ret;

	guard(mutex)(&vf->lock);
	loaded = vf->loaded && vf->pf_have_staged;
	vf->loaded = false;
	vf->have_regs = false;
	vf->pf_have_staged = false;
	if (!loaded)
		return -EINVAL;
	/* Slots outside the final rings: none, as on the source. */
	for (q = 0; q < IGBVF_NQ; q++) {
		n = min(igbvf_ring_len(&vf->reg[IGBVF_RQ(q, 0)], false),
			IGBVF_RING_MAX);
		memset(&vf->posted[q][n], 0,
		       (IGBVF_RING_MAX - n) * sizeof(*vf->posted[q]));
	}
	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	ret = igbvf_mbx_reset(io) ?: igbvf_mbx_replay(io, &vf->pf_staged);
	vfio_pci_core_mmio_end(core, cmd);
	if (ret)
		return ret;
	/* The PF's state for this VF is the log now, whatever reset it. */
	WRITE_ONCE(vf->pf_forgot, false);
	vf->pf_req_valid = false;
	vf->pf = vf->pf_staged;
	vf->pf_dirty = true;
	return 0;
}

static void igbvf_mig_reset(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);

	/* No lock may be slept on here; a new session starts from scratch. */
	WRITE_ONCE(vf->in_session, false);
	WRITE_ONCE(vf->have_regs, false);
	WRITE_ONCE(vf->loaded, false);
	WRITE_ONCE(vf->pf_have_staged, false);
}

static const struct vfio_pci_core_mig_ops igbvf_mig_ops = {
	.version	= 3,
	.record_max	= IGBVF_RECORD_MAX,
	.stop		= igbvf_mig_stop,
	.start		= igbvf_mig_start,
	.save		= igbvf_save,
	.precopy	= igbvf_precopy,
	.save_end	= igbvf_save_end,
	.load		= igbvf_load,
	.load_end	= igbvf_mig_load_end,
	.precopy_size	= igbvf_precopy_size,
	.reset		= igbvf_mig_reset,
};

int igbvf_mig_init(struct vfio_pci_core_device *core)
{
	return vfio_pci_core_migration_init(core, &igbvf_mig_ops);
}
