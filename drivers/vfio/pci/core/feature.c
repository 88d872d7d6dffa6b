// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: VFIO_DEVICE_FEATURE.  The vfio core has already checked
 * argsz against the header and rejected unknown flag bits; it answers the
 * migration and dirty-logging features itself through mig_ops and log_ops.
 * Everything else arrives here and is looked up in one table.  Each handler
 * calls vfio_check_feature() with the operations it supports, so GET, SET
 * and PROBE follow one rule everywhere.
 */
#include "private.h"

typedef int (*vfio_pci_core_feature_fn)(struct vfio_pci_core_device *core,
					u32 flags, void __user *arg,
					size_t argsz);

static const struct {
	u32 feature;
	vfio_pci_core_feature_fn fn;
} vfio_pci_core_features[] = {
	{ VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, vfio_pci_core_feature_vf_token },
	{ VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
	  vfio_pci_core_feature_low_power_entry },
	{ VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
	  vfio_pci_core_feature_low_power_wakeup },
	{ VFIO_DEVICE_FEATURE_LOW_POWER_EXIT,
	  vfio_pci_core_feature_low_power_exit },
#if VFIO_PCI_COMPAT_DMABUF
	{ VFIO_DEVICE_FEATURE_DMA_BUF, vfio_pci_core_feature_dma_buf },
#endif
};

int vfio_pci_core_device_feature(struct vfio_device *vdev, u32 flags,
				 void __user *arg, size_t argsz)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	u32 feature = flags & VFIO_DEVICE_FEATURE_MASK;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vfio_pci_core_features); i++) {
		if (vfio_pci_core_features[i].fn &&
		    vfio_pci_core_features[i].feature == feature)
			return vfio_pci_core_features[i].fn(core, flags, arg,
							    argsz);
	}
	return -ENOTTY;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_device_feature);
