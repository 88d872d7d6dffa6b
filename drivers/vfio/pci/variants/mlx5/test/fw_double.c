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
 * QUERY_VHCA_MIGRATION_STATE  the size of the image a SAVE would take now:
 *		  full, or with incremental what changed since the last SAVE
 *		  (-EINVAL while not tracking; 0 when nothing changed).  With
 *		  chunk (the double always advertises chunk mode) and a chunk
 *		  size set, required_umem_size is one chunk's buffer and
 *		  remaining_total_size the whole image's, units included.
 *		  migration_state (the double offers it, cmd_hca_cap_2's
 *		  migration_state): OPER_MIGRATION_INIT while the VHCA is
 *		  back in its initial migration state (a reconfiguration),
 *		  then a full image is all it can give, so QUERY reports a
 *		  full image's sizes even with incremental; otherwise
 *		  OPER_MIGRATION_READY (no other state is modelled).
 * SAVE_VHCA_STATE  takes an image and hands it out in units (a 16-byte
 *		  header and a piece of the image; one unit unless a chunk
 *		  size is set), one per SAVE, into the mkey's buffer:
 *		  actual_image_size is the unit's size, next_required_umem_size
 *		  the next unit's (0 after the last).  incremental 0 takes a
 *		  full image and restarts the unit sequence; incremental 1
 *		  continues the image while units are left, else takes what
 *		  changed (-EINVAL while not tracking or in the initial
 *		  migration state, which a full image ends); set_track 1 (only on a
 *		  VHCA not suspended) keeps tracking changes, set_track 0 (only
 *		  on a suspended one) stops.  A buffer smaller than the unit:
 *		  -EINVAL.
 * LOAD_VHCA_STATE  into a suspended VHCA, one unit of exactly size bytes
 *		  with a valid header and checksum, in sequence (the unit
 *		  after the last loaded, or unit 0 that starts a stream); the
 *		  last unit of an image applies it (a full one replaces the
 *		  state, a delta changes it).  Anything else: -EINVAL and the
 *		  state is unchanged.
 * CREATE_GENERAL_OBJECT (PAGE_TRACK)  a page tracker for the VHCA (one at a
 *		  time): vhca_id, the open report channel's QP number in
 *		  reporting_qpn, log_page_size 12 to 30, 1 to 8 ranges, each
 *		  non-empty, page-aligned, in order without overlap and below
 *		  2^log_addr_space_size.  It starts TRACKING: every page of a
 *		  range the device writes is marked.
 * MODIFY_GENERAL_OBJECT  state REPORTING with a range inside one tracked
 *		  range (modify_field_select: range BIT(0), state BIT(1)):
 *		  the range's marked pages go out on the report channel, one
 *		  page_track_report_entry each, in IOVA order, and are
 *		  unmarked; the tracker is TRACKING again.  In ERROR: -EINVAL.
 * QUERY_GENERAL_OBJECT  the tracker's state.  DESTROY_GENERAL_OBJECT
 *		  drops it and its marks.  Another object ID: -EINVAL.
 * Any other opcode, or another vhca_id: -EINVAL.  An FLR (the flr op)
 * makes the VHCA run again and stops tracking.  A full image is the state's
 * length (le64) and its bytes; a delta is the new length and, for each
 * 4 KiB block changed, its index (le32) and bytes (up to the length).
 *
 * debugfs, /sys/kernel/debug/mlx5_fw_double/<VF's BDF>/:
 *   state       r   the state bytes
 *   state_size  rw  their number; a new size keeps the bytes it has and
 *		     fills the rest from the pattern (-EBUSY while suspended)
 *   seed        w   refill the whole state from this seed (-EBUSY when
 *		     suspended)
 *   poke        w   "OFFSET LENGTH": change those bytes (-EBUSY when
 *		     suspended, -EINVAL beyond the state)
 *   chunk       rw  the chunk size in bytes (0: whole images; else at
 *		     least 64)
 *   reconfigure w   SIZE: the device was reconfigured: its state becomes
 *		     SIZE bytes (0: the same size; new bytes from the pattern)
 *		     and the VHCA goes back to its initial migration state
 *		     (-EBUSY when suspended)
 *   saved       r   the units saved since the last full image, one line
 *		     each: "SEQUENCE LENGTH CRC32"
 *   loaded      r   the same for the units loaded since unit 0
 *   vhca_state  r   running, initiator_suspended or suspended
 *   cmds        r   commands run: "suspend N resume N query N save N load N
 *		     track N" (track: the general-object commands)
 *   dma_write   w   "IOVA LENGTH": the device wrote there (DMA): the pages
 *		     of tracked ranges it touches are marked
 *   track       r   "none", or "tracking"/"error", the pages marked, the
 *		     ranges and the page size
 *   track_error w   the tracker enters its error state (-ENOENT: none)
 *   fail        w   "OPCODE ERRNO": the next command with that opcode fails
 *		     with -ERRNO (an injected command failure); "0 0" clears
 *   pf_event    w   "disable" or "enable": sends the VF's driver the PF's
 *		     MLX5_PF_NOTIFY_DISABLE_VF (dropping the VF's tracker) or
 *		     _ENABLE_VF; "disable OPCODE":
 *		     the next command with that opcode sends DISABLE_VF from
 *		     another thread, waits for it, then fails with -ENOTCONN
 *		     (the PF disabling SR-IOV in the middle of a command)
 */
#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/mlx5/driver.h>
#include <linux/module.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "mlx5vf_fw.h"

#define FWD_UNIT_MAGIC		0x4d4c5849	/* "IXLM" */
#define FWD_UNIT_LAST		BIT(0)	/* the image's last unit */
#define FWD_UNIT_DELTA		BIT(1)	/* a unit of an incremental image */
#define FWD_STATE_DEFAULT	SZ_64K
#define FWD_STATE_MAX		SZ_64M
#define FWD_BLOCK		SZ_4K
#define FWD_BLOCKS		(FWD_STATE_MAX / FWD_BLOCK)
#define FWD_LOG_MAX		512
#define FWD_TRACK_RANGES	8
#define FWD_QPN_BASE		0x1000

enum { FWD_RUNNING, FWD_INITIATOR_SUSPENDED, FWD_SUSPENDED };
static const char *const fwd_state_names[] = {
	"running", "initiator_suspended", "suspended",
};

struct fwd_unit_hdr {
	__le32 magic;
	__le16 seq;
	__le16 flags;
	__le32 crc;
	__le32 len;
};

/**
 * struct fwd_log - units saved or loaded, in order
 * @n: entries (at most %FWD_LOG_MAX are kept)
 * @len: each unit's size
 * @crc: each unit's CRC32
 */
struct fwd_log {
	unsigned int n;
	u32 len[FWD_LOG_MAX];
	u32 crc[FWD_LOG_MAX];
};

/**
 * struct fwd_vhca - one VF's function in the double's firmware
 * @node: in fwd_vhcas
 * @vf: the VF
 * @nb: its driver's SR-IOV notifier
 * @dir: its debugfs directory
 * @lock: serializes commands and debugfs on the members below
 * @vstate: FWD_*; written under @lock, and by an FLR without it
 * @tracking: changes are tracked (@dirty); cleared by an FLR too
 * @mig_init: back in the initial migration state until a full image is
 *	      taken (a reconfiguration); cleared by an FLR too
 * @voided: an FLR voided the image being handed out (set without @lock)
 * @vhca_id: its ID
 * @state: the state bytes
 * @size: their number
 * @seed: the pattern of the bytes not written yet
 * @tracked_size: @size at the last SAVE
 * @dirty: blocks changed since the last SAVE
 * @chunk: the chunk size, 0 for whole images
 * @out: the image being handed out, @out_len bytes, @out_pos of them sent
 * @out_len: see @out
 * @out_pos: see @out
 * @out_flags: FWD_UNIT_DELTA for an incremental image
 * @save_seq: the next unit's sequence number
 * @in: the image being loaded, @in_len bytes so far
 * @in_len: see @in
 * @load_seq: the sequence number the next loaded unit must have
 * @saved: the units saved since the last full image
 * @loaded: the units loaded since unit 0
 * @fail_op: opcode of the next command to fail, 0 for none
 * @fail_err: the errno it fails with
 * @disable_op: opcode of the next command to run into DISABLE_VF
 * @disable_work: sends DISABLE_VF from another thread
 * @cmds: commands run, per opcode from SUSPEND_VHCA on, then the
 *	  general-object ones
 * @chan_open: the tracker's report channel is set up
 * @track_on: a page tracker exists
 * @track_state: its MLX5_PAGE_TRACK_STATE_*
 * @track_id: its object ID
 * @track_shift: log2 of its page size
 * @track_nr: its ranges' number
 * @track_range: its ranges, [start, end)
 * @marked: the pages marked, by IOVA >> @track_shift
 * @report: the report on the channel: page numbers, @report_n of them,
 *	    @report_pos taken
 * @report_n: see @report
 * @report_pos: see @report
 */
struct fwd_vhca {
	struct list_head node;
	struct pci_dev *vf;
	struct notifier_block *nb;
	struct dentry *dir;
	struct mutex lock;	/* commands and debugfs, on the state */
	int vstate;
	bool tracking;
	bool mig_init;
	bool voided;
	u16 vhca_id;
	u8 *state;
	size_t size;
	u32 seed;
	size_t tracked_size;
	DECLARE_BITMAP(dirty, FWD_BLOCKS);
	u32 chunk;
	u8 *out;
	size_t out_len;
	size_t out_pos;
	u16 out_flags;
	u16 save_seq;
	u8 *in;
	size_t in_len;
	u16 load_seq;
	struct fwd_log saved;
	struct fwd_log loaded;
	u16 fail_op;
	int fail_err;
	u16 disable_op;
	struct work_struct disable_work;
	unsigned long cmds[6];
	bool chan_open;
	bool track_on;
	int track_state;
	u32 track_id;
	unsigned int track_shift;
	u32 track_nr;
	u64 track_range[FWD_TRACK_RANGES][2];
	struct xarray marked;
	u64 *report;
	unsigned long report_n;
	unsigned long report_pos;
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
static u32 fwd_next_obj = 0x40;
static struct dentry *fwd_root;

static u8 fwd_pattern(u32 seed, size_t i)
{
	u32 x = (u32)i * 2654435761u + seed;

	return x >> 13 ^ x;
}

/* Blocks [@from, @to) of the state changed. */
static void fwd_mark(struct fwd_vhca *v, size_t from, size_t to)
{
	if (v->tracking && to > from)
		bitmap_set(v->dirty, from / FWD_BLOCK,
			   DIV_ROUND_UP(to, FWD_BLOCK) - from / FWD_BLOCK);
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
	fwd_mark(v, v->size, size);
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

/* The bytes of block @b that a state of @size bytes has. */
static size_t fwd_block_len(size_t size, unsigned long b)
{
	return min_t(size_t, FWD_BLOCK, size - b * FWD_BLOCK);
}

/* The image a SAVE would take now; 0 for an empty increment. */
static size_t fwd_image_len(struct fwd_vhca *v, bool inc)
{
	size_t len = sizeof(__le64);
	unsigned long b;

	if (!inc)
		return len + v->size;
	for_each_set_bit(b, v->dirty, DIV_ROUND_UP(v->size, FWD_BLOCK))
		len += sizeof(__le32) + fwd_block_len(v->size, b);
	return len == sizeof(__le64) && v->size == v->tracked_size ? 0 : len;
}

/* Payload bytes of a unit carrying @left more bytes of the image. */
static size_t fwd_unit_payload(struct fwd_vhca *v, size_t left)
{
	if (!v->chunk)
		return left;
	return min_t(size_t, left, v->chunk - sizeof(struct fwd_unit_hdr));
}

/* Take the image: the state, or the blocks changed since the last SAVE. */
static int fwd_take(struct fwd_vhca *v, bool inc)
{
	size_t len = fwd_image_len(v, inc), pos = sizeof(__le64);
	unsigned long b;
	u8 *img;

	if (!len)
		return -EINVAL;
	img = vmalloc(len);
	if (!img)
		return -ENOMEM;
	put_unaligned_le64(v->size, img);
	if (!inc) {
		memcpy(img + pos, v->state, v->size);
	} else {
		for_each_set_bit(b, v->dirty, DIV_ROUND_UP(v->size, FWD_BLOCK)) {
			put_unaligned_le32(b, img + pos);
			pos += sizeof(__le32);
			memcpy(img + pos, v->state + b * FWD_BLOCK,
			       fwd_block_len(v->size, b));
			pos += fwd_block_len(v->size, b);
		}
	}
	vfree(v->out);
	v->out = img;
	v->out_len = len;
	v->out_pos = 0;
	v->out_flags = inc ? FWD_UNIT_DELTA : 0;
	bitmap_zero(v->dirty, FWD_BLOCKS);
	v->tracked_size = v->size;
	return 0;
}

static void fwd_log(struct fwd_log *log, u32 len, u32 crc)
{
	if (log->n < FWD_LOG_MAX) {
		log->len[log->n] = len;
		log->crc[log->n] = crc;
	}
	log->n++;
}

static int fwd_query(struct fwd_vhca *v, void *in, void *out)
{
	bool inc = MLX5_GET(query_vhca_migration_state_in, in, incremental);
	bool init = READ_ONCE(v->mig_init);
	size_t len, unit, units;

	if (inc && !init && !v->tracking)
		return -EINVAL;
	MLX5_SET(query_vhca_migration_state_out, out, migration_state,
		 init ? MLX5_QUERY_VHCA_MIG_STATE_OPER_MIGRATION_INIT :
			MLX5_QUERY_VHCA_MIG_STATE_OPER_MIGRATION_READY);
	len = fwd_image_len(v, inc && !init);
	unit = fwd_unit_payload(v, len);
	units = unit ? DIV_ROUND_UP(len, unit) : 0;
	if (!MLX5_GET(query_vhca_migration_state_in, in, chunk))
		unit = len;
	MLX5_SET(query_vhca_migration_state_out, out, required_umem_size,
		 len ? unit + sizeof(struct fwd_unit_hdr) : 0);
	MLX5_SET64(query_vhca_migration_state_out, out, remaining_total_size,
		   len + units * sizeof(struct fwd_unit_hdr));
	return 0;
}

static int fwd_save(struct fwd_vhca *v, void *in, void *out)
{
	u32 size = MLX5_GET(save_vhca_state_in, in, size);
	bool inc = MLX5_GET(save_vhca_state_in, in, incremental);
	bool track = MLX5_GET(save_vhca_state_in, in, set_track);
	struct fwd_unit_hdr *hdr;
	struct mlx5vf_buf *buf;
	size_t n;
	int ret;

	buf = fwd_find_mkey(MLX5_GET(save_vhca_state_in, in, mkey));
	if (!buf || size > (u64)buf->npages * PAGE_SIZE)
		return -EINVAL;
	if (!inc || v->out_pos == v->out_len) {
		/* A new image: tracking on a running VHCA, else a frozen one */
		if ((READ_ONCE(v->vstate) == FWD_SUSPENDED) == track ||
		    (inc && (!v->tracking || READ_ONCE(v->mig_init))))
			return -EINVAL;
		ret = fwd_take(v, inc);
		if (ret)
			return ret;
		if (!inc) {
			v->save_seq = 0;
			v->saved.n = 0;
			WRITE_ONCE(v->mig_init, false);
		}
		v->tracking = track;
	}
	n = fwd_unit_payload(v, v->out_len - v->out_pos);
	if (size < sizeof(*hdr) + n)
		return -EINVAL;
	hdr = vmalloc(sizeof(*hdr) + n);
	if (!hdr)
		return -ENOMEM;
	memcpy(hdr + 1, v->out + v->out_pos, n);
	v->out_pos += n;
	hdr->magic = cpu_to_le32(FWD_UNIT_MAGIC);
	hdr->seq = cpu_to_le16(v->save_seq++);
	hdr->flags = cpu_to_le16(v->out_flags |
				 (v->out_pos == v->out_len ? FWD_UNIT_LAST : 0));
	hdr->crc = cpu_to_le32(crc32_le(0, hdr + 1, n));
	hdr->len = cpu_to_le32(n);
	fwd_dma(buf, hdr, sizeof(*hdr) + n, true);
	fwd_log(&v->saved, sizeof(*hdr) + n,
		crc32_le(0, hdr, sizeof(*hdr) + n));
	vfree(hdr);
	MLX5_SET(save_vhca_state_out, out, actual_image_size, sizeof(*hdr) + n);
	n = fwd_unit_payload(v, v->out_len - v->out_pos);
	MLX5_SET(save_vhca_state_out, out, next_required_umem_size,
		 n ? sizeof(*hdr) + n : 0);
	if (v->out_pos == v->out_len) {
		vfree(v->out);
		v->out = NULL;
		v->out_len = 0;
		v->out_pos = 0;
	}
	return 0;
}

/* Apply the image in @img (@len bytes) to the state, or change nothing. */
static int fwd_apply(struct fwd_vhca *v, const u8 *img, size_t len,
		     bool delta)
{
	size_t size, pos = sizeof(__le64), n;
	u8 *state;
	u32 b;

	if (len < pos)
		return -EINVAL;
	size = get_unaligned_le64(img);
	if (!size || size > FWD_STATE_MAX || (!delta && len != pos + size))
		return -EINVAL;
	state = vzalloc(size);
	if (!state)
		return -ENOMEM;
	if (delta)
		memcpy(state, v->state, min(size, v->size));
	else
		memcpy(state, img + pos, size);
	while (delta && pos < len) {
		if (len - pos < sizeof(__le32))
			goto bad;
		b = get_unaligned_le32(img + pos);
		pos += sizeof(__le32);
		if (b >= DIV_ROUND_UP(size, FWD_BLOCK))
			goto bad;
		n = fwd_block_len(size, b);
		if (len - pos < n)
			goto bad;
		memcpy(state + (size_t)b * FWD_BLOCK, img + pos, n);
		pos += n;
	}
	vfree(v->state);
	v->state = state;
	v->size = size;
	return 0;
bad:
	vfree(state);
	return -EINVAL;
}

static int fwd_load(struct fwd_vhca *v, void *in)
{
	u32 size = MLX5_GET(load_vhca_state_in, in, size);
	struct fwd_unit_hdr *hdr;
	struct mlx5vf_buf *buf;
	u16 seq, flags;
	u8 *unit, *img;
	u32 len;
	int ret;

	if (READ_ONCE(v->vstate) != FWD_SUSPENDED)
		return -EINVAL;
	buf = fwd_find_mkey(MLX5_GET(load_vhca_state_in, in, mkey));
	if (!buf || size < sizeof(*hdr) || size > (u64)buf->npages * PAGE_SIZE)
		return -EINVAL;
	unit = vmalloc(size);
	if (!unit)
		return -ENOMEM;
	fwd_dma(buf, unit, size, false);
	hdr = (struct fwd_unit_hdr *)unit;
	len = le32_to_cpu(hdr->len);
	seq = le16_to_cpu(hdr->seq);
	flags = le16_to_cpu(hdr->flags);
	ret = -EINVAL;
	if (le32_to_cpu(hdr->magic) != FWD_UNIT_MAGIC ||
	    len != size - sizeof(*hdr) ||
	    crc32_le(0, hdr + 1, len) != le32_to_cpu(hdr->crc) ||
	    (seq && seq != v->load_seq) || v->in_len + len > 2 * FWD_STATE_MAX)
		goto out;
	if (!seq) {
		v->in_len = 0;
		v->loaded.n = 0;
	}
	ret = -ENOMEM;
	img = vmalloc(v->in_len + len);
	if (!img)
		goto out;
	if (v->in_len)
		memcpy(img, v->in, v->in_len);
	memcpy(img + v->in_len, hdr + 1, len);
	ret = 0;
	if (flags & FWD_UNIT_LAST)
		ret = fwd_apply(v, img, v->in_len + len,
				flags & FWD_UNIT_DELTA);
	vfree(v->in);
	v->in = img;
	v->in_len += len;
	if (ret || (flags & FWD_UNIT_LAST)) {
		vfree(v->in);
		v->in = NULL;
		v->in_len = 0;
	}
	if (!ret) {
		v->load_seq = seq + 1;
		fwd_log(&v->loaded, size, crc32_le(0, unit, size));
	}
out:
	vfree(unit);
	return ret;
}

static int fwd_run(struct fwd_vhca *v, u16 opcode, void *in, void *out)
{
	u16 op_mod = MLX5_GET(suspend_vhca_in, in, op_mod);

	switch (opcode) {
	case MLX5_CMD_OP_SUSPEND_VHCA:
		return fwd_suspend(v, op_mod);
	case MLX5_CMD_OP_RESUME_VHCA:
		return fwd_resume(v, op_mod);
	case MLX5_CMD_OP_QUERY_VHCA_MIGRATION_STATE:
		return fwd_query(v, in, out);
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

/* The page tracker */

static void fwd_track_drop(struct fwd_vhca *v)
{
	xa_destroy(&v->marked);
	kvfree(v->report);
	v->report = NULL;
	v->report_n = 0;
	v->report_pos = 0;
	v->track_on = false;
}

static int fwd_track_create(struct fwd_vhca *v, void *in, int in_size,
			    void *out)
{
	void *ctx = MLX5_ADDR_OF(create_page_track_obj_in, in, obj_context);
	u32 nr = MLX5_GET(page_track, ctx, num_ranges);
	unsigned int shift = MLX5_GET(page_track, ctx, log_page_size);
	unsigned int space = MLX5_GET(page_track, ctx, log_addr_space_size);
	u64 prev = 0, start, len;
	u32 i;

	if (v->track_on || !v->chan_open ||
	    MLX5_GET(page_track, ctx, vhca_id) != v->vhca_id ||
	    MLX5_GET(page_track, ctx, reporting_qpn) != FWD_QPN_BASE + v->vhca_id ||
	    shift < 12 || shift > 30 || !nr || nr > FWD_TRACK_RANGES ||
	    in_size < MLX5_ST_SZ_BYTES(create_page_track_obj_in) +
		      nr * MLX5_ST_SZ_BYTES(page_track_range))
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		void *r = MLX5_ADDR_OF(page_track, ctx, track_range[i]);

		start = MLX5_GET64(page_track_range, r, start_address);
		len = MLX5_GET64(page_track_range, r, length);
		if (!len || !IS_ALIGNED(start | len, 1ULL << shift) ||
		    start < prev || start + len < start ||
		    (space < 64 && start + len > 1ULL << space))
			return -EINVAL;
		v->track_range[i][0] = start;
		v->track_range[i][1] = start + len;
		prev = start + len;
	}
	xa_init(&v->marked);
	v->track_on = true;
	v->track_state = MLX5_PAGE_TRACK_STATE_TRACKING;
	v->track_shift = shift;
	v->track_nr = nr;
	mutex_lock(&fwd_lock);
	v->track_id = fwd_next_obj++;
	mutex_unlock(&fwd_lock);
	MLX5_SET(general_obj_out_cmd_hdr, out, obj_id, v->track_id);
	return 0;
}

/* The tracked range holding [@start, @end), or -1. */
static int fwd_track_range_of(struct fwd_vhca *v, u64 start, u64 end)
{
	u32 i;

	for (i = 0; i < v->track_nr; i++)
		if (start >= v->track_range[i][0] && end <= v->track_range[i][1])
			return i;
	return -1;
}

static int fwd_track_report(struct fwd_vhca *v, void *in)
{
	void *ctx = MLX5_ADDR_OF(modify_page_track_obj_in, in, obj_context);
	u64 start = MLX5_GET64(page_track, ctx, range_start_address);
	u64 len = MLX5_GET64(page_track, ctx, length);
	unsigned long first, last, idx, n = 0;
	void *entry;

	if (v->track_state != MLX5_PAGE_TRACK_STATE_TRACKING ||
	    MLX5_GET64(page_track, ctx, modify_field_select) != 3 ||
	    MLX5_GET(page_track, ctx, state) != MLX5_PAGE_TRACK_STATE_REPORTING ||
	    !len || start + len < start ||
	    fwd_track_range_of(v, start, start + len) < 0)
		return -EINVAL;
	first = start >> v->track_shift;
	last = (start + len - 1) >> v->track_shift;
	xa_for_each_range(&v->marked, idx, entry, first, last)
		n++;
	kvfree(v->report);
	v->report = kvcalloc(max(n, 1UL), sizeof(*v->report), GFP_KERNEL);
	v->report_n = 0;
	v->report_pos = 0;
	if (!v->report)
		return -ENOMEM;
	xa_for_each_range(&v->marked, idx, entry, first, last) {
		v->report[v->report_n++] = idx;
		xa_erase(&v->marked, idx);
	}
	return 0;
}

static int fwd_track_run(struct fwd_vhca *v, u16 opcode, void *in,
			 int in_size, void *out, int out_size)
{
	if (in_size < MLX5_ST_SZ_BYTES(general_obj_in_cmd_hdr) ||
	    out_size < MLX5_ST_SZ_BYTES(general_obj_out_cmd_hdr) ||
	    MLX5_GET(general_obj_in_cmd_hdr, in, obj_type) !=
	    MLX5_OBJ_TYPE_PAGE_TRACK)
		return -EINVAL;
	if (opcode == MLX5_CMD_OP_CREATE_GENERAL_OBJECT)
		return fwd_track_create(v, in, in_size, out);
	if (!v->track_on ||
	    MLX5_GET(general_obj_in_cmd_hdr, in, obj_id) != v->track_id)
		return -EINVAL;
	switch (opcode) {
	case MLX5_CMD_OP_MODIFY_GENERAL_OBJECT:
		if (in_size < MLX5_ST_SZ_BYTES(modify_page_track_obj_in))
			return -EINVAL;
		return fwd_track_report(v, in);
	case MLX5_CMD_OP_QUERY_GENERAL_OBJECT:
		if (out_size < MLX5_ST_SZ_BYTES(query_page_track_obj_out))
			return -EINVAL;
		MLX5_SET(query_page_track_obj_out, out, obj_context.state,
			 v->track_state);
		return 0;
	default:
		fwd_track_drop(v);
		return 0;
	}
}

static int fwd_track_open(void *fw, u32 *qpn)
{
	struct fwd_vhca *v = fw;
	int ret = -EBUSY;

	mutex_lock(&v->lock);
	if (!v->chan_open) {
		v->chan_open = true;
		*qpn = FWD_QPN_BASE + v->vhca_id;
		ret = 0;
	}
	mutex_unlock(&v->lock);
	return ret;
}

static int fwd_track_read(void *fw, __be32 *entries, unsigned int max,
			  unsigned int *n, bool *done)
{
	struct fwd_vhca *v = fw;
	u64 iova;

	mutex_lock(&v->lock);
	for (*n = 0; *n < max && v->report_pos < v->report_n; (*n)++) {
		iova = v->report[v->report_pos++] << v->track_shift;
		entries[2 * *n] = cpu_to_be32(upper_32_bits(iova));
		entries[2 * *n + 1] = cpu_to_be32(lower_32_bits(iova));
	}
	*done = v->report_pos == v->report_n;
	mutex_unlock(&v->lock);
	return 0;
}

static void fwd_track_close(void *fw)
{
	struct fwd_vhca *v = fw;

	mutex_lock(&v->lock);
	v->chan_open = false;
	mutex_unlock(&v->lock);
}

static void fwd_disable_work(struct work_struct *work)
{
	struct fwd_vhca *v = container_of(work, struct fwd_vhca, disable_work);

	v->nb->notifier_call(v->nb, MLX5_PF_NOTIFY_DISABLE_VF, NULL);
}

static int fwd_exec(void *fw, void *in, int in_size, void *out, int out_size)
{
	struct fwd_vhca *v = fw;
	u16 opcode = MLX5_GET(suspend_vhca_in, in, opcode);
	unsigned int i = opcode - MLX5_CMD_OP_SUSPEND_VHCA;
	bool track = opcode >= MLX5_CMD_OP_CREATE_GENERAL_OBJECT &&
		     opcode <= MLX5_CMD_OP_DESTROY_GENERAL_OBJECT;
	int ret;

	if (track)
		i = ARRAY_SIZE(fwd_in_size);
	else if (i >= ARRAY_SIZE(fwd_in_size) || in_size < fwd_in_size[i] ||
		 out_size < fwd_out_size[i] ||
		 MLX5_GET(suspend_vhca_in, in, vhca_id) != v->vhca_id)
		return -EINVAL;
	memset(out, 0, out_size);
	mutex_lock(&v->lock);
	v->cmds[i]++;
	if (READ_ONCE(v->voided)) {
		WRITE_ONCE(v->voided, false);
		v->out_pos = v->out_len;
	}
	if (v->disable_op == opcode) {
		/* The PF's thread disables SR-IOV while the command runs. */
		v->disable_op = 0;
		schedule_work(&v->disable_work);
		flush_work(&v->disable_work);
		ret = -ENOTCONN;
	} else if (v->fail_op == opcode) {
		v->fail_op = 0;
		ret = -v->fail_err;
	} else if (track) {
		ret = fwd_track_run(v, opcode, in, in_size, out, out_size);
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
	WRITE_ONCE(v->tracking, false);
	WRITE_ONCE(v->mig_init, false);
	WRITE_ONCE(v->voided, true);
}

static u32 fwd_caps(void *fw)
{
	return MLX5VF_FW_CAP_CHUNK | MLX5VF_FW_CAP_TRACK |
	       MLX5VF_FW_CAP_MIG_STATE;
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

/* A reconfiguration: maybe a new state size, and back to the initial state */
static int fwd_reconfigure_set(void *data, u64 val)
{
	struct fwd_vhca *v = data;
	int ret = -EBUSY;

	mutex_lock(&v->lock);
	if (READ_ONCE(v->vstate) != FWD_SUSPENDED) {
		ret = val ? fwd_resize(v, val) : 0;
		if (!ret)
			WRITE_ONCE(v->mig_init, true);
	}
	mutex_unlock(&v->lock);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(fwd_reconfigure_fops, NULL, fwd_reconfigure_set,
			 "%llu\n");

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
	seq_printf(m, "suspend %lu resume %lu query %lu save %lu load %lu track %lu\n",
		   v->cmds[0], v->cmds[1], v->cmds[2], v->cmds[3], v->cmds[4],
		   v->cmds[5]);
	mutex_unlock(&v->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fwd_cmds);

static void fwd_log_show(struct seq_file *m, struct fwd_vhca *v,
			 struct fwd_log *log)
{
	unsigned int i;

	mutex_lock(&v->lock);
	for (i = 0; i < min(log->n, FWD_LOG_MAX); i++)
		seq_printf(m, "%u %u %08x\n", i, log->len[i], log->crc[i]);
	if (log->n > FWD_LOG_MAX)
		seq_puts(m, "...\n");
	mutex_unlock(&v->lock);
}

static int fwd_saved_show(struct seq_file *m, void *unused)
{
	struct fwd_vhca *v = m->private;

	fwd_log_show(m, v, &v->saved);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fwd_saved);

static int fwd_loaded_show(struct seq_file *m, void *unused)
{
	struct fwd_vhca *v = m->private;

	fwd_log_show(m, v, &v->loaded);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fwd_loaded);

static int fwd_chunk_get(void *data, u64 *val)
{
	struct fwd_vhca *v = data;

	mutex_lock(&v->lock);
	*val = v->chunk;
	mutex_unlock(&v->lock);
	return 0;
}

static int fwd_chunk_set(void *data, u64 val)
{
	struct fwd_vhca *v = data;

	if (val && (val < 64 || val > U32_MAX))
		return -EINVAL;
	mutex_lock(&v->lock);
	v->chunk = val;
	mutex_unlock(&v->lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(fwd_chunk_fops, fwd_chunk_get, fwd_chunk_set,
			 "%llu\n");

/* Read "A B" from the user: two numbers. */
static int fwd_get_pair(const char __user *ubuf, size_t count, u64 *a, u64 *b)
{
	char buf[48];

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	return sscanf(buf, "%lli %lli", a, b) == 2 ? 0 : -EINVAL;
}

static ssize_t fwd_poke_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct fwd_vhca *v = file->private_data;
	u64 off, len, i;
	int ret;

	ret = fwd_get_pair(ubuf, count, &off, &len);
	if (ret)
		return ret;
	mutex_lock(&v->lock);
	if (READ_ONCE(v->vstate) == FWD_SUSPENDED)
		ret = -EBUSY;
	else if (!len || off >= v->size || len > v->size - off)
		ret = -EINVAL;
	for (i = off; !ret && i < off + len; i++)
		v->state[i] ^= 0xa5;
	if (!ret)
		fwd_mark(v, off, off + len);
	mutex_unlock(&v->lock);
	return ret ?: count;
}

static const struct file_operations fwd_poke_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = fwd_poke_write,
};

static ssize_t fwd_dma_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct fwd_vhca *v = file->private_data;
	u64 iova, len, last, page, lo, hi;
	u32 i;
	int ret;

	ret = fwd_get_pair(ubuf, count, &iova, &len);
	if (ret)
		return ret;
	if (!len || iova + len - 1 < iova)
		return -EINVAL;
	last = iova + len - 1;
	mutex_lock(&v->lock);
	for (i = 0; v->track_on && i < v->track_nr; i++) {
		lo = max(iova, v->track_range[i][0]);
		hi = min(last, v->track_range[i][1] - 1);
		if (v->track_state != MLX5_PAGE_TRACK_STATE_TRACKING)
			break;
		for (page = lo >> v->track_shift;
		     !ret && lo <= hi && page <= hi >> v->track_shift; page++)
			ret = xa_err(xa_store(&v->marked, page, xa_mk_value(1),
					      GFP_KERNEL));
	}
	mutex_unlock(&v->lock);
	return ret ?: count;
}

static const struct file_operations fwd_dma_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = fwd_dma_write,
};

static int fwd_tracker_show(struct seq_file *m, void *unused)
{
	struct fwd_vhca *v = m->private;
	unsigned long idx, n = 0;
	void *entry;

	mutex_lock(&v->lock);
	if (!v->track_on) {
		seq_puts(m, "none\n");
	} else {
		xa_for_each(&v->marked, idx, entry)
			n++;
		seq_printf(m, "%s %lu %u %llu\n",
			   v->track_state == MLX5_PAGE_TRACK_STATE_ERROR ?
			   "error" : "tracking", n, v->track_nr,
			   1ULL << v->track_shift);
	}
	mutex_unlock(&v->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fwd_tracker);

static ssize_t fwd_track_error_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct fwd_vhca *v = file->private_data;
	int ret = -ENOENT;

	mutex_lock(&v->lock);
	if (v->track_on) {
		v->track_state = MLX5_PAGE_TRACK_STATE_ERROR;
		ret = count;
	}
	mutex_unlock(&v->lock);
	return ret;
}

static const struct file_operations fwd_track_error_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = fwd_track_error_write,
};

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
	char buf[24];
	int op;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	if (sscanf(buf, "disable %i", &op) == 1) {
		if (op <= 0 || op > U16_MAX)
			return -EINVAL;
		mutex_lock(&v->lock);
		v->disable_op = op;
		mutex_unlock(&v->lock);
		return count;
	}
	if (sysfs_streq(buf, "disable")) {
		/* The VF's function goes away, and its tracker with it. */
		mutex_lock(&v->lock);
		if (v->track_on)
			fwd_track_drop(v);
		mutex_unlock(&v->lock);
		event = MLX5_PF_NOTIFY_DISABLE_VF;
	} else if (sysfs_streq(buf, "enable")) {
		event = MLX5_PF_NOTIFY_ENABLE_VF;
	} else {
		return -EINVAL;
	}
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
	INIT_WORK(&v->disable_work, fwd_disable_work);
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
	debugfs_create_file("saved", 0400, v->dir, v, &fwd_saved_fops);
	debugfs_create_file("loaded", 0400, v->dir, v, &fwd_loaded_fops);
	debugfs_create_file("poke", 0200, v->dir, v, &fwd_poke_fops);
	debugfs_create_file_unsafe("chunk", 0600, v->dir, v, &fwd_chunk_fops);
	debugfs_create_file_unsafe("reconfigure", 0200, v->dir, v,
				   &fwd_reconfigure_fops);
	debugfs_create_file("fail", 0200, v->dir, v, &fwd_fail_fops);
	debugfs_create_file("pf_event", 0200, v->dir, v, &fwd_event_fops);
	debugfs_create_u16("vhca_id", 0400, v->dir, &v->vhca_id);
	debugfs_create_file("dma_write", 0200, v->dir, v, &fwd_dma_fops);
	debugfs_create_file("track", 0400, v->dir, v, &fwd_tracker_fops);
	debugfs_create_file("track_error", 0200, v->dir, v,
			    &fwd_track_error_fops);
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
	cancel_work_sync(&v->disable_work);
	if (v->track_on)
		fwd_track_drop(v);
	vfree(v->out);
	vfree(v->in);
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
	.caps	= fwd_caps,
	.track_open	= fwd_track_open,
	.track_read	= fwd_track_read,
	.track_close	= fwd_track_close,
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
