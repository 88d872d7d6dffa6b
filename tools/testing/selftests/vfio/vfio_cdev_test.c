// SPDX-License-Identifier: GPL-2.0
/*
 * The iommufd cdev path of vfio-pci: open /dev/vfio/devices/vfioN, bind to an
 * iommufd, attach to an IOAS, and the device-info ioctls, on every emulated
 * device; plus the errno of each bad input on that path.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

FIXTURE(cdev) {
	const char *bdf;
	int fd;
	int iommufd;
};

#define VT_VARIANT_FIXTURE cdev
#include "lib/device_variants.h"

FIXTURE_SETUP(cdev)
{
	self->fd = -1;
	self->iommufd = -1;
	VT_REQUIRE_IOMMUFD();
	self->bdf = vt_find_one(variant->vendor, variant->device);
	if (!self->bdf)
		SKIP(return, "no %04x:%04x bound to vfio-pci", variant->vendor,
		     variant->device);
	self->fd = vt_cdev_open(self->bdf);
	self->iommufd = vt_iommufd_open();
}

FIXTURE_TEARDOWN(cdev)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->iommufd >= 0)
		close(self->iommufd);
}

static void bind_and_attach(struct __test_metadata *_metadata,
			    FIXTURE_DATA(cdev) *self)
{
	uint32_t devid, ioas, pt;

	ASSERT_EQ(0, __vt_bind(self->fd, self->iommufd, &devid));
	ioas = vt_ioas_alloc(self->iommufd);
	/* Attaching to an IOAS answers with the HWPT the kernel created. */
	ASSERT_EQ(0, __vt_attach(self->fd, ioas, &pt));
	ASSERT_NE(0, pt);
	ASSERT_NE(ioas, pt);
}

TEST_F(cdev, bind_attach_get_info)
{
	struct vfio_device_info info;

	bind_and_attach(_metadata, self);
	ASSERT_EQ(0, __vt_get_info(self->fd, &info));
	ASSERT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	ASSERT_EQ(VFIO_PCI_NUM_REGIONS, info.num_regions);
	ASSERT_EQ(VFIO_PCI_NUM_IRQS, info.num_irqs);
}

TEST_F(cdev, config_ids_match_sysfs)
{
	struct vfio_region_info reg;
	uint16_t id[2];

	bind_and_attach(_metadata, self);
	ASSERT_EQ(0, __vt_region_info(self->fd, VFIO_PCI_CONFIG_REGION_INDEX,
				      &reg));
	ASSERT_TRUE(reg.flags & VFIO_REGION_INFO_FLAG_READ);
	ASSERT_EQ(sizeof(id), __vt_region_read(self->fd, &reg, 0, id,
					       sizeof(id)));
	ASSERT_EQ(vt_sysfs_num(self->bdf, "vendor"), id[0]);
	ASSERT_EQ(vt_sysfs_num(self->bdf, "device"), id[1]);
}

TEST_F(cdev, config_size_matches_sysfs_and_reads_whole)
{
	char path[128], *buf;
	struct vfio_region_info reg;
	struct stat st;

	bind_and_attach(_metadata, self);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config",
		 self->bdf);
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0, __vt_region_info(self->fd, VFIO_PCI_CONFIG_REGION_INDEX,
				      &reg));
	ASSERT_EQ((uint64_t)st.st_size, reg.size);
	buf = malloc(reg.size);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ((ssize_t)reg.size,
		  __vt_region_read(self->fd, &reg, 0, buf, reg.size));
	free(buf);
}

TEST_F(cdev, ioctl_and_read_before_bind_fail)
{
	struct vfio_device_info info;
	char buf[4];

	ASSERT_EQ(-EINVAL, __vt_get_info(self->fd, &info));
	ASSERT_EQ(-1, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(cdev, bind_negative_iommufd_fails)
{
	ASSERT_EQ(-EINVAL, __vt_bind(self->fd, -1, NULL));
}

TEST_F(cdev, bind_closed_fd_fails)
{
	int fd = open("/dev/null", O_RDONLY);

	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(-EBADF, __vt_bind(self->fd, fd, NULL));
}

TEST_F(cdev, bind_non_iommufd_fails)
{
	int fd = open("/dev/null", O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(-EBADFD, __vt_bind(self->fd, fd, NULL));
	close(fd);
	/* The failed binds left the fd usable. */
	ASSERT_EQ(0, __vt_bind(self->fd, self->iommufd, NULL));
}

TEST_F(cdev, bind_bad_flags_and_argsz_fail)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.flags = 1u << 31,
		.iommufd = self->iommufd,
	};

	ASSERT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(EINVAL, errno);
	bind.flags = 0;
	bind.argsz = offsetof(struct vfio_device_bind_iommufd, out_devid);
	ASSERT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(cdev, repeated_bind_fails)
{
	ASSERT_EQ(0, __vt_bind(self->fd, self->iommufd, NULL));
	ASSERT_EQ(-EINVAL, __vt_bind(self->fd, self->iommufd, NULL));
}

TEST_F(cdev, second_fd_cannot_bind)
{
	int fd2;

	ASSERT_EQ(0, __vt_bind(self->fd, self->iommufd, NULL));
	fd2 = vt_cdev_open(self->bdf);
	ASSERT_EQ(-EINVAL, __vt_bind(fd2, self->iommufd, NULL));
	close(fd2);
}

TEST_F(cdev, attach_bad_ioas_fails)
{
	ASSERT_EQ(0, __vt_bind(self->fd, self->iommufd, NULL));
	ASSERT_EQ(-ENOENT, __vt_attach(self->fd, 0xfffff, NULL));
}

TEST_F(cdev, attach_bad_flags_fails)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.flags = 1u << 31,
	};

	ASSERT_EQ(0, __vt_bind(self->fd, self->iommufd, NULL));
	attach.pt_id = vt_ioas_alloc(self->iommufd);
	ASSERT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(cdev, attach_replace_detach)
{
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	uint32_t a, b, pt_a, pt_b, pt, devid;

	ASSERT_EQ(0, __vt_bind(self->fd, self->iommufd, &devid));
	a = vt_ioas_alloc(self->iommufd);
	b = vt_ioas_alloc(self->iommufd);
	ASSERT_EQ(0, __vt_attach(self->fd, a, &pt_a));
	/* A second attach replaces the page table: a new HWPT for b. */
	ASSERT_EQ(0, __vt_attach(self->fd, b, &pt_b));
	ASSERT_NE(pt_a, pt_b);
	ASSERT_EQ(0, __vt_detach(self->fd));
	/* The automatic HWPT went away with its last device. */
	ASSERT_EQ(-ENOENT, __vt_attach(self->fd, pt_b, &pt));
	/* Attaching to an explicit HWPT by id answers with that id. */
	hwpt.dev_id = devid;
	hwpt.pt_id = a;
	ASSERT_EQ(0, ioctl(self->iommufd, IOMMU_HWPT_ALLOC, &hwpt));
	ASSERT_EQ(0, __vt_attach(self->fd, hwpt.out_hwpt_id, &pt));
	ASSERT_EQ(hwpt.out_hwpt_id, pt);
}

TEST_F(cdev, region_info_bad_input_fails)
{
	struct vfio_region_info reg = {
		.argsz = offsetof(struct vfio_region_info, offset),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};

	bind_and_attach(_metadata, self);
	ASSERT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_REGION_INFO, &reg));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-EINVAL, __vt_region_info(self->fd, VFIO_PCI_NUM_REGIONS,
					    &reg));
	ASSERT_EQ(-EINVAL, __vt_region_info(self->fd, 0xffffffff, &reg));
}

TEST_F(cdev, irq_info_bad_input_fails)
{
	struct vfio_irq_info irq = {
		.argsz = offsetof(struct vfio_irq_info, count),
		.index = VFIO_PCI_INTX_IRQ_INDEX,
	};

	bind_and_attach(_metadata, self);
	ASSERT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-EINVAL, __vt_irq_info(self->fd, VFIO_PCI_NUM_IRQS, &irq));
	ASSERT_EQ(0, __vt_irq_info(self->fd, VFIO_PCI_REQ_IRQ_INDEX, &irq));
	ASSERT_EQ(1, irq.count);
}

TEST_F(cdev, err_and_req_irqs_on_every_device)
{
	struct vfio_irq_info irq;

	bind_and_attach(_metadata, self);
	ASSERT_EQ(0, __vt_irq_info(self->fd, VFIO_PCI_ERR_IRQ_INDEX, &irq));
	ASSERT_EQ(1, irq.count);
	ASSERT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, irq.flags);
	ASSERT_EQ(0, __vt_irq_info(self->fd, VFIO_PCI_REQ_IRQ_INDEX, &irq));
	ASSERT_EQ(1, irq.count);
	ASSERT_EQ(VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, irq.flags);
}

/* Only a VGA-class function (class 0x0300xx) has the VGA region. */
TEST_F(cdev, vga_region_only_on_vga_device)
{
	long long class = vt_sysfs_num(self->bdf, "class");
	struct vfio_region_info reg;

	ASSERT_LE(0, class);
	bind_and_attach(_metadata, self);
	if ((class >> 8) == 0x0300) {
		ASSERT_EQ(0, __vt_region_info(self->fd,
					      VFIO_PCI_VGA_REGION_INDEX, &reg));
		ASSERT_EQ(0xc0000, reg.size);
	} else {
		ASSERT_EQ(-EINVAL, __vt_region_info(self->fd,
						    VFIO_PCI_VGA_REGION_INDEX,
						    &reg));
	}
}

TEST_F(cdev, config_access_out_of_range_fails)
{
	struct vfio_region_info reg;
	uint32_t v = 0;

	bind_and_attach(_metadata, self);
	ASSERT_EQ(0, __vt_region_info(self->fd, VFIO_PCI_CONFIG_REGION_INDEX,
				      &reg));
	/* At or across the end: -EFAULT, as the kernel's vfio-pci answers. */
	ASSERT_EQ(-EFAULT, __vt_region_read(self->fd, &reg, reg.size, &v,
					    sizeof(v)));
	ASSERT_EQ(-EFAULT, __vt_region_read(self->fd, &reg, reg.size - 2, &v,
					    sizeof(v)));
	ASSERT_EQ(2, __vt_region_read(self->fd, &reg, reg.size - 2, &v, 2));
	/* Nothing past the last region index. */
	ASSERT_EQ(-1, pread(self->fd, &v, sizeof(v),
			    reg.offset + (1ULL << 44)));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(cdev, unknown_ioctl_fails)
{
	bind_and_attach(_metadata, self);
	ASSERT_EQ(-1, ioctl(self->fd, _IO(VFIO_TYPE, VFIO_BASE + 60)));
	ASSERT_EQ(ENOTTY, errno);
}

TEST_F(cdev, close_and_rebind)
{
	bind_and_attach(_metadata, self);
	close(self->fd);
	self->fd = vt_cdev_open(self->bdf);
	bind_and_attach(_metadata, self);
}

TEST_HARNESS_MAIN
