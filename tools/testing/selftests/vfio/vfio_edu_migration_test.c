// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration and dirty tracking of edu through edu-vfio-pci, over the
 * real uAPI: VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, the data fds,
 * VFIO_MIG_GET_PRECOPY_INFO and VFIO_DEVICE_FEATURE_DMA_LOGGING_*.
 *
 * Needs two edus.  The fixture rebinds both from vfio-pci to edu-vfio-pci
 * with driver_override and gives them back to vfio-pci afterwards.  Each
 * device gets its own iommufd and IOAS with the same IOVA layout, as a
 * migrated guest would have.  Interrupts are checked through edu's interrupt
 * status register (SET_IRQS is not served on this branch).
 */
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_dirty.h"
#include "lib/vfio_test.h"
#include "lib/vfio_mig.h"

#define EDU_LIVENESS	0x04
#define EDU_FACT	0x08
#define EDU_STATUS	0x20
#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_ACK	0x64
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_RUN		0x1
#define EDU_TO_RAM	0x2
#define EDU_DMA_IRQ	0x4
#define EDU_BUF		0x40000
#define EDU_BUF_SIZE	4096

#define RAM_IOVA	0x100000ULL
#define RAM_SIZE	0x10000
#define SRC_OFF		0x0000
#define DST_OFF		0x4000

#define VARIANT		"edu-vfio-pci"
#define ST(x)		VFIO_DEVICE_STATE_##x

/* The shared migration helpers (lib/vfio_mig.h) under this file's names. */
#define rebind(bdf, drv)	vt_rebind(bdf, drv)
#define feature(fd, fl, d, l)	vt_mig_feature(fd, fl, d, l)
#define set_state(e, st, pfd)	vt_mig_set_state((e)->dev.fd, st, pfd)
#define get_state(e)		vt_mig_get_state((e)->dev.fd)
#define precopy_info(fd, i)	vt_mig_precopy_info(fd, i)
#define drain(fd, b, cap, len)	vt_mig_drain(fd, b, cap, len)
#define feed(fd, b, len, chunk)	vt_mig_feed(fd, b, len, chunk)
#define now_us()		vt_now_us()
#define crc32_le0(p, len)	vt_crc32_le(0, p, len)

struct edu {
	struct vt_device dev;
	struct vfio_region_info bar0;
	struct vfio_region_info cfg;
	uint8_t *ram;
};

FIXTURE(edu_mig) {
	char bdf[2][VT_BDF_LEN];
	int nr;
	struct edu a;
	struct edu b;
};

static int find_edus(char bdfs[][VT_BDF_LEN])
{
	char all[VT_MAX_BDFS][VT_BDF_LEN];
	int n = vt_find_bound(0x1234, 0x11e8, all, VT_MAX_BDFS), i;

	for (i = 0; i < n && i < 2; i++)
		memcpy(bdfs[i], all[i], VT_BDF_LEN);
	return n;
}

/* A register of BAR0 (or of config space: cfg_rd(), cfg_wr()). */
static uint64_t region_rd(struct edu *e, const struct vfio_region_info *r,
			  uint64_t off, int size)
{
	uint64_t v = 0;

	if (__vt_region_read(e->dev.fd, r, off, &v, size) != size)
		return ~0ULL;
	return v;
}

static int region_wr(struct edu *e, const struct vfio_region_info *r,
		     uint64_t off, uint64_t v, int size)
{
	ssize_t n = __vt_region_write(e->dev.fd, r, off, &v, size);

	return n == size ? 0 : (int)n;
}

#define rd(e, off, size)	region_rd(e, &(e)->bar0, off, size)
#define wr(e, off, v, size)	region_wr(e, &(e)->bar0, off, v, size)
#define cfg_rd(e, off, size)	((uint32_t)region_rd(e, &(e)->cfg, off, size))
#define cfg_wr(e, off, v, size)	region_wr(e, &(e)->cfg, off, v, size)

static int map_ram(struct edu *e)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = e->dev.ioas_id,
		.length = RAM_SIZE,
		.iova = RAM_IOVA,
	};

	e->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->ram == MAP_FAILED)
		return -errno;
	memset(e->ram, 0, RAM_SIZE);
	map.user_va = (uintptr_t)e->ram;
	return ioctl(e->dev.iommufd, IOMMU_IOAS_MAP, &map) ? -errno : 0;
}

static void edu_open(struct __test_metadata *_metadata, struct edu *e,
		     const char *bdf)
{
	uint16_t cmd;

	vt_device_open(&e->dev, bdf);
	ASSERT_EQ(0, __vt_region_info(e->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &e->bar0));
	ASSERT_EQ(0, __vt_region_info(e->dev.fd, VFIO_PCI_CONFIG_REGION_INDEX,
				      &e->cfg));
	ASSERT_EQ(2, __vt_region_read(e->dev.fd, &e->cfg, PCI_COMMAND, &cmd,
				      2));
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	ASSERT_EQ(2, __vt_region_write(e->dev.fd, &e->cfg, PCI_COMMAND, &cmd,
				       2));
	ASSERT_EQ(0, wr(e, EDU_IRQ_ACK, ~0u, 4));
	ASSERT_EQ(0, map_ram(e));
}

static void edu_close(struct edu *e)
{
	vt_device_close(&e->dev);
	if (e->ram && e->ram != MAP_FAILED)
		munmap(e->ram, RAM_SIZE);
	e->ram = NULL;
}

FIXTURE_SETUP(edu_mig)
{
	int i;

	self->a.dev.fd = self->b.dev.fd = -1;
	self->a.dev.iommufd = self->b.dev.iommufd = -1;
	/* Guest RAM is an iommufd IOAS, and the variant reads it with iova_rw. */
	VT_REQUIRE_IOMMUFD();
	if (access("/sys/bus/pci/drivers/" VARIANT, F_OK))
		SKIP(return, VARIANT " is not loaded");
	self->nr = find_edus(self->bdf);
	if (self->nr < 2)
		SKIP(return, "needs two edus bound to vfio-pci");
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, rebind(self->bdf[i], VARIANT));
	edu_open(_metadata, &self->a, self->bdf[0]);
	edu_open(_metadata, &self->b, self->bdf[1]);
}

FIXTURE_TEARDOWN(edu_mig)
{
	int i;

	edu_close(&self->a);
	edu_close(&self->b);
	for (i = 0; i < self->nr && i < 2; i++)
		rebind(self->bdf[i], "vfio-pci");
}

/* Poll until the DMA engine and the factorial are idle. */
static int edu_wait(struct edu *e)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (!(rd(e, EDU_DMA_CMD, 8) & EDU_RUN) &&
		    !(rd(e, EDU_STATUS, 4) & 1))
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static int edu_dma_start(struct edu *e, uint64_t src, uint64_t dst,
			 uint64_t cnt, uint64_t cmd)
{
	int ret = wr(e, EDU_DMA_SRC, src, 8);

	ret = ret ?: wr(e, EDU_DMA_DST, dst, 8);
	ret = ret ?: wr(e, EDU_DMA_CNT, cnt, 8);
	return ret ?: wr(e, EDU_DMA_CMD, cmd | EDU_RUN, 8);
}

static int edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint64_t cnt,
		   uint64_t cmd)
{
	return edu_dma_start(e, src, dst, cnt, cmd) ?: edu_wait(e);
}

#define STREAM_CAP	(64 * 1024)

/* Save a stopped-device stream from @e (RUNNING -> STOP_COPY -> RUNNING). */
static int save_stream(struct edu *e, uint8_t *buf, size_t *len)
{
	int fd, ret;

	*len = 0;
	ret = set_state(e, ST(STOP_COPY), &fd);
	if (ret)
		return ret;
	ret = drain(fd, buf, STREAM_CAP, len);
	close(fd);
	return ret ?: set_state(e, ST(RUNNING), NULL);
}

/* Load @buf into @e: RESUMING, write, RUNNING.  Returns the first error. */
static int load_stream(struct edu *e, const uint8_t *buf, size_t len)
{
	int fd, ret;

	ret = set_state(e, ST(RESUMING), &fd);
	if (ret)
		return ret;
	ret = feed(fd, buf, len, 100);
	close(fd);
	return ret ?: set_state(e, ST(RUNNING), NULL);
}

TEST_F_TIMEOUT(edu_mig, features_advertised, 60)
{
	struct vfio_device_feature_migration mig = {};
	struct vfio_device_feature_mig_data_size size = {};

	ASSERT_EQ(0, feature(self->a.dev.fd, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIGRATION, &mig, sizeof(mig)));
	ASSERT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
		  VFIO_MIGRATION_PRE_COPY, mig.flags);
	ASSERT_EQ(0, feature(self->a.dev.fd, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &size,
			     sizeof(size)));
	ASSERT_GE(size.stop_copy_length, EDU_BUF_SIZE);
	ASSERT_LT(size.stop_copy_length, STREAM_CAP);
	ASSERT_EQ(ST(RUNNING), get_state(&self->a));
}

/*
 * The main scenario: A has a full buffer, a factorial and a DMA just issued;
 * its stream goes through PRE_COPY and STOP_COPY into B, which then carries
 * on exactly where A stopped.
 */
TEST_F_TIMEOUT(edu_mig, migrate_a_to_b, 120)
{
	static uint8_t stream[STREAM_CAP];
	struct edu *a = &self->a, *b = &self->b;
	struct vfio_precopy_info info;
	uint64_t a_dma[3], a_fact, a_irq, a_live, a_status;
	size_t len = 0, pre_len;
	int fd, bfd, i;
	double t0, t1;

	for (i = 0; i < EDU_BUF_SIZE; i++)
		a->ram[SRC_OFF + i] = (i * 7) ^ 0x5a;
	/* Fill the whole buffer from RAM: the driver's shadow is complete. */
	ASSERT_EQ(0, edu_dma(a, RAM_IOVA + SRC_OFF, EDU_BUF, EDU_BUF_SIZE, 0));
	ASSERT_EQ(0, wr(a, EDU_LIVENESS, 0x12345678, 4));
	ASSERT_EQ(0, wr(a, EDU_STATUS, 0x80, 4));
	/* Work in flight: a factorial and a DMA to RAM with its interrupt. */
	ASSERT_EQ(0, wr(a, EDU_FACT, 10, 4));
	ASSERT_EQ(0, edu_dma_start(a, EDU_BUF + 16, RAM_IOVA + DST_OFF, 256,
				   EDU_TO_RAM | EDU_DMA_IRQ));

	ASSERT_EQ(0, set_state(a, ST(PRE_COPY), &fd));
	ASSERT_EQ(ST(PRE_COPY), get_state(a));
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_GT(info.initial_bytes, EDU_BUF_SIZE);
	ASSERT_EQ(-ENOMSG, drain(fd, stream, sizeof(stream), &len));
	pre_len = len;
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_EQ(0, info.initial_bytes);
	ASSERT_EQ(0, info.dirty_bytes);
	/* Positioned I/O and seeking have no meaning on a stream. */
	ASSERT_EQ(-1, pread(fd, stream, 1, 0));
	ASSERT_EQ(ESPIPE, errno);
	ASSERT_EQ(-1, lseek(fd, 0, SEEK_SET));
	ASSERT_EQ(ESPIPE, errno);
	ASSERT_EQ(-1, write(fd, stream, 1));
	ASSERT_EQ(EBADF, errno);

	t0 = now_us();
	ASSERT_EQ(0, set_state(a, ST(STOP_COPY), NULL));
	ASSERT_EQ(ST(STOP_COPY), get_state(a));
	ASSERT_EQ(-EINVAL, precopy_info(fd, &info));
	ASSERT_EQ(0, drain(fd, stream, sizeof(stream), &len));
	ASSERT_EQ(0, read(fd, stream + len, 16));
	/* The buffer went ahead; the stop-copy part is the registers only. */
	ASSERT_LT(len - pre_len, 256);

	a_live = rd(a, EDU_LIVENESS, 4);
	a_fact = rd(a, EDU_FACT, 4);
	a_irq = rd(a, EDU_IRQ_STATUS, 4);
	a_status = rd(a, EDU_STATUS, 4);
	for (i = 0; i < 3; i++)
		a_dma[i] = rd(a, EDU_DMA_SRC + 8 * i, 8);
	ASSERT_EQ(3628800, a_fact);
	ASSERT_EQ(0x101, a_irq);
	ASSERT_EQ(0xedcba987, a_live);

	/* Loading writes nothing into B's memory. */
	memset(b->ram + DST_OFF, 0xc3, EDU_BUF_SIZE);
	ASSERT_EQ(0, set_state(b, ST(RESUMING), &bfd));
	ASSERT_EQ(0, feed(bfd, stream, len, 1000));
	ASSERT_EQ(0, set_state(b, ST(RUNNING), NULL));
	t1 = now_us();
	close(bfd);
	TH_LOG("stream %zu bytes (%zu in PRE_COPY), STOP_COPY to B running: %.0f us",
	       len, pre_len, t1 - t0);
	for (i = 0; i < EDU_BUF_SIZE; i++)
		ASSERT_EQ(0xc3, b->ram[DST_OFF + i]);

	/* A leaves the session; its data fd is dead. */
	ASSERT_EQ(0, set_state(a, ST(STOP), NULL));
	ASSERT_EQ(-1, read(fd, stream, 1));
	ASSERT_EQ(ENODEV, errno);
	close(fd);

	ASSERT_EQ(a_live, rd(b, EDU_LIVENESS, 4));
	ASSERT_EQ(a_fact, rd(b, EDU_FACT, 4));
	ASSERT_EQ(a_irq, rd(b, EDU_IRQ_STATUS, 4));
	ASSERT_EQ(a_status, rd(b, EDU_STATUS, 4));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(a_dma[i], rd(b, EDU_DMA_SRC + 8 * i, 8));

	/* B's buffer is A's: copy it out whole. */
	ASSERT_EQ(0, edu_dma(b, EDU_BUF, RAM_IOVA + DST_OFF, EDU_BUF_SIZE,
			     EDU_TO_RAM));
	ASSERT_EQ(0, memcmp(a->ram + SRC_OFF, b->ram + DST_OFF, EDU_BUF_SIZE));
	/* And it keeps working: a DMA with its interrupt, a factorial. */
	ASSERT_EQ(0, wr(b, EDU_IRQ_ACK, ~0u, 4));
	ASSERT_EQ(0, edu_dma(b, RAM_IOVA + SRC_OFF, EDU_BUF, 64, EDU_DMA_IRQ));
	ASSERT_EQ(0x100, rd(b, EDU_IRQ_STATUS, 4));
	ASSERT_EQ(0, wr(b, EDU_FACT, 5, 4));
	ASSERT_EQ(0, edu_wait(b));
	ASSERT_EQ(120, rd(b, EDU_FACT, 4));
	ASSERT_EQ(0x101, rd(b, EDU_IRQ_STATUS, 4));
}

/*
 * Bytes the driver never saw loaded (they were in the device before) are
 * learned from the user's DMA out of them.  The kernel never writes the
 * user's memory on its own: the source's RAM is what the user left there,
 * and the destination writes only the range of a DMA the user started.
 */
TEST_F_TIMEOUT(edu_mig, buffer_learned_from_dma_out, 120)
{
	static uint8_t stream[STREAM_CAP];
	struct edu *a = &self->a, *b = &self->b;
	uint8_t before[EDU_BUF_SIZE];
	size_t len;
	int i;

	for (i = 0; i < 256; i++)
		a->ram[SRC_OFF + i] = i;
	ASSERT_EQ(0, edu_dma(a, RAM_IOVA + SRC_OFF, EDU_BUF + 512, 256, 0));
	/* What the whole buffer holds now, as the device shows it. */
	ASSERT_EQ(0, edu_dma(a, EDU_BUF, RAM_IOVA + DST_OFF, EDU_BUF_SIZE,
			     EDU_TO_RAM));
	memcpy(before, a->ram + DST_OFF, EDU_BUF_SIZE);
	memset(a->ram, 0x11, RAM_SIZE);

	ASSERT_EQ(0, set_state(a, ST(STOP), NULL));
	ASSERT_EQ(0, save_stream(a, stream, &len));
	ASSERT_GT(len, EDU_BUF_SIZE);
	for (i = 0; i < RAM_SIZE; i++)
		ASSERT_EQ(0x11, a->ram[i]) TH_LOG("source RAM byte %#x", i);

	memset(b->ram, 0x22, RAM_SIZE);
	ASSERT_EQ(0, set_state(b, ST(STOP), NULL));
	ASSERT_EQ(0, load_stream(b, stream, len));
	for (i = 0; i < RAM_SIZE; i++)
		ASSERT_EQ(0x22, b->ram[i]) TH_LOG("destination RAM byte %#x", i);
	/* Half of it first: only that range of B's RAM is written. */
	ASSERT_EQ(0, edu_dma(b, EDU_BUF + 0x400, RAM_IOVA + SRC_OFF, 0x800,
			     EDU_TO_RAM));
	ASSERT_EQ(0, memcmp(before + 0x400, b->ram + SRC_OFF, 0x800));
	for (i = 0x800; i < RAM_SIZE; i++)
		ASSERT_EQ(0x22, b->ram[i]) TH_LOG("destination RAM byte %#x", i);
	ASSERT_EQ(0, edu_dma(b, EDU_BUF, RAM_IOVA + DST_OFF, EDU_BUF_SIZE,
			     EDU_TO_RAM));
	ASSERT_EQ(0, memcmp(before, b->ram + DST_OFF, EDU_BUF_SIZE));
	/* Once out, the bytes are in B's device itself: a second time too. */
	memset(b->ram + DST_OFF, 0x33, EDU_BUF_SIZE);
	ASSERT_EQ(0, edu_dma(b, EDU_BUF, RAM_IOVA + DST_OFF, EDU_BUF_SIZE,
			     EDU_TO_RAM));
	ASSERT_EQ(0, memcmp(before, b->ram + DST_OFF, EDU_BUF_SIZE));
}

static bool contains(const uint8_t *hay, size_t len, const uint8_t *needle,
		     size_t n)
{
	size_t i;

	for (i = 0; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return true;
	return false;
}

/*
 * Review finding: the shadow, its bitmap and the factorial input outlived
 * the user.  The next user's stream carries nothing of the last one's.
 */
TEST_F_TIMEOUT(edu_mig, new_user_gets_nothing_of_the_last, 120)
{
	static uint8_t stream[STREAM_CAP];
	struct edu *a = &self->a;
	uint8_t secret[64];
	size_t len;
	int i;

	for (i = 0; i < EDU_BUF_SIZE; i++)
		a->ram[SRC_OFF + i] = (i * 13) ^ 0xa7;
	memcpy(secret, a->ram + SRC_OFF + 1024, sizeof(secret));
	ASSERT_EQ(0, edu_dma(a, RAM_IOVA + SRC_OFF, EDU_BUF, EDU_BUF_SIZE, 0));
	ASSERT_EQ(0, wr(a, EDU_FACT, 0x1234567, 4));
	ASSERT_EQ(0, edu_wait(a));
	ASSERT_EQ(0, save_stream(a, stream, &len));
	ASSERT_TRUE(contains(stream, len, secret, sizeof(secret)));

	edu_close(a);
	edu_open(_metadata, a, self->bdf[0]);
	ASSERT_EQ(0, save_stream(a, stream, &len));
	ASSERT_FALSE(contains(stream, len, secret, sizeof(secret)));
	/* Registers only: no buffer record, no factorial input. */
	ASSERT_LT(len, 256);
	{
		uint32_t in = 0x1234567;

		ASSERT_FALSE(contains(stream, len, (uint8_t *)&in, 4));
	}
}

/*
 * Review finding: a command written while a DMA runs was forwarded
 * unchecked; had the DMA ended in between, a flipped direction made the RAM
 * address the device-side one.  Every command is checked; one the device
 * would ignore is not forwarded.
 */
TEST_F_TIMEOUT(edu_mig, dma_command_checked_while_running, 60)
{
	struct edu *a = &self->a;

	ASSERT_EQ(0, edu_dma_start(a, RAM_IOVA + SRC_OFF, EDU_BUF, 256, 0));
	ASSERT_EQ(EDU_RUN, rd(a, EDU_DMA_CMD, 8) & EDU_RUN);
	/* Flipped: the device side would be RAM_IOVA, out of the buffer. */
	ASSERT_EQ(-EINVAL, wr(a, EDU_DMA_CMD, EDU_RUN | EDU_TO_RAM, 8));
	ASSERT_EQ(-EINVAL, wr(a, EDU_DMA_CMD, EDU_RUN | EDU_TO_RAM, 4));
	/* Valid but while running: accepted and ignored, as the device does. */
	ASSERT_EQ(0, wr(a, EDU_DMA_CMD, EDU_RUN, 8));
	ASSERT_EQ(0, edu_wait(a));
	ASSERT_EQ(0, rd(a, EDU_DMA_CMD, 8) & (EDU_RUN | EDU_TO_RAM));
}

/*
 * PRECOPY_INFO tells the truth: the registers are initial data too, and a
 * register write while in PRE_COPY shows as dirty bytes.
 */
TEST_F_TIMEOUT(edu_mig, precopy_info_reports_register_changes, 60)
{
	static uint8_t stream[STREAM_CAP];
	struct edu *a = &self->a;
	struct vfio_precopy_info info;
	size_t len = 0, first;
	int fd;

	/* No buffer known (a fresh user): registers only. */
	edu_close(a);
	edu_open(_metadata, a, self->bdf[0]);
	ASSERT_EQ(0, set_state(a, ST(PRE_COPY), &fd));
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_GT(info.initial_bytes, 64);
	ASSERT_LT(info.initial_bytes, 256);
	ASSERT_EQ(0, info.dirty_bytes);
	ASSERT_EQ(-ENOMSG, drain(fd, stream, sizeof(stream), &len));
	ASSERT_EQ(info.initial_bytes, len);
	first = len;
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_EQ(0, info.initial_bytes + info.dirty_bytes);

	ASSERT_EQ(0, wr(a, EDU_LIVENESS, 0x55aa55aa, 4));
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_EQ(0, info.initial_bytes);
	ASSERT_GT(info.dirty_bytes, 32);
	ASSERT_LT(info.dirty_bytes, 256);
	ASSERT_EQ(-ENOMSG, drain(fd, stream, sizeof(stream), &len));
	ASSERT_EQ(first + info.dirty_bytes, len);
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_EQ(0, info.dirty_bytes);
	ASSERT_EQ(0, set_state(a, ST(RUNNING), NULL));
	close(fd);
}

/* A DMA that changes the buffer during PRE_COPY makes it dirty again. */
TEST_F_TIMEOUT(edu_mig, precopy_resends_changed_buffer, 120)
{
	static uint8_t stream[STREAM_CAP];
	struct edu *a = &self->a, *b = &self->b;
	struct vfio_precopy_info info;
	size_t len = 0, first;
	int fd, i;

	for (i = 0; i < EDU_BUF_SIZE; i++)
		a->ram[SRC_OFF + i] = i ^ 0x33;
	ASSERT_EQ(0, edu_dma(a, RAM_IOVA + SRC_OFF, EDU_BUF, EDU_BUF_SIZE, 0));
	ASSERT_EQ(0, set_state(a, ST(PRE_COPY), &fd));
	ASSERT_EQ(-ENOMSG, drain(fd, stream, sizeof(stream), &len));
	first = len;
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_EQ(0, info.initial_bytes + info.dirty_bytes);

	/* The device runs on: 64 new bytes into the buffer. */
	memset(a->ram + SRC_OFF, 0xee, 64);
	ASSERT_EQ(0, edu_dma(a, RAM_IOVA + SRC_OFF, EDU_BUF + 128, 64, 0));
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_EQ(0, info.initial_bytes);
	ASSERT_GT(info.dirty_bytes, EDU_BUF_SIZE);
	ASSERT_EQ(-ENOMSG, drain(fd, stream, sizeof(stream), &len));
	ASSERT_EQ(first + info.dirty_bytes, len);
	ASSERT_EQ(0, precopy_info(fd, &info));
	ASSERT_EQ(0, info.dirty_bytes);

	ASSERT_EQ(0, set_state(a, ST(STOP_COPY), NULL));
	ASSERT_EQ(0, drain(fd, stream, sizeof(stream), &len));
	close(fd);
	ASSERT_EQ(0, load_stream(b, stream, len));
	ASSERT_EQ(0, edu_dma(b, EDU_BUF, RAM_IOVA + DST_OFF, EDU_BUF_SIZE,
			     EDU_TO_RAM));
	for (i = 0; i < EDU_BUF_SIZE; i++)
		ASSERT_EQ(i >= 128 && i < 192 ? 0xee : (i ^ 0x33) & 0xff,
			  b->ram[DST_OFF + i]) TH_LOG("byte %d", i);
}

/*
 * The destination keeps the config space its user writes while RESUMING,
 * as QEMU restores it there (after the device data, before leaving
 * RESUMING): nothing on the way to RUNNING resets the function or the
 * virtual config space.  Also written after RUNNING, and checked through
 * BAR0 itself.
 */
TEST_F_TIMEOUT(edu_mig, config_written_while_resuming_stays, 120)
{
	static uint8_t stream[STREAM_CAP];
	struct edu *a = &self->a, *b = &self->b;
	uint32_t bar, want_bar;
	size_t len;
	int fd;

	ASSERT_EQ(0, wr(a, EDU_LIVENESS, 0x0badf00d, 4));
	ASSERT_EQ(0, save_stream(a, stream, &len));

	bar = cfg_rd(b, PCI_BASE_ADDRESS_0, 4);
	want_bar = (bar ^ 0x100000) & ~0xfu;	/* another 1 MiB slot */
	ASSERT_EQ(0, set_state(b, ST(RESUMING), &fd));
	ASSERT_EQ(0, feed(fd, stream, len, 4096));
	/* What QEMU's config load does, in RESUMING. */
	ASSERT_EQ(0, cfg_wr(b, PCI_BASE_ADDRESS_0, want_bar, 4));
	ASSERT_EQ(0, cfg_wr(b, PCI_COMMAND, PCI_COMMAND_MEMORY |
			    PCI_COMMAND_MASTER, 2));
	ASSERT_EQ(0, set_state(b, ST(STOP), NULL));
	close(fd);
	ASSERT_EQ(want_bar, cfg_rd(b, PCI_BASE_ADDRESS_0, 4) & ~0xfu);
	ASSERT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
		  cfg_rd(b, PCI_COMMAND, 2) & 0x7);
	ASSERT_EQ(0, set_state(b, ST(RUNNING), NULL));
	ASSERT_EQ(want_bar, cfg_rd(b, PCI_BASE_ADDRESS_0, 4) & ~0xfu);
	ASSERT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
		  cfg_rd(b, PCI_COMMAND, 2) & 0x7);
	ASSERT_EQ(~0x0badf00du, rd(b, EDU_LIVENESS, 4));
}

/*
 * QEMU attaches a physical device to a page table it allocates from its
 * IOAS: the driver still reads what a DMA into the device loads, through
 * that IOAS (here: the pattern shows up in the stream).
 */
TEST_F_TIMEOUT(edu_mig, shadow_through_a_users_page_table, 120)
{
	static uint8_t stream[STREAM_CAP];
	struct edu *a = &self->a;
	uint32_t hwpt, out;
	size_t len;
	int i;

	ASSERT_EQ(0, __vt_hwpt_alloc(a->dev.iommufd, a->dev.devid,
				     a->dev.ioas_id, 0, &hwpt));
	ASSERT_EQ(0, __vt_attach(a->dev.fd, hwpt, &out));
	ASSERT_EQ(hwpt, out);
	for (i = 0; i < EDU_BUF_SIZE; i++)
		a->ram[SRC_OFF + i] = (i * 5) ^ 0x96;
	ASSERT_EQ(0, edu_dma(a, RAM_IOVA + SRC_OFF, EDU_BUF, EDU_BUF_SIZE, 0));
	ASSERT_EQ(0, save_stream(a, stream, &len));
	ASSERT_TRUE(contains(stream, len, a->ram + SRC_OFF + 2048, 64));
}

/*
 * With two IOAS in the iommufd the IOAS behind a page table cannot be told:
 * the attach is refused up front, and the device stays where it was.
 */
TEST_F_TIMEOUT(edu_mig, ambiguous_page_table_refused, 120)
{
	struct edu *a = &self->a;
	uint32_t other, hwpt;

	ASSERT_EQ(0, __vt_ioas_alloc(a->dev.iommufd, &other));
	ASSERT_EQ(0, __vt_hwpt_alloc(a->dev.iommufd, a->dev.devid,
				     a->dev.ioas_id, 0, &hwpt));
	ASSERT_EQ(-EOPNOTSUPP, __vt_attach(a->dev.fd, hwpt, NULL));
	/* Still attached to the first IOAS: a DMA round trip works. */
	memset(a->ram + SRC_OFF, 0x5c, 256);
	ASSERT_EQ(0, edu_dma(a, RAM_IOVA + SRC_OFF, EDU_BUF, 256, 0));
	ASSERT_EQ(0, edu_dma(a, EDU_BUF, RAM_IOVA + DST_OFF, 256, EDU_TO_RAM));
	ASSERT_EQ(0, memcmp(a->ram + SRC_OFF, a->ram + DST_OFF, 256));
	/* The IOAS itself is no problem. */
	ASSERT_EQ(0, __vt_attach(a->dev.fd, a->dev.ioas_id, NULL));
}

/* Expected result of SET_STATE from -> to: 0 or -EINVAL. */
static int arc_expect(uint32_t from, uint32_t to)
{
	if (from == ST(ERROR) || to == ST(ERROR) || to >= ST(NR))
		return -EINVAL;
	if (from == ST(STOP_COPY) &&
	    (to == ST(PRE_COPY) || to == ST(PRE_COPY_P2P)))
		return -EINVAL;
	return 0;
}

static bool opens_session(uint32_t from, uint32_t to)
{
	bool saving_from = from == ST(PRE_COPY) || from == ST(PRE_COPY_P2P) ||
			   from == ST(STOP_COPY);

	if (to == ST(RESUMING))
		return from != ST(RESUMING);
	if (to == ST(PRE_COPY) || to == ST(PRE_COPY_P2P) || to == ST(STOP_COPY))
		return !saving_from;
	return false;
}

/* Bring @e to @state from RUNNING; ERROR through a bad stream. */
static int reach(struct edu *e, uint32_t state, int *fd)
{
	int ret;

	*fd = -1;
	if (state == ST(ERROR)) {
		ret = set_state(e, ST(RESUMING), fd);
		if (ret)
			return ret;
		close(*fd);
		*fd = -1;
		return set_state(e, ST(STOP), NULL) == -EINVAL ? 0 : -EIO;
	}
	return set_state(e, state, fd);
}

TEST_F_TIMEOUT(edu_mig, arc_matrix, 300)
{
	static uint8_t good[STREAM_CAP];
	struct edu *a = &self->a;
	uint32_t from, to;
	size_t good_len;
	int fd, nfd, ret, walked = 0;

	ASSERT_EQ(0, set_state(a, ST(STOP), NULL));
	ASSERT_EQ(0, save_stream(a, good, &good_len));

	for (from = 0; from < ST(NR); from++) {
		for (to = 0; to <= ST(NR); to++) {
			ASSERT_EQ(0, reach(a, from, &fd)) TH_LOG("reach %u", from);
			ASSERT_EQ(from, get_state(a));
			/* Leaving RESUMING loads: give it a good stream. */
			if (from == ST(RESUMING)) {
				ASSERT_EQ(0, feed(fd, good, good_len, 4096));
			}
			ret = set_state(a, to, &nfd);
			ASSERT_EQ(arc_expect(from, to), ret)
				TH_LOG("arc %u -> %u", from, to);
			if (!ret) {
				ASSERT_EQ(to, get_state(a));
				ASSERT_EQ(opens_session(from, to), nfd >= 0)
					TH_LOG("arc %u -> %u fd %d", from, to,
					       nfd);
			} else {
				ASSERT_EQ(from, get_state(a));
			}
			if (nfd >= 0)
				close(nfd);
			if (fd >= 0)
				close(fd);
			/* Back to RUNNING; ERROR needs a reset. */
			if (get_state(a) == ST(ERROR) ||
			    get_state(a) == ST(RESUMING)) {
				ASSERT_EQ(0, __vt_reset(a->dev.fd));
			} else {
				ASSERT_EQ(0, set_state(a, ST(RUNNING), NULL));
			}
			ASSERT_EQ(ST(RUNNING), get_state(a));
			walked++;
		}
	}
	ASSERT_EQ(ST(NR) * (ST(NR) + 1), walked);
	/* Still a working device. */
	ASSERT_EQ(0, wr(a, EDU_LIVENESS, 1, 4));
	ASSERT_EQ(~1u, rd(a, EDU_LIVENESS, 4));
}

TEST_F_TIMEOUT(edu_mig, reset_returns_to_running, 60)
{
	uint8_t byte;
	int fd;

	ASSERT_EQ(0, set_state(&self->a, ST(STOP_COPY), &fd));
	ASSERT_EQ(0, __vt_reset(self->a.dev.fd));
	ASSERT_EQ(ST(RUNNING), get_state(&self->a));
	ASSERT_EQ(-1, read(fd, &byte, 1));
	ASSERT_EQ(ENODEV, errno);
	close(fd);
	/* Writes were dropped while stopped; running again they work. */
	ASSERT_EQ(0, wr(&self->a, EDU_LIVENESS, 2, 4));
	ASSERT_EQ(~2u, rd(&self->a, EDU_LIVENESS, 4));
}

TEST_F_TIMEOUT(edu_mig, stopped_device_ignores_writes, 60)
{
	ASSERT_EQ(0, wr(&self->a, EDU_LIVENESS, 3, 4));
	ASSERT_EQ(0, set_state(&self->a, ST(STOP), NULL));
	ASSERT_EQ(0, wr(&self->a, EDU_LIVENESS, 4, 4));
	ASSERT_EQ(~3u, rd(&self->a, EDU_LIVENESS, 4));
	ASSERT_EQ(0, set_state(&self->a, ST(RUNNING), NULL));
	ASSERT_EQ(0, wr(&self->a, EDU_LIVENESS, 4, 4));
	ASSERT_EQ(~4u, rd(&self->a, EDU_LIVENESS, 4));
}

/* Stream record header: magic, tag, len, crc; the first record's payload
 * is format, version, vendor/device, reserved. */
#define REC_HDR		16

static int reject(struct edu *e, const uint8_t *buf, size_t len,
		  int write_err, int leave_err)
{
	int fd, ret;

	if (set_state(e, ST(RESUMING), &fd))
		return -100;
	ret = feed(fd, buf, len, 4096);
	close(fd);
	if (ret != write_err)
		return -101;
	ret = set_state(e, ST(STOP), NULL);
	if (ret != leave_err || get_state(e) != ST(ERROR))
		return -102;
	/* The way out of ERROR, and the device works again. */
	if (__vt_reset(e->dev.fd) || get_state(e) != ST(RUNNING))
		return -103;
	if (wr(e, EDU_LIVENESS, 7, 4) || rd(e, EDU_LIVENESS, 4) != ~7u)
		return -104;
	return 0;
}

TEST_F_TIMEOUT(edu_mig, resume_rejects_bad_streams, 120)
{
	static uint8_t good[STREAM_CAP], bad[STREAM_CAP + 1024];
	struct edu *a = &self->a, *b = &self->b;
	uint32_t v;
	size_t len;

	ASSERT_EQ(0, wr(a, EDU_LIVENESS, 0xabc, 4));
	ASSERT_EQ(0, save_stream(a, good, &len));
	ASSERT_GT(len, 2 * REC_HDR + 16);

	/* Truncated: the last record cut short, or END missing. */
	ASSERT_EQ(0, reject(b, good, len - 3, 0, -EINVAL));
	ASSERT_EQ(0, reject(b, good, len - REC_HDR, 0, -EINVAL));
	ASSERT_EQ(0, reject(b, good, 0, 0, -EINVAL));

	/* Corrupted: a payload byte flipped (checksum), or bad magic. */
	memcpy(bad, good, len);
	bad[len - REC_HDR - 1] ^= 0x40;
	ASSERT_EQ(0, reject(b, bad, len, -EINVAL, -EINVAL));
	memcpy(bad, good, len);
	bad[0] ^= 1;
	ASSERT_EQ(0, reject(b, bad, len, -EINVAL, -EINVAL));

	/* Wrong version, with a checksum that matches it. */
	memcpy(bad, good, len);
	memcpy(&v, bad + REC_HDR + 4, 4);
	v++;
	memcpy(bad + REC_HDR + 4, &v, 4);
	v = crc32_le0(bad + REC_HDR, 16);
	memcpy(bad + 12, &v, 4);
	ASSERT_EQ(0, reject(b, bad, len, -EINVAL, -EINVAL));

	/* Oversized: a record longer than the device's state can be. */
	memcpy(bad, good, REC_HDR + 16);
	memcpy(bad + REC_HDR + 16, "VMIG", 4);	/* magic */
	v = 1;
	memcpy(bad + REC_HDR + 20, &v, 4);
	v = 1 << 20;
	memcpy(bad + REC_HDR + 24, &v, 4);
	ASSERT_EQ(0, reject(b, bad, REC_HDR + 16 + REC_HDR, -ENOMEM, -EINVAL));

	/* Data after the end. */
	memcpy(bad, good, len);
	memcpy(bad + len, good, REC_HDR);
	ASSERT_EQ(0, reject(b, bad, len + REC_HDR, -EINVAL, -EINVAL));

	/* After all that, the good stream loads. */
	ASSERT_EQ(0, load_stream(b, good, len));
	ASSERT_EQ(0xabcu ^ ~0u, rd(b, EDU_LIVENESS, 4));
}

/*
 * Record @idx of @good (at @off) with u64 @i of its payload set to @v and
 * its checksum fixed, into @bad.
 */
static void patch_u64(uint8_t *bad, const uint8_t *good, size_t len, long off,
		      unsigned int idx, unsigned int i, uint64_t v)
{
	struct vt_mig_rec h;

	memcpy(bad, good, len);
	memcpy(bad + off + REC_HDR + 8 * i, &v, 8);
	memcpy(&h, bad + off, sizeof(h));
	h.crc = vt_crc32_le(idx, bad + off + REC_HDR, h.len);
	memcpy(bad + off, &h, sizeof(h));
}

/*
 * The registers' record (the core's replay log: a bitmap of the registers
 * written, then one u64 per register) is checked on load, with checksums
 * that match: a bit past the registers, a value wider than its register, a
 * value for a register never written, a short record, and a stream without
 * the record at all are refused with -EINVAL.
 */
TEST_F_TIMEOUT(edu_mig, resume_rejects_bad_register_log, 120)
{
	static uint8_t good[STREAM_CAP], bad[STREAM_CAP];
	struct edu *a = &self->a, *b = &self->b;
	uint64_t logged;
	struct vt_mig_rec h;
	size_t len, rlen;
	unsigned int i;
	long off;

	ASSERT_EQ(0, wr(a, EDU_LIVENESS, 0xabc, 4));
	ASSERT_EQ(0, save_stream(a, good, &len));
	/* Record 1: the registers, seven of them (no buffer record here). */
	off = vt_mig_record(good, len, 1, &rlen);
	ASSERT_GT(off, 0);
	memcpy(&h, good + off, sizeof(h));
	ASSERT_EQ(1, h.tag);
	ASSERT_EQ(8 * 8, h.len);
	ASSERT_EQ(len, off + rlen + REC_HDR);
	memcpy(&logged, good + off + REC_HDR, 8);
	/* Liveness (the first register) was written. */
	ASSERT_EQ(1, logged & 1);
	for (i = 0; i < 7 && (logged & (1ull << i)); i++)
		;
	ASSERT_LT(i, 7);

	patch_u64(bad, good, len, off, 1, 0, logged | 1ull << 7);
	ASSERT_EQ(0, reject(b, bad, len, -EINVAL, -EINVAL));
	patch_u64(bad, good, len, off, 1, 1, 1ull << 32);
	ASSERT_EQ(0, reject(b, bad, len, -EINVAL, -EINVAL));
	patch_u64(bad, good, len, off, 1, 1 + i, 1);
	ASSERT_EQ(0, reject(b, bad, len, -EINVAL, -EINVAL));

	/* One register short: 56 bytes of payload. */
	memcpy(bad, good, off + REC_HDR + 56);
	h.len = 56;
	h.crc = vt_crc32_le(1, good + off + REC_HDR, 56);
	memcpy(bad + off, &h, sizeof(h));
	memcpy(bad + off + REC_HDR + 56, good + off + rlen, REC_HDR);
	ASSERT_EQ(0, reject(b, bad, len - 8, -EINVAL, -EINVAL));

	/* No registers: END right after the header, as record 1. */
	memcpy(bad, good, off);
	memcpy(&h, good + off + rlen, sizeof(h));
	h.crc = vt_crc32_le(1, good, 0);
	memcpy(bad + off, &h, sizeof(h));
	ASSERT_EQ(0, reject(b, bad, off + REC_HDR, 0, -EINVAL));

	/* The good stream still loads. */
	ASSERT_EQ(0, load_stream(b, good, len));
	ASSERT_EQ(~0xabcu, rd(b, EDU_LIVENESS, 4));
}

TEST_F_TIMEOUT(edu_mig, dma_out_of_buffer_refused, 60)
{
	ASSERT_EQ(0, wr(&self->a, EDU_DMA_SRC, EDU_BUF + 0xf00, 8));
	ASSERT_EQ(0, wr(&self->a, EDU_DMA_DST, RAM_IOVA, 8));
	ASSERT_EQ(0, wr(&self->a, EDU_DMA_CNT, 0x200, 8));
	ASSERT_EQ(-EINVAL, wr(&self->a, EDU_DMA_CMD, EDU_RUN | EDU_TO_RAM, 8));
	ASSERT_EQ(0, rd(&self->a, EDU_DMA_CMD, 8) & EDU_RUN);
	ASSERT_EQ(0, wr(&self->a, EDU_DMA_CNT, 0, 8));
	ASSERT_EQ(-EINVAL, wr(&self->a, EDU_DMA_CMD, EDU_RUN | EDU_TO_RAM, 8));
}

/* DMA logging, through lib/vfio_dirty.h */
#define log_start(e, r, n, ps)		vt_log_start((e)->dev.fd, r, n, ps)
#define log_stop(e)			vt_log_stop((e)->dev.fd)
#define log_report(e, i, l, ps, bm)	vt_log_report((e)->dev.fd, i, l, ps, bm)

TEST_F_TIMEOUT(edu_mig, dirty_tracking, 60)
{
	struct vfio_device_feature_dma_logging_range r = {
		.iova = RAM_IOVA, .length = RAM_SIZE,
	};
	uint64_t bitmap = ~0ULL;

	ASSERT_EQ(-EINVAL, log_report(&self->a, RAM_IOVA, RAM_SIZE, 4096,
				      &bitmap));
	ASSERT_EQ(0, log_start(&self->a, &r, 1, 4096));
	ASSERT_EQ(-EINVAL, log_start(&self->a, &r, 1, 4096));
	/* Reads from RAM dirty nothing; 256 bytes to RAM across pages 3-4. */
	ASSERT_EQ(0, edu_dma(&self->a, RAM_IOVA, EDU_BUF, 256, 0));
	ASSERT_EQ(0, edu_dma(&self->a, EDU_BUF, RAM_IOVA + 0x3f80, 256,
			     EDU_TO_RAM));
	bitmap = 0;
	ASSERT_EQ(0, log_report(&self->a, RAM_IOVA, RAM_SIZE, 4096, &bitmap));
	ASSERT_EQ(0x18, bitmap);
	/* Read and clear: nothing new since. */
	bitmap = 0;
	ASSERT_EQ(0, log_report(&self->a, RAM_IOVA, RAM_SIZE, 4096, &bitmap));
	ASSERT_EQ(0, bitmap);
	/* Coarser report pages: page 0 of 64 KiB. */
	ASSERT_EQ(0, edu_dma(&self->a, EDU_BUF, RAM_IOVA + 0x9000, 16,
			     EDU_TO_RAM));
	bitmap = 0;
	ASSERT_EQ(0, log_report(&self->a, RAM_IOVA, RAM_SIZE, 65536, &bitmap));
	ASSERT_EQ(1, bitmap);
	ASSERT_EQ(0, log_stop(&self->a));
	ASSERT_EQ(0, log_stop(&self->a));
}

TEST_F_TIMEOUT(edu_mig, dirty_tracking_bad_input, 60)
{
	struct vfio_device_feature_dma_logging_range r[2] = {
		{ .iova = RAM_IOVA, .length = RAM_SIZE },
		{ .iova = RAM_IOVA + 0x1000, .length = 0x1000 },
	};
	static struct vfio_device_feature_dma_logging_range many[100000];
	struct vfio_device_feature_dma_logging_range one;
	uint64_t bitmap;

	ASSERT_EQ(-EINVAL, log_start(&self->a, r, 2, 4096));	/* overlap */
	one = (typeof(one)){ .iova = RAM_IOVA + 1, .length = 4096 };
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 1, 4096));
	one = (typeof(one)){ .iova = RAM_IOVA, .length = 100 };
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 1, 4096));
	one = (typeof(one)){ .iova = RAM_IOVA, .length = 0 };
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 1, 4096));
	one = (typeof(one)){ .iova = 0, .length = 0 };
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 1, 4096));
	one = (typeof(one)){ .iova = RAM_IOVA, .length = RAM_SIZE };
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 0, 4096));
	ASSERT_EQ(-E2BIG, log_start(&self->a, many, 100000, 4096));
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 1, 0));
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 1, 3 * 4096));
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 1, 2048));
	ASSERT_EQ(-EINVAL, log_start(&self->a, &one, 1, 1ULL << 40));
	/* Overflow, and more bitmap than the tracker will hold. */
	one = (typeof(one)){ .iova = ~0ULL & ~0xfffULL, .length = 0x2000 };
	ASSERT_EQ(-EOVERFLOW, log_start(&self->a, &one, 1, 4096));
	one = (typeof(one)){ .iova = 0, .length = 1ULL << 50 };
	ASSERT_EQ(-E2BIG, log_start(&self->a, &one, 1, 4096));
	/* None of it started anything. */
	ASSERT_EQ(-EINVAL, log_report(&self->a, RAM_IOVA, 4096, 4096,
				      &bitmap));
	one = (typeof(one)){ .iova = RAM_IOVA, .length = RAM_SIZE };
	ASSERT_EQ(0, log_start(&self->a, &one, 1, 4096));
	ASSERT_EQ(-EINVAL, log_report(&self->a, RAM_IOVA, 4096, 1000,
				      &bitmap));
	ASSERT_EQ(-EOVERFLOW, log_report(&self->a, ~0ULL - 10, 4096, 4096,
					 &bitmap));
	ASSERT_EQ(0, log_stop(&self->a));
}

TEST_F_TIMEOUT(edu_mig, precopy_info_bad_input, 60)
{
	struct vfio_precopy_info info = {};
	int fd;

	ASSERT_EQ(0, set_state(&self->a, ST(PRE_COPY), &fd));
	info.argsz = 8;
	ASSERT_EQ(-1, ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(fd, VFIO_DEVICE_GET_INFO, &info));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(0, set_state(&self->a, ST(RUNNING), NULL));
	ASSERT_EQ(-EINVAL, precopy_info(fd, &info));
	close(fd);
}

struct racer {
	struct edu *e;
	void *bar;		/* a mapping of BAR0 past the trapped page */
	int rounds;
	int unexpected;
};

/* Sessions whose data lands in a BAR mapping: read() faults on the device. */
static void *migrate_loop(void *arg)
{
	struct racer *r = arg;
	int i, fd;

	for (i = 0; i < r->rounds; i++) {
		if (set_state(r->e, ST(PRE_COPY), &fd))
			continue;
		if (read(fd, r->bar, 64) < 0 && errno != ENODEV &&
		    errno != ENOMSG)
			r->unexpected++;
		close(fd);
		set_state(r->e, ST(RUNNING), NULL);
	}
	return NULL;
}

/*
 * Resets while another thread changes states and reads its data fd into a
 * mapping of the device: the reset only records itself, the state-lock
 * holder applies it, and nothing deadlocks (lockdep would tell).
 */
TEST_F_TIMEOUT(edu_mig, reset_races_migration, 240)
{
	struct racer r = { .e = &self->a, .rounds = 60 };
	pthread_t t;
	int i;

	ASSERT_EQ(0, __vt_region_mmap(self->a.dev.fd, &self->a.bar0, 0x1000,
				      0x1000, PROT_READ | PROT_WRITE,
				      MAP_SHARED, &r.bar));
	ASSERT_EQ(0, pthread_create(&t, NULL, migrate_loop, &r));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, __vt_reset(self->a.dev.fd));
		usleep(20000);
	}
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, r.unexpected);
	ASSERT_EQ(0, __vt_reset(self->a.dev.fd));
	ASSERT_EQ(ST(RUNNING), get_state(&self->a));
	ASSERT_EQ(0, wr(&self->a, EDU_LIVENESS, 9, 4));
	ASSERT_EQ(~9u, rd(&self->a, EDU_LIVENESS, 4));
	munmap(r.bar, 0x1000);
}

/* Not a timed test: prints the downtime of an edu migration. */
TEST_F_TIMEOUT(edu_mig, benchmark_downtime, 120)
{
	static uint8_t stream[STREAM_CAP];
	struct edu *a = &self->a, *b = &self->b;
	double t0, t1, best = 1e12;
	size_t len, pre;
	int fd, bfd, round;

	ASSERT_EQ(0, edu_dma(a, RAM_IOVA, EDU_BUF, EDU_BUF_SIZE, 0));
	for (round = 0; round < 3; round++) {
		len = 0;
		ASSERT_EQ(0, set_state(a, ST(PRE_COPY), &fd));
		ASSERT_EQ(-ENOMSG, drain(fd, stream, sizeof(stream), &len));
		ASSERT_EQ(0, set_state(b, ST(RESUMING), &bfd));
		ASSERT_EQ(0, feed(bfd, stream, len, len));

		t0 = now_us();
		ASSERT_EQ(0, set_state(a, ST(STOP_COPY), NULL));
		pre = len;
		ASSERT_EQ(0, drain(fd, stream, sizeof(stream), &len));
		ASSERT_EQ(0, feed(bfd, stream + pre, len - pre, len));
		ASSERT_EQ(0, set_state(b, ST(RUNNING), NULL));
		t1 = now_us();
		close(fd);
		close(bfd);
		ASSERT_EQ(0, set_state(a, ST(RUNNING), NULL));
		if (t1 - t0 < best)
			best = t1 - t0;
		printf("# edu migration downtime, round %d: %.0f us\n", round,
		       t1 - t0);
	}
	printf("# bench: ours: edu migration downtime (STOP_COPY entry to B RUNNING): best %.0f us\n",
	       best);
}

TEST_HARNESS_MAIN
