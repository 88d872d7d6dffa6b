/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlx5-vfio-pci: live migration of ConnectX VFs on vfio-pci-core.  See the
 * README in this directory for the design and what is not done yet.
 */
#ifndef __MLX5VF_H
#define __MLX5VF_H

#include <linux/vfio_pci_core.h>

#include "mlx5vf_fw.h"

/*
 * Stream records.  The firmware hands an image out in units (one, or its
 * chunks); each unit travels as its size, then its bytes in pieces, and is
 * loaded on the destination as soon as it is whole.  The stop-copy hint
 * (PRE_COPY only) lets the destination prepare its buffer early.
 */
#define MLX5VF_TAG_SIZE		1
#define MLX5VF_TAG_IMAGE	2
#define MLX5VF_TAG_HINT		3
#define MLX5VF_RECORD		SZ_256K
/* SAVE/LOAD_VHCA_STATE carry a 32-bit size: one unit is at most this. */
#define MLX5VF_IMAGE_MAX	U32_MAX
/*
 * The variant's own limit on one unit, below the firmware's: the most a
 * size record makes the destination allocate (larger: -EINVAL), and the
 * most the source takes in one SAVE (larger: -EFBIG; chunk mode keeps
 * units small).
 */
#define MLX5VF_UNIT_MAX		SZ_512M
/* The most a hint makes the destination allocate before the unit comes. */
#define MLX5VF_HINT_MAX		SZ_64M

/**
 * struct mlx5vf_device - one ConnectX VF
 * @core: the core's part
 * @fw: the firmware-facing calls
 * @fw_priv: their handle, NULL without migration
 * @nb: the PF's SR-IOV events
 * @vhca_id: the VF's function in the PF's firmware
 * @detached: the PF disabled SR-IOV: every command fails with -ENOTCONN
 * @track_id: the page tracker object (tracker.c, under the core's tracker
 *	      lock)
 * @track_page: its page size
 * @buf: the unit being saved or loaded (@buf.pages NULL: none)
 * @len: the unit's length in bytes
 * @pos: bytes of it sent or received so far
 * @next: saving: the buffer the image's next unit needs, 0 after the last
 * @left: saving: the image's bytes the firmware has not handed out yet
 * @sized: saving: the unit's size record went out
 * @inc: saving: the image holds what changed since the last one
 * @track: saving: the firmware keeps tracking changes after it
 * @first: saving: the image's first unit is still to be taken
 * @tracking: saving: PRE_COPY took a full image; changes are tracked since
 * @final: saving: the STOP_COPY image was started
 * @loaded: resuming: units loaded
 * @stale: a reset voided the session; the next callback ends it
 *
 * The session's members (from @buf on) are used only in the migration
 * callbacks, under the core's migration state lock.
 */
struct mlx5vf_device {
	struct vfio_pci_core_device core;
	const struct mlx5vf_fw_ops *fw;
	void *fw_priv;
	struct notifier_block nb;
	u16 vhca_id;
	bool detached;
	u32 track_id;
	u64 track_page;
	struct mlx5vf_buf buf;
	u64 len;
	u64 pos;
	u64 next;
	u64 left;
	bool sized;
	bool inc;
	bool track;
	bool first;
	bool tracking;
	bool final;
	unsigned int loaded;
	bool stale;
};

static inline struct mlx5vf_device *
to_mlx5vf(struct vfio_pci_core_device *core)
{
	return container_of(core, struct mlx5vf_device, core);
}

/* cmd.c: the firmware commands; 0 or a negative errno */
int mlx5vf_exec(struct mlx5vf_device *mv, void *in, int in_size, void *out,
		int out_size);
int mlx5vf_cmd_suspend(struct mlx5vf_device *mv, u16 op_mod);
int mlx5vf_cmd_resume(struct mlx5vf_device *mv, u16 op_mod);
int mlx5vf_cmd_query(struct mlx5vf_device *mv, bool inc, u64 *unit,
		     u64 *total, bool *init);
int mlx5vf_cmd_save(struct mlx5vf_device *mv, struct mlx5vf_buf *buf,
		    u64 cap, bool inc, bool track, u64 *actual, u64 *next);
int mlx5vf_cmd_load(struct mlx5vf_device *mv, struct mlx5vf_buf *buf,
		    u64 len);

/* mig.c: the arcs, buffers and the session */
extern const struct vfio_pci_core_mig_ops mlx5vf_mig_ops;
void mlx5vf_buf_free(struct mlx5vf_buf *buf);
int mlx5vf_buf_reserve(struct mlx5vf_buf *buf, u64 len);
void mlx5vf_session_end(struct mlx5vf_device *mv);
void mlx5vf_drop_stale(struct mlx5vf_device *mv);

/* mig_save.c */
int mlx5vf_save(struct vfio_pci_core_device *core,
		struct vfio_pci_mig_stream *s);
int mlx5vf_precopy(struct vfio_pci_core_device *core,
		   struct vfio_pci_mig_stream *s, bool initial);
int mlx5vf_stop_copy_size(struct vfio_pci_core_device *core, u64 *bytes);
int mlx5vf_precopy_size(struct vfio_pci_core_device *core, u64 *initial,
			u64 *dirty);

/* tracker.c */
void mlx5vf_track_init(struct mlx5vf_device *mv);

/* mig_load.c */
int mlx5vf_load(struct vfio_pci_core_device *core, u32 tag, const void *data,
		u32 len);
int mlx5vf_load_end(struct vfio_pci_core_device *core);

#endif /* __MLX5VF_H */
