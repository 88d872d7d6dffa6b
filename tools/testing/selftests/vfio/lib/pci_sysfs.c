// SPDX-License-Identifier: GPL-2.0
/*
 * PCI sysfs helpers for the selftests; see pci_sysfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pci_sysfs.h"

#define SYSFS_PCI "/sys/bus/pci/devices"

int vt_write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

long vt_read_file(const char *path, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n <= 0)
			break;
		done += n;
	}
	n = n < 0 ? -errno : (long)done;
	close(fd);
	return n;
}

int vt_sysfs_write(const char *bdf, const char *attr, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", bdf, attr);
	return vt_write_file(path, val);
}

bool vt_wait_present(const char *bdf, bool present, int ms)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYSFS_PCI "/%s", bdf);
	for (; ms > 0; ms -= 50) {
		if (!access(path, F_OK) == present)
			return true;
		usleep(50 * 1000);
	}
	return !access(path, F_OK) == present;
}

int vt_sysfs_link(const char *bdf, const char *attr, char *out, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/%s", bdf, attr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(out, len, "%s", strrchr(link, '/') + 1);
	return 0;
}

int vt_iommu_group(const char *bdf)
{
	char grp[32];

	if (vt_sysfs_link(bdf, "iommu_group", grp, sizeof(grp)))
		return -1;
	return atoi(grp);
}

int vt_driver_of(const char *bdf, char *buf, size_t len)
{
	int ret = vt_sysfs_link(bdf, "driver", buf, len);

	if (ret) {
		buf[0] = '\0';
		return ret == -ENOENT ? 0 : ret;
	}
	return 0;
}

int vt_driver_move(const char *bdf, const char *driver)
{
	char cur[64];
	int ret;

	ret = vt_driver_of(bdf, cur, sizeof(cur));
	if (ret)
		return ret;
	if (cur[0]) {
		ret = vt_sysfs_write(bdf, "driver/unbind", bdf);
		if (ret)
			return ret;
	}
	ret = vt_sysfs_write(bdf, "driver_override", driver ? driver : "\n");
	if (ret || !driver)
		return ret;
	ret = vt_write_file("/sys/bus/pci/drivers_probe", bdf);
	if (ret)
		return ret;
	ret = vt_driver_of(bdf, cur, sizeof(cur));
	if (ret)
		return ret;
	return strcmp(cur, driver) ? -ENODEV : 0;
}

int vt_sysfs_config(const char *bdf, unsigned int off, void *buf, size_t len,
		    int write)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/config", bdf);
	fd = open(path, write ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
	n = n < 0 ? -errno : n == (ssize_t)len ? 0 : -EIO;
	close(fd);
	return n;
}

int vt_shell(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fprintf(stderr, "#   $ %s\n", cmd);
	fflush(stderr);
	ret = system(cmd);
	if (ret == -1)
		return -1;
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : -1;
}

const char *vt_repo_dir(void)
{
	static char repo[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;
	int i;

	if (repo[0])
		return repo;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		n = 0;
	exe[n] = '\0';
	/* exe is REPO/build/selftests/NAME: three levels up. */
	for (i = 0; i < 3; i++) {
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
	}
	snprintf(repo, sizeof(repo), "%s", exe);
	return repo;
}
