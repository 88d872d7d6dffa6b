// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the ROM region, read-only.
 *
 * The ROM is mapped with pci_map_rom() for each access and unmapped again, so
 * the ROM BAR's enable bit is only set while we read it.  ROM decoding also
 * needs memory decoding in COMMAND, which the user may have turned off; it is
 * turned on for the access under memory_lock held for write, so no BAR
 * mapping can be populated meanwhile, and restored afterwards.
 *
 * The region is as large as the ROM BAR.  pci_map_rom() reports the size of
 * the images actually present; bytes past them read as 0xff, like an erased
 * flash part.  Data goes through a kernel buffer: user memory is touched only
 * with memory_lock dropped.
 */
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "private.h"

/* Largest piece read under the lock before copying out. */
#define VFIO_PCI_CORE_ROM_CHUNK	PAGE_SIZE

size_t vfio_pci_core_rom_size(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	size_t len = pci_resource_len(pdev, PCI_ROM_RESOURCE);
	void __iomem *rom;
	size_t image;
	u16 cmd;

	if (!len)
		return 0;

	/* A ROM without a valid image is not worth offering. */
	cmd = vfio_pci_core_memory_lock_and_enable(core);
	rom = pci_map_rom(pdev, &image);
	if (rom)
		pci_unmap_rom(pdev, rom);
	vfio_pci_core_memory_unlock_and_restore(core, cmd);

	return rom ? len : 0;
}

/* Copy @len bytes at @pos of the ROM into @dst; 32-bit reads where aligned. */
static void vfio_pci_core_rom_copy(void *dst, const void __iomem *rom,
				   size_t image, loff_t pos, size_t len)
{
	u8 *out = dst;
	size_t i = 0;

	while (i < len && pos + i < image) {
		if (!((pos + i) & 3) && len - i >= 4 && image - pos - i >= 4) {
			/* ROM bytes are in memory order: keep them so. */
			__le32 v = cpu_to_le32(ioread32(rom + pos + i));

			memcpy(out + i, &v, sizeof(v));
			i += 4;
		} else {
			out[i] = ioread8(rom + pos + i);
			i++;
		}
	}
	memset(out + i, 0xff, len - i);
}

static int vfio_pci_core_rom_fetch(struct vfio_pci_core_device *core,
				   void *dst, loff_t pos, size_t len)
{
	struct pci_dev *pdev = core->pdev;
	void __iomem *rom;
	size_t image;
	int ret = 0;
	u16 cmd;

	cmd = vfio_pci_core_memory_lock_and_enable(core);
	rom = pci_map_rom(pdev, &image);
	if (rom) {
		vfio_pci_core_rom_copy(dst, rom, image, pos, len);
		pci_unmap_rom(pdev, rom);
	} else {
		ret = -EIO;
	}
	vfio_pci_core_memory_unlock_and_restore(core, cmd);
	return ret;
}

ssize_t vfio_pci_core_rom_rw(struct vfio_pci_core_device *core,
			     char __user *buf, size_t count, loff_t pos,
			     bool write)
{
	size_t len = pci_resource_len(core->pdev, PCI_ROM_RESOURCE);
	size_t done = 0;
	void *kbuf;
	int ret = 0;

	if (write || !len || pos >= len)
		return -EINVAL;
	count = min_t(u64, count, len - pos);

	kbuf = kmalloc(min_t(size_t, count, VFIO_PCI_CORE_ROM_CHUNK),
		       GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;

	while (done < count) {
		size_t n = min_t(size_t, count - done, VFIO_PCI_CORE_ROM_CHUNK);

		ret = vfio_pci_core_rom_fetch(core, kbuf, pos + done, n);
		if (ret)
			break;
		vfio_pci_core_assert_no_memory_lock(core);
		if (copy_to_user(buf + done, kbuf, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	kfree(kbuf);
	return done ? done : ret;
}
