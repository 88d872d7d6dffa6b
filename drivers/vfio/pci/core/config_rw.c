// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: access to the config region.  For now reads go straight to
 * the function and writes are refused; the virtualization tables replace this
 * file's write side.
 */
#include <linux/uaccess.h>

#include "private.h"

/* Read one naturally aligned 1, 2 or 4 byte piece, little-endian to user. */
static int vfio_pci_core_config_read_one(struct pci_dev *pdev, loff_t pos,
					 size_t width, char __user *buf)
{
	int ret;

	switch (width) {
	case 4: {
		__le32 v;
		u32 val;

		ret = pci_user_read_config_dword(pdev, pos, &val);
		v = cpu_to_le32(val);
		if (!ret && copy_to_user(buf, &v, sizeof(v)))
			ret = -EFAULT;
		break;
	}
	case 2: {
		__le16 v;
		u16 val;

		ret = pci_user_read_config_word(pdev, pos, &val);
		v = cpu_to_le16(val);
		if (!ret && copy_to_user(buf, &v, sizeof(v)))
			ret = -EFAULT;
		break;
	}
	default: {
		u8 val;

		ret = pci_user_read_config_byte(pdev, pos, &val);
		if (!ret && copy_to_user(buf, &val, sizeof(val)))
			ret = -EFAULT;
		break;
	}
	}
	return ret;
}

ssize_t vfio_pci_core_config_rw(struct vfio_pci_core_device *core,
				char __user *buf, size_t count, loff_t pos,
				bool write)
{
	struct pci_dev *pdev = core->pdev;
	size_t done = 0;

	if (write)
		return -EINVAL;
	if (pos >= pdev->cfg_size)
		return -EINVAL;
	count = min_t(size_t, count, pdev->cfg_size - pos);

	while (done < count) {
		size_t left = count - done;
		size_t width;
		int ret;

		if (left >= 4 && !(pos & 3))
			width = 4;
		else if (left >= 2 && !(pos & 1))
			width = 2;
		else
			width = 1;

		ret = vfio_pci_core_config_read_one(pdev, pos, width,
						    buf + done);
		if (ret)
			return done ? done : ret;
		pos += width;
		done += width;
	}
	return done;
}
