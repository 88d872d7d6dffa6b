// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO_DEVICE_IOEVENTFD: a signal on the eventfd becomes the registered
 * write into the BAR.
 *
 * edu's liveness register (BAR0 + 0x04) stores the complement of what is
 * written, and only for 4-byte writes; its DMA source register (BAR0 +
 * 0x80) takes 8-byte writes and reads back as written.  pci-testdev's test
 * 0 counts a write to its target offset whose first byte is its data byte;
 * wider writes reach it as bytes on its memory BAR, which covers 1, 2 and 8
 * bytes.  Its I/O port BAR target is an odd port, where only single bytes
 * reach it.  igb has an MSI-X table for the overlap rule.
 */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

#define EDU_LIVENESS	0x04
#define EDU_DMA_SRC	0x80

/* pci-testdev MMIO BAR: test selector, target offset and hit counter. */
#define TESTDEV_SELECT	0x00
#define TESTDEV_TARGET	0x04
#define TESTDEV_DATA	0x08
#define TESTDEV_COUNT	0x0c

static int ioeventfd(int devfd, const struct vfio_region_info *bar,
		     uint64_t off, uint32_t width, uint64_t data, int fd)
{
	struct vfio_device_ioeventfd req = {
		.argsz = sizeof(req),
		.flags = width,		/* the size flags are the width in bytes */
		.offset = bar->offset + off,
		.data = data,
		.fd = fd,
	};

	return ioctl(devfd, VFIO_DEVICE_IOEVENTFD, &req) ? -errno : 0;
}

static void kick(int efd)
{
	uint64_t one = 1;

	if (write(efd, &one, sizeof(one)) != sizeof(one))
		vt_die("eventfd write: %s", strerror(errno));
}

/* Read 4 bytes until they equal @want or about a second passed. */
static uint32_t read32_until(int devfd, const struct vfio_region_info *bar,
			     uint64_t off, uint32_t want)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	uint32_t v = 0;
	int i;

	for (i = 0; i < 100; i++) {
		if (__vt_region_read(devfd, bar, off, &v, 4) != 4)
			return ~want;
		if (v == want)
			break;
		nanosleep(&ts, NULL);
	}
	return v;
}

static void write32(int devfd, const struct vfio_region_info *bar,
		    uint64_t off, uint32_t v)
{
	if (__vt_region_write(devfd, bar, off, &v, 4) != 4)
		vt_die("BAR write at 0x%llx failed", (unsigned long long)off);
}

FIXTURE(edu) {
	struct vt_device dev;
	struct vfio_region_info bar0;
	int efd, efd2;
};

FIXTURE_SETUP(edu)
{
	self->efd = self->efd2 = -1;
	if (!vt_device_open_id(&self->dev, 0x1234, 0x11e8))
		SKIP(return, "no edu bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &self->bar0));
	self->efd = eventfd(0, EFD_CLOEXEC);
	self->efd2 = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	ASSERT_LE(0, self->efd2);
}

FIXTURE_TEARDOWN(edu)
{
	if (self->dev.fd >= 0)
		vt_device_close(&self->dev);
	if (self->efd >= 0)
		close(self->efd);
	if (self->efd2 >= 0)
		close(self->efd2);
}

TEST_F(edu, write_lands_on_signal)
{
	int fd = self->dev.fd;

	write32(fd, &self->bar0, EDU_LIVENESS, 0);
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x12345678,
			       self->efd));
	/* Nothing happens before the signal. */
	ASSERT_EQ(~0u, read32_until(fd, &self->bar0, EDU_LIVENESS, ~0u));
	kick(self->efd);
	ASSERT_EQ(~0x12345678u,
		  read32_until(fd, &self->bar0, EDU_LIVENESS, ~0x12345678u));

	/* Every signal writes again. */
	write32(fd, &self->bar0, EDU_LIVENESS, 0);
	kick(self->efd);
	ASSERT_EQ(~0x12345678u,
		  read32_until(fd, &self->bar0, EDU_LIVENESS, ~0x12345678u));
}

/* The value is part of the key: one offset, two values, two eventfds. */
TEST_F(edu, data_is_part_of_the_key)
{
	int fd = self->dev.fd;

	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x1111,
			       self->efd));
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x2222,
			       self->efd2));
	/* Same offset, width and value again: a duplicate. */
	ASSERT_EQ(-EEXIST, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x1111,
				     self->efd2));

	kick(self->efd2);
	ASSERT_EQ(~0x2222u, read32_until(fd, &self->bar0, EDU_LIVENESS,
					 ~0x2222u));
	kick(self->efd);
	ASSERT_EQ(~0x1111u, read32_until(fd, &self->bar0, EDU_LIVENESS,
					 ~0x1111u));

	/* Removal names the value too. */
	ASSERT_EQ(-ENODEV, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x3333,
				     -1));
	ASSERT_EQ(-ENODEV, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 2, 0x1111,
				     -1));
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x1111, -1));
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x2222, -1));
	ASSERT_EQ(-ENODEV, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x2222,
				     -1));
}

TEST_F(edu, removal_stops_writes)
{
	int fd = self->dev.fd;

	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0xabcd,
			       self->efd));
	kick(self->efd);
	ASSERT_EQ(~0xabcdu, read32_until(fd, &self->bar0, EDU_LIVENESS,
					 ~0xabcdu));
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0xabcd, -1));

	write32(fd, &self->bar0, EDU_LIVENESS, 0x5a5a);
	kick(self->efd);
	usleep(100 * 1000);
	ASSERT_EQ(~0x5a5au, read32_until(fd, &self->bar0, EDU_LIVENESS,
					 ~0x5a5au));
}

TEST_F(edu, eight_bytes)
{
	const uint64_t val = 0x0000001122334450ULL;
	uint64_t got = 0;
	int fd = self->dev.fd;
	int i;

	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_DMA_SRC, 8, val,
			       self->efd));
	kick(self->efd);
	for (i = 0; i < 100 && got != val; i++) {
		ASSERT_EQ(8, __vt_region_read(fd, &self->bar0, EDU_DMA_SRC,
					      &got, 8));
		if (got != val)
			usleep(10 * 1000);
	}
	ASSERT_EQ(val, got);
}

/* No write while memory decode is off; the next signal with it on works. */
TEST_F(edu, no_write_with_memory_decode_off)
{
	struct vfio_region_info cfg;
	uint16_t cmd, off;
	int fd = self->dev.fd;

	ASSERT_EQ(0, __vt_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg));
	ASSERT_EQ(2, __vt_region_read(fd, &cfg, 4, &cmd, 2));
	ASSERT_TRUE(cmd & 0x2);
	write32(fd, &self->bar0, EDU_LIVENESS, 0x77);
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0x99,
			       self->efd));

	off = cmd & ~0x2;
	ASSERT_EQ(2, __vt_region_write(fd, &cfg, 4, &off, 2));
	kick(self->efd);
	usleep(100 * 1000);
	ASSERT_EQ(2, __vt_region_write(fd, &cfg, 4, &cmd, 2));
	ASSERT_EQ(~0x77u, read32_until(fd, &self->bar0, EDU_LIVENESS, ~0x77u));

	kick(self->efd);
	ASSERT_EQ(~0x99u, read32_until(fd, &self->bar0, EDU_LIVENESS, ~0x99u));
}

TEST_F(edu, limit_is_1000_per_device)
{
	int fd = self->dev.fd;
	uint64_t i;

	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, i,
				       self->efd));
	ASSERT_EQ(-ENOSPC, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 1000,
				     self->efd));
	/* A duplicate is still found before the limit is checked. */
	ASSERT_EQ(-EEXIST, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 999,
				     self->efd));
	/* Removing one makes room for one. */
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 500, -1));
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 1000,
			       self->efd));
	ASSERT_EQ(-ENOSPC, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 1001,
				     self->efd));
	/* The last close frees them all: a new session starts from zero. */
	vt_device_close(&self->dev);
	ASSERT_TRUE(vt_device_open_id(&self->dev, 0x1234, 0x11e8));
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, EDU_LIVENESS,
				       4, i, self->efd));
}

/* An ioeventfd does not outlive the session that registered it. */
TEST_F(edu, gone_after_last_close)
{
	ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, EDU_LIVENESS, 4,
			       0x4242, self->efd));
	vt_device_close(&self->dev);
	ASSERT_TRUE(vt_device_open_id(&self->dev, 0x1234, 0x11e8));
	/* edu keeps its registers across the reset of close and open. */
	write32(self->dev.fd, &self->bar0, EDU_LIVENESS, 0x1);
	kick(self->efd);
	usleep(100 * 1000);
	ASSERT_EQ(~0x1u, read32_until(self->dev.fd, &self->bar0, EDU_LIVENESS,
				      ~0x1u));
	/* And the same key can be registered afresh. */
	ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, EDU_LIVENESS, 4,
			       0x4242, self->efd));
}

TEST_F(edu, bounds_and_flags)
{
	struct vfio_device_ioeventfd req = {
		.argsz = sizeof(req),
		.offset = self->bar0.offset + EDU_LIVENESS,
		.fd = self->efd,
	};
	uint64_t size = self->bar0.size;
	int fd = self->dev.fd;

	ASSERT_EQ(-EINVAL, ioeventfd(fd, &self->bar0, size, 4, 0, self->efd));
	ASSERT_EQ(-EINVAL, ioeventfd(fd, &self->bar0, size - 2, 4, 0,
				     self->efd));
	ASSERT_EQ(-EINVAL, ioeventfd(fd, &self->bar0, size - 4, 8, 0,
				     self->efd));
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, size - 8, 8, 0, self->efd));
	ASSERT_EQ(0, ioeventfd(fd, &self->bar0, size - 8, 8, 0, -1));

	req.flags = 0;
	ASSERT_EQ(-1, ioctl(fd, VFIO_DEVICE_IOEVENTFD, &req));
	ASSERT_EQ(EINVAL, errno);
	req.flags = VFIO_DEVICE_IOEVENTFD_32 | VFIO_DEVICE_IOEVENTFD_16;
	ASSERT_EQ(-1, ioctl(fd, VFIO_DEVICE_IOEVENTFD, &req));
	ASSERT_EQ(EINVAL, errno);
	req.flags = VFIO_DEVICE_IOEVENTFD_32 | 0x10;
	ASSERT_EQ(-1, ioctl(fd, VFIO_DEVICE_IOEVENTFD, &req));
	ASSERT_EQ(EINVAL, errno);
	req.flags = VFIO_DEVICE_IOEVENTFD_32;
	req.fd = -2;
	ASSERT_EQ(-1, ioctl(fd, VFIO_DEVICE_IOEVENTFD, &req));
	ASSERT_EQ(EINVAL, errno);
	/* Nothing was registered by the refused calls. */
	ASSERT_EQ(-ENODEV, ioeventfd(fd, &self->bar0, EDU_LIVENESS, 4, 0, -1));
}

/* pci-testdev counts hits on its test-0 target offset. */
FIXTURE(testdev) {
	struct vt_device dev;
	struct vfio_region_info bar0;
	uint32_t target;
	uint8_t data;
	int efd;
};

/* Which BAR: 0 is the MMIO test BAR, 1 the I/O port one. */
FIXTURE_VARIANT(testdev) {
	uint32_t bar;
	unsigned int widths;	/* how many of 1, 2, 4, 8 the target counts */
};

FIXTURE_VARIANT_ADD(testdev, mmio) { 0, 4 };
FIXTURE_VARIANT_ADD(testdev, pio) { 1, 1 };

FIXTURE_SETUP(testdev)
{
	uint8_t zero = 0;

	self->efd = -1;
	if (!vt_device_open_id(&self->dev, 0x1b36, 0x0005))
		SKIP(return, "no pci-testdev bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, variant->bar, &self->bar0));
	ASSERT_EQ(1, __vt_region_write(self->dev.fd, &self->bar0,
				       TESTDEV_SELECT, &zero, 1));
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->bar0,
				      TESTDEV_TARGET, &self->target, 4));
	ASSERT_EQ(1, __vt_region_read(self->dev.fd, &self->bar0, TESTDEV_DATA,
				      &self->data, 1));
	ASSERT_LT(self->target + 8, self->bar0.size);
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(testdev)
{
	if (self->dev.fd >= 0)
		vt_device_close(&self->dev);
	if (self->efd >= 0)
		close(self->efd);
}

static uint32_t testdev_count(struct __test_metadata *_metadata,
			      FIXTURE_DATA(testdev) *self)
{
	uint32_t c = 0;

	EXPECT_EQ(4, __vt_region_read(self->dev.fd, &self->bar0,
				      TESTDEV_COUNT, &c, 4));
	return c;
}

TEST_F(testdev, every_width_hits)
{
	static const uint32_t widths[] = { 1, 2, 4, 8 };
	unsigned int i;
	uint32_t before;

	for (i = 0; i < variant->widths; i++) {
		before = testdev_count(_metadata, self);
		ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, self->target,
				       widths[i], self->data, self->efd));
		kick(self->efd);
		ASSERT_EQ(before + 1, read32_until(self->dev.fd, &self->bar0,
						   TESTDEV_COUNT, before + 1))
			TH_LOG("width %u", widths[i]);
		/* A wrong data byte does not count: the value is written. */
		ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, self->target,
				       widths[i], self->data ^ 1, self->efd));
		ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, self->target,
				       widths[i], self->data, -1));
		kick(self->efd);
		usleep(50 * 1000);
		ASSERT_EQ(before + 1, testdev_count(_metadata, self));
		ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, self->target,
				       widths[i], self->data ^ 1, -1));
	}
	/* Every width registers, 8 bytes on I/O ports included. */
	for (i = variant->widths; i < 4; i++) {
		ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, self->target,
				       widths[i], self->data, self->efd));
		ASSERT_EQ(0, ioeventfd(self->dev.fd, &self->bar0, self->target,
				       widths[i], self->data, -1));
	}
}

/* igb's MSI-X table may not be the target of an ioeventfd. */
FIXTURE(igb) {
	struct vt_device dev;
	struct vfio_region_info bar;
	uint32_t table, size;
	int efd;
};

FIXTURE_SETUP(igb)
{
	struct vfio_region_info cfg;
	uint8_t pos = 0, hdr[2];
	uint16_t ctrl;
	uint32_t table;
	int hops;

	self->efd = -1;
	if (!vt_device_open_id(&self->dev, 0x8086, 0x10c9))
		SKIP(return, "no igb bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX, &cfg));
	ASSERT_EQ(1, __vt_region_read(self->dev.fd, &cfg, 0x34, &pos, 1));
	for (hops = 0; pos && hops < 48; hops++) {
		ASSERT_EQ(2, __vt_region_read(self->dev.fd, &cfg, pos, hdr, 2));
		if (hdr[0] == 0x11)
			break;
		pos = hdr[1];
	}
	ASSERT_EQ(0x11, hdr[0]);
	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &cfg, pos + 2, &ctrl, 2));
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &cfg, pos + 4, &table, 4));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, table & 7, &self->bar));
	self->table = table & ~7u;
	self->size = ((ctrl & 0x7ff) + 1) * 16;
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(igb)
{
	if (self->dev.fd >= 0)
		vt_device_close(&self->dev);
	if (self->efd >= 0)
		close(self->efd);
}

TEST_F(igb, msix_table_refused)
{
	int fd = self->dev.fd;
	uint32_t end = self->table + self->size;

	ASSERT_EQ(-EINVAL, ioeventfd(fd, &self->bar, self->table, 4, 0,
				     self->efd));
	ASSERT_EQ(-EINVAL, ioeventfd(fd, &self->bar, end - 4, 4, 0,
				     self->efd));
	ASSERT_EQ(-EINVAL, ioeventfd(fd, &self->bar, end - 4, 8, 0,
				     self->efd));
	if (self->table >= 4) {
		ASSERT_EQ(-EINVAL, ioeventfd(fd, &self->bar, self->table - 2,
					     4, 0, self->efd));
		ASSERT_EQ(0, ioeventfd(fd, &self->bar, self->table - 4, 4, 0,
				       self->efd));
	}
	/* Right after the table is allowed (the PBA is fair game). */
	if (end + 4 <= self->bar.size) {
		ASSERT_EQ(0, ioeventfd(fd, &self->bar, end, 4, 0, self->efd));
		ASSERT_EQ(0, ioeventfd(fd, &self->bar, end, 4, 0, -1));
	}
}

TEST_HARNESS_MAIN
