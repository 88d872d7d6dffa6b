// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: VFIO_DEVICE_IOEVENTFD.
 *
 * An ioeventfd turns a signal on an eventfd into one fixed write (value and
 * width chosen at registration) to a fixed place in a BAR, without a trip
 * through userspace.  A VMM uses it for doorbell registers.
 *
 * The write is done from the eventfd's wakeup, which runs in atomic context,
 * so there memory_lock can only be try-locked; when someone holds it the
 * write is handed to the virqfd thread, which can wait for it.  Either way
 * the write is dropped when the BAR does not decode, as for read/write.
 *
 * Registrations are keyed by (BAR, offset, width, value): fd -1 removes the
 * one matching, a second registration of the same key is refused.
 */
#include <linux/bitops.h>
#include <linux/io.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "private.h"

struct vfio_pci_core_ioeventfd {
	struct list_head node;
	struct vfio_pci_core_device *core;
	struct virqfd *virqfd;
	void __iomem *addr;
	u64 data;
	u64 pos;
	unsigned int bar;
	unsigned int width;
	bool is_io;
};

void vfio_pci_core_ioeventfd_init(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_pm_io *pm = &core->priv->pm_io;

	INIT_LIST_HEAD(&pm->ioeventfds);
	mutex_init(&pm->ioeventfd_lock);
}

void vfio_pci_core_ioeventfd_destroy(struct vfio_pci_core_device *core)
{
	mutex_destroy(&core->priv->pm_io.ioeventfd_lock);
}

/* The write itself; the caller holds memory_lock and checked decoding. */
static void vfio_pci_core_ioeventfd_poke(struct vfio_pci_core_ioeventfd *ioev)
{
	switch (ioev->width) {
	case 8:
#ifdef CONFIG_64BIT
		if (!ioev->is_io) {
			writeq(ioev->data, ioev->addr);
			break;
		}
#endif
		/* Port I/O has no 64-bit cycle: low dword first, then high. */
		iowrite32(lower_32_bits(ioev->data), ioev->addr);
		iowrite32(upper_32_bits(ioev->data), ioev->addr + 4);
		break;
	case 4:
		iowrite32(ioev->data, ioev->addr);
		break;
	case 2:
		iowrite16(ioev->data, ioev->addr);
		break;
	default:
		iowrite8(ioev->data, ioev->addr);
		break;
	}
}

/* Called from the eventfd wakeup: atomic context, must not sleep. */
static int vfio_pci_core_ioeventfd_wakeup(void *opaque, void *unused)
{
	struct vfio_pci_core_ioeventfd *ioev = opaque;
	struct vfio_pci_core_private *priv = ioev->core->priv;

	/* Held by someone changing decode: let the thread wait for it. */
	if (!down_read_trylock(&priv->memory_lock))
		return 1;
	if (vfio_pci_core_bar_decodes(ioev->core, ioev->is_io))
		vfio_pci_core_ioeventfd_poke(ioev);
	up_read(&priv->memory_lock);
	return 0;
}

/* The virqfd thread: process context, may wait for memory_lock. */
static void vfio_pci_core_ioeventfd_deferred(void *opaque, void *unused)
{
	struct vfio_pci_core_ioeventfd *ioev = opaque;
	struct vfio_pci_core_private *priv = ioev->core->priv;

	down_read(&priv->memory_lock);
	if (vfio_pci_core_bar_decodes(ioev->core, ioev->is_io))
		vfio_pci_core_ioeventfd_poke(ioev);
	up_read(&priv->memory_lock);
}

/* Does [pos, pos + width) of @bar touch the MSI-X vector table? */
static bool vfio_pci_core_hits_msix_table(struct pci_dev *pdev,
					  unsigned int bar, u64 pos,
					  unsigned int width)
{
	u32 table, start, size;
	u16 ctrl;

	if (!pdev->msix_cap)
		return false;
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
	if ((table & PCI_MSIX_TABLE_BIR) != bar)
		return false;
	pci_read_config_word(pdev, pdev->msix_cap + PCI_MSIX_FLAGS, &ctrl);
	start = table & PCI_MSIX_TABLE_OFFSET;
	size = ((ctrl & PCI_MSIX_FLAGS_QSIZE) + 1) * PCI_MSIX_ENTRY_SIZE;
	return pos < (u64)start + size && pos + width > start;
}

/*
 * Does [pos, pos + width) touch a range whose writes the variant serves?
 * The ioeventfd writes the device directly, so it would bypass the
 * variant's handler, as an mmap of a trapped page would.
 */
static bool vfio_pci_core_ioeventfd_hits_trap(struct vfio_pci_core_device *core,
					      unsigned int bar, u64 pos,
					      unsigned int width)
{
	const struct vfio_pci_core_bar_trap *trap;
	unsigned int i;
	u64 span;

	for (i = 0; i < width; i++) {
		trap = vfio_pci_bar_trap_at(core, bar, pos + i, &span);
		if (trap && trap->write)
			return true;
	}
	return false;
}

static void vfio_pci_core_ioeventfd_free(struct vfio_pci_core_device *core,
					 struct vfio_pci_core_ioeventfd *ioev)
{
	/* Waits for a deferred write in flight: memory_lock must be free. */
	vfio_virqfd_disable(&ioev->virqfd);
	list_del(&ioev->node);
	core->priv->pm_io.nr_ioeventfds--;
	kfree(ioev);
}

static int vfio_pci_core_ioeventfd_add(struct vfio_pci_core_device *core,
				       void __iomem *io, unsigned int bar,
				       u64 pos, u64 data, unsigned int width,
				       int fd)
{
	struct vfio_pci_core_pm_io *pm = &core->priv->pm_io;
	struct vfio_pci_core_ioeventfd *ioev;
	int ret;

	guard(mutex)(&pm->ioeventfd_lock);

	list_for_each_entry(ioev, &pm->ioeventfds, node) {
		if (ioev->bar != bar || ioev->pos != pos ||
		    ioev->width != width || ioev->data != data)
			continue;
		if (fd != -1)
			return -EEXIST;
		vfio_pci_core_ioeventfd_free(core, ioev);
		return 0;
	}

	if (fd == -1)
		return -ENODEV;
	if (pm->nr_ioeventfds >= VFIO_PCI_CORE_IOEVENTFD_MAX)
		return -ENOSPC;

	ioev = kzalloc_obj(*ioev, GFP_KERNEL_ACCOUNT);
	if (!ioev)
		return -ENOMEM;
	ioev->core = core;
	ioev->addr = io + pos;
	ioev->data = data;
	ioev->pos = pos;
	ioev->bar = bar;
	ioev->width = width;
	ioev->is_io = pci_resource_flags(core->pdev, bar) & IORESOURCE_IO;

	ret = vfio_virqfd_enable(ioev, vfio_pci_core_ioeventfd_wakeup,
				 vfio_pci_core_ioeventfd_deferred, NULL,
				 &ioev->virqfd, fd);
	if (ret) {
		kfree(ioev);
		return ret;
	}
	list_add_tail(&ioev->node, &pm->ioeventfds);
	pm->nr_ioeventfds++;
	return 0;
}

long vfio_pci_core_ioctl_ioeventfd(struct vfio_pci_core_device *core,
				   void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_ioeventfd, fd);
	struct pci_dev *pdev = core->pdev;
	struct vfio_device_ioeventfd req;
	unsigned int bar, width;
	void __iomem *io;
	u64 pos;

	if (copy_from_user(&req, arg, minsz))
		return -EFAULT;
	if (req.argsz < minsz)
		return -EINVAL;

	/* The size flags are the width in bytes: exactly one may be set. */
	if (req.flags & ~VFIO_DEVICE_IOEVENTFD_SIZE_MASK)
		return -EINVAL;
	width = req.flags;
	if (hweight32(width) != 1 || req.fd < -1)
		return -EINVAL;

	/* Only into a BAR, wholly inside it, and never into the MSI-X table. */
	if (req.offset >> VFIO_PCI_CORE_OFFSET_SHIFT >
	    VFIO_PCI_BAR5_REGION_INDEX)
		return -EINVAL;
	bar = array_index_nospec(vfio_pci_core_offset_to_index(req.offset),
				 PCI_STD_NUM_BARS);
	pos = req.offset & VFIO_PCI_CORE_OFFSET_MASK;
	/* A virtual BAR has no device register behind it. */
	if (vfio_pci_core_vbar_owns(core, bar))
		return -EINVAL;
	if (pos + width > pci_resource_len(pdev, bar))
		return -EINVAL;
	if (vfio_pci_core_hits_msix_table(pdev, bar, pos, width))
		return -EINVAL;
	if (vfio_pci_core_ioeventfd_hits_trap(core, bar, pos, width))
		return -EINVAL;

	io = vfio_pci_core_bar_map(core, bar);
	if (IS_ERR(io))
		return PTR_ERR(io);

	return vfio_pci_core_ioeventfd_add(core, io, bar, pos, req.data, width,
					   req.fd);
}

/* At the last close: no ioeventfd outlives its opener. */
void vfio_pci_core_ioeventfd_release_all(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_pm_io *pm = &core->priv->pm_io;
	struct vfio_pci_core_ioeventfd *ioev, *next;

	guard(mutex)(&pm->ioeventfd_lock);
	list_for_each_entry_safe(ioev, next, &pm->ioeventfds, node)
		vfio_pci_core_ioeventfd_free(core, ioev);
}
