// SPDX-License-Identifier: GPL-2.0
/*
 * edu-vfio-pci: the trap on BAR0's registers.  It checks every DMA command
 * against the buffer, reports it to the core's DMA shadow (which logs DMA
 * to RAM as dirty) and drops every write while the device is stopped.
 */
#include "edu.h"

/* Wait for the DMA engine through the trap's accessors. */
#define edu_hw_wait_dma(core) \
	vfio_pci_core_bar_hw_wait(core, 0, EDU_DMA_CMD, 8, EDU_DMA_RUN, 500)

/* Migrated bytes the user DMAs out: the device loads them from RAM first. */
static int edu_shadow_load(struct vfio_pci_core_device *core, u64 iova,
			   u64 addr, u32 len)
{
	int ret;

	ret = vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_SRC, 8, iova);
	ret = ret ?: vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_DST, 8, addr);
	ret = ret ?: vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_CNT, 8, len);
	ret = ret ?: vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_CMD, 8,
						EDU_DMA_RUN);
	return ret ?: edu_hw_wait_dma(core);
}

const struct vfio_pci_dma_shadow_ops edu_shadow_ops = {
	.load = edu_shadow_load,
};

/* The value edu_dma_start() returns for a command the device ignores. */
#define EDU_DMA_IGNORED	1

/* A DMA command: check it whatever the device is doing, and shadow it. */
static int edu_dma_start(struct edu_device *edu, u64 cmd)
{
	struct vfio_pci_core_device *core = &edu->core;
	bool to_ram = cmd & EDU_DMA_TO_RAM;
	u64 r[4], dev, ram;	/* src, dst, cnt, cmd as the device has them */
	int i, ret;

	for (i = 0; i < 4; i++)
		if (vfio_pci_core_bar_hw_read(core, 0, EDU_DMA_SRC + 8 * i, 8,
					      &r[i]))
			return -EIO;
	dev = r[!to_ram];
	ram = r[to_ram];	/* must fit QEMU's dma_mask property */
	ret = vfio_pci_dma_shadow_check(core, dev, r[2]);
	if (ret)
		return ret;
	/*
	 * The device ignores a start while it runs; so do we, rather than let
	 * it start once the running DMA ends, after this check and unseen.
	 */
	if (r[3] & EDU_DMA_RUN)
		return EDU_DMA_IGNORED;
	if (!to_ram)
		return vfio_pci_dma_shadow_to_dev(core, ram, dev, r[2]);
	ret = vfio_pci_dma_shadow_from_dev(core, dev, ram, r[2]);
	if (ret <= 0)
		return ret;
	/* The device loaded migrated bytes: put back the user's command. */
	for (i = 0; i < 3; i++) {
		ret = vfio_pci_core_bar_hw_write(core, 0, EDU_DMA_SRC + 8 * i,
						 8, r[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int edu_trap_write(struct vfio_pci_core_device *core,
		   const struct vfio_pci_core_bar_trap *trap,
		   u64 offset, unsigned int size, u64 val)
{
	struct edu_device *edu = to_edu(core);
	u64 busy;
	int ret;

	guard(mutex)(&edu->lock);
	/* Stopped: the device must not change; drop the write. */
	if (vfio_pci_core_mig_stopped(core))
		return 0;
	if (offset == EDU_FACT && size == 4) {
		/* The device ignores it while computing; so do we. */
		ret = vfio_pci_core_bar_hw_read(core, 0, EDU_STATUS, 4, &busy);
		if (ret || (busy & EDU_STATUS_COMPUTING))
			return ret;
	} else if (offset >= EDU_DMA_SRC && offset < EDU_DMA_CMD) {
		/* Likewise the DMA registers while a DMA runs. */
		ret = vfio_pci_core_bar_hw_read(core, 0, EDU_DMA_CMD, 8, &busy);
		if (ret || (busy & EDU_DMA_RUN))
			return ret;
	} else if (offset == EDU_DMA_CMD && size >= 4 && (val & EDU_DMA_RUN)) {
		ret = edu_dma_start(edu, val);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	ret = vfio_pci_core_bar_hw_write(core, 0, offset, size, val);
	/*
	 * The device takes 4-byte writes, and 8-byte ones from the DMA
	 * registers on, each as a whole register (a 4-byte write to a DMA
	 * register zero-extends): log them so.
	 */
	if (!ret && (size == 4 || (size == 8 && offset >= EDU_DMA_SRC)))
		vfio_pci_replay_log(core, offset,
				    offset < EDU_DMA_SRC ? 4 : 8, val);
	/*
	 * A DMA out of bytes the shadow lacks: learn them as soon as they
	 * land, before the user reuses that memory.
	 */
	if (!ret && vfio_pci_dma_shadow_learning(core) && !edu_hw_wait_dma(core))
		vfio_pci_dma_shadow_settle(core);
	return ret;
}
