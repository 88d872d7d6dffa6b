// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the resuming side of a migration data file.
 *
 * write() parses records as they arrive, in any cut of the byte stream: a
 * record header waits for its 16 bytes, a payload for its length, and only
 * the record being received is held.  A complete record is checked (magic,
 * length, its CRC seeded with its index, the header's format, version and
 * device) and a variant record goes straight to &vfio_pci_core_mig_ops.load,
 * in stream order, from the writer's own call and under the file's lock: no
 * record outlives the call that completed it, and nothing reads the parsing
 * state but the writer holding that lock.
 *
 * The first bad byte refuses the stream: bad magic, checksum, version, device
 * or order (-EINVAL), a record longer than the variant's largest (-ENOMEM),
 * anything after END (-EINVAL), or the variant's own errno.  A refused file
 * takes no more data (-EINVAL) and leaving RESUMING fails, as it does for a
 * stream without END or cut inside a record.
 */
#include <linux/crc32.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "mig_file.h"

static int vfio_pci_mig_check_header(struct vfio_pci_mig_stream *s,
				     const struct vfio_pci_mig_header *h)
{
	struct pci_dev *pdev = s->core->pdev;

	if (le32_to_cpu(h->format) != VFIO_PCI_MIG_FORMAT ||
	    le32_to_cpu(h->version) != vfio_pci_mig_ops(s)->version ||
	    le16_to_cpu(h->vendor) != pdev->vendor ||
	    le16_to_cpu(h->device) != pdev->device || h->reserved)
		return -EINVAL;
	s->seen_header = true;
	return 0;
}

/* A record header is complete: check it and make room for the payload. */
static int vfio_pci_mig_rec_begin(struct vfio_pci_mig_stream *s)
{
	u32 tag = le32_to_cpu(s->rec.tag);
	u32 len = le32_to_cpu(s->rec.len);

	if (le32_to_cpu(s->rec.magic) != VFIO_PCI_MIG_MAGIC || s->seen_end)
		return -EINVAL;
	/* HEADER first, and only first. */
	if (!s->seen_header && tag != VFIO_PCI_MIG_TAG_HEADER)
		return -EINVAL;
	if (s->seen_header && tag == VFIO_PCI_MIG_TAG_HEADER)
		return -EINVAL;
	if (tag == VFIO_PCI_MIG_TAG_HEADER &&
	    len != sizeof(struct vfio_pci_mig_header))
		return -EINVAL;
	if ((tag == VFIO_PCI_MIG_TAG_END && len) || tag > VFIO_PCI_MIG_TAG_END)
		return -EINVAL;
	if (len > vfio_pci_mig_record_max(vfio_pci_mig_ops(s)))
		return -ENOMEM;
	if (!vfio_pci_mig_file_grow(s, &s->payload, &s->pay_cap, len))
		return -ENOMEM;
	s->pay_have = 0;
	return 0;
}

/* A record is complete: verify it and hand it on. */
static int vfio_pci_mig_rec_end(struct vfio_pci_mig_stream *s)
{
	const struct vfio_pci_core_mig_ops *ops = vfio_pci_mig_ops(s);
	u32 tag = le32_to_cpu(s->rec.tag);
	u32 len = le32_to_cpu(s->rec.len);

	s->rec_have = 0;
	if (crc32_le(s->seq++, s->payload, len) != le32_to_cpu(s->rec.crc))
		return -EINVAL;
	if (tag == VFIO_PCI_MIG_TAG_HEADER)
		return vfio_pci_mig_check_header(s, (void *)s->payload);
	if (tag == VFIO_PCI_MIG_TAG_END) {
		s->seen_end = true;
		return 0;
	}
	return ops->load(s->core, tag, s->payload, len);
}

static ssize_t vfio_pci_mig_write_locked(struct vfio_pci_mig_stream *s,
					 const char __user *buf, size_t count)
{
	size_t done = 0, n, len;
	int ret;

	while (done < count) {
		if (s->rec_have < sizeof(s->rec)) {
			n = min(sizeof(s->rec) - s->rec_have, count - done);
			if (copy_from_user((u8 *)&s->rec + s->rec_have,
					   buf + done, n))
				return done ?: -EFAULT;
			s->rec_have += n;
			done += n;
			if (s->rec_have < sizeof(s->rec))
				break;
			ret = vfio_pci_mig_rec_begin(s);
			if (ret)
				return ret;
		} else {
			len = le32_to_cpu(s->rec.len);
			n = min(len - s->pay_have, count - done);
			if (copy_from_user(s->payload + s->pay_have,
					   buf + done, n))
				return done ?: -EFAULT;
			s->pay_have += n;
			done += n;
		}
		if (s->pay_have == le32_to_cpu(s->rec.len)) {
			ret = vfio_pci_mig_rec_end(s);
			if (ret)
				return ret;
		}
	}
	return done;
}

ssize_t vfio_pci_mig_write(struct file *filp, const char __user *buf,
			   size_t count, loff_t *ppos)
{
	struct vfio_pci_mig_stream *s = filp->private_data;
	ssize_t ret;

	ret = vfio_pci_mig_file_enter(filp, ppos);
	if (ret)
		return ret;
	if (s->broken) {
		ret = -EINVAL;
	} else {
		ret = vfio_pci_mig_write_locked(s, buf, count);
		/* A user copy fault is the user's problem, not the stream's. */
		if (ret < 0 && ret != -EFAULT)
			s->broken = true;
		if (ret > 0)
			s->bytes += ret;
	}
	vfio_pci_mig_file_unlock(s);
	return ret;
}

/* RESUMING -> STOP: the stream must be whole; the variant finishes. */
int vfio_pci_mig_file_end_load(struct vfio_pci_mig_stream *s)
{
	const struct vfio_pci_core_mig_ops *ops = vfio_pci_mig_ops(s);

	guard(mutex)(&s->lock);
	/* Refused, no END, or a record cut short. */
	if (s->broken || !s->seen_end || s->rec_have)
		return -EINVAL;
	return ops->load_end ? ops->load_end(s->core) : 0;
}
