/* SPDX-License-Identifier: GPL-2.0 */
/*
 * igbvf-vfio-pci: live migration of an 82576 VF (8086:10ca).
 *
 * BAR0's RX and TX queue register pages (0x2000-0x3fff) are trapped, for
 * good: the rest of BAR0 and the MSI-X BAR stay mmap-able.  The trap learns
 * every RX buffer the user posts (from the descriptors, read by IOVA when
 * RDT moves) and feeds the core's dirty tracker (queue_trap.c).  Stopping
 * disables the queues and saves the ring and interrupt registers; starting
 * writes them back in an order the hardware accepts (mig.c).  A destination
 * VF first asks its PF for a reset over the mailbox (mbx.c), which turns
 * its pool's RX and TX back on.
 */
#ifndef IGBVF_VFIO_PCI_H
#define IGBVF_VFIO_PCI_H

#include <linux/mutex.h>
#include <linux/vfio_pci_core.h>

#define IGBVF_CTRL		0x0000
#define   IGBVF_CTRL_RST	BIT(26)
#define IGBVF_VMBMEM		0x0800
#define IGBVF_V2PMAILBOX	0x0c40
#define   IGBVF_MBX_REQ		BIT(0)
#define   IGBVF_MBX_ACK		BIT(1)
#define   IGBVF_MBX_VFU		BIT(2)
#define   IGBVF_MBX_PFSTS	BIT(4)
#define   IGBVF_MBX_PFACK	BIT(5)
#define   IGBVF_MBX_RSTD	BIT(7)
#define IGBVF_MBX_WORDS		16	/* VMBMEM: the message buffer */
#define IGBVF_EIMS		0x1524
#define IGBVF_EIMC		0x1528
#define IGBVF_EIAC		0x152c
#define IGBVF_EITR(i)		(0x1680 + 4 * (i))
#define IGBVF_IVAR0		0x1700
#define IGBVF_IVAR_MISC		0x1740

/* Queue @q's registers: RX at 0x2800, TX at 0x3800, 0x100 apart. */
#define IGBVF_NQ		2
#define IGBVF_RX(q)		(0x2800 + 0x100 * (q))
#define IGBVF_TX(q)		(0x3800 + 0x100 * (q))
#define IGBVF_DBAL		0x00
#define IGBVF_DBAH		0x04
#define IGBVF_DLEN		0x08
#define IGBVF_SRRCTL		0x0c	/* RX */
#define IGBVF_DH		0x10
#define IGBVF_TXCTL		0x14	/* TX */
#define IGBVF_DT		0x18
#define IGBVF_DCTL		0x28
#define   IGBVF_DCTL_ENABLE	BIT(25)
#define IGBVF_TDWBAL		0x38
#define IGBVF_TDWBAH		0x3c
#define IGBVF_TRAP_START	0x2000
#define IGBVF_TRAP_END		0x4000

/* The most descriptors a tracked RX ring holds (the 82576's largest ring). */
#define IGBVF_RING_MAX		4096

/* VF -> PF mailbox messages (the PF driver's protocol). */
#define IGBVF_MSG_RESET		0x01
#define IGBVF_MSG_SET_MC	0x03	/* info: count; then the hashes */
#define IGBVF_MSG_SET_VLAN	0x04	/* info: add; word 1: the VLAN ID */
#define IGBVF_MSG_SET_LPE	0x05	/* word 1: the largest frame */
#define IGBVF_MSG_SET_PROMISC	0x06	/* info: the modes */
#define IGBVF_MSG_TYPE		GENMASK(15, 0)
#define IGBVF_MSG_INFO		GENMASK(23, 16)
#define IGBVF_MSG_ACK		BIT(31)
#define IGBVF_MSG_NACK		BIT(30)
#define IGBVF_PROMISC_MC	0x02	/* the one mode the igb PF takes */

/* The PF's limits: 30 hashes, 32 VLAN filters (VLVF), RLPML's largest. */
#define IGBVF_MC_MAX		30
#define IGBVF_VLAN_MAX		32
#define IGBVF_LPE_MAX		0x3f00
#define IGBVF_VLAN_IDS		4096

/*
 * What the VF negotiated with its PF, the latest of each kind, as the
 * stream carries it (every member a u32): which kinds were set
 * (IGBVF_PF_*), the multicast count the VF sent and its hashes as the
 * message packs them (two a word), the largest frame, the promiscuous
 * modes, the VLAN added last and the VLANs the VF belongs to.
 */
enum { IGBVF_PF_MC = BIT(0), IGBVF_PF_LPE = BIT(1), IGBVF_PF_PROMISC = BIT(2) };

struct igbvf_pf_log {
	u32 kinds;
	u32 mc_count;
	u32 mc[IGBVF_MC_MAX / 2];
	u32 lpe;
	u32 promisc;
	u32 vlan_last;
	u32 vlan[IGBVF_VLAN_IDS / 32];
};

static inline bool igbvf_vlan_has(const struct igbvf_pf_log *log, u32 vid)
{
	return vid < IGBVF_VLAN_IDS && log->vlan[vid / 32] & BIT(vid % 32);
}

/*
 * The registers that move (igbvf_reg_off()): the interrupt registers, then
 * per queue its RX and its TX registers, each in the order start writes
 * them back, the enables last.
 */
enum {
	IGBVF_R_EITR0, IGBVF_R_EITR1, IGBVF_R_EITR2, IGBVF_R_IVAR0,
	IGBVF_R_IVAR_MISC, IGBVF_R_EIAC, IGBVF_R_EIMS,
	IGBVF_R_QUEUE,
};

enum {
	IGBVF_Q_RDBAL, IGBVF_Q_RDBAH, IGBVF_Q_RDLEN, IGBVF_Q_SRRCTL,
	IGBVF_Q_RDH, IGBVF_Q_RDT, IGBVF_Q_RXDCTL,
	IGBVF_Q_TDBAL, IGBVF_Q_TDBAH, IGBVF_Q_TDLEN, IGBVF_Q_TXCTL,
	IGBVF_Q_TDWBAL, IGBVF_Q_TDWBAH, IGBVF_Q_TDH, IGBVF_Q_TDT,
	IGBVF_Q_TXDCTL,
	IGBVF_Q_NR,
};

#define IGBVF_R_NR		(IGBVF_R_QUEUE + IGBVF_NQ * IGBVF_Q_NR)
#define IGBVF_RQ(q, i)		(IGBVF_R_QUEUE + IGBVF_Q_NR * (q) + (i))

/* One RX slot as the user posted it: the descriptor's read format. */
struct igbvf_posted {
	__le64 pkt;
	__le64 hdr;
};

#define IGBVF_SLOT_LONGS	BITS_TO_LONGS(IGBVF_RING_MAX)

/* The largest record: a run of a whole ring's posted slots. */
#define IGBVF_RECORD_MAX	(8 + IGBVF_RING_MAX * sizeof(struct igbvf_posted))

/**
 * struct igbvf_device - one VF
 * @core: the core's device, first
 * @lock: serializes the trap, the migration callbacks and the posted table;
 *	  never taken under a core lock
 * @posted: per queue, the RX descriptors as posted (IGBVF_RING_MAX each)
 * @reg: the saved registers (see igbvf_reg_off()): valid while stopped,
 *	 where the trap keeps the user's writes, and after a load
 * @unsent: per queue, the @posted slots the saving session has not sent
 *	    since they last changed
 * @pass_slots: per queue, the RX ring's descriptors in the register
 *		snapshot of the pre-copy pass under way
 * @in_session: a saving session is under way (@unsent is meaningful)
 * @pre_regs: the pre-copy pass under way has appended its snapshot
 * @first_done: the session's first pre-copy pass is over
 * @final_regs: STOP_COPY has appended the registers stop saved
 * @have_regs: the stream being resumed carried registers (a snapshot or
 *	       the final ones)
 * @loaded: ... and the final ones
 * @pf_forgot: the function was reset: its PF dropped what it negotiated
 *	       (set where no lock may be taken; @pf is cleared under @lock)
 * @pf: what the VF negotiated with its PF (mbx_trap.c)
 * @pf_req: the request the VF last posted, until the PF answers it
 * @pf_staged: resuming: the stream's negotiated state
 * @pf_req_valid: @pf_req waits for the PF's answer
 * @pf_dirty: @pf changed since the saving session last sent it
 * @pf_sent: the saving session sent @pf
 * @pf_have_staged: @pf_staged holds the stream's
 */
struct igbvf_device {
	struct vfio_pci_core_device core;
	struct mutex lock;	/* see above */
	struct igbvf_posted *posted[IGBVF_NQ];
	/* per user, from here on: zeroed at open */
	u32 reg[IGBVF_R_NR];
	unsigned long unsent[IGBVF_NQ][IGBVF_SLOT_LONGS];
	u32 pass_slots[IGBVF_NQ];
	bool in_session;
	bool pre_regs;
	bool first_done;
	bool final_regs;
	bool have_regs;
	bool loaded;
	bool pf_forgot;
	struct igbvf_pf_log pf;
	u32 pf_req[IGBVF_MBX_WORDS];
	struct igbvf_pf_log pf_staged;
	bool pf_req_valid;
	bool pf_dirty;
	bool pf_sent;
	bool pf_have_staged;
};

static inline struct igbvf_device *to_igbvf(struct vfio_pci_core_device *core)
{
	return container_of(core, struct igbvf_device, core);
}

/* queue_trap.c */
extern const struct vfio_pci_core_bar_trap igbvf_queue_trap;
u32 igbvf_reg_off(unsigned int i);
u32 igbvf_ring_len(const u32 *qreg, bool tx);
void igbvf_mark_all(struct igbvf_device *vf, const u32 *reg);

/* mig.c */
int igbvf_mig_init(struct vfio_pci_core_device *core);
void igbvf_read_regs(void __iomem *io, u32 *reg, bool dctl);

/* stream.c */
int igbvf_save(struct vfio_pci_core_device *core,
	       struct vfio_pci_mig_stream *s);
int igbvf_precopy(struct vfio_pci_core_device *core,
		  struct vfio_pci_mig_stream *s, bool initial);
void igbvf_save_end(struct vfio_pci_core_device *core);
int igbvf_precopy_size(struct vfio_pci_core_device *core, u64 *initial,
		       u64 *dirty);
int igbvf_load(struct vfio_pci_core_device *core, u32 tag, const void *data,
	       u32 len);

/* mbx.c */
int igbvf_mbx_reset(void __iomem *io);
int igbvf_mbx_replay(void __iomem *io, const struct igbvf_pf_log *log);

/* mbx_trap.c */
extern const struct vfio_pci_core_bar_trap igbvf_mbx_traps[3];
void igbvf_pf_sync(struct igbvf_device *vf);
int igbvf_pf_save(struct igbvf_device *vf, struct vfio_pci_mig_stream *s,
		  u32 tag);
u32 igbvf_pf_unsent(struct igbvf_device *vf);
int igbvf_pf_load(struct igbvf_device *vf, const void *data, u32 len);

#endif /* IGBVF_VFIO_PCI_H */
