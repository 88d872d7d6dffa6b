// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU path end to end: edu copies a buffer that userspace mapped with
 * IOMMU_IOAS_MAP into its internal memory and back out to a second mapped
 * buffer; once that buffer is unmapped, the same DMA no longer reaches it.
 */
#include <linux/pci_regs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_IRQ_ACK	0x64
#define EDU_CMD_RUN	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUF		0x40000

#define SRC_IOVA	0x100000ULL
#define DST_IOVA	0x200000ULL
#define LEN		256

FIXTURE(edu_dma) {
	struct vt_device dev;
	struct vfio_region_info bar0;
	struct vfio_region_info cfg;
	uint8_t *src;
	uint8_t *dst;
};

static int ioas_map(FIXTURE_DATA(edu_dma) *self, void *va, uint64_t iova)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = self->dev.ioas_id,
		.user_va = (uintptr_t)va,
		.length = getpagesize(),
		.iova = iova,
	};

	return ioctl(self->dev.iommufd, IOMMU_IOAS_MAP, &map) ? -errno : 0;
}

static int ioas_unmap(FIXTURE_DATA(edu_dma) *self, uint64_t iova)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = self->dev.ioas_id,
		.iova = iova,
		.length = getpagesize(),
	};

	return ioctl(self->dev.iommufd, IOMMU_IOAS_UNMAP, &unmap) ? -errno : 0;
}

static void edu_write64(struct __test_metadata *_metadata,
			FIXTURE_DATA(edu_dma) *self, uint64_t off, uint64_t v)
{
	ASSERT_EQ(8, __vt_region_write(self->dev.fd, &self->bar0, off, &v, 8));
}

/* Start one DMA and wait (edu runs it from a 100 ms timer) until it ends. */
static void edu_dma(struct __test_metadata *_metadata,
		    FIXTURE_DATA(edu_dma) *self, uint64_t src, uint64_t dst,
		    uint64_t cmd)
{
	struct timespec t0, t;
	uint64_t v;

	edu_write64(_metadata, self, EDU_DMA_SRC, src);
	edu_write64(_metadata, self, EDU_DMA_DST, dst);
	edu_write64(_metadata, self, EDU_DMA_CNT, LEN);
	edu_write64(_metadata, self, EDU_DMA_CMD, cmd | EDU_CMD_RUN);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(10000);
		ASSERT_EQ(8, __vt_region_read(self->dev.fd, &self->bar0,
					      EDU_DMA_CMD, &v, 8));
		clock_gettime(CLOCK_MONOTONIC, &t);
		ASSERT_LT(t.tv_sec - t0.tv_sec, 10);
	} while (v & EDU_CMD_RUN);
}

FIXTURE_SETUP(edu_dma)
{
	const char *bdf = vt_find_one(0x1234, 0x11e8);
	uint16_t cmd;
	uint32_t ack = ~0u;

	self->dev.fd = -1;
	self->dev.iommufd = -1;
	self->src = MAP_FAILED;
	self->dst = MAP_FAILED;
	/* The IOVA space is an iommufd IOAS. */
	VT_REQUIRE_IOMMUFD();
	if (!bdf)
		SKIP(return, "no edu bound to vfio-pci");
	vt_device_open(&self->dev, bdf);
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &self->bar0));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX, &self->cfg));

	/* Memory decode and bus mastering, through the virtual COMMAND. */
	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &self->cfg, PCI_COMMAND,
				      &cmd, 2));
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	ASSERT_EQ(2, __vt_region_write(self->dev.fd, &self->cfg, PCI_COMMAND,
				       &cmd, 2));
	/* Pending interrupt status survives resets on edu: clear it. */
	ASSERT_EQ(4, __vt_region_write(self->dev.fd, &self->bar0, EDU_IRQ_ACK,
				       &ack, 4));

	self->src = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	self->dst = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->src);
	ASSERT_NE(MAP_FAILED, self->dst);
	ASSERT_EQ(0, ioas_map(self, self->src, SRC_IOVA));
	ASSERT_EQ(0, ioas_map(self, self->dst, DST_IOVA));
}

FIXTURE_TEARDOWN(edu_dma)
{
	uint16_t cmd = PCI_COMMAND_MEMORY;

	if (self->dev.fd >= 0)
		__vt_region_write(self->dev.fd, &self->cfg, PCI_COMMAND, &cmd,
				  2);
	vt_device_close(&self->dev);
	if (self->src != MAP_FAILED)
		munmap(self->src, getpagesize());
	if (self->dst != MAP_FAILED)
		munmap(self->dst, getpagesize());
}

TEST_F_TIMEOUT(edu_dma, copy_through_iommu, 60)
{
	int i;

	for (i = 0; i < LEN; i++)
		self->src[i] = i ^ 0x5a;
	memset(self->dst, 0, LEN);

	edu_dma(_metadata, self, SRC_IOVA, EDU_BUF, 0);
	edu_dma(_metadata, self, EDU_BUF, DST_IOVA, EDU_CMD_TO_RAM);
	ASSERT_EQ(0, memcmp(self->src, self->dst, LEN));
}

TEST_F_TIMEOUT(edu_dma, unmapped_destination_is_not_written, 60)
{
	int i;

	for (i = 0; i < LEN; i++)
		self->src[i] = i ^ 0xa5;
	memset(self->dst, 0, LEN);
	edu_dma(_metadata, self, SRC_IOVA, EDU_BUF, 0);

	/* The page stays the process's, but the device can no longer see it. */
	ASSERT_EQ(0, ioas_unmap(self, DST_IOVA));
	edu_dma(_metadata, self, EDU_BUF, DST_IOVA, EDU_CMD_TO_RAM);
	for (i = 0; i < LEN; i++)
		ASSERT_EQ(0, self->dst[i]);
}

TEST_F_TIMEOUT(edu_dma, no_dma_without_bus_master, 60)
{
	uint16_t cmd = PCI_COMMAND_MEMORY;
	int i;

	for (i = 0; i < LEN; i++)
		self->src[i] = 0x3c;
	memset(self->dst, 0, LEN);
	edu_dma(_metadata, self, SRC_IOVA, EDU_BUF, 0);
	ASSERT_EQ(2, __vt_region_write(self->dev.fd, &self->cfg, PCI_COMMAND,
				       &cmd, 2));
	edu_dma(_metadata, self, EDU_BUF, DST_IOVA, EDU_CMD_TO_RAM);
	for (i = 0; i < LEN; i++)
		ASSERT_EQ(0, self->dst[i]);
}

TEST_HARNESS_MAIN
