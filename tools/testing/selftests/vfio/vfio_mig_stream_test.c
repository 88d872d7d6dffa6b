// SPDX-License-Identifier: GPL-2.0
/*
 * The streaming migration core, driven through vfio-pci-mig-test on the two
 * 1 GiB ivshmem-plain of the rig: the state is BAR2, which the tests write
 * through mmap.  Most tests move a window of a few MiB (the variant's test
 * hook); the benchmark moves 64 MiB and the whole 1 GiB.
 *
 * The fixture rebinds both devices from vfio-pci to the variant with
 * driver_override and gives them back afterwards.
 */
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/vfio_test.h"
#include "lib/vfio_mig.h"

#define VARIANT		"vfio-pci-mig-test"
#define BIG		(1ULL << 30)
#define HOOK_WINDOW	0x40
#define HOOK_FAULT	0x44
#define HOOK_CHUNK	0x48
#define FAULT_ABORT	1
#define FAULT_ESTIMATE	2
#define FAULT_PRODUCE	3
#define FAULT_REINIT	4
#define MIB		(1ULL << 20)
/* The most a data file may hold: one record and its framing, plus slack. */
#define MEM_BOUND	(2 * MIB)

struct shm {
	struct vt_device dev;
	struct vfio_region_info bar0;
	struct vfio_region_info bar2;
	uint8_t *mem;
};

FIXTURE(stream) {
	char bdf[2][VT_BDF_LEN];
	int nr;
	struct shm a;
	struct shm b;
	uint32_t chunk;
};

/* The two ivshmem-plain with a 1 GiB BAR2 bound to vfio-pci. */
static int find_big(char bdfs[][VT_BDF_LEN])
{
	char all[VT_MAX_BDFS][VT_BDF_LEN];
	int n = vt_find_bound(0x1af4, 0x1110, all, VT_MAX_BDFS), i, found = 0;

	for (i = 0; i < n && found < 2; i++)
		if (vt_bar_size(all[i], 2) == (long long)BIG)
			memcpy(bdfs[found++], all[i], VT_BDF_LEN);
	return found;
}

static int hook(struct shm *s, uint64_t off, uint32_t val)
{
	ssize_t n = __vt_region_write(s->dev.fd, &s->bar0, off, &val, 4);

	return n == 4 ? 0 : (int)n;
}

/* Memory decoding on, through the config region; 0 or -errno. */
static int enable_memory(int fd)
{
	struct vfio_region_info cfg;
	uint16_t cmd;
	int ret;

	ret = __vt_region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (ret)
		return ret;
	if (__vt_region_read(fd, &cfg, PCI_COMMAND, &cmd, 2) != 2)
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY;
	return __vt_region_write(fd, &cfg, PCI_COMMAND, &cmd, 2) == 2 ? 0 : -EIO;
}

static void ivs_open(struct __test_metadata *_metadata, struct shm *s,
		     const char *bdf)
{
	void *p;

	vt_device_open(&s->dev, bdf);
	ASSERT_EQ(0, __vt_region_info(s->dev.fd, VFIO_PCI_BAR0_REGION_INDEX,
				      &s->bar0));
	ASSERT_EQ(0, __vt_region_info(s->dev.fd, VFIO_PCI_BAR2_REGION_INDEX,
				      &s->bar2));
	ASSERT_EQ(BIG, s->bar2.size);
	ASSERT_EQ(0, enable_memory(s->dev.fd));
	ASSERT_EQ(0, __vt_region_mmap(s->dev.fd, &s->bar2, 0, BIG,
				      PROT_READ | PROT_WRITE, MAP_SHARED, &p));
	s->mem = p;
}

static void ivs_close(struct shm *s)
{
	if (s->mem)
		munmap(s->mem, BIG);
	s->mem = NULL;
	vt_device_close(&s->dev);
}

FIXTURE_SETUP(stream)
{
	int i;

	self->a.dev.fd = self->b.dev.fd = -1;
	self->a.dev.iommufd = self->b.dev.iommufd = -1;
	if (access("/sys/bus/pci/drivers/" VARIANT, F_OK))
		SKIP(return, VARIANT " is not loaded");
	self->nr = find_big(self->bdf);
	if (self->nr < 2)
		SKIP(return, "needs two 1 GiB ivshmem-plain bound to vfio-pci");
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, vt_rebind(self->bdf[i], VARIANT));
	ivs_open(_metadata, &self->a, self->bdf[0]);
	ivs_open(_metadata, &self->b, self->bdf[1]);
	ASSERT_EQ(4, __vt_region_read(self->a.dev.fd, &self->a.bar0, HOOK_CHUNK,
				      &self->chunk, 4));
	ASSERT_EQ(256 * 1024, self->chunk);
}

FIXTURE_TEARDOWN(stream)
{
	int i;

	ivs_close(&self->a);
	ivs_close(&self->b);
	for (i = 0; i < self->nr && i < 2; i++)
		vt_rebind(self->bdf[i], "vfio-pci");
}

/* A pattern that tells every 8-byte word of the window from the others. */
static void fill(struct shm *s, uint64_t len, uint64_t seed)
{
	uint64_t *w = (uint64_t *)s->mem, i;

	for (i = 0; i < len / 8; i++)
		w[i] = (seed << 40) ^ (i * 0x9e3779b97f4a7c15ULL);
}

/* Both devices moved to the window; B's window cleared. */
static int set_windows(FIXTURE_DATA(stream) *self, uint32_t mib)
{
	memset(self->b.mem, 0, mib ? mib * MIB : BIG);
	return hook(&self->a, HOOK_WINDOW, mib) ?: hook(&self->b, HOOK_WINDOW, mib);
}

/* A stopped device's whole state from A into B, both left RUNNING. */
static int migrate(FIXTURE_DATA(stream) *self, size_t chunk, uint64_t *bytes,
		   double *read_us, double *write_us)
{
	int afd, bfd, ret;

	ret = vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), &afd);
	if (ret)
		return ret;
	ret = vt_mig_set_state(self->b.dev.fd, VT_ST(RESUMING), &bfd);
	if (!ret) {
		ret = vt_mig_pump(afd, bfd, chunk, bytes, read_us, write_us);
		close(bfd);
	}
	close(afd);
	ret = ret ?: vt_mig_set_state(self->b.dev.fd, VT_ST(RUNNING), NULL);
	return ret ?: vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL);
}

TEST_F_TIMEOUT(stream, features_and_failing_estimates, 120)
{
	struct vfio_device_feature_migration mig = {};
	struct vfio_precopy_info info;
	uint64_t size;
	int fd;

	ASSERT_EQ(0, vt_mig_feature(self->a.dev.fd, VFIO_DEVICE_FEATURE_GET |
				    VFIO_DEVICE_FEATURE_MIGRATION, &mig,
				    sizeof(mig)));
	ASSERT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
		  VFIO_MIGRATION_PRE_COPY, mig.flags);
	/* No size cap: the whole 1 GiB, then the window the hook sets. */
	ASSERT_EQ(0, vt_mig_data_size(self->a.dev.fd, &size));
	ASSERT_GE(size, BIG);
	ASSERT_EQ(0, hook(&self->a, HOOK_WINDOW, 4));
	ASSERT_EQ(0, vt_mig_data_size(self->a.dev.fd, &size));
	ASSERT_GE(size, 4 * MIB);
	ASSERT_LT(size, 5 * MIB);

	/* A failing estimate fails the ioctl that asked, nothing else. */
	ASSERT_EQ(0, hook(&self->a, HOOK_FAULT, FAULT_ESTIMATE));
	ASSERT_EQ(-EIO, vt_mig_data_size(self->a.dev.fd, &size));
	ASSERT_EQ(VT_ST(RUNNING), vt_mig_get_state(self->a.dev.fd));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(PRE_COPY), &fd));
	ASSERT_EQ(-EIO, vt_mig_precopy_info(fd, &info));
	ASSERT_EQ(VT_ST(PRE_COPY), vt_mig_get_state(self->a.dev.fd));
	ASSERT_EQ(0, hook(&self->a, HOOK_FAULT, 0));
	ASSERT_EQ(0, vt_mig_precopy_info(fd, &info));
	ASSERT_GE(info.initial_bytes, 4 * MIB - self->chunk);
	ASSERT_EQ(0, info.dirty_bytes);
	close(fd);
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL));
}

struct writer {
	uint8_t *mem;
	uint64_t len;
	volatile int stop;
	long writes;
};

/* The guest keeps running during PRE_COPY: scattered writes. */
static void *write_loop(void *arg)
{
	struct writer *w = arg;
	uint64_t x = 88172645463325252ULL;

	while (!w->stop) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		((volatile uint64_t *)w->mem)[(x % w->len) / 8] = x;
		w->writes++;
		usleep(500);
	}
	return NULL;
}

/* Dirty @k chunks, one word each, from chunk @first on. */
static void touch(struct shm *s, uint32_t chunk, int first, int k)
{
	int i;

	for (i = 0; i < k; i++)
		((volatile uint64_t *)s->mem)[(uint64_t)(first + 3 * i) * chunk / 8] =
			0xd1d1d1d1ULL + i;
}

/*
 * The main scenario: A's BAR keeps changing while PRE_COPY streams it into
 * B; each pass sends less; STOP_COPY sends the rest; B's window equals A's.
 */
TEST_F_TIMEOUT(stream, precopy_rounds_to_b, 600)
{
	const uint32_t mib = 32, k[] = { 16, 8, 4, 2, 1, 0 };
	uint64_t window = mib * MIB, moved = 0, last_dirty = ~0ULL;
	struct writer w = { .mem = self->a.mem, .len = window };
	struct vfio_precopy_info info;
	double t0, t1;
	pthread_t th;
	int afd, bfd;
	unsigned int r;

	ASSERT_EQ(0, set_windows(self, mib));
	fill(&self->a, window, 1);
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(PRE_COPY), &afd));
	ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RESUMING), &bfd));
	ASSERT_EQ(0, vt_mig_precopy_info(afd, &info));
	ASSERT_GE(info.initial_bytes, window);
	ASSERT_EQ(0, info.dirty_bytes);

	/* The initial pass, with the writer running. */
	ASSERT_EQ(0, pthread_create(&th, NULL, write_loop, &w));
	ASSERT_EQ(-ENOMSG, vt_mig_pump(afd, bfd, 1 << 20, &moved, NULL, NULL));
	w.stop = 1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_GE(moved, window);
	TH_LOG("initial pass: %llu bytes, %ld writes meanwhile",
	       (unsigned long long)moved, w.writes);
	/* Whatever the writer changed goes in one settling pass. */
	ASSERT_EQ(0, vt_mig_precopy_info(afd, &info));
	ASSERT_EQ(0, info.initial_bytes);
	ASSERT_EQ(-ENOMSG, vt_mig_pump(afd, bfd, 1 << 20, NULL, NULL, NULL));

	/* Rounds that each change fewer chunks: the figures shrink. */
	for (r = 0; r < sizeof(k) / sizeof(k[0]); r++) {
		touch(&self->a, self->chunk, 1 + r, k[r]);
		ASSERT_EQ(0, vt_mig_precopy_info(afd, &info));
		ASSERT_EQ(0, info.initial_bytes);
		ASSERT_GE(info.dirty_bytes, (uint64_t)k[r] * self->chunk);
		ASSERT_LT(info.dirty_bytes, (uint64_t)(k[r] + 1) * self->chunk);
		ASSERT_LT(info.dirty_bytes, last_dirty);
		TH_LOG("round %u: %u chunks changed, dirty_bytes %llu", r, k[r],
		       (unsigned long long)info.dirty_bytes);
		last_dirty = info.dirty_bytes;
		moved = 0;
		ASSERT_EQ(-ENOMSG, vt_mig_pump(afd, bfd, 1 << 20, &moved, NULL,
					       NULL));
		ASSERT_GE(moved, info.dirty_bytes);
	}
	ASSERT_EQ(0, info.dirty_bytes);

	/* Changed after the last pass: only STOP_COPY carries these. */
	touch(&self->a, self->chunk, 7, 2);
	moved = 0;
	t0 = vt_now_us();
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), NULL));
	ASSERT_EQ(0, vt_mig_pump(afd, bfd, 1 << 20, &moved, NULL, NULL));
	ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RUNNING), NULL));
	t1 = vt_now_us();
	ASSERT_GE(moved, 2ULL * self->chunk);
	ASSERT_LT(moved, 3ULL * self->chunk);
	printf("# bench: ours: ivshmem %u MiB STOP_COPY downtime (2 chunks left, STOP_COPY entry to B RUNNING): %.0f us\n",
	       mib, t1 - t0);
	close(afd);
	close(bfd);
	ASSERT_EQ(0, memcmp(self->a.mem, self->b.mem, window));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL));
}

/* Odd sizes, pauses: the same bytes come out, and memory stays bounded. */
TEST_F_TIMEOUT(stream, slow_odd_sized_reader_and_writer, 300)
{
	static const size_t rd[] = { 1, 7, 4093, 65537, 3, 300001 };
	static const size_t wr[] = { 5, 4099, 131071, 1, 16, 77777 };
	static uint8_t buf[300001];
	uint64_t window = 4 * MIB, total = 0;
	int afd, bfd, i = 0;
	ssize_t n;

	ASSERT_EQ(0, set_windows(self, 4));
	fill(&self->a, window, 2);
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), &afd));
	ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RESUMING), &bfd));
	for (;;) {
		n = read(afd, buf, rd[i % 6]);
		ASSERT_GE(n, 0);
		if (!n)
			break;
		if (!(i % 16))
			usleep(2000);
		total += n;
		ASSERT_EQ(0, vt_mig_feed(bfd, buf, n, wr[i % 6]));
		i++;
	}
	ASSERT_EQ(0, read(afd, buf, 1));
	ASSERT_GE(total, window);
	ASSERT_EQ(total, vt_mig_fdinfo(afd, "vfio-mig-bytes"));
	ASSERT_EQ(total, vt_mig_fdinfo(bfd, "vfio-mig-bytes"));
	ASSERT_LT(vt_mig_fdinfo(afd, "vfio-mig-kernel-mem-peak"), MEM_BOUND);
	ASSERT_LT(vt_mig_fdinfo(bfd, "vfio-mig-kernel-mem-peak"), MEM_BOUND);
	ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RUNNING), NULL));
	close(afd);
	close(bfd);
	ASSERT_EQ(0, memcmp(self->a.mem, self->b.mem, window));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL));
}

static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

TEST_F_TIMEOUT(stream, poll_and_nonblock, 300)
{
	static uint8_t buf[2 << 20];	/* the 1 MiB window and its framing */
	struct vfio_precopy_info info;
	size_t len = 0;
	int afd, bfd;

	ASSERT_EQ(0, set_windows(self, 1));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(PRE_COPY), &afd));
	ASSERT_EQ(0, fcntl(afd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(POLLIN, poll_now(afd));
	ASSERT_EQ(-ENOMSG, vt_mig_drain(afd, buf, sizeof(buf), &len));
	/* The temporary end: nothing to read until a pass has more. */
	ASSERT_EQ(0, poll_now(afd));
	ASSERT_EQ(0, vt_mig_precopy_info(afd, &info));
	ASSERT_EQ(0, info.initial_bytes + info.dirty_bytes);
	ASSERT_EQ(0, poll_now(afd));
	touch(&self->a, self->chunk, 0, 1);
	ASSERT_EQ(0, vt_mig_precopy_info(afd, &info));
	ASSERT_GE(info.dirty_bytes, self->chunk);
	ASSERT_EQ(POLLIN, poll_now(afd));
	ASSERT_EQ(-ENOMSG, vt_mig_drain(afd, buf, sizeof(buf), &len));
	ASSERT_EQ(0, poll_now(afd));
	/* STOP_COPY: readable until and after its end, never -ENOMSG. */
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), NULL));
	ASSERT_EQ(POLLIN, poll_now(afd));
	ASSERT_EQ(0, vt_mig_drain(afd, buf, sizeof(buf), &len));
	ASSERT_EQ(POLLIN, poll_now(afd));
	ASSERT_EQ(0, read(afd, buf, 1));

	/* The writer's side: writable, with or without O_NONBLOCK. */
	ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RESUMING), &bfd));
	ASSERT_EQ(POLLOUT, poll_now(bfd));
	ASSERT_EQ(0, fcntl(bfd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, vt_mig_feed(bfd, buf, len, 3000));
	ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RUNNING), NULL));
	/* Sessions over: both files report it. */
	ASSERT_EQ(POLLERR | POLLHUP, poll_now(bfd));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL));
	ASSERT_EQ(POLLERR | POLLHUP, poll_now(afd));
	ASSERT_EQ(-1, read(afd, buf, 1));
	ASSERT_EQ(ENODEV, errno);
	close(afd);
	close(bfd);
	ASSERT_EQ(0, memcmp(self->a.mem, self->b.mem, MIB));
}

/*
 * The variant needing its state sent in full again (FAULT_REINIT: its next
 * pass is a first one, through vfio_pci_mig_reinit()).  The next
 * PRECOPY_INFO counts the whole window as initial data and dirty_bytes 0,
 * once; with PRECOPY_INFOv2 its flags say REINIT, and only that once,
 * without it they come back as the user passed them.  B still ends with
 * A's window.  First without the opt-in, then with it.
 */
TEST_F_TIMEOUT(stream, precopy_reinit, 300)
{
	const uint32_t in_flags = 0x40;	/* not a flag the kernel sets */
	struct vfio_precopy_info info;
	uint64_t bytes, framed;
	int afd, bfd, v2, ret;

	/* 16 chunks, each a record of its offset and bytes */
	framed = 16 * (VT_MIG_REC_HDR + 8 + (uint64_t)self->chunk);
	ASSERT_EQ(0, set_windows(self, 4));
	for (v2 = 0; v2 < 2; v2++) {
		if (v2) {
			ret = vt_mig_feature(self->a.dev.fd,
					     VFIO_DEVICE_FEATURE_SET |
					     VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2,
					     NULL, 0);
			if (ret == -ENOTTY)
				SKIP(return, "this kernel's vfio core has no PRECOPY_INFOv2");
			ASSERT_EQ(0, ret);
		}
		fill(&self->a, 4 * MIB, 11 + v2);
		ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(PRE_COPY), &afd));
		ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RESUMING), &bfd));
		ASSERT_EQ(-ENOMSG, vt_mig_pump(afd, bfd, MIB, NULL, NULL, NULL));
		/* Caught up, nothing changed: an empty pass, no REINIT. */
		info.flags = in_flags;
		ASSERT_EQ(0, vt_mig_precopy_info(afd, &info));
		EXPECT_EQ(v2 ? 0 : in_flags, info.flags);
		EXPECT_EQ(0, info.initial_bytes + info.dirty_bytes);
		ASSERT_EQ(-ENOMSG, vt_mig_pump(afd, bfd, MIB, NULL, NULL, NULL));

		/* One chunk changes, and the variant starts over. */
		touch(&self->a, self->chunk, 5, 1);
		ASSERT_EQ(0, hook(&self->a, HOOK_FAULT, FAULT_REINIT));
		info.flags = in_flags;
		ASSERT_EQ(0, vt_mig_precopy_info(afd, &info));
		EXPECT_EQ(v2 ? VFIO_PRECOPY_INFO_REINIT : in_flags, info.flags);
		EXPECT_EQ(0, info.dirty_bytes);
		/* The variant counts its chunks' bytes, not their offsets. */
		EXPECT_LE(framed - 16 * 8, info.initial_bytes);
		EXPECT_GE(framed, info.initial_bytes);
		bytes = 0;
		ASSERT_EQ(-ENOMSG, vt_mig_pump(afd, bfd, MIB, &bytes, NULL, NULL));
		EXPECT_EQ(framed, bytes);

		/* Reported once: the next pass is an ordinary one. */
		info.flags = in_flags;
		ASSERT_EQ(0, vt_mig_precopy_info(afd, &info));
		EXPECT_EQ(v2 ? 0 : in_flags, info.flags);
		EXPECT_EQ(0, info.initial_bytes + info.dirty_bytes);

		ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), NULL));
		ASSERT_EQ(0, vt_mig_pump(afd, bfd, MIB, NULL, NULL, NULL));
		ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RUNNING), NULL));
		ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL));
		close(afd);
		close(bfd);
		EXPECT_EQ(0, memcmp(self->a.mem, self->b.mem, 4 * MIB));
		memset(self->b.mem, 0, 4 * MIB);
	}
}

struct big_read {
	int fd;
	ssize_t n;
};

static void *read_all(void *arg)
{
	static uint8_t buf[32 << 20];
	struct big_read *r = arg;

	r->n = read(r->fd, buf, sizeof(buf));
	return NULL;
}

/*
 * O_NONBLOCK never waits for the locks a long read() holds: -EAGAIN while
 * another thread reads 32 MiB in one call.
 */
TEST_F_TIMEOUT(stream, nonblocking_read_does_not_wait, 300)
{
	struct big_read r;
	uint8_t byte;
	int tries, eagain = 0;
	pthread_t th;
	ssize_t n;

	ASSERT_EQ(0, set_windows(self, 32));
	for (tries = 0; tries < 3 && !eagain; tries++) {
		ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY),
					      &r.fd));
		ASSERT_EQ(0, pthread_create(&th, NULL, read_all, &r));
		usleep(20000);
		ASSERT_EQ(0, fcntl(r.fd, F_SETFL, O_NONBLOCK));
		n = read(r.fd, &byte, 1);
		eagain = n < 0 && errno == EAGAIN;
		ASSERT_EQ(0, pthread_join(th, NULL));
		close(r.fd);
		ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING),
					      NULL));
	}
	ASSERT_TRUE(eagain);
}

TEST_F_TIMEOUT(stream, early_close, 300)
{
	uint8_t buf[100] = {};
	int fd;

	ASSERT_EQ(0, set_windows(self, 2));
	fill(&self->a, 2 * MIB, 3);
	/* A saving file closed mid-stream: the state machine goes on. */
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(PRE_COPY), &fd));
	ASSERT_EQ(100, read(fd, buf, 100));
	close(fd);
	ASSERT_EQ(VT_ST(PRE_COPY), vt_mig_get_state(self->a.dev.fd));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), NULL));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP), NULL));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), &fd));
	ASSERT_EQ(100, read(fd, buf, 100));
	close(fd);
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL));

	/* A resuming file closed mid-record: leaving RESUMING fails. */
	ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RESUMING), &fd));
	ASSERT_EQ(0, vt_mig_feed(fd, buf, 20, 20));
	close(fd);
	ASSERT_EQ(-EINVAL, vt_mig_set_state(self->b.dev.fd, VT_ST(RUNNING),
					     NULL));
	ASSERT_EQ(VT_ST(ERROR), vt_mig_get_state(self->b.dev.fd));
	ASSERT_EQ(0, __vt_reset(self->b.dev.fd));

	/* And a whole migration still works on both. */
	ASSERT_EQ(0, migrate(self, 65536, NULL, NULL, NULL));
	ASSERT_EQ(0, memcmp(self->a.mem, self->b.mem, 2 * MIB));
}

/* PRE_COPY back to RUNNING: the variant is told and starts afresh. */
TEST_F_TIMEOUT(stream, precopy_to_running_ends_the_session, 300)
{
	uint8_t buf[4096];
	int fd;

	ASSERT_EQ(0, set_windows(self, 2));
	fill(&self->a, 2 * MIB, 4);
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(PRE_COPY), &fd));
	ASSERT_EQ(sizeof(buf), read(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL));
	ASSERT_EQ(-1, read(fd, buf, 1));
	ASSERT_EQ(ENODEV, errno);
	close(fd);
	/* A new session carries everything again, config record first. */
	ASSERT_EQ(0, migrate(self, 1 << 20, NULL, NULL, NULL));
	ASSERT_EQ(0, memcmp(self->a.mem, self->b.mem, 2 * MIB));
}

TEST_F_TIMEOUT(stream, abort_from_the_variant, 300)
{
	struct vfio_precopy_info info;
	uint8_t buf[4096];
	int fd;

	ASSERT_EQ(0, set_windows(self, 2));
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(PRE_COPY), &fd));
	ASSERT_EQ(sizeof(buf), read(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, hook(&self->a, HOOK_FAULT, FAULT_ABORT));
	ASSERT_EQ(VT_ST(ERROR), vt_mig_get_state(self->a.dev.fd));
	ASSERT_EQ(-1, read(fd, buf, 1));
	ASSERT_EQ(ENOLINK, errno);
	ASSERT_EQ(POLLERR | POLLHUP, poll_now(fd));
	ASSERT_EQ(-EINVAL, vt_mig_precopy_info(fd, &info));
	close(fd);
	ASSERT_EQ(-EINVAL, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING),
					     NULL));
	ASSERT_EQ(0, __vt_reset(self->a.dev.fd));
	ASSERT_EQ(VT_ST(RUNNING), vt_mig_get_state(self->a.dev.fd));

	/* While resuming: the writer gets the errno. */
	ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RESUMING), &fd));
	ASSERT_EQ(0, hook(&self->b, HOOK_FAULT, FAULT_ABORT));
	ASSERT_EQ(-1, write(fd, buf, 16));
	ASSERT_EQ(ENOLINK, errno);
	close(fd);
	ASSERT_EQ(VT_ST(ERROR), vt_mig_get_state(self->b.dev.fd));
	ASSERT_EQ(0, __vt_reset(self->b.dev.fd));

	fill(&self->a, 2 * MIB, 5);
	ASSERT_EQ(0, migrate(self, 1 << 20, NULL, NULL, NULL));
	ASSERT_EQ(0, memcmp(self->a.mem, self->b.mem, 2 * MIB));
}

/* The variant fails while producing: the reader gets its errno; ERROR. */
TEST_F_TIMEOUT(stream, producer_failure, 300)
{
	static uint8_t buf[4 << 20];
	size_t len = 0;
	int fd;

	ASSERT_EQ(0, set_windows(self, 2));
	/* At the arc: the first part is produced there. */
	ASSERT_EQ(0, hook(&self->a, HOOK_FAULT, FAULT_PRODUCE));
	ASSERT_EQ(-EIO, vt_mig_set_state(self->a.dev.fd, VT_ST(PRE_COPY), &fd));
	ASSERT_EQ(VT_ST(ERROR), vt_mig_get_state(self->a.dev.fd));
	ASSERT_EQ(0, __vt_reset(self->a.dev.fd));
	/* Later, in read(). */
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), &fd));
	ASSERT_EQ(0, hook(&self->a, HOOK_FAULT, FAULT_PRODUCE));
	ASSERT_EQ(-EIO, vt_mig_drain(fd, buf, sizeof(buf), &len));
	ASSERT_GT(len, 0);
	ASSERT_EQ(VT_ST(ERROR), vt_mig_get_state(self->a.dev.fd));
	ASSERT_EQ(-1, read(fd, buf, 1));
	ASSERT_EQ(EIO, errno);
	close(fd);
	ASSERT_EQ(0, __vt_reset(self->a.dev.fd));
	ASSERT_EQ(0, migrate(self, 1 << 20, NULL, NULL, NULL));
}

/* Write @buf into B's RESUMING; 0 if refused as expected and B recovers. */
static int refuse(struct shm *b, const uint8_t *buf, size_t len,
		  int write_err, int leave_err)
{
	int fd, ret;

	if (vt_mig_set_state(b->dev.fd, VT_ST(RESUMING), &fd))
		return -100;
	ret = vt_mig_feed(fd, buf, len, 4096);
	close(fd);
	if (ret != write_err)
		return -101;
	ret = vt_mig_set_state(b->dev.fd, VT_ST(STOP), NULL);
	if (ret != leave_err || vt_mig_get_state(b->dev.fd) != VT_ST(ERROR))
		return -102;
	if (__vt_reset(b->dev.fd) || vt_mig_get_state(b->dev.fd) != VT_ST(RUNNING))
		return -103;
	return 0;
}

TEST_F_TIMEOUT(stream, refused_streams, 600)
{
	static uint8_t good[2 << 20], bad[3 << 20];
	struct shm *b = &self->b;
	size_t len = 0, r2, r3, r6;
	long o2, o3, o6;
	uint64_t v;
	int fd;

	/* 1 MiB window: HEADER, config, 4 chunks, END. */
	ASSERT_EQ(0, set_windows(self, 1));
	fill(&self->a, MIB, 6);
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY), &fd));
	ASSERT_EQ(0, vt_mig_drain(fd, good, sizeof(good), &len));
	close(fd);
	ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING), NULL));
	o2 = vt_mig_record(good, len, 2, &r2);
	o3 = vt_mig_record(good, len, 3, &r3);
	o6 = vt_mig_record(good, len, 6, &r6);
	ASSERT_GT(o2, 0);
	ASSERT_EQ(o2 + r2, o3);
	ASSERT_EQ(r2, r3);
	ASSERT_EQ(len, o6 + r6);

	/* Truncated: cut in a record, END missing, nothing at all. */
	ASSERT_EQ(0, refuse(b, good, len - 3, 0, -EINVAL));
	ASSERT_EQ(0, refuse(b, good, o6, 0, -EINVAL));
	ASSERT_EQ(0, refuse(b, good, 0, 0, -EINVAL));
	ASSERT_EQ(0, refuse(b, good, o3 + 100, 0, -EINVAL));

	/* Corrupted: a payload byte, a magic. */
	memcpy(bad, good, len);
	bad[o3 + 5000] ^= 0x10;
	ASSERT_EQ(0, refuse(b, bad, len, -EINVAL, -EINVAL));
	memcpy(bad, good, len);
	bad[o2] ^= 1;
	ASSERT_EQ(0, refuse(b, bad, len, -EINVAL, -EINVAL));

	/* Reordered, dropped, repeated records: each checksum is positional. */
	memcpy(bad, good, len);
	memcpy(bad + o2, good + o3, r3);
	memcpy(bad + o3, good + o2, r2);
	ASSERT_EQ(0, refuse(b, bad, len, -EINVAL, -EINVAL));
	memcpy(bad, good, o3);
	memcpy(bad + o3, good + o3 + r3, len - o3 - r3);
	ASSERT_EQ(0, refuse(b, bad, len - r3, -EINVAL, -EINVAL));
	memcpy(bad, good, o3);
	memcpy(bad + o3, good + o2, len - o2);
	ASSERT_EQ(0, refuse(b, bad, len + r2, -EINVAL, -EINVAL));

	/* Foreign: another device ID, another variant version (sealed). */
	memcpy(bad, good, len);
	bad[VT_MIG_REC_HDR + 10] ^= 1;
	vt_mig_reseal(bad, len, 0);
	ASSERT_EQ(0, refuse(b, bad, len, -EINVAL, -EINVAL));
	memcpy(bad, good, len);
	bad[VT_MIG_REC_HDR + 4]++;
	vt_mig_reseal(bad, len, 0);
	ASSERT_EQ(0, refuse(b, bad, len, -EINVAL, -EINVAL));

	/* The variant refuses a chunk outside the window (sealed). */
	memcpy(bad, good, len);
	v = 64 * MIB;
	memcpy(bad + o3 + VT_MIG_REC_HDR, &v, 8);
	vt_mig_reseal(bad, len, 3);
	ASSERT_EQ(0, refuse(b, bad, len, -EINVAL, -EINVAL));

	/* Oversized: a record longer than the variant's largest. */
	memcpy(bad, good, o2 + VT_MIG_REC_HDR);
	v = self->chunk + 9;
	memcpy(bad + o2 + 8, &v, 4);
	ASSERT_EQ(0, refuse(b, bad, o2 + VT_MIG_REC_HDR, -ENOMEM, -EINVAL));

	/* A record before the header; data after END. */
	ASSERT_EQ(0, refuse(b, good + o2, r2, -EINVAL, -EINVAL));
	memcpy(bad, good, len);
	memcpy(bad + len, good + o6, r6);
	ASSERT_EQ(0, refuse(b, bad, len + r6, -EINVAL, -EINVAL));

	/* After all that the good stream loads, byte for byte. */
	ASSERT_EQ(0, vt_mig_set_state(b->dev.fd, VT_ST(RESUMING), &fd));
	ASSERT_EQ(0, vt_mig_feed(fd, good, len, 70000));
	ASSERT_EQ(0, vt_mig_set_state(b->dev.fd, VT_ST(RUNNING), NULL));
	close(fd);
	ASSERT_EQ(0, memcmp(self->a.mem, b->mem, MIB));
}

/* edu A -> B through edu-vfio-pci, while ivshmem A -> B runs. */
struct edu_job {
	char bdf[2][VT_BDF_LEN];
	int ret;
};

static int edu_liveness(struct vt_device *d, struct vfio_region_info *bar0,
			uint32_t *val, bool write)
{
	ssize_t n = write ? __vt_region_write(d->fd, bar0, 4, val, 4) :
			    __vt_region_read(d->fd, bar0, 4, val, 4);

	return n == 4 ? 0 : -EIO;
}

static void *edu_migrate(void *arg)
{
	static uint8_t stream[64 << 10];
	struct edu_job *j = arg;
	struct vfio_region_info bar[2];
	struct vt_device d[2];
	uint32_t v = 0x1234abcd, got = 0;
	size_t len = 0;
	int i, afd, bfd, ret = 0;

	for (i = 0; i < 2; i++) {
		vt_device_open(&d[i], j->bdf[i]);
		ret = ret ?: __vt_region_info(d[i].fd, 0, &bar[i]);
		ret = ret ?: enable_memory(d[i].fd);
	}
	ret = ret ?: edu_liveness(&d[0], &bar[0], &v, true);
	ret = ret ?: vt_mig_set_state(d[0].fd, VT_ST(STOP_COPY), &afd);
	if (!ret) {
		ret = vt_mig_drain(afd, stream, sizeof(stream), &len);
		close(afd);
	}
	ret = ret ?: vt_mig_set_state(d[1].fd, VT_ST(RESUMING), &bfd);
	if (!ret) {
		ret = vt_mig_feed(bfd, stream, len, 100);
		close(bfd);
	}
	ret = ret ?: vt_mig_set_state(d[1].fd, VT_ST(RUNNING), NULL);
	ret = ret ?: edu_liveness(&d[1], &bar[1], &got, false);
	if (!ret && got != ~v)
		ret = -EBADMSG;
	for (i = 0; i < 2; i++)
		vt_device_close(&d[i]);
	j->ret = ret;
	return NULL;
}

TEST_F_TIMEOUT(stream, two_migrations_at_once, 300)
{
	char edus[VT_MAX_BDFS][VT_BDF_LEN];
	struct edu_job job = {};
	pthread_t th;
	int i;

	if (access("/sys/bus/pci/drivers/edu-vfio-pci", F_OK) ||
	    vt_find_bound(0x1234, 0x11e8, edus, VT_MAX_BDFS) < 2)
		SKIP(return, "needs edu-vfio-pci and two edus");
	for (i = 0; i < 2; i++) {
		memcpy(job.bdf[i], edus[i], VT_BDF_LEN);
		ASSERT_EQ(0, vt_rebind(edus[i], "edu-vfio-pci"));
	}
	ASSERT_EQ(0, set_windows(self, 8));
	fill(&self->a, 8 * MIB, 7);
	ASSERT_EQ(0, pthread_create(&th, NULL, edu_migrate, &job));
	ASSERT_EQ(0, migrate(self, 100000, NULL, NULL, NULL));
	ASSERT_EQ(0, pthread_join(th, NULL));
	for (i = 0; i < 2; i++)
		vt_rebind(edus[i], "vfio-pci");
	ASSERT_EQ(0, job.ret);
	ASSERT_EQ(0, memcmp(self->a.mem, self->b.mem, 8 * MIB));
}

/*
 * Not a timed test: the figures of a stopped device's whole state, 64 MiB
 * and 1 GiB, moved in 1 MiB reads and writes.
 */
TEST_F_TIMEOUT(stream, benchmark_volume, 900)
{
	static const uint32_t mibs[] = { 64, 1024 };
	long long peak_save[2], peak_load[2];
	double rd_us, wr_us;
	uint64_t bytes;
	int afd, bfd, i;

	for (i = 0; i < 2; i++) {
		uint64_t window = mibs[i] * MIB;

		ASSERT_EQ(0, set_windows(self, mibs[i]));
		fill(&self->a, window, 8 + i);
		bytes = 0;
		rd_us = wr_us = 0;
		ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(STOP_COPY),
					      &afd));
		ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RESUMING),
					      &bfd));
		ASSERT_EQ(0, vt_mig_pump(afd, bfd, 1 << 20, &bytes, &rd_us,
					 &wr_us));
		peak_save[i] = vt_mig_fdinfo(afd, "vfio-mig-kernel-mem-peak");
		peak_load[i] = vt_mig_fdinfo(bfd, "vfio-mig-kernel-mem-peak");
		ASSERT_EQ(0, vt_mig_set_state(self->b.dev.fd, VT_ST(RUNNING),
					      NULL));
		close(afd);
		close(bfd);
		ASSERT_EQ(0, vt_mig_set_state(self->a.dev.fd, VT_ST(RUNNING),
					      NULL));
		ASSERT_GE(bytes, window);
		ASSERT_EQ(0, memcmp(self->a.mem, self->b.mem, window));
		ASSERT_LT(peak_save[i], MEM_BOUND);
		ASSERT_LT(peak_load[i], MEM_BOUND);
		printf("# bench: ours: ivshmem %u MiB state, save (data fd read): %.1f MB/s, load (data fd write): %.1f MB/s\n",
		       mibs[i], bytes / rd_us, bytes / wr_us);
	}
	printf("# bench: ours: data file peak kernel memory, save: %lld bytes at 64 MiB, %lld bytes at 1 GiB; load: %lld at 64 MiB, %lld at 1 GiB\n",
	       peak_save[0], peak_save[1], peak_load[0], peak_load[1]);
}

TEST_HARNESS_MAIN
