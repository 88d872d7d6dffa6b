// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: a shadow of a device buffer that only DMA reaches.
 *
 * Some devices hold state the CPU cannot read back (a buffer behind a DMA
 * engine), yet it must migrate.  The kernel never writes the user's memory
 * on its own account, so the shadow is built from the DMAs the user starts,
 * as the variant's BAR trap sees them: a DMA into the device is read from
 * its source as it starts; a DMA out of bytes the shadow lacks is read back
 * from its destination once it is over.  A stream carries the shadow with a
 * bitmap of its known bytes.  On the destination those bytes are "stale"
 * (the device itself does not hold them) until the user DMAs them out; the
 * core then carries out that DMA from the shadow and has the device load
 * the bytes, so that it holds them from then on.
 */
#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/slab.h>

#include "private.h"

/**
 * struct vfio_pci_dma_shadow - the shadow of one device buffer
 * @core: the device
 * @ops: the variant's device work
 * @base: the buffer's address in the device's DMA engine
 * @size: its bytes
 * @known: bytes of @data that hold what the device holds (or, where @stale,
 *	   should hold)
 * @stale: known bytes the device itself does not hold (loaded from a stream)
 * @data: the buffer
 * @rec: staging for the buffer's record: @size / 8 bytes of bitmap (byte i
 *	 bit j is buffer byte 8 * i + j), then @size bytes of data
 * @out_iova: RAM side of the last DMA out of the device
 * @out_len: its length (0: none)
 * @out_off: its first byte in the buffer
 * @learn: that DMA moved bytes the shadow lacks
 * @dirty: the shadow changed since it was last sent
 * @sent: the current saving session's stream carries the shadow
 * @loaded: resuming: @rec holds the stream's last shadow
 */
struct vfio_pci_dma_shadow {
	struct vfio_pci_core_device *core;
	const struct vfio_pci_dma_shadow_ops *ops;
	u64 base;
	u32 size;
	unsigned long *known;
	unsigned long *stale;
	u8 *data;
	u8 *rec;
	u64 out_iova;
	u64 out_len;
	u32 out_off;
	bool learn;
	bool dirty;
	bool sent;
	bool loaded;
};

int vfio_pci_dma_shadow_init(struct vfio_pci_core_device *core, u64 base,
			     u32 size, const struct vfio_pci_dma_shadow_ops *ops)
{
	struct device *dev = &core->pdev->dev;
	struct vfio_pci_dma_shadow *sh;

	if (!size || size > VFIO_PCI_MIG_RECORD_MAX / 2 || size % BITS_PER_BYTE ||
	    !ops || !ops->load || core->priv->dma_shadow)
		return -EINVAL;
	/* Freed with the binding, after remove has dropped the device. */
	sh = devm_kzalloc(dev, sizeof(*sh), GFP_KERNEL);
	if (!sh)
		return -ENOMEM;
	sh->known = devm_bitmap_zalloc(dev, size, GFP_KERNEL);
	sh->stale = devm_bitmap_zalloc(dev, size, GFP_KERNEL);
	sh->data = devm_kzalloc(dev, size, GFP_KERNEL);
	sh->rec = devm_kzalloc(dev, VFIO_PCI_DMA_SHADOW_RECORD(size),
			       GFP_KERNEL);
	if (!sh->known || !sh->stale || !sh->data || !sh->rec)
		return -ENOMEM;
	sh->core = core;
	sh->ops = ops;
	sh->base = base;
	sh->size = size;
	core->priv->dma_shadow = sh;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_init);

static struct vfio_pci_dma_shadow *
vfio_pci_dma_shadow(struct vfio_pci_core_device *core)
{
	return core->priv->dma_shadow;
}

/* A new user: nothing of the last one's may reach its stream. */
void vfio_pci_dma_shadow_open(struct vfio_pci_core_device *core)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);

	if (!sh)
		return;
	bitmap_zero(sh->known, sh->size);
	bitmap_zero(sh->stale, sh->size);
	memset(sh->data, 0, sh->size);
	sh->out_iova = 0;
	sh->out_len = 0;
	sh->out_off = 0;
	sh->learn = false;
	sh->dirty = false;
	vfio_pci_dma_shadow_reset(core);
}

/* The session is over: the next one sends the shadow again. */
void vfio_pci_dma_shadow_reset(struct vfio_pci_core_device *core)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);

	if (!sh)
		return;
	sh->sent = false;
	sh->loaded = false;
}

int vfio_pci_dma_shadow_check(struct vfio_pci_core_device *core, u64 addr,
			      u64 len)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);

	if (!len || len > sh->size || addr < sh->base ||
	    addr - sh->base > sh->size - len) {
		dev_warn_ratelimited(&core->pdev->dev,
				     "refused DMA %#llx+%#llx\n", addr, len);
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_check);

bool vfio_pci_dma_shadow_learning(struct vfio_pci_core_device *core)
{
	return vfio_pci_dma_shadow(core)->learn;
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_learning);

void vfio_pci_dma_shadow_settle(struct vfio_pci_core_device *core)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);
	u32 i, off = sh->out_off;
	u8 *tmp;

	if (!sh->learn)
		return;
	sh->learn = false;
	tmp = kmalloc(sh->out_len, GFP_KERNEL);
	if (!tmp)
		return;
	/* The bytes are in the user's memory now: read them from there. */
	if (!vfio_pci_core_iova_rw(core, sh->out_iova, tmp, sh->out_len,
				   false)) {
		for (i = 0; i < sh->out_len; i++) {
			if (test_bit(off + i, sh->known))
				continue;
			sh->data[off + i] = tmp[i];
			set_bit(off + i, sh->known);
		}
		sh->dirty = true;
	}
	kfree(tmp);
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_settle);

/* A DMA starts: check it, settle the last one, find its place. */
static int vfio_pci_dma_shadow_start(struct vfio_pci_core_device *core,
				     u64 addr, u64 len, u32 *off)
{
	int ret = vfio_pci_dma_shadow_check(core, addr, len);

	if (ret)
		return ret;
	vfio_pci_dma_shadow_settle(core);
	*off = addr - vfio_pci_dma_shadow(core)->base;
	return 0;
}

int vfio_pci_dma_shadow_to_dev(struct vfio_pci_core_device *core, u64 iova,
			       u64 addr, u64 len)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);
	u32 off;
	int ret;

	ret = vfio_pci_dma_shadow_start(core, addr, len, &off);
	if (ret)
		return ret;
	/* What the device will load; an unmapped source loads zeros. */
	if (vfio_pci_core_iova_rw(core, iova, sh->data + off, len, false))
		memset(sh->data + off, 0, len);
	bitmap_set(sh->known, off, len);
	bitmap_clear(sh->stale, off, len);
	sh->dirty = true;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_to_dev);

/* Have the device load the stale bytes of [off, end) from @iova on. */
static int vfio_pci_dma_shadow_unstale(struct vfio_pci_dma_shadow *sh,
				       u32 off, u32 end, u64 iova)
{
	struct vfio_pci_core_device *core = sh->core;
	u32 b, e;
	u16 cmd;
	int ret;

	b = find_next_bit(sh->stale, end, off);
	if (b >= end)
		return 0;
	/* Without bus mastering the user's DMA does not happen either. */
	pci_read_config_word(core->pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MASTER))
		return 0;
	for (; b < end; b = find_next_bit(sh->stale, end, e)) {
		e = find_next_zero_bit(sh->stale, end, b);
		ret = vfio_pci_core_iova_rw(core, iova + (b - off),
					    sh->data + b, e - b, true);
		if (ret)
			return ret;
		ret = sh->ops->load(core, iova + (b - off), sh->base + b, e - b);
		if (ret)
			return ret;
		bitmap_clear(sh->stale, b, e - b);
	}
	return 1;
}

int vfio_pci_dma_shadow_from_dev(struct vfio_pci_core_device *core, u64 addr,
				 u64 iova, u64 len)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);
	u32 off;
	int ret;

	ret = vfio_pci_dma_shadow_start(core, addr, len, &off);
	if (ret)
		return ret;
	ret = vfio_pci_dma_shadow_unstale(sh, off, off + len, iova);
	if (ret < 0)
		return ret;
	sh->out_iova = iova;
	sh->out_len = len;
	sh->out_off = off;
	sh->learn = find_next_zero_bit(sh->known, off + len, off) < off + len;
	vfio_pci_core_dirty_mark(core, iova, len);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_from_dev);

void vfio_pci_dma_shadow_stopped(struct vfio_pci_core_device *core)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);

	vfio_pci_core_dirty_mark(core, sh->out_iova, sh->out_len);
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_stopped);

int vfio_pci_dma_shadow_save(struct vfio_pci_core_device *core,
			     struct vfio_pci_mig_stream *s, u32 tag,
			     bool initial)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);
	u32 i;
	int ret;

	if (initial)
		sh->sent = false;
	/* Sent and unchanged, or nothing known: the destination keeps its own. */
	if ((sh->sent && !sh->dirty) || bitmap_empty(sh->known, sh->size))
		return 0;
	memset(sh->rec, 0, sh->size / BITS_PER_BYTE);
	for (i = 0; i < sh->size; i++)
		if (test_bit(i, sh->known))
			sh->rec[i / BITS_PER_BYTE] |= BIT(i % BITS_PER_BYTE);
	memcpy(sh->rec + sh->size / BITS_PER_BYTE, sh->data, sh->size);
	ret = vfio_pci_mig_put(s, tag, sh->rec,
			       VFIO_PCI_DMA_SHADOW_RECORD(sh->size));
	if (!ret) {
		sh->dirty = false;
		sh->sent = true;
	}
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_save);

int vfio_pci_dma_shadow_load(struct vfio_pci_core_device *core,
			     const void *data, u32 len)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);

	if (len != VFIO_PCI_DMA_SHADOW_RECORD(sh->size))
		return -EINVAL;
	memcpy(sh->rec, data, len);
	sh->loaded = true;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_load);

void vfio_pci_dma_shadow_load_end(struct vfio_pci_core_device *core)
{
	struct vfio_pci_dma_shadow *sh = vfio_pci_dma_shadow(core);
	bool loaded = sh->loaded;
	u32 i;

	vfio_pci_dma_shadow_open(core);
	if (!loaded)
		return;
	/* The source's shadow; its bytes are not in this device yet. */
	for (i = 0; i < sh->size; i++)
		if (sh->rec[i / BITS_PER_BYTE] & BIT(i % BITS_PER_BYTE))
			set_bit(i, sh->known);
	memcpy(sh->data, sh->rec + sh->size / BITS_PER_BYTE, sh->size);
	bitmap_copy(sh->stale, sh->known, sh->size);
	sh->dirty = true;
}
EXPORT_SYMBOL_GPL(vfio_pci_dma_shadow_load_end);
