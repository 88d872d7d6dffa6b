// SPDX-License-Identifier: GPL-2.0
/*
 * edu-vfio-pci: live migration of QEMU's "edu" teaching device (1234:11e8).
 *
 * BAR0's registers are trapped and move as they are, except the factorial
 * (recomputed from the last input the trap saw) and the interrupt status
 * (raised again, last, when the destination runs).  The 4 KiB buffer only
 * DMA reaches: the trap shadows it from the IOVA space whenever a DMA loads
 * it, and a complete shadow goes in PRE_COPY (again only if a DMA changed
 * it).  Otherwise, and to load it, the buffer moves by DMA through the IOVA
 * the user last pointed the engine at (vfio_pci_core_iova_lend()); the
 * destination maps the same IOVA, as a migrated guest does.  Stopping waits
 * for a DMA and a factorial; stopped, register writes are dropped.  The trap
 * refuses DMA that would overrun the buffer and logs DMA to RAM as dirty.
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
	__le64 scratch;		/* IOVA the buffer can be moved through */
	__le32 fact_set;
	__le32 reserved;
};

struct edu_device {
	struct vfio_pci_core_device core;
	struct mutex lock;	/* guards the fields below; trap and migration */
	bool stopped;		/* also cleared lock-free by edu_mig_reset() */
	bool fact_set;
	u32 fact_in;
	u32 irq_pending;	/* to raise at start; reset clears it lock-free */
	u64 scratch;		/* RAM side of the last DMA, or U64_MAX */
	u64 out_iova, out_len;	/* last device-to-RAM DMA */
	bool buf_dirty;		/* a DMA loaded the buffer since it was sent */
	DECLARE_BITMAP(known, EDU_BUF_SIZE);
	u8 shadow[EDU_BUF_SIZE];
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

/* The DMA of vfio_pci_core_iova_lend(): the buffer to or from edu->scratch. */
static int edu_buffer_dma(struct vfio_pci_core_device *core, void *to_ram)
{
	u64 iova = to_edu(core)->scratch;
	void __iomem *io;
	u16 cmd, pcicmd;
	int ret;

	io = edu_begin(core, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	pci_read_config_word(core->pdev, PCI_COMMAND, &pcicmd);
	pci_write_config_word(core->pdev, PCI_COMMAND,
			      pcicmd | PCI_COMMAND_MASTER);
	writeq(to_ram ? EDU_BUF_ADDR : iova, io + EDU_DMA_SRC);
	writeq(to_ram ? iova : EDU_BUF_ADDR, io + EDU_DMA_DST);
	writeq(EDU_BUF_SIZE, io + EDU_DMA_CNT);
	writeq(EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0), io + EDU_DMA_CMD);
	ret = edu_wait_idle(io);
	pci_write_config_word(core->pdev, PCI_COMMAND, pcicmd);
	vfio_pci_core_mmio_end(core, cmd);
	return ret;
}

/* Buffer to the shadow (@to_ram), or the shadow to the buffer. */
static int edu_move_buffer(struct edu_device *edu, bool to_ram)
{
	return vfio_pci_core_iova_lend(&edu->core, edu->scratch, edu->shadow,
				       EDU_BUF_SIZE, !to_ram, edu_buffer_dma,
				       to_ram ? edu : NULL);
}

static int edu_send_buffer(struct edu_device *edu,
			   struct vfio_pci_mig_stream *s, bool may_borrow)
{
	int ret;

	if (!bitmap_full(edu->known, EDU_BUF_SIZE)) {
		/* Never loaded by a DMA we saw, never pointed anywhere: skip. */
		if (!may_borrow || edu->scratch == U64_MAX)
			return 0;
		ret = edu_move_buffer(edu, true);
		if (ret)
			return ret;
		bitmap_fill(edu->known, EDU_BUF_SIZE);
	}
	ret = vfio_pci_mig_put(s, EDU_TAG_BUF, edu->shadow, EDU_BUF_SIZE);
	if (!ret)
		edu->buf_dirty = false;
	return ret;
}

static int edu_mig_precopy(struct vfio_pci_core_device *core,
			   struct vfio_pci_mig_stream *s, bool initial)
{
	struct edu_device *edu = to_edu(core);

	guard(mutex)(&edu->lock);
	return initial || edu->buf_dirty ? edu_send_buffer(edu, s, false) : 0;
}

static int edu_mig_save(struct vfio_pci_core_device *core,
			struct vfio_pci_mig_stream *s)
{
	struct edu_device *edu = to_edu(core);
	struct edu_regs r = {};
	void __iomem *io;
	u16 cmd;
	int i, ret = 0;

	guard(mutex)(&edu->lock);
	io = edu_begin(core, &cmd);
	if (IS_ERR(io))
		return PTR_ERR(io);
	r.liveness = cpu_to_le32(readl(io + EDU_LIVENESS));
	r.status = cpu_to_le32(readl(io + EDU_STATUS) & EDU_STATUS_IRQFACT);
	r.irq_status = cpu_to_le32(readl(io + EDU_IRQ_STATUS));
	for (i = 0; i < 3; i++)
		r.dma[i] = cpu_to_le64(readq(io + EDU_DMA_SRC + 8 * i));
	vfio_pci_core_mmio_end(core, cmd);
	r.fact_in = cpu_to_le32(edu->fact_in);
	r.fact_set = cpu_to_le32(edu->fact_set);
	r.scratch = cpu_to_le64(edu->scratch);

	/* The buffer went in PRE_COPY and did not change: nothing to add. */
	if (edu->buf_dirty || !vfio_pci_mig_sent(s, EDU_TAG_BUF)) {
		ret = edu_send_buffer(edu, s, true);
		/* The borrowing DMA used the registers: put them back. */
		cmd = vfio_pci_core_mmio_begin(core);
		for (i = 0; i < 3; i++)
			writeq(le64_to_cpu(r.dma[i]), io + EDU_DMA_SRC + 8 * i);
		vfio_pci_core_mmio_end(core, cmd);
	}
	return ret ?: vfio_pci_mig_put(s, EDU_TAG_REGS, &r, sizeof(r));
}

static int edu_mig_load(struct vfio_pci_core_device *core,
			struct vfio_pci_mig_stream *s)
{
	struct edu_device *edu = to_edu(core);
	struct edu_regs r;
	void __iomem *io;
	u16 cmd;
	int i, ret;

	ret = vfio_pci_mig_get(s, EDU_TAG_REGS, &r, sizeof(r));
	if (ret)
		return ret;
	if (r.reserved || le32_to_cpu(r.fact_set) > 1 ||
	    le32_to_cpu(r.status) & ~EDU_STATUS_IRQFACT)
		return -EINVAL;

	guard(mutex)(&edu->lock);
	edu->scratch = le64_to_cpu(r.scratch);
	if (!vfio_pci_mig_get(s, EDU_TAG_BUF, edu->shadow, EDU_BUF_SIZE)) {
		ret = edu_move_buffer(edu, false);
		if (ret)
			return ret;
		bitmap_fill(edu->known, EDU_BUF_SIZE);
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
	WRITE_ONCE(to_edu(core)->irq_pending, 0);
	WRITE_ONCE(to_edu(core)->stopped, false);
}

static const struct vfio_pci_core_mig_ops edu_mig_ops = {
	.version	= 1,
	.max_size	= sizeof(struct edu_regs) + EDU_BUF_SIZE,
	.stop		= edu_mig_stop,
	.start		= edu_mig_start,
	.save		= edu_mig_save,
	.load		= edu_mig_load,
	.precopy	= edu_mig_precopy,
	.reset		= edu_mig_reset,
};

/* A DMA is starting: check it, shadow what it loads, log what it writes. */
static int edu_dma_start(struct edu_device *edu, u64 cmd)
{
	struct vfio_pci_core_device *core = &edu->core;
	bool to_ram = cmd & EDU_DMA_TO_RAM;
	u64 r[4], dev, ram, cnt;	/* src, dst, cnt, cmd as the device has them */
	u8 *data;
	int i;

	for (i = 0; i < 4; i++)
		if (vfio_pci_core_bar_hw_read(core, 0, EDU_DMA_SRC + 8 * i, 8,
					      &r[i]))
			return -EIO;
	/* The device ignores a start while it runs. */
	if (r[3] & EDU_DMA_RUN)
		return 0;
	dev = r[!to_ram];
	ram = r[to_ram];	/* must fit QEMU's dma_mask property */
	cnt = r[2];
	if (!cnt || cnt > EDU_BUF_SIZE || dev < EDU_BUF_ADDR ||
	    dev - EDU_BUF_ADDR > EDU_BUF_SIZE - cnt) {
		dev_warn_ratelimited(&core->pdev->dev, "refused DMA %#llx+%#llx\n",
				     dev, cnt);
		return -EINVAL;
	}
	edu->scratch = ram;
	if (to_ram) {
		edu->out_iova = ram;
		edu->out_len = cnt;
		vfio_pci_core_dirty_mark(core, ram, cnt);
		return 0;
	}
	/* What the device will load; an unmapped source loads zeros. */
	data = edu->shadow + (dev - EDU_BUF_ADDR);
	if (vfio_pci_core_iova_rw(core, ram, data, cnt, false))
		memset(data, 0, cnt);
	bitmap_set(edu->known, dev - EDU_BUF_ADDR, cnt);
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
			return ret;
	}
	return vfio_pci_core_bar_hw_write(core, 0, offset, size, val);
}

static const struct vfio_pci_core_bar_trap edu_traps[] = {
	{ .bar = 0, .offset = 0, .size = EDU_DMA_CMD + 8,	/* all registers */
	  .write = edu_trap_write },
};

static int edu_setup(struct vfio_pci_core_device *core,
		     const struct pci_device_id *id)
{
	struct edu_device *edu = to_edu(core);
	int ret;

	mutex_init(&edu->lock);
	edu->scratch = U64_MAX;
	ret = vfio_pci_core_dirty_init(core) ?:
	      vfio_pci_core_bar_add_traps(core, edu_traps,
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
	.dev_size	= VFIO_PCI_CORE_VARIANT_SIZE(struct edu_device, core),
	.setup		= edu_setup,
};
module_vfio_pci_core_variant(edu_variant);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant for QEMU's edu device, with live migration");
