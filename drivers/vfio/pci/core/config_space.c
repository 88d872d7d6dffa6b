// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the virtual config space of an open device.
 *
 * At open, the device's config space is copied into vconfig and a
 * permission byte map is built from the tables in config_tables.c: the
 * header, then each capability found on the device.  Capabilities without a
 * table entry are hidden by linking around them in vconfig.  Bytes outside
 * every capability (gaps some devices use for private registers) reach the
 * device for reads and writes; the bytes of a hidden capability are
 * read-only.
 *
 * This file only builds the map; config_vcfg.c reads and merges through it,
 * config_hooks.c adds the side effects, config_rw.c serves the device fd.
 */
#include <linux/slab.h>

#include "private.h"

/* Mark @len bytes at @pos with the same permission. */
static void vfio_pci_cfg_fill(struct vfio_pci_cfg_state *cfg, unsigned int pos,
			      unsigned int len, u8 virt, u8 write)
{
	unsigned int i;

	for (i = pos; i < pos + len; i++) {
		cfg->map[i] = (struct vfio_pci_cfg_byte) {
			.virt = virt,
			.write = write,
		};
	}
}

/* Apply a register table to the capability at @base of length @len. */
static void vfio_pci_cfg_apply(struct vfio_pci_cfg_state *cfg,
			       unsigned int base, unsigned int len,
			       const struct vfio_pci_cfg_reg *regs,
			       unsigned int nregs)
{
	unsigned int i, b;

	for (i = 0; i < nregs; i++) {
		const struct vfio_pci_cfg_reg *r = &regs[i];

		if (r->off + r->size > len)
			continue;
		for (b = 0; b < r->size; b++) {
			struct vfio_pci_cfg_byte *m = &cfg->map[base + r->off + b];

			m->virt = r->virt >> (8 * b);
			m->write = r->write >> (8 * b);
			m->hook = r->hook;
			m->reg_size = r->size;
			m->reg_off = b;
		}
	}
}

/* Set the bytes of a capability body according to its policy. */
static void vfio_pci_cfg_apply_cap(struct vfio_pci_core_device *core,
				   const struct vfio_pci_cfg_cap *cap,
				   unsigned int pos, unsigned int len)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	const struct vfio_pci_cfg_reg *regs;
	unsigned int nregs;

	switch (cap->policy) {
	case VFIO_PCI_CFG_RAW:
		vfio_pci_cfg_fill(cfg, pos, len, 0, 0xff);
		break;
	case VFIO_PCI_CFG_TABLE:
		vfio_pci_cfg_fill(cfg, pos, len, 0, 0);
		regs = vfio_pci_cfg_cap_regs(core->pdev, cap, pos, &nregs);
		vfio_pci_cfg_apply(cfg, pos, len, regs, nregs);
		break;
	default:
		vfio_pci_cfg_fill(cfg, pos, len, 0, 0);
		break;
	}
}

struct vfio_pci_cfg_found {
	u16 pos;
	u16 id;
};

/* End of the capability at @pos when its length is not known. */
static unsigned int vfio_pci_cfg_next_start(const struct vfio_pci_cfg_found *f,
					    unsigned int n, unsigned int pos,
					    unsigned int limit)
{
	unsigned int i, end = limit;

	for (i = 0; i < n; i++) {
		if (f[i].pos > pos && f[i].pos < end)
			end = f[i].pos;
	}
	return end;
}

static unsigned int vfio_pci_cfg_cap_len(struct pci_dev *pdev,
					 const struct vfio_pci_cfg_cap *cap,
					 const struct vfio_pci_cfg_found *f,
					 unsigned int n, unsigned int pos,
					 unsigned int limit)
{
	unsigned int len;

	if (cap->len)
		len = cap->len(pdev, pos);
	else
		len = vfio_pci_cfg_next_start(f, n, pos, limit) - pos;
	return pos + len <= limit ? len : 0;
}

/* Link the standard capability at @p after the one linked last. */
static void vfio_pci_cfg_link(struct vfio_pci_cfg_state *cfg,
			      unsigned int *prev_next, unsigned int p)
{
	cfg->vconfig[*prev_next] = p;
	cfg->vconfig[p + PCI_CAP_LIST_NEXT] = 0;
	*prev_next = p + PCI_CAP_LIST_NEXT;
}

/* Point the extended capability header at @hdr to @next. */
static void vfio_pci_cfg_set_next(struct vfio_pci_cfg_state *cfg,
				  unsigned int hdr, unsigned int next)
{
	u32 v = le32_to_cpup((__le32 *)&cfg->vconfig[hdr]);

	v = (v & 0x000fffff) | (next << 20);
	*(__le32 *)&cfg->vconfig[hdr] = cpu_to_le32(v);
}

/* Link the extended capability at @p after the one linked last (*@prev). */
static void vfio_pci_cfg_link_ext(struct vfio_pci_cfg_state *cfg,
				  unsigned int *prev, unsigned int p)
{
	if (p != *prev)
		vfio_pci_cfg_set_next(cfg, *prev, p);
	vfio_pci_cfg_set_next(cfg, p, 0);
	*prev = p;
}

/*
 * A variant's capability: its header goes in when it is linked, its body and
 * permissions (virtual, read-only) once the whole chain is walked, so that
 * nothing of the device's chain overwrites them.
 */
static void vfio_pci_cfg_vcap_link(struct vfio_pci_cfg_state *cfg,
				   const struct vfio_pci_cfg_vcap *vc,
				   unsigned int *prev)
{
	const struct vfio_pci_core_cfg_cap *c = &vc->cap;

	if (c->extended) {
		*(__le32 *)&cfg->vconfig[c->offset] =
			cpu_to_le32(c->id | (u32)c->version << 16);
		vfio_pci_cfg_link_ext(cfg, prev, c->offset);
	} else {
		cfg->vconfig[c->offset + PCI_CAP_LIST_ID] = c->id;
		vfio_pci_cfg_link(cfg, prev, c->offset);
	}
}

static void vfio_pci_cfg_vcap_body(struct vfio_pci_cfg_state *cfg,
				   const struct vfio_pci_cfg_vcap *vc)
{
	const struct vfio_pci_core_cfg_cap *c = &vc->cap;
	unsigned int hdr = c->extended ? 4 : PCI_CAP_LIST_NEXT + 1;

	memcpy(&cfg->vconfig[c->offset + hdr], (const u8 *)c->data + hdr,
	       c->len - hdr);
	vfio_pci_cfg_fill(cfg, c->offset, c->len, 0xff, 0);
}

/*
 * After the device's chain: link the variant's capabilities of this chain
 * not linked in place of a replaced one, then lay down all their bodies.
 */
static void vfio_pci_cfg_vcaps_finish(struct vfio_pci_core_device *core,
				      bool extended, unsigned long linked,
				      unsigned int *prev)
{
	const struct vfio_pci_core_traps *traps = &core->priv->traps;
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	unsigned int i;

	for (i = 0; i < traps->nvcaps; i++) {
		const struct vfio_pci_cfg_vcap *vc = &traps->vcaps[i];

		if (vc->cap.extended != extended)
			continue;
		if (!(linked & BIT(i)))
			vfio_pci_cfg_vcap_link(cfg, vc, prev);
		vfio_pci_cfg_vcap_body(cfg, vc);
	}
}

/*
 * The device's capability @id at @pos: how much of it the user sees (0:
 * hidden), and in *@vc the variant's replacement, if any.
 */
static unsigned int vfio_pci_cfg_visible_len(struct vfio_pci_core_device *core,
					     u16 id, bool extended,
					     const struct vfio_pci_cfg_cap **cap,
					     const struct vfio_pci_cfg_vcap **vc,
					     const struct vfio_pci_cfg_found *f,
					     unsigned int n, unsigned int pos,
					     unsigned int limit)
{
	*vc = NULL;
	*cap = extended ? vfio_pci_cfg_find_ecap(id) : vfio_pci_cfg_find_cap(id);
	if (vfio_pci_cfg_trap_hides(core, id, extended)) {
		*vc = vfio_pci_cfg_trap_replacement(core, id, extended);
		return 0;
	}
	if (!*cap || (*cap)->policy == VFIO_PCI_CFG_HIDE)
		return 0;
	return vfio_pci_cfg_cap_len(core->pdev, *cap, f, n, pos, limit);
}

/*
 * The standard capability list: keep what has a table, link around the rest
 * and what the variant hides, link in the variant's capabilities.
 */
static void vfio_pci_cfg_init_caps(struct vfio_pci_core_device *core)
{
	const struct vfio_pci_cfg_vcap *vcaps = core->priv->traps.vcaps;
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	struct pci_dev *pdev = core->pdev;
	struct vfio_pci_cfg_found found[48];
	unsigned int n = 0, i, prev_next = PCI_CAPABILITY_LIST;
	unsigned long linked = 0;
	u8 pos, id;
	u16 status;

	cfg->vconfig[PCI_CAPABILITY_LIST] = 0;
	pci_read_config_word(pdev, PCI_STATUS, &status);
	if (status & PCI_STATUS_CAP_LIST) {
		pci_read_config_byte(pdev, PCI_CAPABILITY_LIST, &pos);
		while (pos >= PCI_STD_HEADER_SIZEOF && n < ARRAY_SIZE(found)) {
			pos &= ~3;
			pci_read_config_byte(pdev, pos + PCI_CAP_LIST_ID, &id);
			found[n].pos = pos;
			found[n++].id = id;
			pci_read_config_byte(pdev, pos + PCI_CAP_LIST_NEXT, &pos);
		}
	}

	for (i = 0; i < n; i++) {
		const struct vfio_pci_cfg_vcap *vc;
		const struct vfio_pci_cfg_cap *cap;
		unsigned int len, p = found[i].pos;

		len = vfio_pci_cfg_visible_len(core, found[i].id, false, &cap,
					       &vc, found, n, p,
					       PCI_CFG_SPACE_SIZE);
		if (len < PCI_CAP_LIST_NEXT + 1) {
			/* Hidden: read-only, and not in the virtual chain. */
			len = vfio_pci_cfg_next_start(found, n, p,
						      PCI_CFG_SPACE_SIZE) - p;
			vfio_pci_cfg_fill(cfg, p, len, 0, 0);
			/* A replacement takes the hidden one's place. */
			if (vc && !(linked & BIT(vc - vcaps))) {
				vfio_pci_cfg_vcap_link(cfg, vc, &prev_next);
				linked |= BIT(vc - vcaps);
			}
			continue;
		}
		vfio_pci_cfg_apply_cap(core, cap, p, len);
		/* The ID is the device's; the link is ours. */
		cfg->map[p + PCI_CAP_LIST_ID] = (struct vfio_pci_cfg_byte){ };
		cfg->map[p + PCI_CAP_LIST_NEXT] =
			(struct vfio_pci_cfg_byte){ .virt = 0xff };
		vfio_pci_cfg_link(cfg, &prev_next, p);
	}
	vfio_pci_cfg_vcaps_finish(core, false, linked, &prev_next);

	status = le16_to_cpup((__le16 *)&cfg->vconfig[PCI_STATUS]);
	if (cfg->vconfig[PCI_CAPABILITY_LIST])
		status |= PCI_STATUS_CAP_LIST;
	else
		status &= ~PCI_STATUS_CAP_LIST;
	*(__le16 *)&cfg->vconfig[PCI_STATUS] = cpu_to_le16(status);
}

/*
 * The extended list always starts at 0x100.  When the capability there is
 * hidden, its header stays as a placeholder with ID and version 0 whose link
 * leads to the first visible capability; when none is visible it reads 0.
 */
static int vfio_pci_cfg_init_ecaps(struct vfio_pci_core_device *core)
{
	const struct vfio_pci_cfg_vcap *vcaps = core->priv->traps.vcaps;
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	struct pci_dev *pdev = core->pdev;
	unsigned int size = pdev->cfg_size, max, n = 0, i, prev;
	struct vfio_pci_cfg_found *found;
	unsigned int pos = PCI_CFG_SPACE_SIZE;
	unsigned long linked = 0;
	u32 hdr;

	if (size <= PCI_CFG_SPACE_SIZE)
		return 0;
	max = (size - PCI_CFG_SPACE_SIZE) / 4;
	found = kcalloc(max, sizeof(*found), GFP_KERNEL);
	if (!found)
		return -ENOMEM;
	/* Only now that the chain can be described: gaps are the device's. */
	vfio_pci_cfg_fill(cfg, PCI_CFG_SPACE_SIZE, size - PCI_CFG_SPACE_SIZE,
			  0, 0xff);

	while (pos >= PCI_CFG_SPACE_SIZE && pos < size && n < max) {
		if (pci_read_config_dword(pdev, pos, &hdr) || !hdr ||
		    hdr == ~0u)
			break;
		found[n].pos = pos;
		found[n++].id = PCI_EXT_CAP_ID(hdr);
		pos = PCI_EXT_CAP_NEXT(hdr);
	}

	prev = PCI_CFG_SPACE_SIZE;
	/* Until something is kept, 0x100 is a placeholder reading 0. */
	*(__le32 *)&cfg->vconfig[prev] = 0;
	vfio_pci_cfg_fill(cfg, prev, 4, 0xff, 0);

	for (i = 0; i < n; i++) {
		const struct vfio_pci_cfg_vcap *vc;
		const struct vfio_pci_cfg_cap *cap;
		unsigned int len, p = found[i].pos;

		len = vfio_pci_cfg_visible_len(core, found[i].id, true, &cap,
					       &vc, found, n, p, size);
		if (len < 4) {
			len = vfio_pci_cfg_next_start(found, n, p, size) - p;
			if (p != PCI_CFG_SPACE_SIZE)
				vfio_pci_cfg_fill(cfg, p, len, 0, 0);
			else if (len > 4)
				vfio_pci_cfg_fill(cfg, p + 4, len - 4, 0, 0);
			if (vc && !(linked & BIT(vc - vcaps))) {
				vfio_pci_cfg_vcap_link(cfg, vc, &prev);
				linked |= BIT(vc - vcaps);
			}
			continue;
		}
		vfio_pci_cfg_apply_cap(core, cap, p, len);
		if (p == PCI_CFG_SPACE_SIZE) {
			/* Undo the placeholder: this one is visible. */
			pci_read_config_dword(pdev, p, &hdr);
			*(__le32 *)&cfg->vconfig[p] = cpu_to_le32(hdr);
		}
		/* ID and version are the device's; the link is ours. */
		vfio_pci_cfg_fill(cfg, p, 4, 0, 0);
		cfg->map[p + 2].virt = 0xf0;
		cfg->map[p + 3].virt = 0xff;
		vfio_pci_cfg_link_ext(cfg, &prev, p);
	}
	vfio_pci_cfg_vcaps_finish(core, true, linked, &prev);
	kfree(found);
	return 0;
}

/* Values userspace sees from the start, whatever the device holds. */
static void vfio_pci_cfg_init_header(struct vfio_pci_core_device *core)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	struct pci_dev *pdev = core->pdev;
	u8 pin = cfg->vconfig[PCI_INTERRUPT_PIN];

	vfio_pci_cfg_apply(cfg, 0, PCI_STD_HEADER_SIZEOF, vfio_pci_cfg_header,
			   vfio_pci_cfg_header_nregs);
	*(__le16 *)&cfg->vconfig[PCI_VENDOR_ID] = cpu_to_le16(pdev->vendor);
	*(__le16 *)&cfg->vconfig[PCI_DEVICE_ID] = cpu_to_le16(pdev->device);

	/*
	 * VFs have no INTx, and neither has a function without a line or
	 * whose INTx is not offered (intx_quirk.c).
	 */
	if (pdev->is_virtfn || !pdev->irq || pdev->irq == IRQ_NOTCONNECTED ||
	    core->priv->irq.nointx)
		pin = 0;
	cfg->vconfig[PCI_INTERRUPT_PIN] = pin;

	/* A VF ignores the memory enable bit: keep it in vconfig. */
	if (pdev->no_command_memory)
		cfg->map[PCI_COMMAND].virt |= PCI_COMMAND_MEMORY;

	vfio_pci_cfg_init_bars(core);
}

int vfio_pci_core_config_init(struct vfio_pci_core_device *core)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;
	struct pci_dev *pdev = core->pdev;
	unsigned int pos, size = pdev->cfg_size;
	int ret;
	u32 v;

	cfg->vconfig = kzalloc(size, GFP_KERNEL);
	cfg->map = kvcalloc(size, sizeof(*cfg->map), GFP_KERNEL);
	if (!cfg->vconfig || !cfg->map) {
		vfio_pci_core_config_free(core);
		return -ENOMEM;
	}

	for (pos = 0; pos < size; pos += 4) {
		if (pci_read_config_dword(pdev, pos, &v))
			v = ~0u;
		*(__le32 *)&cfg->vconfig[pos] = cpu_to_le32(v);
	}

	/*
	 * Outside the header and every capability: the device's bytes.  The
	 * extended space stays read-only until its chain has been walked.
	 */
	vfio_pci_cfg_fill(cfg, 0, min_t(unsigned int, size, PCI_CFG_SPACE_SIZE),
			  0, 0xff);
	vfio_pci_cfg_fill(cfg, 0, PCI_STD_HEADER_SIZEOF, 0, 0);
	vfio_pci_cfg_init_header(core);
	vfio_pci_cfg_init_caps(core);
	ret = vfio_pci_cfg_init_ecaps(core);
	if (ret) {
		vfio_pci_core_config_free(core);
		return ret;
	}
	vfio_pci_cfg_trap_apply_regs(core);
	return 0;
}

void vfio_pci_core_config_free(struct vfio_pci_core_device *core)
{
	struct vfio_pci_cfg_state *cfg = &core->priv->cfg;

	kfree(cfg->vconfig);
	kvfree(cfg->map);
	cfg->vconfig = NULL;
	cfg->map = NULL;
}
