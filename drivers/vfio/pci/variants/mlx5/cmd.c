// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: the firmware's migration commands, built and parsed here
 * and run through &mlx5vf_fw_ops.exec.  Each addresses the VF by its
 * vhca_id; the PF executes it.
 */
#include <linux/mlx5/device.h>

#include "mlx5vf.h"

int mlx5vf_exec(struct mlx5vf_device *mv, void *in, int in_size, void *out,
		int out_size)
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

/*
 * The next image: full, or (@inc) what changed since the last SAVE.  The
 * buffer its first unit needs to *@unit (0: nothing changed), all of its
 * units' bytes to *@total.  In chunk mode a unit is one chunk.  *@init:
 * the VHCA is back in its initial migration state (reconfigured), so only
 * a full image can follow; always false where the firmware (or, before
 * 7.1, the headers) cannot tell.
 */
int mlx5vf_cmd_query(struct mlx5vf_device *mv, bool inc, u64 *unit,
		     u64 *total, bool *init)
{
	u32 in[MLX5_ST_SZ_DW(query_vhca_migration_state_in)] = {};
	u32 out[MLX5_ST_SZ_DW(query_vhca_migration_state_out)] = {};
	u32 caps = mv->fw->caps(mv->fw_priv);
	bool chunk = caps & MLX5VF_FW_CAP_CHUNK;
	int ret;

	MLX5_SET(query_vhca_migration_state_in, in, opcode,
		 MLX5_CMD_OP_QUERY_VHCA_MIGRATION_STATE);
	MLX5_SET(query_vhca_migration_state_in, in, vhca_id, mv->vhca_id);
	MLX5_SET(query_vhca_migration_state_in, in, incremental, inc);
	MLX5_SET(query_vhca_migration_state_in, in, chunk, chunk);
	ret = mlx5vf_exec(mv, in, sizeof(in), out, sizeof(out));
	if (ret)
		return ret;
	*unit = MLX5_GET(query_vhca_migration_state_out, out,
			 required_umem_size);
	*total = MLX5_GET64(query_vhca_migration_state_out, out,
			    remaining_total_size);
	/* Without chunk mode the firmware may leave the total out. */
	*total = max(*total, *unit);
	*init = false;
#if VFIO_PCI_COMPAT_MLX5_MIG_STATE
	if (caps & MLX5VF_FW_CAP_MIG_STATE)
		*init = MLX5_GET(query_vhca_migration_state_out, out,
				 migration_state) ==
			MLX5_QUERY_VHCA_MIG_STATE_OPER_MIGRATION_INIT;
#endif
	return 0;
}

/*
 * Take the image's next unit into @buf (@cap bytes): its length to
 * *@actual, the buffer the unit after it needs to *@next (0: the last).
 */
int mlx5vf_cmd_save(struct mlx5vf_device *mv, struct mlx5vf_buf *buf,
		    u64 cap, bool inc, bool track, u64 *actual, u64 *next)
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
	MLX5_SET(save_vhca_state_in, in, incremental, inc);
	MLX5_SET(save_vhca_state_in, in, set_track, track);
	ret = mlx5vf_exec(mv, in, sizeof(in), out, sizeof(out));
	if (ret)
		return ret;
	*actual = MLX5_GET(save_vhca_state_out, out, actual_image_size);
	*next = MLX5_GET(save_vhca_state_out, out, next_required_umem_size);
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
