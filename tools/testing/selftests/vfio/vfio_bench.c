// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the device fd's hot paths, printed as figures; nothing here
 * passes or fails on time.  Each line reads
 *
 *	# bench: <label>: <what>: <value> <unit>
 *
 * and "make check" collects every such line into its summary.  Under TCG the
 * absolute numbers say little about hardware; they are for comparing one
 * build of the core with another, and ours with the kernel's vfio-pci.
 *
 * Usage: vfio_bench LABEL [iterations]   (default 2000)
 * LABEL names the driver measured ("ours", "reference").
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib/vfio_test.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static const char *label;

static void report(const char *what, double value, const char *unit)
{
	printf("# bench: %s: %s: %.1f %s\n", label, what, value, unit);
}

static void bench_config_read(struct vt_device *d, int n)
{
	struct vfio_region_info cfg;
	uint32_t v;
	double t0;
	int i;

	if (__vt_region_info(d->fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg))
		vt_die("config region info");
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (__vt_region_read(d->fd, &cfg, 0, &v, 4) != 4)
			vt_die("config read");
	}
	report("config dword pread", (now_ns() - t0) / n, "ns/op");
}

static void bench_bar(struct vt_device *d, int n)
{
	struct vfio_region_info bar;
	volatile uint32_t *map;
	void *addr;
	uint32_t v;
	double t0;
	int i;

	if (__vt_region_info(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &bar))
		vt_die("BAR0 region info");

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (__vt_region_read(d->fd, &bar, 0, &v, 4) != 4)
			vt_die("BAR0 read");
	}
	report("BAR0 dword pread", (now_ns() - t0) / n, "ns/op");

	if (!(bar.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return;
	if (__vt_region_mmap(d->fd, &bar, 0, getpagesize(), PROT_READ,
			     MAP_SHARED, &addr))
		vt_die("BAR0 mmap");
	map = addr;
	v = map[0];	/* the first touch faults the page in */
	t0 = now_ns();
	for (i = 0; i < n; i++)
		v += map[0];
	report("BAR0 dword load through mmap", (now_ns() - t0) / n, "ns/op");
	munmap(addr, getpagesize());
}

static void bench_region_info(struct vt_device *d, int n)
{
	struct vfio_region_info info;
	double t0;
	int i;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (__vt_region_info(d->fd, VFIO_PCI_BAR0_REGION_INDEX, &info))
			vt_die("region info");
	}
	report("GET_REGION_INFO ioctl", (now_ns() - t0) / n, "ns/op");
}

/* First open resets the function, so this is mostly the reset. */
static void bench_open_close(const char *bdf, int n)
{
	struct vt_device d;
	double t0;
	int i;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		vt_device_open(&d, bdf);
		vt_device_close(&d);
	}
	report("cdev open+bind+attach+close", (now_ns() - t0) / n / 1e6,
	       "ms/cycle");
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 2000;
	struct vt_device d;
	const char *bdf;

	if (argc < 2 || n <= 0)
		vt_die("usage: %s LABEL [iterations]", argv[0]);
	label = argv[1];
	bdf = vt_find_one(0x1234, 0x11e8);
	if (!bdf) {
		printf("# bench: %s: skipped: no edu bound to vfio-pci\n",
		       label);
		return 0;
	}
	printf("# bench: %s: device edu %s, %d iterations\n", label, bdf, n);

	vt_device_open(&d, bdf);
	bench_config_read(&d, n);
	bench_bar(&d, n);
	bench_region_info(&d, n);
	vt_device_close(&d);

	bench_open_close(bdf, 5);
	return 0;
}
