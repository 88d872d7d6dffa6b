// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: migration data files.
 *
 * A data file is an anonymous inode opened for streaming: read() on the file
 * of the saving states, write() on the file of RESUMING, no positioned I/O
 * (-ESPIPE) and no seeking.  The stream is a sequence of records, each a
 * struct vfio_pci_mig_rec followed by its payload:
 *
 *   HEADER (format, the variant's version, vendor and device ID)
 *   variant records, in the order the variant appended them
 *   END
 *
 * Each record carries a CRC32 of its payload.  On resume the core parses the
 * records as they arrive, keeps the last record of each tag (precopy may
 * send a tag again) and refuses at the first bad byte: bad magic, checksum,
 * version or device (-EINVAL), a record or a set of records beyond the
 * variant's max_size (-ENOMEM), anything after END (-EINVAL).  After a
 * refusal the file takes no more data and leaving RESUMING fails.
 *
 * A file stops working (-ENODEV) when the state machine leaves its session,
 * on reset, and at the device's last close; the file keeps a reference on
 * the device and on the driver's module, so it may outlive both.
 */
#include <linux/anon_inodes.h>
#include <linux/crc32.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "private.h"

#define VFIO_PCI_MIG_MAGIC		0x47494d56	/* "VMIG" */
#define VFIO_PCI_MIG_FORMAT		1
#define VFIO_PCI_MIG_TAG_RESERVED	0x80000000u
#define VFIO_PCI_MIG_TAG_HEADER		0x80000000u
#define VFIO_PCI_MIG_TAG_END		0x80000001u

struct vfio_pci_mig_rec {
	__le32 magic;
	__le32 tag;
	__le32 len;
	__le32 crc;
};

struct vfio_pci_mig_header {
	__le32 format;
	__le32 version;
	__le16 vendor;
	__le16 device;
	__le32 reserved;
};

struct vfio_pci_mig_loaded {
	u32 tag;
	u32 len;
	void *data;
};

/**
 * struct vfio_pci_mig_stream - one data file
 * @core: the device; a reference is held on it
 * @owner: the module of the device's driver; a reference is held on it
 * @filp: the file; the core's reference while the session is current
 * @lock: serializes read/write/ioctl and appends
 * @disabled: the session is over; set without @lock (reset path), read anywhere
 * @saving: a file of the saving states (else of RESUMING)
 * @final: the stop-copy data is appended: the end of the buffer is the end of
 *	   the stream (else a read there is a temporary end, -ENOMSG)
 * @buf: saving: stream bytes not yet compacted away
 * @len: bytes in @buf
 * @pos: bytes of @buf already read
 * @cap: allocated size of @buf
 * @initial_left: unread bytes of the initial precopy data
 * @sent: saving: the variant tags appended so far
 * @nr_sent: entries in @sent
 * @rec: resuming: the record header being received
 * @rec_have: its bytes received
 * @payload: the payload being received
 * @pay_have: its bytes received
 * @broken: a refused write: the stream can no longer load
 * @seen_header: the HEADER record arrived
 * @seen_end: the END record arrived
 * @stored: payload bytes in @loaded
 * @nr_loaded: entries in @loaded
 * @loaded: the last record of each tag
 */
struct vfio_pci_mig_stream {
	struct vfio_pci_core_device *core;
	struct module *owner;
	struct file *filp;
	struct mutex lock;	/* see above */
	bool disabled;
	bool saving;
	bool final;
	u8 *buf;
	size_t len;
	size_t pos;
	size_t cap;
	size_t initial_left;
	u32 sent[VFIO_PCI_MIG_MAX_RECORDS];
	unsigned int nr_sent;
	struct vfio_pci_mig_rec rec;
	size_t rec_have;
	u8 *payload;
	size_t pay_have;
	bool broken;
	bool seen_header;
	bool seen_end;
	size_t stored;
	unsigned int nr_loaded;
	struct vfio_pci_mig_loaded loaded[VFIO_PCI_MIG_MAX_RECORDS];
};

static const struct vfio_pci_core_mig_ops *
vfio_pci_mig_ops(struct vfio_pci_mig_stream *s)
{
	return s->core->priv->mig.ops;
}

/* Framing of one complete set of records: what max_size does not count. */
size_t vfio_pci_mig_file_overhead(void)
{
	return (VFIO_PCI_MIG_MAX_RECORDS + 2) * sizeof(struct vfio_pci_mig_rec) +
	       sizeof(struct vfio_pci_mig_header);
}

/* A save buffer holds at most two full sets: precopy data and the final. */
static size_t vfio_pci_mig_save_limit(struct vfio_pci_mig_stream *s)
{
	return 2 * (vfio_pci_mig_ops(s)->max_size +
		    vfio_pci_mig_file_overhead());
}

static int vfio_pci_mig_append(struct vfio_pci_mig_stream *s, u32 tag,
			       const void *data, size_t len)
{
	struct vfio_pci_mig_rec rec = {
		.magic = cpu_to_le32(VFIO_PCI_MIG_MAGIC),
		.tag = cpu_to_le32(tag),
		.len = cpu_to_le32(len),
		.crc = cpu_to_le32(crc32_le(0, data, len)),
	};
	size_t need;

	if (len > vfio_pci_mig_ops(s)->max_size)
		return -EFBIG;

	guard(mutex)(&s->lock);
	if (READ_ONCE(s->disabled))
		return -ENODEV;
	/* Everything was read: start the buffer over. */
	if (s->pos == s->len) {
		s->pos = 0;
		s->len = 0;
	}
	if (check_add_overflow(s->len, sizeof(rec) + len, &need) ||
	    need > vfio_pci_mig_save_limit(s))
		return -EFBIG;
	if (need > s->cap) {
		size_t cap = max(need, 2 * s->cap);
		u8 *buf;

		cap = min(cap, vfio_pci_mig_save_limit(s));
		buf = kvrealloc(s->buf, cap, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
		s->buf = buf;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, &rec, sizeof(rec));
	memcpy(s->buf + s->len + sizeof(rec), data, len);
	s->len = need;
	return 0;
}

bool vfio_pci_mig_sent(struct vfio_pci_mig_stream *s, u32 tag)
{
	unsigned int i;

	for (i = 0; i < s->nr_sent; i++)
		if (s->sent[i] == tag)
			return true;
	return false;
}
EXPORT_SYMBOL_GPL(vfio_pci_mig_sent);

int vfio_pci_mig_put(struct vfio_pci_mig_stream *s, u32 tag, const void *data,
		     size_t len)
{
	bool known;
	int ret;

	if (!s->saving || tag >= VFIO_PCI_MIG_TAG_RESERVED)
		return -EINVAL;
	/* The destination keeps one record per tag, so must we. */
	known = vfio_pci_mig_sent(s, tag);
	if (!known && s->nr_sent == VFIO_PCI_MIG_MAX_RECORDS)
		return -E2BIG;
	ret = vfio_pci_mig_append(s, tag, data, len);
	if (!ret && !known)
		s->sent[s->nr_sent++] = tag;
	return ret;
}
EXPORT_SYMBOL_GPL(vfio_pci_mig_put);

int vfio_pci_mig_get(struct vfio_pci_mig_stream *s, u32 tag, void *data,
		     size_t len)
{
	unsigned int i;

	for (i = 0; i < s->nr_loaded; i++) {
		if (s->loaded[i].tag != tag)
			continue;
		if (s->loaded[i].len != len)
			return -EINVAL;
		memcpy(data, s->loaded[i].data, len);
		return 0;
	}
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(vfio_pci_mig_get);

int vfio_pci_mig_file_save(struct vfio_pci_mig_stream *s)
{
	int ret;

	ret = vfio_pci_mig_ops(s)->save(s->core, s);
	if (!ret)
		ret = vfio_pci_mig_append(s, VFIO_PCI_MIG_TAG_END, NULL, 0);
	if (!ret) {
		mutex_lock(&s->lock);
		s->final = true;
		mutex_unlock(&s->lock);
	}
	return ret;
}

int vfio_pci_mig_file_precopy(struct vfio_pci_mig_stream *s, bool initial)
{
	int ret;

	ret = vfio_pci_mig_ops(s)->precopy(s->core, s, initial);
	if (!ret && initial) {
		mutex_lock(&s->lock);
		s->initial_left = s->len - s->pos;
		mutex_unlock(&s->lock);
	}
	return ret;
}

int vfio_pci_mig_file_load(struct vfio_pci_mig_stream *s)
{
	/* Truncated: no END, or a record cut short. */
	if (s->broken || !s->seen_end || s->rec_have)
		return -EINVAL;
	return vfio_pci_mig_ops(s)->load(s->core, s);
}

static ssize_t vfio_pci_mig_read(struct file *filp, char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct vfio_pci_mig_stream *s = filp->private_data;
	size_t n;

	if (ppos)
		return -ESPIPE;

	guard(mutex)(&s->lock);
	if (READ_ONCE(s->disabled))
		return -ENODEV;
	if (s->pos == s->len)
		return s->final ? 0 : -ENOMSG;
	n = min(count, s->len - s->pos);
	if (copy_to_user(buf, s->buf + s->pos, n))
		return -EFAULT;
	s->pos += n;
	s->initial_left -= min(n, s->initial_left);
	return n;
}

static int vfio_pci_mig_check_header(struct vfio_pci_mig_stream *s)
{
	struct vfio_pci_mig_header *h = (void *)s->payload;
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
	if (!s->seen_header && tag != VFIO_PCI_MIG_TAG_HEADER)
		return -EINVAL;
	if (s->seen_header && tag == VFIO_PCI_MIG_TAG_HEADER)
		return -EINVAL;
	if (tag == VFIO_PCI_MIG_TAG_HEADER &&
	    len != sizeof(struct vfio_pci_mig_header))
		return -EINVAL;
	if (tag == VFIO_PCI_MIG_TAG_END && len)
		return -EINVAL;
	if (tag > VFIO_PCI_MIG_TAG_END)
		return -EINVAL;
	if (len > vfio_pci_mig_ops(s)->max_size)
		return -ENOMEM;
	if (len) {
		s->payload = kvmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!s->payload)
			return -ENOMEM;
	}
	s->pay_have = 0;
	return 0;
}

/* Keep a variant record, replacing an earlier one with the same tag. */
static int vfio_pci_mig_keep(struct vfio_pci_mig_stream *s, u32 tag, u32 len)
{
	struct vfio_pci_mig_loaded *l = NULL;
	size_t old = 0, stored;
	unsigned int i;

	for (i = 0; i < s->nr_loaded; i++) {
		if (s->loaded[i].tag == tag) {
			l = &s->loaded[i];
			old = l->len;
			break;
		}
	}
	if (!l && s->nr_loaded == VFIO_PCI_MIG_MAX_RECORDS)
		return -ENOMEM;
	stored = s->stored - old + len;
	if (stored > vfio_pci_mig_ops(s)->max_size)
		return -ENOMEM;

	if (!l)
		l = &s->loaded[s->nr_loaded++];
	else
		kvfree(l->data);
	l->tag = tag;
	l->len = len;
	l->data = s->payload;
	s->payload = NULL;
	s->stored = stored;
	return 0;
}

static int vfio_pci_mig_seen_end(struct vfio_pci_mig_stream *s)
{
	s->seen_end = true;
	return 0;
}

/* A record is complete: verify and file it. */
static int vfio_pci_mig_rec_end(struct vfio_pci_mig_stream *s)
{
	u32 tag = le32_to_cpu(s->rec.tag);
	u32 len = le32_to_cpu(s->rec.len);
	int ret;

	if (crc32_le(0, s->payload, len) != le32_to_cpu(s->rec.crc))
		ret = -EINVAL;
	else if (tag == VFIO_PCI_MIG_TAG_HEADER)
		ret = vfio_pci_mig_check_header(s);
	else if (tag == VFIO_PCI_MIG_TAG_END)
		ret = vfio_pci_mig_seen_end(s);
	else
		ret = vfio_pci_mig_keep(s, tag, len);

	kvfree(s->payload);
	s->payload = NULL;
	s->rec_have = 0;
	s->pay_have = 0;
	return ret;
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
				return -EFAULT;
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
				return -EFAULT;
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

static ssize_t vfio_pci_mig_write(struct file *filp, const char __user *buf,
				  size_t count, loff_t *ppos)
{
	struct vfio_pci_mig_stream *s = filp->private_data;
	ssize_t ret;

	if (ppos)
		return -ESPIPE;

	guard(mutex)(&s->lock);
	if (READ_ONCE(s->disabled))
		return -ENODEV;
	if (s->broken)
		return -EINVAL;
	ret = vfio_pci_mig_write_locked(s, buf, count);
	/* A user copy fault is the user's problem, not the stream's. */
	if (ret < 0 && ret != -EFAULT)
		s->broken = true;
	return ret;
}

static long vfio_pci_mig_precopy_info(struct vfio_pci_mig_stream *s,
				      void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_precopy_info,
					  dirty_bytes);
	struct vfio_pci_core_device *core = s->core;
	struct vfio_pci_core_mig *mig = &core->priv->mig;
	struct vfio_precopy_info info;
	long ret = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	vfio_pci_core_mig_lock(core);
	if (mig->state != VFIO_DEVICE_STATE_PRE_COPY &&
	    mig->state != VFIO_DEVICE_STATE_PRE_COPY_P2P)
		ret = -EINVAL;
	else if (READ_ONCE(s->disabled) || mig->save != s)
		ret = -ENODEV;
	/* The reader caught up: ask the variant what changed since. */
	else if (s->pos == s->len)
		ret = vfio_pci_mig_file_precopy(s, false);
	if (!ret) {
		mutex_lock(&s->lock);
		info.initial_bytes = s->initial_left;
		info.dirty_bytes = s->len - s->pos - s->initial_left;
		mutex_unlock(&s->lock);
	}
	vfio_pci_core_mig_unlock(core);
	if (ret)
		return ret;

	info.flags = 0;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long vfio_pci_mig_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	struct vfio_pci_mig_stream *s = filp->private_data;

	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	if (!s->saving)
		return -EINVAL;
	return vfio_pci_mig_precopy_info(s, (void __user *)arg);
}

static void vfio_pci_mig_free(struct vfio_pci_mig_stream *s)
{
	struct module *owner = s->owner;
	unsigned int i;

	for (i = 0; i < s->nr_loaded; i++)
		kvfree(s->loaded[i].data);
	kvfree(s->payload);
	kvfree(s->buf);
	mutex_destroy(&s->lock);
	vfio_put_device(&s->core->vdev);
	kfree(s);
	module_put(owner);
}

static int vfio_pci_mig_release(struct inode *inode, struct file *filp)
{
	vfio_pci_mig_free(filp->private_data);
	return 0;
}

static const struct file_operations vfio_pci_mig_fops = {
	.owner		= THIS_MODULE,
	.read		= vfio_pci_mig_read,
	.write		= vfio_pci_mig_write,
	.unlocked_ioctl	= vfio_pci_mig_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= vfio_pci_mig_release,
};

struct vfio_pci_mig_stream *
vfio_pci_mig_file_new(struct vfio_pci_core_device *core, bool saving)
{
	struct vfio_pci_mig_header hdr = {
		.format = cpu_to_le32(VFIO_PCI_MIG_FORMAT),
		.version = cpu_to_le32(core->priv->mig.ops->version),
		.vendor = cpu_to_le16(core->pdev->vendor),
		.device = cpu_to_le16(core->pdev->device),
	};
	struct vfio_pci_mig_stream *s;
	struct file *filp;
	int ret;

	s = kzalloc_obj(*s, GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	mutex_init(&s->lock);
	s->core = core;
	s->saving = saving;
	/* Both are dropped by vfio_pci_mig_free(). */
	get_device(&core->vdev.device);
	s->owner = core->vdev.dev->driver->owner;
	__module_get(s->owner);

	if (saving) {
		ret = vfio_pci_mig_append(s, VFIO_PCI_MIG_TAG_HEADER, &hdr,
					  sizeof(hdr));
		if (ret)
			goto out_free;
	}

	filp = anon_inode_getfile("[vfio-pci-mig]", &vfio_pci_mig_fops, s,
				  saving ? O_RDONLY : O_WRONLY);
	if (IS_ERR(filp)) {
		ret = PTR_ERR(filp);
		goto out_free;
	}
	stream_open(filp->f_inode, filp);
	s->filp = filp;
	return s;

out_free:
	vfio_pci_mig_free(s);
	return ERR_PTR(ret);
}

struct file *vfio_pci_mig_file_filp(struct vfio_pci_mig_stream *s)
{
	return s->filp;
}

void vfio_pci_mig_file_drop(struct vfio_pci_mig_stream *s)
{
	WRITE_ONCE(s->disabled, true);
	fput(s->filp);
}
