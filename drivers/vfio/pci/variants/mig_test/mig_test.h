/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci-mig-test: a test-only variant that migrates the RAM-backed BAR2
 * of QEMU's ivshmem-plain (1af4:1110) as if it were a GPU's memory, to move
 * real volume through the core's streaming migration.
 *
 * The state is the first "window" bytes of BAR2, cut into chunks of
 * MIG_TEST_CHUNK bytes; each record carries one chunk and its offset.
 * PRE_COPY sends every chunk, then each later pass sends the chunks whose
 * contents changed since they were sent (a 64-bit hash per chunk tells);
 * STOP_COPY sends what the destination does not have yet.
 *
 * Test hooks, in BAR0's reserved range (trapped, never reach the device):
 *   BAR0 0x40 (4)  window in MiB for the next session (0: all of BAR2)
 *   BAR0 0x44 (4)  fault: 1 aborts the session now (-ENOLINK), 2 makes the
 *		    size estimates fail with -EIO, 3 makes the next produced
 *		    part fail with -EIO, 4 makes the next pre-copy pass a
 *		    first pass again (every chunk resent, reported with
 *		    vfio_pci_mig_reinit()), 0 clears 2, 3 and 4
 *   BAR0 0x48 (4)  reads the chunk size
 * All reset at open.
 */
#ifndef __VFIO_PCI_MIG_TEST_H
#define __VFIO_PCI_MIG_TEST_H

#include <linux/vfio_pci_core.h>

#define MIG_TEST_CHUNK		SZ_256K
#define MIG_TEST_BAR		2

enum {
	MIG_TEST_FAULT_NONE,
	MIG_TEST_FAULT_ABORT,
	MIG_TEST_FAULT_ESTIMATE,
	MIG_TEST_FAULT_PRODUCE,
	MIG_TEST_FAULT_REINIT,
};

/**
 * struct mig_test_device - one ivshmem-plain
 * @core: the core's part
 * @bar_size: length of BAR2
 * @nr_chunks: chunks in BAR2
 * @window: test hook: bytes of BAR2 the next session moves (0: all)
 * @fault: test hook: MIG_TEST_FAULT_*
 * @chunk: a chunk read from the BAR or to write to it, after its offset
 * @hash: the hash of each chunk as it was sent
 * @sent: the chunks this session has sent
 * @nr_sent: their number
 * @sess_chunks: chunks of the current session's window
 * @cursor: next chunk the current pass looks at
 * @in_session: a saving session has begun
 * @in_save: its STOP_COPY part has begun
 * @load_chunks: resuming: chunks the stream's window has, 0 before its
 *		 config record
 *
 * @window and @fault are written by the trap handlers and read anywhere
 * (READ_ONCE); everything else is used only in the migration callbacks,
 * under the core's migration state lock.
 */
struct mig_test_device {
	struct vfio_pci_core_device core;
	u64 bar_size;
	u32 nr_chunks;
	u32 window;
	u32 fault;
	u8 *chunk;
	u64 *hash;
	unsigned long *sent;
	u32 nr_sent;
	u32 sess_chunks;
	u32 cursor;
	bool in_session;
	bool in_save;
	u32 load_chunks;
};

static inline struct mig_test_device *
to_mig_test(struct vfio_pci_core_device *core)
{
	return container_of(core, struct mig_test_device, core);
}

/* state.c */
extern const struct vfio_pci_core_mig_ops mig_test_mig_ops;
int mig_test_state_init(struct mig_test_device *t);
void mig_test_state_free(struct mig_test_device *t);

#endif /* __VFIO_PCI_MIG_TEST_H */
