/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA-logging helpers for the selftests: VFIO_DEVICE_FEATURE_DMA_LOGGING_
 * START, STOP and REPORT on a device fd.  Each returns 0 or -errno.
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_DIRTY_H
#define SELFTESTS_VFIO_LIB_VFIO_DIRTY_H

#include <stdint.h>

#include <linux/vfio.h>

/* Start logging @n ranges at @page_size bytes per page. */
int vt_log_start(int devfd, struct vfio_device_feature_dma_logging_range *r,
		 uint32_t n, uint64_t page_size);
int vt_log_stop(int devfd);
/*
 * Report and clear [@iova, @iova + @len) into @bitmap, one bit per
 * @page_size bytes (set bits only: the caller clears it first).
 */
int vt_log_report(int devfd, uint64_t iova, uint64_t len, uint64_t page_size,
		  uint64_t *bitmap);

#endif /* SELFTESTS_VFIO_LIB_VFIO_DIRTY_H */
