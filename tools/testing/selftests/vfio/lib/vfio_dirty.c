// SPDX-License-Identifier: GPL-2.0
/* DMA-logging helpers for the selftests: see vfio_dirty.h. */
#include "vfio_dirty.h"
#include "vfio_mig.h"

int vt_log_start(int devfd, struct vfio_device_feature_dma_logging_range *r,
		 uint32_t n, uint64_t page_size)
{
	struct vfio_device_feature_dma_logging_control c = {
		.page_size = page_size,
		.num_ranges = n,
		.ranges = (uintptr_t)r,
	};

	return vt_mig_feature(devfd, VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_DMA_LOGGING_START,
			      &c, sizeof(c));
}

int vt_log_stop(int devfd)
{
	return vt_mig_feature(devfd, VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, NULL, 0);
}

int vt_log_report(int devfd, uint64_t iova, uint64_t len, uint64_t page_size,
		  uint64_t *bitmap)
{
	struct vfio_device_feature_dma_logging_report r = {
		.iova = iova,
		.length = len,
		.page_size = page_size,
		.bitmap = (uintptr_t)bitmap,
	};

	return vt_mig_feature(devfd, VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT,
			      &r, sizeof(r));
}
