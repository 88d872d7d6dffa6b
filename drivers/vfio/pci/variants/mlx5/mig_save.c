// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: saving.  An image is taken unit by unit (one unit, or its
 * chunks in chunk mode), each as the reader has taken the one before.
 * PRE_COPY sends the stop-copy hint, then a full image with the firmware
 * tracking changes, then in each later pass what changed; STOP_COPY sends
 * the rest: the last changes, or a full image in a session that starts
 * there.
 */
#include <linux/vfio_pci_core.h>

#include "mlx5vf.h"

/*
 * Begin the next image: full, or what changed (no unit when nothing did).
 * Returns 1 when a full image replaces the delta asked for: the VHCA went
 * back to its initial migration state.
 */
static int mlx5vf_image_begin(struct mlx5vf_device *mv, bool inc, bool track)
{
	u64 unit, total;
	bool init;
	int ret = mlx5vf_cmd_query(mv, inc, &unit, &total, &init);

	if (ret)
		return ret;
	if (inc && init)
		return mlx5vf_image_begin(mv, false, track) ?: 1;
	if (!inc && !unit)
		return -EIO;
	if (unit > MLX5VF_UNIT_MAX)
		return -EFBIG;
	mv->next = unit;
	mv->left = total;
	mv->inc = inc;
	mv->track = track;
	mv->first = true;
	return 0;
}

/* Take the image's next unit into the buffer. */
static int mlx5vf_save_unit(struct mlx5vf_device *mv)
{
	u64 actual, next;
	int ret;

	ret = mlx5vf_buf_reserve(&mv->buf, mv->next);
	if (ret)
		return ret;
	ret = mv->fw->map(mv->fw_priv, &mv->buf);
	if (ret)
		return ret;
	/* The image's later units continue it: incremental. */
	ret = mlx5vf_cmd_save(mv, &mv->buf, mv->next, mv->inc || !mv->first,
			      mv->track, &actual, &next);
	mv->fw->unmap(mv->fw_priv, &mv->buf);
	if (ret)
		return ret;
	if (next > MLX5VF_UNIT_MAX)
		return -EFBIG;
	mv->first = false;
	mv->len = actual;
	mv->pos = 0;
	mv->sized = false;
	mv->next = next;
	mv->left -= min(mv->left, actual);
	return 0;
}

/*
 * Send the unit in the buffer and take the image's next ones.  Returns 0
 * once the image is out, 1 when the reader has to make room first.
 */
static int mlx5vf_pump(struct mlx5vf_device *mv, struct vfio_pci_mig_stream *s)
{
	__le64 size;
	u32 n;
	int ret;

	for (;;) {
		if (mv->pos == mv->len) {
			if (!mv->next)
				return 0;
			ret = mlx5vf_save_unit(mv);
			if (ret)
				return ret;
		}
		if (!mv->sized) {
			size = cpu_to_le64(mv->len);
			ret = vfio_pci_mig_put(s, MLX5VF_TAG_SIZE, &size,
					       sizeof(size));
			if (ret)
				break;
			mv->sized = true;
		}
		n = min_t(u64, MLX5VF_RECORD, mv->len - mv->pos);
		ret = vfio_pci_mig_put(s, MLX5VF_TAG_IMAGE,
				       mv->buf.vaddr + mv->pos, n);
		if (ret)
			break;
		mv->pos += n;
	}
	return ret == -ENOSPC ? 1 : ret;
}

int mlx5vf_precopy(struct vfio_pci_core_device *core,
		   struct vfio_pci_mig_stream *s, bool initial)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	__le64 hint;
	int ret;

	mlx5vf_drop_stale(mv);
	/* A pass begins with nothing under way. */
	if (mv->pos == mv->len && !mv->next) {
		ret = mlx5vf_image_begin(mv, !initial, true);
		if (ret > 0) {
			/* New initial data: the pass becomes a first one. */
			ret = vfio_pci_mig_reinit(s);
			initial = true;
		}
		if (ret)
			return ret;
		if (initial) {
			/* The full image's buffer: the destination's stop-copy buffer */
			hint = cpu_to_le64(mv->next);
			ret = vfio_pci_mig_put(s, MLX5VF_TAG_HINT, &hint,
					       sizeof(hint));
			if (ret)
				return ret;
			mv->tracking = true;
		}
	}
	return mlx5vf_pump(mv, s);
}

int mlx5vf_save(struct vfio_pci_core_device *core,
		struct vfio_pci_mig_stream *s)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	int ret;

	mlx5vf_drop_stale(mv);
	if (!mv->final) {
		/* The rest of a pre-copy image, then the final one. */
		ret = mlx5vf_pump(mv, s);
		if (ret)
			return ret;
		/* A full image after all when the VHCA went back to init */
		ret = mlx5vf_image_begin(mv, mv->tracking, false);
		if (ret < 0)
			return ret;
		mv->final = true;
	}
	ret = mlx5vf_pump(mv, s);
	if (!ret)
		mlx5vf_session_end(mv);
	return ret;
}

/* Payload bytes of an image's units: @total bytes and a size record each. */
static u64 mlx5vf_payload(u64 total, u64 unit)
{
	return unit ? total + DIV_ROUND_UP(total, unit) * sizeof(__le64) : 0;
}

/* Payload bytes of the image under way not appended yet. */
static u64 mlx5vf_rest(struct mlx5vf_device *mv)
{
	u64 rest = mv->len - mv->pos + mlx5vf_payload(mv->left, mv->next);

	return mv->pos < mv->len && !mv->sized ? rest + sizeof(__le64) : rest;
}

int mlx5vf_stop_copy_size(struct vfio_pci_core_device *core, u64 *bytes)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	u64 unit, total;
	bool init;
	int ret;

	mlx5vf_drop_stale(mv);
	ret = mlx5vf_cmd_query(mv, mv->tracking, &unit, &total, &init);
	if (ret)
		return ret;
	*bytes = mlx5vf_rest(mv) + mlx5vf_payload(total, unit);
	return 0;
}

int mlx5vf_precopy_size(struct vfio_pci_core_device *core, u64 *initial,
			u64 *dirty)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	u64 unit, total;
	bool init;
	int ret;

	mlx5vf_drop_stale(mv);
	if (!mv->tracking)
		return 0;
	ret = mlx5vf_cmd_query(mv, true, &unit, &total, &init);
	if (ret)
		return ret;
	if (mv->inc)
		*dirty = mlx5vf_rest(mv);
	else
		*initial = mlx5vf_rest(mv);
	/* Back in init: a full image comes next pass, initial data. */
	if (init)
		*initial += mlx5vf_payload(total, unit);
	else
		*dirty += mlx5vf_payload(total, unit);
	return 0;
}
