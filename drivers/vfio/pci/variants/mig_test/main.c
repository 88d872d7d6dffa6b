// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-mig-test: wiring.  A test-only variant for QEMU's ivshmem-plain,
 * bound only through driver_override; see mig_test.h for what it migrates
 * and for its test hooks.
 */
#include <linux/module.h>
#include <linux/pci.h>

#include "mig_test.h"

#define MIG_TEST_HOOK_WINDOW	0x40
#define MIG_TEST_HOOK_FAULT	0x44
#define MIG_TEST_HOOK_CHUNK	0x48

static int mig_test_hook_read(struct vfio_pci_core_device *core,
			      const struct vfio_pci_core_bar_trap *trap,
			      u64 offset, unsigned int size, u64 *val)
{
	struct mig_test_device *t = to_mig_test(core);

	if (size != 4)
		return -EINVAL;
	switch (offset) {
	case MIG_TEST_HOOK_WINDOW:
		*val = READ_ONCE(t->window);
		return 0;
	case MIG_TEST_HOOK_FAULT:
		*val = READ_ONCE(t->fault);
		return 0;
	default:
		*val = MIG_TEST_CHUNK;
		return 0;
	}
}

static int mig_test_hook_write(struct vfio_pci_core_device *core,
			       const struct vfio_pci_core_bar_trap *trap,
			       u64 offset, unsigned int size, u64 val)
{
	struct mig_test_device *t = to_mig_test(core);

	if (size != 4)
		return -EINVAL;
	switch (offset) {
	case MIG_TEST_HOOK_WINDOW:
		WRITE_ONCE(t->window, val);
		return 0;
	case MIG_TEST_HOOK_FAULT:
		if (val > MIG_TEST_FAULT_REINIT)
			return -EINVAL;
		if (val == MIG_TEST_FAULT_ABORT)
			vfio_pci_core_mig_abort(core, -ENOLINK);
		else
			WRITE_ONCE(t->fault, val);
		return 0;
	default:
		return -EINVAL;
	}
}

static const struct vfio_pci_core_bar_trap mig_test_hooks[] = {
	{ .bar = 0, .offset = MIG_TEST_HOOK_WINDOW, .size = 12,
	  .read = mig_test_hook_read, .write = mig_test_hook_write },
};

/* The hooks are per user. */
static int mig_test_open_device(struct vfio_device *vdev)
{
	struct mig_test_device *t =
		to_mig_test(container_of(vdev, struct vfio_pci_core_device,
					 vdev));

	WRITE_ONCE(t->window, 0);
	WRITE_ONCE(t->fault, MIG_TEST_FAULT_NONE);
	return vfio_pci_core_open_device(vdev);
}

static int mig_test_setup(struct vfio_pci_core_device *core,
			  const struct pci_device_id *id)
{
	struct mig_test_device *t = to_mig_test(core);
	int ret;

	ret = vfio_pci_core_bar_add_traps(core, mig_test_hooks,
					  ARRAY_SIZE(mig_test_hooks));
	return ret ?: mig_test_state_init(t);
}

static void mig_test_teardown(struct vfio_pci_core_device *core)
{
	mig_test_state_free(to_mig_test(core));
}

static const struct pci_device_id mig_test_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, mig_test_ids);

static struct vfio_pci_core_variant mig_test_variant = {
	.driver = {
		.name = "vfio-pci-mig-test",
		.id_table = mig_test_ids,
	},
	.ops = {
		.open_device = mig_test_open_device,
	},
	.dev_size = VFIO_PCI_CORE_VARIANT_SIZE(struct mig_test_device, core),
	.setup = mig_test_setup,
	.teardown = mig_test_teardown,
};
module_vfio_pci_core_variant(mig_test_variant);

MODULE_LICENSE("GPL");
MODULE_VERSION(VFIO_PCI_CORE_VERSION);
MODULE_DESCRIPTION("VFIO PCI test variant: ivshmem-plain's BAR2 as migration state");
