// SPDX-License-Identifier: GPL-2.0
/*
 * edu-vfio-pci: live migration of QEMU's "edu" teaching device (1234:11e8).
 *
 * BAR0's registers are trapped and move as they are, except the factorial
 * (recomputed from the last input the trap saw) and the interrupt status
 * (raised again, last, when the destination runs).  The 4 KiB buffer only
 * DMA reaches, and the kernel never writes the user's memory on its own
 * account, so the buffer moves as a shadow: every DMA the user starts into
 * the device is read from its source as it starts, every DMA out of bytes
 * the shadow lacks is waited for and read back from its destination.  The
 * shadow and the bitmap of its known bytes go in PRE_COPY (again when they
 * change) and at stop-copy.  The destination's own buffer does not hold
 * them: they are "stale" there until the user DMAs them out, and then the
 * driver carries out that DMA from the shadow (writes the user's
 * destination range, lets the device load it, then runs the user's
 * command), so the device holds them from then on.  Stopping waits for a
 * DMA and a factorial; stopped, register writes are dropped.  The trap
 * checks every DMA command against the buffer and logs DMA to RAM as dirty.
 * Everything kept for a user is forgotten when the next one opens.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/module.h>
#include <linux/vfio_pci_core.h>

#define EDU_LIVENESS	0x04
#define EDU_FACT	0x08
#define EDU_STATUS	0x20
#define   EDU_STATUS_COMPUTING	0x01
#define   EDU_STATUS_IRQFACT	0x80
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define   EDU_DMA_RUN		0x1
#define   EDU_DMA_TO_RAM	0x2
#define EDU_BUF_ADDR	0x40000
#define EDU_BUF_SIZE	4096

enum { EDU_TAG_REGS = 1, EDU_TAG_BUF };

/* The state that travels; all little-endian. */
struct edu_regs {
	__le32 liveness;	/* as read: the complement of what was written */
	__le32 fact_in;		/* last factorial input */
	__le32 status;		/* IRQFACT bit */
	__le32 irq_status;
	__le64 dma[3];		/* src, dst, cnt */
	__le32 fact_set;
	__le32 reserved;
};

/* The shadow of the buffer and which of its bytes are known. */
struct edu_buf {
	u8 known[EDU_BUF_SIZE / BITS_PER_BYTE];	/* bit i: byte i, LSB first */
	u8 data[EDU_BUF_SIZE];
};

/**
 * struct edu_device - one edu
 * @core: the core's device, first
 * @lock: guards every field below, but where noted; taken by the BAR trap
 *	  and the migration callbacks, never under a core lock
 * @stopped: register writes are dropped; also cleared lock-free by
 *	     edu_mig_reset()
 * @fact_set: @fact_in holds an input the device computed
 * @fact_in: the last factorial input
 * @irq_pending: interrupt status to raise at start; cleared lock-free by
 *		 edu_mig_reset()
 * @regs_dirty: a register write since the registers were last sent
 * @buf_dirty: the shadow changed since it was last sent
 * @buf_sent: this saving session's stream carries the shadow
 * @regs_loaded: resuming: @load_regs holds the stream's last registers
 * @buf_loaded: resuming: @rec holds the stream's last shadow
 * @out_iova: RAM side of the last device-to-RAM DMA
 * @out_len: its length (0: none)
 * @out_off: its first byte in the buffer
 * @learn: that DMA moved bytes the shadow lacks: read them back from RAM
 *	   once it is over
 * @known: bytes of @shadow that hold what the device holds (or, where
 *	   @stale, should hold)
 * @stale: known bytes the device itself does not hold (loaded from a stream)
 * @shadow: the buffer
 * @rec: staging for the buffer's record
 * @load_regs: resuming: staging for the registers' record
 *
 * The session flags are used by the migration callbacks only, which the
 * core serializes; @lock guards them too.
 */
struct edu_device {
	struct vfio_pci_core_device core;
	struct mutex lock;	/* see above */
	bool stopped;
	bool fact_set;
	u32 fact_in;
	u32 irq_pending;
	bool regs_dirty;
	bool buf_dirty;
	bool buf_sent;
	bool regs_loaded;
	bool buf_loaded;
	u64 out_iova, out_len;
	unsigned int out_off;
	bool learn;
	DECLARE_BITMAP(known, EDU_BUF_SIZE);
	DECLARE_BITMAP(stale, EDU_BUF_SIZE);
	u8 shadow[EDU_BUF_SIZE];
	struct edu_buf rec;
	struct edu_regs load_regs;
};

static struct edu_device *to_edu(struct vfio_pci_core_device *core)
{
	return container_of(core, struct edu_device, core);
}

/* Map BAR0 and take the device for MMIO; undo with vfio_pci_core_mmio_end(). */
static void __iomem *edu_begin(struct vfio_pci_core_device *core, u16 *cmd)
{
	void __iomem *io = vfio_pci_core_iomap(core, 0);

	if (!IS_ERR(io))
		*cmd = vfio_pci_core_mmio_begin(core);
	return io;
}

/* Wait for the device to finish a DMA and a factorial (~100 ms under TCG). */
static int edu_wait_idle(void __iomem *io)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (!(readl(io + EDU_DMA_CMD) & EDU_DMA_RUN) &&
		    !(readl(io + EDU_STATUS) & EDU_STATUS_COMPUTING))
			return 0;
		usleep_range(1000, 2000);
	}
	return -ETIMEDOUT;
}

/* Wait for the DMA engine through the trap's accessors. */
static int edu_hw_wait_dma(struct vfio_pci_core_device *core)
{
	u64 cmd;
	int i, ret;

	for (i = 0; i < 500; i++) {
		ret = vfio_pci_core_bar_hw_read(core, 0, EDU_DMA_CMD, 8, &cmd);
		if (ret || !(cmd & EDU_DMA_RUN))
			return ret;
		usleep_range(1000, 2000);
	}
	return -ETIMEDOUT;
}

/* A new user: nothing of the last one's may reach its stream. */
static void edu_forget(struct edu_device *edu)
{
	lockdep_assert_held(&edu->lock);
	WRITE_ONCE(edu->stopped, false);
	edu->fact_set = false;
	edu->fact_in = 0;
	WRITE_ONCE(edu->irq_pending, 0);
	edu->regs_dirty = false;
	edu->buf_dirty = false;
	edu->buf_sent = false;
	edu->regs_loaded = false;
	edu->buf_loaded = false;
	edu->out_iova = 0;
	edu->out_len = 0;
	edu->out_off = 0;
	edu->learn = false;
	bitmap_zero(edu->known, EDU_BUF_SIZE);
	bitmap_zero(edu->stale, EDU_BUF_SIZE);
	memset(edu->shadow, 0, sizeof(edu->shadow));
}

/*
 * The last DMA to RAM is over and moved bytes the shadow lacked: they are
 * in the user's memory now, read them from there.
 */
static void edu_learn(struct edu_device *edu)
{
	unsigned int i, off = edu->out_off;
	u8 *tmp;

	lockdep_assert_held(&edu->lock);
	if (!edu->learn)
		return;
	edu->learn = false;
	tmp = kmalloc(edu->out_len, GFP_KERNEL);
	if (!tmp)
		return;
	if (!vfio_pci_core_iova_rw(&edu->core, edu->out_iova, tmp,
				   edu->out_len, false)) {
		for (i = 0; i < edu->out_len; i++) {
			if (test_bit(off + i, edu->known))
				continue;
			edu->shadow[off + i] = tmp[i];
			set_bit(off + i, edu->known);
		}
		edu->buf_dirty = true;
	}
	kfree(tmp);
}

static int edu_send_buffer(struct edu_device *edu,
			   struct vfio_pci_mig_stream *s)
{
	struct edu_buf *b = &edu->rec;
	unsigned int i;
	int ret;

	/* Nothing known: the destination keeps what its device holds. */
	if (bitmap_empty(edu->known, EDU_BUF_SIZE))
		return 0;
	memset(b->known, 0, sizeof(b->known));
	for (i = 0; i < EDU_BUF_SIZE; i++)
		if (test_bit(i, edu->known))
			b->known[i / BITS_PER_BYTE] |= BIT(i % BITS_PER_BYTE);
	memcpy(b->data, edu->shadow, EDU_BUF_SIZE);
	ret = vfio_pci_mig_put(s, EDU_TAG_BUF, b, sizeof(*b));
	if (!ret) {
		edu->buf_dirty = false;
		edu->buf_sent = true;
	}
	return ret;
}

/* Snapshot of the registers; the device may be running. */
static int edu_read_regs(struct edu_device *edu, struct edu_regs *r,
			 bool *dma_running)
{
	struct vfio_pci_core_device *core = &edu->core;
	void __iomem *io;
	u16 cmd;
	int i;

	io = edu_begin(core, &cmd);
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
	r->fact_in = cpu_to_le32(edu->fact_in);
	r->fact_set = cpu_to_le32(edu->fact_set);
	return 0;
}

/*
 * PRE_COPY: the registers and the known buffer first, then each again when
 * a write changed them, so that PRECOPY_INFO reports what changed.
 */
static int edu_mig_precopy(struct vfio_pci_core_device *core,
			   struct vfio_pci_mig_stream *s, bool initial)
{
	struct edu_device *edu = to_edu(core);
	struct edu_regs r;
	bool running;
	int ret;

	guard(mutex)(&edu->lock);
	if (initial)
		edu->buf_sent = false;
	if (initial || edu->regs_dirty || edu->learn) {
		ret = edu_read_regs(edu, &r, &running);
		if (ret)
			return ret;
		if (!running)
			edu_learn(edu);
	}
	if (initial || edu->regs_dirty) {
		ret = vfio_pci_mig_put(s, EDU_TAG_REGS, &r, sizeof(r));
		if (ret)
			return ret;
		edu->regs_dirty = false;
	}
	return initial || edu->buf_dirty ? edu_send_buffer(edu, s) : 0;
}

static int edu_mig_save(struct vfio_pci_core_device *core,
			struct vfio_pci_mig_stream *s)
{
	struct edu_device *edu = to_edu(core);
	struct edu_regs r;
	bool running;
	int ret;

	guard(mutex)(&edu->lock);
	/* Stopped: the last DMA is over. */
	edu_learn(edu);
	ret = edu_read_regs(edu, &r, &running);
	if (ret)
		return ret;
	/* The buffer went in PRE_COPY and did not change: nothing to add. */
	if (edu->buf_dirty || !edu->buf_sent) {
		ret = edu_send_buffer(edu, s);
		if (ret)
			return ret;
	}
	edu->regs_dirty = false;
	return vfio_pci_mig_put(s, EDU_TAG_REGS, &r, sizeof(r));
}

/* The session is over: the next one sends the shadow again. */
static void edu_mig_save_end(struct vfio_pci_core_device *core)
{
	guard(mutex)(&to_edu(core)->lock);
	to_edu(core)->buf_sent = false;
}

/* Records arrive in stream order: the last of each kind is the state. */
static int edu_mig_load(struct vfio_pci_core_device *core, u32 tag,
			const void *data, u32 len)
{
	struct edu_device *edu = to_edu(core);

	guard(mutex)(&edu->lock);
	if (tag == EDU_TAG_REGS && len == sizeof(edu->load_regs)) {
		memcpy(&edu->load_regs, data, len);
		edu->regs_loaded = true;
	} else if (tag == EDU_TAG_BUF && len == sizeof(edu->rec)) {
		memcpy(&edu->rec, data, len);
		edu->buf_loaded = true;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int edu_mig_load_end(struct vfio_pci_core_device *core)
{
	struct edu_device *edu = to_edu(core);
	struct edu_regs r;
	bool buf_loaded;
	void __iomem *io;
	unsigned int i;
	u16 cmd;
	int ret;

	guard(mutex)(&edu->lock);
	r = edu->load_regs;
	buf_loaded = edu->buf_loaded;
	if (!edu->regs_loaded || r.reserved || le32_to_cpu(r.fact_set) > 1 ||
	    le32_to_cpu(r.status) & ~EDU_STATUS_IRQFACT)
		return -EINVAL;
	edu_forget(edu);
	WRITE_ONCE(edu->stopped, true);
	/* The source's shadow; its bytes are not in this device yet. */
	if (buf_loaded) {
		for (i = 0; i < EDU_BUF_SIZE; i++)
			if (edu->rec.known[i / BITS_PER_BYTE] &
			    BIT(i % BITS_PER_BYTE))
				set_bit(i, edu->known);
		memcpy(edu->shadow, edu->rec.data, EDU_BUF_SIZE);
		bitmap_copy(edu->stale, edu->known, EDU_BUF_SIZE);
		edu->buf_dirty = true;
	}

	io = edu_begin(core, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	/* No interrupt from the replayed factorial; IRQFACT goes back after. */
	writel(0, io + EDU_STATUS);
	writel(~le32_to_cpu(r.liveness), io + EDU_LIVENESS);
	for (i = 0; i < 3; i++)
		writeq(le64_to_cpu(r.dma[i]), io + EDU_DMA_SRC + 8 * i);
	edu->fact_in = le32_to_cpu(r.fact_in);
	edu->fact_set = le32_to_cpu(r.fact_set);
	if (edu->fact_set)
		writel(edu->fact_in, io + EDU_FACT);
	ret = edu_wait_idle(io);
	writel(le32_to_cpu(r.status), io + EDU_STATUS);
	writel(~0U, io + EDU_IRQ_ACK);
	vfio_pci_core_mmio_end(core, cmd);
	/* Interrupts are for RUNNING: raised by edu_mig_start(). */
	WRITE_ONCE(edu->irq_pending, le32_to_cpu(r.irq_status));
	return ret;
}

static int edu_mig_stop(struct vfio_pci_core_device *core)
{
	struct edu_device *edu = to_edu(core);
	void __iomem *io;
	u16 cmd;
	int ret;

	guard(mutex)(&edu->lock);
	WRITE_ONCE(edu->stopped, true);
	io = edu_begin(core, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	ret = edu_wait_idle(io);
	vfio_pci_core_mmio_end(core, cmd);
	/* The last DMA to RAM has landed now: a report after it must see it. */
	vfio_pci_core_dirty_mark(core, edu->out_iova, edu->out_len);
	return ret;
}

static int edu_mig_start(struct vfio_pci_core_device *core)
{
	struct edu_device *edu = to_edu(core);
	void __iomem *io;
	u16 cmd;

	u32 irq;

	guard(mutex)(&edu->lock);
	irq = xchg(&edu->irq_pending, 0);
	if (irq) {
		io = edu_begin(core, &cmd);
		if (IS_ERR(io))
			return PTR_ERR(io);
		writel(irq, io + EDU_IRQ_RAISE);
		vfio_pci_core_mmio_end(core, cmd);
	}
	WRITE_ONCE(edu->stopped, false);
	return 0;
}

/* Reset path: no lock, no device access (see vfio_pci_core_mig_ops). */
static void edu_mig_reset(struct vfio_pci_core_device *core)
{
	struct edu_device *edu = to_edu(core);

	WRITE_ONCE(edu->irq_pending, 0);
	WRITE_ONCE(edu->stopped, false);
	/* Session flags: the core holds its migration state lock here. */
	edu->buf_sent = false;
	edu->regs_loaded = false;
	edu->buf_loaded = false;
}

static const struct vfio_pci_core_mig_ops edu_mig_ops = {
	.version	= 2,
	.record_max	= sizeof(struct edu_buf),
	.stop		= edu_mig_stop,
	.start		= edu_mig_start,
	.save		= edu_mig_save,
	.load		= edu_mig_load,
	.load_end	= edu_mig_load_end,
	.precopy	= edu_mig_precopy,
	.save_end	= edu_mig_save_end,
	.reset		= edu_mig_reset,
};

/*
 * A DMA out of the buffer covers bytes this device does not hold (they came
 * in a stream): carry it out for them.  The user asked for these bytes at
 * @ram, so they are written there, and the device loads them from there, so
 * that it holds them from now on; then its registers are put back for the
 * user's command.
 */
static int edu_dma_unstale(struct edu_device *edu, const u64 *r)
{
	struct vfio_pci_core_device *core = &edu->core;
	unsigned int off = r[0] - EDU_BUF_ADDR, end = off + r[2], b, e;
	u64 ram = r[1];
	u16 pcicmd;
	int i, ret;

	b = find_next_bit(edu->stale, end, off);
	if (b >= end)
		return 0;
	/* Without bus mastering the user's DMA does not happen either. */
	pci_read_config_word(core->pdev, PCI_COMMAND, &pcicmd);
	if (!(pcicmd & PCI_COMMAND_MASTER))
		return 0;
	for (; b < end; b = find_next_bit(edu->stale, end, e)) {
		e = find_next_zero_bit(edu->stale, end, b);
		ret = vfio_pci_core_iova_rw(core, ram + (b - off),
					    edu->shadow + b, e - b, true);
		if (ret)
			return ret;
		ret = vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_SRC, 8,
						 ram + (b - off));
		ret = ret ?: vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_DST, 8,
							EDU_BUF_ADDR + b);
		ret = ret ?: vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_CNT, 8,
							e - b);
		ret = ret ?: vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_CMD, 8,
							EDU_DMA_RUN);
		ret = ret ?: edu_hw_wait_dma(core);
		if (ret)
			return ret;
		bitmap_clear(edu->stale, b, e - b);
	}
	for (i = 0; i < 3; i++) {
		ret = vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_SRC + 8 * i,
						 8, r[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The value edu_dma_start() returns for a command the device ignores. */
#define EDU_DMA_IGNORED	1

/*
 * A DMA command: check it against the buffer whatever the device is doing,
 * shadow what it loads, log what it writes.
 */
static int edu_dma_start(struct edu_device *edu, u64 cmd)
{
	struct vfio_pci_core_device *core = &edu->core;
	bool to_ram = cmd & EDU_DMA_TO_RAM;
	u64 r[4], dev, ram, cnt;	/* src, dst, cnt, cmd as the device has them */
	unsigned int off;
	u8 *data;
	int i, ret;

	for (i = 0; i < 4; i++)
		if (vfio_pci_core_bar_hw_read(core, 0, EDU_DMA_SRC + 8 * i, 8,
					      &r[i]))
			return -EIO;
	dev = r[!to_ram];
	ram = r[to_ram];	/* must fit QEMU's dma_mask property */
	cnt = r[2];
	if (!cnt || cnt > EDU_BUF_SIZE || dev < EDU_BUF_ADDR ||
	    dev - EDU_BUF_ADDR > EDU_BUF_SIZE - cnt) {
		dev_warn_ratelimited(&core->pdev->dev, "refused DMA %#llx+%#llx\n",
				     dev, cnt);
		return -EINVAL;
	}
	/*
	 * The device ignores a start while it runs; so do we, rather than let
	 * it start once the running DMA ends, after this check and unseen.
	 */
	if (r[3] & EDU_DMA_RUN)
		return EDU_DMA_IGNORED;
	/* The last DMA is over. */
	edu_learn(edu);
	off = dev - EDU_BUF_ADDR;
	if (to_ram) {
		ret = edu_dma_unstale(edu, r);
		if (ret)
			return ret;
		edu->out_iova = ram;
		edu->out_len = cnt;
		edu->out_off = off;
		edu->learn = find_next_zero_bit(edu->known, off + cnt, off) <
			     off + cnt;
		vfio_pci_core_dirty_mark(core, ram, cnt);
		return 0;
	}
	/* What the device will load; an unmapped source loads zeros. */
	data = edu->shadow + off;
	if (vfio_pci_core_iova_rw(core, ram, data, cnt, false))
		memset(data, 0, cnt);
	bitmap_set(edu->known, off, cnt);
	bitmap_clear(edu->stale, off, cnt);
	edu->buf_dirty = true;
	return 0;
}

static int edu_trap_write(struct vfio_pci_core_device *core,
			  const struct vfio_pci_core_bar_trap *trap,
			  u64 offset, unsigned int size, u64 val)
{
	struct edu_device *edu = to_edu(core);
	u64 status;
	int ret;

	guard(mutex)(&edu->lock);
	/* Stopped: the device must not change; drop the write. */
	if (READ_ONCE(edu->stopped))
		return 0;
	if (offset == EDU_FACT && size == 4) {
		/* The device ignores it while computing; so do we. */
		ret = vfio_pci_core_bar_hw_read(core, 0, EDU_STATUS, 4, &status);
		if (ret || (status & EDU_STATUS_COMPUTING))
			return ret;
		edu->fact_in = val;
		edu->fact_set = true;
	} else if (offset == EDU_DMA_CMD && size >= 4 && (val & EDU_DMA_RUN)) {
		ret = edu_dma_start(edu, val);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	edu->regs_dirty = true;
	ret = vfio_pci_core_bar_hw_write(core, 0, offset, size, val);
	/*
	 * A DMA out of bytes the shadow lacks: learn them as soon as they
	 * land, before the user reuses that memory.
	 */
	if (!ret && edu->learn && !edu_hw_wait_dma(core))
		edu_learn(edu);
	return ret;
}

static const struct vfio_pci_core_bar_trap edu_traps[] = {
	{ .bar = 0, .offset = 0, .size = EDU_DMA_CMD + 8,	/* all registers */
	  .write = edu_trap_write },
};

static int edu_open_device(struct vfio_device *vdev)
{
	struct vfio_pci_core_device *core =
		container_of(vdev, struct vfio_pci_core_device, vdev);
	struct edu_device *edu = to_edu(core);

	scoped_guard(mutex, &edu->lock)
		edu_forget(edu);
	return vfio_pci_core_open_device(vdev);
}

static int edu_setup(struct vfio_pci_core_device *core,
		     const struct pci_device_id *id)
{
	struct edu_device *edu = to_edu(core);
	int ret;

	mutex_init(&edu->lock);
	vfio_pci_core_dirty_init(core);
	vfio_pci_core_iova_init(core);
	ret = vfio_pci_core_bar_add_traps(core, edu_traps,
					  ARRAY_SIZE(edu_traps));
	return ret ?: vfio_pci_core_migration_init(core, &edu_mig_ops);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x1234, 0x11e8) },
	{}
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct vfio_pci_core_variant edu_variant = {
	.driver = {
		.name		= "edu-vfio-pci",
		.id_table	= edu_ids,
	},
	.ops		= { .open_device = edu_open_device },
	.dev_size	= VFIO_PCI_CORE_VARIANT_SIZE(struct edu_device, core),
	.setup		= edu_setup,
};
module_vfio_pci_core_variant(edu_variant);

MODULE_VERSION(VFIO_PCI_CORE_VERSION);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant for QEMU's edu device, with live migration");
