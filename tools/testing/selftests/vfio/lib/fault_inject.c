// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures limited to our modules; see fault_inject.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fault_inject.h"

#define DEBUGFS	"/sys/kernel/debug"

/*
 * How many frames above the allocator failslab looks for our text: the
 * allocator's own frames, a wrapper or two (kvzalloc, kasprintf), then the
 * caller.  An allocation made deep inside a kernel function we call (the
 * ACPI interpreter under pci_enable_device(), an interrupt descriptor's
 * kobject under pci_alloc_irq_vectors()) is not one of our call sites: the
 * kernel's own error paths there are not ours to test, and some of them
 * splat (7.3: a KASAN use-after-free in the ACPI namespace, WARNs in
 * remove_proc_entry()).
 */
#define VT_FAULT_DEPTH	"8"

/* Knobs changed, with what they held before, to put back at teardown. */
struct vt_knob {
	char path[PATH_MAX];
	char old[64];
};

static struct vt_knob vt_knobs[64];
static int vt_nknobs;

static int vt_knob_set(const char *dir, const char *name, const char *val)
{
	struct vt_knob *k = &vt_knobs[vt_nknobs];
	ssize_t n;
	int fd;

	if (vt_nknobs >= (int)(sizeof(vt_knobs) / sizeof(vt_knobs[0])))
		return -ENOSPC;
	snprintf(k->path, sizeof(k->path), "%s/%s", dir, name);
	fd = open(k->path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, k->old, sizeof(k->old) - 1);
	k->old[n > 0 ? n : 0] = '\0';
	close(fd);
	/*
	 * A fresh open to write at offset 0: most of these attributes are
	 * not seekable (pwrite() is -ESPIPE) and some refuse a write at the
	 * offset a read left behind.
	 */
	fd = open(k->path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	vt_nknobs++;
	return 0;
}

/* [start, end) covering every listed module, from /proc/modules. */
static int vt_module_range(const char *const modules[],
			   unsigned long long *start, unsigned long long *end)
{
	char name[64], line[512];
	unsigned long long size, addr;
	FILE *f = fopen("/proc/modules", "r");
	int i, found = 0;

	if (!f)
		return -errno;
	*start = ~0ULL;
	*end = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu %*s %*s %*s %llx", name, &size,
			   &addr) != 3 || !addr)
			continue;
		for (i = 0; modules[i]; i++) {
			if (strcmp(name, modules[i]))
				continue;
			found++;
			if (addr < *start)
				*start = addr;
			if (addr + size > *end)
				*end = addr + size;
		}
	}
	fclose(f);
	return found ? 0 : -ESRCH;
}

int vt_fault_setup(const char *const modules[])
{
	unsigned long long start = 0, end = 0;
	char dir[PATH_MAX], val[32];
	struct dirent *de;
	DIR *d;
	int ret;

	if (access(DEBUGFS "/failslab", F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (access(DEBUGFS "/failslab/require-start", F_OK))
		return -ENOENT;
	ret = vt_module_range(modules, &start, &end);
	if (ret)
		return ret;

	/* Every other attribute: an empty range, so fail-nth skips it. */
	d = opendir(DEBUGFS);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "failslab"))
			continue;
		snprintf(dir, sizeof(dir), DEBUGFS "/%s/require-start",
			 de->d_name);
		if (access(dir, F_OK))
			continue;
		snprintf(dir, sizeof(dir), DEBUGFS "/%s", de->d_name);
		vt_knob_set(dir, "stacktrace-depth", "32");
		vt_knob_set(dir, "require-start", "1");
		vt_knob_set(dir, "require-end", "2");
	}
	closedir(d);

	snprintf(dir, sizeof(dir), DEBUGFS "/failslab");
	ret = vt_knob_set(dir, "verbose", "0");
	ret = ret ?: vt_knob_set(dir, "ignore-gfp-wait", "N");
	ret = ret ?: vt_knob_set(dir, "cache-filter", "N");
	ret = ret ?: vt_knob_set(dir, "stacktrace-depth", VT_FAULT_DEPTH);
	snprintf(val, sizeof(val), "%llu", start);
	ret = ret ?: vt_knob_set(dir, "require-start", val);
	snprintf(val, sizeof(val), "%llu", end);
	ret = ret ?: vt_knob_set(dir, "require-end", val);
	if (ret)
		vt_fault_teardown();
	return ret;
}

void vt_fault_teardown(void)
{
	int fd;

	vt_fault_disarm();
	while (vt_nknobs > 0) {
		struct vt_knob *k = &vt_knobs[--vt_nknobs];

		fd = open(k->path, O_WRONLY);
		if (fd < 0)
			continue;
		if (write(fd, k->old, strlen(k->old)) < 0)
			fprintf(stderr, "could not restore %s\n", k->path);
		close(fd);
	}
}

static int vt_fail_nth_fd(int flags)
{
	return open("/proc/thread-self/fail-nth", flags);
}

int vt_fault_arm(unsigned int nth)
{
	char val[16];
	int fd = vt_fail_nth_fd(O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(val, sizeof(val), "%u", nth);
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

bool vt_fault_disarm(void)
{
	char val[16] = "";
	int fd = vt_fail_nth_fd(O_RDWR);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, val, sizeof(val) - 1);
	if (write(fd, "0", 1) < 0)
		n = -1;
	close(fd);
	return n > 0 && atoi(val) == 0;
}
