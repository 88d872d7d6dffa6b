// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the saving side of a migration data file.
 *
 * The variant produces its state on demand: whenever the reader has taken
 * every byte of the file's buffer, the core asks the variant for the next
 * part (&vfio_pci_core_mig_ops.precopy in PRE_COPY, .save in STOP_COPY),
 * which appends records with vfio_pci_mig_put().  So a file holds at most
 * one buffer of records however large the state, and a slow reader only
 * slows the producer down.
 *
 * PRE_COPY runs in passes.  At the end of a pass the reader meets a
 * temporary end (-ENOMSG); VFIO_MIG_GET_PRECOPY_INFO opens the next pass
 * once the reader has caught up.  A variant whose device needs its state
 * sent in full again turns the pass under way into a first pass
 * (vfio_pci_mig_reinit()); the next VFIO_MIG_GET_PRECOPY_INFO counts it as
 * initial data and, for a user who opted in, sets VFIO_PRECOPY_INFO_REINIT.
 * STOP_COPY (same file) switches the producer to .save, whose end appends
 * END: read() returns 0 from then on.
 * A producer that fails ends the session: the device goes to ERROR and the
 * file returns the errno.
 */
#include <linux/crc32.h>
#include <linux/fs.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "mig_file.h"

static int vfio_pci_mig_append(struct vfio_pci_mig_stream *s, u32 tag,
			       const void *data, u32 len)
{
	struct vfio_pci_mig_rec rec = {
		.magic = cpu_to_le32(VFIO_PCI_MIG_MAGIC),
		.tag = cpu_to_le32(tag),
		.len = cpu_to_le32(len),
		.crc = cpu_to_le32(crc32_le(s->seq, data, len)),
	};
	size_t need = s->len + sizeof(rec) + len;

	lockdep_assert_held(&s->lock);
	if (need > VFIO_PCI_MIG_BUF_MAX)
		return -ENOSPC;
	if (!vfio_pci_mig_file_grow(s, &s->buf, &s->cap, need))
		return -ENOMEM;
	memcpy(s->buf + s->len, &rec, sizeof(rec));
	memcpy(s->buf + s->len + sizeof(rec), data, len);
	s->len = need;
	s->seq++;
	return 0;
}

int vfio_pci_mig_put(struct vfio_pci_mig_stream *s, u32 tag, const void *data,
		     u32 len)
{
	if (!s->saving || tag >= VFIO_PCI_MIG_TAG_RESERVED)
		return -EINVAL;
	if (len > vfio_pci_mig_record_max(vfio_pci_mig_ops(s)))
		return -EFBIG;
	return vfio_pci_mig_append(s, tag, data, len);
}
EXPORT_SYMBOL_GPL(vfio_pci_mig_put);

int vfio_pci_mig_reinit(struct vfio_pci_mig_stream *s)
{
	lockdep_assert_held(&s->lock);
	if (!s->saving || s->phase != VFIO_PCI_MIG_PRECOPY)
		return -EINVAL;
	/* What this pass appends, and what is held, is initial data now. */
	s->initial = true;
	s->buf_initial = true;
	s->reinit = true;
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_mig_reinit);

static int vfio_pci_mig_put_header(struct vfio_pci_mig_stream *s)
{
	struct pci_dev *pdev = s->core->pdev;
	struct vfio_pci_mig_header hdr = {
		.format = cpu_to_le32(VFIO_PCI_MIG_FORMAT),
		.version = cpu_to_le32(vfio_pci_mig_ops(s)->version),
		.vendor = cpu_to_le16(pdev->vendor),
		.device = cpu_to_le16(pdev->device),
	};

	return vfio_pci_mig_append(s, VFIO_PCI_MIG_TAG_HEADER, &hdr,
				   sizeof(hdr));
}

/*
 * Refill the buffer, which the reader has emptied.  Returns 0 or the errno
 * that ends the session.
 */
static int vfio_pci_mig_produce(struct vfio_pci_mig_stream *s)
{
	const struct vfio_pci_core_mig_ops *ops = vfio_pci_mig_ops(s);
	struct vfio_pci_core_device *core = s->core;
	int ret = 0;

	lockdep_assert_held(&core->priv->mig.state_lock);
	lockdep_assert_held(&s->lock);
	s->pos = 0;
	s->len = 0;
	if (!s->seq) {
		ret = vfio_pci_mig_put_header(s);
		if (ret)
			return ret;
	}

	switch (s->phase) {
	case VFIO_PCI_MIG_PRECOPY:
		s->buf_initial = s->initial;
		ret = ops->precopy(core, s, s->initial);
		if (!ret)
			s->pass_open = false;
		break;
	case VFIO_PCI_MIG_SAVE:
		s->buf_initial = false;
		/* Without @save: @precopy, a first pass unless after PRE_COPY. */
		ret = ops->save ? ops->save(core, s) :
				  ops->precopy(core, s, s->initial);
		if (ret)
			break;
		s->phase = VFIO_PCI_MIG_SAVE_END;
		fallthrough;
	case VFIO_PCI_MIG_SAVE_END:
		ret = vfio_pci_mig_append(s, VFIO_PCI_MIG_TAG_END, NULL, 0);
		/* A full buffer: END goes in the next one. */
		if (ret == -ENOSPC)
			return 0;
		if (!ret)
			s->phase = VFIO_PCI_MIG_DONE;
		break;
	case VFIO_PCI_MIG_DONE:
		break;
	}
	if (ret < 0)
		return ret;
	/* "More to come" with nothing appended would spin the reader. */
	if (WARN_ON_ONCE(ret > 0 && !s->len))
		return -EIO;
	return 0;
}

/* Nothing to read now: the end, or the temporary end of a pre-copy pass. */
static bool vfio_pci_mig_at_end(struct vfio_pci_mig_stream *s)
{
	return s->pos == s->len &&
	       (s->phase == VFIO_PCI_MIG_DONE ||
		(s->phase == VFIO_PCI_MIG_PRECOPY && !s->pass_open));
}

ssize_t vfio_pci_mig_read(struct file *filp, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct vfio_pci_mig_stream *s = filp->private_data;
	size_t done = 0, n;
	int ret;

	ret = vfio_pci_mig_file_enter(filp, ppos);
	if (ret)
		return ret;
	while (!ret && done < count) {
		if (vfio_pci_mig_at_end(s)) {
			if (s->phase == VFIO_PCI_MIG_PRECOPY && !done)
				ret = -ENOMSG;
			break;
		}
		if (s->pos == s->len) {
			/* Let state changes in between long reads. */
			if (done && (done >= SZ_8M || signal_pending(current)))
				break;
			ret = vfio_pci_mig_produce(s);
			if (ret)
				vfio_pci_mig_file_fail(s, ret);
			continue;
		}
		n = min(count - done, s->len - s->pos);
		if (copy_to_user(buf + done, s->buf + s->pos, n)) {
			ret = -EFAULT;
			break;
		}
		s->pos += n;
		s->bytes += n;
		done += n;
	}
	vfio_pci_mig_file_unlock(s);
	return done ?: ret;
}

/* Payload bytes as stream bytes: each record adds its header. */
u64 vfio_pci_mig_file_framed(const struct vfio_pci_core_mig_ops *ops,
			     u64 payload)
{
	u64 records = div_u64(payload + vfio_pci_mig_record_max(ops) - 1,
			      vfio_pci_mig_record_max(ops));

	return payload + records * sizeof(struct vfio_pci_mig_rec);
}

/* A whole stream: the framed payload, HEADER and END. */
u64 vfio_pci_mig_file_stream_bytes(const struct vfio_pci_core_mig_ops *ops,
				   u64 payload)
{
	return vfio_pci_mig_file_framed(ops, payload) +
	       2 * sizeof(struct vfio_pci_mig_rec) +
	       sizeof(struct vfio_pci_mig_header);
}

/*
 * Fill @info's byte counts; a reinit since the last call makes everything
 * initial, resets dirty_bytes and is reported in @info's flags when the
 * user opted in to them (PRECOPY_INFOv2).  Without the opt-in the flags
 * stay as the user passed them, as the uAPI keeps them for v1 users.
 */
static int vfio_pci_mig_precopy_estimate(struct vfio_pci_mig_stream *s,
					 struct vfio_precopy_info *info)
{
	const struct vfio_pci_core_mig_ops *ops = vfio_pci_mig_ops(s);
	u64 initial = 0, dirty = 0, held;
	int ret;

	/* The reader caught up with a finished pass: open the next one. */
	if (vfio_pci_mig_at_end(s)) {
		s->pass_open = true;
		s->initial = false;
		ret = vfio_pci_mig_produce(s);
		if (ret) {
			vfio_pci_mig_file_fail(s, ret);
			return ret;
		}
		wake_up_all(&s->wait);
	}
	if (ops->precopy_size) {
		ret = ops->precopy_size(s->core, &initial, &dirty);
		if (ret)
			return ret;
	}
	initial = vfio_pci_mig_file_framed(ops, initial);
	dirty = vfio_pci_mig_file_framed(ops, dirty);
	held = s->len - s->pos;
	if (s->buf_initial || s->reinit)
		initial += held;
	else
		dirty += held;
	if (s->reinit) {
		dirty = 0;
		s->reinit = false;
		if (vfio_pci_compat_precopy_v2(&s->core->vdev))
			info->flags |= VFIO_PCI_COMPAT_PRECOPY_REINIT;
	}
	info->initial_bytes = initial;
	info->dirty_bytes = dirty;
	return 0;
}

long vfio_pci_mig_precopy_info(struct vfio_pci_mig_stream *s,
			       void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_precopy_info,
					  dirty_bytes);
	struct vfio_pci_core_mig *mig = &s->core->priv->mig;
	struct vfio_precopy_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	if (vfio_pci_compat_precopy_v2(&s->core->vdev))
		info.flags = 0;
	vfio_pci_mig_file_lock(s, false);
	if (mig->state != VFIO_DEVICE_STATE_PRE_COPY &&
	    mig->state != VFIO_DEVICE_STATE_PRE_COPY_P2P)
		ret = -EINVAL;
	else if (READ_ONCE(s->error) || mig->save != s)
		ret = READ_ONCE(s->error) ?: -ENODEV;
	else
		ret = vfio_pci_mig_precopy_estimate(s, &info);
	vfio_pci_mig_file_unlock(s);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* A saving arc opened @s: produce its first bytes now. */
int vfio_pci_mig_file_begin_save(struct vfio_pci_mig_stream *s, bool precopy)
{
	guard(mutex)(&s->lock);
	s->phase = precopy ? VFIO_PCI_MIG_PRECOPY : VFIO_PCI_MIG_SAVE;
	s->pass_open = true;
	s->initial = true;
	s->reinit = false;
	return vfio_pci_mig_produce(s);
}

/* PRE_COPY_P2P -> STOP_COPY: what follows the buffer is the final state. */
void vfio_pci_mig_file_stop_copy(struct vfio_pci_mig_stream *s)
{
	scoped_guard(mutex, &s->lock) {
		s->phase = VFIO_PCI_MIG_SAVE;
		/* The first pass started in PRE_COPY: no restart. */
		s->initial = false;
	}
	wake_up_all(&s->wait);
}
