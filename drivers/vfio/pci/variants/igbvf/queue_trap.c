// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: the trap on the RX and TX queue registers.  It learns the
 * RX buffers the user posts and reports to the dirty tracker every page the
 * device may have written: the rings, the TX head write-back and every
 * posted buffer, again at each doorbell and when the device stops (a
 * superset: a buffer is reported until its slot is posted again).  While
 * the device is stopped, the user's writes go to the saved registers.
 */
#include <linux/sizes.h>

#include "igbvf.h"

static const u16 igbvf_misc_off[IGBVF_R_QUEUE] = {
	[IGBVF_R_EITR0]		= IGBVF_EITR(0),
	[IGBVF_R_EITR1]		= IGBVF_EITR(1),
	[IGBVF_R_EITR2]		= IGBVF_EITR(2),
	[IGBVF_R_IVAR0]		= IGBVF_IVAR0,
	[IGBVF_R_IVAR_MISC]	= IGBVF_IVAR_MISC,
	[IGBVF_R_EIAC]		= IGBVF_EIAC,
	[IGBVF_R_EIMS]		= IGBVF_EIMS,
};

static const u16 igbvf_queue_off[IGBVF_Q_NR] = {
	[IGBVF_Q_RDBAL]		= IGBVF_RX(0) + IGBVF_DBAL,
	[IGBVF_Q_RDBAH]		= IGBVF_RX(0) + IGBVF_DBAH,
	[IGBVF_Q_RDLEN]		= IGBVF_RX(0) + IGBVF_DLEN,
	[IGBVF_Q_SRRCTL]	= IGBVF_RX(0) + IGBVF_SRRCTL,
	[IGBVF_Q_RDH]		= IGBVF_RX(0) + IGBVF_DH,
	[IGBVF_Q_RDT]		= IGBVF_RX(0) + IGBVF_DT,
	[IGBVF_Q_RXDCTL]	= IGBVF_RX(0) + IGBVF_DCTL,
	[IGBVF_Q_TDBAL]		= IGBVF_TX(0) + IGBVF_DBAL,
	[IGBVF_Q_TDBAH]		= IGBVF_TX(0) + IGBVF_DBAH,
	[IGBVF_Q_TDLEN]		= IGBVF_TX(0) + IGBVF_DLEN,
	[IGBVF_Q_TXCTL]		= IGBVF_TX(0) + IGBVF_TXCTL,
	[IGBVF_Q_TDWBAL]	= IGBVF_TX(0) + IGBVF_TDWBAL,
	[IGBVF_Q_TDWBAH]	= IGBVF_TX(0) + IGBVF_TDWBAH,
	[IGBVF_Q_TDH]		= IGBVF_TX(0) + IGBVF_DH,
	[IGBVF_Q_TDT]		= IGBVF_TX(0) + IGBVF_DT,
	[IGBVF_Q_TXDCTL]	= IGBVF_TX(0) + IGBVF_DCTL,
};

/* BAR0 offset of saved register @i. */
u32 igbvf_reg_off(unsigned int i)
{
	if (i < IGBVF_R_QUEUE)
		return igbvf_misc_off[i];
	i -= IGBVF_R_QUEUE;
	return igbvf_queue_off[i % IGBVF_Q_NR] + 0x100 * (i / IGBVF_Q_NR);
}

/* The saved register at BAR0 offset @off, or -1. */
static int igbvf_reg_index(u64 off)
{
	unsigned int i;

	for (i = IGBVF_R_QUEUE; i < IGBVF_R_NR; i++)
		if (igbvf_reg_off(i) == off)
			return i;
	return -1;
}

/* Descriptors in a ring of one queue's registers @qreg. */
u32 igbvf_ring_len(const u32 *qreg, bool tx)
{
	return (qreg[tx ? IGBVF_Q_TDLEN : IGBVF_Q_RDLEN] & 0xffff0) / 16;
}

static u64 igbvf_ring_base(const u32 *qreg, bool tx)
{
	unsigned int lo = tx ? IGBVF_Q_TDBAL : IGBVF_Q_RDBAL;

	return (u64)qreg[lo + 1] << 32 | (qreg[lo] & ~0xfU);
}

/* Every page the device may write through RX queue @q (@qreg: its regs). */
static void igbvf_mark_rx(struct igbvf_device *vf, unsigned int q,
			  const u32 *qreg)
{
	struct vfio_pci_core_device *core = &vf->core;
	u32 n = min(igbvf_ring_len(qreg, false), IGBVF_RING_MAX);
	u32 srrctl = qreg[IGBVF_Q_SRRCTL], i;
	u32 bsize = (srrctl & 0x7f) * SZ_1K ?: SZ_16K;
	u32 hsize = ((srrctl >> 8) & 0xf) * 64 ?: SZ_1K;
	bool split = ((srrctl >> 25) & 0x7) > 1;
	struct igbvf_posted *p = vf->posted[q];

	vfio_pci_core_dirty_mark(core, igbvf_ring_base(qreg, false), n * 16);
	for (i = 0; i < n; i++) {
		if (p[i].pkt)
			vfio_pci_core_dirty_mark(core, le64_to_cpu(p[i].pkt),
						 bsize);
		if (split && p[i].hdr)
			vfio_pci_core_dirty_mark(core, le64_to_cpu(p[i].hdr),
						 hsize);
	}
}

/* The TX ring (descriptor write-back) and the head write-back word. */
static void igbvf_mark_tx(struct igbvf_device *vf, const u32 *qreg)
{
	struct vfio_pci_core_device *core = &vf->core;
	u32 wbal = qreg[IGBVF_Q_TDWBAL];

	vfio_pci_core_dirty_mark(core, igbvf_ring_base(qreg, true),
				 igbvf_ring_len(qreg, true) * 16);
	if (wbal & 1)
		vfio_pci_core_dirty_mark(core, (u64)qreg[IGBVF_Q_TDWBAH] << 32 |
					 (wbal & ~3U), 4);
}

/* Everything the device may have written, from saved registers @reg. */
void igbvf_mark_all(struct igbvf_device *vf, const u32 *reg)
{
	unsigned int q;

	for (q = 0; q < IGBVF_NQ; q++) {
		igbvf_mark_rx(vf, q, &reg[IGBVF_RQ(q, 0)]);
		igbvf_mark_tx(vf, &reg[IGBVF_RQ(q, 0)]);
	}
}

/*
 * RDT moves from where @qreg has it to @rdt: read the descriptors posted in
 * between, before the device can overwrite them.  One it cannot read (an
 * IOVA not mapped) the device cannot reach either.  A slot posted with
 * another buffer is the saving session's to send again.
 */
static void igbvf_learn(struct igbvf_device *vf, unsigned int q,
			const u32 *qreg, u32 rdt)
{
	u32 n = igbvf_ring_len(qreg, false), i = qreg[IGBVF_Q_RDT], k, j;
	u64 base = igbvf_ring_base(qreg, false);
	struct igbvf_posted *p = vf->posted[q], d[16];

	if (n > IGBVF_RING_MAX || i >= n || rdt >= n)
		return;
	while (i != rdt) {
		k = min_t(u32, rdt > i ? rdt - i : n - i, ARRAY_SIZE(d));
		if (vfio_pci_core_iova_rw(&vf->core, base + 16 * i, d,
					  16 * k, false))
			memset(d, 0, sizeof(d));
		for (j = 0; j < k; j++, i++) {
			if (!memcmp(&p[i], &d[j], sizeof(d[j])))
				continue;
			p[i] = d[j];
			__set_bit(i, vf->unsent[q]);
		}
		i %= n;
	}
}

/* One queue's registers as the device has them now. */
static int igbvf_read_queue(struct vfio_pci_core_device *core, unsigned int q,
			    u32 *qreg)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < IGBVF_Q_NR; i++) {
		if (vfio_pci_core_bar_hw_read(core, 0,
					      igbvf_reg_off(IGBVF_RQ(q, i)),
					      4, &v))
			return -EIO;
		qreg[i] = v;
	}
	return 0;
}

static int igbvf_trap_read(struct vfio_pci_core_device *core,
			   const struct vfio_pci_core_bar_trap *trap,
			   u64 offset, unsigned int size, u64 *val)
{
	struct igbvf_device *vf = to_igbvf(core);
	int i = size == 4 ? igbvf_reg_index(offset) : -1;

	guard(mutex)(&vf->lock);
	if (i >= 0 && vfio_pci_core_mig_stopped(core)) {
		*val = vf->reg[i];
		return 0;
	}
	return vfio_pci_core_bar_hw_read(core, 0, offset, size, val);
}

static int igbvf_trap_write(struct vfio_pci_core_device *core,
			    const struct vfio_pci_core_bar_trap *trap,
			    u64 offset, unsigned int size, u64 val)
{
	struct igbvf_device *vf = to_igbvf(core);
	int i = size == 4 ? igbvf_reg_index(offset) : -1;
	u32 live[IGBVF_Q_NR], *qreg = live;
	unsigned int q, r;
	bool stopped;
	int ret;

	guard(mutex)(&vf->lock);
	stopped = vfio_pci_core_mig_stopped(core);
	if (i < 0)	/* nothing that moves: the device ignores it */
		return stopped ? 0 : vfio_pci_core_bar_hw_write(core, 0, offset,
								size, val);
	q = (i - IGBVF_R_QUEUE) / IGBVF_Q_NR;
	r = (i - IGBVF_R_QUEUE) % IGBVF_Q_NR;
	if (stopped)
		qreg = &vf->reg[IGBVF_RQ(q, 0)];
	else if (igbvf_read_queue(core, q, live))
		return -EIO;
	switch (r) {
	case IGBVF_Q_RDBAL:
	case IGBVF_Q_RDBAH:
	case IGBVF_Q_RDLEN:
	case IGBVF_Q_SRRCTL:
		/* A new ring: the old one's buffers, reported one last time. */
		igbvf_mark_rx(vf, q, qreg);
		memset(vf->posted[q], 0, IGBVF_RING_MAX * sizeof(*vf->posted[q]));
		bitmap_fill(vf->unsent[q], IGBVF_RING_MAX);
		break;
	case IGBVF_Q_RDT:
		igbvf_learn(vf, q, qreg, val & 0xffff);
		break;
	}
	if (stopped) {
		vf->reg[i] = val;
		return 0;
	}
	ret = vfio_pci_core_bar_hw_write(core, 0, offset, 4, val);
	if (r == IGBVF_Q_RDT)
		igbvf_mark_rx(vf, q, qreg);
	else if (r == IGBVF_Q_TDT)
		igbvf_mark_tx(vf, qreg);
	return ret;
}

const struct vfio_pci_core_bar_trap igbvf_queue_trap = {
	.bar	= 0,
	.offset	= IGBVF_TRAP_START,
	.size	= IGBVF_TRAP_END - IGBVF_TRAP_START,
	.read	= igbvf_trap_read,
	.write	= igbvf_trap_write,
};
