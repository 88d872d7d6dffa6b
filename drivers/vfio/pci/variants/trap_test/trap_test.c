// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-trap-test: a variant driver that exists to test the core's trap
 * framework.  It binds QEMU's pci-testdev (1b36:0005) and e1000e
 * (8086:10d3), only through driver_override, and declares one of each kind
 * of trap; tools/testing/selftests/vfio/vfio_trap_test.c checks what
 * userspace sees.  The layout below is that test's contract.
 *
 * pci-testdev (no capabilities, 256 bytes of config space):
 *   config 0x2e (2)  subsystem ID, static 0xbeef, read-only
 *   config 0x40      vendor-specific capability, 8 bytes, added second
 *   config 0x60      vendor-specific capability, 0x14 bytes, added first
 *   config 0x64 (4)  static 0x12345678, writable bits 0x0000ffff
 *   config 0x68 (4)  all bits writable; reads return the stored bits inverted
 *   config 0xa0 (4)  free space: static 0xa5a5a5a5, writable 0xff00ff00
 *   BAR0 0x100 (16)  scratch: reads return what was written
 *   BAR0 0x200 (8)   reads: (offset << 8) | size of the last scratch access
 *   BAR0 0x800 (4)   writes counted, then forwarded to the device
 *   BAR0 0x808 (4)   reads: how many writes 0x800 forwarded
 *   BAR1 0x40 (8)    I/O scratch
 *   BAR2 0x1008 (8)  scratch, in the second page of the 64-bit BAR
 *
 * e1000e:
 *   MSI hidden; DSN (extended) hidden; PM replaced in place by a virtual
 *   copy (PMC 0x0003, PMCSR 0); a vendor-specific extended capability
 *   added at 0x200, 0x10 bytes, version 1, with a writable register at
 *   0x20c (static 0x0000c0de, writable 0xffff0000).  INTx is not offered
 *   (vfio_pci_core_set_nointx(), the path of the core's nointx quirk).
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vfio_pci_core.h>

struct trap_test_device {
	struct vfio_pci_core_device core;
	struct mutex lock;		/* guards the fields below */
	u8 scratch[3][16];		/* BAR0, BAR1 and BAR2 scratch */
	u64 last;			/* last scratch access: offset << 8 | size */
	u32 forwarded;			/* writes passed on to BAR0 0x800 */
};

static struct trap_test_device *to_trap_test(struct vfio_pci_core_device *core)
{
	return container_of(core, struct trap_test_device, core);
}

static u8 *trap_test_scratch(struct trap_test_device *t,
			     const struct vfio_pci_core_bar_trap *trap,
			     u64 offset)
{
	return &t->scratch[trap->bar][offset - trap->offset];
}

static int trap_test_scratch_read(struct vfio_pci_core_device *core,
				  const struct vfio_pci_core_bar_trap *trap,
				  u64 offset, unsigned int size, u64 *val)
{
	struct trap_test_device *t = to_trap_test(core);
	__le64 le = 0;

	mutex_lock(&t->lock);
	memcpy(&le, trap_test_scratch(t, trap, offset), size);
	t->last = offset << 8 | size;
	mutex_unlock(&t->lock);
	*val = le64_to_cpu(le);
	return 0;
}

static int trap_test_scratch_write(struct vfio_pci_core_device *core,
				   const struct vfio_pci_core_bar_trap *trap,
				   u64 offset, unsigned int size, u64 val)
{
	struct trap_test_device *t = to_trap_test(core);
	__le64 le = cpu_to_le64(val);

	mutex_lock(&t->lock);
	memcpy(trap_test_scratch(t, trap, offset), &le, size);
	t->last = offset << 8 | size;
	mutex_unlock(&t->lock);
	return 0;
}

static int trap_test_last_read(struct vfio_pci_core_device *core,
			       const struct vfio_pci_core_bar_trap *trap,
			       u64 offset, unsigned int size, u64 *val)
{
	struct trap_test_device *t = to_trap_test(core);
	unsigned int shift = 8 * (offset - trap->offset);

	mutex_lock(&t->lock);
	*val = t->last >> shift;
	mutex_unlock(&t->lock);
	if (size < 8)
		*val &= (1ULL << (8 * size)) - 1;
	return 0;
}

static int trap_test_forward_write(struct vfio_pci_core_device *core,
				   const struct vfio_pci_core_bar_trap *trap,
				   u64 offset, unsigned int size, u64 val)
{
	struct trap_test_device *t = to_trap_test(core);

	mutex_lock(&t->lock);
	t->forwarded++;
	mutex_unlock(&t->lock);
	return vfio_pci_core_bar_hw_write(core, trap->bar, offset, size, val);
}

static int trap_test_count_read(struct vfio_pci_core_device *core,
				const struct vfio_pci_core_bar_trap *trap,
				u64 offset, unsigned int size, u64 *val)
{
	struct trap_test_device *t = to_trap_test(core);
	unsigned int shift = 8 * (offset - trap->offset);

	mutex_lock(&t->lock);
	*val = (t->forwarded >> shift) & ((1ULL << (8 * size)) - 1);
	mutex_unlock(&t->lock);
	return 0;
}

static const struct vfio_pci_core_bar_trap testdev_bar_traps[] = {
	{ .bar = 0, .offset = 0x100, .size = 16,
	  .read = trap_test_scratch_read, .write = trap_test_scratch_write },
	{ .bar = 0, .offset = 0x200, .size = 8, .read = trap_test_last_read },
	{ .bar = 0, .offset = 0x800, .size = 4,
	  .write = trap_test_forward_write },
	{ .bar = 0, .offset = 0x808, .size = 4, .read = trap_test_count_read },
	{ .bar = 1, .offset = 0x40, .size = 8,
	  .read = trap_test_scratch_read, .write = trap_test_scratch_write },
	{ .bar = 2, .offset = 0x1008, .size = 8,
	  .read = trap_test_scratch_read, .write = trap_test_scratch_write },
};

/* Reads return the stored bits inverted. */
static int trap_test_invert_read(struct vfio_pci_core_device *core,
				 const struct vfio_pci_core_cfg_reg *reg,
				 unsigned int offset, unsigned int size,
				 u32 *val)
{
	*val = ~*val;
	if (size < 4)
		*val &= (1U << (8 * size)) - 1;
	return 0;
}

static const struct vfio_pci_core_cfg_reg testdev_cfg_regs[] = {
	{ .offset = PCI_SUBSYSTEM_ID, .size = 2, .value = 0xbeef },
	{ .offset = 0x64, .size = 4, .value = 0x12345678,
	  .writable = 0x0000ffff },
	{ .offset = 0x68, .size = 4, .writable = ~0u,
	  .read = trap_test_invert_read },
	{ .offset = 0xa0, .size = 4, .value = 0xa5a5a5a5,
	  .writable = 0xff00ff00 },
};

/* Vendor-specific capabilities: byte 2 is the length. */
static const u8 testdev_vndr_60[0x14] = { 0, 0, 0x14, 'T', 'R', 'A', 'P' };
static const u8 testdev_vndr_40[8] = { 0, 0, 8, 'V', 'F', 'I', 'O' };

/*
 * Declarations the core must refuse, with the errno it must give.  A
 * mismatch fails the probe, which the selftest sees as a failed bind.
 */
static bool want(struct vfio_pci_core_device *core, unsigned int line,
		 int got, int err)
{
	if (got == err)
		return true;
	pci_warn(core->pdev, "trap-test: check at line %u gave %d, not %d\n",
		 line, got, err);
	return false;
}

static const struct vfio_pci_core_cfg_reg bad_regs[] = {
	{ .offset = 0x64, .size = 3 },			/* size */
	{ .offset = 0x65, .size = 2 },			/* alignment */
	{ .offset = 0x100, .size = 4 },			/* past 256 bytes */
	{ .offset = PCI_COMMAND, .size = 2 },		/* the core's */
	{ .offset = PCI_STATUS, .size = 2 },
	{ .offset = PCI_BASE_ADDRESS_2, .size = 4 },
	{ .offset = PCI_ROM_ADDRESS, .size = 4 },
	{ .offset = PCI_CAPABILITY_LIST, .size = 1 },
	{ .offset = 0x60, .size = 2 },			/* a capability header */
	{ .offset = 0x40, .size = 1 },
};

static int trap_test_refusals_before(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_cfg_cap cap = { .id = PCI_CAP_ID_VNDR,
					     .offset = 0x80, .len = 8 };
	struct vfio_pci_core_bar_trap bt = { .bar = 0, .offset = 0,
					     .size = 4 };
	bool ok = true;
	unsigned int i;
	int r;

	cap.offset = 0x3c;
	r = vfio_pci_core_cfg_add_cap(core, &cap);
	ok &= want(core, __LINE__, r, -EINVAL);
	cap.offset = 0x82;
	r = vfio_pci_core_cfg_add_cap(core, &cap);
	ok &= want(core, __LINE__, r, -EINVAL);
	cap.offset = 0xfc;
	r = vfio_pci_core_cfg_add_cap(core, &cap);
	ok &= want(core, __LINE__, r, -EINVAL);
	cap.offset = 0x80;
	cap.len = 1;
	r = vfio_pci_core_cfg_add_cap(core, &cap);
	ok &= want(core, __LINE__, r, -EINVAL);
	cap.len = 8;
	cap.id = 0x100;
	r = vfio_pci_core_cfg_add_cap(core, &cap);
	ok &= want(core, __LINE__, r, -EINVAL);
	cap.id = PCI_EXT_CAP_ID_VNDR;
	cap.extended = true;
	cap.offset = 0x100;
	r = vfio_pci_core_cfg_add_cap(core, &cap);
	ok &= want(core, __LINE__, r, -EINVAL);
	cap.id = PCI_CAP_ID_PM;
	cap.extended = false;
	cap.offset = 0;
	r = vfio_pci_core_cfg_replace_cap(core, &cap);
	ok &= want(core, __LINE__, r, -ENOENT);

	r = vfio_pci_core_bar_add_traps(core, &bt, 0);
	ok &= want(core, __LINE__, r, 0);
	bt.bar = 6;
	r = vfio_pci_core_bar_add_traps(core, &bt, 1);
	ok &= want(core, __LINE__, r, -EINVAL);
	bt.bar = 3;	/* the upper half of 64-bit BAR2 */
	r = vfio_pci_core_bar_add_traps(core, &bt, 1);
	ok &= want(core, __LINE__, r, -EINVAL);
	bt.bar = 0;
	bt.size = 0;
	r = vfio_pci_core_bar_add_traps(core, &bt, 1);
	ok &= want(core, __LINE__, r, -EINVAL);
	bt.offset = 0xffc;
	bt.size = 8;
	r = vfio_pci_core_bar_add_traps(core, &bt, 1);
	ok &= want(core, __LINE__, r, -EINVAL);
	bt.offset = U64_MAX - 1;
	bt.size = 4;
	r = vfio_pci_core_bar_add_traps(core, &bt, 1);
	ok &= want(core, __LINE__, r, -EINVAL);
	/* Two that overlap each other: neither is taken. */
	{
		const struct vfio_pci_core_bar_trap two[] = {
			{ .bar = 0, .offset = 0x300, .size = 8 },
			{ .bar = 0, .offset = 0x304, .size = 8 },
		};

		r = vfio_pci_core_bar_add_traps(core, two, 2);
		ok &= want(core, __LINE__, r, -EBUSY);
	}

	for (i = 0; i < ARRAY_SIZE(bad_regs); i++) {
		/* Header bytes of capabilities are refused once they exist. */
		if (bad_regs[i].offset == 0x60 || bad_regs[i].offset == 0x40)
			continue;
		r = vfio_pci_core_cfg_add_regs(core, &bad_regs[i], 1);
		ok &= want(core, __LINE__, r, -EINVAL);
	}
	return ok ? 0 : -EINVAL;
}

static int trap_test_refusals_after(struct vfio_pci_core_device *core)
{
	const struct vfio_pci_core_cfg_cap cap = { .id = PCI_CAP_ID_VNDR,
						   .offset = 0x44, .len = 8 };
	const struct vfio_pci_core_cfg_reg reg = { .offset = 0x66, .size = 2 };
	const struct vfio_pci_core_bar_trap bt = { .bar = 0, .offset = 0x10f,
						   .size = 2 };
	bool ok = true;
	unsigned int i;
	int r;

	r = vfio_pci_core_cfg_add_cap(core, &cap);
	ok &= want(core, __LINE__, r, -EBUSY);
	r = vfio_pci_core_cfg_add_regs(core, &reg, 1);
	ok &= want(core, __LINE__, r, -EBUSY);
	r = vfio_pci_core_bar_add_traps(core, &bt, 1);
	ok &= want(core, __LINE__, r, -EBUSY);
	for (i = 0; i < ARRAY_SIZE(bad_regs); i++) {
		r = vfio_pci_core_cfg_add_regs(core, &bad_regs[i], 1);
		ok &= want(core, __LINE__, r, -EINVAL);
	}
	return ok ? 0 : -EINVAL;
}

static int trap_test_setup_testdev(struct vfio_pci_core_device *core)
{
	static const struct vfio_pci_core_cfg_cap caps[] = {
		{ .id = PCI_CAP_ID_VNDR, .offset = 0x60,
		  .len = sizeof(testdev_vndr_60), .data = testdev_vndr_60 },
		{ .id = PCI_CAP_ID_VNDR, .offset = 0x40,
		  .len = sizeof(testdev_vndr_40), .data = testdev_vndr_40 },
	};
	unsigned int i;
	int ret;

	ret = trap_test_refusals_before(core);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		ret = vfio_pci_core_cfg_add_cap(core, &caps[i]);
		if (ret)
			return ret;
	}
	ret = vfio_pci_core_cfg_add_regs(core, testdev_cfg_regs,
					 ARRAY_SIZE(testdev_cfg_regs));
	if (ret)
		return ret;
	ret = vfio_pci_core_bar_add_traps(core, testdev_bar_traps,
					  ARRAY_SIZE(testdev_bar_traps));
	if (ret)
		return ret;
	return trap_test_refusals_after(core);
}

/* PMC: version 3, nothing else; PMCSR: D0. */
static const u8 e1000e_pm[8] = { 0, 0, 0x03, 0x00, 0, 0, 0, 0 };
/* VSEC header: ID 0x1234, revision 1, length 0x10. */
static const u8 e1000e_vsec[0x10] = { 0, 0, 0, 0, 0x34, 0x12, 0x01, 0x01 };

/*
 * PMCSR, PCIe device control (FLR), MSI flags and MSI-X control: the core
 * acts on writes to them, so a register over any of them is refused.
 */
static int trap_test_refuse_core_owned(struct vfio_pci_core_device *core)
{
	struct pci_dev *pdev = core->pdev;
	const struct {
		u8 cap;
		u8 off;
		u8 size;
	} owned[] = {
		{ PCI_CAP_ID_PM, PCI_PM_CTRL, 2 },
		{ PCI_CAP_ID_EXP, PCI_EXP_DEVCTL, 2 },
		{ PCI_CAP_ID_MSI, PCI_MSI_FLAGS, 2 },
		{ PCI_CAP_ID_MSIX, PCI_MSIX_FLAGS, 2 },
	};
	bool ok = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(owned); i++) {
		struct vfio_pci_core_cfg_reg reg = {
			.size = owned[i].size, .writable = ~0u,
		};
		u8 pos = pci_find_capability(pdev, owned[i].cap);

		if (!pos) {
			pci_warn(pdev, "trap-test: no capability %#x\n",
				 owned[i].cap);
			return -ENODEV;
		}
		reg.offset = pos + owned[i].off;
		ok &= want(core, __LINE__ + i * 1000,
			   vfio_pci_core_cfg_add_regs(core, &reg, 1), -EINVAL);
	}
	return ok ? 0 : -EINVAL;
}

static int trap_test_setup_e1000e(struct vfio_pci_core_device *core)
{
	static const struct vfio_pci_core_cfg_cap pm = {
		.id = PCI_CAP_ID_PM, .len = sizeof(e1000e_pm),
		.data = e1000e_pm,
	};
	static const struct vfio_pci_core_cfg_cap vsec = {
		.id = PCI_EXT_CAP_ID_VNDR, .extended = true, .version = 1,
		.offset = 0x200, .len = sizeof(e1000e_vsec),
		.data = e1000e_vsec,
	};
	static const struct vfio_pci_core_cfg_reg reg = {
		.offset = 0x20c, .size = 4, .value = 0x0000c0de,
		.writable = 0xffff0000,
	};
	static const struct vfio_pci_core_cfg_cap at_aer = {
		.id = PCI_EXT_CAP_ID_VNDR, .extended = true, .offset = 0x100,
		.len = 8,
	};
	static const struct vfio_pci_core_cfg_reg head = {
		.offset = 0x100, .size = 4,
	};
	int ret;

	/* Registers whose writes the core acts on are never a trap's. */
	ret = trap_test_refuse_core_owned(core);
	if (ret)
		return ret;

	/* AER stays visible at 0x100: neither may take its place. */
	if (!want(core, __LINE__, vfio_pci_core_cfg_add_cap(core, &at_aer),
		  -EBUSY) ||
	    !want(core, __LINE__, vfio_pci_core_cfg_add_regs(core, &head, 1),
		  -EINVAL))
		return -EINVAL;

	vfio_pci_core_set_nointx(core);
	ret = vfio_pci_core_cfg_hide_cap(core, PCI_CAP_ID_MSI, false);
	if (!ret)
		ret = vfio_pci_core_cfg_hide_cap(core, PCI_EXT_CAP_ID_DSN, true);
	if (!ret)
		ret = vfio_pci_core_cfg_replace_cap(core, &pm);
	if (!ret)
		ret = vfio_pci_core_cfg_add_cap(core, &vsec);
	if (!ret)
		ret = vfio_pci_core_cfg_add_regs(core, &reg, 1);
	return ret;
}

static int trap_test_setup(struct vfio_pci_core_device *core,
			   const struct pci_device_id *id)
{
	struct trap_test_device *t = to_trap_test(core);
	int ret;

	mutex_init(&t->lock);
	if (core->pdev->vendor == PCI_VENDOR_ID_INTEL)
		ret = trap_test_setup_e1000e(core);
	else
		ret = trap_test_setup_testdev(core);
	if (ret) {
		pci_warn(core->pdev, "trap-test: setup failed: %d\n", ret);
		mutex_destroy(&t->lock);
	}
	return ret;
}

static void trap_test_teardown(struct vfio_pci_core_device *core)
{
	mutex_destroy(&to_trap_test(core)->lock);
}

/* A replaced op: checks that declarations are closed once registered. */
static int trap_test_open_device(struct vfio_device *vdev)
{
	struct vfio_pci_core_device *core =
		container_of(vdev, struct vfio_pci_core_device, vdev);
	static const struct vfio_pci_core_cfg_reg reg = {
		.offset = 0xb0, .size = 4,
	};

	static const struct vfio_pci_core_region region = {
		.size = PAGE_SIZE, .flags = VFIO_PCI_CORE_REGION_READ,
		.phys = PAGE_SIZE,
	};
	struct trap_test_device *t = to_trap_test(core);

	if (vfio_pci_core_cfg_add_regs(core, &reg, 1) != -EBUSY ||
	    vfio_pci_core_cfg_hide_cap(core, PCI_CAP_ID_EXP, false) != -EBUSY ||
	    vfio_pci_core_add_region(core, &region) != -EBUSY ||
	    vfio_pci_core_add_vbar(core, 4, &region, 0) != -EBUSY ||
	    vfio_pci_core_set_idle_d3(core, false) != -EBUSY ||
	    vfio_pci_core_dirty_init(core) || core->vdev.log_ops)
		return -EIO;

	/* Nothing of the previous user's accesses is left for this one. */
	mutex_lock(&t->lock);
	memset(t->scratch, 0, sizeof(t->scratch));
	t->last = 0;
	t->forwarded = 0;
	mutex_unlock(&t->lock);
	return vfio_pci_core_open_device(vdev);
}

/*
 * Test hook for the rig's leak check: each write to the leak_one parameter
 * allocates an object and forgets it, so a kmemleak scan must report one
 * object allocated by this module (tools/testing/vm/guest/harden.sh).
 * Larger than any kmalloc cache: a small object's pointer can stay behind in
 * the slab cache's per-CPU sheaf after it is handed out, and kmemleak,
 * which scans the sheaves, then takes the object for referenced.
 */
#define TRAP_TEST_LEAK_SIZE	(4 * PAGE_SIZE)

static int trap_test_leak_one(const char *val, const struct kernel_param *kp)
{
	void *p = kmalloc(TRAP_TEST_LEAK_SIZE, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	memset(p, 0x6b, TRAP_TEST_LEAK_SIZE);
	pr_info("vfio-pci-trap-test: leaked one object on request\n");
	return 0;
}

static const struct kernel_param_ops trap_test_leak_ops = {
	.set = trap_test_leak_one,
};
module_param_cb(leak_one, &trap_test_leak_ops, NULL, 0200);
MODULE_PARM_DESC(leak_one, "Test hook: leak one object per write");

static const struct pci_device_id trap_test_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_REDHAT, 0x0005) },
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x10d3) },
	{ }
};
MODULE_DEVICE_TABLE(pci, trap_test_ids);

static struct vfio_pci_core_variant trap_test_variant = {
	.driver = {
		.name = "vfio-pci-trap-test",
		.id_table = trap_test_ids,
	},
	.ops = {
		.open_device = trap_test_open_device,
	},
	.dev_size = VFIO_PCI_CORE_VARIANT_SIZE(struct trap_test_device, core),
	.setup = trap_test_setup,
	.teardown = trap_test_teardown,
};
module_vfio_pci_core_variant(trap_test_variant);

MODULE_VERSION(VFIO_PCI_CORE_VERSION);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant for testing config-space and BAR traps");
