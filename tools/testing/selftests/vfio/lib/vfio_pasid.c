// SPDX-License-Identifier: GPL-2.0
/*
 * PASID helpers for the selftests; see vfio_pasid.h.
 */
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfio_pasid.h"

#define DMAR_DEBUGFS	"/sys/kernel/debug/iommu/intel"

static int vt_pasid_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int __vt_hw_info(int iommufd, uint32_t devid, struct iommu_hw_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->dev_id = devid;
	return vt_pasid_ioctl(iommufd, IOMMU_GET_HW_INFO, info);
}

int __vt_ioas_map(int iommufd, uint32_t ioas_id, uint64_t iova, void *buf,
		  uint64_t len)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)buf,
		.length = len,
		.iova = iova,
	};

	return vt_pasid_ioctl(iommufd, IOMMU_IOAS_MAP, &map);
}

int __vt_destroy(int iommufd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return vt_pasid_ioctl(iommufd, IOMMU_DESTROY, &d);
}

int __vt_pasid_attach(int devfd, uint32_t pasid, uint32_t pt_id,
		      uint32_t *out_pt_id)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.flags = VFIO_DEVICE_ATTACH_PASID,
		.pt_id = pt_id,
		.pasid = pasid,
	};
	int ret = vt_pasid_ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	if (!ret && out_pt_id)
		*out_pt_id = a.pt_id;
	return ret;
}

int __vt_pasid_detach(int devfd, uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt d = {
		.argsz = sizeof(d),
		.flags = VFIO_DEVICE_DETACH_PASID,
		.pasid = pasid,
	};

	return vt_pasid_ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

int __vt_attach_raw(int devfd, uint32_t argsz, uint32_t flags,
		    uint32_t pt_id, uint32_t pasid)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = argsz,
		.flags = flags,
		.pt_id = pt_id,
		.pasid = pasid,
	};

	return vt_pasid_ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

int __vt_detach_raw(int devfd, uint32_t argsz, uint32_t flags,
		    uint32_t pasid)
{
	struct vfio_device_detach_iommufd_pt d = {
		.argsz = argsz,
		.flags = flags,
		.pasid = pasid,
	};

	return vt_pasid_ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static int vt_debugfs_mount(void)
{
	struct stat st;

	if (!stat(DMAR_DEBUGFS, &st))
		return 0;
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		return -errno;
	return stat(DMAR_DEBUGFS, &st) ? -errno : 0;
}

int vt_dmar_pasid_entry(const char *bdf, unsigned int pasid, uint64_t *pgd,
			unsigned int *pgtt)
{
	unsigned long long rh, rl, ch, cl, v2, v1, v0;
	char line[512], want[16], got[16];
	int ret = vt_debugfs_mount(), p;
	FILE *f;

	if (ret)
		return ret;
	f = fopen(DMAR_DEBUGFS "/dmar_translation_struct", "r");
	if (!f)
		return -errno;
	/* The table names functions as BB:DD.F, without the domain. */
	snprintf(want, sizeof(want), "%s", strlen(bdf) > 5 ? bdf + 5 : bdf);
	ret = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%15s 0x%llx:0x%llx 0x%llx:0x%llx %d 0x%llx:0x%llx:0x%llx",
			   got, &rh, &rl, &ch, &cl, &p, &v2, &v1, &v0) != 9)
			continue;
		if (strcmp(got, want) || p != (int)pasid)
			continue;
		*pgtt = (v0 >> 6) & 7;
		*pgd = (*pgtt == 1 ? v2 : v0) & ~0xfffull;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int vt_dmar_domain(const char *bdf, int pasid, uint64_t iova, uint64_t *pgd,
		   bool *mapped)
{
	char path[PATH_MAX], line[512];
	unsigned long long pfn, p;
	unsigned int got;
	int ret = vt_debugfs_mount();
	FILE *f;

	if (ret)
		return ret;
	if (pasid < 0)
		snprintf(path, sizeof(path),
			 DMAR_DEBUGFS "/%s/domain_translation_struct", bdf);
	else
		snprintf(path, sizeof(path),
			 DMAR_DEBUGFS "/%s/%x/domain_translation_struct", bdf,
			 pasid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	*pgd = 0;
	*mapped = false;
	while (fgets(line, sizeof(line), f)) {
		char *at = strstr(line, "@0x");

		if (!strncmp(line, "Device ", 7) && at) {
			*pgd = strtoull(at + 1, NULL, 16);
			if (pasid >= 0 && (!strstr(line, "with pasid ") ||
					   sscanf(strstr(line, "with pasid "),
						  "with pasid %x", &got) != 1 ||
					   got != (unsigned int)pasid))
				*pgd = 0;
		} else if (sscanf(line, "0x%llx |", &pfn) == 1 &&
			   pfn == iova >> 12) {
			*mapped = true;
		}
	}
	(void)p;
	fclose(f);
	return *pgd ? 0 : -ENOENT;
}
