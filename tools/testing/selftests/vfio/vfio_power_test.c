// SPDX-License-Identifier: GPL-2.0
/*
 * Runtime power management: an unopened device idles runtime-suspended, and
 * an open one enters and leaves low power through the
 * VFIO_DEVICE_FEATURE_LOW_POWER_* features.  While low power is engaged a
 * BAR mapping gets SIGBUS, while read/write and ioctls wake the device for
 * their duration; with a wakeup eventfd, the first wake signals it and ends
 * low power.  The device state is intact afterwards.
 *
 * The runtime state is read from /sys/bus/pci/devices/BDF/power/
 * runtime_status; suspension happens in a workqueue after the last
 * reference goes, so the tests poll for it.
 */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/pci_sysfs.h"
#include "lib/vfio_test.h"

#define EDU_ID		0x00
#define EDU_LIVENESS	0x04
#define EDU_ID_VALUE	0x010000ed

/* Read power/runtime_status of @bdf into @buf ("active", "suspended"...). */
static const char *runtime_status(const char *bdf, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/power/runtime_status",
		 bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return "?";
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return "?";
	buf[n] = 0;
	if (buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return buf;
}

/* Poll runtime_status for about two seconds; true once it reads @want. */
static bool wait_status(const char *bdf, const char *want)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char buf[32];
	int i;

	for (i = 0; i < 100; i++) {
		if (!strcmp(runtime_status(bdf, buf, sizeof(buf)), want))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static int feature(int fd, uint32_t flags, void *data, size_t len)
{
	uint8_t buf[64] = {};
	struct vfio_device_feature *f = (void *)buf;

	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	return ioctl(fd, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

static int low_power_entry(int fd)
{
	return feature(fd, VFIO_DEVICE_FEATURE_SET |
		       VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0);
}

static int low_power_wakeup(int fd, int efd)
{
	struct vfio_device_low_power_entry_with_wakeup w = {
		.wakeup_eventfd = efd,
	};

	return feature(fd, VFIO_DEVICE_FEATURE_SET |
		       VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
		       &w, sizeof(w));
}

static int low_power_exit(int fd)
{
	return feature(fd, VFIO_DEVICE_FEATURE_SET |
		       VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0);
}

FIXTURE(power) {
	struct vt_device dev;
	struct vfio_region_info cfg, bar0;
	char status[32];
};

FIXTURE_VARIANT(power) {
	uint16_t vendor, device;
	bool edu;
};

FIXTURE_VARIANT_ADD(power, edu) { 0x1234, 0x11e8, true };
FIXTURE_VARIANT_ADD(power, igb) { 0x8086, 0x10c9, false };
FIXTURE_VARIANT_ADD(power, e1000e) { 0x8086, 0x10d3, false };

FIXTURE_SETUP(power)
{
	if (!vt_device_open_id(&self->dev, variant->vendor, variant->device))
		SKIP(return, "device not bound to vfio-pci");
	ASSERT_EQ(0, __vt_region_info(self->dev.fd,
				      VFIO_PCI_CONFIG_REGION_INDEX, &self->cfg));
	ASSERT_EQ(0, __vt_region_info(self->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &self->bar0));
}

FIXTURE_TEARDOWN(power)
{
	if (self->dev.fd >= 0)
		vt_device_close(&self->dev);
}

/* Config state that must survive low power: COMMAND and the first BAR. */
static void read_state(struct __test_metadata *_metadata,
		       FIXTURE_DATA(power) *self, uint32_t state[2])
{
	uint16_t cmd;

	ASSERT_EQ(2, __vt_region_read(self->dev.fd, &self->cfg, 4, &cmd, 2));
	ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->cfg, 0x10,
				      &state[1], 4));
	state[0] = cmd;
}

TEST_F(power, idle_until_opened)
{
	/* Open now: active.  Closed: suspended again. */
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	vt_device_close(&self->dev);
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"))
		TH_LOG("status %s", runtime_status(self->dev.bdf, self->status,
						   sizeof(self->status)));
	ASSERT_TRUE(vt_device_open_id(&self->dev, variant->vendor,
				      variant->device));
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
}

TEST_F(power, entry_suspends_exit_resumes)
{
	uint32_t before[2], after[2], v;
	int fd = self->dev.fd;

	if (variant->edu) {
		v = 0x600df00d;
		ASSERT_EQ(4, __vt_region_write(fd, &self->bar0, EDU_LIVENESS,
					       &v, 4));
	}
	read_state(_metadata, self, before);
	ASSERT_TRUE(before[0] & 0x2);

	ASSERT_EQ(0, low_power_entry(fd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	/* Entering twice is refused, and leaves it engaged. */
	ASSERT_EQ(-EINVAL, low_power_entry(fd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));

	ASSERT_EQ(0, low_power_exit(fd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	usleep(200 * 1000);
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	/* Exit is idempotent. */
	ASSERT_EQ(0, low_power_exit(fd));

	read_state(_metadata, self, after);
	ASSERT_EQ(before[0], after[0]);
	ASSERT_EQ(before[1], after[1]);
	if (variant->edu) {
		ASSERT_EQ(4, __vt_region_read(fd, &self->bar0, EDU_LIVENESS,
					      &v, 4));
		ASSERT_EQ(~0x600df00du, v);
	}
}

/* Without a wakeup eventfd an access wakes the device only for itself. */
TEST_F(power, access_wakes_for_its_duration)
{
	uint32_t before[2], after[2];
	int fd = self->dev.fd;

	read_state(_metadata, self, before);
	ASSERT_EQ(0, low_power_entry(fd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));

	read_state(_metadata, self, after);
	ASSERT_EQ(before[0], after[0]);
	ASSERT_EQ(before[1], after[1]);
	if (variant->edu) {
		uint32_t id = 0;

		ASSERT_EQ(4, __vt_region_read(fd, &self->bar0, EDU_ID, &id, 4));
		ASSERT_EQ(EDU_ID_VALUE, id);
	}
	/* Still engaged: back to sleep after the access. */
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	ASSERT_EQ(0, low_power_exit(fd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
}

TEST_F(power, wakeup_eventfd_signalled_on_access)
{
	uint64_t cnt = 0;
	uint16_t cmd;
	int fd = self->dev.fd;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, low_power_wakeup(fd, efd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	ASSERT_EQ(-1, read(efd, &cnt, sizeof(cnt)));
	ASSERT_EQ(EAGAIN, errno);

	/* A config read wakes it: the eventfd fires and low power ends. */
	ASSERT_EQ(2, __vt_region_read(fd, &self->cfg, 4, &cmd, 2));
	ASSERT_EQ(sizeof(cnt), read(efd, &cnt, sizeof(cnt)));
	ASSERT_EQ(1, cnt);
	usleep(200 * 1000);
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	ASSERT_EQ(0, low_power_exit(fd));
	/* Not engaged any more: entry works again, and so does exit. */
	ASSERT_EQ(0, low_power_entry(fd));
	ASSERT_EQ(0, low_power_exit(fd));
	close(efd);
}

TEST_F(power, wakeup_eventfd_signalled_on_ioctl)
{
	struct vfio_device_info info;
	uint64_t cnt = 0;
	int fd = self->dev.fd;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, low_power_wakeup(fd, efd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	ASSERT_EQ(0, __vt_get_info(fd, &info));
	ASSERT_EQ(sizeof(cnt), read(efd, &cnt, sizeof(cnt)));
	ASSERT_EQ(1, cnt);
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	close(efd);
}

TEST_F(power, wakeup_entry_bad_input)
{
	int fd = self->dev.fd;
	int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct vfio_device_low_power_entry_with_wakeup w = { .wakeup_eventfd = 0 };

	ASSERT_LE(0, nullfd);
	ASSERT_EQ(-EINVAL, low_power_wakeup(fd, -1));
	ASSERT_EQ(-EINVAL, low_power_wakeup(fd, nullfd));
	close(nullfd);
	ASSERT_EQ(-EBADF, low_power_wakeup(fd, nullfd));
	/* argsz too short for the payload. */
	ASSERT_EQ(-EINVAL, feature(fd, VFIO_DEVICE_FEATURE_SET |
				   VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
				   &w, sizeof(w) - 1));
	/* None of that engaged low power. */
	usleep(200 * 1000);
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	ASSERT_EQ(0, low_power_entry(fd));
	ASSERT_EQ(0, low_power_exit(fd));
}

TEST_F(power, probe_rules)
{
	int fd = self->dev.fd;
	uint32_t id;

	for (id = VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY;
	     id <= VFIO_DEVICE_FEATURE_LOW_POWER_EXIT; id++) {
		ASSERT_EQ(0, feature(fd, VFIO_DEVICE_FEATURE_PROBE |
				     VFIO_DEVICE_FEATURE_SET | id, NULL, 0));
		ASSERT_EQ(0, feature(fd, VFIO_DEVICE_FEATURE_PROBE | id,
				     NULL, 0));
		ASSERT_EQ(-EINVAL, feature(fd, VFIO_DEVICE_FEATURE_PROBE |
					   VFIO_DEVICE_FEATURE_GET | id,
					   NULL, 0));
		ASSERT_EQ(-EINVAL, feature(fd, VFIO_DEVICE_FEATURE_GET | id,
					   NULL, 0));
		ASSERT_EQ(-EINVAL, feature(fd, id, NULL, 0));
	}
	/* A probe does not engage anything. */
	usleep(200 * 1000);
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	ASSERT_EQ(-ENOTTY, feature(fd, VFIO_DEVICE_FEATURE_PROBE |
				   VFIO_DEVICE_FEATURE_SET | 0x7ff0, NULL, 0));
}

/* A mapping gets SIGBUS while engaged and works again after exit. */
TEST_F(power, mapping_sigbus_while_engaged)
{
	volatile uint32_t *regs;
	uint32_t v;
	void *map;
	int status;
	pid_t pid;

	if (!(self->bar0.flags & VFIO_REGION_INFO_FLAG_MMAP))
		SKIP(return, "BAR0 not mappable");
	ASSERT_EQ(0, __vt_region_mmap(self->dev.fd, &self->bar0, 0, 4096,
				      PROT_READ | PROT_WRITE, MAP_SHARED, &map));
	regs = map;
	v = regs[0];

	ASSERT_EQ(0, low_power_entry(self->dev.fd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		v = regs[0];
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGBUS, WTERMSIG(status));
	/* Touching the mapping did not wake the device. */
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));

	ASSERT_EQ(0, low_power_exit(self->dev.fd));
	ASSERT_EQ(v, regs[0]);
	if (variant->edu)
		ASSERT_EQ(EDU_ID_VALUE, regs[0]);
	munmap(map, 4096);
}

/* Closing the device while engaged leaves it idle and usable. */
TEST_F(power, close_while_engaged)
{
	uint32_t id = 0;

	ASSERT_EQ(0, low_power_entry(self->dev.fd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	vt_device_close(&self->dev);
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	ASSERT_TRUE(vt_device_open_id(&self->dev, variant->vendor,
				      variant->device));
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	usleep(200 * 1000);
	ASSERT_TRUE(wait_status(self->dev.bdf, "active"));
	if (variant->edu) {
		ASSERT_EQ(4, __vt_region_read(self->dev.fd, &self->bar0,
					      EDU_ID, &id, 4));
		ASSERT_EQ(EDU_ID_VALUE, id);
	}
	ASSERT_EQ(0, low_power_exit(self->dev.fd));
}

/* COMMAND as the device holds it, through sysfs (which wakes it). */
static uint16_t hw_command(const char *bdf)
{
	char path[128];
	uint16_t cmd = 0xffff;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0xffff;
	if (pread(fd, &cmd, 2, 4) != 2)
		cmd = 0xffff;
	close(fd);
	return cmd;
}

/*
 * A suspend with INTx not in use must leave the physical DisINTx bit alone:
 * it would be saved with the suspended state and restored at every resume,
 * for this session and, after the last close, for the host.
 */
TEST_F(power, suspend_leaves_unused_intx_alone)
{
	ASSERT_EQ(0, hw_command(self->dev.bdf) & 0x400);
	ASSERT_EQ(0, low_power_entry(self->dev.fd));
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	ASSERT_EQ(0, low_power_exit(self->dev.fd));
	EXPECT_EQ(0, hw_command(self->dev.bdf) & 0x400);

	/* Idle after the last close, then woken by the sysfs read. */
	vt_device_close(&self->dev);
	ASSERT_TRUE(wait_status(self->dev.bdf, "suspended"));
	EXPECT_EQ(0, hw_command(self->dev.bdf) & 0x400);
	ASSERT_TRUE(vt_device_open_id(&self->dev, variant->vendor,
				      variant->device));
}

/* Unbind @bdf from vfio-pci and probe it again (driver_override stays). */
static int rebind(const char *bdf)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind",
		 bdf);
	ret = vt_write_file(path, bdf);
	if (!ret)
		ret = vt_write_file("/sys/bus/pci/drivers_probe", bdf);
	return ret;
}

#define IDLE_D3_PARAM	"/sys/module/vfio_pci/parameters/disable_idle_d3"

/*
 * vfio-pci's disable_idle_d3 applies to devices bound after it is set: such
 * a device stays active while unused, and also while a user has low power
 * engaged (review finding: low-power entry used to drop the PCI core's
 * reference, suspending a device the admin asked to keep in D0).  The
 * feature itself still succeeds, as upstream's does.
 */
TEST(disable_idle_d3_keeps_unused_device_active)
{
	char bdfs[VT_MAX_BDFS][VT_BDF_LEN];
	struct vt_device dev;
	const char *bdf;
	int n;

	n = vt_find_bound(0x1234, 0x11e8, bdfs, VT_MAX_BDFS);
	if (n < 1)
		SKIP(return, "no edu bound to vfio-pci");
	bdf = bdfs[n - 1];
	if (access(IDLE_D3_PARAM, W_OK))
		SKIP(return, "no writable disable_idle_d3 parameter");

	ASSERT_TRUE(wait_status(bdf, "suspended"));
	ASSERT_EQ(0, vt_write_file(IDLE_D3_PARAM, "Y"));
	n = rebind(bdf);
	ASSERT_EQ(0, vt_write_file(IDLE_D3_PARAM, "N"));
	ASSERT_EQ(0, n);
	usleep(300 * 1000);
	ASSERT_TRUE(wait_status(bdf, "active"));

	vt_device_open(&dev, bdf);
	ASSERT_EQ(0, low_power_entry(dev.fd));
	usleep(500 * 1000);
	ASSERT_TRUE(wait_status(bdf, "active"));
	ASSERT_EQ(0, low_power_exit(dev.fd));
	ASSERT_TRUE(wait_status(bdf, "active"));
	vt_device_close(&dev);
	usleep(300 * 1000);
	ASSERT_TRUE(wait_status(bdf, "active"));

	/* Bound again with the parameter off: idle in D3 as before. */
	ASSERT_EQ(0, rebind(bdf));
	ASSERT_TRUE(wait_status(bdf, "suspended"));
}

TEST_HARNESS_MAIN
