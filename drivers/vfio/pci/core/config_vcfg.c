// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the bottom of the config path.  The virtual config bytes
 * (vconfig), the device's bytes, and the default merge of a user write
 * through the byte map: virtual bits to vconfig, writable device bits to
 * the device.  Nothing here calls up into the hooks or the access path.
 * Called with cfg_lock held.
 *
 * Device accesses normally go through pci_user_*_config(), which wait out
 * a reset in progress.  While the access path holds the function's config
 * access block (@plain, see config_rw.c), nobody else reaches the device's
 * config space and the plain accessors are used instead.
 */
#include <linux/pci.h>

#include "private.h"

u32 vfio_pci_cfg_vread(struct vfio_pci_core_device *core, unsigned int pos,
		       unsigned int width)
{
	u8 *v = &core->priv->cfg.vconfig[pos];

	switch (width) {
	case 4:
		return le32_to_cpup((__le32 *)v);
	case 2:
		return le16_to_cpup((__le16 *)v);
	default:
		return *v;
	}
}

void vfio_pci_cfg_vwrite(struct vfio_pci_core_device *core, unsigned int pos,
			 unsigned int width, u32 val)
{
	u8 *v = &core->priv->cfg.vconfig[pos];

	switch (width) {
	case 4:
		*(__le32 *)v = cpu_to_le32(val);
		break;
	case 2:
		*(__le16 *)v = cpu_to_le16(val);
		break;
	default:
		*v = val;
		break;
	}
}

int vfio_pci_cfg_dev_read(struct pci_dev *pdev, bool plain, unsigned int pos,
			  unsigned int width, u32 *val)
{
	u16 w;
	u8 b;
	int ret;

	/* Either returns a PCIBIOS code or an errno: both become an errno. */
	switch (width) {
	case 4:
		ret = plain ? pci_read_config_dword(pdev, pos, val) :
			      pci_user_read_config_dword(pdev, pos, val);
		break;
	case 2:
		ret = plain ? pci_read_config_word(pdev, pos, &w) :
			      pci_user_read_config_word(pdev, pos, &w);
		*val = w;
		break;
	default:
		ret = plain ? pci_read_config_byte(pdev, pos, &b) :
			      pci_user_read_config_byte(pdev, pos, &b);
		*val = b;
		break;
	}
	return pcibios_err_to_errno(ret);
}

int vfio_pci_cfg_hw_read(struct vfio_pci_core_device *core, unsigned int pos,
			 unsigned int width, u32 *val)
{
	return vfio_pci_cfg_dev_read(core->pdev, false, pos, width, val);
}

int vfio_pci_cfg_hw_write(struct vfio_pci_core_device *core, unsigned int pos,
			  unsigned int width, u32 val)
{
	struct pci_dev *pdev = core->pdev;

	switch (width) {
	case 4:
		return pci_user_write_config_dword(pdev, pos, val);
	case 2:
		return pci_user_write_config_word(pdev, pos, val);
	default:
		return pci_user_write_config_byte(pdev, pos, val);
	}
}

u32 vfio_pci_cfg_mask(struct vfio_pci_cfg_state *cfg, unsigned int pos,
		      unsigned int width, bool write)
{
	u32 mask = 0;
	unsigned int i;

	for (i = 0; i < width; i++) {
		const struct vfio_pci_cfg_byte *m = &cfg->map[pos + i];

		mask |= (u32)(write ? m->write : m->virt) << (8 * i);
	}
	return mask;
}

int vfio_pci_cfg_default_write(struct vfio_pci_core_device *core,
			       unsigned int pos, unsigned int width, u32 val)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	u32 virt = vfio_pci_cfg_mask(cfg, pos, width, false);
	u32 write = vfio_pci_cfg_mask(cfg, pos, width, true);
	u32 hwmask = write & ~virt;
	u32 v, hw;
	int ret;

	if (write & virt) {
		v = vfio_pci_cfg_vread(core, pos, width);
		v = (v & ~(write & virt)) | (val & write & virt);
		vfio_pci_cfg_vwrite(core, pos, width, v);
	}
	if (!hwmask)
		return 0;

	/* Writing 0 to write-1-to-clear bits changes nothing: skip it. */
	if (cfg->map[pos].hook == VFIO_PCI_CFG_HOOK_W1C)
		return (val & hwmask) ?
		       vfio_pci_cfg_hw_write(core, pos, width, val & hwmask) : 0;

	ret = vfio_pci_cfg_hw_read(core, pos, width, &hw);
	if (ret)
		return ret;
	hw = (hw & ~hwmask) | (val & hwmask);
	return vfio_pci_cfg_hw_write(core, pos, width, hw);
}
