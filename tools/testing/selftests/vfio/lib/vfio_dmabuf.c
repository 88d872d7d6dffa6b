// SPDX-License-Identifier: GPL-2.0
/* VFIO_DEVICE_FEATURE_DMA_BUF requests: see vfio_dmabuf.h. */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <errno.h>

#include "vfio_dmabuf.h"

int __vt_dma_buf(int devfd, uint32_t flags, uint32_t index, uint32_t dflags,
		 uint32_t nr, const struct vfio_region_dma_range *r,
		 size_t argsz_less)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf db;
		struct vfio_region_dma_range r[4];
	} req = {};
	size_t copy = nr < 4 ? nr : 4;
	int ret;

	req.hdr.argsz = sizeof(req.hdr) + sizeof(req.db) +
			copy * sizeof(req.r[0]) - argsz_less;
	req.hdr.flags = flags | VFIO_DEVICE_FEATURE_DMA_BUF;
	req.db.region_index = index;
	req.db.open_flags = O_RDWR | O_CLOEXEC;
	req.db.flags = dflags;
	req.db.nr_ranges = nr;
	if (r)
		memcpy(req.r, r, copy * sizeof(*r));
	ret = ioctl(devfd, VFIO_DEVICE_FEATURE, &req);
	return ret < 0 ? -errno : ret;
}

static const char *const vt_dma_buf_names[VT_DMABUF_CASES] = {
	"SET", "argsz below the header", "no ranges", "flags set",
	"the ROM region", "the config region", "region 9",
	"BAR0 page 0", "BAR1 page 0", "BAR2 page 0", "BAR3 page 0",
	"BAR4 page 0", "BAR5 page 0",
	"largest BAR: empty range", "largest BAR: unaligned offset",
	"largest BAR: past its end", "largest BAR: offset wrapping",
	"probe for GET",
};

const char *vt_dma_buf_case_name(unsigned int i)
{
	return i < VT_DMABUF_CASES ? vt_dma_buf_names[i] : "?";
}

int vt_dma_buf_case(int devfd, unsigned int i, uint32_t big_bar,
		    uint64_t big_size)
{
	const uint32_t get = VFIO_DEVICE_FEATURE_GET;
	struct vfio_region_dma_range r = { 0, 4096 };
	uint64_t end = (big_size + 4095) & ~4095ULL;
	int ret;

	switch (i) {
	case 0:
		ret = __vt_dma_buf(devfd, VFIO_DEVICE_FEATURE_SET, big_bar, 0,
				   1, &r, 0);
		break;
	case 1:
		ret = __vt_dma_buf(devfd, get, big_bar, 0, 0, NULL,
				   sizeof(struct vfio_device_feature_dma_buf));
		break;
	case 2:
		ret = __vt_dma_buf(devfd, get, big_bar, 0, 0, NULL, 0);
		break;
	case 3:
		ret = __vt_dma_buf(devfd, get, big_bar, 1, 1, &r, 0);
		break;
	case 4 ... 6:
		ret = __vt_dma_buf(devfd, get, i == 4 ? VFIO_PCI_ROM_REGION_INDEX :
				   i == 5 ? VFIO_PCI_CONFIG_REGION_INDEX :
				   VFIO_PCI_NUM_REGIONS, 0, 1, &r, 0);
		break;
	case 7 ... 12:
		ret = __vt_dma_buf(devfd, get, i - 7, 0, 1, &r, 0);
		break;
	case 13 ... 16:
		if (i == 13)
			r.length = 0;
		else if (i == 14)
			r.offset = 100;
		else if (i == 15)
			r.offset = end;
		else
			r.offset = ~0xfffULL;
		ret = __vt_dma_buf(devfd, get, big_bar, 0, 1, &r, 0);
		break;
	case 17:
		ret = __vt_dma_buf(devfd, VFIO_DEVICE_FEATURE_PROBE | get,
				   big_bar, 0, 0, NULL, 0);
		break;
	default:
		return -EINVAL;
	}
	if (ret > 0) {
		close(ret);
		ret = 1;
	}
	return ret;
}
