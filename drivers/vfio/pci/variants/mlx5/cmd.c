// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: the firmware's migration commands, built and parsed here
 * and run through &mlx5vf_fw_ops.exec.  Each addresses the VF by its
 * vhca_id; the PF executes it.
 */
#include <linux/mlx5/device.h>

#include "mlx5vf.h"

static int mlx5vf_exec(struct mlx5vf_device *mv, void *in, int in_size,
		       void *out, int out_size)
{
	if (READ_ONCE(mv->detached))
		return -ENOTCONN;
	return mv->fw->exec(mv->fw_priv, in, in_size, out, out_size);
}

/* SUSPEND_VHCA and RESUME_VHCA share one mailbox layout. */
static int mlx5vf_cmd_vhca(struct mlx5vf_device *mv, u16 opcode, u16 op_mod)
{
	u32 in[MLX5_ST_SZ_DW(suspend_vhca_in)] = {};
	u32 out[MLX5_ST_SZ_DW(suspend_vhca_out)] = {};

	MLX5_SET(suspend_vhca_in, in, opcode, opcode);
	MLX5_SET(suspend_vhca_in, in, op_mod, op_mod);
	MLX5_SET(suspend_vhca_in, in, vhca_id, mv->vhca_id);
	return mlx5vf_exec(mv, in, sizeof(in), out, sizeof(out));
}

int mlx5vf_cmd_suspend(struct mlx5vf_device *mv, u16 op_mod)
{
	return mlx5vf_cmd_vhca(mv, MLX5_CMD_OP_SUSPEND_VHCA, op_mod);
}

int mlx5vf_cmd_resume(struct mlx5vf_device *mv, u16 op_mod)
{
	BUILD_BUG_ON(MLX5_ST_SZ_BYTES(resume_vhca_in) !=
		     MLX5_ST_SZ_BYTES(suspend_vhca_in));
	return mlx5vf_cmd_vhca(mv, MLX5_CMD_OP_RESUME_VHCA, op_mod);
}

/* The buffer a full (not incremental) image of the suspended VF needs. */
int mlx5vf_cmd_query_size(struct mlx5vf_device *mv, u64 *bytes)
{
	u32 in[MLX5_ST_SZ_DW(query_vhca_migration_state_in)] = {};
	u32 out[MLX5_ST_SZ_DW(query_vhca_migration_state_out)] = {};
	int ret;

	MLX5_SET(query_vhca_migration_state_in, in, opcode,
		 MLX5_CMD_OP_QUERY_VHCA_MIGRATION_STATE);
	MLX5_SET(query_vhca_migration_state_in, in, vhca_id, mv->vhca_id);
	ret = mlx5vf_exec(mv, in, sizeof(in), out, sizeof(out));
	if (ret)
		return ret;
	*bytes = MLX5_GET(query_vhca_migration_state_out, out,
			  required_umem_size);
	return 0;
}

/* Save a full image into @buf (@cap bytes); its length to *@actual. */
int mlx5vf_cmd_save(struct mlx5vf_device *mv, struct mlx5vf_buf *buf,
		    u64 cap, u64 *actual)
{
	u32 in[MLX5_ST_SZ_DW(save_vhca_state_in)] = {};
	u32 out[MLX5_ST_SZ_DW(save_vhca_state_out)] = {};
	int ret;

	if (cap > MLX5VF_IMAGE_MAX)
		return -EFBIG;
	MLX5_SET(save_vhca_state_in, in, opcode, MLX5_CMD_OP_SAVE_VHCA_STATE);
	MLX5_SET(save_vhca_state_in, in, vhca_id, mv->vhca_id);
	MLX5_SET(save_vhca_state_in, in, mkey, buf->mkey);
	MLX5_SET(save_vhca_state_in, in, size, cap);
	ret = mlx5vf_exec(mv, in, sizeof(in), out, sizeof(out));
	if (ret)
		return ret;
	*actual = MLX5_GET(save_vhca_state_out, out, actual_image_size);
	return *actual && *actual <= cap ? 0 : -EIO;
}

int mlx5vf_cmd_load(struct mlx5vf_device *mv, struct mlx5vf_buf *buf,
		    u64 len)
{
	u32 in[MLX5_ST_SZ_DW(load_vhca_state_in)] = {};
	u32 out[MLX5_ST_SZ_DW(load_vhca_state_out)] = {};

	if (len > MLX5VF_IMAGE_MAX)
		return -EFBIG;
	MLX5_SET(load_vhca_state_in, in, opcode, MLX5_CMD_OP_LOAD_VHCA_STATE);
	MLX5_SET(load_vhca_state_in, in, vhca_id, mv->vhca_id);
	MLX5_SET(load_vhca_state_in, in, mkey, buf->mkey);
	MLX5_SET(load_vhca_state_in, in, size, len);
	return mlx5vf_exec(mv, in, sizeof(in), out, sizeof(out));
}
