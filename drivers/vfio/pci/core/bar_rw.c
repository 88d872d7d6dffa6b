// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: read(2)/write(2) on BAR regions.
 *
 * An access is split into naturally aligned pieces of at most 8 bytes (4 for
 * I/O port BARs), each reaching the device as one access no wider than the
 * user's.  Pieces move through a stack bounce buffer, up to
 * VFIO_PCI_BAR_BATCH bytes per hold of memory_lock (read side, after
 * checking that the BAR decodes): one lock round trip and one user copy per
 * batch instead of per piece.  User memory is only touched with the lock
 * dropped, since the user buffer may itself be a mapping of this device
 * whose fault handler takes the same lock.  Ranges a variant traps go piece
 * by piece to its handler, without the lock.
 */
#include <linux/io.h>
#include <linux/uaccess.h>

#include "private.h"

/* Bytes of a bulk access moved per hold of memory_lock. */
#define VFIO_PCI_BAR_BATCH	256

void __iomem *vfio_pci_core_bar_map(struct vfio_pci_core_device *core,
				    unsigned int bar)
{
	struct vfio_pci_core_private *priv = core->priv;
	struct pci_dev *pdev = core->pdev;
	void __iomem *io;

	/* Set once per open under barmap_lock; see the release below. */
	io = smp_load_acquire(&priv->barmap[bar]);
	if (io)
		return io;

	guard(mutex)(&priv->barmap_lock);
	if (priv->barmap[bar])
		return priv->barmap[bar];

	if (pci_request_selected_regions(pdev, BIT(bar), "vfio-pci-core"))
		return IOMEM_ERR_PTR(-EBUSY);
	io = pci_iomap(pdev, bar, 0);
	if (!io) {
		pci_release_selected_regions(pdev, BIT(bar));
		return IOMEM_ERR_PTR(-ENOMEM);
	}
	/* Pairs with the lockless acquire above: the mapping is complete. */
	smp_store_release(&priv->barmap[bar], io);
	return io;
}

void vfio_pci_core_bar_unmap_all(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_private *priv = core->priv;
	struct pci_dev *pdev = core->pdev;
	unsigned int bar;

	guard(mutex)(&priv->barmap_lock);
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!priv->barmap[bar])
			continue;
		pci_iounmap(pdev, priv->barmap[bar]);
		pci_release_selected_regions(pdev, BIT(bar));
		priv->barmap[bar] = NULL;
	}
}

/*
 * Memory BARs follow the device-wide predicate of memory.c; I/O BARs the
 * I/O enable bit userspace last wrote to COMMAND.  Caller holds memory_lock.
 */
bool vfio_pci_core_bar_decodes(struct vfio_pci_core_device *core, bool is_io)
{
	if (!is_io)
		return vfio_pci_core_memory_enabled(core);
	lockdep_assert_held(&core->priv->memory_lock);
	return vfio_pci_cfg_vread(core, PCI_COMMAND, 2) & PCI_COMMAND_IO;
}

void vfio_pci_core_io_rw_one(void __iomem *addr, size_t width, u64 *val,
			     bool write)
{
	switch (width) {
#ifdef CONFIG_64BIT
	case 8:
		/* Only chosen for memory, where the cookie is an address. */
		if (write)
			writeq(*val, addr);
		else
			*val = readq(addr);
		break;
#endif
	case 4:
		if (write)
			iowrite32(*val, addr);
		else
			*val = ioread32(addr);
		break;
	case 2:
		if (write)
			iowrite16(*val, addr);
		else
			*val = ioread16(addr);
		break;
	default:
		if (write)
			iowrite8(*val, addr);
		else
			*val = ioread8(addr);
		break;
	}
}

/* One aligned BAR access of @width bytes, while the BAR decodes. */
int vfio_pci_core_bar_io(struct vfio_pci_core_device *core,
			 void __iomem *addr, size_t width, u64 *val,
			 bool is_io, bool write)
{
	struct vfio_pci_core_private *priv = core->priv;

	guard(rwsem_read)(&priv->memory_lock);
	if (!vfio_pci_core_bar_decodes(core, is_io))
		return -EIO;
	vfio_pci_core_io_rw_one(addr, width, val, write);
	return 0;
}

size_t vfio_pci_core_piece_width(loff_t pos, u64 left, bool is_io)
{
	if (IS_ENABLED(CONFIG_64BIT) && !is_io && left >= 8 && !(pos & 7))
		return 8;
	if (left >= 4 && !(pos & 3))
		return 4;
	if (left >= 2 && !(pos & 1))
		return 2;
	return 1;
}

/* Copy @width little-endian bytes between user memory and @val. */
static int vfio_pci_core_piece_copy(struct vfio_pci_core_device *core,
				    char __user *buf, u64 *val, size_t width,
				    bool to_user)
{
	__le64 le;

	vfio_pci_core_assert_no_memory_lock(core);

	if (to_user) {
		le = cpu_to_le64(*val);
		return copy_to_user(buf, &le, width) ? -EFAULT : 0;
	}
	le = 0;
	if (copy_from_user(&le, buf, width))
		return -EFAULT;
	*val = le64_to_cpu(le);
	return 0;
}

/*
 * @len bytes at BAR offset @pos (mapped at @addr) to or from @kbuf, piece by
 * piece, under one hold of memory_lock while the BAR decodes.
 */
static int vfio_pci_core_bar_io_batch(struct vfio_pci_core_device *core,
				      void __iomem *addr, u8 *kbuf,
				      size_t len, loff_t pos, bool is_io,
				      bool write)
{
	size_t off, width;
	__le64 le;
	u64 val;

	guard(rwsem_read)(&core->priv->memory_lock);
	if (!vfio_pci_core_bar_decodes(core, is_io))
		return -EIO;
	for (off = 0; off < len; off += width) {
		width = vfio_pci_core_piece_width(pos + off, len - off, is_io);
		le = 0;
		if (write) {
			memcpy(&le, kbuf + off, width);
			val = le64_to_cpu(le);
		}
		vfio_pci_core_io_rw_one(addr + off, width, &val, write);
		if (!write) {
			le = cpu_to_le64(val);
			memcpy(kbuf + off, &le, width);
		}
	}
	return 0;
}

/* One piece inside a trapped range, served by the variant's handler. */
static int vfio_pci_core_bar_trap_io(struct vfio_pci_core_device *core,
				     const struct vfio_pci_core_bar_trap *trap,
				     loff_t pos, size_t width, u64 *val,
				     bool write)
{
	int ret;

	vfio_pci_core_assert_no_memory_lock(core);

	if (write)
		ret = trap->write(core, trap, pos, width, *val);
	else
		ret = trap->read(core, trap, pos, width, val);
	/* Only 0 or an errno: a count here would be taken for bytes done. */
	return ret > 0 ? -EIO : ret;
}

ssize_t vfio_pci_core_bar_rw(struct vfio_pci_core_device *core,
			     unsigned int bar, char __user *buf, size_t count,
			     loff_t pos, bool write)
{
	struct pci_dev *pdev = core->pdev;
	resource_size_t len = pci_resource_len(pdev, bar);
	bool is_io = pci_resource_flags(pdev, bar) & IORESOURCE_IO;
	void __iomem *io;
	size_t done = 0;

	if (!len || pos >= len)
		return -EINVAL;
	count = min_t(u64, count, len - pos);

	io = vfio_pci_core_bar_map(core, bar);
	if (IS_ERR(io))
		return PTR_ERR(io);

	while (done < count) {
		const struct vfio_pci_core_bar_trap *trap;
		u64 kbuf[VFIO_PCI_BAR_BATCH / sizeof(u64)];
		u64 span, val = 0;
		size_t width, n;
		int ret = 0;

		/* A piece never crosses the end or start of a trapped range. */
		trap = vfio_pci_bar_trap_at(core, bar, pos, &span);
		if (trap && (write ? !trap->write : !trap->read))
			trap = NULL;
		n = min_t(u64, count - done, span);

		if (trap) {
			width = vfio_pci_core_piece_width(pos, n, is_io);
			if (write)
				ret = vfio_pci_core_piece_copy(core, buf + done,
							       &val, width,
							       false);
			if (!ret)
				ret = vfio_pci_core_bar_trap_io(core, trap, pos,
								width, &val,
								write);
			if (!ret && !write)
				ret = vfio_pci_core_piece_copy(core, buf + done,
							       &val, width,
							       true);
			n = width;
		} else {
			n = min_t(size_t, n, sizeof(kbuf));
			if (write && copy_from_user(kbuf, buf + done, n))
				ret = -EFAULT;
			if (!ret)
				ret = vfio_pci_core_bar_io_batch(core, io + pos,
								 (u8 *)kbuf, n,
								 pos, is_io,
								 write);
			if (!ret && !write && copy_to_user(buf + done, kbuf, n))
				ret = -EFAULT;
		}
		if (ret)
			return done ? done : ret;
		pos += n;
		done += n;
	}
	return done;
}
