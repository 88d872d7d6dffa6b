// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-gpu-test: QEMU's ivshmem-plain (1af4:1110) dressed as a GPU
 * with coherent device memory, for the vfio_region_test selftest.  Test
 * only; it binds through driver_override alone.
 *
 * - BAR4 (virtual, 64-bit, prefetchable): the device's shared memory,
 *   which the function itself shows as BAR2.  ivshmem implements no BAR4.
 * - region 9 (VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x1af4, subtype 1), one
 *   page, read/write through the variant's callback:
 *     0x000 (4)  how many resets the core notified (reset_done)
 *     0x004 (4)  "GPUT"
 *     0x100 (4)  write: the misuse hook.  With the misuse parameter set,
 *                the callback (which runs under the core's memory lock)
 *                calls vfio_pci_core_bar_hw_read(), which the contract
 *                forbids there: lockdep reports it and the write fails
 *                with -EDEADLK.  Without it the write fails with -EPERM.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/vfio_pci_core.h>

#define GPU_TEST_MEM_BAR	2
#define GPU_TEST_VBAR		4
#define GPU_TEST_SUBTYPE	1
#define GPU_TEST_RESETS		0x000
#define GPU_TEST_MAGIC		0x004
#define GPU_TEST_MISUSE		0x100

static bool misuse;
module_param(misuse, bool, 0644);
MODULE_PARM_DESC(misuse, "Let a write at 0x100 of the device region break the lock contract (lockdep test)");

struct gpu_test_device {
	struct vfio_pci_core_device core;	/* must be first */
	atomic_t resets;
};

static struct gpu_test_device *to_gpu_test(struct vfio_pci_core_device *core)
{
	return container_of(core, struct gpu_test_device, core);
}

static ssize_t gpu_test_status_read(struct gpu_test_device *g, void *buf,
				    size_t count, u64 pos)
{
	__le32 words[2] = {
		cpu_to_le32(atomic_read(&g->resets)),
		cpu_to_le32(0x54555047),	/* "GPUT" */
	};

	memset(buf, 0, count);
	if (pos < sizeof(words))
		memcpy(buf, (u8 *)words + pos,
		       min_t(size_t, count, sizeof(words) - pos));
	return count;
}

static ssize_t gpu_test_status_rw(struct vfio_pci_core_device *core,
				  const struct vfio_pci_core_region *region,
				  void *buf, size_t count, u64 pos, bool write)
{
	u64 val;
	int ret;

	if (!write)
		return gpu_test_status_read(to_gpu_test(core), buf, count, pos);
	if (pos != GPU_TEST_MISUSE || count != 4)
		return -EINVAL;
	if (!READ_ONCE(misuse))
		return -EPERM;
	/* Deliberately wrong: a region callback reaching for memory_lock. */
	ret = vfio_pci_core_bar_hw_read(core, 0, 0, 4, &val);
	return ret ?: count;
}

static const struct vfio_pci_core_region_ops gpu_test_status_ops = {
	.rw = gpu_test_status_rw,
};

static int gpu_test_setup(struct vfio_pci_core_device *core,
			  const struct pci_device_id *id)
{
	struct pci_dev *pdev = core->pdev;
	const struct vfio_pci_core_region vram = {
		.size = pci_resource_len(pdev, GPU_TEST_MEM_BAR),
		.flags = VFIO_PCI_CORE_REGION_READ |
			 VFIO_PCI_CORE_REGION_WRITE |
			 VFIO_PCI_CORE_REGION_MMAP,
		.phys = pci_resource_start(pdev, GPU_TEST_MEM_BAR),
		.cache = VFIO_PCI_CORE_MEM_UC,
		.p2p_bar = GPU_TEST_MEM_BAR + 1,
	};
	const struct vfio_pci_core_region status = {
		.size = PAGE_SIZE,
		.flags = VFIO_PCI_CORE_REGION_READ | VFIO_PCI_CORE_REGION_WRITE,
		.type = VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_REDHAT_QUMRANET,
		.subtype = GPU_TEST_SUBTYPE,
		.ops = &gpu_test_status_ops,
	};
	int ret;

	ret = vfio_pci_core_add_vbar(core, GPU_TEST_VBAR, &vram,
				     VFIO_PCI_CORE_VBAR_64 |
				     VFIO_PCI_CORE_VBAR_PREFETCH);
	if (ret)
		return ret;
	ret = vfio_pci_core_add_region(core, &status);
	return ret < 0 ? ret : 0;
}

static void gpu_test_reset_done(struct vfio_pci_core_device *core)
{
	atomic_inc(&to_gpu_test(core)->resets);
}

static const struct pci_device_id gpu_test_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, gpu_test_ids);

static struct vfio_pci_core_variant gpu_test_variant = {
	.driver = { .name = "vfio-pci-gpu-test", .id_table = gpu_test_ids },
	.dev_size = VFIO_PCI_CORE_VARIANT_SIZE(struct gpu_test_device, core),
	.setup = gpu_test_setup,
	.reset_done = gpu_test_reset_done,
};
module_vfio_pci_core_variant(gpu_test_variant);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI test variant: ivshmem memory as a virtual BAR, a device region");
MODULE_VERSION(VFIO_PCI_CORE_VERSION);
