// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: config-space traps declared by a variant.
 *
 * At probe the variant declares virtual registers, virtual capabilities and
 * hidden capability IDs; they are checked here against the device's
 * capability chains as they are at that time and kept in core->priv->traps.
 * config_space.c applies them at every open: hidden and replaced
 * capabilities are linked around, virtual ones linked in, and the bytes of
 * each virtual register are marked VFIO_PCI_CFG_HOOK_TRAP so that the access
 * path comes back here.
 */
#include <linux/pci.h>
#include <linux/slab.h>

#include "private.h"

/* A capability of the device: where it starts and where it ends. */
struct vfio_pci_cfg_span {
	u16 pos;
	u16 end;
	u16 id;
};

static int vfio_pci_cfg_trap_writable(struct vfio_pci_core_device *core)
{
	return core->priv->traps.frozen ? -EBUSY : 0;
}

static bool vfio_pci_cfg_overlap(unsigned int a, unsigned int alen,
				 unsigned int b, unsigned int blen)
{
	return a < b + blen && b < a + alen;
}

/* Where the chain ends: the standard or the whole config space. */
static unsigned int vfio_pci_cfg_space_end(struct vfio_pci_core_device *core,
					   bool extended)
{
	return extended ? core->pdev->cfg_size : PCI_CFG_SPACE_SIZE;
}

/*
 * The length the specification fixes for extended capability @id at @pos,
 * 0 when it does not.  AER counts up to the end of its TLP prefix log.
 */
unsigned int vfio_pci_cfg_ecap_fixed_len(struct pci_dev *pdev, u16 id,
					 unsigned int pos)
{
	u32 hdr;

	switch (id) {
	case PCI_EXT_CAP_ID_ERR:
		return 0x48;
	case PCI_EXT_CAP_ID_ARI:
		return PCI_EXT_CAP_ARI_SIZEOF;
	case PCI_EXT_CAP_ID_ATS:
		return PCI_EXT_CAP_ATS_SIZEOF;
	case PCI_EXT_CAP_ID_PRI:
		return PCI_EXT_CAP_PRI_SIZEOF;
	case PCI_EXT_CAP_ID_PASID:
		return PCI_EXT_CAP_PASID_SIZEOF;
	case PCI_EXT_CAP_ID_SRIOV:
		return PCI_EXT_CAP_SRIOV_SIZEOF;
	case PCI_EXT_CAP_ID_DSN:
		return PCI_EXT_CAP_DSN_SIZEOF;
	case PCI_EXT_CAP_ID_LTR:
		return PCI_EXT_CAP_LTR_SIZEOF;
	case PCI_EXT_CAP_ID_PWR:
		return PCI_EXT_CAP_PWR_SIZEOF;
	case PCI_EXT_CAP_ID_VNDR:
	case PCI_EXT_CAP_ID_DVSEC:
		if (pci_read_config_dword(pdev, pos + PCI_VNDR_HEADER, &hdr))
			return 0;
		return PCI_VNDR_HEADER_LEN(hdr);
	}
	return 0;
}

/*
 * The device's capabilities in one chain, each ending at the next one or at
 * the length the core's table gives it.  Returns how many, or -ENOMEM;
 * *@out is to be freed by the caller.
 */
static int vfio_pci_cfg_hw_spans(struct vfio_pci_core_device *core,
				 bool extended, struct vfio_pci_cfg_span **out)
{
	struct pci_dev *pdev = core->pdev;
	unsigned int limit = vfio_pci_cfg_space_end(core, extended);
	unsigned int max = extended ? (limit - PCI_CFG_SPACE_SIZE) / 4 : 48;
	struct vfio_pci_cfg_span *s;
	unsigned int n = 0, i, j, pos;
	u16 status;
	u32 hdr;
	u8 b;

	*out = NULL;
	if (extended && limit <= PCI_CFG_SPACE_SIZE)
		return 0;
	s = kcalloc(max, sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;

	if (extended) {
		pos = PCI_CFG_SPACE_SIZE;
		while (pos >= PCI_CFG_SPACE_SIZE && pos < limit && n < max) {
			if (pci_read_config_dword(pdev, pos, &hdr) || !hdr ||
			    hdr == ~0u)
				break;
			s[n].pos = pos;
			s[n++].id = PCI_EXT_CAP_ID(hdr);
			pos = PCI_EXT_CAP_NEXT(hdr) & ~3;
		}
	} else {
		pci_read_config_word(pdev, PCI_STATUS, &status);
		pos = 0;
		if (status & PCI_STATUS_CAP_LIST) {
			pci_read_config_byte(pdev, PCI_CAPABILITY_LIST, &b);
			pos = b & ~3;
		}
		while (pos >= PCI_STD_HEADER_SIZEOF && n < max) {
			pci_read_config_byte(pdev, pos + PCI_CAP_LIST_ID, &b);
			s[n].pos = pos;
			s[n++].id = b;
			pci_read_config_byte(pdev, pos + PCI_CAP_LIST_NEXT, &b);
			pos = b & ~3;
		}
	}

	for (i = 0; i < n; i++) {
		const struct vfio_pci_cfg_cap *cap = extended ?
			vfio_pci_cfg_find_ecap(s[i].id) :
			vfio_pci_cfg_find_cap(s[i].id);
		unsigned int end = limit, len;

		for (j = 0; j < n; j++) {
			if (s[j].pos > s[i].pos && s[j].pos < end)
				end = s[j].pos;
		}
		len = cap && cap->len ? cap->len(pdev, s[i].pos) : 0;
		/* Without the core's own length, the specification's. */
		if (!len && extended)
			len = vfio_pci_cfg_ecap_fixed_len(pdev, s[i].id,
							  s[i].pos);
		if (len && s[i].pos + len < end)
			end = s[i].pos + len;
		s[i].end = end;
	}
	*out = s;
	return n;
}

bool vfio_pci_cfg_trap_hides(struct vfio_pci_core_device *core, u16 id,
			     bool extended)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	unsigned int i;

	for (i = 0; i < traps->nhidden; i++) {
		if (traps->hidden[i].id == id &&
		    traps->hidden[i].extended == extended)
			return true;
	}
	return false;
}

const struct vfio_pci_cfg_vcap *
vfio_pci_cfg_trap_replacement(struct vfio_pci_core_device *core, u16 id,
			      bool extended)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	unsigned int i;

	for (i = 0; i < traps->nvcaps; i++) {
		const struct vfio_pci_cfg_vcap *vc = &traps->vcaps[i];

		if (vc->replace && vc->cap.id == id &&
		    vc->cap.extended == extended)
			return vc;
	}
	return NULL;
}

/* Does the user see the device's capability @id (if the device has it)? */
static bool vfio_pci_cfg_hw_visible(struct vfio_pci_core_device *core, u16 id,
				    bool extended)
{
	const struct vfio_pci_cfg_cap *cap = extended ?
		vfio_pci_cfg_find_ecap(id) : vfio_pci_cfg_find_cap(id);

	return cap && cap->policy != VFIO_PCI_CFG_HIDE &&
	       !vfio_pci_cfg_trap_hides(core, id, extended);
}

static unsigned int vfio_pci_cfg_hdr_len(bool extended)
{
	return extended ? 4 : PCI_CAP_LIST_NEXT + 1;
}

/*
 * May [@pos, @pos + @len) become the variant's?  @header: it is a virtual
 * capability (which must not overlap any visible capability), otherwise a
 * register (which must only keep off capability headers).
 */
static int vfio_pci_cfg_trap_place(struct vfio_pci_core_device *core,
				   unsigned int pos, unsigned int len,
				   bool extended, bool header)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	unsigned int hlen = vfio_pci_cfg_hdr_len(extended);
	struct vfio_pci_cfg_span *s;
	int n, i, ret = 0;

	/* The extended chain's head is always the core's (or a vcap's). */
	if (!header && extended && pos < PCI_CFG_SPACE_SIZE + 4)
		return -EINVAL;

	for (i = 0; i < traps->nvcaps; i++) {
		const struct vfio_pci_core_cfg_cap *c = &traps->vcaps[i].cap;

		if (c->extended != extended)
			continue;
		if (header && vfio_pci_cfg_overlap(pos, len, c->offset, c->len))
			return -EBUSY;
		if (!header && vfio_pci_cfg_overlap(pos, len, c->offset, hlen))
			return -EINVAL;
	}

	n = vfio_pci_cfg_hw_spans(core, extended, &s);
	if (n < 0)
		return n;
	for (i = 0; i < n && !ret; i++) {
		if (!vfio_pci_cfg_hw_visible(core, s[i].id, extended))
			continue;
		if (header && vfio_pci_cfg_overlap(pos, len, s[i].pos,
						   s[i].end - s[i].pos))
			ret = -EBUSY;
		if (!header && vfio_pci_cfg_overlap(pos, len, s[i].pos, hlen))
			ret = -EINVAL;
	}
	kfree(s);
	return ret;
}

static int vfio_pci_cfg_trap_add_vcap(struct vfio_pci_core_device *core,
				      const struct vfio_pci_core_cfg_cap *cap,
				      bool replace)
{
	struct vfio_pci_core_traps *traps = &core->priv->traps;
	unsigned int hlen = vfio_pci_cfg_hdr_len(cap->extended);
	unsigned int start = cap->extended ? PCI_CFG_SPACE_SIZE :
					     PCI_STD_HEADER_SIZEOF;
	unsigned int end = vfio_pci_cfg_space_end(core, cap->extended);
	struct vfio_pci_cfg_vcap *vcaps;
	void *data;
	unsigned int i;
	int ret;

	if (traps->nvcaps >= VFIO_PCI_CFG_MAX_VCAPS)
		return -ENOSPC;
	if (end <= start || cap->offset < start || cap->offset % 4 ||
	    cap->len < hlen || cap->len > end - cap->offset)
		return -EINVAL;
	if (cap->extended ? cap->version > 0xf : cap->id > 0xff)
		return -EINVAL;

	ret = vfio_pci_cfg_trap_place(core, cap->offset, cap->len,
				      cap->extended, true);
	if (ret)
		return ret;
	/* Registers already declared must keep off its header. */
	for (i = 0; i < traps->nregs; i++) {
		if (vfio_pci_cfg_overlap(traps->regs[i].offset,
					 traps->regs[i].size, cap->offset, hlen))
			return -EBUSY;
	}

	data = cap->data ? kmemdup(cap->data, cap->len, GFP_KERNEL) :
			   kzalloc(cap->len, GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	vcaps = krealloc_array(traps->vcaps, traps->nvcaps + 1, sizeof(*vcaps),
			       GFP_KERNEL);
	if (!vcaps) {
		kfree(data);
		return -ENOMEM;
	}
	traps->vcaps = vcaps;
	vcaps[traps->nvcaps].cap = *cap;
	vcaps[traps->nvcaps].cap.data = data;
	vcaps[traps->nvcaps].replace = replace;
	traps->nvcaps++;
	return 0;
}

int vfio_pci_core_cfg_add_cap(struct vfio_pci_core_device *core,
			      const struct vfio_pci_core_cfg_cap *cap)
{
	int ret = vfio_pci_cfg_trap_writable(core);

	return ret ?: vfio_pci_cfg_trap_add_vcap(core, cap, false);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_cfg_add_cap);

/* Undo the last @n vfio_pci_core_cfg_add_cap() (cfg_pasid.c's all-or-none). */
void vfio_pci_cfg_trap_drop_vcaps(struct vfio_pci_core_device *core,
				  unsigned int n)
{
	struct vfio_pci_core_traps *traps = &core->priv->traps;

	while (n-- && traps->nvcaps)
		kfree(traps->vcaps[--traps->nvcaps].cap.data);
}

int vfio_pci_core_cfg_hide_cap(struct vfio_pci_core_device *core, u16 id,
			       bool extended)
{
	struct vfio_pci_core_traps *traps = &core->priv->traps;
	struct vfio_pci_cfg_hidden *hidden;
	int ret = vfio_pci_cfg_trap_writable(core);

	if (ret)
		return ret;
	if (vfio_pci_cfg_trap_hides(core, id, extended))
		return 0;
	hidden = krealloc_array(traps->hidden, traps->nhidden + 1,
				sizeof(*hidden), GFP_KERNEL);
	if (!hidden)
		return -ENOMEM;
	traps->hidden = hidden;
	hidden[traps->nhidden].id = id;
	hidden[traps->nhidden].extended = extended;
	traps->nhidden++;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_cfg_hide_cap);

int vfio_pci_core_cfg_replace_cap(struct vfio_pci_core_device *core,
				  const struct vfio_pci_core_cfg_cap *cap)
{
	struct vfio_pci_core_traps *traps = &core->priv->traps;
	struct vfio_pci_core_cfg_cap where = *cap;
	bool was_hidden;
	int ret = vfio_pci_cfg_trap_writable(core);

	if (ret)
		return ret;
	if (vfio_pci_cfg_trap_replacement(core, cap->id, cap->extended))
		return -EBUSY;

	if (!where.offset) {
		struct vfio_pci_cfg_span *s;
		int n, i;

		n = vfio_pci_cfg_hw_spans(core, cap->extended, &s);
		if (n < 0)
			return n;
		for (i = 0; i < n && !where.offset; i++) {
			if (s[i].id == cap->id)
				where.offset = s[i].pos;
		}
		kfree(s);
		if (!where.offset)
			return -ENOENT;
	}

	was_hidden = vfio_pci_cfg_trap_hides(core, cap->id, cap->extended);
	ret = vfio_pci_core_cfg_hide_cap(core, cap->id, cap->extended);
	if (ret)
		return ret;
	ret = vfio_pci_cfg_trap_add_vcap(core, &where, true);
	if (ret && !was_hidden)
		traps->nhidden--;
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_cfg_replace_cap);

/* Header registers the core keeps for itself. */
static bool vfio_pci_cfg_core_owned(unsigned int pos, unsigned int len)
{
	return vfio_pci_cfg_overlap(pos, len, PCI_COMMAND, 4) ||
	       vfio_pci_cfg_overlap(pos, len, PCI_BASE_ADDRESS_0,
				    PCI_BASE_ADDRESS_5 + 4 - PCI_BASE_ADDRESS_0) ||
	       vfio_pci_cfg_overlap(pos, len, PCI_ROM_ADDRESS, 4) ||
	       vfio_pci_cfg_overlap(pos, len, PCI_CAPABILITY_LIST, 1);
}

/* Registers of the core's tables whose writes the core acts on. */
static bool vfio_pci_cfg_hooked(u8 hook)
{
	return hook != VFIO_PCI_CFG_HOOK_NONE && hook != VFIO_PCI_CFG_HOOK_W1C &&
	       hook != VFIO_PCI_CFG_HOOK_TRAP;
}

/*
 * Does [@pos, @pos + @len) cover a register of a visible capability that
 * the core acts on (PMCSR, DEVCTL with its FLR bit, AF control, MSI flags,
 * MSI-X control)?  A trap there would silently take the core's place, so
 * it is refused; a variant that needs one replaces the whole capability.
 */
static int vfio_pci_cfg_trap_core_hooked(struct vfio_pci_core_device *core,
					 unsigned int pos, unsigned int len,
					 bool extended)
{
	struct pci_dev *pdev = core->pdev;
	struct vfio_pci_cfg_span *s;
	int n, i, ret = 0;

	n = vfio_pci_cfg_hw_spans(core, extended, &s);
	if (n < 0)
		return n;
	for (i = 0; i < n && !ret; i++) {
		const struct vfio_pci_cfg_cap *cap = extended ?
			vfio_pci_cfg_find_ecap(s[i].id) :
			vfio_pci_cfg_find_cap(s[i].id);
		const struct vfio_pci_cfg_reg *regs;
		unsigned int nregs, j;

		if (!vfio_pci_cfg_hw_visible(core, s[i].id, extended))
			continue;
		if (!extended && s[i].id == PCI_CAP_ID_MSIX &&
		    vfio_pci_cfg_overlap(pos, len, s[i].pos + PCI_MSIX_FLAGS, 2))
			ret = -EINVAL;
		if (!cap || cap->policy != VFIO_PCI_CFG_TABLE)
			continue;
		regs = vfio_pci_cfg_cap_regs(pdev, cap, s[i].pos, &nregs);
		for (j = 0; j < nregs && !ret; j++) {
			if (vfio_pci_cfg_hooked(regs[j].hook) &&
			    vfio_pci_cfg_overlap(pos, len, s[i].pos + regs[j].off,
						 regs[j].size))
				ret = -EINVAL;
		}
	}
	kfree(s);
	return ret;
}

static int vfio_pci_cfg_check_reg(struct vfio_pci_core_device *core,
				  const struct vfio_pci_core_cfg_reg *r,
				  const struct vfio_pci_core_cfg_reg *batch,
				  unsigned int nbatch)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	unsigned int i;
	bool ext;
	int ret;

	if ((r->size != 1 && r->size != 2 && r->size != 4) ||
	    r->offset % r->size || r->offset >= core->pdev->cfg_size ||
	    r->size > core->pdev->cfg_size - r->offset)
		return -EINVAL;
	if (vfio_pci_cfg_core_owned(r->offset, r->size))
		return -EINVAL;

	ext = r->offset >= PCI_CFG_SPACE_SIZE;
	ret = vfio_pci_cfg_trap_place(core, r->offset, r->size, ext, false);
	if (ret)
		return ret;
	ret = vfio_pci_cfg_trap_core_hooked(core, r->offset, r->size, ext);
	if (ret)
		return ret;

	for (i = 0; i < traps->nregs; i++) {
		if (vfio_pci_cfg_overlap(r->offset, r->size,
					 traps->regs[i].offset,
					 traps->regs[i].size))
			return -EBUSY;
	}
	for (i = 0; i < nbatch; i++) {
		if (vfio_pci_cfg_overlap(r->offset, r->size, batch[i].offset,
					 batch[i].size))
			return -EBUSY;
	}
	return 0;
}

int vfio_pci_core_cfg_add_regs(struct vfio_pci_core_device *core,
			       const struct vfio_pci_core_cfg_reg *regs,
			       unsigned int n)
{
	struct vfio_pci_core_traps *traps = &core->priv->traps;
	struct vfio_pci_core_cfg_reg *all;
	unsigned int i;
	int ret = vfio_pci_cfg_trap_writable(core);

	if (ret)
		return ret;
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		ret = vfio_pci_cfg_check_reg(core, &regs[i], regs, i);
		if (ret)
			return ret;
	}

	all = krealloc_array(traps->regs, traps->nregs + n, sizeof(*all),
			     GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	memcpy(&all[traps->nregs], regs, n * sizeof(*regs));
	traps->regs = all;
	traps->nregs += n;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_cfg_add_regs);

/* At open, after the capabilities: the registers' values and permissions. */
void vfio_pci_cfg_trap_apply_regs(struct vfio_pci_core_device *core)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	unsigned int i, b;

	for (i = 0; i < traps->nregs; i++) {
		const struct vfio_pci_core_cfg_reg *r = &traps->regs[i];

		vfio_pci_cfg_vwrite(core, r->offset, r->size, r->value);
		for (b = 0; b < r->size; b++) {
			cfg->map[r->offset + b] = (struct vfio_pci_cfg_byte) {
				.virt = 0xff,
				.write = r->writable >> (8 * b),
				.hook = VFIO_PCI_CFG_HOOK_TRAP,
				.reg_size = r->size,
				.reg_off = b,
			};
		}
	}
}

static const struct vfio_pci_core_cfg_reg *
vfio_pci_cfg_trap_find(struct vfio_pci_core_device *core, unsigned int pos)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	unsigned int i;

	for (i = 0; i < traps->nregs; i++) {
		if (pos >= traps->regs[i].offset &&
		    pos < traps->regs[i].offset + traps->regs[i].size)
			return &traps->regs[i];
	}
	return NULL;
}

/* *@val holds the virtual value of the piece; a handler may replace it. */
int vfio_pci_cfg_trap_read(struct vfio_pci_core_device *core,
			   unsigned int pos, unsigned int width, u32 *val)
{
	const struct vfio_pci_core_cfg_reg *r = vfio_pci_cfg_trap_find(core, pos);

	int ret;

	if (!r || !r->read)
		return 0;
	ret = r->read(core, r, pos, width, val);
	/* Only 0 or an errno: a count here would be taken for bytes done. */
	return ret > 0 ? -EIO : ret;
}

int vfio_pci_cfg_trap_write(struct vfio_pci_core_device *core,
			    unsigned int pos, unsigned int width, u32 val)
{
	const struct vfio_pci_core_cfg_reg *r = vfio_pci_cfg_trap_find(core, pos);
	int ret;

	/* Every bit is virtual: this stores the writable ones, nothing more. */
	ret = vfio_pci_cfg_default_write(core, pos, width, val);
	if (ret || !r || !r->write)
		return ret;
	ret = r->write(core, r, pos, width, val);
	return ret > 0 ? -EIO : ret;
}

static int vfio_pci_cfg_hw_check(struct vfio_pci_core_device *core,
				 unsigned int offset, unsigned int size)
{
	if ((size != 1 && size != 2 && size != 4) || offset % size ||
	    offset >= core->pdev->cfg_size)
		return -EINVAL;
	return 0;
}

int vfio_pci_core_cfg_hw_read(struct vfio_pci_core_device *core,
			      unsigned int offset, unsigned int size, u32 *val)
{
	int ret = vfio_pci_cfg_hw_check(core, offset, size);

	return ret ?: vfio_pci_cfg_dev_read(core->pdev, false, offset, size,
					   val);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_cfg_hw_read);

int vfio_pci_core_cfg_hw_write(struct vfio_pci_core_device *core,
			       unsigned int offset, unsigned int size, u32 val)
{
	int ret = vfio_pci_cfg_hw_check(core, offset, size);

	return ret ?: vfio_pci_cfg_hw_write(core, offset, size, val);
}
EXPORT_SYMBOL_GPL(vfio_pci_core_cfg_hw_write);
