// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: the firmware-facing calls over the real mlx5_core (the
 * production module only).  The VF's commands go through its PF's command
 * interface; buffers reach the firmware through an MTT mkey over pages
 * DMA-mapped for the PF.
 */
#include <linux/dma-mapping.h>
#include <linux/mlx5/driver.h>
#include <linux/mlx5/vport.h>
#include <linux/slab.h>

#include "mlx5vf.h"

/**
 * struct mlx5vf_core_map - what a mapped buffer holds in mlx5_core
 * @pdn: the protection domain of its mkey
 * @dma: the DMA address of each page
 */
struct mlx5vf_core_map {
	u32 pdn;
	dma_addr_t dma[];
};

static void *mlx5vf_core_attach(struct pci_dev *vf, struct notifier_block *nb,
				u16 *vhca_id)
{
	int vf_id = pci_iov_vf_id(vf), ret = -EOPNOTSUPP;
	struct mlx5_core_dev *mdev;
	void *out;

	if (vf_id < 0)
		return ERR_PTR(vf_id);
	mdev = mlx5_vf_get_core_dev(vf);
	if (!mdev)
		return ERR_PTR(-ENODEV);
	if (!MLX5_CAP_GEN(mdev, migration))
		goto put;
	out = kzalloc(MLX5_ST_SZ_BYTES(query_hca_cap_out), GFP_KERNEL);
	if (!out) {
		ret = -ENOMEM;
		goto put;
	}
	/* The admin marks the VF migratable on its eswitch port (devlink). */
	ret = mlx5_vport_get_other_func_cap(mdev, vf_id + 1, out,
					    MLX5_CAP_GENERAL_2);
	if (!ret && !MLX5_GET(query_hca_cap_out, out,
			      capability.cmd_hca_cap_2.migratable))
		ret = -EOPNOTSUPP;
	if (!ret)
		ret = mlx5_vport_get_other_func_cap(mdev, vf_id + 1, out,
						    MLX5_CAP_GENERAL);
	if (!ret)
		*vhca_id = MLX5_GET(query_hca_cap_out, out,
				    capability.cmd_hca_cap.vhca_id);
	kfree(out);
	if (!ret)
		ret = mlx5_sriov_blocking_notifier_register(mdev, vf_id, nb);
put:
	/* The PF's mdev outlives its VFs: SR-IOV off removes them first. */
	mlx5_vf_put_core_dev(mdev);
	return ret ? ERR_PTR(ret) : mdev;
}

static void mlx5vf_core_detach(void *fw, struct pci_dev *vf,
			       struct notifier_block *nb)
{
	mlx5_sriov_blocking_notifier_unregister(fw, pci_iov_vf_id(vf), nb);
}

static int mlx5vf_core_exec(void *fw, void *in, int in_size, void *out,
			    int out_size)
{
	return mlx5_cmd_exec(fw, in, in_size, out, out_size);
}

static void mlx5vf_core_dma_unmap(struct mlx5_core_dev *mdev,
				  struct mlx5vf_core_map *m, unsigned int n)
{
	while (n--)
		dma_unmap_page(mdev->device, m->dma[n], PAGE_SIZE,
			       DMA_BIDIRECTIONAL);
}

/* An MTT mkey over the buffer's pages, read and write, at va 0. */
static int mlx5vf_core_mkey(struct mlx5_core_dev *mdev, struct mlx5vf_buf *buf,
			    struct mlx5vf_core_map *m)
{
	unsigned int i, nmtt = round_up(buf->npages, 2);
	int inlen = MLX5_ST_SZ_BYTES(create_mkey_in) + nmtt * sizeof(__be64);
	__be64 *mtt;
	void *in, *mkc;
	int ret;

	in = kvzalloc(inlen, GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	mtt = MLX5_ADDR_OF(create_mkey_in, in, klm_pas_mtt);
	for (i = 0; i < buf->npages; i++)
		mtt[i] = cpu_to_be64(m->dma[i]);
	MLX5_SET(create_mkey_in, in, translations_octword_actual_size,
		 nmtt / 2);
	mkc = MLX5_ADDR_OF(create_mkey_in, in, memory_key_mkey_entry);
	MLX5_SET(mkc, mkc, access_mode_1_0, MLX5_MKC_ACCESS_MODE_MTT);
	MLX5_SET(mkc, mkc, lr, 1);
	MLX5_SET(mkc, mkc, lw, 1);
	MLX5_SET(mkc, mkc, rr, 1);
	MLX5_SET(mkc, mkc, rw, 1);
	MLX5_SET(mkc, mkc, pd, m->pdn);
	MLX5_SET(mkc, mkc, qpn, 0xffffff);
	MLX5_SET(mkc, mkc, log_page_size, PAGE_SHIFT);
	MLX5_SET(mkc, mkc, translations_octword_size, nmtt / 2);
	MLX5_SET64(mkc, mkc, len, (u64)buf->npages * PAGE_SIZE);
	ret = mlx5_core_create_mkey(mdev, &buf->mkey, in, inlen);
	kvfree(in);
	return ret;
}

static int mlx5vf_core_map(void *fw, struct mlx5vf_buf *buf)
{
	struct mlx5_core_dev *mdev = fw;
	struct mlx5vf_core_map *m;
	unsigned int i;
	int ret;

	m = kvzalloc(struct_size(m, dma, buf->npages), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	for (i = 0; i < buf->npages; i++) {
		m->dma[i] = dma_map_page(mdev->device, buf->pages[i], 0,
					 PAGE_SIZE, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(mdev->device, m->dma[i])) {
			ret = -ENOMEM;
			goto unmap;
		}
	}
	ret = mlx5_core_alloc_pd(mdev, &m->pdn);
	if (ret)
		goto unmap;
	ret = mlx5vf_core_mkey(mdev, buf, m);
	if (ret)
		goto pd;
	buf->map_priv = m;
	return 0;
pd:
	mlx5_core_dealloc_pd(mdev, m->pdn);
unmap:
	mlx5vf_core_dma_unmap(mdev, m, i);
	kvfree(m);
	return ret;
}

static void mlx5vf_core_unmap(void *fw, struct mlx5vf_buf *buf)
{
	struct mlx5vf_core_map *m = buf->map_priv;
	struct mlx5_core_dev *mdev = fw;

	mlx5_core_destroy_mkey(mdev, buf->mkey);
	mlx5_core_dealloc_pd(mdev, m->pdn);
	mlx5vf_core_dma_unmap(mdev, m, buf->npages);
	kvfree(m);
	buf->map_priv = NULL;
}

static u32 mlx5vf_core_caps(void *fw)
{
	struct mlx5_core_dev *mdev = fw;
	u32 caps = MLX5_CAP_GEN_2(mdev, migration_in_chunks) ?
		   MLX5VF_FW_CAP_CHUNK : 0;

#if VFIO_PCI_COMPAT_MLX5_MIG_STATE
	if (MLX5_CAP_GEN_2(mdev, migration_state))
		caps |= MLX5VF_FW_CAP_MIG_STATE;
#endif
	return caps;
}

const struct mlx5vf_fw_ops mlx5vf_fw_core_ops = {
	.attach	= mlx5vf_core_attach,
	.detach	= mlx5vf_core_detach,
	.exec	= mlx5vf_core_exec,
	.map	= mlx5vf_core_map,
	.unmap	= mlx5vf_core_unmap,
	.caps	= mlx5vf_core_caps,
};
