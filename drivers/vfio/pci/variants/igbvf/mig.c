// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: the migration callbacks.  Stop disables the queues (the
 * device keeps what is posted: nothing is lost but the frames that arrive
 * while stopped), then saves the registers; start writes them back with
 * the queues disabled, heads before tails, then the enables and the
 * interrupt mask, then rings the doorbells again (a TX doorbell is what
 * makes the device send).  The stream: the registers, then per queue the
 * RX descriptors as posted, which the destination's tracker needs.
 */
#include <linux/io.h>
#include <linux/iopoll.h>

#include "igbvf.h"

enum { IGBVF_TAG_REGS = 1, IGBVF_TAG_POSTED };

/* The payload of an IGBVF_TAG_POSTED record: the queue, its descriptors. */
struct igbvf_posted_rec {
	__le32 queue;
	struct igbvf_posted desc[];
};

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
	for (i = 0; i < IGBVF_R_NR; i++) {
		unsigned int r = (i - IGBVF_R_QUEUE) % IGBVF_Q_NR;

		if (i < IGBVF_R_QUEUE ||
		    (r != IGBVF_Q_RXDCTL && r != IGBVF_Q_TXDCTL))
			vf->reg[i] = readl(io + igbvf_reg_off(i));
	}
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

static int igbvf_put_posted(struct igbvf_device *vf,
			    struct vfio_pci_mig_stream *s, unsigned int q)
{
	u32 n = igbvf_ring_len(&vf->reg[IGBVF_RQ(q, 0)], false);
	struct igbvf_posted_rec *rec;
	int ret;

	rec = kvmalloc(struct_size(rec, desc, n), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->queue = cpu_to_le32(q);
	memcpy(rec->desc, vf->posted[q], n * sizeof(*rec->desc));
	ret = vfio_pci_mig_put(s, IGBVF_TAG_POSTED, rec,
			       struct_size(rec, desc, n));
	kvfree(rec);
	return ret;
}

static int igbvf_mig_save(struct vfio_pci_core_device *core,
			  struct vfio_pci_mig_stream *s)
{
	struct igbvf_device *vf = to_igbvf(core);
	__le32 regs[IGBVF_R_NR];
	unsigned int i;
	int ret;

	guard(mutex)(&vf->lock);
	for (; vf->save_step <= IGBVF_NQ; vf->save_step++) {
		if (!vf->save_step) {
			for (i = 0; i < IGBVF_R_NR; i++)
				regs[i] = cpu_to_le32(vf->reg[i]);
			ret = vfio_pci_mig_put(s, IGBVF_TAG_REGS, regs,
					       sizeof(regs));
		} else {
			ret = igbvf_put_posted(vf, s, vf->save_step - 1);
		}
		if (ret == -ENOSPC)
			return 1;
		if (ret)
			return ret;
	}
	return 0;
}

static void igbvf_mig_save_end(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);

	guard(mutex)(&vf->lock);
	vf->save_step = 0;
}

/* Registers the device could hold: rings it can have, heads in them. */
static bool igbvf_regs_valid(const u32 *reg)
{
	const u32 *qreg;
	unsigned int q;
	u32 n;

	/* Without a ring, heads and tails are 0. */
	for (q = 0; q < IGBVF_NQ; q++) {
		qreg = &reg[IGBVF_RQ(q, 0)];
		n = max(igbvf_ring_len(qreg, false), 1U);
		if (n > IGBVF_RING_MAX || qreg[IGBVF_Q_RDLEN] & ~0xffff0U ||
		    qreg[IGBVF_Q_RDH] >= n || qreg[IGBVF_Q_RDT] >= n)
			return false;
		n = max(igbvf_ring_len(qreg, true), 1U);
		if (qreg[IGBVF_Q_TDLEN] & ~0xffff0U ||
		    qreg[IGBVF_Q_TDH] >= n || qreg[IGBVF_Q_TDT] >= n)
			return false;
	}
	return true;
}

static int igbvf_load_regs(struct igbvf_device *vf, const __le32 *data,
			   u32 len)
{
	u32 reg[IGBVF_R_NR];
	unsigned int i;

	if (len != sizeof(reg))
		return -EINVAL;
	for (i = 0; i < IGBVF_R_NR; i++)
		reg[i] = le32_to_cpu(data[i]);
	if (!igbvf_regs_valid(reg))
		return -EINVAL;
	memcpy(vf->reg, reg, sizeof(reg));
	vf->loaded = true;
	return 0;
}

static int igbvf_load_posted(struct igbvf_device *vf,
			     const struct igbvf_posted_rec *rec, u32 len)
{
	u32 q, n;

	if (!vf->loaded || len < sizeof(*rec))
		return -EINVAL;
	q = le32_to_cpu(rec->queue);
	if (q >= IGBVF_NQ)
		return -EINVAL;
	n = igbvf_ring_len(&vf->reg[IGBVF_RQ(q, 0)], false);
	if (len != struct_size(rec, desc, n))
		return -EINVAL;
	memcpy(vf->posted[q], rec->desc, n * sizeof(*rec->desc));
	return 0;
}

static int igbvf_mig_load(struct vfio_pci_core_device *core, u32 tag,
			  const void *data, u32 len)
{
	struct igbvf_device *vf = to_igbvf(core);

	guard(mutex)(&vf->lock);
	if (tag == IGBVF_TAG_REGS)
		return igbvf_load_regs(vf, data, len);
	if (tag == IGBVF_TAG_POSTED)
		return igbvf_load_posted(vf, data, len);
	return -EINVAL;
}

/* The state is in; the PF gives the VF its queues back (start fills them). */
static int igbvf_mig_load_end(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);
	void __iomem *io;
	u16 cmd;
	int ret;

	guard(mutex)(&vf->lock);
	if (!vf->loaded)
		return -EINVAL;
	io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	ret = igbvf_mbx_reset(io);
	vfio_pci_core_mmio_end(core, cmd);
	return ret;
}

static void igbvf_mig_reset(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);

	/* No lock may be slept on here; a new session starts from scratch. */
	WRITE_ONCE(vf->save_step, 0);
	WRITE_ONCE(vf->loaded, false);
}

static const struct vfio_pci_core_mig_ops igbvf_mig_ops = {
	.version	= 1,
	.record_max	= sizeof(struct igbvf_posted_rec) +
			  IGBVF_RING_MAX * sizeof(struct igbvf_posted),
	.stop		= igbvf_mig_stop,
	.start		= igbvf_mig_start,
	.save		= igbvf_mig_save,
	.save_end	= igbvf_mig_save_end,
	.load		= igbvf_mig_load,
	.load_end	= igbvf_mig_load_end,
	.reset		= igbvf_mig_reset,
};

int igbvf_mig_init(struct vfio_pci_core_device *core)
{
	return vfio_pci_core_migration_init(core, &igbvf_mig_ops);
}
