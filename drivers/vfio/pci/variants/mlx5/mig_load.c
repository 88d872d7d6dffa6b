// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: resuming.  Each unit is loaded into the firmware as soon
 * as its bytes are in, in stream order, so pre-copy images are in place
 * before the downtime; RESUMING -> STOP only checks that none is partial.
 */
#include <linux/unaligned.h>
#include <linux/vfio_pci_core.h>

#include "mlx5vf.h"

static int mlx5vf_load_unit(struct mlx5vf_device *mv)
{
	int ret = mv->fw->map(mv->fw_priv, &mv->buf);

	if (ret)
		return ret;
	ret = mlx5vf_cmd_load(mv, &mv->buf, mv->len);
	mv->fw->unmap(mv->fw_priv, &mv->buf);
	if (!ret)
		mv->loaded++;
	return ret;
}

int mlx5vf_load(struct vfio_pci_core_device *core, u32 tag, const void *data,
		u32 len)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	u64 size;
	int ret;

	mlx5vf_drop_stale(mv);
	if (tag == MLX5VF_TAG_IMAGE) {
		if (!len || len > mv->len - mv->pos)
			return -EINVAL;
		memcpy(mv->buf.vaddr + mv->pos, data, len);
		mv->pos += len;
		return mv->pos == mv->len ? mlx5vf_load_unit(mv) : 0;
	}
	if ((tag != MLX5VF_TAG_SIZE && tag != MLX5VF_TAG_HINT) ||
	    len != sizeof(size) || mv->pos != mv->len)
		return -EINVAL;
	size = get_unaligned_le64(data);
	if (!size || size > MLX5VF_UNIT_MAX)
		return -EINVAL;
	if (tag == MLX5VF_TAG_HINT)
		/* The stop-copy buffer, ready before the downtime. */
		return mlx5vf_buf_reserve(&mv->buf, min(size, MLX5VF_HINT_MAX));
	ret = mlx5vf_buf_reserve(&mv->buf, size);
	if (!ret) {
		mv->len = size;
		mv->pos = 0;
	}
	return ret;
}

int mlx5vf_load_end(struct vfio_pci_core_device *core)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	int ret;

	mlx5vf_drop_stale(mv);
	ret = mv->loaded && mv->pos == mv->len ? 0 : -EINVAL;
	mlx5vf_session_end(mv);
	return ret;
}
