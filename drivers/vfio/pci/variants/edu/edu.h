/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu-vfio-pci: live migration of QEMU's "edu" teaching device (1234:11e8).
 *
 * BAR0's registers are trapped (dma_trap.c) and move as they are (mig.c),
 * except the factorial (recomputed from the last input the trap saw) and
 * the interrupt status (raised again, last, when the destination runs).
 * The 4 KiB buffer only DMA reaches: the core's DMA shadow moves it, from
 * the DMA commands the trap sees.  Stopping waits for a DMA and a
 * factorial; stopped, register writes are dropped.
 */
#ifndef EDU_VFIO_PCI_H
#define EDU_VFIO_PCI_H

#include <linux/mutex.h>
#include <linux/vfio_pci_core.h>

#define EDU_LIVENESS	0x04
#define EDU_FACT	0x08
#define EDU_STATUS	0x20
#define   EDU_STATUS_COMPUTING	0x01
#define   EDU_STATUS_IRQFACT	0x80
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define   EDU_DMA_RUN		0x1
#define   EDU_DMA_TO_RAM	0x2
#define EDU_BUF_ADDR	0x40000
#define EDU_BUF_SIZE	4096

/* The registers' record; all little-endian. */
struct edu_regs {
	__le32 liveness;	/* as read: the complement of what was written */
	__le32 fact_in;		/* last factorial input */
	__le32 status;		/* IRQFACT bit */
	__le32 irq_status;
	__le64 dma[3];		/* src, dst, cnt */
	__le32 fact_set;
	__le32 reserved;
};

/**
 * struct edu_user - what a user leaves behind; the core zeroes it when the
 *		     next one opens the device (&vfio_pci_core_variant.open_state)
 * @stopped: register writes are dropped; also cleared lock-free by
 *	     edu_mig_reset()
 * @fact_set: @fact_in holds an input the device computed
 * @fact_in: the last factorial input
 * @irq_pending: interrupt status to raise at start; cleared lock-free by
 *		 edu_mig_reset()
 * @regs_dirty: a register write since the registers were last sent
 * @regs_loaded: resuming: @load_regs holds the stream's last registers
 * @load_regs: resuming: staging for the registers' record
 */
struct edu_user {
	bool stopped;
	bool fact_set;
	u32 fact_in;
	u32 irq_pending;
	bool regs_dirty;
	bool regs_loaded;
	struct edu_regs load_regs;
};

/**
 * struct edu_device - one edu
 * @core: the core's device, first
 * @lock: guards @u, but where noted, and serializes the DMA shadow's calls;
 *	  taken by the BAR trap and the migration callbacks, never under a
 *	  core lock
 * @u: the user's state, last
 */
struct edu_device {
	struct vfio_pci_core_device core;
	struct mutex lock;	/* see above */
	struct edu_user u;
};

static inline struct edu_device *to_edu(struct vfio_pci_core_device *core)
{
	return container_of(core, struct edu_device, core);
}

/* dma_trap.c */
int edu_trap_write(struct vfio_pci_core_device *core,
		   const struct vfio_pci_core_bar_trap *trap,
		   u64 offset, unsigned int size, u64 val);
extern const struct vfio_pci_dma_shadow_ops edu_shadow_ops;

/* mig.c */
extern const struct vfio_pci_core_mig_ops edu_mig_ops;

#endif /* EDU_VFIO_PCI_H */
