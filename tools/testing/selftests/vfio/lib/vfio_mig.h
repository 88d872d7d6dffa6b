/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live-migration helpers for the selftests: the migration features of a
 * device fd, the data fds (drain, feed, pump from one device to another),
 * the stream's record layout and checksum, and a clock (binding a variant:
 * vfio_driver.h).  __vt_*() and vt_mig_*() return 0 (or a count) or -errno.
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_MIG_H
#define SELFTESTS_VFIO_LIB_VFIO_MIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vfio.h>

#include "vfio_driver.h"

#define VT_ST(x)		VFIO_DEVICE_STATE_##x

/* The stream's records: magic, tag, len, crc (seeded with the index). */
#define VT_MIG_REC_HDR		16
#define VT_MIG_MAGIC		0x47494d56
#define VT_MIG_TAG_HEADER	0x80000000u
#define VT_MIG_TAG_END		0x80000001u

struct vt_mig_rec {
	uint32_t magic;
	uint32_t tag;
	uint32_t len;
	uint32_t crc;
};

/* VFIO_DEVICE_FEATURE with @len bytes of payload in and out. */
int vt_mig_feature(int devfd, uint32_t flags, void *data, size_t len);

/* SET_STATE; the new data fd (or -1) goes to *@data_fd if not NULL. */
int vt_mig_set_state(int devfd, uint32_t state, int *data_fd);
/* The current state, or -errno. */
int vt_mig_get_state(int devfd);
int vt_mig_data_size(int devfd, uint64_t *bytes);
int vt_mig_precopy_info(int data_fd, struct vfio_precopy_info *info);

/*
 * Read @fd into @buf from *@len on, until the end (returns 0), a temporary
 * end (-ENOMSG) or an error (-errno).
 */
int vt_mig_drain(int fd, uint8_t *buf, size_t cap, size_t *len);
/* Write @len bytes in writes of at most @chunk bytes; 0 or -errno. */
int vt_mig_feed(int fd, const uint8_t *buf, size_t len, size_t chunk);

/*
 * Move what @from has now into @to, in reads and writes of @chunk bytes,
 * until the end or a temporary end (whose -ENOMSG or 0 it returns).
 * Adds the bytes and the time spent reading and writing to the counters
 * that are not NULL.
 */
int vt_mig_pump(int from, int to, size_t chunk, uint64_t *bytes,
		double *read_us, double *write_us);

/* What fdinfo says of a data fd ("vfio-mig-kernel-mem-peak" ...); -1. */
long long vt_mig_fdinfo(int fd, const char *key);

/* The kernel's crc32_le(@seed, ...) as the stream's records use it. */
uint32_t vt_crc32_le(uint32_t seed, const uint8_t *p, size_t len);

/*
 * Offset of record @index of a stream of @len bytes, or -1; its length
 * goes to *@rec_len (header and payload) when not NULL.
 */
long vt_mig_record(const uint8_t *buf, size_t len, unsigned int index,
		   size_t *rec_len);

/* Fix record @index's checksum after an edit of its payload. */
void vt_mig_reseal(uint8_t *buf, size_t len, unsigned int index);

double vt_now_us(void);

/* Size of BAR @bar of @bdf from sysfs, or -1. */
long long vt_bar_size(const char *bdf, int bar);

#endif /* SELFTESTS_VFIO_LIB_VFIO_MIG_H */
