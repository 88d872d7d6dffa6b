// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO_DEVICE_RESET: offered (VFIO_DEVICE_FLAGS_RESET) exactly when it
 * works, and the function comes back with the config header it had.
 */
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"

#define HDR_LEN		64
#define PCI_STATUS_OFF	6

FIXTURE(reset) {
	struct vt_device dev;
	struct vfio_region_info cfg;
	struct vfio_device_info info;
};

FIXTURE_VARIANT(reset) {
	uint16_t vendor, device;
	/* the device has FLR, so a reset must be offered */
	bool must_reset;
};

FIXTURE_VARIANT_ADD(reset, nvme) { 0x1b36, 0x0010, true };
FIXTURE_VARIANT_ADD(reset, igb) { 0x8086, 0x10c9, true };
FIXTURE_VARIANT_ADD(reset, e1000e) { 0x8086, 0x10d3, false };
FIXTURE_VARIANT_ADD(reset, edu) { 0x1234, 0x11e8, false };

FIXTURE_SETUP(reset)
{
	const char *bdf = vt_find_one(variant->vendor, variant->device);

	self->dev.fd = -1;
	if (!bdf)
		SKIP(return, "device not bound to vfio-pci");
	vt_device_open(&self->dev, bdf);
	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX,
				      &self->cfg));
	ASSERT_EQ(0, __vt_get_info(self->dev.fd, &self->info));
}

FIXTURE_TEARDOWN(reset)
{
	vt_device_close(&self->dev);
}

TEST_F(reset, flag_matches_ioctl)
{
	int ret = __vt_reset(self->dev.fd);

	if (variant->must_reset) {
		ASSERT_TRUE(self->info.flags & VFIO_DEVICE_FLAGS_RESET);
	}
	if (self->info.flags & VFIO_DEVICE_FLAGS_RESET) {
		ASSERT_EQ(0, ret);
	} else {
		ASSERT_EQ(-EINVAL, ret);
	}
}

TEST_F(reset, config_header_survives_reset)
{
	uint8_t before[HDR_LEN], after[HDR_LEN];

	if (!(self->info.flags & VFIO_DEVICE_FLAGS_RESET))
		SKIP(return, "no reset offered");
	ASSERT_EQ(HDR_LEN, __vt_region_read(self->dev.fd, &self->cfg, 0,
					    before, HDR_LEN));
	ASSERT_EQ(0, __vt_reset(self->dev.fd));
	ASSERT_EQ(HDR_LEN, __vt_region_read(self->dev.fd, &self->cfg, 0,
					    after, HDR_LEN));
	/* Status holds write-1-to-clear event bits; the rest must match. */
	ASSERT_EQ(0, memcmp(before, after, PCI_STATUS_OFF));
	ASSERT_EQ(0, memcmp(before + PCI_STATUS_OFF + 2,
			    after + PCI_STATUS_OFF + 2,
			    HDR_LEN - PCI_STATUS_OFF - 2));
}

TEST_F(reset, repeated_resets_work)
{
	int i;

	if (!(self->info.flags & VFIO_DEVICE_FLAGS_RESET))
		SKIP(return, "no reset offered");
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, __vt_reset(self->dev.fd));
}

TEST_HARNESS_MAIN
