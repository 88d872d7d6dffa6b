// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: the migration arcs and the session's buffers.  The P2P
 * arcs map one to one on SUSPEND_VHCA and RESUME_VHCA; saving is in
 * mig_save.c, resuming in mig_load.c.  No firmware command runs from the
 * reset path: @reset only marks the session stale, and the next callback
 * ends it.
 */
#include <linux/mlx5/device.h>
#include <linux/slab.h>
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

/* Room for @len bytes in @buf: kept when it has it, else replaced. */
int mlx5vf_buf_reserve(struct mlx5vf_buf *buf, u64 len)
{
	if (len > MLX5VF_UNIT_MAX)
		return -EFBIG;
	if ((u64)buf->npages * PAGE_SIZE >= len)
		return 0;
	mlx5vf_buf_free(buf);
	return mlx5vf_buf_alloc(buf, len);
}

void mlx5vf_session_end(struct mlx5vf_device *mv)
{
	mlx5vf_buf_free(&mv->buf);
	memset_after(mv, 0, buf);
}

void mlx5vf_drop_stale(struct mlx5vf_device *mv)
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

static void mlx5vf_save_end(struct vfio_pci_core_device *core)
{
	mlx5vf_session_end(to_mlx5vf(core));
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
	.version	= 2,
	.record_max	= MLX5VF_RECORD,
	.stop		= mlx5vf_stop,
	.start		= mlx5vf_start,
	.p2p_quiesce	= mlx5vf_p2p_quiesce,
	.p2p_resume	= mlx5vf_p2p_resume,
	.save		= mlx5vf_save,
	.precopy	= mlx5vf_precopy,
	.save_end	= mlx5vf_save_end,
	.load		= mlx5vf_load,
	.load_end	= mlx5vf_load_end,
	.stop_copy_size	= mlx5vf_stop_copy_size,
	.precopy_size	= mlx5vf_precopy_size,
	.reset		= mlx5vf_reset,
};
