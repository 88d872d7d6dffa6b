// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the config region of the device fd, on top of the config
 * layers (config.h).
 *
 * Reads go a dword at a time where they can: a whole aligned dword without
 * a variant trap is one merge of vconfig and, unless every bit of it is
 * virtual, one device read.  Elsewhere an access is cut into pieces that
 * never cross a described register and are naturally aligned, so each
 * piece reaches the device, when it does, as one access no wider than the
 * user's.  A read of many dwords takes the function's config access block
 * once (when nobody else holds it, e.g. a reset) instead of the user
 * accessors' lock around every device access.
 *
 * Reads that touch no variant trap take no lock, as the kernel's vfio-pci
 * takes none: the byte map is fixed while the device is open, a read has no
 * side effect, and a read racing a write sees each byte of vconfig before
 * or after it.  Trapped reads (whose handlers may keep state) and every
 * write run under cfg_lock.
 *
 * User memory is touched only outside the locks (see private.h), through a
 * bounce buffer on the stack, a conventional config space at a time: no
 * allocation on the access path (under KASAN and kmemleak each allocation
 * and free records a stack trace, which used to cost a 256-byte read more
 * than its device reads).
 */
#include <linux/uaccess.h>

#include "private.h"

/* Stack bounce buffer: a longer access goes through it in chunks. */
#define VFIO_PCI_CFG_CHUNK	PCI_CFG_SPACE_SIZE
/* From this many bytes on, a read takes the config access block once. */
#define VFIO_PCI_CFG_BATCH	16

/* @plain: the caller holds the function's config access block. */
static int vfio_pci_cfg_read_piece(struct vfio_pci_core_device *core,
				   unsigned int pos, unsigned int width,
				   u32 *val, bool plain)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	u32 virt = vfio_pci_cfg_mask(cfg, pos, width, false);
	u32 full = width == 4 ? ~0u : (1u << (8 * width)) - 1;
	u32 hw = 0;
	int ret;

	if (virt != full) {
		ret = vfio_pci_cfg_dev_read(core->pdev, plain, pos, width,
					    &hw);
		if (ret)
			return ret;
	}
	*val = (vfio_pci_cfg_vread(core, pos, width) & virt) | (hw & ~virt);
	if (cfg->map[pos].hook == VFIO_PCI_CFG_HOOK_TRAP)
		return vfio_pci_cfg_trap_read(core, pos, width, val);
	return 0;
}

/* End of the piece starting at @pos: its register, or a run of raw bytes. */
static unsigned int vfio_pci_cfg_piece_end(struct vfio_pci_cfg_state *cfg,
					   unsigned int pos, unsigned int limit)
{
	const struct vfio_pci_cfg_byte *m = &cfg->map[pos];
	unsigned int end;

	if (m->reg_size) {
		end = pos - m->reg_off + m->reg_size;
		return min(end, limit);
	}
	for (end = pos + 1; end < limit && !cfg->map[end].reg_size; end++)
		;
	return end;
}

static unsigned int vfio_pci_cfg_width(unsigned int pos, unsigned int end)
{
	if (!(pos & 3) && end - pos >= 4)
		return 4;
	if (!(pos & 1) && end - pos >= 2)
		return 2;
	return 1;
}

/* An aligned dword whose bytes carry no variant trap: read it whole. */
static bool vfio_pci_cfg_plain_dword(struct vfio_pci_cfg_state *cfg,
				     unsigned int pos, unsigned int left)
{
	const struct vfio_pci_cfg_byte *m = &cfg->map[pos];

	return !(pos & 3) && left >= 4 &&
	       m[0].hook != VFIO_PCI_CFG_HOOK_TRAP &&
	       m[1].hook != VFIO_PCI_CFG_HOOK_TRAP &&
	       m[2].hook != VFIO_PCI_CFG_HOOK_TRAP &&
	       m[3].hook != VFIO_PCI_CFG_HOOK_TRAP;
}

static ssize_t vfio_pci_cfg_read(struct vfio_pci_core_device *core, u8 *buf,
				 unsigned int pos, unsigned int count,
				 bool plain)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	unsigned int done = 0;

	while (done < count) {
		unsigned int p = pos + done, end, width;
		__le32 le;
		u32 val;
		int ret;

		if (vfio_pci_cfg_plain_dword(cfg, p, count - done)) {
			width = 4;
			ret = vfio_pci_cfg_read_piece(core, p, 4, &val, plain);
		} else {
			end = vfio_pci_cfg_piece_end(cfg, p, pos + count);
			width = vfio_pci_cfg_width(p, end);
			ret = vfio_pci_cfg_read_piece(core, p, width, &val,
						      plain);
		}
		/* done is unsigned: never let it turn ret into a count. */
		if (ret)
			return done ? (ssize_t)done : ret;
		le = cpu_to_le32(val);
		memcpy(buf + done, &le, width);
		done += width;
	}
	return done;
}

static ssize_t vfio_pci_cfg_write(struct vfio_pci_core_device *core,
				  const u8 *buf, unsigned int pos,
				  unsigned int count)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	unsigned int done = 0;

	while (done < count) {
		unsigned int p = pos + done;
		unsigned int end = vfio_pci_cfg_piece_end(cfg, p, pos + count);
		unsigned int width = vfio_pci_cfg_width(p, end);
		__le32 le = 0;
		int ret;

		memcpy(&le, buf + done, width);
		ret = vfio_pci_cfg_write_piece(core, p, width, le32_to_cpu(le));
		/* done is unsigned: never let it turn ret into a count. */
		if (ret)
			return done ? (ssize_t)done : ret;
		done += width;
	}
	return done;
}

/* Does [@pos, @pos + @count) touch a register a variant traps? */
static bool vfio_pci_cfg_trapped(struct vfio_pci_core_device *core,
				 unsigned int pos, unsigned int count)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	unsigned int i;

	for (i = 0; i < traps->nregs; i++) {
		const struct vfio_pci_core_cfg_reg *r = &traps->regs[i];

		if (r->offset < pos + count && pos < r->offset + r->size)
			return true;
	}
	return false;
}

/*
 * A read without variant traps: no lock.  A long one holds the config
 * access block around all its device reads, when nobody else holds it.
 */
static ssize_t vfio_pci_cfg_read_untrapped(struct vfio_pci_core_device *core,
					   u8 *buf, unsigned int pos,
					   unsigned int count)
{
	struct pci_dev *pdev = core->pdev;
	ssize_t ret;

	if (count < VFIO_PCI_CFG_BATCH || !pci_cfg_access_trylock(pdev))
		return vfio_pci_cfg_read(core, buf, pos, count, false);
	ret = vfio_pci_cfg_read(core, buf, pos, count, true);
	pci_cfg_access_unlock(pdev);
	return ret;
}

/* One chunk of a write, or of a read that touches a variant trap. */
static ssize_t vfio_pci_cfg_access_locked(struct vfio_pci_core_device *core,
					  u8 *buf, unsigned int pos,
					  unsigned int count, bool write)
{
	struct vfio_pci_core_private *priv = core->priv;
	ssize_t ret;

	mutex_lock(&priv->cfg_lock);
	if (!priv->cfg.vconfig)
		ret = -ENODEV;
	else if (write)
		ret = vfio_pci_cfg_write(core, buf, pos, count);
	else
		ret = vfio_pci_cfg_read(core, buf, pos, count, false);
	mutex_unlock(&priv->cfg_lock);
	return ret;
}

ssize_t vfio_pci_core_config_rw(struct vfio_pci_core_device *core,
				char __user *buf, size_t count, loff_t pos,
				bool write)
{
	unsigned int size = core->pdev->cfg_size;
	u8 kbuf[VFIO_PCI_CFG_CHUNK];
	size_t done = 0;
	bool locked;
	ssize_t ret = 0;

	/* As the kernel's vfio-pci answers: nothing at or across the end. */
	if (pos < 0 || pos >= size || count > size - pos)
		return -EFAULT;
	/* Set up at open, freed at close: fixed while the fd is usable. */
	if (!core->priv->cfg.vconfig)
		return -ENODEV;

	locked = write || vfio_pci_cfg_trapped(core, pos, count);

	while (done < count) {
		size_t n = min_t(size_t, count - done, sizeof(kbuf));

		if (write && copy_from_user(kbuf, buf + done, n)) {
			ret = -EFAULT;
			break;
		}

		if (locked)
			ret = vfio_pci_cfg_access_locked(core, kbuf, pos + done,
							 n, write);
		else
			ret = vfio_pci_cfg_read_untrapped(core, kbuf,
							  pos + done, n);

		if (ret > 0 && !write && copy_to_user(buf + done, kbuf, ret))
			ret = -EFAULT;
		if (ret < 0)
			break;
		done += ret;
		if (ret < n)
			break;
	}
	return done ? done : ret;
}
