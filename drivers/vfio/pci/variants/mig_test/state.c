// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-mig-test: BAR2 as migration state, chunk by chunk (see
 * mig_test.h).  Every callback runs under the core's migration state lock,
 * which is what serializes the session fields of struct mig_test_device.
 */
#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/unaligned.h>

#include "mig_test.h"

enum { MIG_TEST_TAG_CONFIG = 1, MIG_TEST_TAG_CHUNK };

/* The first record: what the destination must have to take the rest. */
struct mig_test_config {
	__le64 bar_size;
	__le32 chunk;
	__le32 nr_chunks;
};

/* FNV-1a over 64-bit words: cheap under TCG, and enough to see a change. */
static u64 mig_test_hash(const u8 *p, u32 len)
{
	u64 h = 0xcbf29ce484222325ULL;
	u32 i;

	for (i = 0; i + 8 <= len; i += 8)
		h = (h ^ get_unaligned_le64(p + i)) * 0x100000001b3ULL;
	return h;
}

static u32 mig_test_chunk_len(struct mig_test_device *t, u32 i)
{
	return min_t(u64, MIG_TEST_CHUNK, t->bar_size - (u64)i * MIG_TEST_CHUNK);
}

/* BAR2 bytes to or from @buf, with the device's memory decoding on. */
static int mig_test_bar_copy(struct mig_test_device *t, u64 off, void *buf,
			     u32 len, bool to_bar)
{
	void __iomem *io = vfio_pci_core_iomap(&t->core, MIG_TEST_BAR);
	u16 cmd;

	if (IS_ERR(io))
		return PTR_ERR(io);
	cmd = vfio_pci_core_mmio_begin(&t->core);
	if (to_bar)
		memcpy_toio(io + off, buf, len);
	else
		memcpy_fromio(buf, io + off, len);
	vfio_pci_core_mmio_end(&t->core, cmd);
	return 0;
}

static int mig_test_begin(struct mig_test_device *t,
			  struct vfio_pci_mig_stream *s)
{
	u64 window = (u64)READ_ONCE(t->window) << 20;
	struct mig_test_config cfg;

	if (!window || window > t->bar_size)
		window = t->bar_size;
	t->sess_chunks = DIV_ROUND_UP(window, MIG_TEST_CHUNK);
	bitmap_zero(t->sent, t->nr_chunks);
	t->nr_sent = 0;
	t->cursor = 0;
	t->in_save = false;
	t->in_session = true;
	cfg.bar_size = cpu_to_le64(t->bar_size);
	cfg.chunk = cpu_to_le32(MIG_TEST_CHUNK);
	cfg.nr_chunks = cpu_to_le32(t->sess_chunks);
	return vfio_pci_mig_put(s, MIG_TEST_TAG_CONFIG, &cfg, sizeof(cfg));
}

/*
 * Send, from the cursor on, each chunk not sent yet or changed since.
 * Returns 1 when the data file's buffer is full, 0 at the window's end.
 */
static int mig_test_send(struct mig_test_device *t,
			 struct vfio_pci_mig_stream *s)
{
	u32 i, len;
	u64 h;
	int ret;

	if (cmpxchg(&t->fault, MIG_TEST_FAULT_PRODUCE, MIG_TEST_FAULT_NONE) ==
	    MIG_TEST_FAULT_PRODUCE)
		return -EIO;

	for (; t->cursor < t->sess_chunks; t->cursor++) {
		i = t->cursor;
		len = mig_test_chunk_len(t, i);
		put_unaligned_le64((u64)i * MIG_TEST_CHUNK, t->chunk);
		ret = mig_test_bar_copy(t, (u64)i * MIG_TEST_CHUNK,
					t->chunk + 8, len, false);
		if (ret)
			return ret;
		h = mig_test_hash(t->chunk + 8, len);
		if (test_bit(i, t->sent) && t->hash[i] == h)
			continue;
		ret = vfio_pci_mig_put(s, MIG_TEST_TAG_CHUNK, t->chunk, len + 8);
		if (ret == -ENOSPC)
			return 1;
		if (ret)
			return ret;
		t->hash[i] = h;
		if (!__test_and_set_bit(i, t->sent))
			t->nr_sent++;
	}
	return 0;
}

static int mig_test_precopy(struct vfio_pci_core_device *core,
			    struct vfio_pci_mig_stream *s, bool initial)
{
	struct mig_test_device *t = to_mig_test(core);
	int ret;

	if (!t->in_session)
		return mig_test_begin(t, s) ?: mig_test_send(t, s);
	/* A new pass looks at every chunk again. */
	if (t->cursor == t->sess_chunks) {
		t->cursor = 0;
		/* As if the device had been reset: everything is new. */
		if (cmpxchg(&t->fault, MIG_TEST_FAULT_REINIT,
			    MIG_TEST_FAULT_NONE) == MIG_TEST_FAULT_REINIT) {
			ret = vfio_pci_mig_reinit(s);
			if (ret)
				return ret;
			bitmap_zero(t->sent, t->nr_chunks);
			t->nr_sent = 0;
		}
	}
	return mig_test_send(t, s);
}

/* After PRE_COPY, a scan from the start sends what changed or is missing. */
static int mig_test_save(struct vfio_pci_core_device *core,
			 struct vfio_pci_mig_stream *s)
{
	struct mig_test_device *t = to_mig_test(core);
	int ret = 0;

	if (!t->in_session)
		ret = mig_test_begin(t, s);
	if (!t->in_save) {
		t->in_save = true;
		t->cursor = 0;
	}
	return ret ?: mig_test_send(t, s);
}

static void mig_test_save_end(struct vfio_pci_core_device *core)
{
	to_mig_test(core)->in_session = false;
}

static int mig_test_estimate_fault(struct mig_test_device *t)
{
	return READ_ONCE(t->fault) == MIG_TEST_FAULT_ESTIMATE ? -EIO : 0;
}

/* Not sent yet: initial; sent and changed since: dirty (a full scan). */
static int mig_test_precopy_size(struct vfio_pci_core_device *core,
				 u64 *initial, u64 *dirty)
{
	struct mig_test_device *t = to_mig_test(core);
	u32 i, len, changed = 0;
	int ret;

	ret = mig_test_estimate_fault(t);
	if (ret || !t->in_session)
		return ret;
	for_each_set_bit(i, t->sent, t->sess_chunks) {
		len = mig_test_chunk_len(t, i);
		ret = mig_test_bar_copy(t, (u64)i * MIG_TEST_CHUNK,
					t->chunk + 8, len, false);
		if (ret)
			return ret;
		changed += mig_test_hash(t->chunk + 8, len) != t->hash[i];
	}
	*initial = (u64)(t->sess_chunks - t->nr_sent) * MIG_TEST_CHUNK;
	*dirty = (u64)changed * MIG_TEST_CHUNK;
	return 0;
}

/* At most the whole window, with its config record. */
static int mig_test_stop_copy_size(struct vfio_pci_core_device *core,
				   u64 *bytes)
{
	struct mig_test_device *t = to_mig_test(core);
	u64 window = (u64)READ_ONCE(t->window) << 20;
	int ret;

	ret = mig_test_estimate_fault(t);
	if (ret)
		return ret;
	if (!window || window > t->bar_size)
		window = t->bar_size;
	*bytes = window + DIV_ROUND_UP(window, MIG_TEST_CHUNK) * 8 +
		 sizeof(struct mig_test_config);
	return 0;
}

static int mig_test_load_config(struct mig_test_device *t,
				const struct mig_test_config *cfg)
{
	u32 nr = le32_to_cpu(cfg->nr_chunks);

	if (t->load_chunks || le64_to_cpu(cfg->bar_size) != t->bar_size ||
	    le32_to_cpu(cfg->chunk) != MIG_TEST_CHUNK || !nr ||
	    nr > t->nr_chunks)
		return -EINVAL;
	t->load_chunks = nr;
	return 0;
}

/* Each chunk lands in BAR2 as it arrives; later copies overwrite it. */
static int mig_test_load(struct vfio_pci_core_device *core, u32 tag,
			 const void *data, u32 len)
{
	struct mig_test_device *t = to_mig_test(core);
	u64 off;
	u32 i;

	if (tag == MIG_TEST_TAG_CONFIG)
		return len == sizeof(struct mig_test_config) ?
		       mig_test_load_config(t, data) : -EINVAL;
	if (tag != MIG_TEST_TAG_CHUNK || len <= 8 || !t->load_chunks)
		return -EINVAL;
	off = get_unaligned_le64(data);
	if (off % MIG_TEST_CHUNK || off / MIG_TEST_CHUNK >= t->load_chunks)
		return -EINVAL;
	i = off / MIG_TEST_CHUNK;
	if (len - 8 != mig_test_chunk_len(t, i))
		return -EINVAL;
	return mig_test_bar_copy(t, off, (void *)data + 8, len - 8, true);
}

static int mig_test_load_end(struct vfio_pci_core_device *core)
{
	struct mig_test_device *t = to_mig_test(core);

	if (!t->load_chunks)
		return -EINVAL;
	t->load_chunks = 0;
	return 0;
}

/* Nothing to stop: the state changes only through the user's mapping. */
static int mig_test_nop(struct vfio_pci_core_device *core)
{
	return 0;
}

/* Under the state lock like the rest; touches neither device nor locks. */
static void mig_test_reset(struct vfio_pci_core_device *core)
{
	struct mig_test_device *t = to_mig_test(core);

	t->in_session = false;
	t->load_chunks = 0;
}

const struct vfio_pci_core_mig_ops mig_test_mig_ops = {
	.version	= 1,
	.record_max	= MIG_TEST_CHUNK + 8,
	.stop		= mig_test_nop,
	.start		= mig_test_nop,
	.save		= mig_test_save,
	.precopy	= mig_test_precopy,
	.save_end	= mig_test_save_end,
	.load		= mig_test_load,
	.load_end	= mig_test_load_end,
	.stop_copy_size	= mig_test_stop_copy_size,
	.precopy_size	= mig_test_precopy_size,
	.reset		= mig_test_reset,
};

int mig_test_state_init(struct mig_test_device *t)
{
	struct pci_dev *pdev = t->core.pdev;
	int ret;

	t->bar_size = pci_resource_len(pdev, MIG_TEST_BAR);
	if (t->bar_size < MIG_TEST_CHUNK || t->bar_size % MIG_TEST_CHUNK)
		return -ENODEV;
	t->nr_chunks = t->bar_size / MIG_TEST_CHUNK;
	t->chunk = kvmalloc(MIG_TEST_CHUNK + 8, GFP_KERNEL);
	t->hash = kvcalloc(t->nr_chunks, sizeof(*t->hash), GFP_KERNEL);
	t->sent = bitmap_zalloc(t->nr_chunks, GFP_KERNEL);
	if (!t->chunk || !t->hash || !t->sent) {
		mig_test_state_free(t);
		return -ENOMEM;
	}
	ret = vfio_pci_core_migration_init(&t->core, &mig_test_mig_ops);
	if (ret)
		mig_test_state_free(t);
	return ret;
}

void mig_test_state_free(struct mig_test_device *t)
{
	bitmap_free(t->sent);
	kvfree(t->hash);
	kvfree(t->chunk);
}
