/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu-vfio-pci: live migration of QEMU's "edu" teaching device (1234:11e8).
 *
 * BAR0's registers are trapped (dma_trap.c) and move as the user wrote
 * them, through the core's replay log (mig.c): the factorial is recomputed
 * from its input, the interrupt status is raised again, last, when the
 * destination runs.
 * The 4 KiB buffer only DMA reaches: the core's DMA shadow moves it, from
 * the DMA commands the trap sees.  Stopping waits for a DMA and a
 * factorial; stopped (vfio_pci_core_mig_stopped()), register writes are
 * dropped.
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

/**
 * struct edu_device - one edu
 * @core: the core's device, first
 * @lock: serializes the BAR trap, the migration callbacks and their calls
 *	  into the core's DMA shadow and replay log; never taken under a core
 *	  lock
 */
struct edu_device {
	struct vfio_pci_core_device core;
	struct mutex lock;	/* see above */
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
int edu_mig_init(struct vfio_pci_core_device *core);

#endif /* EDU_VFIO_PCI_H */
