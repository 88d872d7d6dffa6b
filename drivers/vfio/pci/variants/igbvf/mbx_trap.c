// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: what the VF negotiated with its PF over the mailbox.
 *
 * The PF alone sets a VF's multicast filter, its VLAN filters, its largest
 * frame and its promiscuous modes, when the VF asks; the VF cannot read
 * them back.  So CTRL and the mailbox (VMBMEM, V2PMAILBOX) are trapped,
 * which keeps BAR0's first page out of mmap.  A request the VF posts (REQ)
 * is read from the buffer and held until the PF answers in the buffer's
 * first word; an ACK updates the log, which keeps the latest state of each
 * kind rather than the messages, so its size is fixed.  A reset (the VF's
 * RESET request, CTRL.RST, an FLR) makes the igb PF drop all of it but the
 * frame size, and the log does the same.  Reads of V2PMAILBOX reach the
 * device once and come back as read: they clear the PF's status bits,
 * which are the user's to see.
 */
#include <linux/bitfield.h>
#include <linux/string.h>
#include <linux/unaligned.h>

#include "igbvf.h"

#define IGBVF_PF_WORDS	(sizeof(struct igbvf_pf_log) / sizeof(u32))
static_assert(sizeof(struct igbvf_pf_log) == IGBVF_PF_WORDS * sizeof(u32));

static void igbvf_pf_update(struct igbvf_device *vf,
			    const struct igbvf_pf_log *log)
{
	if (!memcmp(&vf->pf, log, sizeof(*log)))
		return;
	vf->pf = *log;
	vf->pf_dirty = true;
}

/* The PF reset the VF: as its driver does, forget all but the frame size. */
static void igbvf_pf_forget(struct igbvf_device *vf)
{
	struct igbvf_pf_log log = {
		.kinds	= vf->pf.kinds & IGBVF_PF_LPE,
		.lpe	= vf->pf.lpe,
	};

	vf->pf_req_valid = false;
	igbvf_pf_update(vf, &log);
}

/* Apply a reset igbvf_reset_done() recorded; under @vf->lock. */
void igbvf_pf_sync(struct igbvf_device *vf)
{
	lockdep_assert_held(&vf->lock);
	if (READ_ONCE(vf->pf_forgot)) {
		WRITE_ONCE(vf->pf_forgot, false);
		igbvf_pf_forget(vf);
	}
}

/* The PF acknowledged request @m: the state it leaves in @log. */
static void igbvf_pf_took(struct igbvf_pf_log *log, const u32 *m)
{
	u32 info = FIELD_GET(IGBVF_MSG_INFO, m[0]), vid;

	switch (FIELD_GET(IGBVF_MSG_TYPE, m[0])) {
	case IGBVF_MSG_SET_MC:
		/* The hashes as the PF reads them: u16s from word 1 on. */
		log->kinds |= IGBVF_PF_MC;
		log->mc_count = info;
		memset(log->mc, 0, sizeof(log->mc));
		memcpy(log->mc, &m[1], min_t(u32, info, IGBVF_MC_MAX) * sizeof(u16));
		break;
	case IGBVF_MSG_SET_VLAN:
		vid = m[1] % IGBVF_VLAN_IDS;
		if (info) {
			log->vlan[vid / 32] |= BIT(vid % 32);
			log->vlan_last = vid;
		} else if (vid) {	/* the PF never removes VLAN 0 */
			log->vlan[vid / 32] &= ~BIT(vid % 32);
		}
		break;
	case IGBVF_MSG_SET_LPE:
		log->kinds |= IGBVF_PF_LPE;
		log->lpe = min_t(u32, m[1], IGBVF_LPE_MAX);
		break;
	case IGBVF_MSG_SET_PROMISC:
		log->kinds |= IGBVF_PF_PROMISC;
		log->promisc = info;
		break;
	}
}

static int igbvf_ctrl_write(struct vfio_pci_core_device *core,
			    const struct vfio_pci_core_bar_trap *trap,
			    u64 offset, unsigned int size, u64 val)
{
	struct igbvf_device *vf = to_igbvf(core);

	guard(mutex)(&vf->lock);
	igbvf_pf_sync(vf);
	if ((val << 8 * (offset - IGBVF_CTRL)) & IGBVF_CTRL_RST)
		igbvf_pf_forget(vf);
	return vfio_pci_core_bar_hw_write(core, 0, offset, size, val);
}

/* The VF posts a request (REQ): keep it until the PF answers. */
static int igbvf_v2p_write(struct vfio_pci_core_device *core,
			   const struct vfio_pci_core_bar_trap *trap,
			   u64 offset, unsigned int size, u64 val)
{
	struct igbvf_device *vf = to_igbvf(core);
	unsigned int i;
	u64 w;

	guard(mutex)(&vf->lock);
	igbvf_pf_sync(vf);
	if (offset == IGBVF_V2PMAILBOX && (val & IGBVF_MBX_REQ)) {
		for (i = 0; i < IGBVF_MBX_WORDS; i++) {
			if (vfio_pci_core_bar_hw_read(core, 0,
						      IGBVF_VMBMEM + 4 * i, 4,
						      &w))
				return -EIO;
			vf->pf_req[i] = w;
		}
		/* The PF ignores a message already answered. */
		vf->pf_req_valid = !(vf->pf_req[0] &
				     (IGBVF_MSG_ACK | IGBVF_MSG_NACK));
		if (FIELD_GET(IGBVF_MSG_TYPE, vf->pf_req[0]) == IGBVF_MSG_RESET)
			igbvf_pf_forget(vf);
	}
	return vfio_pci_core_bar_hw_write(core, 0, offset, size, val);
}

/* The VF reads the buffer: the PF's answer to the request held? */
static int igbvf_vmbmem_read(struct vfio_pci_core_device *core,
			     const struct vfio_pci_core_bar_trap *trap,
			     u64 offset, unsigned int size, u64 *val)
{
	struct igbvf_device *vf = to_igbvf(core);
	struct igbvf_pf_log log;
	u32 reply;
	int ret;

	guard(mutex)(&vf->lock);
	igbvf_pf_sync(vf);
	ret = vfio_pci_core_bar_hw_read(core, 0, offset, size, val);
	if (ret || offset != IGBVF_VMBMEM || size < 4 || !vf->pf_req_valid)
		return ret;
	reply = *val;
	if (FIELD_GET(IGBVF_MSG_TYPE, reply) !=
	    FIELD_GET(IGBVF_MSG_TYPE, vf->pf_req[0]) ||
	    !(reply & (IGBVF_MSG_ACK | IGBVF_MSG_NACK)))
		return 0;
	vf->pf_req_valid = false;
	if (reply & IGBVF_MSG_ACK) {
		log = vf->pf;
		igbvf_pf_took(&log, vf->pf_req);
		igbvf_pf_update(vf, &log);
	}
	return 0;
}

const struct vfio_pci_core_bar_trap igbvf_mbx_traps[3] = {
	{ .bar = 0, .offset = IGBVF_CTRL, .size = 4,
	  .write = igbvf_ctrl_write },
	{ .bar = 0, .offset = IGBVF_VMBMEM, .size = 4 * IGBVF_MBX_WORDS,
	  .read = igbvf_vmbmem_read },
	{ .bar = 0, .offset = IGBVF_V2PMAILBOX, .size = 4,
	  .write = igbvf_v2p_write },
};

/* Append the log unless the session's stream has it as it is. */
int igbvf_pf_save(struct igbvf_device *vf, struct vfio_pci_mig_stream *s,
		  u32 tag)
{
	const u32 *w = (const u32 *)&vf->pf;
	__le32 rec[IGBVF_PF_WORDS];
	unsigned int i;
	int ret;

	igbvf_pf_sync(vf);
	if (vf->pf_sent && !vf->pf_dirty)
		return 0;
	for (i = 0; i < IGBVF_PF_WORDS; i++)
		rec[i] = cpu_to_le32(w[i]);
	ret = vfio_pci_mig_put(s, tag, rec, sizeof(rec));
	if (!ret) {
		vf->pf_sent = true;
		vf->pf_dirty = false;
	}
	return ret;
}

/* Payload bytes igbvf_pf_save() would append. */
u32 igbvf_pf_unsent(struct igbvf_device *vf)
{
	igbvf_pf_sync(vf);
	return vf->pf_sent && !vf->pf_dirty ? 0 : sizeof(struct igbvf_pf_log);
}

/* A log the PF could have acknowledged; staged for load_end. */
int igbvf_pf_load(struct igbvf_device *vf, const void *data, u32 len)
{
	struct igbvf_pf_log log;
	u32 *w = (u32 *)&log, n, vlans = 0;
	unsigned int i;

	if (len != sizeof(log))
		return -EINVAL;
	for (i = 0; i < IGBVF_PF_WORDS; i++)
		w[i] = get_unaligned_le32((const u8 *)data + 4 * i);
	for (i = 0; i < ARRAY_SIZE(log.vlan); i++)
		vlans += hweight32(log.vlan[i]);
	n = min_t(u32, log.mc_count, IGBVF_MC_MAX);
	if (log.kinds & ~(IGBVF_PF_MC | IGBVF_PF_LPE | IGBVF_PF_PROMISC) ||
	    log.mc_count > FIELD_MAX(IGBVF_MSG_INFO) ||
	    memchr_inv((u8 *)log.mc + n * sizeof(u16), 0,
		       sizeof(log.mc) - n * sizeof(u16)) ||
	    (!(log.kinds & IGBVF_PF_MC) && log.mc_count) ||
	    log.lpe > IGBVF_LPE_MAX ||
	    (!(log.kinds & IGBVF_PF_LPE) && log.lpe) ||
	    log.promisc & ~IGBVF_PROMISC_MC ||
	    (!(log.kinds & IGBVF_PF_PROMISC) && log.promisc) ||
	    log.vlan_last >= IGBVF_VLAN_IDS || vlans > IGBVF_VLAN_MAX)
		return -EINVAL;
	vf->pf_staged = log;
	vf->pf_have_staged = true;
	return 0;
}
