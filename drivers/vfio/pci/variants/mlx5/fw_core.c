// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: the firmware-facing calls over the real mlx5_core (the
 * production module only).  The VF's commands go through its PF's command
 * interface; buffers reach the firmware through an MTT mkey over pages
 * DMA-mapped for the PF.  The page tracker reports (never run on a ConnectX,
 * see the README) as SENDs with immediate over an RC connection in the PF's
 * loopback, from its QP (reporting_qpn) into slots the host's QP receives
 * into; the core's sync polls their CQ.  A message: page_track_report_entry
 * entries, the tracker's state in the immediate's top 4 bits.
 */
#include <linux/dma-mapping.h>
#include <linux/iopoll.h>
#include <linux/mlx5/cq.h>
#include <linux/mlx5/qp.h>
#include <linux/mlx5/vport.h>
#include <linux/slab.h>

#include "mlx5vf.h"

/* What a mapped buffer holds in mlx5_core */
struct mlx5vf_core_map {
	u32 pdn;		/* the protection domain of its mkey */
	dma_addr_t dma[];	/* each page's DMA address */
};

#define MLX5VF_MSG		BIT(MLX5VF_TRACK_MSG_LOG)
#define MLX5VF_ENTRY		MLX5_ST_SZ_BYTES(page_track_report_entry)
#define MLX5VF_SLOTS		16	/* receive WQEs, a slot each */
#define MLX5VF_CQES		(2 * MLX5VF_SLOTS)
/* Coherent: 64-byte CQEs, doorbell records; 16-byte receive WQEs; slots */
#define MLX5VF_DB_CQ		2048
#define MLX5VF_DB_QP(i)		(MLX5VF_DB_CQ + 64 * (1 + (i)))
#define MLX5VF_RQ		MLX5_ADAPTER_PAGE_SIZE
#define MLX5VF_SLOT(i)		(2 * MLX5VF_RQ + (i) * MLX5VF_MSG)
#define MLX5VF_MEM		MLX5VF_SLOT(MLX5VF_SLOTS)
#define MLX5VF_WAIT_US		(5 * USEC_PER_SEC)	/* per message */

enum { MLX5VF_QP_HOST, MLX5VF_QP_FW };

/* One VF's handle on its PF's mlx5_core: the fw_priv of &mlx5vf_fw_ops */
struct mlx5vf_core {
	struct mlx5_core_dev *mdev;
	struct notifier_block nb;	/* the VF's SR-IOV events, passed on */
	struct notifier_block *vf_nb;	/* to the variant's */
	struct mutex lock;		/* guards the report channel, below */
	bool off;			/* DISABLE_VF, until ENABLE_VF */
	bool open;			/* the channel; all below 0 if not */
	struct mlx5_core_cq cq;		/* both QPs complete on it */
	struct mlx5_uars_page *uar;
	void *mem;			/* MLX5VF_MEM bytes */
	dma_addr_t dma;
	u32 pdn;			/* of the QPs and the mkey */
	u32 mkey;			/* DMA addresses: the WQEs' slots */
	u32 qpn[2];			/* by MLX5VF_QP_* */
	u16 posted;			/* receive WQEs posted */
	const __be32 *ent;		/* the message being taken, or NULL */
	unsigned int left;		/* its entries left */
	bool last;			/* it ends the report */
};

/* An mkey over DMA addresses (the slots' addresses as the WQEs name them) */
static int mlx5vf_chan_mkey(struct mlx5vf_core *c)
{
	u32 in[MLX5_ST_SZ_DW(create_mkey_in)] = {};
	void *mkc = MLX5_ADDR_OF(create_mkey_in, in, memory_key_mkey_entry);

	MLX5_SET(mkc, mkc, access_mode_1_0, MLX5_MKC_ACCESS_MODE_PA);
	MLX5_SET(mkc, mkc, lr, 1);
	MLX5_SET(mkc, mkc, lw, 1);
	MLX5_SET(mkc, mkc, pd, c->pdn);
	MLX5_SET(mkc, mkc, qpn, 0xffffff);
	MLX5_SET(mkc, mkc, length64, 1);
	return mlx5_core_create_mkey(c->mdev, &c->mkey, in, sizeof(in));
}

static int mlx5vf_chan_cq(struct mlx5vf_core *c)
{
	u32 in[MLX5_ST_SZ_DW(create_cq_in) + 2] = {};
	u32 out[MLX5_ST_SZ_DW(create_cq_out)];
	void *cqc = MLX5_ADDR_OF(create_cq_in, in, cq_context);
	__be64 *pas = MLX5_ADDR_OF(create_cq_in, in, pas);
	struct mlx5_cqe64 *cqe = c->mem;
	int eqn, i, ret;

	ret = mlx5_comp_eqn_get(c->mdev, 0, &eqn);
	if (ret)
		return ret;
	for (i = 0; i < MLX5VF_CQES; i++)
		cqe[i].op_own = MLX5_CQE_INVALID << 4 | MLX5_CQE_OWNER_MASK;
	c->cq.cqe_sz = sizeof(*cqe);
	c->cq.set_ci_db = c->mem + MLX5VF_DB_CQ;
	c->cq.arm_db = c->cq.set_ci_db + 1;
	MLX5_SET(cqc, cqc, cqe_sz, CQE_STRIDE_64);
	MLX5_SET(cqc, cqc, log_cq_size, ilog2(MLX5VF_CQES));
	MLX5_SET(cqc, cqc, uar_page, c->uar->index);
	MLX5_SET(cqc, cqc, c_eqn_or_apu_element, eqn);
	MLX5_SET64(cqc, cqc, dbr_addr, c->dma + MLX5VF_DB_CQ);
	pas[0] = cpu_to_be64(c->dma);	/* log_page_size 0: 4 KiB */
	return mlx5_core_create_cq(c->mdev, &c->cq, in, sizeof(in), out,
				   sizeof(out));
}

static int mlx5vf_chan_qp(struct mlx5vf_core *c, int which)
{
	u32 in[MLX5_ST_SZ_DW(create_qp_in) + 2] = {};
	u32 out[MLX5_ST_SZ_DW(create_qp_out)] = {};
	void *qpc = MLX5_ADDR_OF(create_qp_in, in, qpc);
	__be64 *pas = MLX5_ADDR_OF(create_qp_in, in, pas);
	struct mlx5_wqe_data_seg *wqe = c->mem + MLX5VF_RQ;
	int in_size = MLX5_ST_SZ_BYTES(create_qp_in), i, ret;

	MLX5_SET(create_qp_in, in, opcode, MLX5_CMD_OP_CREATE_QP);
	MLX5_SET(qpc, qpc, st, MLX5_QP_ST_RC);
	MLX5_SET(qpc, qpc, pm_state, MLX5_QPC_PM_STATE_MIGRATED);
	MLX5_SET(qpc, qpc, pd, c->pdn);
	MLX5_SET(qpc, qpc, uar_page, c->uar->index);
	MLX5_SET(qpc, qpc, ts_format, mlx5_get_qp_default_ts(c->mdev));
	/* No send WQEs from the host: the firmware drives its QP itself. */
	MLX5_SET(qpc, qpc, no_sq, 1);
	MLX5_SET(qpc, qpc, cqn_snd, c->cq.cqn);
	MLX5_SET(qpc, qpc, cqn_rcv, c->cq.cqn);
	MLX5_SET64(qpc, qpc, dbr_addr, c->dma + MLX5VF_DB_QP(which));
	if (which == MLX5VF_QP_HOST) {
		/* log_rq_stride 0: 16-byte WQEs; rq_type 0: a regular RQ */
		MLX5_SET(qpc, qpc, log_rq_size, ilog2(MLX5VF_SLOTS));
		pas[0] = cpu_to_be64(c->dma + MLX5VF_RQ);
		in_size += sizeof(*pas);
		/* WQE i always takes slot i: reposting is a doorbell update */
		for (i = 0; i < MLX5VF_SLOTS; i++) {
			wqe[i].byte_count = cpu_to_be32(MLX5VF_MSG);
			wqe[i].lkey = cpu_to_be32(c->mkey);
			wqe[i].addr = cpu_to_be64(c->dma + MLX5VF_SLOT(i));
		}
	} else {
		MLX5_SET(qpc, qpc, rq_type, MLX5_ZERO_LEN_RQ);
	}
	ret = mlx5_cmd_exec(c->mdev, in, in_size, out, sizeof(out));
	if (!ret)
		c->qpn[which] = MLX5_GET(create_qp_out, out, qpn);
	return ret;
}

static void mlx5vf_qp_destroy(struct mlx5vf_core *c, int which)
{
	u32 in[MLX5_ST_SZ_DW(destroy_qp_in)] = {};

	MLX5_SET(destroy_qp_in, in, opcode, MLX5_CMD_OP_DESTROY_QP);
	MLX5_SET(destroy_qp_in, in, qpn, c->qpn[which]);
	mlx5_cmd_exec_in(c->mdev, destroy_qp, in);
}

/*
 * One state change of a QP on its way to RTS, connected to the other QP
 * in the PF's loopback.  RST2INIT, INIT2RTR and RTR2RTS share a layout.
 */
static int mlx5vf_qp_step(struct mlx5vf_core *c, u16 opcode, int which)
{
	u32 in[MLX5_ST_SZ_DW(rst2init_qp_in)] = {};
	void *qpc = MLX5_ADDR_OF(rst2init_qp_in, in, qpc);

	MLX5_SET(rst2init_qp_in, in, opcode, opcode);
	MLX5_SET(rst2init_qp_in, in, qpn, c->qpn[which]);
	MLX5_SET(qpc, qpc, primary_address_path.vhca_port_num, 1);
	if (opcode == MLX5_CMD_OP_RST2INIT_QP) {
		MLX5_SET(qpc, qpc, pm_state, MLX5_QPC_PM_STATE_MIGRATED);
	} else if (opcode == MLX5_CMD_OP_INIT2RTR_QP) {
		MLX5_SET(qpc, qpc, mtu, MLX5_QPC_MTU_4K_BYTES);
		MLX5_SET(qpc, qpc, log_msg_max,
			 MLX5_CAP_GEN(c->mdev, log_max_msg));
		MLX5_SET(qpc, qpc, remote_qpn, c->qpn[!which]);
		MLX5_SET(qpc, qpc, primary_address_path.fl, 1);
		/* A sender finding no slot waits 0.64 ms (RNR timer 12) */
		MLX5_SET(qpc, qpc, min_rnr_nak, 12);
	} else {
		/* rnr_retry 7: the firmware waits for a slot for ever */
		MLX5_SET(qpc, qpc, retry_count, 7);
		MLX5_SET(qpc, qpc, rnr_retry, 7);
		MLX5_SET(qpc, qpc, primary_address_path.ack_timeout, 14);
	}
	return mlx5_cmd_exec_in(c->mdev, rst2init_qp, in);
}

/* The receive doorbell record, after the WQE or slot it hands over */
static void mlx5vf_chan_post(struct mlx5vf_core *c)
{
	__be32 *db = c->mem + MLX5VF_DB_QP(MLX5VF_QP_HOST);

	dma_wmb();
	db[MLX5_RCV_DBR] = cpu_to_be32(c->posted);
}

static int mlx5vf_core_track_open(void *fw, u32 *qpn)
{
	struct mlx5vf_core *c = fw;
	struct mlx5_core_dev *mdev = c->mdev;
	int ret;

	guard(mutex)(&c->lock);
	if (c->off || c->open)
		return c->off ? -ENOTCONN : -EBUSY;
	c->uar = mlx5_get_uars_page(mdev);
	if (IS_ERR(c->uar))
		return PTR_ERR(c->uar);
	c->mem = dma_alloc_coherent(mdev->device, MLX5VF_MEM, &c->dma,
				    GFP_KERNEL);
	if (!c->mem) {
		ret = -ENOMEM;
		goto put_uar;
	}
	ret = mlx5_core_alloc_pd(mdev, &c->pdn);
	if (ret)
		goto free_mem;
	ret = mlx5vf_chan_mkey(c);
	if (ret)
		goto dealloc_pd;
	ret = mlx5vf_chan_cq(c);
	if (ret)
		goto destroy_mkey;
	ret = mlx5vf_chan_qp(c, MLX5VF_QP_HOST);
	if (ret)
		goto destroy_cq;
	ret = mlx5vf_chan_qp(c, MLX5VF_QP_FW);
	if (ret)
		goto destroy_host_qp;
	ret = mlx5vf_qp_step(c, MLX5_CMD_OP_RST2INIT_QP, MLX5VF_QP_HOST) ?:
	      mlx5vf_qp_step(c, MLX5_CMD_OP_RST2INIT_QP, MLX5VF_QP_FW);
	if (ret)
		goto destroy_fw_qp;
	c->posted = MLX5VF_SLOTS;
	mlx5vf_chan_post(c);
	ret = mlx5vf_qp_step(c, MLX5_CMD_OP_INIT2RTR_QP, MLX5VF_QP_HOST) ?:
	      mlx5vf_qp_step(c, MLX5_CMD_OP_INIT2RTR_QP, MLX5VF_QP_FW) ?:
	      mlx5vf_qp_step(c, MLX5_CMD_OP_RTR2RTS_QP, MLX5VF_QP_FW);
	if (ret)
		goto destroy_fw_qp;
	c->open = true;
	*qpn = c->qpn[MLX5VF_QP_FW];
	return 0;

destroy_fw_qp:
	mlx5vf_qp_destroy(c, MLX5VF_QP_FW);
destroy_host_qp:
	mlx5vf_qp_destroy(c, MLX5VF_QP_HOST);
destroy_cq:
	mlx5_core_destroy_cq(mdev, &c->cq);
destroy_mkey:
	mlx5_core_destroy_mkey(mdev, c->mkey);
dealloc_pd:
	mlx5_core_dealloc_pd(mdev, c->pdn);
free_mem:
	dma_free_coherent(mdev->device, MLX5VF_MEM, c->mem, c->dma);
put_uar:
	mlx5_put_uars_page(mdev, c->uar);
	memset_after(c, 0, off);
	return ret;
}

/* Also on the PF's DISABLE_VF and at detach: whatever open made */
static void mlx5vf_core_track_close(void *fw)
{
	struct mlx5vf_core *c = fw;

	guard(mutex)(&c->lock);
	if (!c->open)
		return;
	mlx5vf_qp_destroy(c, MLX5VF_QP_FW);
	mlx5vf_qp_destroy(c, MLX5VF_QP_HOST);
	mlx5_core_destroy_cq(c->mdev, &c->cq);
	mlx5_core_destroy_mkey(c->mdev, c->mkey);
	mlx5_core_dealloc_pd(c->mdev, c->pdn);
	dma_free_coherent(c->mdev->device, MLX5VF_MEM, c->mem, c->dma);
	mlx5_put_uars_page(c->mdev, c->uar);
	memset_after(c, 0, off);
}

/* The next completion once the device wrote it, else NULL */
static struct mlx5_cqe64 *mlx5vf_chan_cqe(struct mlx5vf_core *c)
{
	u32 ci = c->cq.cons_index;
	struct mlx5_cqe64 *cqe = (struct mlx5_cqe64 *)c->mem + ci % MLX5VF_CQES;
	u8 own = READ_ONCE(cqe->op_own);

	if (own >> 4 == MLX5_CQE_INVALID ||
	    (own & MLX5_CQE_OWNER_MASK) != !!(ci & MLX5VF_CQES))
		return NULL;
	dma_rmb();	/* the rest of the CQE and the slot after the owner */
	return cqe;
}

/* Wait for the report's next message and make it the one being taken. */
static int mlx5vf_chan_next(struct mlx5vf_core *c)
{
	struct mlx5_cqe64 *cqe, e;
	u32 state, bytes;
	int ret;

	ret = read_poll_timeout(mlx5vf_chan_cqe, cqe, cqe || READ_ONCE(c->off),
				100, MLX5VF_WAIT_US, false, c);
	if (ret || !cqe)
		return ret ?: -ENOTCONN;
	e = *cqe;
	*c->cq.set_ci_db = cpu_to_be32(++c->cq.cons_index & 0xffffff);
	state = be32_to_cpu(e.immediate) >> 28;
	bytes = be32_to_cpu(e.byte_cnt);
	if (get_cqe_opcode(&e) != MLX5_CQE_RESP_SEND_IMM ||
	    state == MLX5_PAGE_TRACK_STATE_ERROR || bytes > MLX5VF_MSG ||
	    bytes % MLX5VF_ENTRY) {
		dev_warn(c->mdev->device, "report CQE %64ph\n", &e);
		return -EIO;
	}
	c->ent = c->mem + MLX5VF_SLOT(be16_to_cpu(e.wqe_counter) &
				      (MLX5VF_SLOTS - 1));
	c->left = bytes / MLX5VF_ENTRY;
	c->last = state != MLX5_PAGE_TRACK_STATE_REPORTING;
	return 0;
}

static int mlx5vf_core_track_read(void *fw, __be32 *entries,
				  unsigned int max, unsigned int *n, bool *done)
{
	struct mlx5vf_core *c = fw;
	unsigned int take;
	int ret = 0;

	*n = 0;
	*done = false;
	guard(mutex)(&c->lock);
	if (!c->open)
		return -ENOTCONN;
	while (!ret && *n < max && !*done) {
		if (!c->ent) {
			ret = mlx5vf_chan_next(c);
			continue;
		}
		take = min(c->left, max - *n);
		memcpy(entries + 2 * *n, c->ent, take * MLX5VF_ENTRY);
		c->ent += 2 * take;
		c->left -= take;
		*n += take;
		if (c->left)
			continue;
		*done = c->last;
		c->ent = NULL;
		c->posted++;
		mlx5vf_chan_post(c);
	}
	return ret;
}

/* The variant hears first (its commands fail from DISABLE_VF on). */
static int mlx5vf_core_event(struct notifier_block *nb, unsigned long event,
			     void *data)
{
	struct mlx5vf_core *c = container_of(nb, struct mlx5vf_core, nb);
	int ret = c->vf_nb->notifier_call(c->vf_nb, event, data);

	/* The chain's only events: DISABLE_VF also stops a report's wait. */
	WRITE_ONCE(c->off, event == MLX5_PF_NOTIFY_DISABLE_VF);
	if (event == MLX5_PF_NOTIFY_DISABLE_VF)
		mlx5vf_core_track_close(c);	/* the channel goes too */
	return ret;
}

static void *mlx5vf_core_attach(struct pci_dev *vf, struct notifier_block *nb,
				u16 *vhca_id)
{
	int vf_id = pci_iov_vf_id(vf), ret = -EOPNOTSUPP;
	struct mlx5_core_dev *mdev;
	struct mlx5vf_core *c = NULL;
	void *out;

	if (vf_id < 0)
		return ERR_PTR(vf_id);
	mdev = mlx5_vf_get_core_dev(vf);
	if (!mdev)
		return ERR_PTR(-ENODEV);
	if (!MLX5_CAP_GEN(mdev, migration))
		goto put;
	c = kzalloc_obj(*c, GFP_KERNEL);
	out = kzalloc(MLX5_ST_SZ_BYTES(query_hca_cap_out), GFP_KERNEL);
	if (!c || !out) {
		kfree(out);
		ret = -ENOMEM;
		goto put;
	}
	c->mdev = mdev;
	c->vf_nb = nb;
	c->nb.notifier_call = mlx5vf_core_event;
	mutex_init(&c->lock);
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
		ret = mlx5_sriov_blocking_notifier_register(mdev, vf_id,
							    &c->nb);
put:
	/* The PF's mdev outlives its VFs: SR-IOV off removes them first. */
	mlx5_vf_put_core_dev(mdev);
	if (!ret)
		return c;
	kfree(c);
	return ERR_PTR(ret);
}

static void mlx5vf_core_detach(void *fw, struct pci_dev *vf,
			       struct notifier_block *nb)
{
	struct mlx5vf_core *c = fw;

	mlx5_sriov_blocking_notifier_unregister(c->mdev, pci_iov_vf_id(vf),
						&c->nb);
	mlx5vf_core_track_close(c);
	mutex_destroy(&c->lock);
	kfree(c);
}

static int mlx5vf_core_exec(void *fw, void *in, int in_size, void *out,
			    int out_size)
{
	return mlx5_cmd_exec(((struct mlx5vf_core *)fw)->mdev, in, in_size,
			     out, out_size);
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
	struct mlx5_core_dev *mdev = ((struct mlx5vf_core *)fw)->mdev;
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
	struct mlx5_core_dev *mdev = ((struct mlx5vf_core *)fw)->mdev;
	struct mlx5vf_core_map *m = buf->map_priv;

	mlx5_core_destroy_mkey(mdev, buf->mkey);
	mlx5_core_dealloc_pd(mdev, m->pdn);
	mlx5vf_core_dma_unmap(mdev, m, buf->npages);
	kvfree(m);
	buf->map_priv = NULL;
}

static u32 mlx5vf_core_caps(void *fw)
{
	struct mlx5_core_dev *mdev = ((struct mlx5vf_core *)fw)->mdev;
	u32 caps = 0;

	if (MLX5_CAP_GEN_2(mdev, migration_in_chunks))
		caps |= MLX5VF_FW_CAP_CHUNK;
	/* The page tracker, where it can send the channel's message size */
	if (MLX5_CAP_GEN(mdev, adv_virtualization) &&
	    MLX5_CAP_ADV_VIRTUALIZATION(mdev, pg_track_log_min_msg_size) <=
	    MLX5VF_TRACK_MSG_LOG &&
	    MLX5_CAP_ADV_VIRTUALIZATION(mdev, pg_track_log_max_msg_size) >=
	    MLX5VF_TRACK_MSG_LOG)
		caps |= MLX5VF_FW_CAP_TRACK;
#if VFIO_PCI_COMPAT_MLX5_MIG_STATE
	if (MLX5_CAP_GEN_2(mdev, migration_state))
		caps |= MLX5VF_FW_CAP_MIG_STATE;
#endif
	return caps;
}

const struct mlx5vf_fw_ops mlx5vf_fw_core_ops = {
	.attach		= mlx5vf_core_attach,
	.detach		= mlx5vf_core_detach,
	.exec		= mlx5vf_core_exec,
	.map		= mlx5vf_core_map,
	.unmap		= mlx5vf_core_unmap,
	.caps		= mlx5vf_core_caps,
	.track_open	= mlx5vf_core_track_open,
	.track_read	= mlx5vf_core_track_read,
	.track_close	= mlx5vf_core_track_close,
};
