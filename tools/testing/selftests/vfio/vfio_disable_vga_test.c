// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci's disable_vga parameter (read-only, fixed at load): with it set,
 * the VGA function (QEMU's standard VGA, 1234:1111) has no VGA region, and
 * tells the VGA arbiter it decodes no legacy VGA range, since it sits behind
 * a root port that can stop routing them.  The test reloads our vfio-pci
 * with disable_vga=1, checks, and reloads it without, leaving every function
 * that was bound to vfio-pci bound to it again.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib/pci_sysfs.h"
#include "lib/vfio_test.h"

#define VGA		VFIO_PCI_VGA_REGION_INDEX
#define PARAM		"/sys/module/vfio_pci/parameters/disable_vga"
#define SYSFS_PCI	"/sys/bus/pci/devices"

/*
 * Our vfio-pci.ko: $VT_VFIO_PCI_KO (the stock-kernel boot names the build
 * for that kernel), else from build/selftests/<this test> up to the tree.
 */
static int module_path(char *path, size_t len)
{
	const char *env = getenv("VT_VFIO_PCI_KO");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(path, len, "%s", env);
		return access(path, R_OK) ? -errno : 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -errno;
	exe[n] = 0;
	snprintf(path, len, "%s/../../drivers/vfio/pci/vfio-pci.ko",
		 dirname(exe));
	return access(path, R_OK) ? -errno : 0;
}

static bool bound_to_vfio_pci(const char *bdf)
{
	char path[PATH_MAX], drv[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), SYSFS_PCI "/%s/driver", bdf);
	n = readlink(path, drv, sizeof(drv) - 1);
	if (n <= 0)
		return false;
	drv[n] = 0;
	return !strcmp(basename(drv), "vfio-pci");
}

/* Every function now bound to vfio-pci, as in vt_find_bound() for all. */
static int list_bound(char bdfs[][VT_BDF_LEN], int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(SYSFS_PCI);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || !bound_to_vfio_pci(de->d_name))
			continue;
		snprintf(bdfs[n++], VT_BDF_LEN, "%.15s", de->d_name);
	}
	closedir(d);
	return n;
}

/*
 * Unload vfio-pci and load @ko with @params; the functions whose
 * driver_override names vfio-pci bind again as it registers.  Each one in
 * @bdfs is then waited for, and probed by hand if it did not come back.
 */
static int reload(const char *ko, const char *params,
		  char bdfs[][VT_BDF_LEN], int n)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int fd, ret, i, tries;

	if (syscall(SYS_delete_module, "vfio_pci", O_NONBLOCK))
		return -errno;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		for (tries = 0; tries < 40 && !bound_to_vfio_pci(bdfs[i]);
		     tries++)
			nanosleep(&ts, NULL);
		if (!bound_to_vfio_pci(bdfs[i]))
			vt_write_file("/sys/bus/pci/drivers_probe", bdfs[i]);
		if (!bound_to_vfio_pci(bdfs[i]))
			return -ENODEV;
	}
	return 0;
}

static char read_param(void)
{
	char c = 0;
	int fd;

	fd = open(PARAM, O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c;
}

/*
 * What the VGA arbiter says @bdf decodes ("io+mem", "none"...) into @out,
 * or false when the arbiter device is not there.
 */
static bool arbiter_decodes(const char *bdf, char *out, size_t len)
{
	char cmd[64], buf[256], *p, *end;
	ssize_t n;
	int fd;

	fd = open("/dev/vga_arbiter", O_RDWR);
	if (fd < 0)
		return false;
	snprintf(cmd, sizeof(cmd), "target PCI:%s", bdf);
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		close(fd);
		return false;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strstr(buf, "decodes=");
	if (!p)
		return false;
	p += strlen("decodes=");
	end = strchr(p, ',');
	if (end)
		*end = 0;
	snprintf(out, len, "%s", p);
	return true;
}

TEST(disable_vga_hides_region)
{
	char bdfs[VT_MAX_BDFS][VT_BDF_LEN], ko[PATH_MAX], dec[32];
	struct vfio_region_info info;
	struct vt_device dev;
	const char *found;
	char vga[VT_BDF_LEN];
	bool arbiter;
	int n, ret;
	uint8_t b;

	found = vt_find_one(0x1234, 0x1111);
	if (!found)
		SKIP(return, "no VGA function bound to vfio-pci");
	snprintf(vga, sizeof(vga), "%s", found);
	if (read_param() != 'N')
		SKIP(return, "vfio-pci has no disable_vga parameter set to N");
	if (module_path(ko, sizeof(ko)))
		SKIP(return, "our vfio-pci.ko is not in the tree");

	/* Offered as loaded by the test setup. */
	vt_device_open(&dev, vga);
	ASSERT_EQ(0, __vt_region_info(dev.fd, VGA, &info));
	ASSERT_EQ(0xc0000, info.size);
	vt_device_close(&dev);
	arbiter = arbiter_decodes(vga, dec, sizeof(dec));
	if (arbiter)
		EXPECT_STREQ("io+mem", dec);

	n = list_bound(bdfs, VT_MAX_BDFS);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, reload(ko, "disable_vga=1", bdfs, n));
	EXPECT_EQ('Y', read_param());

	vt_device_open(&dev, vga);
	EXPECT_EQ(-EINVAL, __vt_region_info(dev.fd, VGA, &info));
	info.index = VGA;
	info.offset = (uint64_t)VGA << 40;
	info.size = 0xc0000;
	EXPECT_EQ(-EINVAL, __vt_region_read(dev.fd, &info, 0x3c4, &b, 1));
	EXPECT_EQ(-EINVAL, __vt_region_write(dev.fd, &info, 0x3c4, &b, 1));
	vt_device_close(&dev);
	/* Behind a root port, alone: the bridge can cut the legacy ranges. */
	if (arbiter) {
		ASSERT_TRUE(arbiter_decodes(vga, dec, sizeof(dec)));
		EXPECT_STREQ("none", dec);
	}

	/* Back as it was, every function bound again. */
	ret = reload(ko, "", bdfs, n);
	ASSERT_EQ(0, ret);
	ASSERT_EQ('N', read_param());
	vt_device_open(&dev, vga);
	EXPECT_EQ(0, __vt_region_info(dev.fd, VGA, &info));
	EXPECT_EQ(0xc0000, info.size);
	vt_device_close(&dev);
	if (arbiter) {
		ASSERT_TRUE(arbiter_decodes(vga, dec, sizeof(dec)));
		EXPECT_STREQ("io+mem", dec);
	}
}

TEST_HARNESS_MAIN
