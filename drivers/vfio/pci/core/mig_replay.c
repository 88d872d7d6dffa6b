// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: a log of the register writes a variant traps, replayed
 * into the destination device on resume.
 *
 * Many registers cannot be read back as they were written: a read returns
 * a result or a complement, a status that the device changed since, or
 * nothing at all.  What the destination needs is the value the user last
 * wrote, so the variant's BAR trap hands every write it forwards to the
 * log, which keeps the last value of each register the variant declared.
 * A stream carries the log as one record; on the destination the loaded
 * values are written back into the device, in the order of the
 * declaration, phase by phase as the variant asks (some only once it runs).
 */
#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/slab.h>
#include <linux/unaligned.h>

#include "private.h"

/**
 * struct vfio_pci_replay - the replay log of one device
 * @regs: the registers, in replay order
 * @nr: their number
 * @logged: bit i: @val[i] holds a value the user wrote (or the stream had)
 * @pending: bit i: loaded from a stream and not yet written to the device
 * @dirty: the log changed since it was last sent
 * @sent: the current saving session's stream carries the log
 * @staged: resuming: @rec holds the stream's last log
 * @rec: the record: a little-endian bitmap of the logged registers, then
 *	 one little-endian u64 per register
 * @val: the last value of each register
 */
struct vfio_pci_replay {
	const struct vfio_pci_replay_reg *regs;
	unsigned int nr;
	u64 logged;
	u64 pending;
	bool dirty;
	bool sent;
	bool staged;
	__le64 *rec;
	u64 val[] __counted_by(nr);
};

static bool vfio_pci_replay_reg_ok(const struct vfio_pci_replay_reg *reg,
				   resource_size_t len)
{
	if (reg->size != 1 && reg->size != 2 && reg->size != 4 &&
	    reg->size != 8)
		return false;
	return !(reg->offset % reg->size) && reg->offset < len &&
	       reg->size <= len - reg->offset;
}

int vfio_pci_replay_init(struct vfio_pci_core_device *core, unsigned int bar,
			 const struct vfio_pci_replay_reg *regs,
			 unsigned int nr)
{
	struct device *dev = &core->pdev->dev;
	struct vfio_pci_replay *r;
	unsigned int i;

	if (!regs || !nr || nr > VFIO_PCI_REPLAY_REGS_MAX ||
	    bar >= PCI_STD_NUM_BARS || core->priv->replay ||
	    !(pci_resource_flags(core->pdev, bar) & IORESOURCE_MEM))
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (!vfio_pci_replay_reg_ok(&regs[i],
					    pci_resource_len(core->pdev, bar)))
			return -EINVAL;
	/* Freed with the binding, after remove has dropped the device. */
	r = devm_kzalloc(dev, struct_size(r, val, nr), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->nr = nr;
	r->rec = devm_kzalloc(dev, VFIO_PCI_REPLAY_RECORD(nr), GFP_KERNEL);
	if (!r->rec)
		return -ENOMEM;
	r->regs = regs;
	core->priv->replay = r;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_replay_init);

/* A new user: nothing of the last one's may reach its stream. */
void vfio_pci_replay_open(struct vfio_pci_core_device *core)
{
	struct vfio_pci_replay *r = core->priv->replay;

	if (!r)
		return;
	memset(r->val, 0, r->nr * sizeof(r->val[0]));
	r->logged = 0;
	r->dirty = false;
	vfio_pci_replay_reset(core);
}

/*
 * The session is over (saving ended, or a reset): the next one sends the log
 * again; a staged record and what is still pending are dropped.  The log
 * itself stays: whether a reset clears a register is the device's business.
 */
void vfio_pci_replay_reset(struct vfio_pci_core_device *core)
{
	struct vfio_pci_replay *r = core->priv->replay;

	if (!r)
		return;
	r->pending = 0;
	r->sent = false;
	r->staged = false;
}

void vfio_pci_replay_log(struct vfio_pci_core_device *core, u64 offset,
			 unsigned int size, u64 val)
{
	struct vfio_pci_replay *r = core->priv->replay;
	const struct vfio_pci_replay_reg *reg;
	unsigned int i, shift;
	u64 mask, old;

	for (i = 0; i < r->nr; i++) {
		reg = &r->regs[i];
		/* A write inside the register changes the bytes it covers. */
		if (offset < reg->offset || offset >= reg->offset + reg->size ||
		    size > reg->offset + reg->size - offset)
			continue;
		shift = (offset - reg->offset) * BITS_PER_BYTE;
		mask = GENMASK_ULL(size * BITS_PER_BYTE - 1, 0) << shift;
		old = r->val[i];
		r->val[i] = (old & ~mask) | ((val << shift) & mask);
		if (r->val[i] != old || !(r->logged & BIT_ULL(i)))
			r->dirty = true;
		r->logged |= BIT_ULL(i);
	}
}
EXPORT_SYMBOL_GPL(vfio_pci_replay_log);

int vfio_pci_replay_save(struct vfio_pci_core_device *core,
			 struct vfio_pci_mig_stream *s, u32 tag, bool initial)
{
	struct vfio_pci_replay *r = core->priv->replay;
	unsigned int i;
	int ret;

	if (initial)
		r->sent = false;
	/* Every session's stream carries the log once, then its changes. */
	if (r->sent && !r->dirty)
		return 0;
	r->rec[0] = cpu_to_le64(r->logged);
	for (i = 0; i < r->nr; i++)
		r->rec[i + 1] = cpu_to_le64(r->val[i]);
	ret = vfio_pci_mig_put(s, tag, r->rec, VFIO_PCI_REPLAY_RECORD(r->nr));
	if (!ret) {
		r->dirty = false;
		r->sent = true;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_replay_save);

int vfio_pci_replay_load(struct vfio_pci_core_device *core,
			 const void *data, u32 len)
{
	struct vfio_pci_replay *r = core->priv->replay;
	const __le64 *rec = data;
	unsigned int i;
	u64 logged, v;

	if (len != VFIO_PCI_REPLAY_RECORD(r->nr))
		return -EINVAL;
	/* The record is not aligned in the stream. */
	logged = get_unaligned_le64(&rec[0]);
	if (logged & ~GENMASK_ULL(r->nr - 1, 0))
		return -EINVAL;
	for (i = 0; i < r->nr; i++) {
		v = get_unaligned_le64(&rec[i + 1]);
		/* Nothing a register of its size could have been written. */
		if (r->regs[i].size < 8 &&
		    v >> (r->regs[i].size * BITS_PER_BYTE))
			return -EINVAL;
		if (!(logged & BIT_ULL(i)) && v)
			return -EINVAL;
	}
	memcpy(r->rec, data, len);
	r->staged = true;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_replay_load);

int vfio_pci_replay_load_end(struct vfio_pci_core_device *core)
{
	struct vfio_pci_replay *r = core->priv->replay;
	unsigned int i;

	/* Every saving session sends the log: a stream without it is cut. */
	if (!r->staged)
		return -EINVAL;
	r->logged = le64_to_cpu(r->rec[0]);
	for (i = 0; i < r->nr; i++)
		r->val[i] = le64_to_cpu(r->rec[i + 1]);
	r->pending = r->logged;
	r->staged = false;
	/* The device's log now: the next migration carries it on. */
	r->dirty = true;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_replay_load_end);

void vfio_pci_replay_apply(struct vfio_pci_core_device *core,
			   void __iomem *io, unsigned int phase)
{
	struct vfio_pci_replay *r = core->priv->replay;
	const struct vfio_pci_replay_reg *reg;
	unsigned int i;

	for (i = 0; i < r->nr; i++) {
		reg = &r->regs[i];
		if (reg->phase != phase || !(r->pending & BIT_ULL(i)))
			continue;
		r->pending &= ~BIT_ULL(i);
		switch (reg->size) {
		case 1:
			writeb(r->val[i], io + reg->offset);
			break;
		case 2:
			writew(r->val[i], io + reg->offset);
			break;
		case 4:
			writel(r->val[i], io + reg->offset);
			break;
		default:
			writeq(r->val[i], io + reg->offset);
			break;
		}
	}
}
EXPORT_SYMBOL_GPL(vfio_pci_replay_apply);
