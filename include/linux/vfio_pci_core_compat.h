/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels vfio-pci-core builds against, in one place.
 * Primary target: 7.3.  Also built (W=1) against Debian's 6.12 headers.
 * Included by vfio_pci_core.h; nothing else needs to include it.
 */
#ifndef __LINUX_VFIO_PCI_CORE_COMPAT_H
#define __LINUX_VFIO_PCI_CORE_COMPAT_H

#include <linux/irqbypass.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/vfio.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
#include <linux/pfn_t.h>
#endif

/*
 * When the PCI core removes a device it clears the device's private "added"
 * flag (bit 0 of pci_dev->priv_flags) and then releases its driver, with
 * pci_rescan_remove_lock held, and asserts under lockdep that VFs are removed
 * with that lock held.  Older kernels (6.12) clear the flag only after the
 * driver is gone and assert nothing, so a driver cannot tell the PCI core's
 * removal from an unbind by the flag, and must not take the lock.  7.0 is the
 * cut-over assumed here (7.3 has the new order, 6.12 the old one); a kernel
 * in between only misses the lock, which costs a lockdep warning, never a
 * deadlock.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
#define VFIO_PCI_CORE_PCI_CLEARS_ADDED_FIRST	1
#else
#define VFIO_PCI_CORE_PCI_CLEARS_ADDED_FIRST	0
#endif

/* kzalloc_obj() is recent: a zeroed allocation sized from the pointee type. */
#ifndef kzalloc_obj
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

/*
 * Newer vfio cores (6.19 is the cut-over assumed here; 7.3 has it, 6.12 does
 * not) answer VFIO_DEVICE_GET_REGION_INFO themselves and ask the driver
 * through vfio_device_ops.get_region_info_caps; before that the ioctl reached
 * the driver's ioctl op.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define VFIO_PCI_COMPAT_CORE_REGION_INFO	1
#else
#define VFIO_PCI_COMPAT_CORE_REGION_INFO	0
#endif

/*
 * IRQ bypass producers: since 6.17 the eventfd (the token) and the IRQ are
 * arguments of the registration; before, they were fields of the producer.
 */
static inline int
vfio_pci_compat_bypass_register(struct irq_bypass_producer *producer,
				struct eventfd_ctx *trigger, int irq)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	return irq_bypass_register_producer(producer, trigger, irq);
#else
	producer->token = trigger;
	producer->irq = irq;
	return irq_bypass_register_producer(producer);
#endif
}

/*
 * The match_token_uuid op of vfio_device_ops, through which the vfio core
 * checks the VF token given with VFIO_DEVICE_BIND_FLAG_TOKEN on the cdev
 * path, came with 6.17 (7.3 has it, 6.12 does not: there only the group
 * path, through the match op, carries a token).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define VFIO_PCI_COMPAT_MATCH_TOKEN_UUID_OP	1
#else
#define VFIO_PCI_COMPAT_MATCH_TOKEN_UUID_OP	0
#endif

/*
 * iommufd: 7.3 has it (as a module, which also brings IOMMUFD_DRIVER and the
 * iova_bitmap helpers); Debian's 6.12 is built without it, so the in-kernel
 * IOAS access is compiled out there and iova_bitmap_set() is a stub.
 */
#define VFIO_PCI_COMPAT_IOMMUFD		IS_ENABLED(CONFIG_IOMMUFD)

/*
 * Dirty page reports reach the user through the vfio core's iova_bitmap
 * helpers, which are real only with CONFIG_IOMMUFD_DRIVER (7.3's test
 * kernel); Debian's stock kernels leave it off and get stubs.
 */
#define VFIO_PCI_COMPAT_DIRTY_REPORT	IS_ENABLED(CONFIG_IOMMUFD_DRIVER)

/*
 * PASID attach and detach (VFIO_DEVICE_ATTACH_PASID on the cdev path): the
 * pasid_attach_ioas/pasid_detach_ioas members of vfio_device_ops and the
 * physical iommufd helpers came with 6.15.  Without iommufd the helpers are
 * NULL, so the ops stay unset and the vfio core refuses the flag.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
#define VFIO_PCI_COMPAT_PASID_OPS	1
#else
#define VFIO_PCI_COMPAT_PASID_OPS	0
#endif

/* Symbol namespaces became string literals in 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define VFIO_PCI_COMPAT_IMPORT_NS(ns)	MODULE_IMPORT_NS(#ns)
#else
#define VFIO_PCI_COMPAT_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#endif

/*
 * VFIO_DEVICE_FEATURE_DMA_BUF needs what the host kernel builds its own
 * vfio-pci's DMA_BUF with (revocable dma-buf attachments, P2P providers;
 * 7.3 has them, 6.12 has neither the helpers nor the option): iommufd only
 * looks for a vfio dma-buf when CONFIG_VFIO_PCI_DMABUF is set.
 */
#define VFIO_PCI_COMPAT_DMABUF		IS_ENABLED(CONFIG_VFIO_PCI_DMABUF)

/*
 * Huge PFN mappings: a huge_fault handler may insert a PMD of PFNs where the
 * architecture supports it (6.12 and 7.3 both have the option).  The PFN
 * argument lost its pfn_t type in 6.17 (the cut-over assumed here).
 */
static inline bool vfio_pci_compat_pfnmap_order(unsigned int order)
{
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
	return order == PMD_ORDER;
#else
	return false;
#endif
}

static inline vm_fault_t
vfio_pci_compat_insert_pfn_pmd(struct vm_fault *vmf, unsigned long pfn,
			       unsigned int order)
{
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	return vmf_insert_pfn_pmd(vmf, pfn, vmf->flags & FAULT_FLAG_WRITE);
#else
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV),
				  vmf->flags & FAULT_FLAG_WRITE);
#endif
#else
	return VM_FAULT_FALLBACK;
#endif
}

/*
 * VFIO_PRECOPY_INFO_REINIT came with VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2,
 * which the vfio core handles itself and records in
 * vfio_device.precopy_info_v2 (7.3 has them, 6.12 has neither): without
 * them the flag is never reported.
 */
#ifdef VFIO_PRECOPY_INFO_REINIT
#define VFIO_PCI_COMPAT_PRECOPY_REINIT	VFIO_PRECOPY_INFO_REINIT
static inline bool vfio_pci_compat_precopy_v2(struct vfio_device *vdev)
{
	return vdev->precopy_info_v2;
}
#else
#define VFIO_PCI_COMPAT_PRECOPY_REINIT	0
static inline bool vfio_pci_compat_precopy_v2(struct vfio_device *vdev)
{
	return false;
}
#endif

/*
 * mlx5: the migration_state field of QUERY_VHCA_MIGRATION_STATE's output,
 * its MLX5_QUERY_VHCA_MIG_STATE_* values and the cmd_hca_cap_2 bit that
 * offers it are in mlx5_ifc.h since 7.1 (7.3 has them, 6.12 not).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 1, 0)
#define VFIO_PCI_COMPAT_MLX5_MIG_STATE	1
#else
#define VFIO_PCI_COMPAT_MLX5_MIG_STATE	0
#endif

#endif /* __LINUX_VFIO_PCI_CORE_COMPAT_H */
