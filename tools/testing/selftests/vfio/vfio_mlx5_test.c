// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci's live migration through the real uAPI, against the
 * firmware double: the variant's test build (vfio-pci-mlx5-test, the same
 * sources as mlx5-vfio-pci) bound to two igb VFs standing in for ConnectX
 * VFs, each backed by a VHCA of mlx5-fw-double, whose debugfs files show
 * the VHCA (suspend state, state bytes, commands run) and steer it (state
 * size and contents, injected command failures, the PF's SR-IOV events).
 *
 * The fixture loads both modules, moves the igb PF to the host igb driver
 * for two VFs and hands them to the variant; the parent undoes it all after
 * the test process (and every fd it held) is gone.  The tests open the VFs
 * themselves, so that a failure there still gets the teardown.
 * VT_MLX5_KO=PATH loads that build of the variant instead (a deliberately
 * broken one, to see the suite fail).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/pci_sysfs.h"
#include "lib/vfio_mig.h"
#include "lib/vfio_sriov.h"
#include "lib/vfio_test.h"

#define VARIANT		"vfio-pci-mlx5-test"
#define MODDIR		"drivers/vfio/pci/variants/mlx5/test"
#define FW		"/sys/kernel/debug/mlx5_fw_double"
#define IMAGE_HDR	16		/* the double's image header */
#define STATE_MAX	(8 << 20)
#define OP_SUSPEND	"0x115"
#define OP_SAVE		"0x118"
#define OP_LOAD		"0x119"

enum { CMD_SUSPEND, CMD_RESUME, CMD_QUERY, CMD_SAVE, CMD_LOAD, CMD_NR };

FIXTURE(mlx5) {
	char pf[VT_BDF_LEN];
	char vf[2][VT_BDF_LEN];
	int nvfs;
	bool loaded;
};

FIXTURE_SETUP(mlx5)
{
	const char *pf = vt_find_one(0x8086, 0x10c9);
	const char *repo = vt_repo_dir();
	int ret = 0, i;

	if (!pf)
		SKIP(return, "no igb PF bound to vfio-pci");
	/* The rig's 7.3 build makes it; the stock kernel's boot has none. */
	if (vt_shell("modinfo -F vermagic %s/" MODDIR "/mlx5-fw-double.ko | grep -q \"^$(uname -r) \"",
		     repo))
		SKIP(return, "no mlx5 test build for this kernel (VFIO_PCI_CORE_MLX5_TEST=m)");
	vt_shell("mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug");
	ASSERT_EQ(0, vt_shell("insmod %s/" MODDIR "/mlx5-fw-double.ko", repo));
	self->loaded = true;
	/* VT_MLX5_KO: another build of the variant */
	if (getenv("VT_MLX5_KO"))
		ret = vt_shell("insmod %s", getenv("VT_MLX5_KO"));
	else
		ret = vt_shell("insmod %s/" MODDIR "/vfio-pci-mlx5-test.ko",
			       repo);
	ASSERT_EQ(0, ret);
	snprintf(self->pf, sizeof(self->pf), "%s", pf);
	self->nvfs = 2;
	ret = vt_host_vfs_up(pf, "igb", 2, self->vf);
	for (i = 0; !ret && i < 2; i++)
		ret = vt_driver_move(self->vf[i], VARIANT);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN_PARENT(mlx5)
{
	if (self->pf[0])
		EXPECT_EQ(0, vt_host_vfs_down(self->pf, self->nvfs, self->vf));
	if (self->loaded)
		EXPECT_EQ(0, vt_shell("rmmod vfio-pci-mlx5-test mlx5-fw-double"));
}

/* The double's debugfs file @file of @bdf's VHCA. */
static int fw_set(const char *bdf, const char *file, const char *fmt, ...)
{
	char path[256], val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), FW "/%s/%s", bdf, file);
	return vt_write_file(path, val);
}

/* The file's bytes (at most @len); their number or -errno. */
static long fw_get(const char *bdf, const char *file, void *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), FW "/%s/%s", bdf, file);
	return vt_read_file(path, buf, len);
}

/* "running", "initiator_suspended" or "suspended" */
static const char *vhca_state(const char *bdf)
{
	static char buf[32];
	long n = fw_get(bdf, "vhca_state", buf, sizeof(buf) - 1);

	buf[n > 0 ? n - 1 : 0] = '\0';
	return buf;
}

static int fw_cmds(const char *bdf, long c[CMD_NR])
{
	char buf[128];
	long n = fw_get(bdf, "cmds", buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sscanf(buf, "suspend %ld resume %ld query %ld save %ld load %ld",
		      &c[0], &c[1], &c[2], &c[3], &c[4]) == CMD_NR ? 0 : -1;
}

/* The VHCA's state bytes (malloc'd), their number in *@len. */
static uint8_t *fw_state(const char *bdf, long *len)
{
	uint8_t *buf = malloc(STATE_MAX);

	*len = buf ? fw_get(bdf, "state", buf, STATE_MAX) : -1;
	return buf;
}

/* Are the two VHCAs' states the same bytes? */
static bool same_state(const char *a, const char *b)
{
	long la, lb;
	uint8_t *sa = fw_state(a, &la), *sb = fw_state(b, &lb);
	bool same = la > 0 && la == lb && !memcmp(sa, sb, la);

	free(sa);
	free(sb);
	return same;
}

/*
 * A: RUNNING -> STOP_COPY, B: RUNNING -> RESUMING, A's data into B's,
 * then both to STOP (B loads there).  0 or the first failing step's errno.
 */
static int migrate(int a, int b, uint64_t *bytes)
{
	int sfd = -1, rfd = -1, ret;

	ret = vt_mig_set_state(a, VT_ST(STOP_COPY), &sfd);
	if (!ret)
		ret = vt_mig_set_state(b, VT_ST(RESUMING), &rfd);
	if (!ret)
		ret = vt_mig_pump(sfd, rfd, 64 << 10, bytes, NULL, NULL);
	if (!ret)
		ret = vt_mig_set_state(a, VT_ST(STOP), NULL);
	if (!ret)
		ret = vt_mig_set_state(b, VT_ST(STOP), NULL);
	if (sfd >= 0)
		close(sfd);
	if (rfd >= 0)
		close(rfd);
	return ret;
}

/* P2P as initiator then responder, each arc one command, and back. */
TEST_F_TIMEOUT(mlx5, p2p_arcs, 300)
{
	static const struct {
		uint32_t state;
		const char *vhca;
	} steps[] = {
		{ VT_ST(RUNNING_P2P), "initiator_suspended" },
		{ VT_ST(STOP), "suspended" },
		{ VT_ST(RUNNING_P2P), "initiator_suspended" },
		{ VT_ST(RUNNING), "running" },
		/* RUNNING -> STOP walks through RUNNING_P2P: both commands. */
		{ VT_ST(STOP), "suspended" },
		{ VT_ST(RUNNING), "running" },
	};
	struct vfio_device_feature_migration mig = {};
	const char *vf = self->vf[0];
	long c[CMD_NR];
	struct vt_device a;
	unsigned int i;

	vt_device_open(&a, vf);
	ASSERT_EQ(0, vt_mig_feature(a.fd, VFIO_DEVICE_FEATURE_GET |
				    VFIO_DEVICE_FEATURE_MIGRATION, &mig,
				    sizeof(mig)));
	EXPECT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P, mig.flags);
	EXPECT_STREQ("running", vhca_state(vf));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ASSERT_EQ(0, vt_mig_set_state(a.fd, steps[i].state, NULL));
		EXPECT_STREQ(steps[i].vhca, vhca_state(vf));
	}
	ASSERT_EQ(0, fw_cmds(vf, c));
	EXPECT_EQ(4, c[CMD_SUSPEND]);
	EXPECT_EQ(4, c[CMD_RESUME]);
	EXPECT_EQ(0, c[CMD_SAVE] + c[CMD_LOAD]);
	vt_device_close(&a);
}

/*
 * STOP_COPY on A, RESUMING on B: B's VHCA ends with exactly A's bytes, for
 * a state that grew past several records and then for one that shrank.
 */
TEST_F_TIMEOUT(mlx5, migrate_exact, 600)
{
	static const long sizes[] = { (3 << 20) + 4099, 1000 };
	struct vt_device a, b;
	uint64_t est, bytes;
	long c[CMD_NR];
	unsigned int i;

	vt_device_open(&a, self->vf[0]);
	vt_device_open(&b, self->vf[1]);
	ASSERT_EQ(0, fw_set(self->vf[1], "seed", "5"));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, fw_set(self->vf[0], "state_size", "%ld", sizes[i]));
		ASSERT_EQ(0, fw_set(self->vf[0], "seed", "%u", 77 + i));
		ASSERT_FALSE(same_state(self->vf[0], self->vf[1]));
		/*
		 * The estimate: the double's image (header and state) and the
		 * variant's size record, framed; the stream's length to within
		 * one record header.
		 */
		ASSERT_EQ(0, vt_mig_data_size(a.fd, &est));
		EXPECT_LT(sizes[i] + IMAGE_HDR + 8, est);
		bytes = 0;
		ASSERT_EQ(0, migrate(a.fd, b.fd, &bytes));
		EXPECT_LE(est, bytes + VT_MIG_REC_HDR);
		EXPECT_LE(bytes, est + VT_MIG_REC_HDR);
		EXPECT_TRUE(same_state(self->vf[0], self->vf[1]));
		/* A suspended VHCA's state does not change. */
		EXPECT_EQ(-EBUSY, fw_set(self->vf[0], "state_size", "64"));
		ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(RUNNING), NULL));
		ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RUNNING), NULL));
		EXPECT_STREQ("running", vhca_state(self->vf[0]));
		EXPECT_STREQ("running", vhca_state(self->vf[1]));
	}
	ASSERT_EQ(0, fw_cmds(self->vf[0], c));
	EXPECT_EQ(2, c[CMD_SAVE]);
	ASSERT_EQ(0, fw_cmds(self->vf[1], c));
	EXPECT_EQ(2, c[CMD_LOAD]);
	EXPECT_EQ(0, c[CMD_SAVE]);
	vt_device_close(&a);
	vt_device_close(&b);
}

/*
 * A failing command moves the device to ERROR; only a reset leaves it, and
 * then the device migrates again.  SAVE fails on A, then LOAD on B, then
 * SUSPEND on A.
 */
TEST_F_TIMEOUT(mlx5, command_failures, 600)
{
	struct vt_device a, b;
	long before, after;
	uint8_t *s0, *s1;

	vt_device_open(&a, self->vf[0]);
	vt_device_open(&b, self->vf[1]);

	ASSERT_EQ(0, fw_set(self->vf[0], "fail", OP_SAVE " 5"));
	EXPECT_EQ(-EIO, vt_mig_set_state(a.fd, VT_ST(STOP_COPY), NULL));
	EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(a.fd));
	EXPECT_EQ(-EINVAL, vt_mig_set_state(a.fd, VT_ST(RUNNING), NULL));
	ASSERT_EQ(0, __vt_reset(a.fd));
	EXPECT_EQ(VT_ST(RUNNING), vt_mig_get_state(a.fd));
	EXPECT_STREQ("running", vhca_state(self->vf[0]));

	/* B keeps its own state when its LOAD fails. */
	s0 = fw_state(self->vf[1], &before);
	ASSERT_EQ(0, fw_set(self->vf[1], "fail", OP_LOAD " 5"));
	EXPECT_EQ(-EIO, migrate(a.fd, b.fd, NULL));
	EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(b.fd));
	s1 = fw_state(self->vf[1], &after);
	EXPECT_EQ(before, after);
	EXPECT_EQ(0, memcmp(s0, s1, before > 0 ? before : 0));
	free(s0);
	free(s1);
	ASSERT_EQ(0, __vt_reset(b.fd));
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(RUNNING), NULL));

	ASSERT_EQ(0, fw_set(self->vf[0], "fail", OP_SUSPEND " 5"));
	EXPECT_EQ(-EIO, vt_mig_set_state(a.fd, VT_ST(RUNNING_P2P), NULL));
	EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(a.fd));
	ASSERT_EQ(0, __vt_reset(a.fd));

	/* Both usable again. */
	ASSERT_EQ(0, migrate(a.fd, b.fd, NULL));
	EXPECT_TRUE(same_state(self->vf[0], self->vf[1]));
	vt_device_close(&a);
	vt_device_close(&b);
}

/*
 * The reset rule: a reset in the middle of a save runs no firmware command;
 * the VF runs again (FLR), the data file is void, and the next save works.
 */
TEST_F_TIMEOUT(mlx5, reset_during_save, 300)
{
	long c0[CMD_NR], c1[CMD_NR];
	struct vt_device a, b;
	uint8_t buf[4096];
	int sfd;

	vt_device_open(&a, self->vf[0]);
	vt_device_open(&b, self->vf[1]);
	ASSERT_EQ(0, fw_set(self->vf[0], "state_size", "%d", 2 << 20));
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(STOP_COPY), &sfd));
	ASSERT_EQ((ssize_t)sizeof(buf), read(sfd, buf, sizeof(buf)));
	ASSERT_EQ(0, fw_cmds(self->vf[0], c0));
	ASSERT_EQ(0, __vt_reset(a.fd));
	ASSERT_EQ(0, fw_cmds(self->vf[0], c1));
	EXPECT_EQ(0, memcmp(c0, c1, sizeof(c0)));
	EXPECT_EQ(VT_ST(RUNNING), vt_mig_get_state(a.fd));
	EXPECT_STREQ("running", vhca_state(self->vf[0]));
	EXPECT_EQ(-1, read(sfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(sfd);
	ASSERT_EQ(0, migrate(a.fd, b.fd, NULL));
	EXPECT_TRUE(same_state(self->vf[0], self->vf[1]));
	vt_device_close(&a);
	vt_device_close(&b);
}

/*
 * The PF disabling the VF (its SR-IOV notifier) ends the session: ERROR,
 * the data file fails with -ENOTCONN, and commands fail until it comes back.
 */
TEST_F_TIMEOUT(mlx5, pf_disables_vf, 300)
{
	const char *vf = self->vf[0];
	uint8_t buf[4096];
	struct vt_device a;
	int sfd;

	vt_device_open(&a, vf);
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(STOP_COPY), &sfd));
	ASSERT_EQ((ssize_t)sizeof(buf), read(sfd, buf, sizeof(buf)));
	ASSERT_EQ(0, fw_set(vf, "pf_event", "disable"));
	EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(a.fd));
	EXPECT_EQ(-1, read(sfd, buf, sizeof(buf)));
	EXPECT_EQ(ENOTCONN, errno);
	close(sfd);
	ASSERT_EQ(0, __vt_reset(a.fd));
	EXPECT_EQ(-ENOTCONN, vt_mig_set_state(a.fd, VT_ST(STOP), NULL));
	EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(a.fd));
	ASSERT_EQ(0, fw_set(vf, "pf_event", "enable"));
	ASSERT_EQ(0, __vt_reset(a.fd));
	EXPECT_EQ(0, vt_mig_set_state(a.fd, VT_ST(STOP), NULL));
	EXPECT_STREQ("suspended", vhca_state(vf));
	EXPECT_EQ(0, vt_mig_set_state(a.fd, VT_ST(RUNNING), NULL));
	vt_device_close(&a);
}

/*
 * A stream whose size record disagrees with its image (forged, checksums
 * fixed) is refused by the variant and never reaches the firmware: B keeps
 * its state, runs no LOAD, and a reset makes it usable again.
 */
TEST_F_TIMEOUT(mlx5, size_record_mismatch, 300)
{
	static const int64_t deltas[] = { -4096, 4096 };
	static uint8_t good[1 << 20], bad[1 << 20];
	long c0[CMD_NR], c1[CMD_NR];
	struct vt_device a, b;
	size_t len = 0;
	unsigned int i;
	uint64_t size;
	long off;
	int fd;

	vt_device_open(&a, self->vf[0]);
	vt_device_open(&b, self->vf[1]);
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(STOP_COPY), &fd));
	ASSERT_EQ(0, vt_mig_drain(fd, good, sizeof(good), &len));
	close(fd);
	/* Record 0 is the core's header, 1 the variant's size record. */
	off = vt_mig_record(good, len, 1, NULL);
	ASSERT_LT(0, off);
	memcpy(&size, good + off + VT_MIG_REC_HDR, sizeof(size));
	ASSERT_EQ(64 << 10 | IMAGE_HDR, size);
	for (i = 0; i < 2; i++) {
		uint64_t forged = size + deltas[i];

		memcpy(bad, good, len);
		memcpy(bad + off + VT_MIG_REC_HDR, &forged, sizeof(forged));
		vt_mig_reseal(bad, len, 1);
		ASSERT_EQ(0, fw_cmds(self->vf[1], c0));
		ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &fd));
		vt_mig_feed(fd, bad, len, 64 << 10);
		close(fd);
		EXPECT_GT(0, vt_mig_set_state(b.fd, VT_ST(STOP), NULL));
		EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(b.fd));
		ASSERT_EQ(0, fw_cmds(self->vf[1], c1));
		EXPECT_EQ(c0[CMD_LOAD], c1[CMD_LOAD]);
		EXPECT_FALSE(same_state(self->vf[0], self->vf[1]));
		ASSERT_EQ(0, __vt_reset(b.fd));
	}
	/* The unforged stream loads. */
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &fd));
	ASSERT_EQ(0, vt_mig_feed(fd, good, len, 64 << 10));
	close(fd);
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(STOP), NULL));
	EXPECT_TRUE(same_state(self->vf[0], self->vf[1]));
	vt_device_close(&a);
	vt_device_close(&b);
}

TEST_HARNESS_MAIN
