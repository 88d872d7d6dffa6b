/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlx5-vfio-pci: live migration of ConnectX VFs on vfio-pci-core.  See the
 * README in this directory for the design and what is not done yet.
 */
#ifndef __MLX5VF_H
#define __MLX5VF_H

#include <linux/vfio_pci_core.h>

#include "mlx5vf_fw.h"

/* Stream records: the image's size first, then the image in pieces. */
#define MLX5VF_TAG_SIZE		1
#define MLX5VF_TAG_IMAGE	2
#define MLX5VF_RECORD		SZ_256K
/* SAVE/LOAD_VHCA_STATE carry a 32-bit size: one image is at most this. */
#define MLX5VF_IMAGE_MAX	U32_MAX

/**
 * struct mlx5vf_device - one ConnectX VF
 * @core: the core's part
 * @fw: the firmware-facing calls
 * @fw_priv: their handle, NULL without migration
 * @nb: the PF's SR-IOV events
 * @vhca_id: the VF's function in the PF's firmware
 * @detached: the PF disabled SR-IOV: every command fails with -ENOTCONN
 * @buf: the image being saved or loaded (@buf.pages NULL: none)
 * @len: its length in bytes
 * @pos: bytes of it sent or received so far
 * @stale: a reset voided @buf; freed by the next callback
 *
 * @buf, @len, @pos and @stale are used only in the migration callbacks,
 * under the core's migration state lock.
 */
struct mlx5vf_device {
	struct vfio_pci_core_device core;
	const struct mlx5vf_fw_ops *fw;
	void *fw_priv;
	struct notifier_block nb;
	u16 vhca_id;
	bool detached;
	struct mlx5vf_buf buf;
	u64 len;
	u64 pos;
	bool stale;
};

static inline struct mlx5vf_device *
to_mlx5vf(struct vfio_pci_core_device *core)
{
	return container_of(core, struct mlx5vf_device, core);
}

/* cmd.c: the firmware commands; 0 or a negative errno */
int mlx5vf_cmd_suspend(struct mlx5vf_device *mv, u16 op_mod);
int mlx5vf_cmd_resume(struct mlx5vf_device *mv, u16 op_mod);
int mlx5vf_cmd_query_size(struct mlx5vf_device *mv, u64 *bytes);
int mlx5vf_cmd_save(struct mlx5vf_device *mv, struct mlx5vf_buf *buf,
		    u64 cap, u64 *actual);
int mlx5vf_cmd_load(struct mlx5vf_device *mv, struct mlx5vf_buf *buf,
		    u64 len);

/* mig.c */
extern const struct vfio_pci_core_mig_ops mlx5vf_mig_ops;
void mlx5vf_buf_free(struct mlx5vf_buf *buf);

#endif /* __MLX5VF_H */
