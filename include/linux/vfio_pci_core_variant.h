/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci-core: the variant-driver framework.  Included by vfio_pci_core.h;
 * variant drivers include that header, not this one.
 *
 * A variant describes itself with a struct vfio_pci_core_variant: its PCI
 * driver (name, IDs), the few &struct vfio_device_ops members it replaces,
 * the size of its device structure and a setup callback.  The core supplies
 * every other op, the PCI probe and remove, and at setup time lets the
 * variant declare traps:
 *
 * - config-space traps: virtual registers (a value and a writable mask, or
 *   read/write handlers), and capabilities added at a chosen offset, hidden,
 *   or replaced by a virtual copy.  The core applies them at every open on
 *   top of its own config virtualization and keeps both capability chains
 *   consistent.
 * - BAR traps: ranges of a BAR whose read(2)/write(2) accesses go to the
 *   variant's handlers.  The pages holding them cannot be mmapped; the rest
 *   of the BAR stays mappable and is reported with a sparse-mmap capability.
 *
 * Traps are declared only from &vfio_pci_core_variant.setup (or before
 * vfio_pci_core_register_device() in a variant with its own probe) and live
 * as long as the device; the core copies what it is given.
 */
#ifndef __LINUX_VFIO_PCI_CORE_VARIANT_H
#define __LINUX_VFIO_PCI_CORE_VARIANT_H

#include <linux/build_bug.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/vfio.h>

struct vfio_pci_core_device;

/* ---------------------------------------------------------------------- */
/* Starting a variant                                                      */
/* ---------------------------------------------------------------------- */

/**
 * struct vfio_pci_core_variant - a variant driver's description of itself
 * @driver: the PCI driver.  Set @driver.name and @driver.id_table (use
 *	    PCI_DRIVER_OVERRIDE_DEVICE_VFIO() entries); members left zero get
 *	    the core's: @driver.probe and @driver.remove call
 *	    vfio_pci_core_variant_probe() and vfio_pci_core_variant_remove(),
 *	    @driver.err_handler has vfio_pci_core_reset_done() as reset_done,
 *	    and @driver.driver_managed_dma is always set.
 * @ops: the vfio device ops.  Set only the members the variant replaces;
 *	 vfio_pci_core_variant_register() fills every NULL member with the
 *	 core's default (vfio_pci_core_default_ops()), @ops.name with
 *	 @driver.name.  A variant's own @ops.init or @ops.release must call
 *	 vfio_pci_core_init_dev() or vfio_pci_core_release_dev().
 * @dev_size: size of the variant's device structure, which starts with a
 *	      struct vfio_pci_core_device; see VFIO_PCI_CORE_VARIANT_SIZE().
 *	      0 means the core's structure alone.
 * @setup: optional; called by the probe after the device is allocated and
 *	   before it is registered, to declare traps and set up the variant's
 *	   own state.  A non-zero return fails the probe.
 * @teardown: optional; called by the remove after the device is
 *	      unregistered (no user holds it any more), before the last
 *	      reference is dropped.  Not called when @setup failed.
 * @open_state: optional; the offset in the variant's device structure of
 *		what a user leaves behind, which the variant places last: the
 *		core zeroes from there to the end (@dev_size) whenever a user
 *		opens the device, before any trap or migration callback can
 *		run, so that nothing of the last user's reaches the next one.
 *		0 means nothing.
 * @reset_done: optional; the function was reset.  Called once per reset,
 *		whatever did it: VFIO_DEVICE_RESET, an FLR the user asked for
 *		through config space, a hot reset of its set, the resets at
 *		open and at the last close, and resets behind the core's back
 *		(AER recovery, sysfs) through &vfio_pci_core_err_handlers.
 *		The core's own resets call it with the memory lock held for
 *		write and the BAR mappings revoked, others without; so it must
 *		not sleep on a lock, touch user memory or call back into the
 *		core, and may reach the device only through a kernel mapping
 *		it already holds.  See Documentation/vfio-pci-core/contract.rst.
 *
 * Registered with vfio_pci_core_variant_register() or
 * module_vfio_pci_core_variant().  Must stay in memory (static storage)
 * while registered: devices point at @ops.
 */
struct vfio_pci_core_variant {
	struct pci_driver driver;
	struct vfio_device_ops ops;
	size_t dev_size;
	int (*setup)(struct vfio_pci_core_device *core,
		     const struct pci_device_id *id);
	void (*teardown)(struct vfio_pci_core_device *core);
	size_t open_state;
	void (*reset_done)(struct vfio_pci_core_device *core);
};

/**
 * VFIO_PCI_CORE_VARIANT_SIZE() - &vfio_pci_core_variant.dev_size of a type
 * @type: the variant's device structure
 * @member: its struct vfio_pci_core_device member, which must come first
 */
#define VFIO_PCI_CORE_VARIANT_SIZE(type, member)			\
	(sizeof(type) + BUILD_BUG_ON_ZERO(offsetof(type, member) != 0))

/**
 * vfio_pci_core_default_ops() - fill the unset members of a device ops table
 * @ops: the table; every NULL function member gets the core's default
 *
 * The defaults are the core's functions for every member the core serves
 * and the physical iommufd helpers.  vfio_pci_core_variant_register() does
 * this for &vfio_pci_core_variant.ops; a variant that registers its own
 * pci_driver calls it once, from module init, on its own (non-const) table.
 *
 * Context: process context, module init.
 */
void vfio_pci_core_default_ops(struct vfio_device_ops *ops);

/**
 * __vfio_pci_core_variant_register() - register a variant's PCI driver
 * @variant: the variant
 * @owner: the module, THIS_MODULE
 * @mod_name: KBUILD_MODNAME
 *
 * Use vfio_pci_core_variant_register().  Fills the defaults of
 * &vfio_pci_core_variant.ops and &vfio_pci_core_variant.driver, then
 * registers the driver.
 *
 * Context: process context, module init.
 * Return: 0 or the negative errno of pci driver registration (-EINVAL for
 * a @dev_size smaller than struct vfio_pci_core_device).
 */
int __vfio_pci_core_variant_register(struct vfio_pci_core_variant *variant,
				     struct module *owner,
				     const char *mod_name);

/**
 * vfio_pci_core_variant_register() - register a variant's PCI driver
 * @variant: the variant, in static storage
 *
 * Return: 0 or a negative errno.
 */
#define vfio_pci_core_variant_register(variant)				\
	__vfio_pci_core_variant_register(variant, THIS_MODULE, KBUILD_MODNAME)

/**
 * vfio_pci_core_variant_unregister() - undo vfio_pci_core_variant_register()
 * @variant: the variant
 *
 * Unbinds (removes) every device the variant drives.
 *
 * Context: process context, module exit; sleeps until every device is
 * removed.
 */
void vfio_pci_core_variant_unregister(struct vfio_pci_core_variant *variant);

/*
 * The version of the tree (dkms.conf's PACKAGE_VERSION, passed by Kbuild).
 * Every module of ours reports it: MODULE_VERSION(VFIO_PCI_CORE_VERSION).
 */
#ifndef VFIO_PCI_CORE_VERSION
#define VFIO_PCI_CORE_VERSION	"unknown"
#endif

/**
 * module_vfio_pci_core_variant() - a module that only registers a variant
 * @variant: the struct vfio_pci_core_variant (not a pointer)
 */
#define module_vfio_pci_core_variant(variant)				\
	module_driver(variant, vfio_pci_core_variant_register,		\
		      vfio_pci_core_variant_unregister)

/**
 * vfio_pci_core_variant_probe() - probe a function for a variant
 * @variant: the variant (its @ops filled, see vfio_pci_core_default_ops())
 * @pdev: the function
 * @id: the matching entry, passed to &vfio_pci_core_variant.setup
 *
 * Allocates the device (&vfio_pci_core_variant.dev_size bytes), sets the
 * drvdata, calls &vfio_pci_core_variant.setup and registers the device.
 * The default &pci_driver.probe of a registered variant; a variant with its
 * own pci_driver calls it from its probe.
 *
 * Context: process context, &pci_driver.probe (device lock held by the driver
 * core).
 * Return: 0 or a negative errno; nothing is left allocated on error.
 */
int vfio_pci_core_variant_probe(const struct vfio_pci_core_variant *variant,
				struct pci_dev *pdev,
				const struct pci_device_id *id);

/**
 * vfio_pci_core_variant_remove() - remove a function probed by a variant
 * @pdev: the function
 *
 * Unregisters the device (waiting for its users to close it), calls
 * &vfio_pci_core_variant.teardown and drops the last reference.
 *
 * Context: process context, &pci_driver.remove (device lock held by the
 * driver core); sleeps until the last user is gone.
 */
void vfio_pci_core_variant_remove(struct pci_dev *pdev);

/* ---------------------------------------------------------------------- */
/* Config-space traps                                                      */
/* ---------------------------------------------------------------------- */

/**
 * struct vfio_pci_core_cfg_reg - a virtual config-space register
 * @offset: its offset in config space, a multiple of @size
 * @size: 1, 2 or 4 bytes
 * @value: its value at every open (little-endian in config space, like
 *	   every register)
 * @writable: bits the user may change; they are stored virtually and never
 *	      reach the device.  Other bits keep their value.
 * @read: optional; called for every read of the register (or of a part of
 *	  it) with *@val holding the stored virtual value of that part; may
 *	  replace it.  Return 0 or a negative errno for the user.
 * @write: optional; called for every write after the writable bits are
 *	   stored, with the value the user wrote (all bits, shifted to the
 *	   part written).  For side effects, e.g. forwarding to the device with
 *	   vfio_pci_core_cfg_hw_write().  Return 0 or a negative errno.
 *
 * The register is fully virtual: the device never sees the user's accesses
 * unless a handler forwards them.  Handler arguments: the device, this
 * register (the core's copy), and the config-space @offset and @size (1, 2
 * or 4, naturally aligned, within the register) of the part accessed.
 * Handlers run in process context with the config lock held, may sleep, and
 * must not call back into config-space access of the same device except
 * through vfio_pci_core_cfg_hw_read() and vfio_pci_core_cfg_hw_write().
 */
struct vfio_pci_core_cfg_reg {
	u16 offset;
	u8 size;
	u32 value;
	u32 writable;
	int (*read)(struct vfio_pci_core_device *core,
		    const struct vfio_pci_core_cfg_reg *reg,
		    unsigned int offset, unsigned int size, u32 *val);
	int (*write)(struct vfio_pci_core_device *core,
		     const struct vfio_pci_core_cfg_reg *reg,
		     unsigned int offset, unsigned int size, u32 val);
};

/**
 * vfio_pci_core_cfg_add_regs() - declare virtual config registers
 * @core: the device, not yet registered
 * @regs: the registers
 * @n: how many
 *
 * A register may lie in the header (except COMMAND, STATUS, the BARs, the
 * ROM BAR and the capability pointer, which the core owns), inside a
 * hardware capability the variant leaves visible (except over a register
 * whose writes the core acts on: PM control/status, PCIe device control,
 * AF control, MSI flags, MSI-X control; replace the capability to own
 * those), inside a capability the variant adds or replaces, or in free
 * space; never over the ID and link bytes (standard: 2, extended: 4) of a
 * capability.  All or none of @regs are taken.
 *
 * Context: process context, before registration.
 * Return: 0; -EINVAL for a bad size, alignment, offset or a forbidden
 * place; -EBUSY for an overlap with a register already declared; -ENOMEM;
 * -EBUSY once the device is registered.
 */
int vfio_pci_core_cfg_add_regs(struct vfio_pci_core_device *core,
			       const struct vfio_pci_core_cfg_reg *regs,
			       unsigned int n);

/**
 * struct vfio_pci_core_cfg_cap - a virtual capability
 * @id: capability ID (standard or extended, see @extended)
 * @extended: an extended (PCIe, offset 0x100 and up) capability
 * @version: capability version, extended capabilities only
 * @offset: where it appears: standard 0x40..0xfc, extended 0x100 and up,
 *	    a multiple of 4.  For vfio_pci_core_cfg_replace_cap(), 0 means
 *	    "where the device has the capability being replaced".
 * @len: its length in bytes, header included; at least 2 (standard) or 4
 *	 (extended), and it must end inside config space
 * @data: optional, @len bytes: its initial contents.  The header (ID and
 *	  link, or the extended header) is the core's and ignored here.
 *	  NULL: zeros.
 *
 * Every byte reads from the virtual copy and is read-only; declare
 * registers over it with vfio_pci_core_cfg_add_regs() to make bits
 * writable or to handle accesses.  The core links the capability into its
 * chain (after the device's capabilities, or in the place of the one it
 * replaces) and sets the capabilities bit of STATUS.
 */
struct vfio_pci_core_cfg_cap {
	u16 id;
	bool extended;
	u8 version;
	u16 offset;
	u16 len;
	const void *data;
};

/**
 * vfio_pci_core_cfg_add_cap() - add a capability the device lacks
 * @core: the device, not yet registered
 * @cap: the capability; the core keeps a copy of it and of its data
 *
 * @cap must not overlap the header, a capability of the device that stays
 * visible, or another virtual capability.  An extended capability needs a
 * device with extended config space; at offset 0x100 it also needs the
 * device's capability there to be hidden or replaced.
 *
 * Hide or replace the device's capabilities before adding capabilities
 * where they were: overlaps are checked against what is visible at the
 * time of the call.
 *
 * Context: process context, before registration.
 * Return: 0; -EINVAL for a bad offset, length or an extended capability on
 * a device without extended config space; -EBUSY for an overlap, or once
 * the device is registered; -ENOSPC beyond 16 virtual capabilities;
 * -ENOMEM.
 */
int vfio_pci_core_cfg_add_cap(struct vfio_pci_core_device *core,
			      const struct vfio_pci_core_cfg_cap *cap);

/**
 * vfio_pci_core_cfg_hide_cap() - hide capabilities the device has
 * @core: the device, not yet registered
 * @id: capability ID
 * @extended: @id is an extended capability ID
 *
 * Every instance of @id is unlinked from the chain userspace walks; its
 * bytes become read-only.  Hiding an ID the device does not have is not an
 * error (the hardware chain is walked at every open).
 *
 * Context: process context, before registration.
 * Return: 0; -ENOMEM; -EBUSY once the device is registered.
 */
int vfio_pci_core_cfg_hide_cap(struct vfio_pci_core_device *core, u16 id,
			       bool extended);

/**
 * vfio_pci_core_cfg_replace_cap() - present a virtual copy of a capability
 * @core: the device, not yet registered
 * @cap: the replacement; @cap->id names the device's capability it replaces
 *
 * Hides the device's capability @cap->id, as vfio_pci_core_cfg_hide_cap()
 * does, and adds @cap in its place in the chain.  With @cap->offset 0 it
 * sits where the device has the capability (which must then exist at
 * probe).
 *
 * Context: process context, before registration.
 * Return: as vfio_pci_core_cfg_add_cap(); -ENOENT when @cap->offset is 0
 * and the device lacks the capability.
 */
int vfio_pci_core_cfg_replace_cap(struct vfio_pci_core_device *core,
				  const struct vfio_pci_core_cfg_cap *cap);

/**
 * vfio_pci_core_cfg_hw_read() - read the device's config space directly
 * @core: the device
 * @offset: config offset, a multiple of @size
 * @size: 1, 2 or 4
 * @val: the value read
 *
 * For trap handlers: bypasses the virtualization.
 *
 * Context: process context, e.g. a config trap handler (cfg_lock held).
 * Takes no core lock; may sleep while config access is blocked (during a
 * reset).
 * Return: 0 or a negative errno.
 */
int vfio_pci_core_cfg_hw_read(struct vfio_pci_core_device *core,
			      unsigned int offset, unsigned int size, u32 *val);

/**
 * vfio_pci_core_cfg_hw_write() - write the device's config space directly
 * @core: the device
 * @offset: config offset, a multiple of @size
 * @size: 1, 2 or 4
 * @val: the value to write
 *
 * For trap handlers: bypasses the virtualization.  Writing registers the
 * core owns (COMMAND, BARs, power state) behind its back is the caller's
 * responsibility.
 *
 * Context: process context, e.g. a config trap handler (cfg_lock held).
 * Takes no core lock; may sleep while config access is blocked (during a
 * reset).
 * Return: 0 or a negative errno.
 */
int vfio_pci_core_cfg_hw_write(struct vfio_pci_core_device *core,
			       unsigned int offset, unsigned int size, u32 val);

/**
 * vfio_pci_core_vf_pasid_fits() - may a VF show its PF's PASID here?
 * @vf: an SR-IOV virtual function
 * @offset: where its virtual PASID capability would start
 *
 * PCIe puts the PASID and PRI capabilities on the PF only; a VF uses the
 * PF's.  This checks a place for the virtual copies that
 * vfio_pci_core_cfg_add_vf_pasid() adds: 8 bytes of PASID at @offset and,
 * when the PF has PRI, 16 bytes of PRI right after them.  The range must lie
 * in extended config space (0x100 and up, a multiple of 4) and overlap no
 * capability of the VF's chain nor of the PF's (the PF's config space is
 * the usual template of the VF's; the PF's own PASID and PRI are the
 * exception, their offsets being the natural choice).  A capability whose
 * length is not fixed by the specification extends to the next one in its
 * chain, or to the end of config space.  It only says that nothing the
 * chains declare is in the way; that the bytes are free of hidden
 * registers is the caller's device knowledge.
 *
 * Return: 0; -EINVAL for a function that is not a VF, or a bad @offset;
 * -ENODEV when the PF has no PASID capability; -EBUSY when the range
 * overlaps a capability; -ENOSPC when it does not fit before the next
 * capability or the end of config space.
 */
int vfio_pci_core_vf_pasid_fits(struct pci_dev *vf, u16 offset);

/**
 * vfio_pci_core_cfg_add_vf_pasid() - give a VF virtual PASID and PRI
 * @core: a VF, not yet registered
 * @offset: where the PASID capability starts (see
 *	    vfio_pci_core_vf_pasid_fits()); PRI, when the PF has it, at
 *	    @offset + 8
 *
 * The capabilities are linked at the end of the VF's extended chain and
 * mirror the PF's:
 *
 * - PASID: EXEC and PRIV as the PF supports them; the Max PASID Width is the
 *   log2 of the PASIDs the IOMMU gives the VF (the PF's width capped by the
 *   IOMMU's), which is what IOMMU_GET_HW_INFO reports as
 *   out_max_pasid_log2 for the VF.  The control register is virtual: its
 *   Enable bit (and EXEC/PRIV enables the PF supports) can be set only
 *   while the PF's PASID is enabled; a write setting Enable otherwise
 *   fails with -EBUSY and changes nothing.  When the PF's PASID is turned
 *   off behind the VF user's back, the VF's Enable reads 0 from then on.
 * - PRI: the PF's outstanding page request capacity and PASID-required bit;
 *   control (Enable, Reset), status (Stopped while disabled) and the
 *   allocation register are virtual; Enable follows the same rule as PASID
 *   against the PF's PRI Enable.
 *
 * The VF's PASIDs are attached through VFIO_DEVICE_ATTACH_IOMMUFD_PT as for
 * any device; the virtual capability only tells the VF's user (typically a
 * VMM, which then needs no synthesis of its own) that they exist.
 *
 * Return: 0; the errors of vfio_pci_core_vf_pasid_fits() and of
 * vfio_pci_core_cfg_add_cap(); -EOPNOTSUPP when the IOMMU gives the VF no
 * PASID; -EBUSY when called twice.
 */
int vfio_pci_core_cfg_add_vf_pasid(struct vfio_pci_core_device *core,
				   u16 offset);

/* ---------------------------------------------------------------------- */
/* BAR traps                                                               */
/* ---------------------------------------------------------------------- */

/**
 * struct vfio_pci_core_bar_trap - a range of a BAR the variant intercepts
 * @bar: BAR index, 0..5 (a memory or I/O BAR the device has)
 * @offset: start of the range in the BAR
 * @size: its length in bytes, at least 1; the range must lie in the BAR
 * @read: optional; serves reads of the range.  NULL: reads reach the
 *	  device.
 * @write: optional; serves writes to the range.  NULL: writes reach the
 *	   device.
 *
 * read(2) and write(2) of the BAR are cut into naturally aligned pieces
 * that never cross the range's ends; each piece inside the range goes to
 * the handler with its offset in the BAR, its size (1, 2, 4 or 8; at most 4
 * for an I/O BAR) and its value in CPU byte order (the BAR is
 * little-endian).  A handler returns 0, or a negative errno that ends the
 * access (the user sees the bytes done before it, or the errno).  Handlers
 * run in process context without any lock of the core, may sleep, and may
 * reach the device with vfio_pci_core_bar_hw_read() and
 * vfio_pci_core_bar_hw_write().  Those take the core's memory lock for
 * read: a lock the handler holds across them must never be taken by code
 * running under that lock held for write (reset, power-state changes).
 *
 * Every page holding a byte of the range is kept out of mmap(2), whether
 * or not a handler is set: mmap of a range including such a page fails with
 * -EINVAL, and VFIO_DEVICE_GET_REGION_INFO lists the BAR's mappable areas
 * in a VFIO_REGION_INFO_CAP_SPARSE_MMAP capability.
 */
struct vfio_pci_core_bar_trap {
	u8 bar;
	u64 offset;
	u64 size;
	int (*read)(struct vfio_pci_core_device *core,
		    const struct vfio_pci_core_bar_trap *trap,
		    u64 offset, unsigned int size, u64 *val);
	int (*write)(struct vfio_pci_core_device *core,
		     const struct vfio_pci_core_bar_trap *trap,
		     u64 offset, unsigned int size, u64 val);
};

/**
 * vfio_pci_core_bar_add_traps() - declare trapped BAR ranges
 * @core: the device, not yet registered
 * @traps: the ranges; the core keeps a copy, passed to the handlers
 * @n: how many
 *
 * All or none of @traps are taken.
 *
 * Context: process context, before registration.
 * Return: 0; -EINVAL for a BAR the device lacks or a range of size 0 or
 * outside the BAR; -EBUSY for an overlap with another trapped range, or
 * once the device is registered; -ENOMEM.
 */
int vfio_pci_core_bar_add_traps(struct vfio_pci_core_device *core,
				const struct vfio_pci_core_bar_trap *traps,
				unsigned int n);

/**
 * vfio_pci_core_bar_hw_read() - read the device's BAR from a trap handler
 * @core: the device
 * @bar: BAR index
 * @offset: offset in the BAR, a multiple of @size
 * @size: 1, 2, 4 or 8 (8 only for a memory BAR on a 64-bit kernel)
 * @val: the value read, in CPU byte order
 *
 * Takes the core's memory lock for read and checks that the BAR decodes.
 *
 * Context: process context.  Takes memory_lock for read: never with it held,
 * so never from a region callback (-EDEADLK, reported by lockdep).
 * Return: 0; -EINVAL for a bad @bar, @size, alignment or a range outside
 * the BAR; -EIO when the BAR does not decode (memory or I/O disabled,
 * low-power state); the errno of mapping the BAR.
 */
int vfio_pci_core_bar_hw_read(struct vfio_pci_core_device *core,
			      unsigned int bar, u64 offset, unsigned int size,
			      u64 *val);

/**
 * vfio_pci_core_bar_hw_write() - write the device's BAR from a trap handler
 * @core: the device
 * @bar: BAR index
 * @offset: offset in the BAR, a multiple of @size
 * @size: 1, 2, 4 or 8 (8 only for a memory BAR on a 64-bit kernel)
 * @val: the value, in CPU byte order
 *
 * Context: process context.  Takes memory_lock for read: never with it held,
 * so never from a region callback (-EDEADLK, reported by lockdep).
 * Return: as vfio_pci_core_bar_hw_read().
 */
int vfio_pci_core_bar_hw_write(struct vfio_pci_core_device *core,
			       unsigned int bar, u64 offset, unsigned int size,
			       u64 val);

/**
 * vfio_pci_core_bar_hw_wait() - wait for bits of a device register to clear
 * @core: the device
 * @bar: BAR index
 * @offset: offset in the BAR, a multiple of @size
 * @size: as for vfio_pci_core_bar_hw_read()
 * @mask: the bits, set while the device is busy (a DMA engine's RUN bit)
 * @timeout_ms: how long to wait at most
 *
 * Polls with vfio_pci_core_bar_hw_read() about every millisecond, so a trap
 * handler can wait for work it started on the device.
 *
 * Context: process context; sleeps.
 * Return: 0 once the bits are clear, -ETIMEDOUT, or the errno of
 * vfio_pci_core_bar_hw_read().
 */
int vfio_pci_core_bar_hw_wait(struct vfio_pci_core_device *core,
			      unsigned int bar, u64 offset, unsigned int size,
			      u64 mask, unsigned int timeout_ms);

#endif /* __LINUX_VFIO_PCI_CORE_VARIANT_H */
