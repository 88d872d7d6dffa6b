// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: the device's page tracker behind the core's DMA logging.
 * A PAGE_TRACK general object covers the user's ranges; before each report
 * the variant moves the object to REPORTING for the range, takes the dirty
 * addresses the firmware sends on the report channel (&mlx5vf_fw_ops.
 * track_read) and marks them in the core's bitmaps.  A tracker the firmware
 * put in its error state fails the report with -EIO, and the core ends the
 * session.  All of it runs under the core's tracker lock.
 */
#include <linux/log2.h>
#include <linux/mlx5/device.h>
#include <linux/slab.h>

#include "mlx5vf.h"

/* modify_field_select of a PAGE_TRACK MODIFY: the report's range, state */
#define MLX5VF_TRACK_SELECT_RANGE	BIT(0)
#define MLX5VF_TRACK_SELECT_STATE	BIT(1)
#define MLX5VF_TRACK_ENTRIES		32

static int mlx5vf_track_obj(struct mlx5vf_device *mv, u16 opcode, void *in,
			    int in_size, void *out, int out_size)
{
	MLX5_SET(general_obj_in_cmd_hdr, in, opcode, opcode);
	MLX5_SET(general_obj_in_cmd_hdr, in, obj_type, MLX5_OBJ_TYPE_PAGE_TRACK);
	MLX5_SET(general_obj_in_cmd_hdr, in, obj_id, mv->track_id);
	return mlx5vf_exec(mv, in, in_size, out, out_size);
}

static void mlx5vf_track_destroy(struct mlx5vf_device *mv)
{
	u32 in[MLX5_ST_SZ_DW(general_obj_in_cmd_hdr)] = {};
	u32 out[MLX5_ST_SZ_DW(general_obj_out_cmd_hdr)] = {};

	/* Nothing to do on failure: the firmware dropped it (DISABLE_VF). */
	mlx5vf_track_obj(mv, MLX5_CMD_OP_DESTROY_GENERAL_OBJECT, in,
			 sizeof(in), out, sizeof(out));
	mv->fw->track_close(mv->fw_priv);
}

static int mlx5vf_track_start(struct vfio_pci_core_device *core,
			      const struct vfio_pci_core_dirty_span *spans,
			      u32 nr, u64 page_size)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	u32 out[MLX5_ST_SZ_DW(general_obj_out_cmd_hdr)] = {};
	int in_size = MLX5_ST_SZ_BYTES(create_page_track_obj_in) +
		      nr * MLX5_ST_SZ_BYTES(page_track_range);
	u64 end = spans[nr - 1].iova + spans[nr - 1].length;
	void *in, *ctx, *range;
	u32 qpn, i;
	int ret;

	in = kzalloc(in_size, GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	ret = mv->fw->track_open(mv->fw_priv, &qpn);
	if (ret)
		goto out;
	ctx = MLX5_ADDR_OF(create_page_track_obj_in, in, obj_context);
	MLX5_SET(page_track, ctx, vhca_id, mv->vhca_id);
	MLX5_SET(page_track, ctx, log_addr_space_size, fls64(end - 1));
	MLX5_SET(page_track, ctx, log_page_size, ilog2(page_size));
	MLX5_SET(page_track, ctx, reporting_qpn, qpn);
	MLX5_SET(page_track, ctx, num_ranges, nr);
	for (i = 0; i < nr; i++) {
		range = MLX5_ADDR_OF(page_track, ctx, track_range[i]);
		MLX5_SET64(page_track_range, range, start_address, spans[i].iova);
		MLX5_SET64(page_track_range, range, length, spans[i].length);
	}
	mv->track_id = 0;
	ret = mlx5vf_track_obj(mv, MLX5_CMD_OP_CREATE_GENERAL_OBJECT, in,
			       in_size, out, sizeof(out));
	if (ret) {
		mv->fw->track_close(mv->fw_priv);
		goto out;
	}
	mv->track_id = MLX5_GET(general_obj_out_cmd_hdr, out, obj_id);
	mv->track_page = page_size;
out:
	kfree(in);
	return ret;
}

static void mlx5vf_track_stop(struct vfio_pci_core_device *core)
{
	mlx5vf_track_destroy(to_mlx5vf(core));
}

/* The tracker's state: MLX5_PAGE_TRACK_STATE_*, or a negative errno. */
static int mlx5vf_track_state(struct mlx5vf_device *mv)
{
	u32 in[MLX5_ST_SZ_DW(general_obj_in_cmd_hdr)] = {};
	u32 out[MLX5_ST_SZ_DW(query_page_track_obj_out)] = {};
	int ret = mlx5vf_track_obj(mv, MLX5_CMD_OP_QUERY_GENERAL_OBJECT, in,
				   sizeof(in), out, sizeof(out));

	return ret ?: MLX5_GET(query_page_track_obj_out, out,
			       obj_context.state);
}

static int mlx5vf_track_sync(struct vfio_pci_core_device *core, u64 iova,
			     u64 length)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	u32 in[MLX5_ST_SZ_DW(modify_page_track_obj_in)] = {};
	u32 out[MLX5_ST_SZ_DW(general_obj_out_cmd_hdr)] = {};
	__be32 entries[2 * MLX5VF_TRACK_ENTRIES];
	void *ctx = MLX5_ADDR_OF(modify_page_track_obj_in, in, obj_context);
	unsigned int n, i;
	bool done = false;
	int ret;

	ret = mlx5vf_track_state(mv);
	if (ret < 0)
		return ret;
	if (ret == MLX5_PAGE_TRACK_STATE_ERROR)
		return -EIO;
	MLX5_SET64(page_track, ctx, modify_field_select,
		   MLX5VF_TRACK_SELECT_RANGE | MLX5VF_TRACK_SELECT_STATE);
	MLX5_SET(page_track, ctx, state, MLX5_PAGE_TRACK_STATE_REPORTING);
	MLX5_SET64(page_track, ctx, range_start_address, iova);
	MLX5_SET64(page_track, ctx, length, length);
	ret = mlx5vf_track_obj(mv, MLX5_CMD_OP_MODIFY_GENERAL_OBJECT, in,
			       sizeof(in), out, sizeof(out));
	while (!ret && !done) {
		ret = mv->fw->track_read(mv->fw_priv, entries,
					 MLX5VF_TRACK_ENTRIES, &n, &done);
		/* page_track_report_entry: address high, then low, big-endian */
		for (i = 0; !ret && i < n; i++) {
			u64 addr = (u64)be32_to_cpu(entries[2 * i]) << 32 |
				   be32_to_cpu(entries[2 * i + 1]);

			vfio_pci_core_dirty_mark(core, addr, mv->track_page);
		}
	}
	return ret;
}

static const struct vfio_pci_core_dirty_ops mlx5vf_dirty_ops = {
	.max_ranges	= MLX5VF_TRACK_RANGES,
	.start		= mlx5vf_track_start,
	.stop		= mlx5vf_track_stop,
	.sync		= mlx5vf_track_sync,
};

/* Offer DMA logging where the firmware and the host kernel can do it. */
void mlx5vf_track_init(struct mlx5vf_device *mv)
{
	if (mv->fw->track_open &&
	    (mv->fw->caps(mv->fw_priv) & MLX5VF_FW_CAP_TRACK))
		vfio_pci_core_dirty_init_device(&mv->core, &mlx5vf_dirty_ops);
}
