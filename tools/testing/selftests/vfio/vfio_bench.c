// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the device fd's hot paths, printed as figures; nothing here
 * passes or fails on time.  Each line reads
 *
 *	# bench: <label>: <what>: <value> <unit>
 *
 * and "make check" collects every such line into its summary, next to the
 * same figure for the kernel's own vfio-pci.  Every figure is a cost (lower
 * is better): the lower quartile over ROUNDS short rounds of the mean of one
 * round, the median of the rounds after it in parentheses.  Under TCG a
 * round only ever gets slower than the operation is: the guest's vCPU is a
 * host thread that other work on the host preempts, and the guest's clock
 * keeps running meanwhile.  On a busy host most rounds carry such a pause,
 * which moves the median as much as the code does; the fastest quarter
 * still shows the operation.  Under TCG the absolute numbers say little about hardware;
 * they are for comparing one build of the core with another, and ours with
 * the kernel's vfio-pci in the same boot.
 *
 * Usage: vfio_bench LABEL [scale [GROUP]]
 * LABEL names the driver measured ("ours", "reference"); scale sets the
 * iterations per round, in percent; GROUP runs only one group of figures
 * (config, bar, info, msix, ioeventfd, open, memory), e.g. under perf.
 */
#include <dirent.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "lib/vfio_test.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define ROUNDS		15
#define ROUNDS_SLOW	5	/* for figures of milliseconds per operation */
#define EDU_LIVENESS	0x04
#define BULK		(64 * 1024)

static const char *label;
static int scale = 100;
static const char *only;

static bool want(const char *group)
{
	return !only || !strcmp(only, group);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *what, double value, const char *unit)
{
	printf("# bench: %s: %s: %.1f %s\n", label, what, value, unit);
	fflush(stdout);
}

/* @v: @n rounds' costs in ns per operation, reported in units of @div ns. */
static void report_rounds(const char *what, double *v, int n, double div,
			  const char *unit)
{
	double med = median(v, n);	/* sorts @v */

	printf("# bench: %s: %s: %.1f %s (median %.1f)\n", label, what,
	       v[n / 4] / div, unit, med / div);
	fflush(stdout);
}

static int iters(int n)
{
	n = n * scale / 100;
	return n > 0 ? n : 1;
}

/*
 * One measured operation: @op runs @n times in all, split over ROUNDS
 * rounds (ROUNDS_SLOW rounds of @n when @ms); reports the rounds' mean cost
 * in microseconds (or milliseconds when @ms), see report_rounds().
 */
struct bench_ctx {
	int fd;
	struct vfio_region_info reg;
	uint64_t off;
	void *buf;
	size_t len;
	int efd[2];
};

typedef void (*bench_op)(struct bench_ctx *c, int i);

static void run(const char *what, struct bench_ctx *c, bench_op op, int n,
		bool ms)
{
	int rounds = ms ? ROUNDS_SLOW : ROUNDS;
	double r[ROUNDS], t0;
	int k, i;

	n = ms ? iters(n) : (iters(n) + 2) / 3;
	for (k = 0; k < rounds; k++) {
		t0 = now_ns();
		for (i = 0; i < n; i++)
			op(c, i);
		r[k] = (now_ns() - t0) / n;
	}
	if (ms)
		report_rounds(what, r, rounds, 1e6, "ms/op");
	else
		report_rounds(what, r, rounds, 1e3, "us/op");
}

/*
 * Open a device to measure on, then let the guest settle: an open frees
 * much memory through RCU, and under TCG its callbacks run for a while
 * after it, in softirqs that would land in the first rounds.
 */
static void bench_open(struct vt_device *d, const char *bdf)
{
	vt_device_open(d, bdf);
	usleep(500 * 1000);
}

static void op_read(struct bench_ctx *c, int i)
{
	if (__vt_region_read(c->fd, &c->reg, c->off, c->buf, c->len) !=
	    (ssize_t)c->len)
		vt_die("read of %zu at 0x%llx", c->len,
		       (unsigned long long)c->off);
}

static void op_write(struct bench_ctx *c, int i)
{
	if (__vt_region_write(c->fd, &c->reg, c->off, c->buf, c->len) !=
	    (ssize_t)c->len)
		vt_die("write of %zu at 0x%llx", c->len,
		       (unsigned long long)c->off);
}

static void op_region_info(struct bench_ctx *c, int i)
{
	struct vfio_region_info info;

	if (__vt_region_info(c->fd, VFIO_PCI_BAR0_REGION_INDEX, &info))
		vt_die("region info");
}

static void op_irq_info(struct bench_ctx *c, int i)
{
	struct vfio_irq_info info;

	if (__vt_irq_info(c->fd, VFIO_PCI_MSIX_IRQ_INDEX, &info))
		vt_die("irq info");
}

static void region(struct bench_ctx *c, int fd, uint32_t index)
{
	c->fd = fd;
	if (__vt_region_info(fd, index, &c->reg))
		vt_die("region %u info", index);
}

/* Config reads of every size, a whole page, and a dword write. */
static void bench_config(const char *bdf, const char *name, bool small)
{
	struct bench_ctx c = { };
	uint8_t buf[4096];
	struct vt_device d;
	static const unsigned int sizes[] = { 1, 2, 4 };
	char what[64];
	unsigned int i;
	uint32_t cmd;

	bench_open(&d, bdf);
	region(&c, d.fd, VFIO_PCI_CONFIG_REGION_INDEX);
	c.buf = buf;
	if (small) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			c.len = sizes[i];
			c.off = 0x4;
			snprintf(what, sizeof(what), "config read %u B",
				 sizes[i]);
			run(what, &c, op_read, 200, false);
		}
		c.len = 256;
		c.off = 0;
		run("config read 256 B", &c, op_read, 20, false);

		/* COMMAND with its own value, STATUS 0 (no RW1C bit set). */
		c.len = 4;
		c.off = PCI_COMMAND;
		op_read(&c, 0);
		memcpy(&cmd, buf, 4);
		cmd &= 0xffff;
		memcpy(buf, &cmd, 4);
		run("config write 4 B", &c, op_write, 200, false);
	} else {
		c.len = 4096;
		c.off = 0;
		snprintf(what, sizeof(what), "config read 4 KiB (%s)", name);
		run(what, &c, op_read, 4, false);
	}
	vt_device_close(&d);
}

/* BAR reads and writes through the fd: RAM behind ivshmem's BAR2. */
static void bench_bar(const char *bdf)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	struct bench_ctx c = { };
	struct vt_device d;
	char what[64];
	unsigned int i;
	void *bulk;

	bulk = calloc(1, BULK);
	if (!bulk)
		vt_die("out of memory");
	bench_open(&d, bdf);
	region(&c, d.fd, VFIO_PCI_BAR2_REGION_INDEX);
	c.buf = bulk;
	c.off = 0x100;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		c.len = sizes[i];
		snprintf(what, sizeof(what), "BAR read %u B", sizes[i]);
		run(what, &c, op_read, 200, false);
		snprintf(what, sizeof(what), "BAR write %u B", sizes[i]);
		run(what, &c, op_write, 200, false);
	}
	c.len = BULK;
	c.off = 0;
	run("BAR read 64 KiB", &c, op_read, 4, false);
	run("BAR write 64 KiB", &c, op_write, 4, false);
	vt_device_close(&d);
	free(bulk);
}

static void bench_info(const char *bdf)
{
	struct bench_ctx c = { };
	struct vt_device d;

	bench_open(&d, bdf);
	c.fd = d.fd;
	run("GET_REGION_INFO", &c, op_region_info, 200, false);
	run("GET_IRQ_INFO", &c, op_irq_info, 200, false);
	vt_device_close(&d);
}

static void msix_set(int fd, int efd)
{
	int32_t fds[1] = { efd };

	if (__vt_set_irqs(fd, VFIO_PCI_MSIX_IRQ_INDEX,
			  VFIO_IRQ_SET_DATA_EVENTFD |
			  VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, fds, sizeof(fds)))
		vt_die("MSI-X enable");
}

static void msix_off(int fd)
{
	if (__vt_set_irqs(fd, VFIO_PCI_MSIX_IRQ_INDEX,
			  VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			  0, 0, NULL, 0))
		vt_die("MSI-X disable");
}

static void wait_efd(int efd)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, 2000) != 1 || read(efd, &v, sizeof(v)) != sizeof(v))
		vt_die("no eventfd signal");
}

static void op_msix_trigger(struct bench_ctx *c, int i)
{
	if (__vt_set_irqs(c->fd, VFIO_PCI_MSIX_IRQ_INDEX,
			  VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			  0, 1, NULL, 0))
		vt_die("MSI-X trigger");
	wait_efd(c->efd[0]);
}

/* Enable and disable are timed apart, in pairs: neither runs twice. */
static void bench_msix(const char *bdf)
{
	double on[ROUNDS], off[ROUNDS], t_on, t_off, t0;
	struct bench_ctx c = { };
	struct vt_device d;
	int k, i, n = iters(4);

	bench_open(&d, bdf);
	c.fd = d.fd;
	c.efd[0] = eventfd(0, EFD_CLOEXEC);
	if (c.efd[0] < 0)
		vt_die("eventfd");
	for (k = 0; k < ROUNDS; k++) {
		t_on = t_off = 0;
		for (i = 0; i < n; i++) {
			t0 = now_ns();
			msix_set(d.fd, c.efd[0]);
			t_on += now_ns() - t0;
			t0 = now_ns();
			msix_off(d.fd);
			t_off += now_ns() - t0;
		}
		on[k] = t_on / n;
		off[k] = t_off / n;
	}
	report_rounds("SET_IRQS MSI-X enable 1 vector", on, ROUNDS, 1e3,
		      "us/op");
	report_rounds("SET_IRQS MSI-X disable", off, ROUNDS, 1e3, "us/op");

	msix_set(d.fd, c.efd[0]);
	run("SET_IRQS MSI-X trigger + eventfd", &c, op_msix_trigger, 100,
	    false);
	msix_off(d.fd);
	close(c.efd[0]);
	vt_device_close(&d);
}

static int ioeventfd(int fd, const struct vfio_region_info *bar, uint64_t off,
		     uint64_t data, int efd)
{
	struct vfio_device_ioeventfd req = {
		.argsz = sizeof(req),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.offset = bar->offset + off,
		.data = data,
		.fd = efd,
	};

	return ioctl(fd, VFIO_DEVICE_IOEVENTFD, &req) ? -errno : 0;
}

/*
 * Two ioeventfds on edu's liveness register with different data, kicked in
 * turn: each delivery is seen as the register's new value.
 */
static void op_ioeventfd(struct bench_ctx *c, int i)
{
	static const uint32_t data[2] = { 0x11111111, 0x22222222 };
	uint64_t one = 1;
	uint32_t v;
	int spin;

	if (write(c->efd[i & 1], &one, sizeof(one)) != sizeof(one))
		vt_die("eventfd write");
	for (spin = 0; spin < 2000; spin++) {
		if (__vt_region_read(c->fd, &c->reg, EDU_LIVENESS, &v, 4) != 4)
			vt_die("edu read");
		if (v == ~data[i & 1])
			return;
	}
	c->len = 1;	/* a write never arrived: the figure is void */
	c->off = v;
}

static void bench_ioeventfd(const char *bdf)
{
	struct bench_ctx c = { };
	struct vt_device d;
	int k;

	bench_open(&d, bdf);
	region(&c, d.fd, VFIO_PCI_BAR0_REGION_INDEX);
	for (k = 0; k < 2; k++) {
		c.efd[k] = eventfd(0, EFD_CLOEXEC);
		if (c.efd[k] < 0 ||
		    ioeventfd(d.fd, &c.reg, EDU_LIVENESS, k ? 0x22222222 :
			      0x11111111, c.efd[k]))
			vt_die("ioeventfd setup");
	}
	op_ioeventfd(&c, 1);
	if (!c.len)
		run("ioeventfd delivery (kick to BAR value)", &c,
		    op_ioeventfd, 100, false);
	if (c.len)
		printf("# bench: %s: ioeventfd delivery (kick to BAR value): void (a write never arrived, read 0x%llx)\n",
		       label, (unsigned long long)c.off);
	vt_device_close(&d);
	close(c.efd[0]);
	close(c.efd[1]);
}

static const char *open_bdf;

static void op_open_close(struct bench_ctx *c, int i)
{
	struct vt_device d;

	vt_device_open(&d, open_bdf);
	vt_device_close(&d);
}

static void op_reset(struct bench_ctx *c, int i)
{
	if (__vt_reset(c->fd))
		vt_die("VFIO_DEVICE_RESET");
}

static void bench_open_reset(const char *edu, const char *flr)
{
	struct bench_ctx c = { };
	struct vt_device d;

	open_bdf = edu;
	run("open+bind+attach+close (edu)", &c, op_open_close, 1, true);
	if (!flr)
		return;
	bench_open(&d, flr);
	c.fd = d.fd;
	run("VFIO_DEVICE_RESET (igb, FLR)", &c, op_reset, 1, true);
	vt_device_close(&d);
}

/* Kernel memory in KiB: slab and vmalloc, from /proc/meminfo. */
static long kmem_kib(void)
{
	char line[128];
	long v, sum = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		vt_die("/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Slab: %ld", &v) == 1 ||
		    sscanf(line, "VmallocUsed: %ld", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

static void sysfs_write(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		vt_die("write %s to %s", val, path);
}

/*
 * Memory per bound device: functions without SR-IOV bound to vfio-pci are
 * unbound and bound again (driver_override stays), then opened.
 */
static void bench_memory(void)
{
	static const uint16_t ids[][2] = {
		{ 0x1234, 0x11e8 }, { 0x1af4, 0x1110 }, { 0x1b36, 0x0005 },
		{ 0x8086, 0x10d3 },
	};
	double bound[3], opened[3];
	char bdfs[VT_MAX_BDFS][VT_BDF_LEN], path[320];
	struct vt_device d[VT_MAX_BDFS];
	int n = 0, i, k;
	long m0, m1, m2;

	for (i = 0; i < (int)ARRAY_SIZE(ids); i++)
		n += vt_find_bound(ids[i][0], ids[i][1], bdfs + n,
				   VT_MAX_BDFS - n);
	if (!n)
		return;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < n; i++)
			sysfs_write("/sys/bus/pci/drivers/vfio-pci/unbind",
				    bdfs[i]);
		m0 = kmem_kib();
		for (i = 0; i < n; i++)
			sysfs_write("/sys/bus/pci/drivers_probe", bdfs[i]);
		m1 = kmem_kib();
		for (i = 0; i < n; i++)
			vt_device_open(&d[i], bdfs[i]);
		m2 = kmem_kib();
		for (i = 0; i < n; i++)
			vt_device_close(&d[i]);
		bound[k] = (double)(m1 - m0) / n;
		opened[k] = (double)(m2 - m1) / n;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
			 bdfs[i]);
		if (access(path, F_OK))
			vt_die("%s not bound again", bdfs[i]);
	}
	printf("# bench: %s: memory over %d devices, 3 rounds\n", label, n);
	report("memory per bound device (slab+vmalloc)", median(bound, 3),
	       "KiB");
	report("memory per opened device (slab+vmalloc)", median(opened, 3),
	       "KiB");
}

int main(int argc, char **argv)
{
	const char *edu, *ivshmem, *msix, *flr, *pcie;

	if (argc > 2)
		scale = atoi(argv[2]);
	if (argc > 3)
		only = argv[3];
	if (argc < 2 || scale <= 0)
		vt_die("usage: %s LABEL [scale%% [GROUP]]", argv[0]);
	label = argv[1];
	edu = vt_find_one(0x1234, 0x11e8);
	if (!edu) {
		printf("# bench: %s: skipped: no edu bound to vfio-pci\n",
		       label);
		return 0;
	}
	printf("# bench: %s: lower quartile (median) of %d rounds, %d for ms figures, scale %d%%\n",
	       label, ROUNDS, ROUNDS_SLOW, scale);

	if (want("config")) {
		bench_config(edu, "edu", true);
		pcie = vt_find_one(0x8086, 0x10d3);
		if (pcie)
			bench_config(pcie, "e1000e", false);
	}
	ivshmem = vt_find_one(0x1af4, 0x1110);
	if (ivshmem && want("bar"))
		bench_bar(ivshmem);
	if (want("info"))
		bench_info(edu);
	msix = vt_find_one(0x8086, 0x10d3);
	if (msix && want("msix"))
		bench_msix(msix);
	if (want("ioeventfd"))
		bench_ioeventfd(edu);
	flr = vt_find_one(0x8086, 0x10c9);
	if (want("open"))
		bench_open_reset(edu, flr);
	if (want("memory"))
		bench_memory();
	return 0;
}
