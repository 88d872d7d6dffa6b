// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-fw-double: a test-only stand-in for a ConnectX PF's firmware, as far
 * as mlx5-vfio-pci's migration reaches it.  It exports one symbol,
 * mlx5_fw_double_ops (never an mlx5_core name: the real mlx5_core is in the
 * test kernel too), and answers the command mailboxes the variant builds,
 * from the commands' documented behaviour.  Each attached VF gets a VHCA:
 * an ID, a suspend state and its state bytes (64 KiB from a pattern).
 *
 * SUSPEND_VHCA   INITIATOR: running -> initiator_suspended (it stops
 *		  initiating DMA); RESPONDER: initiator_suspended -> suspended
 *		  (frozen).  Any other order: bad resource state (-EINVAL).
 * RESUME_VHCA    RESPONDER: suspended -> initiator_suspended; INITIATOR:
 *		  initiator_suspended -> running.  Other orders: -EINVAL.
 * QUERY_VHCA_MIGRATION_STATE  required_umem_size and remaining_total_size:
 *		  the image size of the state now, in any suspend state.
 * SAVE_VHCA_STATE  full images only (incremental and set_track 0: -EINVAL),
 *		  of a suspended VHCA, into the mkey's buffer; a size smaller
 *		  than the image or than the mkey's buffer holds: -EINVAL.
 *		  Returns actual_image_size.
 * LOAD_VHCA_STATE  into a suspended VHCA: an image of exactly size bytes
 *		  with a valid header and checksum replaces the state (a
 *		  wrong one: -EINVAL, state unchanged).
 * Any other opcode, or another vhca_id: -EINVAL.  An FLR (the flr op)
 * makes the VHCA run again.  The image is a header (magic, CRC32 of the
 * state, state length) and the state bytes.
 *
 * debugfs, /sys/kernel/debug/mlx5_fw_double/<VF's BDF>/:
 *   state       r   the state bytes
 *   state_size  rw  their number; a new size keeps the bytes it has and
 *		     fills the rest from the pattern (-EBUSY while suspended)
 *   seed        w   refill the whole state from this seed (-EBUSY when
 *		     suspended)
 *   vhca_state  r   running, initiator_suspended or suspended
 *   cmds        r   commands run: "suspend N resume N query N save N load N"
 *   fail        w   "OPCODE ERRNO": the next command with that opcode fails
 *		     with -ERRNO (an injected command failure); "0 0" clears
 *   pf_event    w   "disable" or "enable": sends the VF's driver the PF's
 *		     MLX5_PF_NOTIFY_DISABLE_VF or _ENABLE_VF
 */
#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/mlx5/driver.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

#include "mlx5vf_fw.h"

#define FWD_IMAGE_MAGIC		0x4d4c5849	/* "IXLM" */
#define FWD_STATE_DEFAULT	SZ_64K
#define FWD_STATE_MAX		SZ_64M

enum { FWD_RUNNING, FWD_INITIATOR_SUSPENDED, FWD_SUSPENDED };
static const char *const fwd_state_names[] = {
	"running", "initiator_suspended", "suspended",
};

struct fwd_image_hdr {
	__le32 magic;
	__le32 crc;
	__le64 len;
};

/**
 * struct fwd_vhca - one VF's function in the double's firmware
 * @node: in fwd_vhcas
 * @vf: the VF
 * @nb: its driver's SR-IOV notifier
 * @dir: its debugfs directory
 * @lock: serializes commands and debugfs on @state
 * @vstate: FWD_*; written under @lock, and by an FLR without it
 * @vhca_id: its ID
 * @state: the state bytes
 * @size: their number
 * @seed: the pattern of the bytes not written yet
 * @fail_op: opcode of the next command to fail, 0 for none
 * @fail_err: the errno it fails with
 * @cmds: commands run, per opcode from SUSPEND_VHCA on
 */
struct fwd_vhca {
	struct list_head node;
	struct pci_dev *vf;
	struct notifier_block *nb;
	struct dentry *dir;
	struct mutex lock;	/* commands and debugfs, on @state */
	int vstate;
	u16 vhca_id;
	u8 *state;
	size_t size;
	u32 seed;
	u16 fail_op;
	int fail_err;
	unsigned long cmds[5];
};

/**
 * struct fwd_mkey - a buffer the variant mapped
 * @node: in fwd_mkeys
 * @key: its mkey
 * @buf: the buffer
 */
struct fwd_mkey {
	struct list_head node;
	u32 key;
	struct mlx5vf_buf *buf;
};

static DEFINE_MUTEX(fwd_lock);	/* the lists and the ID counters */
static LIST_HEAD(fwd_vhcas);
static LIST_HEAD(fwd_mkeys);
static u16 fwd_next_vhca_id = 0x10;
static u32 fwd_next_mkey = 0x100;
static struct dentry *fwd_root;

static u8 fwd_pattern(u32 seed, size_t i)
{
	u32 x = (u32)i * 2654435761u + seed;

	return x >> 13 ^ x;
}

/* Resize the state to @size bytes, new ones from the pattern. */
static int fwd_resize(struct fwd_vhca *v, size_t size)
{
	u8 *state;
	size_t i;

	if (!size || size > FWD_STATE_MAX)
		return -EINVAL;
	state = vmalloc(size);
	if (!state)
		return -ENOMEM;
	if (v->state)
		memcpy(state, v->state, min(size, v->size));
	for (i = v->size; i < size; i++)
		state[i] = fwd_pattern(v->seed, i);
	vfree(v->state);
	v->state = state;
	v->size = size;
	return 0;
}

static struct mlx5vf_buf *fwd_find_mkey(u32 key)
{
	struct mlx5vf_buf *buf = NULL;
	struct fwd_mkey *m;

	mutex_lock(&fwd_lock);
	list_for_each_entry(m, &fwd_mkeys, node)
		if (m->key == key)
			buf = m->buf;
	mutex_unlock(&fwd_lock);
	return buf;
}

/* The firmware's DMA: copy between a mapped buffer and memory, page-wise. */
static void fwd_dma(struct mlx5vf_buf *buf, void *mem, size_t len, bool to_buf)
{
	size_t off;

	for (off = 0; off < len; off += PAGE_SIZE) {
		struct page *page = buf->pages[off >> PAGE_SHIFT];
		size_t n = min_t(size_t, PAGE_SIZE, len - off);

		if (to_buf)
			memcpy_to_page(page, 0, mem + off, n);
		else
			memcpy_from_page(mem + off, page, 0, n);
	}
}

static int fwd_transition(struct fwd_vhca *v, int from, int to)
{
	if (READ_ONCE(v->vstate) != from)
		return -EINVAL;
	WRITE_ONCE(v->vstate, to);
	return 0;
}

static int fwd_suspend(struct fwd_vhca *v, u16 op_mod)
{
	if (op_mod == MLX5_SUSPEND_VHCA_IN_OP_MOD_SUSPEND_INITIATOR)
		return fwd_transition(v, FWD_RUNNING, FWD_INITIATOR_SUSPENDED);
	if (op_mod == MLX5_SUSPEND_VHCA_IN_OP_MOD_SUSPEND_RESPONDER)
		return fwd_transition(v, FWD_INITIATOR_SUSPENDED, FWD_SUSPENDED);
	return -EINVAL;
}

static int fwd_resume(struct fwd_vhca *v, u16 op_mod)
{
	if (op_mod == MLX5_RESUME_VHCA_IN_OP_MOD_RESUME_RESPONDER)
		return fwd_transition(v, FWD_SUSPENDED, FWD_INITIATOR_SUSPENDED);
	if (op_mod == MLX5_RESUME_VHCA_IN_OP_MOD_RESUME_INITIATOR)
		return fwd_transition(v, FWD_INITIATOR_SUSPENDED, FWD_RUNNING);
	return -EINVAL;
}

static size_t fwd_image_size(struct fwd_vhca *v)
{
	return sizeof(struct fwd_image_hdr) + v->size;
}

static int fwd_save(struct fwd_vhca *v, void *in, void *out)
{
	u32 size = MLX5_GET(save_vhca_state_in, in, size);
	struct fwd_image_hdr *hdr;
	struct mlx5vf_buf *buf;
	u8 *img;

	if (MLX5_GET(save_vhca_state_in, in, incremental) ||
	    MLX5_GET(save_vhca_state_in, in, set_track) ||
	    READ_ONCE(v->vstate) != FWD_SUSPENDED)
		return -EINVAL;
	buf = fwd_find_mkey(MLX5_GET(save_vhca_state_in, in, mkey));
	if (!buf || size < fwd_image_size(v) ||
	    size > (u64)buf->npages * PAGE_SIZE)
		return -EINVAL;
	img = vmalloc(fwd_image_size(v));
	if (!img)
		return -ENOMEM;
	hdr = (struct fwd_image_hdr *)img;
	hdr->magic = cpu_to_le32(FWD_IMAGE_MAGIC);
	hdr->crc = cpu_to_le32(crc32_le(0, v->state, v->size));
	hdr->len = cpu_to_le64(v->size);
	memcpy(img + sizeof(*hdr), v->state, v->size);
	fwd_dma(buf, img, fwd_image_size(v), true);
	vfree(img);
	MLX5_SET(save_vhca_state_out, out, actual_image_size,
		 fwd_image_size(v));
	return 0;
}

static int fwd_load(struct fwd_vhca *v, void *in)
{
	u32 size = MLX5_GET(load_vhca_state_in, in, size);
	struct fwd_image_hdr *hdr;
	struct mlx5vf_buf *buf;
	u64 len;
	u8 *img;

	if (READ_ONCE(v->vstate) != FWD_SUSPENDED)
		return -EINVAL;
	buf = fwd_find_mkey(MLX5_GET(load_vhca_state_in, in, mkey));
	if (!buf || size < sizeof(*hdr) || size > (u64)buf->npages * PAGE_SIZE)
		return -EINVAL;
	img = vmalloc(size);
	if (!img)
		return -ENOMEM;
	fwd_dma(buf, img, size, false);
	hdr = (struct fwd_image_hdr *)img;
	len = le64_to_cpu(hdr->len);
	if (le32_to_cpu(hdr->magic) == FWD_IMAGE_MAGIC && len &&
	    len == size - sizeof(*hdr) &&
	    crc32_le(0, img + sizeof(*hdr), len) == le32_to_cpu(hdr->crc)) {
		vfree(v->state);
		v->state = img;
		v->size = len;
		memmove(img, img + sizeof(*hdr), len);
		return 0;
	}
	vfree(img);
	return -EINVAL;
}

static int fwd_run(struct fwd_vhca *v, u16 opcode, void *in, void *out)
{
	u16 op_mod = MLX5_GET(suspend_vhca_in, in, op_mod);
	u64 image;

	switch (opcode) {
	case MLX5_CMD_OP_SUSPEND_VHCA:
		return fwd_suspend(v, op_mod);
	case MLX5_CMD_OP_RESUME_VHCA:
		return fwd_resume(v, op_mod);
	case MLX5_CMD_OP_QUERY_VHCA_MIGRATION_STATE:
		image = fwd_image_size(v);
		MLX5_SET(query_vhca_migration_state_out, out,
			 required_umem_size, image);
		MLX5_SET64(query_vhca_migration_state_out, out,
			   remaining_total_size, image);
		return 0;
	case MLX5_CMD_OP_SAVE_VHCA_STATE:
		return fwd_save(v, in, out);
	default:
		return fwd_load(v, in);
	}
}

/* Mailbox sizes of the commands served, from SUSPEND_VHCA on. */
static const int fwd_in_size[] = {
	MLX5_ST_SZ_BYTES(suspend_vhca_in), MLX5_ST_SZ_BYTES(resume_vhca_in),
	MLX5_ST_SZ_BYTES(query_vhca_migration_state_in),
	MLX5_ST_SZ_BYTES(save_vhca_state_in), MLX5_ST_SZ_BYTES(load_vhca_state_in),
};

static const int fwd_out_size[] = {
	MLX5_ST_SZ_BYTES(suspend_vhca_out), MLX5_ST_SZ_BYTES(resume_vhca_out),
	MLX5_ST_SZ_BYTES(query_vhca_migration_state_out),
	MLX5_ST_SZ_BYTES(save_vhca_state_out),
	MLX5_ST_SZ_BYTES(load_vhca_state_out),
};

static int fwd_exec(void *fw, void *in, int in_size, void *out, int out_size)
{
	struct fwd_vhca *v = fw;
	u16 opcode = MLX5_GET(suspend_vhca_in, in, opcode);
	unsigned int i = opcode - MLX5_CMD_OP_SUSPEND_VHCA;
	int ret;

	if (i >= ARRAY_SIZE(fwd_in_size) || in_size < fwd_in_size[i] ||
	    out_size < fwd_out_size[i] ||
	    MLX5_GET(suspend_vhca_in, in, vhca_id) != v->vhca_id)
		return -EINVAL;
	memset(out, 0, out_size);
	mutex_lock(&v->lock);
	v->cmds[i]++;
	if (v->fail_op == opcode) {
		v->fail_op = 0;
		ret = -v->fail_err;
	} else {
		ret = fwd_run(v, opcode, in, out);
	}
	mutex_unlock(&v->lock);
	return ret;
}

static int fwd_map(void *fw, struct mlx5vf_buf *buf)
{
	struct fwd_mkey *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m)
		return -ENOMEM;
	m->buf = buf;
	mutex_lock(&fwd_lock);
	m->key = fwd_next_mkey++;
	list_add(&m->node, &fwd_mkeys);
	mutex_unlock(&fwd_lock);
	buf->mkey = m->key;
	return 0;
}

static void fwd_unmap(void *fw, struct mlx5vf_buf *buf)
{
	struct fwd_mkey *m, *tmp;

	mutex_lock(&fwd_lock);
	list_for_each_entry_safe(m, tmp, &fwd_mkeys, node) {
		if (m->key == buf->mkey) {
			list_del(&m->node);
			kfree(m);
		}
	}
	mutex_unlock(&fwd_lock);
}

static void fwd_flr(void *fw)
{
	struct fwd_vhca *v = fw;

	WRITE_ONCE(v->vstate, FWD_RUNNING);
}

/* debugfs */

static ssize_t fwd_state_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct fwd_vhca *v = file->private_data;
	ssize_t ret;

	mutex_lock(&v->lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, v->state, v->size);
	mutex_unlock(&v->lock);
	return ret;
}

static const struct file_operations fwd_state_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = fwd_state_read,
	.llseek = default_llseek,
};

static int fwd_size_get(void *data, u64 *val)
{
	struct fwd_vhca *v = data;

	mutex_lock(&v->lock);
	*val = v->size;
	mutex_unlock(&v->lock);
	return 0;
}

static int fwd_size_set(void *data, u64 val)
{
	struct fwd_vhca *v = data;
	int ret = -EBUSY;

	mutex_lock(&v->lock);
	if (READ_ONCE(v->vstate) != FWD_SUSPENDED)
		ret = fwd_resize(v, val);
	mutex_unlock(&v->lock);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(fwd_size_fops, fwd_size_get, fwd_size_set, "%llu\n");

static int fwd_seed_set(void *data, u64 val)
{
	struct fwd_vhca *v = data;
	size_t size;
	int ret = -EBUSY;

	mutex_lock(&v->lock);
	if (READ_ONCE(v->vstate) != FWD_SUSPENDED) {
		v->seed = val;
		size = v->size;
		v->size = 0;
		ret = fwd_resize(v, size);
		if (ret)
			v->size = size;
	}
	mutex_unlock(&v->lock);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(fwd_seed_fops, NULL, fwd_seed_set, "%llu\n");

static int fwd_show(struct seq_file *m, void *unused)
{
	struct fwd_vhca *v = m->private;

	mutex_lock(&v->lock);
	seq_printf(m, "%s\n", fwd_state_names[READ_ONCE(v->vstate)]);
	mutex_unlock(&v->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fwd);

static int fwd_cmds_show(struct seq_file *m, void *unused)
{
	struct fwd_vhca *v = m->private;

	mutex_lock(&v->lock);
	seq_printf(m, "suspend %lu resume %lu query %lu save %lu load %lu\n",
		   v->cmds[0], v->cmds[1], v->cmds[2], v->cmds[3], v->cmds[4]);
	mutex_unlock(&v->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fwd_cmds);

static ssize_t fwd_fail_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct fwd_vhca *v = file->private_data;
	int op, err;
	char buf[32];

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	if (sscanf(buf, "%i %i", &op, &err) != 2 || op < 0 || op > U16_MAX ||
	    (op && (err <= 0 || err > MAX_ERRNO)))
		return -EINVAL;
	mutex_lock(&v->lock);
	v->fail_op = op;
	v->fail_err = err;
	mutex_unlock(&v->lock);
	return count;
}

static const struct file_operations fwd_fail_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = fwd_fail_write,
};

static ssize_t fwd_event_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct fwd_vhca *v = file->private_data;
	unsigned long event;
	char buf[16];

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	if (sysfs_streq(buf, "disable"))
		event = MLX5_PF_NOTIFY_DISABLE_VF;
	else if (sysfs_streq(buf, "enable"))
		event = MLX5_PF_NOTIFY_ENABLE_VF;
	else
		return -EINVAL;
	v->nb->notifier_call(v->nb, event, NULL);
	return count;
}

static const struct file_operations fwd_event_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = fwd_event_write,
};

static void *fwd_attach(struct pci_dev *vf, struct notifier_block *nb,
			u16 *vhca_id)
{
	struct fwd_vhca *v = kzalloc(sizeof(*v), GFP_KERNEL);
	int ret;

	if (!v)
		return ERR_PTR(-ENOMEM);
	mutex_init(&v->lock);
	v->vf = vf;
	v->nb = nb;
	mutex_lock(&fwd_lock);
	v->vhca_id = fwd_next_vhca_id++;
	mutex_unlock(&fwd_lock);
	v->seed = v->vhca_id;
	ret = fwd_resize(v, FWD_STATE_DEFAULT);
	if (ret) {
		kfree(v);
		return ERR_PTR(ret);
	}
	v->dir = debugfs_create_dir(pci_name(vf), fwd_root);
	debugfs_create_file("state", 0400, v->dir, v, &fwd_state_fops);
	debugfs_create_file_unsafe("state_size", 0600, v->dir, v,
				   &fwd_size_fops);
	debugfs_create_file_unsafe("seed", 0200, v->dir, v, &fwd_seed_fops);
	debugfs_create_file("vhca_state", 0400, v->dir, v, &fwd_fops);
	debugfs_create_file("cmds", 0400, v->dir, v, &fwd_cmds_fops);
	debugfs_create_file("fail", 0200, v->dir, v, &fwd_fail_fops);
	debugfs_create_file("pf_event", 0200, v->dir, v, &fwd_event_fops);
	debugfs_create_u16("vhca_id", 0400, v->dir, &v->vhca_id);
	mutex_lock(&fwd_lock);
	list_add(&v->node, &fwd_vhcas);
	mutex_unlock(&fwd_lock);
	*vhca_id = v->vhca_id;
	return v;
}

static void fwd_detach(void *fw, struct pci_dev *vf, struct notifier_block *nb)
{
	struct fwd_vhca *v = fw;

	debugfs_remove_recursive(v->dir);
	mutex_lock(&fwd_lock);
	list_del(&v->node);
	mutex_unlock(&fwd_lock);
	vfree(v->state);
	mutex_destroy(&v->lock);
	kfree(v);
}

const struct mlx5vf_fw_ops mlx5_fw_double_ops = {
	.attach	= fwd_attach,
	.detach	= fwd_detach,
	.exec	= fwd_exec,
	.map	= fwd_map,
	.unmap	= fwd_unmap,
	.flr	= fwd_flr,
};
EXPORT_SYMBOL_GPL(mlx5_fw_double_ops);

static int __init fwd_init(void)
{
	fwd_root = debugfs_create_dir("mlx5_fw_double", NULL);
	return 0;
}
module_init(fwd_init);

static void __exit fwd_exit(void)
{
	debugfs_remove_recursive(fwd_root);
}
module_exit(fwd_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(VFIO_PCI_CORE_VERSION);
MODULE_DESCRIPTION("Test-only firmware double for mlx5-vfio-pci's migration commands");
