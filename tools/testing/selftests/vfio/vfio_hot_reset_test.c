// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO and VFIO_DEVICE_PCI_HOT_RESET on igb,
 * alone behind its root port: what the info lists, and the reset in both
 * forms (group fds for a group-opened device, an empty array for a cdev
 * one), done only with proof of ownership, leaving the config as it was.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

#define HDR_LEN		64
#define PCI_STATUS_OFF	6
#define INFO_MAX	16

struct info_buf {
	struct vfio_pci_hot_reset_info hdr;
	struct vfio_pci_dependent_device devs[INFO_MAX];
};

struct reset_buf {
	struct vfio_pci_hot_reset hdr;
	int32_t fds[4];
};

static int open_group(const char *bdf)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", vt_group_number(bdf));
	return open(path, O_RDWR);
}

static int hot_reset_info(int fd, struct info_buf *b, uint32_t argsz)
{
	memset(b, 0, sizeof(*b));
	b->hdr.argsz = argsz;
	return ioctl(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, b) ? -errno : 0;
}

static int hot_reset(int fd, uint32_t flags, uint32_t count,
		     const int32_t *fds)
{
	struct reset_buf b = {
		.hdr = {
			.argsz = sizeof(b.hdr) + count * sizeof(int32_t),
			.flags = flags,
			.count = count,
		},
	};

	if (count && fds)
		memcpy(b.fds, fds, (count < 4 ? count : 4) * sizeof(int32_t));
	return ioctl(fd, VFIO_DEVICE_PCI_HOT_RESET, &b) ? -errno : 0;
}

static void parse_bdf(const char *bdf, unsigned int *seg, unsigned int *bus,
		      unsigned int *devfn)
{
	unsigned int dev, fn;

	sscanf(bdf, "%x:%x:%x.%x", seg, bus, &dev, &fn);
	*devfn = dev << 3 | fn;
}

/* The function's real config header, as the host sees it. */
static int phys_header(const char *bdf, uint8_t *hdr)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, hdr, HDR_LEN, 0);
	close(fd);
	return n == HDR_LEN ? 0 : -EIO;
}

static void log_diff(struct __test_metadata *_metadata, const uint8_t *a,
		     const uint8_t *b)
{
	int i;

	for (i = 0; i < HDR_LEN; i++) {
		if (a[i] != b[i])
			TH_LOG("config 0x%02x: was 0x%02x, now 0x%02x", i, a[i],
			       b[i]);
	}
}

static bool same_header(const uint8_t *a, const uint8_t *b)
{
	/* Status holds write-1-to-clear event bits; the rest must match. */
	return !memcmp(a, b, PCI_STATUS_OFF) &&
	       !memcmp(a + PCI_STATUS_OFF + 2, b + PCI_STATUS_OFF + 2,
		       HDR_LEN - PCI_STATUS_OFF - 2);
}

/*
 * The header the user sees and the one the function really has must both
 * be as before the reset (the reset cleared them, the PCI core restored
 * them), and BAR0 must still decode.
 */
static void check_restored(struct __test_metadata *_metadata, int fd,
			   const char *bdf, const uint8_t *before,
			   const uint8_t *phys_before)
{
	uint8_t after[HDR_LEN], phys_after[HDR_LEN];
	struct vfio_region_info cfg, bar0;
	uint32_t v = 0xffffffff;

	ASSERT_EQ(0, __vt_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg));
	ASSERT_EQ(HDR_LEN, __vt_region_read(fd, &cfg, 0, after, HDR_LEN));
	ASSERT_TRUE(same_header(before, after))
		log_diff(_metadata, before, after);
	ASSERT_EQ(0, phys_header(bdf, phys_after));
	ASSERT_TRUE(same_header(phys_before, phys_after))
		log_diff(_metadata, phys_before, phys_after);
	/* Memory decoding on, as the user had it. */
	ASSERT_EQ(0x2, phys_after[4] & 0x2);
	ASSERT_EQ(0, __vt_region_info(fd, VFIO_PCI_BAR0_REGION_INDEX, &bar0));
	ASSERT_EQ(4, __vt_region_read(fd, &bar0, 8, &v, 4));
	/* igb STATUS: a function that decodes does not read all-ones. */
	ASSERT_NE(0xffffffff, v);
}

static void read_header(struct __test_metadata *_metadata, int fd,
			const char *bdf, uint8_t *hdr, uint8_t *phys)
{
	struct vfio_region_info cfg;
	uint16_t cmd = 0x6;	/* memory and bus master, as a user would */

	ASSERT_EQ(0, __vt_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg));
	ASSERT_EQ(2, __vt_region_write(fd, &cfg, 4, &cmd, 2));
	ASSERT_EQ(HDR_LEN, __vt_region_read(fd, &cfg, 0, hdr, HDR_LEN));
	ASSERT_EQ(0, phys_header(bdf, phys));
}

/* The cdev form: devids, an empty array, the iommufd as proof. */
FIXTURE(cdev) {
	struct vt_device dev;
};

FIXTURE_SETUP(cdev)
{
	self->dev.fd = -1;
	self->dev.iommufd = -1;
	VT_REQUIRE_IOMMUFD();
	if (!vt_device_open_id(&self->dev, 0x8086, 0x10c9))
		SKIP(return, "no igb bound to vfio-pci");
	if (vt_sysfs_num(self->dev.bdf, "sriov_numvfs") > 0)
		SKIP(return, "igb has VFs enabled");
}

FIXTURE_TEARDOWN(cdev)
{
	vt_device_close(&self->dev);
}

TEST_F(cdev, info_lists_device_with_devid)
{
	unsigned int seg, bus, devfn;
	struct info_buf b;

	/* Only the header: -ENOSPC, with the count needed. */
	ASSERT_EQ(-ENOSPC, hot_reset_info(self->dev.fd, &b, sizeof(b.hdr)));
	ASSERT_EQ(1, b.hdr.count);
	ASSERT_EQ(sizeof(b.hdr), b.hdr.argsz);

	ASSERT_EQ(0, hot_reset_info(self->dev.fd, &b, sizeof(b)));
	ASSERT_EQ(1, b.hdr.count);
	ASSERT_EQ(VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
		  VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED, b.hdr.flags);
	parse_bdf(self->dev.bdf, &seg, &bus, &devfn);
	ASSERT_EQ(seg, b.devs[0].segment);
	ASSERT_EQ(bus, b.devs[0].bus);
	ASSERT_EQ(devfn, b.devs[0].devfn);
	ASSERT_EQ(self->dev.devid, b.devs[0].devid);
}

TEST_F(cdev, reset_with_empty_array)
{
	uint8_t before[HDR_LEN], phys[HDR_LEN];
	int i;

	read_header(_metadata, self->dev.fd, self->dev.bdf, before, phys);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, hot_reset(self->dev.fd, 0, 0, NULL));
		check_restored(_metadata, self->dev.fd, self->dev.bdf, before,
			       phys);
	}
}

/*
 * A device in low power (runtime-suspended) is woken for the reset, comes
 * out with its config restored, and goes back to sleep: the reset held it
 * awake only for its own duration.
 */
TEST_F(cdev, reset_while_low_power)
{
	uint8_t before[HDR_LEN], phys[HDR_LEN];

	read_header(_metadata, self->dev.fd, self->dev.bdf, before, phys);
	ASSERT_EQ(0, vt_low_power(self->dev.fd, true));
	ASSERT_TRUE(vt_wait_runtime_status(self->dev.bdf, "suspended"));
	ASSERT_EQ(0, hot_reset(self->dev.fd, 0, 0, NULL));
	ASSERT_TRUE(vt_wait_runtime_status(self->dev.bdf, "suspended"));
	ASSERT_EQ(0, vt_low_power(self->dev.fd, false));
	ASSERT_TRUE(vt_wait_runtime_status(self->dev.bdf, "active"));
	check_restored(_metadata, self->dev.fd, self->dev.bdf, before, phys);
}

/*
 * A device its user put in D3hot through PMCSR is brought back to D0 for
 * the reset, and its config is as the user had it in D0.
 */
TEST_F(cdev, reset_from_d3hot)
{
	uint8_t before[HDR_LEN], phys[HDR_LEN];
	struct vfio_region_info cfg;
	uint16_t pmcsr;
	int pm;

	pm = vt_pm_cap(self->dev.fd);
	if (pm < 0)
		SKIP(return, "no PM capability");
	read_header(_metadata, self->dev.fd, self->dev.bdf, before, phys);
	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX, &cfg));
	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &cfg, pm + 4, &pmcsr, 2));
	pmcsr = (pmcsr & ~3) | 3;
	ASSERT_EQ(2, __vt_region_write(self->dev.fd, &cfg, pm + 4, &pmcsr, 2));
	ASSERT_EQ(3, vt_phys_pm_state(self->dev.bdf));

	ASSERT_EQ(0, hot_reset(self->dev.fd, 0, 0, NULL));
	ASSERT_EQ(0, vt_phys_pm_state(self->dev.bdf));
	check_restored(_metadata, self->dev.fd, self->dev.bdf, before, phys);
}

TEST_F(cdev, reset_refuses_bad_args)
{
	int32_t fd = self->dev.fd;

	ASSERT_EQ(-EINVAL, hot_reset(self->dev.fd, 1, 0, NULL));
	ASSERT_EQ(-EINVAL, hot_reset(self->dev.fd, 0x80000000, 0, NULL));
	/* A cdev user gives no fds, not even its own. */
	ASSERT_EQ(-EINVAL, hot_reset(self->dev.fd, 0, 1, &fd));
}

TEST_F(cdev, unbound_fd_refused)
{
	struct info_buf b;
	int fd = __vt_cdev_open(self->dev.bdf);

	ASSERT_LE(0, fd);
	ASSERT_EQ(-EINVAL, hot_reset(fd, 0, 0, NULL));
	ASSERT_EQ(-EINVAL, hot_reset_info(fd, &b, sizeof(b)));
	close(fd);
}

/* The group form: group ids, and the group fds as proof. */
FIXTURE(group) {
	const char *bdf;
	int container, group, dev;
};

FIXTURE_SETUP(group)
{
	self->container = self->group = self->dev = -1;
	self->bdf = vt_find_one(0x8086, 0x10c9);
	if (!self->bdf)
		SKIP(return, "no igb bound to vfio-pci");
	if (vt_sysfs_num(self->bdf, "sriov_numvfs") > 0)
		SKIP(return, "igb has VFs enabled");
	self->container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, self->container);
	self->group = open_group(self->bdf);
	ASSERT_LE(0, self->group);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER,
			   &self->container));
	ASSERT_EQ(0, ioctl(self->container, VFIO_SET_IOMMU,
			   VFIO_TYPE1v2_IOMMU));
	self->dev = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(group)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->group >= 0)
		close(self->group);
	if (self->container >= 0)
		close(self->container);
}

TEST_F(group, info_lists_group)
{
	unsigned int seg, bus, devfn;
	struct info_buf b;

	ASSERT_EQ(0, hot_reset_info(self->dev, &b, sizeof(b)));
	ASSERT_EQ(1, b.hdr.count);
	ASSERT_EQ(0, b.hdr.flags);
	parse_bdf(self->bdf, &seg, &bus, &devfn);
	ASSERT_EQ(bus, b.devs[0].bus);
	ASSERT_EQ(devfn, b.devs[0].devfn);
	ASSERT_EQ(vt_group_number(self->bdf), b.devs[0].group_id);
}

TEST_F(group, reset_with_own_group)
{
	uint8_t before[HDR_LEN], phys[HDR_LEN];
	int32_t fd = self->group;

	read_header(_metadata, self->dev, self->bdf, before, phys);
	ASSERT_EQ(0, hot_reset(self->dev, 0, 1, &fd));
	check_restored(_metadata, self->dev, self->bdf, before, phys);
}

TEST_F(group, reset_without_ownership_refused)
{
	const char *edu = vt_find_one(0x1234, 0x11e8);
	int32_t fds[2];
	int other;

	/* The empty array is for cdev users only. */
	ASSERT_EQ(-EINVAL, hot_reset(self->dev, 0, 0, NULL));
	ASSERT_EQ(-EINVAL, hot_reset(self->dev, 2, 1, &self->group));
	/* More fds than affected devices. */
	fds[0] = fds[1] = self->group;
	ASSERT_EQ(-EINVAL, hot_reset(self->dev, 0, 2, fds));
	/* Not an fd, not a group fd. */
	fds[0] = -1;
	ASSERT_EQ(-EBADF, hot_reset(self->dev, 0, 1, fds));
	fds[0] = self->dev;
	ASSERT_EQ(-EINVAL, hot_reset(self->dev, 0, 1, fds));
	fds[0] = self->container;
	ASSERT_EQ(-EINVAL, hot_reset(self->dev, 0, 1, fds));

	/* A group, but not the one of the device being reset. */
	if (!edu)
		SKIP(return, "no edu for an unrelated group");
	other = open_group(edu);
	ASSERT_LE(0, other);
	fds[0] = other;
	ASSERT_EQ(-EINVAL, hot_reset(self->dev, 0, 1, fds));
	close(other);
}

TEST_HARNESS_MAIN
