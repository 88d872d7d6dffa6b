// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: a VF's view of its PF's PASID and PRI capabilities.
 *
 * PCIe puts PASID and PRI on the PF only; every VF uses the PF's settings,
 * and the IOMMU driver enables them on the PF.  A VF's user therefore finds
 * no capability telling it that the VF can be given PASIDs.  A variant that
 * knows where a VF's config space is free names an offset, and the core
 * places there virtual copies built from the PF's capabilities and what the
 * IOMMU gives the VF, linked into the VF's extended chain through the
 * config-trap machinery of cfg_trap.c.  The control registers are virtual;
 * turning them on requires the PF's to be on.
 */
#include <linux/bitfield.h>
#include <linux/iommu.h>
#include <linux/log2.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/slab.h>

#include "private.h"

#define VF_PASID_LEN	PCI_EXT_CAP_PASID_SIZEOF
#define VF_PRI_LEN	PCI_EXT_CAP_PRI_SIZEOF

/* One capability of a chain: where it starts and where it ends. */
struct vfio_pci_vf_pasid_span {
	u16 pos;
	u16 end;
};

/*
 * The capabilities of @pdev's extended chain but @skip1 and @skip2 (offsets,
 * 0 for none), each ending at its fixed length or at the next capability
 * up.  Returns how many, or -ENOMEM; *@out is the caller's to free.
 */
static int vfio_pci_vf_pasid_spans(struct pci_dev *pdev, u16 skip1, u16 skip2,
				   struct vfio_pci_vf_pasid_span **out)
{
	unsigned int limit = pdev->cfg_size, pos = PCI_CFG_SPACE_SIZE;
	unsigned int max = (limit - PCI_CFG_SPACE_SIZE) / 4, n = 0, i, j;
	struct vfio_pci_vf_pasid_span *s;
	u16 *ids;
	u32 hdr;

	s = kcalloc(max, sizeof(*s), GFP_KERNEL);
	ids = kcalloc(max, sizeof(*ids), GFP_KERNEL);
	if (!s || !ids) {
		kfree(s);
		kfree(ids);
		return -ENOMEM;
	}
	while (pos >= PCI_CFG_SPACE_SIZE && pos < limit && n < max) {
		if (pci_read_config_dword(pdev, pos, &hdr) || !hdr ||
		    hdr == ~0u)
			break;
		s[n].pos = pos;
		ids[n++] = PCI_EXT_CAP_ID(hdr);
		pos = PCI_EXT_CAP_NEXT(hdr) & ~3;
	}
	for (i = 0; i < n; i++) {
		unsigned int end = limit, len;

		for (j = 0; j < n; j++) {
			if (s[j].pos > s[i].pos && s[j].pos < end)
				end = s[j].pos;
		}
		len = vfio_pci_cfg_ecap_fixed_len(pdev, ids[i], s[i].pos);
		if (len && s[i].pos + len < end)
			end = s[i].pos + len;
		s[i].end = end;
	}
	kfree(ids);
	for (i = 0, j = 0; i < n; i++) {
		if (s[i].pos != skip1 && s[i].pos != skip2)
			s[j++] = s[i];
	}
	*out = s;
	return j;
}

/* Is [@start, @end) free in @pdev's chain (but @skip1 and @skip2)? */
static int vfio_pci_vf_pasid_chain_check(struct pci_dev *pdev,
					 unsigned int start, unsigned int end,
					 u16 skip1, u16 skip2)
{
	struct vfio_pci_vf_pasid_span *s;
	int n, i, ret = 0;

	if (pdev->cfg_size <= PCI_CFG_SPACE_SIZE)
		return -ENOSPC;
	n = vfio_pci_vf_pasid_spans(pdev, skip1, skip2, &s);
	if (n < 0)
		return n;
	for (i = 0; i < n && !ret; i++) {
		if (start >= s[i].pos && start < s[i].end)
			ret = -EBUSY;
		else if (s[i].pos > start && s[i].pos < end)
			ret = -ENOSPC;
	}
	kfree(s);
	return ret;
}

int vfio_pci_core_vf_pasid_fits(struct pci_dev *vf, u16 offset)
{
	struct pci_dev *pf;
	unsigned int end;
	u16 pf_pasid, pf_pri;
	int ret;

	if (!vf->is_virtfn || offset < PCI_CFG_SPACE_SIZE || offset % 4 ||
	    vf->cfg_size <= PCI_CFG_SPACE_SIZE)
		return -EINVAL;
	pf = pci_physfn(vf);
	pf_pasid = pci_find_ext_capability(pf, PCI_EXT_CAP_ID_PASID);
	if (!pf_pasid)
		return -ENODEV;
	pf_pri = pci_find_ext_capability(pf, PCI_EXT_CAP_ID_PRI);

	end = offset + VF_PASID_LEN + (pf_pri ? VF_PRI_LEN : 0);
	ret = vfio_pci_vf_pasid_chain_check(vf, offset, end, 0, 0);
	if (!ret)
		ret = vfio_pci_vf_pasid_chain_check(pf, offset, end, pf_pasid,
						    pf_pri);
	if (ret)
		return ret;
	if (end > vf->cfg_size || end > pf->cfg_size)
		return -ENOSPC;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_vf_pasid_fits);

/* Is @bit set in the PF's control register at @cap + @reg? */
static bool vfio_pci_vf_pasid_pf_on(struct vfio_pci_core_device *core,
				    u16 cap, unsigned int reg, u16 bit)
{
	u16 ctrl;

	if (pci_read_config_word(pci_physfn(core->pdev), cap + reg, &ctrl))
		return false;
	return ctrl != (u16)~0 && (ctrl & bit);
}

/*
 * The virtual control register at @off, whose Enable bit needs the PF's at
 * @pf_cap + @pf_reg.  Drops a stale Enable (the PF's was turned off) and
 * returns the register's value.
 */
static u16 vfio_pci_vf_pasid_ctrl(struct vfio_pci_core_device *core,
				  unsigned int off, u16 pf_cap,
				  unsigned int pf_reg, u16 enable)
{
	u16 ctrl = vfio_pci_cfg_vread(core, off, 2);

	if ((ctrl & enable) &&
	    !vfio_pci_vf_pasid_pf_on(core, pf_cap, pf_reg, enable)) {
		ctrl &= ~enable;
		vfio_pci_cfg_vwrite(core, off, 2, ctrl);
		pci_info_ratelimited(core->pdev,
				     "PF's %s turned off: the VF's virtual enable drops\n",
				     pf_reg == PCI_PASID_CTRL ? "PASID" : "PRI");
	}
	return ctrl;
}

/* The part of the 2-byte register @value that [@offset, +@size) reads. */
static u32 vfio_pci_vf_pasid_part(const struct vfio_pci_core_cfg_reg *reg,
				  unsigned int offset, unsigned int size,
				  u32 value)
{
	value >>= 8 * (offset - reg->offset);
	return size >= 2 ? value & 0xffff : value & 0xff;
}

static int vfio_pci_vf_pasid_ctrl_read(struct vfio_pci_core_device *core,
				       const struct vfio_pci_core_cfg_reg *reg,
				       unsigned int offset, unsigned int size,
				       u32 *val)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	u16 ctrl = vfio_pci_vf_pasid_ctrl(core, reg->offset, traps->pf_pasid,
					  PCI_PASID_CTRL,
					  PCI_PASID_CTRL_ENABLE);

	*val = vfio_pci_vf_pasid_part(reg, offset, size, ctrl);
	return 0;
}

/*
 * Store the user's write of [@offset, +@size) into the 2-byte control
 * register, bits @writable only; refuse (-EBUSY, nothing stored) a write
 * that sets @enable while the PF's is off.  Returns the new value in
 * *@ctrl.
 */
static int vfio_pci_vf_pasid_ctrl_store(struct vfio_pci_core_device *core,
					const struct vfio_pci_core_cfg_reg *reg,
					unsigned int offset, unsigned int size,
					u32 val, u16 writable, u16 pf_cap,
					unsigned int pf_reg, u16 enable,
					u16 *ctrl)
{
	unsigned int shift = 8 * (offset - reg->offset);
	u16 mask = (size >= 2 ? 0xffff : 0xff) << shift;
	u16 old = vfio_pci_cfg_vread(core, reg->offset, 2);
	u16 new = (old & ~(mask & writable)) | ((val << shift) & mask & writable);

	if ((new & enable) && !(old & enable) &&
	    !vfio_pci_vf_pasid_pf_on(core, pf_cap, pf_reg, enable))
		return -EBUSY;
	vfio_pci_cfg_vwrite(core, reg->offset, 2, new);
	*ctrl = new;
	return 0;
}

static int vfio_pci_vf_pasid_ctrl_write(struct vfio_pci_core_device *core,
					const struct vfio_pci_core_cfg_reg *reg,
					unsigned int offset, unsigned int size,
					u32 val)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	/* The capability register just below says what may be enabled. */
	u16 caps = vfio_pci_cfg_vread(core, reg->offset - 2, 2);
	u16 writable = PCI_PASID_CTRL_ENABLE |
		       (caps & (PCI_PASID_CAP_EXEC | PCI_PASID_CAP_PRIV));
	u16 ctrl;

	/* A stale Enable is dropped first: re-enabling needs the PF again. */
	vfio_pci_vf_pasid_ctrl(core, reg->offset, traps->pf_pasid,
			       PCI_PASID_CTRL, PCI_PASID_CTRL_ENABLE);
	return vfio_pci_vf_pasid_ctrl_store(core, reg, offset, size, val,
					    writable, traps->pf_pasid,
					    PCI_PASID_CTRL,
					    PCI_PASID_CTRL_ENABLE, &ctrl);
}

static int vfio_pci_vf_pri_ctrl_read(struct vfio_pci_core_device *core,
				     const struct vfio_pci_core_cfg_reg *reg,
				     unsigned int offset, unsigned int size,
				     u32 *val)
{
	u16 ctrl = vfio_pci_vf_pasid_ctrl(core, reg->offset,
					  core->priv->traps.pf_pri,
					  PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);

	*val = vfio_pci_vf_pasid_part(reg, offset, size, ctrl);
	return 0;
}

/* Reset only clears status bits, which stay 0 here: no request ever comes. */
static int vfio_pci_vf_pri_ctrl_write(struct vfio_pci_core_device *core,
				      const struct vfio_pci_core_cfg_reg *reg,
				      unsigned int offset, unsigned int size,
				      u32 val)
{
	u16 pf_pri = core->priv->traps.pf_pri, ctrl;

	vfio_pci_vf_pasid_ctrl(core, reg->offset, pf_pri, PCI_PRI_CTRL,
			       PCI_PRI_CTRL_ENABLE);
	return vfio_pci_vf_pasid_ctrl_store(core, reg, offset, size, val,
					    PCI_PRI_CTRL_ENABLE, pf_pri,
					    PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE,
					    &ctrl);
}

/* Stopped while disabled; the PASID-required bit is the PF's (in data). */
static int vfio_pci_vf_pri_status_read(struct vfio_pci_core_device *core,
				       const struct vfio_pci_core_cfg_reg *reg,
				       unsigned int offset, unsigned int size,
				       u32 *val)
{
	u16 ctrl = vfio_pci_vf_pasid_ctrl(core, reg->offset - 2,
					  core->priv->traps.pf_pri,
					  PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
	u16 status = vfio_pci_cfg_vread(core, reg->offset, 2) &
		     PCI_PRI_STATUS_PASID;

	if (!(ctrl & PCI_PRI_CTRL_ENABLE))
		status |= PCI_PRI_STATUS_STOPPED;
	*val = vfio_pci_vf_pasid_part(reg, offset, size, status);
	return 0;
}

/* The PASIDs the IOMMU gives the VF, as a width; 0 for none. */
static unsigned int vfio_pci_vf_pasid_width(struct pci_dev *vf)
{
	struct dev_iommu *param = vf->dev.iommu;

	if (!param || !param->max_pasids)
		return 0;
	return ilog2(param->max_pasids);
}

int vfio_pci_core_cfg_add_vf_pasid(struct vfio_pci_core_device *core,
				   u16 offset)
{
	struct vfio_pci_core_traps *traps = &core->priv->traps;
	struct pci_dev *vf = core->pdev, *pf;
	__le16 pasid[VF_PASID_LEN / 2] = {}, pri[VF_PRI_LEN / 2] = {};
	struct vfio_pci_core_cfg_cap cap = {
		.id = PCI_EXT_CAP_ID_PASID, .extended = true, .version = 1,
		.offset = offset, .len = VF_PASID_LEN, .data = pasid,
	};
	struct vfio_pci_core_cfg_reg regs[4] = {
		{ .offset = offset + PCI_PASID_CTRL, .size = 2,
		  .read = vfio_pci_vf_pasid_ctrl_read,
		  .write = vfio_pci_vf_pasid_ctrl_write },
	};
	unsigned int nregs = 1, ncaps = 0, width;
	u16 pf_pasid, pf_pri, v;
	u32 max_req;
	int features, ret;

	if (traps->frozen)
		return -EBUSY;
	if (traps->vf_pasid)
		return -EBUSY;
	ret = vfio_pci_core_vf_pasid_fits(vf, offset);
	if (ret)
		return ret;
	width = vfio_pci_vf_pasid_width(vf);
	if (!width)
		return -EOPNOTSUPP;

	pf = pci_physfn(vf);
	pf_pasid = pci_find_ext_capability(pf, PCI_EXT_CAP_ID_PASID);
	pf_pri = pci_find_ext_capability(pf, PCI_EXT_CAP_ID_PRI);
	features = pci_pasid_features(vf);
	if (features < 0)
		return -ENODEV;
	pasid[PCI_PASID_CAP / 2] =
		cpu_to_le16(features | FIELD_PREP(PCI_PASID_CAP_WIDTH, width));

	ret = vfio_pci_core_cfg_add_cap(core, &cap);
	if (ret)
		return ret;
	ncaps++;

	if (pf_pri) {
		cap = (struct vfio_pci_core_cfg_cap) {
			.id = PCI_EXT_CAP_ID_PRI, .extended = true,
			.version = 1, .offset = offset + VF_PASID_LEN,
			.len = VF_PRI_LEN, .data = pri,
		};
		pci_read_config_word(pf, pf_pri + PCI_PRI_STATUS, &v);
		pri[PCI_PRI_STATUS / 2] = cpu_to_le16(v & PCI_PRI_STATUS_PASID);
		pci_read_config_dword(pf, pf_pri + PCI_PRI_MAX_REQ, &max_req);
		pri[PCI_PRI_MAX_REQ / 2] = cpu_to_le16(max_req);
		pri[PCI_PRI_MAX_REQ / 2 + 1] = cpu_to_le16(max_req >> 16);
		ret = vfio_pci_core_cfg_add_cap(core, &cap);
		if (ret)
			goto out_drop;
		ncaps++;
		regs[nregs++] = (struct vfio_pci_core_cfg_reg) {
			.offset = cap.offset + PCI_PRI_CTRL, .size = 2,
			.read = vfio_pci_vf_pri_ctrl_read,
			.write = vfio_pci_vf_pri_ctrl_write,
		};
		regs[nregs++] = (struct vfio_pci_core_cfg_reg) {
			.offset = cap.offset + PCI_PRI_STATUS, .size = 2,
			.value = le16_to_cpu(pri[PCI_PRI_STATUS / 2]),
			.read = vfio_pci_vf_pri_status_read,
		};
		regs[nregs++] = (struct vfio_pci_core_cfg_reg) {
			.offset = cap.offset + PCI_PRI_ALLOC_REQ, .size = 4,
			.writable = ~0u,
		};
	}
	ret = vfio_pci_core_cfg_add_regs(core, regs, nregs);
	if (ret)
		goto out_drop;

	traps->vf_pasid = offset;
	traps->pf_pasid = pf_pasid;
	traps->pf_pri = pf_pri;
	return 0;

out_drop:
	vfio_pci_cfg_trap_drop_vcaps(core, ncaps);
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_cfg_add_vf_pasid);
