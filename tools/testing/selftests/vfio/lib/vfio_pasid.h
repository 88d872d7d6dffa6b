/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PASID helpers for the selftests: the iommufd objects a PASID attach needs
 * (HW info, HWPTs, IOAS mappings), the raw VFIO PASID attach and detach
 * ioctls, and what the Intel IOMMU's debugfs says a PASID entry points at.
 * Every function returns 0 or -errno.
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_PASID_H
#define SELFTESTS_VFIO_LIB_VFIO_PASID_H

#include <stdbool.h>
#include <stdint.h>

#include "vfio_test.h"

/* IOMMU_GET_HW_INFO of a bound device, no driver-specific data. */
int __vt_hw_info(int iommufd, uint32_t devid, struct iommu_hw_info *info);

/* IOMMU_IOAS_MAP of @len bytes at @buf to the fixed @iova, read/write. */
int __vt_ioas_map(int iommufd, uint32_t ioas_id, uint64_t iova, void *buf,
		  uint64_t len);

/* IOMMU_DESTROY of any object. */
int __vt_destroy(int iommufd, uint32_t id);

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT / _DETACH_ with the PASID flag and the
 * structure's full size; *@out_pt_id gets the echoed pt_id when not NULL.
 */
int __vt_pasid_attach(int devfd, uint32_t pasid, uint32_t pt_id,
		      uint32_t *out_pt_id);
int __vt_pasid_detach(int devfd, uint32_t pasid);

/* The same ioctls with any argsz and flags, for bad-input rows. */
int __vt_attach_raw(int devfd, uint32_t argsz, uint32_t flags,
		    uint32_t pt_id, uint32_t pasid);
int __vt_detach_raw(int devfd, uint32_t argsz, uint32_t flags,
		    uint32_t pasid);

/*
 * The Intel IOMMU's debugfs (mounted on first use).  vt_dmar_pasid_entry():
 * the page table the scalable-mode PASID table entry of @bdf's @pasid
 * points at, and its PGTT (1 first stage, 2 second stage); -ENOENT when no
 * entry is present.  vt_dmar_domain(): what
 * <bdf>/<pasid>/domain_translation_struct (or <bdf>/ for @pasid < 0) says:
 * its page table and whether a PTE maps @iova; -ENOENT without the file.
 */
int vt_dmar_pasid_entry(const char *bdf, unsigned int pasid, uint64_t *pgd,
			unsigned int *pgtt);
int vt_dmar_domain(const char *bdf, int pasid, uint64_t iova, uint64_t *pgd,
		   bool *mapped);

#endif /* SELFTESTS_VFIO_LIB_VFIO_PASID_H */
