// SPDX-License-Identifier: GPL-2.0
/*
 * The legacy group/container path of vfio-pci: container + type1, the group
 * fd, VFIO_GROUP_GET_DEVICE_FD by name, and its exclusion with the cdev path.
 * Every test runs twice: with a type1 container, and with an iommufd
 * (/dev/iommu) given to VFIO_GROUP_SET_CONTAINER in its place, which the
 * vfio core accepts as the container (no VFIO_SET_IOMMU then).
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

FIXTURE(group) {
	const char *bdf;
	int container;
	int group;
};

FIXTURE_VARIANT(group) {
	bool iommufd;
};

FIXTURE_VARIANT_ADD(group, type1) {
	.iommufd = false,
};

FIXTURE_VARIANT_ADD(group, iommufd) {
	.iommufd = true,
};

FIXTURE_SETUP(group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];

	self->container = -1;
	self->group = -1;
	self->bdf = vt_find_one(0x1234, 0x11e8);
	if (!self->bdf)
		SKIP(return, "no edu bound to vfio-pci");

	if (variant->iommufd) {
		self->container = open("/dev/iommu", O_RDWR);
		if (self->container < 0 && errno == ENOENT)
			SKIP(return, VT_NO_IOMMUFD);
		ASSERT_LE(0, self->container);
	} else {
		self->container = open("/dev/vfio/vfio", O_RDWR);
		ASSERT_LE(0, self->container);
		ASSERT_EQ(VFIO_API_VERSION,
			  ioctl(self->container, VFIO_GET_API_VERSION));
	}

	snprintf(path, sizeof(path), "/dev/vfio/%d", vt_group_number(self->bdf));
	self->group = open(path, O_RDWR);
	ASSERT_LE(0, self->group);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_TRUE(status.flags & VFIO_GROUP_FLAGS_VIABLE);
}

FIXTURE_TEARDOWN(group)
{
	if (self->group >= 0)
		close(self->group);
	if (self->container >= 0)
		close(self->container);
}

static void set_container(struct __test_metadata *_metadata,
			  FIXTURE_DATA(group) *self,
			  const FIXTURE_VARIANT(group) *variant)
{
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_SET_CONTAINER,
			   &self->container));
	/* An iommufd needs no IOMMU type: it creates its compat IOAS. */
	if (!variant->iommufd)
		ASSERT_EQ(0, ioctl(self->container, VFIO_SET_IOMMU,
				   VFIO_TYPE1v2_IOMMU));
}

TEST_F(group, get_device_fd_and_info)
{
	struct vfio_device_info info;
	uint16_t vendor;
	struct vfio_region_info reg;
	int fd;

	set_container(_metadata, self, variant);
	fd = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, __vt_get_info(fd, &info));
	ASSERT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	ASSERT_EQ(0, __vt_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &reg));
	ASSERT_EQ(2, __vt_region_read(fd, &reg, 0, &vendor, 2));
	ASSERT_EQ(0x1234, vendor);
	close(fd);
}

TEST_F(group, get_device_fd_wrong_name_fails)
{
	set_container(_metadata, self, variant);
	ASSERT_EQ(-1, ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD,
			    "0000:ff:1f.7"));
	ASSERT_EQ(ENODEV, errno);
}

TEST_F(group, get_device_fd_without_container_fails)
{
	ASSERT_EQ(-1, ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(group, cdev_bind_blocked_while_group_open)
{
	int fd, iommufd;

	VT_REQUIRE_IOMMUFD();
	fd = vt_cdev_open(self->bdf);
	iommufd = vt_iommufd_open();
	ASSERT_EQ(-EBUSY, __vt_bind(fd, iommufd, NULL));
	close(fd);
	close(iommufd);
}

TEST_F(group, group_device_fd_refuses_iommufd_bind)
{
	int fd, iommufd;

	VT_REQUIRE_IOMMUFD();
	set_container(_metadata, self, variant);
	fd = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, fd);
	iommufd = vt_iommufd_open();
	ASSERT_EQ(-EINVAL, __vt_bind(fd, iommufd, NULL));
	close(iommufd);
	close(fd);
}

TEST_F(group, get_device_fd_reads_whole_config)
{
	struct vfio_region_info reg;
	uint8_t cfg[256], hw[256];
	char path[PATH_MAX];
	int fd, sysfd;

	set_container(_metadata, self, variant);
	fd = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, __vt_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &reg));
	ASSERT_LE(sizeof(cfg), reg.size);
	ASSERT_EQ(sizeof(cfg), __vt_region_read(fd, &reg, 0, cfg, sizeof(cfg)));
	/* The identity bytes are the same through any vfio-pci. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config",
		 self->bdf);
	sysfd = open(path, O_RDONLY);
	ASSERT_LE(0, sysfd);
	ASSERT_EQ(sizeof(hw), pread(sysfd, hw, sizeof(hw), 0));
	close(sysfd);
	ASSERT_EQ(0, memcmp(cfg, hw, 4));
	ASSERT_EQ(0, memcmp(cfg + 8, hw + 8, 4));
	close(fd);
}

TEST_F(group, second_device_fd_allowed)
{
	uint16_t vendor = 0;
	struct vfio_region_info reg;
	int fd1, fd2;

	set_container(_metadata, self, variant);
	fd1 = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, fd1);
	fd2 = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, __vt_region_info(fd2, VFIO_PCI_CONFIG_REGION_INDEX, &reg));
	ASSERT_EQ(2, __vt_region_read(fd2, &reg, 0, &vendor, 2));
	ASSERT_EQ(0x1234, vendor);
	close(fd2);
	close(fd1);
}

TEST_F(group, set_container_twice_fails)
{
	set_container(_metadata, self, variant);
	ASSERT_EQ(-1, ioctl(self->group, VFIO_GROUP_SET_CONTAINER,
			    &self->container));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(group, status_reports_container_set)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };

	set_container(_metadata, self, variant);
	ASSERT_EQ(0, ioctl(self->group, VFIO_GROUP_GET_STATUS, &status));
	ASSERT_TRUE(status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET);
}

/*
 * Two device fds of one group share the device's address_space: a reset
 * through one revokes the BAR mapping made through the other.
 */
TEST_F(group, reset_through_one_fd_revokes_mapping_of_another)
{
	struct vfio_region_info bar0;
	struct vfio_device_info info;
	volatile uint32_t *regs;
	int fd1, fd2;
	uint32_t v;
	void *p;

	set_container(_metadata, self, variant);
	fd1 = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, fd1);
	fd2 = ioctl(self->group, VFIO_GROUP_GET_DEVICE_FD, self->bdf);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, __vt_get_info(fd2, &info));
	if (!(info.flags & VFIO_DEVICE_FLAGS_RESET)) {
		close(fd2);
		close(fd1);
		SKIP(return, "edu has no working reset here");
	}

	ASSERT_EQ(0, __vt_region_info(fd1, VFIO_PCI_BAR0_REGION_INDEX, &bar0));
	ASSERT_EQ(0, __vt_region_mmap(fd1, &bar0, 0, bar0.size, PROT_READ,
				      MAP_SHARED, &p));
	regs = p;
	ASSERT_EQ(1, vt_faults_of_read32(regs, &v));
	ASSERT_EQ(0x010000ed, v);
	ASSERT_EQ(0, vt_faults_of_read32(regs, &v));

	ASSERT_EQ(0, __vt_reset(fd2));
	ASSERT_EQ(1, vt_faults_of_read32(regs, &v));
	ASSERT_EQ(0x010000ed, v);

	munmap(p, bar0.size);
	close(fd2);
	close(fd1);
}

TEST_HARNESS_MAIN
