// SPDX-License-Identifier: GPL-2.0
/*
 * Live-migration helpers for the selftests; see vfio_mig.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "vfio_mig.h"

int vt_mig_feature(int devfd, uint32_t flags, void *data, size_t len)
{
	uint8_t buf[sizeof(struct vfio_device_feature) + 64]
		__attribute__((aligned(8)));
	struct vfio_device_feature *f = (void *)buf;
	int ret;

	if (len > 64)
		return -EINVAL;
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	memcpy(f->data, data, len);
	ret = ioctl(devfd, VFIO_DEVICE_FEATURE, f);
	memcpy(data, f->data, len);
	return ret ? -errno : 0;
}

int vt_mig_set_state(int devfd, uint32_t state, int *data_fd)
{
	struct vfio_device_feature_mig_state mig = { .device_state = state };
	int ret;

	ret = vt_mig_feature(devfd, VFIO_DEVICE_FEATURE_SET |
			     VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &mig,
			     sizeof(mig));
	if (data_fd)
		*data_fd = ret ? -1 : mig.data_fd;
	else if (!ret && mig.data_fd >= 0)
		close(mig.data_fd);
	return ret;
}

int vt_mig_get_state(int devfd)
{
	struct vfio_device_feature_mig_state mig = {};
	int ret;

	ret = vt_mig_feature(devfd, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &mig,
			     sizeof(mig));
	return ret ?: (int)mig.device_state;
}

int vt_mig_data_size(int devfd, uint64_t *bytes)
{
	struct vfio_device_feature_mig_data_size size = {};
	int ret;

	ret = vt_mig_feature(devfd, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &size,
			     sizeof(size));
	*bytes = size.stop_copy_length;
	return ret;
}

int vt_mig_precopy_info(int data_fd, struct vfio_precopy_info *info)
{
	info->argsz = sizeof(*info);
	return ioctl(data_fd, VFIO_MIG_GET_PRECOPY_INFO, info) ? -errno : 0;
}

int vt_mig_drain(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	ssize_t n;

	for (;;) {
		if (*len == cap)
			return -ENOSPC;
		n = read(fd, buf + *len, cap - *len);
		if (n <= 0)
			return n < 0 ? -errno : 0;
		*len += n;
	}
}

int vt_mig_feed(int fd, const uint8_t *buf, size_t len, size_t chunk)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, buf + done,
			  len - done < chunk ? len - done : chunk);
		if (n < 0)
			return -errno;
		done += n;
	}
	return 0;
}

double vt_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int vt_mig_pump(int from, int to, size_t chunk, uint64_t *bytes,
		double *read_us, double *write_us)
{
	static uint8_t buf[4 << 20];
	double t0, t1;
	ssize_t n;
	int ret;

	if (chunk > sizeof(buf))
		chunk = sizeof(buf);
	for (;;) {
		t0 = vt_now_us();
		n = read(from, buf, chunk);
		t1 = vt_now_us();
		if (read_us)
			*read_us += t1 - t0;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		ret = vt_mig_feed(to, buf, n, n);
		if (write_us)
			*write_us += vt_now_us() - t1;
		if (ret)
			return ret;
		if (bytes)
			*bytes += n;
	}
}

long long vt_mig_fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			val = strtoll(line + klen + 1, NULL, 0);
	fclose(f);
	return val;
}

uint32_t vt_crc32_le(uint32_t crc, const uint8_t *p, size_t len)
{
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (crc & 1 ? 0xedb88320 : 0);
	}
	return crc;
}

long vt_mig_record(const uint8_t *buf, size_t len, unsigned int index,
		   size_t *rec_len)
{
	struct vt_mig_rec rec;
	size_t off = 0;

	for (;;) {
		if (off + VT_MIG_REC_HDR > len)
			return -1;
		memcpy(&rec, buf + off, sizeof(rec));
		if (!index--)
			break;
		off += VT_MIG_REC_HDR + rec.len;
	}
	if (rec_len)
		*rec_len = VT_MIG_REC_HDR + rec.len;
	return off;
}

void vt_mig_reseal(uint8_t *buf, size_t len, unsigned int index)
{
	long off = vt_mig_record(buf, len, index, NULL);
	struct vt_mig_rec rec;

	if (off < 0)
		return;
	memcpy(&rec, buf + off, sizeof(rec));
	rec.crc = vt_crc32_le(index, buf + off + VT_MIG_REC_HDR, rec.len);
	memcpy(buf + off, &rec, sizeof(rec));
}

long long vt_bar_size(const char *bdf, int bar)
{
	unsigned long long start, end, flags;
	char path[128];
	int i, ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return -1;
	for (i = 0; i <= bar && ret != EOF; i++)
		ret = fscanf(f, "%llx %llx %llx", &start, &end, &flags);
	fclose(f);
	if (ret != 3 || !end)
		return -1;
	return end - start + 1;
}
