/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO_DEVICE_FEATURE_DMA_BUF requests, and the fixed set of them the
 * snapshot records for every device (vfio_snapshot.c) so that the
 * differential suite compares our answers with the kernel's vfio-pci.
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_DMABUF_H
#define SELFTESTS_VFIO_LIB_VFIO_DMABUF_H

#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

/*
 * One VFIO_DEVICE_FEATURE with @flags | VFIO_DEVICE_FEATURE_DMA_BUF for
 * region @index, dma-buf flags @dflags and @nr ranges copied from @r (at
 * most 4; @r may be NULL), argsz made @argsz_less bytes short.  Returns
 * the new dma-buf fd, 0 for a probe, or -errno.
 */
int __vt_dma_buf(int devfd, uint32_t flags, uint32_t index, uint32_t dflags,
		 uint32_t nr, const struct vfio_region_dma_range *r,
		 size_t argsz_less);

/* How many requests vt_dma_buf_case() knows. */
#define VT_DMABUF_CASES	18

/*
 * Run request @i of the fixed set on @devfd, whose largest BAR is
 * @big_bar of @big_size bytes; a dma-buf it creates is closed again.
 * Returns 1 for a dma-buf, 0 for a probe, or -errno.
 */
int vt_dma_buf_case(int devfd, unsigned int i, uint32_t big_bar,
		    uint64_t big_size);

/* What request @i is, for messages. */
const char *vt_dma_buf_case_name(unsigned int i);

#endif /* SELFTESTS_VFIO_LIB_VFIO_DMABUF_H */
