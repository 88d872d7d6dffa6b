// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci's live migration through the real uAPI, against the
 * firmware double: the variant's test build (vfio-pci-mlx5-test, the same
 * sources as mlx5-vfio-pci) bound to two igb VFs standing in for ConnectX
 * VFs, each backed by a VHCA of mlx5-fw-double, whose debugfs files show
 * the VHCA (suspend state, state bytes, commands run, its page tracker)
 * and steer it (state size and contents, injected command failures, the
 * PF's SR-IOV events, DMA the device does, a tracker error).
 *
 * The fixture loads both modules, moves the igb PF to the host igb driver
 * for two VFs and hands them to the variant; the parent undoes it all after
 * the test process (and every fd it held) is gone.  The tests open the VFs
 * themselves, so that a failure there still gets the teardown.
 * VT_MLX5_DIR=DIR loads both modules from DIR instead (a deliberately
 * broken build, to see the suite fail: broken/guest.sh sets it).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/pci_sysfs.h"
#include "lib/vfio_dirty.h"
#include "lib/vfio_mig.h"
#include "lib/vfio_sriov.h"
#include "lib/vfio_test.h"

#define VARIANT		"vfio-pci-mlx5-test"
#define MODDIR		"drivers/vfio/pci/variants/mlx5/test"
#define FW		"/sys/kernel/debug/mlx5_fw_double"
#define IMAGE_HDR	24		/* the double's unit header, image length */
#define UNIT_HDR	16		/* the double's unit header */
#define TAG_SIZE	1		/* the variant's records */
#define TAG_IMAGE	2
#define TAG_HINT	3
#define STATE_MAX	(8 << 20)
#define UNIT_MAX	(512ull << 20)	/* the variant's MLX5VF_UNIT_MAX */
#define OP_SUSPEND	"0x115"
#define OP_QUERY	"0x117"
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
	char dir[512];
	int ret = 0, i;

	if (!pf)
		SKIP(return, "no igb PF bound to vfio-pci");
	/* VT_MLX5_DIR: another build of both modules */
	if (getenv("VT_MLX5_DIR"))
		snprintf(dir, sizeof(dir), "%s", getenv("VT_MLX5_DIR"));
	else
		snprintf(dir, sizeof(dir), "%s/" MODDIR, vt_repo_dir());
	/* The rig's 7.3 build makes it; the stock kernel's boot has none. */
	if (vt_shell("modinfo -F vermagic %s/mlx5-fw-double.ko | grep -q \"^$(uname -r) \"",
		     dir))
		SKIP(return, "no mlx5 test build for this kernel (VFIO_PCI_CORE_MLX5_TEST=m)");
	vt_shell("mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug");
	ASSERT_EQ(0, vt_shell("insmod %s/mlx5-fw-double.ko", dir));
	self->loaded = true;
	ret = vt_shell("insmod %s/vfio-pci-mlx5-test.ko", dir);
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

/* As fw_cmds(), and the tracker's general-object commands in c[CMD_NR]. */
static int fw_cmds_all(const char *bdf, long c[CMD_NR + 1])
{
	char buf[160];
	long n = fw_get(bdf, "cmds", buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sscanf(buf, "suspend %ld resume %ld query %ld save %ld load %ld track %ld",
		      &c[0], &c[1], &c[2], &c[3], &c[4], &c[5]) == CMD_NR + 1 ? 0 : -1;
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
 * Did B load exactly the units A saved, in order (the double's logs of
 * both, one line per unit: sequence, length, CRC)?  Their number to
 * *@units.
 */
static bool same_units(const char *a, const char *b, int *units)
{
	static char sa[64 << 10], sb[64 << 10];
	long la = fw_get(a, "saved", sa, sizeof(sa) - 1);
	long lb = fw_get(b, "loaded", sb, sizeof(sb) - 1);
	long i;

	*units = 0;
	for (i = 0; i < la; i++)
		*units += sa[i] == '\n';
	return la > 0 && la == lb && !memcmp(sa, sb, la);
}

/* The payload's 64-bit value of the record at @off of @buf. */
static uint64_t rec_u64(const uint8_t *buf, long off)
{
	uint64_t v;

	memcpy(&v, buf + off + VT_MIG_REC_HDR, sizeof(v));
	return v;
}

static uint32_t rec_tag(const uint8_t *buf, long off)
{
	struct vt_mig_rec rec;

	memcpy(&rec, buf + off, sizeof(rec));
	return rec.tag;
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

/*
 * A's PRE_COPY session into B's RESUMING one: A to STOP_COPY, the rest of
 * its data into B, B to STOP; both data fds closed.  0 or the first
 * failing step's errno.
 */
static int precopy_finish(int a, int b, int sfd, int rfd, uint64_t *bytes)
{
	int ret = vt_mig_set_state(a, VT_ST(STOP_COPY), NULL);

	if (!ret)
		ret = vt_mig_pump(sfd, rfd, 64 << 10, bytes, NULL, NULL);
	if (!ret)
		ret = vt_mig_set_state(b, VT_ST(STOP), NULL);
	close(sfd);
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
	EXPECT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
		  VFIO_MIGRATION_PRE_COPY, mig.flags);
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

	/*
	 * B keeps its own state when its LOAD fails (as the unit arrives):
	 * the stream is refused, and leaving RESUMING fails.
	 */
	s0 = fw_state(self->vf[1], &before);
	ASSERT_EQ(0, fw_set(self->vf[1], "fail", OP_LOAD " 5"));
	EXPECT_EQ(-EIO, migrate(a.fd, b.fd, NULL));
	EXPECT_EQ(VT_ST(RESUMING), vt_mig_get_state(b.fd));
	EXPECT_GT(0, vt_mig_set_state(b.fd, VT_ST(STOP), NULL));
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

/* A's STOP_COPY stream, kept to feed B forged copies of it. */
struct forgery {
	uint8_t good[1 << 20];
	uint8_t bad[1 << 20];
	size_t len;
	long off;		/* record 1: the variant's first size record */
};

/*
 * The size-record tests' opening: on the first call A's STOP_COPY stream
 * is drained into @f (A is left in STOP_COPY).  Each call then forges
 * record 1, the size record, to @value, or with @value 0 to the true size
 * plus @delta, reseals it (checksums fixed: only the variant can object),
 * puts B in RESUMING, feeds it the stream and closes B's data fd.  Returns
 * the feed's result; B's LOAD count from before the feed goes to *@loads.
 */
static int feed_forged(struct __test_metadata *_metadata,
		       FIXTURE_DATA(mlx5) *self, int a, int b,
		       struct forgery *f, int64_t delta, uint64_t value,
		       long *loads)
{
	long c[CMD_NR];
	int fd, ret;

	if (!f->len) {
		ASSERT_EQ(0, vt_mig_set_state(a, VT_ST(STOP_COPY), &fd));
		ASSERT_EQ(0, vt_mig_drain(fd, f->good, sizeof(f->good),
					  &f->len));
		close(fd);
		/* Record 0 is the core's header, 1 the variant's size record. */
		f->off = vt_mig_record(f->good, f->len, 1, NULL);
		ASSERT_LT(0, f->off);
		ASSERT_EQ(TAG_SIZE, rec_tag(f->good, f->off));
	}
	if (!value)
		value = rec_u64(f->good, f->off) + delta;
	memcpy(f->bad, f->good, f->len);
	memcpy(f->bad + f->off + VT_MIG_REC_HDR, &value, sizeof(value));
	vt_mig_reseal(f->bad, f->len, 1);
	ASSERT_EQ(0, fw_cmds(self->vf[1], c));
	*loads = c[CMD_LOAD];
	ASSERT_EQ(0, vt_mig_set_state(b, VT_ST(RESUMING), &fd));
	ret = vt_mig_feed(fd, f->bad, f->len, 64 << 10);
	close(fd);
	return ret;
}

/*
 * A stream whose size record disagrees with its image (forged, checksums
 * fixed) is refused by the variant and never reaches the firmware: B keeps
 * its state, runs no LOAD, and a reset makes it usable again.
 */
TEST_F_TIMEOUT(mlx5, size_record_mismatch, 300)
{
	static const int64_t deltas[] = { -4096, 4096 };
	static struct forgery f;
	long loads, c[CMD_NR];
	struct vt_device a, b;
	unsigned int i;
	int fd;

	vt_device_open(&a, self->vf[0]);
	vt_device_open(&b, self->vf[1]);
	for (i = 0; i < 2; i++) {
		feed_forged(_metadata, self, a.fd, b.fd, &f, deltas[i], 0,
			    &loads);
		ASSERT_EQ((64 << 10) + IMAGE_HDR, rec_u64(f.good, f.off));
		EXPECT_GT(0, vt_mig_set_state(b.fd, VT_ST(STOP), NULL));
		EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(b.fd));
		ASSERT_EQ(0, fw_cmds(self->vf[1], c));
		EXPECT_EQ(loads, c[CMD_LOAD]);
		EXPECT_FALSE(same_state(self->vf[0], self->vf[1]));
		ASSERT_EQ(0, __vt_reset(b.fd));
	}
	/* The unforged stream loads. */
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &fd));
	ASSERT_EQ(0, vt_mig_feed(fd, f.good, f.len, 64 << 10));
	close(fd);
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(STOP), NULL));
	EXPECT_TRUE(same_state(self->vf[0], self->vf[1]));
	vt_device_close(&a);
	vt_device_close(&b);
}

/*
 * A size record above the variant's limit on one unit (MLX5VF_UNIT_MAX,
 * 512 MiB) is refused as it arrives, before the destination allocates
 * anything: write() fails with -EINVAL, the device stays RESUMING with no
 * LOAD run, leaving RESUMING fails; after a reset the true stream loads.
 */
TEST_F_TIMEOUT(mlx5, size_record_over_limit, 300)
{
	static const uint64_t forged[] = { UNIT_MAX + 1, 0xffffffffull };
	static struct forgery f;
	long loads, c[CMD_NR];
	struct vt_device a, b;
	unsigned int i;
	int fd;

	vt_device_open(&a, self->vf[0]);
	vt_device_open(&b, self->vf[1]);
	for (i = 0; i < 2; i++) {
		/* Refused with the record: asserted, so no broken build allocates more. */
		ASSERT_EQ(-EINVAL, feed_forged(_metadata, self, a.fd, b.fd, &f,
					       0, forged[i], &loads));
		EXPECT_EQ(VT_ST(RESUMING), vt_mig_get_state(b.fd));
		EXPECT_GT(0, vt_mig_set_state(b.fd, VT_ST(STOP), NULL));
		ASSERT_EQ(0, fw_cmds(self->vf[1], c));
		EXPECT_EQ(loads, c[CMD_LOAD]);
		ASSERT_EQ(0, __vt_reset(b.fd));
	}
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &fd));
	ASSERT_EQ(0, vt_mig_feed(fd, f.good, f.len, 64 << 10));
	close(fd);
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(STOP), NULL));
	EXPECT_TRUE(same_state(self->vf[0], self->vf[1]));
	vt_device_close(&a);
	vt_device_close(&b);
}

/*
 * PRE_COPY: the initial image, then what changed, pass by pass, while B
 * loads each unit as it comes.  PRECOPY_INFO announces each pass's bytes
 * exactly, known dirty sets give known deltas, the state grows and
 * shrinks in between, and B ends with A's bytes, having loaded exactly the
 * units A saved.
 */
TEST_F_TIMEOUT(mlx5, precopy_deltas, 600)
{
	static const struct {
		const char *file, *val;
		uint64_t bytes;		/* the pass's stream bytes, 0: any */
	} changes[] = {
		/* one block: size record, unit (header, length, index, block) */
		{ "poke", "12300 10", 2 * VT_MIG_REC_HDR + 8 + IMAGE_HDR + 4 + 4096 },
		/* three blocks */
		{ "poke", "409000 5000", 2 * VT_MIG_REC_HDR + 8 + IMAGE_HDR + 3 * 4100 },
		{ "state_size", "1100000", 0 },
		/* shrunk: only the new length */
		{ "state_size", "900001", 2 * VT_MIG_REC_HDR + 8 + IMAGE_HDR },
		{ "seed", "9", 0 },
	};
	const char *va = self->vf[0], *vb = self->vf[1];
	struct vfio_precopy_info info;
	struct vt_device a, b;
	uint64_t bytes, est;
	long c[CMD_NR];
	unsigned int i;
	int sfd, rfd, units;

	vt_device_open(&a, va);
	vt_device_open(&b, vb);
	ASSERT_EQ(0, fw_set(va, "state_size", "%d", (1 << 20) + 123));
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(PRE_COPY), &sfd));
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &rfd));
	ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
	EXPECT_LT((1 << 20) + 123 + IMAGE_HDR, info.initial_bytes);
	EXPECT_EQ(0, info.dirty_bytes);
	bytes = 0;
	EXPECT_EQ(-ENOMSG, vt_mig_pump(sfd, rfd, 64 << 10, &bytes, NULL, NULL));
	EXPECT_EQ(info.initial_bytes, bytes);

	/* Nothing changed: an empty pass. */
	ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
	EXPECT_EQ(0, info.initial_bytes);
	EXPECT_EQ(0, info.dirty_bytes);
	for (i = 0; i < ARRAY_SIZE(changes); i++) {
		ASSERT_EQ(0, fw_set(va, changes[i].file, "%s", changes[i].val));
		ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
		EXPECT_EQ(0, info.initial_bytes);
		if (changes[i].bytes)
			EXPECT_EQ(changes[i].bytes, info.dirty_bytes);
		bytes = 0;
		EXPECT_EQ(-ENOMSG, vt_mig_pump(sfd, rfd, 64 << 10, &bytes,
					       NULL, NULL));
		EXPECT_EQ(info.dirty_bytes, bytes);
		/* B loaded the pass as it came. */
		EXPECT_TRUE(same_state(va, vb));
	}
	/* The last change goes in STOP_COPY; its estimate, then the stream. */
	ASSERT_EQ(0, fw_set(va, "poke", "0 1"));
	ASSERT_EQ(0, vt_mig_data_size(a.fd, &est));
	bytes = 0;
	ASSERT_EQ(0, precopy_finish(a.fd, b.fd, sfd, rfd, &bytes));
	/* The estimate counts the stream's header, sent in PRE_COPY. */
	EXPECT_LE(bytes, est);
	EXPECT_LE(est, bytes + 2 * VT_MIG_REC_HDR);
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(STOP), NULL));
	EXPECT_TRUE(same_state(va, vb));
	EXPECT_TRUE(same_units(va, vb, &units));
	/* the full image, five deltas, the final one */
	EXPECT_EQ(7, units);
	ASSERT_EQ(0, fw_cmds(vb, c));
	EXPECT_EQ(7, c[CMD_LOAD]);
	vt_device_close(&a);
	vt_device_close(&b);
}

/*
 * Chunk mode, with a small chunk set through the double: every image goes
 * in units of at most one chunk, the stop-copy hint announces the chunk's
 * buffer first, and B loads them one by one, in order, to A's bytes; in
 * PRE_COPY with deltas and in a plain STOP_COPY.
 */
TEST_F_TIMEOUT(mlx5, chunk_mode, 600)
{
	static uint8_t buf[4 << 20];
	const char *va = self->vf[0], *vb = self->vf[1];
	struct vfio_precopy_info info;
	struct vt_device a, b;
	uint64_t est, bytes;
	size_t len = 0;
	int sfd, rfd, units;
	long off;

	vt_device_open(&a, va);
	vt_device_open(&b, vb);
	ASSERT_EQ(0, fw_set(va, "state_size", "%d", 1 << 20));
	ASSERT_EQ(0, fw_set(va, "chunk", "50000"));
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(PRE_COPY), &sfd));
	ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
	ASSERT_EQ(-ENOMSG, vt_mig_drain(sfd, buf, sizeof(buf), &len));
	/* The estimate is short by at most two record headers per unit. */
	EXPECT_LE(info.initial_bytes, len);
	EXPECT_LE(len, info.initial_bytes + 2 * 22 * VT_MIG_REC_HDR);
	/* Record 1 is the hint: the buffer of one chunk. */
	off = vt_mig_record(buf, len, 1, NULL);
	ASSERT_LT(0, off);
	EXPECT_EQ(TAG_HINT, rec_tag(buf, off));
	EXPECT_EQ(50000, rec_u64(buf, off));
	off = vt_mig_record(buf, len, 2, NULL);
	EXPECT_EQ(TAG_SIZE, rec_tag(buf, off));
	EXPECT_EQ(50000, rec_u64(buf, off));
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &rfd));
	ASSERT_EQ(0, vt_mig_feed(rfd, buf, len, 64 << 10));

	/* A delta of 49 blocks: five chunks. */
	ASSERT_EQ(0, fw_set(va, "poke", "4096 200000"));
	ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
	EXPECT_LT(200000, info.dirty_bytes);
	EXPECT_EQ(-ENOMSG, vt_mig_pump(sfd, rfd, 64 << 10, NULL, NULL, NULL));
	ASSERT_EQ(0, fw_set(va, "poke", "600000 300000"));
	ASSERT_EQ(0, vt_mig_data_size(a.fd, &est));
	EXPECT_LT(300000, est);
	ASSERT_EQ(0, precopy_finish(a.fd, b.fd, sfd, rfd, NULL));
	EXPECT_TRUE(same_state(va, vb));
	EXPECT_TRUE(same_units(va, vb, &units));
	/* 21 + 5 + 7 chunks */
	EXPECT_EQ(33, units);

	/* STOP_COPY alone, chunked too. */
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(RUNNING), NULL));
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RUNNING), NULL));
	ASSERT_EQ(0, fw_set(va, "seed", "3"));
	ASSERT_EQ(0, vt_mig_data_size(a.fd, &est));
	bytes = 0;
	ASSERT_EQ(0, migrate(a.fd, b.fd, &bytes));
	/*
	 * The core frames the estimate in full records: short by at most
	 * the headers of a unit's two records, 21 units.
	 */
	EXPECT_LE(est, bytes + VT_MIG_REC_HDR);
	EXPECT_LE(bytes, est + 2 * 21 * VT_MIG_REC_HDR);
	EXPECT_TRUE(same_state(va, vb));
	EXPECT_TRUE(same_units(va, vb, &units));
	EXPECT_EQ(21, units);
	vt_device_close(&a);
	vt_device_close(&b);
}

/*
 * The device reconfigured during PRE_COPY: the double puts the VHCA back in
 * its initial migration state (QUERY says OPER_MIGRATION_INIT) with a new
 * state size, so only a full image can follow.  The next PRECOPY_INFO
 * counts that image (the stop-copy hint, its size record and its unit) as
 * initial_bytes, exactly, with dirty_bytes 0; with PRECOPY_INFOv2 its flags
 * say REINIT, once, without the opt-in they stay 0.  B loads the new image
 * as it comes and ends with A's bytes, having loaded exactly the units A
 * saved.  Last, a reconfiguration just before STOP_COPY: the final image is
 * a full one.
 */
TEST_F_TIMEOUT(mlx5, precopy_reinit, 600)
{
	const char *va = self->vf[0], *vb = self->vf[1];
	struct vfio_precopy_info info;
	struct vt_device a, b;
	uint64_t bytes, image;
	int sfd, rfd, units, v2;

	vt_device_open(&a, va);
	vt_device_open(&b, vb);
	for (v2 = 0; v2 < 2; v2++) {
		if (v2)
			ASSERT_EQ(0, vt_mig_feature(a.fd, VFIO_DEVICE_FEATURE_SET |
						    VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2,
						    NULL, 0));
		ASSERT_EQ(0, fw_set(va, "state_size", "%d", 200000));
		ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(PRE_COPY), &sfd));
		ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &rfd));
		ASSERT_EQ(-ENOMSG, vt_mig_pump(sfd, rfd, 64 << 10, NULL, NULL, NULL));
		/* An ordinary delta pass first. */
		ASSERT_EQ(0, fw_set(va, "poke", "100 10"));
		info.flags = 0;
		ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
		EXPECT_EQ(0, info.flags);
		EXPECT_EQ(0, info.initial_bytes);
		EXPECT_LT(0, info.dirty_bytes);
		ASSERT_EQ(-ENOMSG, vt_mig_pump(sfd, rfd, 64 << 10, NULL, NULL, NULL));

		ASSERT_EQ(0, fw_set(va, "poke", "5000 10"));
		ASSERT_EQ(0, fw_set(va, "reconfigure", "%d", 300000 + v2));
		info.flags = 0;
		ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
		EXPECT_EQ(v2 ? VFIO_PRECOPY_INFO_REINIT : 0, info.flags);
		/* hint, size record, the unit in two records (256 KiB each) */
		image = 4 * VT_MIG_REC_HDR + 8 + 8 + IMAGE_HDR + 300000 + v2;
		EXPECT_EQ(image, info.initial_bytes);
		EXPECT_EQ(0, info.dirty_bytes);
		bytes = 0;
		ASSERT_EQ(-ENOMSG, vt_mig_pump(sfd, rfd, 64 << 10, &bytes, NULL, NULL));
		EXPECT_EQ(image, bytes);
		/* B loaded the new image as it came. */
		EXPECT_TRUE(same_state(va, vb));
		/* Reported once: nothing changed since. */
		info.flags = 0;
		ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
		EXPECT_EQ(0, info.flags);
		EXPECT_EQ(0, info.initial_bytes + info.dirty_bytes);

		ASSERT_EQ(0, fw_set(va, "poke", "7 10"));
		ASSERT_EQ(0, precopy_finish(a.fd, b.fd, sfd, rfd, NULL));
		ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(STOP), NULL));
		EXPECT_TRUE(same_state(va, vb));
		/* since the last full image: it and the final delta */
		EXPECT_TRUE(same_units(va, vb, &units));
		EXPECT_EQ(2, units);
		ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(RUNNING), NULL));
		ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RUNNING), NULL));
	}

	/* Reconfigured after the last pass: STOP_COPY sends a full image. */
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(PRE_COPY), &sfd));
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &rfd));
	ASSERT_EQ(-ENOMSG, vt_mig_pump(sfd, rfd, 64 << 10, NULL, NULL, NULL));
	ASSERT_EQ(0, fw_set(va, "reconfigure", "%d", 150000));
	ASSERT_EQ(0, precopy_finish(a.fd, b.fd, sfd, rfd, NULL));
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(STOP), NULL));
	EXPECT_TRUE(same_state(va, vb));
	EXPECT_TRUE(same_units(va, vb, &units));
	EXPECT_EQ(1, units);
	vt_device_close(&a);
	vt_device_close(&b);
}

/* A: PRE_COPY, the initial pass read (into nothing); its data fd. */
static int precopy_begin(int devfd)
{
	static uint8_t buf[4 << 20];
	size_t len = 0;
	int fd;

	if (vt_mig_set_state(devfd, VT_ST(PRE_COPY), &fd))
		return -1;
	if (vt_mig_drain(fd, buf, sizeof(buf), &len) != -ENOMSG) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Failures in PRE_COPY: a failing QUERY or SAVE of a delta pass, the PF
 * disabling SR-IOV in the middle of a SAVE, a reset in the middle of the
 * session.  Each ends in ERROR (the data fd failing with the errno) or, for
 * the reset, RUNNING with the fd void and no firmware command; a reset then
 * makes the VF migrate again.
 */
TEST_F_TIMEOUT(mlx5, precopy_failures, 600)
{
	static const struct {
		const char *file, *val;
		int err;
	} fails[] = {
		{ "fail", OP_QUERY " 5", EIO },
		{ "fail", OP_SAVE " 12", ENOMEM },
		{ "pf_event", "disable " OP_SAVE, ENOTCONN },
	};
	const char *va = self->vf[0];
	long c0[CMD_NR], c1[CMD_NR];
	struct vfio_precopy_info info;
	struct vt_device a, b;
	uint8_t buf[64];
	unsigned int i;
	int sfd;

	vt_device_open(&a, va);
	vt_device_open(&b, self->vf[1]);
	ASSERT_EQ(0, fw_set(va, "state_size", "%d", 300000));
	for (i = 0; i < ARRAY_SIZE(fails); i++) {
		sfd = precopy_begin(a.fd);
		ASSERT_LE(0, sfd);
		ASSERT_EQ(0, fw_set(va, "poke", "100 100"));
		ASSERT_EQ(0, fw_set(va, fails[i].file, "%s", fails[i].val));
		EXPECT_EQ(-fails[i].err, vt_mig_precopy_info(sfd, &info));
		EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(a.fd));
		EXPECT_EQ(-1, read(sfd, buf, sizeof(buf)));
		EXPECT_EQ(fails[i].err, errno);
		close(sfd);
		if (fails[i].err == ENOTCONN)
			ASSERT_EQ(0, fw_set(va, "pf_event", "enable"));
		ASSERT_EQ(0, __vt_reset(a.fd));
		EXPECT_EQ(VT_ST(RUNNING), vt_mig_get_state(a.fd));
		EXPECT_STREQ("running", vhca_state(va));
	}

	/* A failing initial SAVE: entering PRE_COPY fails. */
	ASSERT_EQ(0, fw_set(va, "fail", OP_SAVE " 5"));
	EXPECT_EQ(-EIO, vt_mig_set_state(a.fd, VT_ST(PRE_COPY), NULL));
	EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(a.fd));
	ASSERT_EQ(0, __vt_reset(a.fd));

	/* The reset rule, in PRE_COPY. */
	sfd = precopy_begin(a.fd);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, fw_cmds(va, c0));
	ASSERT_EQ(0, __vt_reset(a.fd));
	ASSERT_EQ(0, fw_cmds(va, c1));
	EXPECT_EQ(0, memcmp(c0, c1, sizeof(c0)));
	EXPECT_EQ(VT_ST(RUNNING), vt_mig_get_state(a.fd));
	EXPECT_EQ(-1, read(sfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(sfd);

	/* Usable again, and the next session starts with a full image. */
	ASSERT_EQ(0, migrate(a.fd, b.fd, NULL));
	EXPECT_TRUE(same_state(va, self->vf[1]));
	vt_device_close(&a);
	vt_device_close(&b);
}

/*
 * A stream with a delta left out (the records after it resealed, so the
 * core's checks pass) reaches the double out of sequence: the LOAD fails,
 * B goes to ERROR with the state of the units before, and a reset makes it
 * usable again.
 */
TEST_F_TIMEOUT(mlx5, dropped_delta_refused, 600)
{
	static uint8_t buf[4 << 20];
	const char *va = self->vf[0], *vb = self->vf[1];
	unsigned int i, first = 0, last = 0, sizes = 0;
	struct vfio_precopy_info info;
	struct vt_device a, b;
	size_t len = 0, rl, cut = 0;
	long off, c0[CMD_NR], c1[CMD_NR];
	int sfd, rfd;

	vt_device_open(&a, va);
	vt_device_open(&b, vb);
	ASSERT_EQ(0, fw_set(va, "state_size", "%d", 100000));
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(PRE_COPY), &sfd));
	ASSERT_EQ(-ENOMSG, vt_mig_drain(sfd, buf, sizeof(buf), &len));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, fw_set(va, "poke", "%d 10", 8192 * (i + 1)));
		ASSERT_EQ(0, vt_mig_precopy_info(sfd, &info));
		ASSERT_EQ(-ENOMSG, vt_mig_drain(sfd, buf, sizeof(buf), &len));
	}
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(STOP_COPY), NULL));
	ASSERT_EQ(0, vt_mig_drain(sfd, buf, sizeof(buf), &len));
	close(sfd);
	/* The second unit (the first delta): its size record and image. */
	for (i = 0; (off = vt_mig_record(buf, len, i, &rl)) >= 0; i++) {
		if (rec_tag(buf, off) == TAG_SIZE && ++sizes == 2)
			first = i;
		if (first && i > first && rec_tag(buf, off) != TAG_IMAGE) {
			last = i;
			break;
		}
	}
	ASSERT_LT(0, first);
	ASSERT_LT(first, last);
	off = vt_mig_record(buf, len, first, NULL);
	cut = vt_mig_record(buf, len, last, NULL) - off;
	memmove(buf + off, buf + off + cut, len - off - cut);
	len -= cut;
	for (i = first; vt_mig_record(buf, len, i, NULL) >= 0; i++)
		vt_mig_reseal(buf, len, i);

	ASSERT_EQ(0, fw_cmds(vb, c0));
	ASSERT_EQ(0, vt_mig_set_state(b.fd, VT_ST(RESUMING), &rfd));
	EXPECT_EQ(-EINVAL, vt_mig_feed(rfd, buf, len, 64 << 10));
	close(rfd);
	EXPECT_GT(0, vt_mig_set_state(b.fd, VT_ST(STOP), NULL));
	EXPECT_EQ(VT_ST(ERROR), vt_mig_get_state(b.fd));
	ASSERT_EQ(0, fw_cmds(vb, c1));
	/* the full image loaded, the next delta refused */
	EXPECT_EQ(c0[CMD_LOAD] + 2, c1[CMD_LOAD]);
	EXPECT_FALSE(same_state(va, vb));
	ASSERT_EQ(0, __vt_reset(b.fd));
	ASSERT_EQ(0, vt_mig_set_state(a.fd, VT_ST(RUNNING), NULL));
	ASSERT_EQ(0, migrate(a.fd, b.fd, NULL));
	EXPECT_TRUE(same_state(va, vb));
	vt_device_close(&a);
	vt_device_close(&b);
}

/* The device writes [@iova, @iova + @len) by DMA (the double marks it). */
static int fw_dma(const char *bdf, uint64_t iova, uint64_t len)
{
	return fw_set(bdf, "dma_write", "0x%llx 0x%llx",
		      (unsigned long long)iova, (unsigned long long)len);
}

/* The double's tracker: "none", "tracking ..." or "error ..." */
static const char *fw_track(const char *bdf)
{
	static char buf[64];
	long n = fw_get(bdf, "track", buf, sizeof(buf) - 1);

	buf[n > 0 ? n - 1 : 0] = '\0';
	return buf;
}

#define R1		0x40000000ull	/* 256 pages */
#define R1_LEN		0x100000ull
#define R2		0x100000000ull	/* 65536 pages: an 8 KiB bitmap */
#define R2_LEN		0x10000000ull
#define PG		4096ull

static struct vfio_device_feature_dma_logging_range log_ranges[] = {
	{ .iova = R1, .length = R1_LEN },
	{ .iova = R2, .length = R2_LEN },
};

/* Are exactly the bits @bits (@n of them) set in the first @words? */
static bool only_bits(const uint64_t *bm, size_t words, const uint64_t *bits,
		      size_t n)
{
	uint64_t *want = calloc(words, sizeof(*want));
	bool same;
	size_t i;

	for (i = 0; i < n; i++)
		want[bits[i] / 64] |= 1ull << (bits[i] % 64);
	same = !memcmp(want, bm, words * sizeof(*bm));
	free(want);
	return same;
}

/*
 * The device's page tracker through DMA_LOGGING: the pages the double's
 * device writes come back in the reports, exactly, in bitmaps that span
 * several pages of user memory; a report clears what it returned, and
 * only in its range; a coarser report page folds the bits; a report
 * outside the ranges sets nothing.
 */
TEST_F_TIMEOUT(mlx5, dirty_tracking, 300)
{
	static const uint64_t bits1[] = { 0, 5, 6, 255 };
	static const uint64_t bits2[] = { 0, 63, 4095, 4096, 65535 };
	static uint64_t bm[R2_LEN / PG / 64 + 1];
	uint64_t one, bit64 = 64;
	struct vt_device a;
	size_t i;

	vt_device_open(&a, self->vf[0]);
	ASSERT_EQ(0, vt_log_start(a.fd, log_ranges, 2, PG));
	ASSERT_EQ(0, strncmp(fw_track(self->vf[0]), "tracking 0 2 4096", 17));
	ASSERT_EQ(0, fw_dma(self->vf[0], R1, 1));
	ASSERT_EQ(0, fw_dma(self->vf[0], R1 + 5 * PG + PG - 8, 16));
	ASSERT_EQ(0, fw_dma(self->vf[0], R1 + 255 * PG + 100, 1));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, fw_dma(self->vf[0], R2 + bits2[i] * PG, 8));
	ASSERT_EQ(0, fw_dma(self->vf[0], R2 + 64 * PG, PG));
	/* Outside every range: not the tracker's. */
	ASSERT_EQ(0, fw_dma(self->vf[0], 0x80000000ull, 1 << 20));
	ASSERT_EQ(0, strncmp(fw_track(self->vf[0]), "tracking 10 ", 12));

	/* A part of R2 first: page 64 alone, and only it is cleared. */
	one = 0;
	ASSERT_EQ(0, vt_log_report(a.fd, R2 + 64 * PG, 64 * PG, PG, &one));
	EXPECT_EQ(1, one);
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, vt_log_report(a.fd, R1, R1_LEN, PG, bm));
	EXPECT_TRUE(only_bits(bm, R1_LEN / PG / 64, bits1, 4));
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, vt_log_report(a.fd, R2, R2_LEN, PG, bm));
	EXPECT_TRUE(only_bits(bm, R2_LEN / PG / 64, bits2, 5));
	EXPECT_EQ(0, strncmp(fw_track(self->vf[0]), "tracking 0 ", 11));
	/* Read and clear: nothing since. */
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, vt_log_report(a.fd, R2, R2_LEN, PG, bm));
	EXPECT_TRUE(only_bits(bm, R2_LEN / PG / 64, NULL, 0));
	/* 64 KiB report pages: pages 0 and 17 are bits 0 and 1. */
	ASSERT_EQ(0, fw_dma(self->vf[0], R1, 1));
	ASSERT_EQ(0, fw_dma(self->vf[0], R1 + 17 * PG, 1));
	one = 0;
	ASSERT_EQ(0, vt_log_report(a.fd, R1, R1_LEN, 16 * PG, &one));
	EXPECT_EQ(3, one);
	/* Outside the ranges: no bit, no error. */
	one = 0;
	ASSERT_EQ(0, vt_log_report(a.fd, 0x80000000ull, 64 * PG, PG, &one));
	EXPECT_EQ(0, one);
	/* Bits are only ever set: the caller's stay. */
	ASSERT_EQ(0, fw_dma(self->vf[0], R1 + PG, 1));
	ASSERT_EQ(0, vt_log_report(a.fd, R1, 64 * PG, PG, &bit64));
	EXPECT_EQ(64 | 2, bit64);
	ASSERT_EQ(0, vt_log_stop(a.fd));
	EXPECT_STREQ("none", fw_track(self->vf[0]));
	ASSERT_EQ(0, vt_log_stop(a.fd));
	/* A new session starts from nothing. */
	ASSERT_EQ(0, vt_log_start(a.fd, log_ranges, 2, PG));
	one = 0;
	ASSERT_EQ(0, vt_log_report(a.fd, R1, 64 * PG, PG, &one));
	EXPECT_EQ(0, one);
	vt_device_close(&a);
	/* The last close ends tracking. */
	EXPECT_STREQ("none", fw_track(self->vf[0]));
}

/*
 * Bad DMA_LOGGING input: the errno, and no tracker object in the double
 * (no firmware command at all for what the core refuses).
 */
TEST_F_TIMEOUT(mlx5, dirty_tracking_bad_input, 300)
{
	struct vfio_device_feature_dma_logging_range many[9], one;
	long c0[CMD_NR + 1], c1[CMD_NR + 1];
	struct vt_device a;
	uint64_t bm = 0;
	int i;

	vt_device_open(&a, self->vf[0]);
	/* Not started */
	EXPECT_EQ(-EINVAL, vt_log_report(a.fd, R1, R1_LEN, PG, &bm));
	/* Unaligned range, page size 0, 3 pages, below 4 KiB */
	one = (typeof(one)){ .iova = R1 + 512, .length = PG };
	EXPECT_EQ(-EINVAL, vt_log_start(a.fd, &one, 1, PG));
	one = (typeof(one)){ .iova = R1, .length = PG + 512 };
	EXPECT_EQ(-EINVAL, vt_log_start(a.fd, &one, 1, PG));
	EXPECT_EQ(-EINVAL, vt_log_start(a.fd, log_ranges, 2, 0));
	EXPECT_EQ(-EINVAL, vt_log_start(a.fd, log_ranges, 2, 3 * PG));
	EXPECT_EQ(-EINVAL, vt_log_start(a.fd, log_ranges, 2, 2048));
	/* More ranges than the tracker holds (MLX5VF_TRACK_RANGES, 8) */
	for (i = 0; i < 9; i++)
		many[i] = (typeof(one)){ .iova = R1 + i * 2 * PG, .length = PG };
	EXPECT_EQ(-E2BIG, vt_log_start(a.fd, many, 9, PG));
	EXPECT_STREQ("none", fw_track(self->vf[0]));
	ASSERT_EQ(0, fw_cmds_all(self->vf[0], c0));
	/* 8 is fine */
	ASSERT_EQ(0, vt_log_start(a.fd, many, 8, PG));
	EXPECT_EQ(0, strncmp(fw_track(self->vf[0]), "tracking 0 8 ", 13));
	/* Started twice; a report page size that is no power of two */
	EXPECT_EQ(-EINVAL, vt_log_start(a.fd, log_ranges, 2, PG));
	EXPECT_EQ(-EINVAL, vt_log_report(a.fd, R1, 16 * PG, 3 * PG, &bm));
	EXPECT_EQ(-EINVAL, vt_log_report(a.fd, R1, 16 * PG, 0, &bm));
	ASSERT_EQ(0, fw_cmds_all(self->vf[0], c1));
	/* CREATE only: the refused calls reached no firmware. */
	EXPECT_EQ(c0[CMD_NR] + 1, c1[CMD_NR]);
	ASSERT_EQ(0, vt_log_stop(a.fd));
	EXPECT_STREQ("none", fw_track(self->vf[0]));
	vt_device_close(&a);
}

/*
 * Tracker failures end in a clean error: the tracker's error state fails
 * the report with -EIO and ends the session (no object left, the next
 * report -EINVAL, a new start works); a failed CREATE fails the start with
 * its errno and leaves nothing; a failed QUERY fails the report with its
 * errno; after the PF's DISABLE_VF the report is -ENOTCONN.
 */
TEST_F_TIMEOUT(mlx5, dirty_tracker_failure, 300)
{
	struct vt_device a;
	uint64_t bm = 0;

	vt_device_open(&a, self->vf[0]);
	ASSERT_EQ(0, vt_log_start(a.fd, log_ranges, 2, PG));
	ASSERT_EQ(0, fw_dma(self->vf[0], R1, PG));
	ASSERT_EQ(0, fw_set(self->vf[0], "track_error", "1"));
	EXPECT_EQ(-EIO, vt_log_report(a.fd, R1, R1_LEN, PG, &bm));
	EXPECT_EQ(0, bm);
	EXPECT_STREQ("none", fw_track(self->vf[0]));
	EXPECT_EQ(-EINVAL, vt_log_report(a.fd, R1, R1_LEN, PG, &bm));
	ASSERT_EQ(0, vt_log_stop(a.fd));

	ASSERT_EQ(0, fw_set(self->vf[0], "fail", "0xa00 12"));
	EXPECT_EQ(-ENOMEM, vt_log_start(a.fd, log_ranges, 2, PG));
	EXPECT_STREQ("none", fw_track(self->vf[0]));
	EXPECT_EQ(-EINVAL, vt_log_report(a.fd, R1, R1_LEN, PG, &bm));

	ASSERT_EQ(0, vt_log_start(a.fd, log_ranges, 2, PG));
	ASSERT_EQ(0, fw_set(self->vf[0], "fail", "0xa02 5"));
	EXPECT_EQ(-EIO, vt_log_report(a.fd, R1, R1_LEN, PG, &bm));
	EXPECT_STREQ("none", fw_track(self->vf[0]));

	ASSERT_EQ(0, vt_log_start(a.fd, log_ranges, 2, PG));
	ASSERT_EQ(0, fw_set(self->vf[0], "pf_event", "disable"));
	EXPECT_EQ(-ENOTCONN, vt_log_report(a.fd, R1, R1_LEN, PG, &bm));
	EXPECT_EQ(-EINVAL, vt_log_report(a.fd, R1, R1_LEN, PG, &bm));
	EXPECT_STREQ("none", fw_track(self->vf[0]));
	/* Once the VF is back, tracking starts again. */
	ASSERT_EQ(0, fw_set(self->vf[0], "pf_event", "enable"));
	ASSERT_EQ(0, vt_log_start(a.fd, log_ranges, 2, PG));
	ASSERT_EQ(0, vt_log_stop(a.fd));
	vt_device_close(&a);
}

TEST_HARNESS_MAIN
