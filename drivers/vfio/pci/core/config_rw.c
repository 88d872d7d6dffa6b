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
 * User memory is touched only outside the locks (see private.h), through a
 * bounce buffer.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "private.h"

/* Stack bounce buffer; larger accesses allocate one of their own size. */
#define VFIO_PCI_CFG_CHUNK	64
/* From this many bytes on, a read takes the config access block once. */
#define VFIO_PCI_CFG_BATCH	16

static int vfio_pci_cfg_read_piece(struct vfio_pci_core_device *core,
				   unsigned int pos, unsigned int width,
				   u32 *val)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	u32 virt = vfio_pci_cfg_mask(cfg, pos, width, false);
	u32 full = width == 4 ? ~0u : (1u << (8 * width)) - 1;
	u32 hw = 0;
	int ret;

	if (virt != full) {
		ret = vfio_pci_cfg_hw_read(core, pos, width, &hw);
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
				 unsigned int pos, unsigned int count)
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
			ret = vfio_pci_cfg_read_piece(core, p, 4, &val);
		} else {
			end = vfio_pci_cfg_piece_end(cfg, p, pos + count);
			width = vfio_pci_cfg_width(p, end);
			ret = vfio_pci_cfg_read_piece(core, p, width, &val);
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
 * One chunk under cfg_lock.  A long read without variant traps (whose
 * handlers may use the user accessors) holds the config access block
 * around all its device reads, when nobody else holds it.
 */
static ssize_t vfio_pci_cfg_access(struct vfio_pci_core_device *core,
				   u8 *buf, unsigned int pos,
				   unsigned int count, bool write)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	struct pci_dev *pdev = core->pdev;
	ssize_t ret;

	lockdep_assert_held(&core->priv->cfg_lock);

	if (write)
		return vfio_pci_cfg_write(core, buf, pos, count);
	if (count < VFIO_PCI_CFG_BATCH || vfio_pci_cfg_trapped(core, pos, count) ||
	    !pci_cfg_access_trylock(pdev))
		return vfio_pci_cfg_read(core, buf, pos, count);

	cfg->hw_blocked = true;
	ret = vfio_pci_cfg_read(core, buf, pos, count);
	cfg->hw_blocked = false;
	pci_cfg_access_unlock(pdev);
	return ret;
}

ssize_t vfio_pci_core_config_rw(struct vfio_pci_core_device *core,
				char __user *buf, size_t count, loff_t pos,
				bool write)
{
	struct vfio_pci_core_private *priv = core->priv;
	unsigned int size = core->pdev->cfg_size;
	u8 stack[VFIO_PCI_CFG_CHUNK], *kbuf = stack;
	size_t chunk = sizeof(stack), done = 0;
	ssize_t ret = 0;

	/* As the kernel's vfio-pci answers: nothing at or across the end. */
	if (pos < 0 || pos >= size || count > size - pos)
		return -EFAULT;

	if (count > chunk) {
		kbuf = kmalloc(count, GFP_KERNEL);
		if (kbuf)
			chunk = count;
		else
			kbuf = stack;
	}

	while (done < count) {
		size_t n = min_t(size_t, count - done, chunk);

		if (write && copy_from_user(kbuf, buf + done, n)) {
			ret = -EFAULT;
			goto out;
		}

		mutex_lock(&priv->cfg_lock);
		if (priv->cfg.vconfig)
			ret = vfio_pci_cfg_access(core, kbuf, pos + done, n,
						  write);
		else
			ret = -ENODEV;
		mutex_unlock(&priv->cfg_lock);

		if (ret > 0 && !write && copy_to_user(buf + done, kbuf, ret))
			ret = -EFAULT;
		if (ret < 0)
			goto out;
		done += ret;
		if (ret < n)
			break;
	}
out:
	if (kbuf != stack)
		kfree(kbuf);
	return done ? done : ret;
}
