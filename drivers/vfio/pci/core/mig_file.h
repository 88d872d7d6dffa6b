/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci-core: one migration data file, shared by mig_file.c (the file:
 * life cycle, locking, poll, memory accounting), mig_save.c (the saving
 * states: records produced on demand, read(), VFIO_MIG_GET_PRECOPY_INFO) and
 * mig_load.c (RESUMING: records parsed and delivered as write() brings them).
 *
 * The stream is a sequence of records, each a struct vfio_pci_mig_rec and its
 * payload:
 *
 *   HEADER (format, the variant's version, vendor and device ID)
 *   variant records, in the order the variant produced them
 *   END
 *
 * Each record's CRC32 covers its payload and is seeded with the record's
 * index in the stream, so a record that is dropped, repeated or moved fails
 * its check as surely as a corrupted one.
 *
 * Memory: a saving file holds one buffer of at most one largest record plus
 * the header; a resuming file holds the record being received.  Neither
 * grows with the device's state.
 */
#ifndef __VFIO_PCI_CORE_MIG_FILE_H
#define __VFIO_PCI_CORE_MIG_FILE_H

#include <linux/mutex.h>
#include <linux/wait.h>

#include "private.h"

#define VFIO_PCI_MIG_MAGIC		0x47494d56	/* "VMIG" */
#define VFIO_PCI_MIG_FORMAT		2
#define VFIO_PCI_MIG_TAG_RESERVED	0x80000000u
#define VFIO_PCI_MIG_TAG_HEADER		0x80000000u
#define VFIO_PCI_MIG_TAG_END		0x80000001u

/* A buffer holds at most the header, one largest record and END. */
#define VFIO_PCI_MIG_BUF_MAX		(VFIO_PCI_MIG_RECORD_MAX + 4 * \
					 sizeof(struct vfio_pci_mig_rec) + \
					 sizeof(struct vfio_pci_mig_header))

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

/* What produces the next bytes of a saving file. */
enum vfio_pci_mig_phase {
	VFIO_PCI_MIG_PRECOPY,		/* &vfio_pci_core_mig_ops.precopy */
	VFIO_PCI_MIG_SAVE,		/* &vfio_pci_core_mig_ops.save */
	VFIO_PCI_MIG_SAVE_END,		/* save is complete; END is due */
	VFIO_PCI_MIG_DONE,		/* END appended */
};

/**
 * struct vfio_pci_mig_stream - one data file
 * @core: the device; a reference is held on it
 * @owner: the module of the device's driver; a reference is held on it
 * @filp: the file; the core's reference while the session is current
 * @lock: guards everything below but @error and the counters; taken after
 *	  the migration state lock (see migration.h)
 * @wait: poll() waiters, woken when the file becomes readable or dies
 * @error: 0 while the session is current, then the errno of every call:
 *	   -ENODEV, or the variant's abort errno; written under the state
 *	   lock (or by a reset that holds it), read anywhere
 * @saving: a file of the saving states (else of RESUMING)
 * @seq: index of the next record, produced or expected
 * @phase: saving: what produces the next bytes
 * @pass_open: saving: the current pre-copy pass has more to produce
 * @initial: saving: the current pre-copy pass is the first
 * @buf_initial: saving: the bytes in @buf came from the first pass
 * @reinit: saving: the variant began new initial data (vfio_pci_mig_reinit())
 *	    since the last VFIO_MIG_GET_PRECOPY_INFO
 * @buf: saving: stream bytes produced and not yet read
 * @len: bytes in @buf
 * @pos: bytes of @buf already read
 * @cap: allocated size of @buf
 * @rec: resuming: the record header being received
 * @rec_have: its bytes received
 * @payload: resuming: the payload being received
 * @pay_cap: allocated size of @payload
 * @pay_have: its bytes received
 * @broken: resuming: a refused write; the stream can no longer load
 * @seen_header: resuming: the HEADER record arrived
 * @seen_end: resuming: the END record arrived
 * @mem: bytes the core holds for this file (struct and buffers)
 * @mem_peak: the most @mem has been
 * @bytes: stream bytes read or written so far
 */
struct vfio_pci_mig_stream {
	struct vfio_pci_core_device *core;
	struct module *owner;
	struct file *filp;
	struct mutex lock;	/* see above */
	wait_queue_head_t wait;
	int error;
	bool saving;
	u32 seq;
	enum vfio_pci_mig_phase phase;
	bool pass_open;
	bool initial;
	bool buf_initial;
	bool reinit;
	u8 *buf;
	size_t len;
	size_t pos;
	size_t cap;
	struct vfio_pci_mig_rec rec;
	size_t rec_have;
	u8 *payload;
	size_t pay_cap;
	size_t pay_have;
	bool broken;
	bool seen_header;
	bool seen_end;
	size_t mem;
	size_t mem_peak;
	u64 bytes;
};

static inline const struct vfio_pci_core_mig_ops *
vfio_pci_mig_ops(struct vfio_pci_mig_stream *s)
{
	return s->core->priv->mig.ops;
}

/* The variant's largest record. */
static inline u32 vfio_pci_mig_record_max(const struct vfio_pci_core_mig_ops *ops)
{
	return ops->record_max ?: VFIO_PCI_MIG_RECORD_MAX;
}

/* mig_file.c */
int vfio_pci_mig_file_lock(struct vfio_pci_mig_stream *s, bool nonblock);
void vfio_pci_mig_file_unlock(struct vfio_pci_mig_stream *s);
int vfio_pci_mig_file_enter(struct file *filp, loff_t *ppos);
void *vfio_pci_mig_file_grow(struct vfio_pci_mig_stream *s, u8 **buf,
			     size_t *cap, size_t need);
void vfio_pci_mig_file_fail(struct vfio_pci_mig_stream *s, int err);

/* mig_save.c */
ssize_t vfio_pci_mig_read(struct file *filp, char __user *buf, size_t count,
			  loff_t *ppos);
long vfio_pci_mig_precopy_info(struct vfio_pci_mig_stream *s,
			       void __user *arg);

/* mig_load.c */
ssize_t vfio_pci_mig_write(struct file *filp, const char __user *buf,
			   size_t count, loff_t *ppos);

#endif /* __VFIO_PCI_CORE_MIG_FILE_H */
