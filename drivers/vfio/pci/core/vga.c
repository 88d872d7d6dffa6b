// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the VGA region of a VGA-class function.
 *
 * A VGA device also answers at fixed legacy addresses that belong to no BAR:
 * the frame buffer window at 0xa0000-0xbffff and the register ports
 * 0x3b0-0x3bb and 0x3c0-0x3df.  The region exposes exactly those three
 * windows at their own addresses within a 0xc0000-byte region; every other
 * offset is refused.  Each access holds the VGA arbiter for the resource it
 * touches, so that the host routes the legacy range to this device for its
 * duration.
 *
 * The region exists when the host kernel was built with VFIO VGA support
 * (CONFIG_VFIO_PCI_VGA), as the kernel's own vfio-pci does, and the driver
 * did not turn it off for the device (vfio_pci_core_set_vga_disabled(), the
 * disable_vga parameter of vfio-pci).
 */
#include <linux/io.h>
#include <linux/uaccess.h>
#include <linux/vgaarb.h>

#include "private.h"

#define VFIO_PCI_CORE_VGA_SIZE	0xc0000

struct vfio_pci_core_vga_window {
	u32 start;
	u32 len;
	bool is_io;
};

static const struct vfio_pci_core_vga_window vfio_pci_core_vga_windows[] = {
	{ .start = 0xa0000, .len = 0x20000, .is_io = false },
	{ .start = 0x3b0, .len = 0xc, .is_io = true },
	{ .start = 0x3c0, .len = 0x20, .is_io = true },
};

/* No user can reach the legacy windows of this device. */
static bool vfio_pci_core_vga_off(struct vfio_pci_core_device *core)
{
	return !IS_ENABLED(CONFIG_VFIO_PCI_VGA) || core->priv->vga_disabled;
}

bool vfio_pci_core_has_vga(struct vfio_pci_core_device *core)
{
	return !vfio_pci_core_vga_off(core) && pci_is_vga(core->pdev);
}

/* Documented in include/linux/vfio_pci_core.h. */
int vfio_pci_core_set_vga_disabled(struct vfio_pci_core_device *core,
				   bool disabled)
{
	if (vfio_pci_core_declare_refused(core))
		return -EBUSY;
	core->priv->vga_disabled = disabled;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_set_vga_disabled);

size_t vfio_pci_core_vga_size(struct vfio_pci_core_device *core)
{
	return vfio_pci_core_has_vga(core) ? VFIO_PCI_CORE_VGA_SIZE : 0;
}

/* Is there a VGA function other than @pdev on or below @pdev's bus? */
static bool vfio_pci_core_other_vga_below(struct pci_dev *pdev)
{
	unsigned int first = pdev->bus->number;
	unsigned int last = pci_bus_max_busnr(pdev->bus);
	struct pci_dev *vga = NULL;

	for (;;) {
		vga = pci_get_class(PCI_CLASS_DISPLAY_VGA << 8, vga);
		if (!vga)
			return false;
		if (vga == pdev || pci_is_root_bus(vga->bus) ||
		    pci_domain_nr(vga->bus) != pci_domain_nr(pdev->bus))
			continue;
		if (vga->bus->number >= first && vga->bus->number <= last) {
			pci_dev_put(vga);
			return true;
		}
	}
}

/*
 * The arbiter asks which legacy resources the device keeps decoding.  A
 * user with the VGA region may program the device in any way, so it is
 * assumed to decode all of them.  Without the region nobody reaches the
 * legacy ranges through this device, and the bridge above it can stop
 * routing them, so only its BARs count: unless it is alone, sits on a root
 * bus (no bridge to cut it off), or shares that routing with another VGA
 * function below the same bridge.
 */
static unsigned int vfio_pci_core_vga_decode(struct pci_dev *pdev,
					     bool single_vga)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);
	unsigned int legacy = VGA_RSRC_LEGACY_IO | VGA_RSRC_LEGACY_MEM;
	unsigned int decodes = VGA_RSRC_NORMAL_IO | VGA_RSRC_NORMAL_MEM;

	if (single_vga || !vfio_pci_core_vga_off(core) ||
	    pci_is_root_bus(pdev->bus) ||
	    vfio_pci_core_other_vga_below(pdev))
		decodes |= legacy;
	return decodes;
}

int vfio_pci_core_vga_register(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	int ret;

	if (!pci_is_vga(pdev))
		return 0;
	ret = vga_client_register(pdev, vfio_pci_core_vga_decode);
	if (ret)
		return ret;
	vga_set_legacy_decoding(pdev, vfio_pci_core_vga_decode(pdev, false));
	return 0;
}

void vfio_pci_core_vga_unregister(struct vfio_pci_core_device *core)
{
	if (pci_is_vga(core->pdev))
		vga_client_unregister(core->pdev);
}

static const struct vfio_pci_core_vga_window *
vfio_pci_core_vga_find(loff_t pos)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vfio_pci_core_vga_windows); i++) {
		const struct vfio_pci_core_vga_window *w =
			&vfio_pci_core_vga_windows[i];

		if (pos >= w->start && pos < w->start + w->len)
			return w;
	}
	return NULL;
}

static ssize_t vfio_pci_core_vga_window_rw(void __iomem *base, u32 off,
					   char __user *buf, size_t count,
					   bool write)
{
	size_t done = 0;

	while (done < count) {
		u32 at = off + done;
		/* At most 4 bytes, as for I/O ports, in the memory window too. */
		size_t width = vfio_pci_core_piece_width(at, count - done, true);
		__le64 le = 0;
		u64 val;

		/* The user buffer sits in RAM: no lock of ours is held. */
		if (write && copy_from_user(&le, buf + done, width))
			return -EFAULT;
		val = le64_to_cpu(le);
		vfio_pci_core_io_rw_one(base + at, width, &val, write);
		le = cpu_to_le64(val);
		if (!write && copy_to_user(buf + done, &le, width))
			return -EFAULT;
		done += width;
	}
	return done;
}

ssize_t vfio_pci_core_vga_rw(struct vfio_pci_core_device *core,
			     char __user *buf, size_t count, loff_t pos,
			     bool write)
{
	const struct vfio_pci_core_vga_window *w;
	void __iomem *base;
	unsigned int rsrc;
	ssize_t done;
	int ret;

	if (!vfio_pci_core_has_vga(core))
		return -EINVAL;
	w = vfio_pci_core_vga_find(pos);
	if (!w)
		return -EINVAL;
	count = min_t(size_t, count, w->start + w->len - pos);

	if (w->is_io) {
		base = ioport_map(w->start, w->len);
		rsrc = VGA_RSRC_LEGACY_IO;
	} else {
		base = ioremap(w->start, w->len);
		rsrc = VGA_RSRC_LEGACY_MEM;
	}
	if (!base)
		return -ENOMEM;

	ret = vga_get_interruptible(core->pdev, rsrc);
	if (ret) {
		done = ret;
		goto out_unmap;
	}
	done = vfio_pci_core_vga_window_rw(base, pos - w->start, buf, count,
					   write);
	vga_put(core->pdev, rsrc);

out_unmap:
	if (w->is_io)
		ioport_unmap(base);
	else
		iounmap(base);
	return done;
}
