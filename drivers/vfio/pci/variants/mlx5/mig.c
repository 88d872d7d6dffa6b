// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: the core's migration callbacks.  The P2P arcs map one to
 * one on SUSPEND_VHCA and RESUME_VHCA; STOP_COPY saves one full image and
 * streams it; RESUMING gathers the image and loads it at RESUMING -> STOP.
 * No firmware command runs from the reset path: @reset only marks the
 * buffer stale, and the next callback frees it.
 */
#include <linux/mlx5/device.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>

#include "mlx5vf.h"

void mlx5vf_buf_free(struct mlx5vf_buf *buf)
{
	unsigned int i;

	if (!buf->pages)
		return;
	if (buf->vaddr)
		vunmap(buf->vaddr);
	for (i = 0; i < buf->npages && buf->pages[i]; i++)
		__free_page(buf->pages[i]);
	kvfree(buf->pages);
	memset(buf, 0, sizeof(*buf));
}

static int mlx5vf_buf_alloc(struct mlx5vf_buf *buf, u64 len)
{
	unsigned int i, n = DIV_ROUND_UP(len, PAGE_SIZE);

	buf->pages = kvcalloc(n, sizeof(*buf->pages), GFP_KERNEL_ACCOUNT);
	if (!buf->pages)
		return -ENOMEM;
	buf->npages = n;
	for (i = 0; i < n; i++) {
		buf->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!buf->pages[i])
			goto fail;
	}
	buf->vaddr = vmap(buf->pages, n, VM_MAP, PAGE_KERNEL);
	if (buf->vaddr)
		return 0;
fail:
	mlx5vf_buf_free(buf);
	return -ENOMEM;
}

static void mlx5vf_session_end(struct mlx5vf_device *mv)
{
	mlx5vf_buf_free(&mv->buf);
	mv->len = 0;
	mv->pos = 0;
	mv->stale = false;
}

static void mlx5vf_drop_stale(struct mlx5vf_device *mv)
{
	if (mv->stale)
		mlx5vf_session_end(mv);
}

static int mlx5vf_stop(struct vfio_pci_core_device *core)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);

	mlx5vf_drop_stale(mv);
	return mlx5vf_cmd_suspend(mv, MLX5_SUSPEND_VHCA_IN_OP_MOD_SUSPEND_RESPONDER);
}

static int mlx5vf_start(struct vfio_pci_core_device *core)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);

	mlx5vf_drop_stale(mv);
	return mlx5vf_cmd_resume(mv, MLX5_RESUME_VHCA_IN_OP_MOD_RESUME_RESPONDER);
}

static int mlx5vf_p2p_quiesce(struct vfio_pci_core_device *core)
{
	return mlx5vf_cmd_suspend(to_mlx5vf(core),
				  MLX5_SUSPEND_VHCA_IN_OP_MOD_SUSPEND_INITIATOR);
}

static int mlx5vf_p2p_resume(struct vfio_pci_core_device *core)
{
	return mlx5vf_cmd_resume(to_mlx5vf(core),
				 MLX5_RESUME_VHCA_IN_OP_MOD_RESUME_INITIATOR);
}

/* SAVE or LOAD the image in @mv->buf, mapped for the firmware meanwhile. */
static int mlx5vf_transfer(struct mlx5vf_device *mv, bool save, u64 cap)
{
	int ret = mv->fw->map(mv->fw_priv, &mv->buf);

	if (ret)
		return ret;
	if (save)
		ret = mlx5vf_cmd_save(mv, &mv->buf, cap, &mv->len);
	else
		ret = mlx5vf_cmd_load(mv, &mv->buf, mv->len);
	mv->fw->unmap(mv->fw_priv, &mv->buf);
	return ret;
}

/* Take the suspended VF's image and announce its size. */
static int mlx5vf_save_begin(struct mlx5vf_device *mv,
			     struct vfio_pci_mig_stream *s)
{
	__le64 size;
	u64 need;
	int ret;

	ret = mlx5vf_cmd_query_size(mv, &need);
	if (ret)
		return ret;
	if (!need || need > MLX5VF_IMAGE_MAX)
		return -EIO;
	ret = mlx5vf_buf_alloc(&mv->buf, need);
	if (ret)
		return ret;
	ret = mlx5vf_transfer(mv, true, need);
	if (ret)
		return ret;
	size = cpu_to_le64(mv->len);
	return vfio_pci_mig_put(s, MLX5VF_TAG_SIZE, &size, sizeof(size));
}

static int mlx5vf_save(struct vfio_pci_core_device *core,
		       struct vfio_pci_mig_stream *s)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	int ret = 0;

	mlx5vf_drop_stale(mv);
	if (!mv->buf.pages)
		ret = mlx5vf_save_begin(mv, s);
	while (!ret && mv->pos < mv->len) {
		u32 n = min_t(u64, MLX5VF_RECORD, mv->len - mv->pos);

		ret = vfio_pci_mig_put(s, MLX5VF_TAG_IMAGE,
				       mv->buf.vaddr + mv->pos, n);
		if (ret == -ENOSPC)
			return 1;
		if (!ret)
			mv->pos += n;
	}
	mlx5vf_session_end(mv);
	return ret;
}

static void mlx5vf_save_end(struct vfio_pci_core_device *core)
{
	mlx5vf_session_end(to_mlx5vf(core));
}

static int mlx5vf_load(struct vfio_pci_core_device *core, u32 tag,
		       const void *data, u32 len)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	u64 size;
	int ret;

	mlx5vf_drop_stale(mv);
	switch (tag) {
	case MLX5VF_TAG_SIZE:
		if (len != sizeof(size) || mv->buf.pages)
			return -EINVAL;
		size = get_unaligned_le64(data);
		if (!size || size > MLX5VF_IMAGE_MAX)
			return -EINVAL;
		ret = mlx5vf_buf_alloc(&mv->buf, size);
		if (!ret)
			mv->len = size;
		return ret;
	case MLX5VF_TAG_IMAGE:
		if (!mv->buf.pages || len > mv->len - mv->pos)
			return -EINVAL;
		memcpy(mv->buf.vaddr + mv->pos, data, len);
		mv->pos += len;
		return 0;
	default:
		return -EINVAL;
	}
}

static int mlx5vf_load_end(struct vfio_pci_core_device *core)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	int ret = -EINVAL;

	mlx5vf_drop_stale(mv);
	if (mv->buf.pages && mv->pos == mv->len)
		ret = mlx5vf_transfer(mv, false, 0);
	mlx5vf_session_end(mv);
	return ret;
}

/* The image and the size record before it. */
static int mlx5vf_stop_copy_size(struct vfio_pci_core_device *core,
				 u64 *bytes)
{
	int ret = mlx5vf_cmd_query_size(to_mlx5vf(core), bytes);

	*bytes += sizeof(__le64);
	return ret;
}

/* The reset rule: no command, no freeing here (the memory lock is held). */
static void mlx5vf_reset(struct vfio_pci_core_device *core)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);

	mv->stale = true;
	if (mv->fw->flr)
		mv->fw->flr(mv->fw_priv);
}

const struct vfio_pci_core_mig_ops mlx5vf_mig_ops = {
	.version	= 1,
	.record_max	= MLX5VF_RECORD,
	.stop		= mlx5vf_stop,
	.start		= mlx5vf_start,
	.p2p_quiesce	= mlx5vf_p2p_quiesce,
	.p2p_resume	= mlx5vf_p2p_resume,
	.save		= mlx5vf_save,
	.save_end	= mlx5vf_save_end,
	.load		= mlx5vf_load,
	.load_end	= mlx5vf_load_end,
	.stop_copy_size	= mlx5vf_stop_copy_size,
	.reset		= mlx5vf_reset,
};
