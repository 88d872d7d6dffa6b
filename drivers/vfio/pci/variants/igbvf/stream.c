// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: the migration stream.  Four kinds of record: REGS, the
 * registers stop saved (the state the destination starts from); PREREGS, a
 * snapshot of the running device's registers that each pre-copy pass sends
 * first, so that the destination can check the slots after it against the
 * ring they belong to; SLOTS, a run of posted RX descriptors of one queue
 * (its index, the first slot, the descriptors); PF, what the VF negotiated
 * with its PF (struct igbvf_pf_log), in every session's stream once, then
 * again when it changed.
 *
 * A saving session sends every posted slot once, then only those posted
 * again with another buffer (@unsent).  A migration through PRE_COPY moves
 * the posted tables while the device runs, and STOP_COPY adds the final
 * registers and the slots that changed since: the destination ends with
 * the same registers and tables as after a STOP_COPY-only migration.
 */
#include <linux/io.h>
#include <linux/nospec.h>
#include <linux/slab.h>

#include "igbvf.h"

enum { IGBVF_TAG_REGS = 1, IGBVF_TAG_SLOTS, IGBVF_TAG_PREREGS, IGBVF_TAG_PF };

/* The payload of an IGBVF_TAG_SLOTS record. */
struct igbvf_slots_rec {
	__le32 queue;
	__le32 first;
	struct igbvf_posted desc[];
};

/* Descriptors of queue @q's RX ring, in registers @reg. */
static u32 igbvf_rx_slots(const u32 *reg, unsigned int q)
{
	return min(igbvf_ring_len(&reg[IGBVF_RQ(q, 0)], false),
		   IGBVF_RING_MAX);
}

/* A session starts: every posted slot is to be sent. */
static void igbvf_begin(struct igbvf_device *vf)
{
	if (vf->in_session)
		return;
	vf->in_session = true;
	vf->pre_regs = false;
	vf->final_regs = false;
	vf->first_done = false;
	vf->pf_sent = false;
	memset(vf->unsent, 0xff, sizeof(vf->unsent));
}

static int igbvf_put_regs(struct vfio_pci_mig_stream *s, u32 tag,
			  const u32 *reg)
{
	__le32 regs[IGBVF_R_NR];
	unsigned int i;

	for (i = 0; i < IGBVF_R_NR; i++)
		regs[i] = cpu_to_le32(reg[i]);
	return vfio_pci_mig_put(s, tag, regs, sizeof(regs));
}

static int igbvf_put_run(struct igbvf_device *vf,
			 struct vfio_pci_mig_stream *s, u32 q, u32 first,
			 u32 end)
{
	struct igbvf_slots_rec *rec;
	int ret;

	rec = kvmalloc(struct_size(rec, desc, end - first), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->queue = cpu_to_le32(q);
	rec->first = cpu_to_le32(first);
	memcpy(rec->desc, &vf->posted[q][first],
	       (end - first) * sizeof(*rec->desc));
	ret = vfio_pci_mig_put(s, IGBVF_TAG_SLOTS, rec,
			       struct_size(rec, desc, end - first));
	kvfree(rec);
	return ret;
}

/*
 * Append the unsent slots of each queue, in runs, within the ring of
 * @slots[q] descriptors.  1 when the buffer is full (the rest follows in
 * the next call), 0 when all went.
 */
static int igbvf_put_slots(struct igbvf_device *vf,
			   struct vfio_pci_mig_stream *s, const u32 *slots)
{
	u32 q, first, end;
	int ret;

	for (q = 0; q < IGBVF_NQ; q++) {
		first = find_first_bit(vf->unsent[q], slots[q]);
		while (first < slots[q]) {
			end = find_next_zero_bit(vf->unsent[q], slots[q],
						 first);
			ret = igbvf_put_run(vf, s, q, first, end);
			if (ret == -ENOSPC)
				return 1;
			if (ret)
				return ret;
			bitmap_clear(vf->unsent[q], first, end - first);
			first = find_next_bit(vf->unsent[q], slots[q], end);
		}
	}
	return 0;
}

/* Payload bytes of the unsent slots of rings of @slots[q] descriptors. */
static u64 igbvf_unsent_bytes(struct igbvf_device *vf, const u32 *slots)
{
	u64 bytes = 0;
	u32 q, w;

	for (q = 0; q < IGBVF_NQ; q++) {
		w = bitmap_weight(vf->unsent[q], slots[q]);
		if (w)
			bytes += sizeof(struct igbvf_slots_rec) +
				 w * sizeof(struct igbvf_posted);
	}
	return bytes;
}

/*
 * STOP_COPY: the registers stop saved, the slots not sent yet, then the
 * negotiated state unless the session sent it as it is.
 */
int igbvf_save(struct vfio_pci_core_device *core,
	       struct vfio_pci_mig_stream *s)
{
	struct igbvf_device *vf = to_igbvf(core);
	u32 slots[IGBVF_NQ];
	unsigned int q;
	int ret;

	guard(mutex)(&vf->lock);
	igbvf_begin(vf);
	if (!vf->final_regs) {
		ret = igbvf_put_regs(s, IGBVF_TAG_REGS, vf->reg);
		if (ret)
			return ret == -ENOSPC ? 1 : ret;
		vf->final_regs = true;
	}
	for (q = 0; q < IGBVF_NQ; q++)
		slots[q] = igbvf_rx_slots(vf->reg, q);
	ret = igbvf_put_slots(vf, s, slots);
	if (ret)
		return ret;
	ret = igbvf_pf_save(vf, s, IGBVF_TAG_PF);
	return ret == -ENOSPC ? 1 : ret;
}

/*
 * PRE_COPY, one pass: the negotiated state if it changed, a snapshot of the
 * registers, then the slots not sent yet, within the rings of that
 * snapshot.  A pass after the first with nothing to send sends nothing
 * (the reader meets the temporary end at once).
 */
int igbvf_precopy(struct vfio_pci_core_device *core,
		  struct vfio_pci_mig_stream *s, bool initial)
{
	struct igbvf_device *vf = to_igbvf(core);
	u32 reg[IGBVF_R_NR];
	void __iomem *io;
	unsigned int q;
	u16 cmd;
	int ret;

	guard(mutex)(&vf->lock);
	igbvf_begin(vf);
	ret = igbvf_pf_save(vf, s, IGBVF_TAG_PF);
	if (ret)
		return ret == -ENOSPC ? 1 : ret;
	if (!vf->pre_regs) {
		io = vfio_pci_core_mmio_begin_bar(core, 0, &cmd);
		if (IS_ERR(io))
			return PTR_ERR(io);
		igbvf_read_regs(io, reg, true);
		vfio_pci_core_mmio_end(core, cmd);
		for (q = 0; q < IGBVF_NQ; q++)
			vf->pass_slots[q] = igbvf_rx_slots(reg, q);
		if (!initial && !igbvf_unsent_bytes(vf, vf->pass_slots))
			return 0;
		ret = igbvf_put_regs(s, IGBVF_TAG_PREREGS, reg);
		if (ret)
			return ret == -ENOSPC ? 1 : ret;
		vf->pre_regs = true;
	}
	ret = igbvf_put_slots(vf, s, vf->pass_slots);
	if (!ret) {
		vf->pre_regs = false;
		vf->first_done = true;
	}
	return ret;
}

/*
 * What PRE_COPY has not appended: the first pass's rest is initial, the
 * slots posted again since are dirty (with the snapshot they need).
 */
int igbvf_precopy_size(struct vfio_pci_core_device *core, u64 *initial,
		       u64 *dirty)
{
	struct igbvf_device *vf = to_igbvf(core);
	u64 bytes;

	guard(mutex)(&vf->lock);
	if (!vf->in_session)
		return 0;
	bytes = igbvf_unsent_bytes(vf, vf->pass_slots);
	if (bytes && !vf->pre_regs)
		bytes += IGBVF_R_NR * sizeof(u32);
	bytes += igbvf_pf_unsent(vf);
	if (vf->first_done)
		*dirty = bytes;
	else
		*initial = bytes;
	return 0;
}

void igbvf_save_end(struct vfio_pci_core_device *core)
{
	struct igbvf_device *vf = to_igbvf(core);

	guard(mutex)(&vf->lock);
	vf->in_session = false;
}

/*
 * Registers the device could hold: rings it can have and, for the final
 * ones (@heads), heads and tails inside them.  A snapshot of a running VF
 * may catch a ring being set up: only its length counts there.
 */
static bool igbvf_regs_valid(const u32 *reg, bool heads)
{
	const u32 *qreg;
	unsigned int q;
	u32 rx, tx;

	for (q = 0; q < IGBVF_NQ; q++) {
		qreg = &reg[IGBVF_RQ(q, 0)];
		if ((qreg[IGBVF_Q_RDLEN] | qreg[IGBVF_Q_TDLEN]) & ~0xffff0U)
			return false;
		/* Without a ring, heads and tails are 0. */
		rx = max(igbvf_ring_len(qreg, false), 1U);
		tx = max(igbvf_ring_len(qreg, true), 1U);
		if (heads && (qreg[IGBVF_Q_RDH] >= rx || qreg[IGBVF_Q_RDT] >= rx ||
			      qreg[IGBVF_Q_TDH] >= tx || qreg[IGBVF_Q_TDT] >= tx))
			return false;
	}
	return true;
}

/* A snapshot or the final registers; none may follow the final ones. */
static int igbvf_load_regs(struct igbvf_device *vf, u32 tag,
			   const __le32 *data, u32 len)
{
	u32 reg[IGBVF_R_NR];
	unsigned int i;

	if (vf->loaded || len != sizeof(reg))
		return -EINVAL;
	for (i = 0; i < IGBVF_R_NR; i++)
		reg[i] = le32_to_cpu(data[i]);
	if (!igbvf_regs_valid(reg, tag == IGBVF_TAG_REGS))
		return -EINVAL;
	memcpy(vf->reg, reg, sizeof(reg));
	vf->have_regs = true;
	vf->loaded = tag == IGBVF_TAG_REGS;
	return 0;
}

/* A run of slots inside the ring of the last registers loaded. */
static int igbvf_load_slots(struct igbvf_device *vf,
			    const struct igbvf_slots_rec *rec, u32 len)
{
	u32 q, first, count;

	if (!vf->have_regs || len <= sizeof(*rec) ||
	    (len - sizeof(*rec)) % sizeof(rec->desc[0]))
		return -EINVAL;
	q = le32_to_cpu(rec->queue);
	first = le32_to_cpu(rec->first);
	count = (len - sizeof(*rec)) / sizeof(rec->desc[0]);
	if (q >= IGBVF_NQ || first >= igbvf_rx_slots(vf->reg, q) ||
	    count > igbvf_rx_slots(vf->reg, q) - first)
		return -EINVAL;
	/* The queue comes from the stream: no speculation past its check. */
	q = array_index_nospec(q, IGBVF_NQ);
	memcpy(&vf->posted[q][first], rec->desc, count * sizeof(*rec->desc));
	return 0;
}

int igbvf_load(struct vfio_pci_core_device *core, u32 tag, const void *data,
	       u32 len)
{
	struct igbvf_device *vf = to_igbvf(core);

	guard(mutex)(&vf->lock);
	switch (tag) {
	case IGBVF_TAG_REGS:
	case IGBVF_TAG_PREREGS:
		return igbvf_load_regs(vf, tag, data, len);
	case IGBVF_TAG_SLOTS:
		return igbvf_load_slots(vf, data, len);
	case IGBVF_TAG_PF:
		return igbvf_pf_load(vf, data, len);
	}
	return -EINVAL;
}
