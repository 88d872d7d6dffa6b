// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_snapshot OUTDIR BDF...
 *
 * Open each function through its vfio cdev and a fresh iommufd (through its
 * group and a type1 container on a kernel without iommufd), and write
 * what the device fd shows (device info, region and interrupt infos, the
 * config region, plus the sysfs config for context) to OUTDIR/BDF.snap.
 * Works with whichever vfio-pci is bound; "make check" runs it against the
 * kernel's own vfio-pci to record the reference for vfio_differential_test.
 * Exits non-zero if any function could not be snapshotted.
 */
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/vfio_snapshot.h"

static int snapshot_one(const char *dir, const char *bdf)
{
	static struct vt_snapshot snap;
	char path[PATH_MAX];
	int fd, iommufd, ret, container, group;
	uint32_t ioas;

	/* A kernel without iommufd: the group path (vfio_group.h). */
	if (!vt_have_iommufd()) {
		fd = __vt_group_open_device(bdf, &container, &group);
		if (fd < 0) {
			fprintf(stderr, "%s: open through group: %s\n", bdf,
				strerror(-fd));
			return fd;
		}
		iommufd = -1;
		ret = 0;
		goto take;
	}
	fd = __vt_cdev_open(bdf);
	if (fd < 0) {
		fprintf(stderr, "%s: open cdev: %s\n", bdf, strerror(-fd));
		return fd;
	}
	iommufd = vt_iommufd_open();
	ret = __vt_bind(fd, iommufd, NULL);
	if (!ret)
		ret = __vt_ioas_alloc(iommufd, &ioas);
	if (!ret)
		ret = __vt_attach(fd, ioas, NULL);
	if (ret) {
		fprintf(stderr, "%s: bind/attach: %s\n", bdf, strerror(-ret));
		goto out;
	}

take:
	vt_snapshot_take(&snap, bdf, fd);
	snprintf(path, sizeof(path), "%s/%s.snap", dir, bdf);
	ret = vt_snapshot_save(&snap, path);
	if (ret)
		fprintf(stderr, "%s: write %s: %s\n", bdf, path,
			strerror(-ret));
	else
		printf("%s: %u config bytes, %u regions -> %s\n", bdf,
		       snap.cfg_size, snap.num_regions, path);
out:
	close(fd);
	if (iommufd >= 0) {
		close(iommufd);
	} else {
		close(group);
		close(container);
	}
	return ret;
}

int main(int argc, char **argv)
{
	int i, failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OUTDIR BDF...\n", argv[0]);
		return 2;
	}
	if (mkdir(argv[1], 0755) && errno != EEXIST) {
		fprintf(stderr, "mkdir %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (i = 2; i < argc; i++)
		if (snapshot_one(argv[1], argv[i]))
			failed++;
	return failed ? 1 : 0;
}
