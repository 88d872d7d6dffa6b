// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures in our modules (lib/fault_inject.h: failslab limited
 * to our modules' text, the Nth allocation of this thread failing), walked
 * N = 1, 2, ... along each path until the path completes without reaching
 * N: first open, SET_IRQS, region info with capabilities, a migration
 * session (edu-vfio-pci) and a trapping variant's open and accesses
 * (vfio-pci-trap-test).  Each failure must come back as an error of the
 * call and nothing else: the device answers normally right after, and what
 * the session shows equals what a session without failures shows.  Splats
 * and leaks are the rig's to catch (log check, kmemleak scan at the end).
 *
 * Run by the rig's hardening stage (guest/harden.sh) as vfio_fault_test.
 */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "lib/fault_inject.h"
#include "lib/pci_sysfs.h"
#include "lib/vfio_driver.h"
#include "lib/vfio_test.h"

/* No path of ours allocates anywhere near this often. */
#define MAX_NTH		400

static const char *const our_modules[] = {
	"vfio_pci_core", "vfio_pci", "edu_vfio_pci", "vfio_pci_trap_test",
	NULL,
};

FIXTURE(fault) {
	const char *bdf;
	bool armed;
};

/*
 * A walk reopens the device once per allocation site, each open resetting
 * it: three devices cover the paths (MSI-X, extended capabilities, SR-IOV
 * PF, MSI and INTx) in about a minute under TCG.
 */
FIXTURE_VARIANT(fault) {
	uint16_t vendor;
	uint16_t device;
};

FIXTURE_VARIANT_ADD(fault, igb) { 0x8086, 0x10c9 };
FIXTURE_VARIANT_ADD(fault, nvme) { 0x1b36, 0x0010 };
FIXTURE_VARIANT_ADD(fault, edu) { 0x1234, 0x11e8 };

FIXTURE_SETUP(fault)
{
	int ret;

	self->armed = false;
	self->bdf = vt_find_one(variant->vendor, variant->device);
	if (!self->bdf)
		SKIP(return, "no %04x:%04x bound to vfio-pci", variant->vendor,
		     variant->device);
	ret = vt_fault_setup(our_modules);
	if (ret == -ENOENT)
		SKIP(return, "no failslab with a stack filter");
	/* failslab is there: not being able to set it up is a failure. */
	ASSERT_EQ(0, ret);
	self->armed = true;
}

FIXTURE_TEARDOWN(fault)
{
	if (self->armed)
		vt_fault_teardown();
}

/*
 * The extended config space as a session shows it (the standard header
 * holds live status bits; the extended capabilities' layout does not
 * change between sessions).
 */
static int config_snapshot(int devfd, uint8_t *buf, size_t *len)
{
	struct vfio_region_info cfg;
	ssize_t n;

	if (__vt_region_info(devfd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg))
		return -1;
	*len = cfg.size > 4096 ? 4096 - 256 : cfg.size - 256;
	if (cfg.size <= 256) {
		*len = 0;
		return 0;
	}
	n = __vt_region_read(devfd, &cfg, 256, buf, *len);
	return n == (ssize_t)*len ? 0 : -1;
}

/*
 * Open and bind under failure N (and, on a trapping variant, region info
 * and a trapped access in the same window); a bind that still succeeds
 * shows the same extended config space as a clean session (review finding:
 * extended config space left raw when its allocation failed).
 */
static void open_walk(struct __test_metadata *_metadata, const char *bdf,
		      bool traps)
{
	uint8_t clean[4096], got[4096];
	size_t clean_len, got_len;
	unsigned int nth, failed = 0;
	struct vfio_region_info bar0;
	struct vt_device d;
	uint64_t v;

	vt_device_open(&d, bdf);
	ASSERT_EQ(0, config_snapshot(d.fd, clean, &clean_len));
	vt_device_close(&d);

	for (nth = 1; nth < MAX_NTH; nth++) {
		int fd = __vt_cdev_open(bdf);
		int iommufd = vt_iommufd_open();
		bool injected;
		int ret;

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, vt_fault_arm(nth));
		ret = __vt_bind(fd, iommufd, NULL);
		if (!ret && traps && !__vt_region_info(fd, 0, &bar0))
			__vt_region_read(fd, &bar0, 0x100, &v, 8);
		injected = vt_fault_disarm();
		if (!ret) {
			uint32_t ioas = vt_ioas_alloc(iommufd);

			ASSERT_EQ(0, __vt_attach(fd, ioas, NULL));
			ASSERT_EQ(0, config_snapshot(fd, got, &got_len));
			ASSERT_EQ(clean_len, got_len);
			if (got_len && memcmp(clean, got, got_len)) {
				TH_LOG("failure %u: config space differs", nth);
				ASSERT_TRUE(false);
			}
		} else {
			failed++;
		}
		close(fd);
		close(iommufd);
		if (!injected)
			break;
	}
	TH_LOG("%s: %u allocation sites on the open path, %u failed the open",
	       bdf, nth - 1, failed);
	ASSERT_LT(nth, MAX_NTH);
	/* And the device opens as before. */
	vt_device_open(&d, bdf);
	ASSERT_EQ(0, config_snapshot(d.fd, got, &got_len));
	vt_device_close(&d);
	ASSERT_EQ(clean_len, got_len);
	if (got_len)
		ASSERT_EQ(0, memcmp(clean, got, clean_len));
}

TEST_F_TIMEOUT(fault, open, 600)
{
	open_walk(_metadata, self->bdf, false);
}

/* Every interrupt index the device has, each enabled under failure N. */
TEST_F_TIMEOUT(fault, set_irqs, 600)
{
	int32_t fds[4];
	struct vt_device d;
	uint32_t index;
	int i;

	for (i = 0; i < 4; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	vt_device_open(&d, self->bdf);
	for (index = 0; index < VFIO_PCI_NUM_IRQS; index++) {
		struct vfio_irq_info info;
		uint32_t count;
		unsigned int nth;

		if (__vt_irq_info(d.fd, index, &info) || !info.count)
			continue;
		count = info.count < 4 ? info.count : 4;
		if (index >= VFIO_PCI_ERR_IRQ_INDEX)
			count = 1;
		for (nth = 1; nth < MAX_NTH; nth++) {
			bool injected;
			int ret;

			ASSERT_EQ(0, vt_fault_arm(nth));
			ret = __vt_set_irq_fds(d.fd, index, 0, count, fds);
			injected = vt_fault_disarm();
			if (!ret)
				ASSERT_EQ(0, __vt_set_irq_fds(d.fd, index, 0, 0, NULL));
			if (!injected)
				break;
			/* Cleanly refused: it works right after. */
			ASSERT_EQ(0, __vt_set_irq_fds(d.fd, index, 0, count, fds));
			ASSERT_EQ(0, __vt_set_irq_fds(d.fd, index, 0, 0, NULL));
		}
		ASSERT_LT(nth, MAX_NTH);
	}
	vt_device_close(&d);
	for (i = 0; i < 4; i++)
		close(fds[i]);
}

/* Region info with its capability chain (sparse mmap, MSI-X mappable...). */
TEST_F_TIMEOUT(fault, region_info, 300)
{
	struct vt_device d;
	uint32_t index;

	vt_device_open(&d, self->bdf);
	for (index = 0; index < VFIO_PCI_NUM_REGIONS; index++) {
		struct {
			struct vfio_region_info info;
			uint8_t caps[512];
		} clean = {
			.info = { .argsz = sizeof(clean), .index = index },
		}, got;
		unsigned int nth;

		if (ioctl(d.fd, VFIO_DEVICE_GET_REGION_INFO, &clean))
			continue;
		for (nth = 1; nth < MAX_NTH; nth++) {
			bool injected;
			int ret;

			memset(&got, 0, sizeof(got));
			got.info.argsz = sizeof(got);
			got.info.index = index;
			ASSERT_EQ(0, vt_fault_arm(nth));
			ret = ioctl(d.fd, VFIO_DEVICE_GET_REGION_INFO, &got);
			injected = vt_fault_disarm();
			if (!ret)
				ASSERT_EQ(0, memcmp(&clean, &got, sizeof(got)));
			if (!injected)
				break;
		}
		ASSERT_LT(nth, MAX_NTH);
	}
	vt_device_close(&d);
}

/* ------------------------------------------------------------------ */
/* Variants: migration sessions and traps                              */
/* ------------------------------------------------------------------ */

/* Only for the timeout: these walks take minutes under TCG. */
FIXTURE(variants) {
	int unused;
};

FIXTURE_SETUP(variants)
{
}

FIXTURE_TEARDOWN(variants)
{
}

/* The whole STOP_COPY stream of the device into @buf. */
static ssize_t mig_save(int devfd, uint8_t *buf, size_t len)
{
	ssize_t n, done = 0;
	int fd = -1, ret;

	ret = __vt_mig_set_state(devfd, VFIO_DEVICE_STATE_STOP, NULL);
	ret = ret ?: __vt_mig_set_state(devfd, VFIO_DEVICE_STATE_STOP_COPY, &fd);
	if (ret)
		return ret;
	while ((n = read(fd, buf + done, len - done)) > 0)
		done += n;
	ret = n < 0 ? -errno : 0;
	close(fd);
	return ret ?: done;
}

/* Back to RUNNING, through a reset if the failure left it in ERROR. */
static void mig_recover(struct __test_metadata *_metadata, int devfd)
{
	if (__vt_mig_set_state(devfd, VFIO_DEVICE_STATE_RUNNING, NULL))
		ASSERT_EQ(0, __vt_reset(devfd));
	ASSERT_EQ(0, __vt_mig_set_state(devfd, VFIO_DEVICE_STATE_RUNNING, NULL));
}

/* Save and load, each under failure N, on the edu migration variant. */
TEST_F_TIMEOUT(variants, migration_under_allocation_failures, 600)
{
	static uint8_t stream[1 << 20];
	char bdfs[VT_MAX_BDFS][VT_BDF_LEN];
	unsigned int nth, sites = 0;
	struct vt_device d;
	ssize_t len;
	int ret;

	if (vt_find_bound(0x1234, 0x11e8, bdfs, VT_MAX_BDFS) < 1)
		SKIP(return, "no edu bound to vfio-pci");
	if (access("/sys/bus/pci/drivers/edu-vfio-pci", F_OK))
		SKIP(return, "edu-vfio-pci is not loaded");
	ret = vt_fault_setup(our_modules);
	if (ret == -ENOENT)
		SKIP(return, "no failslab with a stack filter");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, vt_rebind(bdfs[0], "edu-vfio-pci"));
	vt_device_open(&d, bdfs[0]);

	len = mig_save(d.fd, stream, sizeof(stream));
	ASSERT_LT(0, len);
	mig_recover(_metadata, d.fd);

	/* Saving. */
	for (nth = 1; nth < MAX_NTH; nth++, sites++) {
		bool injected;

		ASSERT_EQ(0, vt_fault_arm(nth));
		ret = mig_save(d.fd, stream, sizeof(stream));
		injected = vt_fault_disarm();
		mig_recover(_metadata, d.fd);
		if (!injected)
			break;
	}
	ASSERT_LT(nth, MAX_NTH);

	/* Loading a good stream. */
	len = mig_save(d.fd, stream, sizeof(stream));
	ASSERT_LT(0, len);
	mig_recover(_metadata, d.fd);
	for (nth = 1; nth < MAX_NTH; nth++, sites++) {
		bool injected;
		int fd = -1;

		ASSERT_EQ(0, __vt_mig_set_state(d.fd, VFIO_DEVICE_STATE_STOP, NULL));
		ASSERT_EQ(0, vt_fault_arm(nth));
		ret = __vt_mig_set_state(d.fd, VFIO_DEVICE_STATE_RESUMING, &fd);
		if (!ret) {
			if (write(fd, stream, len) == len)
				ret = __vt_mig_set_state(d.fd, VFIO_DEVICE_STATE_STOP,
					      NULL);
			close(fd);
		}
		injected = vt_fault_disarm();
		mig_recover(_metadata, d.fd);
		if (!injected)
			break;
	}
	ASSERT_LT(nth, MAX_NTH);
	TH_LOG("%u allocation sites on the migration paths", sites);

	/* Still migrates. */
	ASSERT_LT(0, mig_save(d.fd, stream, sizeof(stream)));
	mig_recover(_metadata, d.fd);
	vt_device_close(&d);
	vt_fault_teardown();
	ASSERT_EQ(0, vt_rebind(bdfs[0], "vfio-pci"));
}

/*
 * A trapping variant's open (its added and hidden capabilities), region
 * info and trapped accesses, on both devices vfio-pci-trap-test takes.
 */
static void trap_walk(struct __test_metadata *_metadata, uint16_t vendor,
		      uint16_t device)
{
	const char *found = vt_find_one(vendor, device);
	struct vfio_region_info cfg;
	char bdf[VT_BDF_LEN];
	struct vt_device d;
	uint32_t v = 0;

	if (!found)
		return;
	snprintf(bdf, sizeof(bdf), "%s", found);
	ASSERT_EQ(0, vt_rebind(bdf, "vfio-pci-trap-test"));
	open_walk(_metadata, bdf, true);

	/* The variant's registers still serve the next user. */
	vt_device_open(&d, bdf);
	ASSERT_EQ(0, __vt_region_info(d.fd, VFIO_PCI_CONFIG_REGION_INDEX,
				      &cfg));
	ASSERT_EQ(2, __vt_region_read(d.fd, &cfg, PCI_SUBSYSTEM_ID, &v, 2));
	vt_device_close(&d);
	ASSERT_EQ(0, vt_rebind(bdf, "vfio-pci"));
	if (vendor == 0x1b36)
		ASSERT_EQ(0xbeef, v);
}

TEST_F_TIMEOUT(variants, traps_under_allocation_failures, 600)
{
	int ret;

	if (access("/sys/bus/pci/drivers/vfio-pci-trap-test", F_OK))
		SKIP(return, "vfio-pci-trap-test is not loaded");
	ret = vt_fault_setup(our_modules);
	if (ret == -ENOENT)
		SKIP(return, "no failslab with a stack filter");
	ASSERT_EQ(0, ret);
	trap_walk(_metadata, 0x1b36, 0x0005);
	trap_walk(_metadata, 0x8086, 0x10d3);
	vt_fault_teardown();
}

TEST_HARNESS_MAIN
