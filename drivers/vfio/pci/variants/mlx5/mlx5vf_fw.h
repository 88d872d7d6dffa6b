/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlx5-vfio-pci: the firmware-facing calls, one table.  The production
 * module fills it from mlx5_core (fw_core.c); the test build gets it from
 * the firmware double (test/fw_double.c).  The variant builds and parses the
 * command mailboxes (mlx5_ifc layouts) itself, so that code runs in both.
 */
#ifndef __MLX5VF_FW_H
#define __MLX5VF_FW_H

#include <linux/notifier.h>
#include <linux/pci.h>

/**
 * struct mlx5vf_buf - a buffer the firmware reads or writes by mkey
 * @pages: its pages
 * @npages: their number
 * @vaddr: the pages mapped contiguously for the CPU
 * @mkey: set by &mlx5vf_fw_ops.map: what SAVE/LOAD_VHCA_STATE address
 * @map_priv: what &mlx5vf_fw_ops.map keeps for unmap
 */
struct mlx5vf_buf {
	struct page **pages;
	unsigned int npages;
	void *vaddr;
	u32 mkey;
	void *map_priv;
};

/**
 * struct mlx5vf_fw_ops - how the variant reaches the PF's firmware
 * @attach: find the PF's firmware for @vf, check that the VF can migrate,
 *	    return its vhca_id and register @nb for the PF's SR-IOV events
 *	    (MLX5_PF_NOTIFY_ENABLE_VF/_DISABLE_VF).  Returns a handle for the
 *	    other calls or an ERR_PTR (-EOPNOTSUPP: no migration here).
 * @detach: undo @attach.
 * @exec: run one command: @in holds its mailbox (opcode first), @out
 *	  receives the reply.  0 or the negative errno of a failed command.
 * @map: give the firmware access to @buf: sets &mlx5vf_buf.mkey.
 * @unmap: undo @map.
 * @flr: the function was reset (an FLR): what the device does by itself,
 *	 without a command (a real device needs nothing here; the double
 *	 models it).  May be NULL.  Must not sleep.
 * @caps: what the firmware offers now: MLX5VF_FW_CAP_* bits.
 * @track_open: set up the channel the firmware's page tracker reports on
 *		(the QP whose number CREATE's reporting_qpn names) to *@qpn.
 *		NULL: no device tracker in this build.  0 or a negative errno.
 * @track_read: take at most @max page_track_report_entry entries (two
 *		big-endian u32 each) of the report the last MODIFY to
 *		REPORTING asked for, their number to *@n; *@done once the
 *		report is complete.  0 or a negative errno.
 * @track_close: undo @track_open.
 */
struct mlx5vf_fw_ops {
	void *(*attach)(struct pci_dev *vf, struct notifier_block *nb,
			u16 *vhca_id);
	void (*detach)(void *fw, struct pci_dev *vf, struct notifier_block *nb);
	int (*exec)(void *fw, void *in, int in_size, void *out, int out_size);
	int (*map)(void *fw, struct mlx5vf_buf *buf);
	void (*unmap)(void *fw, struct mlx5vf_buf *buf);
	void (*flr)(void *fw);
	u32 (*caps)(void *fw);
	int (*track_open)(void *fw, u32 *qpn);
	int (*track_read)(void *fw, __be32 *entries, unsigned int max,
			  unsigned int *n, bool *done);
	void (*track_close)(void *fw);
};

/* SAVE in chunks: QUERY with chunk, SAVE hands out next_required_umem_size */
#define MLX5VF_FW_CAP_CHUNK	BIT(0)
/* The device's page tracker (adv_virtualization's PAGE_TRACK object) */
#define MLX5VF_FW_CAP_TRACK	BIT(1)
/* QUERY reports the VHCA's migration_state (cmd_hca_cap_2.migration_state) */
#define MLX5VF_FW_CAP_MIG_STATE	BIT(2)
/* The most ranges one tracker covers (the variant asks for no more) */
#define MLX5VF_TRACK_RANGES	8
/* The report messages' size, log2 (page_track's log_msg_size): 4 KiB */
#define MLX5VF_TRACK_MSG_LOG	12

/* fw_core.c: over mlx5_core; test/fw_double.c: the double's, exported */
extern const struct mlx5vf_fw_ops mlx5vf_fw_core_ops;
extern const struct mlx5vf_fw_ops mlx5_fw_double_ops;

#endif /* __MLX5VF_FW_H */
