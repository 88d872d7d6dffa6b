/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci-core: the library that hands a PCI function to userspace through
 * the VFIO uAPI.  This is the only header a variant driver includes.
 *
 * A variant driver embeds struct vfio_pci_core_device at the start of its own
 * device structure and describes itself with a struct vfio_pci_core_variant
 * (vfio_pci_core_variant.h, included below): the core supplies the device
 * ops it does not replace, the PCI probe and remove, and config-space and
 * BAR traps.
 *
 * Everything the core keeps about a device beyond the few members below lives
 * in a private structure that variant drivers cannot see.  They reach it only
 * through the functions declared here.
 */
#ifndef __LINUX_VFIO_PCI_CORE_H
#define __LINUX_VFIO_PCI_CORE_H

#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/uuid.h>
#include <linux/vfio_pci_core_compat.h>
#include <linux/vfio_pci_core_variant.h>

struct vfio_pci_core_private;

/**
 * struct vfio_pci_core_device - the part of a vfio-pci device a variant sees
 * @vdev: the VFIO device; must stay the first member (vfio_alloc_device()
 *	  requires it at offset 0 of the structure it allocates).
 * @pdev: the PCI function this device drives.  Set by
 *	  vfio_pci_core_init_dev() and constant afterwards.
 */
struct vfio_pci_core_device {
	struct vfio_device vdev;
	struct pci_dev *pdev;
	/* private: the core's own state, opaque to variant drivers */
	struct vfio_pci_core_private *priv;
};

/**
 * vfio_pci_core_init_dev() - &vfio_device_ops.init for a vfio-pci device
 * @vdev: the device being allocated by vfio_alloc_device()
 *
 * Allocates the core's private state.  A variant with its own init op calls
 * this from it.  Undo with vfio_pci_core_release_dev().
 *
 * Return: 0 or -ENOMEM.
 */
int vfio_pci_core_init_dev(struct vfio_device *vdev);

/**
 * vfio_pci_core_release_dev() - &vfio_device_ops.release for a vfio-pci device
 * @vdev: the device whose last reference was dropped
 *
 * Frees what vfio_pci_core_init_dev() allocated.
 */
void vfio_pci_core_release_dev(struct vfio_device *vdev);

/**
 * DOC: vfio_pci_core_pm_ops
 *
 * Runtime power management of a vfio-pci device.  Every driver built on
 * the core names these in its &struct pci_driver:
 * ``.driver = { .pm = &vfio_pci_core_pm_ops }``.  They let an unopened device
 * idle in a low-power state and serve the VFIO_DEVICE_FEATURE_LOW_POWER_*
 * features; with them set, the vfio core also wakes the device around every
 * device ioctl.  vfio_pci_core_register_device() refuses a driver without
 * runtime PM callbacks.
 */
extern const struct dev_pm_ops vfio_pci_core_pm_ops;

/**
 * vfio_pci_core_set_idle_d3() - choose whether an unopened device idles in D3
 * @core: the device, after vfio_alloc_device() and before
 *	  vfio_pci_core_register_device()
 * @idle_d3: true (the default) to runtime-suspend the device, to D3hot where
 *	     it can, while nobody has it open; false to keep it in D0
 *
 * The choice holds for the device's lifetime.  vfio-pci passes its
 * disable_idle_d3 module parameter through this.
 */
void vfio_pci_core_set_idle_d3(struct vfio_pci_core_device *core,
			       bool idle_d3);

/**
 * vfio_pci_core_set_nointx() - never offer the function's INTx to users
 * @core: the device, after vfio_alloc_device() and before
 *	  vfio_pci_core_register_device()
 *
 * For a function whose INTx cannot be shared safely (it never reports its
 * interrupt in STATUS.INTERRUPT although COMMAND.INTX_DISABLE works): the
 * user sees INTERRUPT_PIN 0 and no INTx interrupt, and the function keeps
 * INTx disabled while open.  The core already applies this to the devices
 * known for it; a variant calls it for others.  The choice holds for the
 * device's lifetime.
 */
void vfio_pci_core_set_nointx(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_set_vga_disabled() - withhold the VGA region of a device
 * @core: the device, after vfio_alloc_device() and before
 *	  vfio_pci_core_register_device()
 * @disabled: true to offer no VGA region (VFIO_PCI_VGA_REGION_INDEX has size
 *	      0 and refuses access) even on a VGA-class function; false, the
 *	      default, to offer it where the kernel supports VFIO VGA
 *
 * With the region withheld, the device tells the VGA arbiter it does not
 * decode the legacy VGA ranges, unless the bridge above it cannot cut them
 * off from it (root bus) or another VGA function shares that bridge.  The
 * choice holds for the device's lifetime.  vfio-pci passes its disable_vga
 * module parameter through this.
 */
void vfio_pci_core_set_vga_disabled(struct vfio_pci_core_device *core,
				    bool disabled);

/**
 * vfio_pci_core_register_device() - make a probed function visible to users
 * @core: the device, allocated with vfio_alloc_device()
 *
 * Call from the variant's probe after dev_set_drvdata(&pdev->dev, core).
 * Creates the group and cdev nodes.  Puts the function in D0 and then, unless
 * vfio_pci_core_set_idle_d3() said otherwise, lets it runtime-suspend until a
 * user opens it.  Undo with vfio_pci_core_unregister_device().
 *
 * Return: 0 or a negative errno (-EINVAL for a function the core cannot
 * drive, such as a bridge, or a driver without &vfio_pci_core_pm_ops).
 */
int vfio_pci_core_register_device(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_unregister_device() - undo vfio_pci_core_register_device()
 * @core: the device
 *
 * Waits until every user has closed the device.
 */
void vfio_pci_core_unregister_device(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_open_device() - &vfio_device_ops.open_device
 * @vdev: the device being opened for the first time
 *
 * Saves the function's state for restore at the last close, enables it and
 * tries a function reset; whether that reset worked decides if
 * VFIO_DEVICE_RESET is offered.  Decides which BARs may be mmapped.
 *
 * Return: 0 or a negative errno (-EAGAIN if the device was locked by someone
 * else, so that the reset could not be tried).
 */
int vfio_pci_core_open_device(struct vfio_device *vdev);

/**
 * vfio_pci_core_close_device() - &vfio_device_ops.close_device
 * @vdev: the device whose last user went away
 *
 * Resets the function if reset works, disables it and restores the state
 * saved at open.
 */
void vfio_pci_core_close_device(struct vfio_device *vdev);

/**
 * vfio_pci_core_ioctl() - &vfio_device_ops.ioctl
 * @vdev: the device
 * @cmd: the VFIO_DEVICE_* command
 * @arg: the user pointer argument
 *
 * Return: what the uAPI documents for @cmd; -ENOTTY for an unknown command.
 */
long vfio_pci_core_ioctl(struct vfio_device *vdev, unsigned int cmd,
			 unsigned long arg);

/**
 * vfio_pci_core_device_feature() - &vfio_device_ops.device_feature
 * @vdev: the device
 * @flags: the VFIO_DEVICE_FEATURE_* flags and feature number from userspace
 * @arg: the user pointer to the feature's data, after the header
 * @argsz: the size of the data at @arg
 *
 * Serves the features the core implements.  A variant with features of its
 * own answers those first and calls this for the rest.
 *
 * Return: 0 or 1 as the feature defines, -ENOTTY for a feature this device
 * does not have, -EINVAL for an operation the feature does not support.
 */
int vfio_pci_core_device_feature(struct vfio_device *vdev, u32 flags,
				 void __user *arg, size_t argsz);

/**
 * vfio_pci_core_get_region_info_caps() - describe one region
 * @vdev: the device
 * @info: in: the index; out: size, offset and flags
 * @caps: capability chain to append to
 *
 * &vfio_device_ops.get_region_info_caps on kernels that route
 * VFIO_DEVICE_GET_REGION_INFO through it; on older kernels
 * vfio_pci_core_ioctl() calls it.
 *
 * Return: 0, or -EINVAL for an unknown index.
 */
int vfio_pci_core_get_region_info_caps(struct vfio_device *vdev,
				       struct vfio_region_info *info,
				       struct vfio_info_cap *caps);

/**
 * VFIO_PCI_CORE_REGION_INFO_OP - the region-info member of vfio_device_ops
 *
 * Put this line in a variant's &struct vfio_device_ops: on kernels whose vfio
 * core asks for region info through &vfio_device_ops.get_region_info_caps it
 * sets that member, on older ones it expands to nothing (vfio_pci_core_ioctl()
 * answers there).
 */
#if VFIO_PCI_COMPAT_CORE_REGION_INFO
#define VFIO_PCI_CORE_REGION_INFO_OP \
	.get_region_info_caps = vfio_pci_core_get_region_info_caps,
#else
#define VFIO_PCI_CORE_REGION_INFO_OP
#endif

/**
 * vfio_pci_core_read() - &vfio_device_ops.read
 * @vdev: the device
 * @buf: user buffer
 * @count: bytes to read
 * @ppos: region index and offset, encoded as the region info reports
 *
 * Return: bytes read, or a negative errno.
 */
ssize_t vfio_pci_core_read(struct vfio_device *vdev, char __user *buf,
			   size_t count, loff_t *ppos);

/**
 * vfio_pci_core_write() - &vfio_device_ops.write
 * @vdev: the device
 * @buf: user buffer
 * @count: bytes to write
 * @ppos: region index and offset, encoded as the region info reports
 *
 * Return: bytes written, or a negative errno.
 */
ssize_t vfio_pci_core_write(struct vfio_device *vdev, const char __user *buf,
			    size_t count, loff_t *ppos);

/**
 * vfio_pci_core_mmap() - &vfio_device_ops.mmap
 * @vdev: the device
 * @vma: the new mapping; vm_pgoff encodes region index and offset
 *
 * Only memory BARs whose region info has VFIO_REGION_INFO_FLAG_MMAP can be
 * mapped, with MAP_SHARED and within the BAR rounded up to a page.  Pages
 * are inserted on first touch, and only while the BARs decode; otherwise the
 * access gets SIGBUS.
 *
 * Return: 0, or -EINVAL for a region or range that cannot be mapped.
 */
int vfio_pci_core_mmap(struct vfio_device *vdev, struct vm_area_struct *vma);

/**
 * vfio_pci_core_zap_bars() - revoke all userspace mappings of the BARs
 * @core: the device
 *
 * Mappings are repopulated by the fault handler on the next access.  Use
 * vfio_pci_core_memory_lock_zap() instead when about to stop BAR decoding.
 */
void vfio_pci_core_zap_bars(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_memory_lock_zap() - lock out BAR access and revoke mappings
 * @core: the device
 *
 * Call before anything that can stop the BARs from decoding (COMMAND memory
 * enable cleared, low-power state, reset).  Until
 * vfio_pci_core_memory_unlock(), BAR read/write and mmap faults wait.  Must
 * not be called with user memory access pending under it: the caller must not
 * copy to or from user memory until it unlocks.
 *
 * Context: process context; may sleep.
 */
void vfio_pci_core_memory_lock_zap(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_memory_unlock() - end vfio_pci_core_memory_lock_zap()
 * @core: the device
 */
void vfio_pci_core_memory_unlock(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_request() - &vfio_device_ops.request
 * @vdev: the device being unbound while a user still holds it open
 * @count: how many times the vfio core asked before (0 on the first call)
 *
 * Signals the eventfd the user set on VFIO_PCI_REQ_IRQ_INDEX, asking it to
 * close the device.  The vfio core calls this again every few seconds
 * until the last user has closed.  Without a REQ eventfd it only logs, once.
 *
 * Context: any process context; takes no mutex of the device, so it does
 * not wait for an ioctl in progress.
 */
void vfio_pci_core_request(struct vfio_device *vdev, unsigned int count);

/**
 * vfio_pci_core_aer_err_detected() - &pci_error_handlers.error_detected
 * @pdev: the function AER reported an error on
 * @state: the channel state (unused: the user decides what to do)
 *
 * Signals the eventfd the user set on VFIO_PCI_ERR_IRQ_INDEX.  A variant
 * with its own &struct pci_error_handlers calls this from its
 * error_detected callback; others use &vfio_pci_core_err_handlers.
 *
 * Context: called by the PCI error recovery code; takes no mutex of the
 * device.
 *
 * Return: PCI_ERS_RESULT_CAN_RECOVER.
 */
pci_ers_result_t vfio_pci_core_aer_err_detected(struct pci_dev *pdev,
						pci_channel_state_t state);

/**
 * DOC: vfio_pci_core_err_handlers
 *
 * PCI error handlers for a vfio-pci driver.  Put the address of
 * vfio_pci_core_err_handlers in &pci_driver.err_handler.  Relays AER
 * errors to the user's ERR eventfd through vfio_pci_core_aer_err_detected().
 */
extern const struct pci_error_handlers vfio_pci_core_err_handlers;

/**
 * vfio_pci_core_match() - &vfio_device_ops.match for the group path
 * @vdev: the device
 * @buf: the string given to VFIO_GROUP_GET_DEVICE_FD
 *
 * @buf is the device name, optionally followed by spaces and one
 * "vf_token=<uuid>".  The token is checked as vfio_pci_core_match_token_uuid()
 * does (through &vfio_device_ops.match_token_uuid where the kernel has it).
 *
 * Return: 1 when @buf names this device and the token rules allow the open,
 * 0 when it names another device, -EINVAL for malformed options or a token
 * that does not apply, -EACCES for a missing or wrong token.
 */
int vfio_pci_core_match(struct vfio_device *vdev, char *buf);

/**
 * vfio_pci_core_match_token_uuid() - check the VF token given at open
 * @vdev: the device being opened
 * @uuid: the token the user gave, or NULL if none
 *
 * &vfio_device_ops.match_token_uuid on kernels that have it (use
 * VFIO_PCI_CORE_MATCH_TOKEN_OP); vfio_pci_core_match() uses it too.  A VF
 * whose PF was enabled by a vfio-pci-core driver needs the PF's token; a PF
 * with VFs open needs the current token; a PF without open VFs takes @uuid
 * as its new token.
 *
 * Return: 0 to allow the open, -EACCES for a missing or wrong token,
 * -EINVAL for a token given to a device that has none.
 */
int vfio_pci_core_match_token_uuid(struct vfio_device *vdev,
				   const uuid_t *uuid);

/**
 * VFIO_PCI_CORE_MATCH_TOKEN_OP - the token-check member of vfio_device_ops
 *
 * Put this line in a variant's &struct vfio_device_ops: where the vfio core
 * checks VF tokens on the cdev path through
 * &vfio_device_ops.match_token_uuid it sets that member to
 * vfio_pci_core_match_token_uuid(), on older kernels it expands to nothing.
 */
#if VFIO_PCI_COMPAT_MATCH_TOKEN_UUID_OP
#define VFIO_PCI_CORE_MATCH_TOKEN_OP \
	.match_token_uuid = vfio_pci_core_match_token_uuid,
#else
#define VFIO_PCI_CORE_MATCH_TOKEN_OP
#endif

/**
 * vfio_pci_core_sriov_configure() - enable or disable the PF's VFs
 * @core: the PF
 * @nr_virtfn: how many VFs to create, or 0 to remove them all
 *
 * For a variant's &pci_driver.sriov_configure, which the PCI core calls with
 * the PF's device lock held.  The VFs created get the PF driver's name as
 * driver_override and need the PF's VF token to be opened.  Disabling waits
 * until every VF is unbound, and so until their users have closed them.
 * vfio_pci_core_unregister_device() disables SR-IOV itself.
 *
 * Context: process context, PF device lock held.
 * Return: @nr_virtfn when enabled, 0 when disabled, or a negative errno
 * (-EINVAL if SR-IOV is already enabled).
 */
int vfio_pci_core_sriov_configure(struct vfio_pci_core_device *core,
				  int nr_virtfn);
/* Live migration: the core runs the state machine, a variant does the work */

struct vfio_pci_mig_stream;

/**
 * struct vfio_pci_core_mig_ops - the device work behind live migration
 * @version: version of the variant's record layout.  It travels in the stream
 *	     header; a stream saved with another version is refused.
 * @max_size: the most payload bytes one complete set of the variant's records
 *	      takes (the core adds its framing).  Bounds what a data file holds
 *	      and is the default stop-copy size estimate.  At most
 *	      %VFIO_PCI_MIG_MAX_SIZE.
 * @stop: arc RUNNING_P2P -> STOP.  Wait for the device's work in flight and
 *	  keep it from starting more: when this returns the device does no DMA,
 *	  raises no interrupt and its state does not change.  Required.
 * @start: arc STOP -> RUNNING_P2P: let a stopped device run again.  Required.
 * @p2p_quiesce: arc RUNNING -> RUNNING_P2P: stop initiating peer-to-peer DMA.
 *		 Optional; a device without P2P DMA needs nothing here.
 * @p2p_resume: arc RUNNING_P2P -> RUNNING: undo @p2p_quiesce.  Optional.
 * @save: append the device's state to @s with vfio_pci_mig_put().  Called
 *	  with the device stopped, on entering STOP_COPY.  Required.
 * @load: restore the device state from @s with vfio_pci_mig_get().  Called
 *	  with the device stopped, on the arc RESUMING -> STOP, after the core
 *	  has checked the stream's framing, version and checksums.  Required.
 * @precopy: while the device runs, append data the destination can load
 *	     ahead of the stop: everything (@initial true, on entering PRE_COPY)
 *	     or what changed since the last call (@initial false, on
 *	     VFIO_MIG_GET_PRECOPY_INFO once the reader has read all there was).
 *	     Records appended later replace earlier ones with the same tag.
 *	     Optional; when set the device offers VFIO_MIGRATION_PRE_COPY.
 * @size: estimate of the bytes @save will append.  Optional (default
 *	  @max_size).
 * @reset: the device was reset and is RUNNING again: drop whatever the
 *	   variant keeps for migration and lift any stop.  May be called from
 *	   the reset path with the device's memory lock held for write, so it
 *	   must neither access the device nor sleep on a lock.  Optional.
 *
 * Every callback but @reset is called with the core's migration state lock
 * held and no other core lock; none may touch user memory.  To access the
 * BARs a callback brackets the access with vfio_pci_core_mmio_begin() and
 * vfio_pci_core_mmio_end().  A callback that fails moves the device to the
 * ERROR state, which only a reset leaves.
 */
struct vfio_pci_core_mig_ops {
	u32 version;
	size_t max_size;
	int (*stop)(struct vfio_pci_core_device *core);
	int (*start)(struct vfio_pci_core_device *core);
	int (*p2p_quiesce)(struct vfio_pci_core_device *core);
	int (*p2p_resume)(struct vfio_pci_core_device *core);
	int (*save)(struct vfio_pci_core_device *core,
		    struct vfio_pci_mig_stream *s);
	int (*load)(struct vfio_pci_core_device *core,
		    struct vfio_pci_mig_stream *s);
	int (*precopy)(struct vfio_pci_core_device *core,
		       struct vfio_pci_mig_stream *s, bool initial);
	size_t (*size)(struct vfio_pci_core_device *core);
	void (*reset)(struct vfio_pci_core_device *core);
};

/**
 * define VFIO_PCI_MIG_MAX_SIZE - upper bound of &vfio_pci_core_mig_ops.max_size
 */
#define VFIO_PCI_MIG_MAX_SIZE	(64UL << 20)

/**
 * define VFIO_PCI_MIG_MAX_RECORDS - distinct record tags one stream may carry
 */
#define VFIO_PCI_MIG_MAX_RECORDS	16

/**
 * vfio_pci_core_migration_init() - offer live migration, driven by the core
 * @core: the device, allocated but not yet registered
 * @ops: the variant's device work; must stay valid while the device exists
 *
 * Sets the device's &vfio_device.mig_ops and &vfio_device.migration_flags
 * (STOP_COPY and P2P, plus PRE_COPY when @ops has a precopy callback).  Call
 * from probe before vfio_pci_core_register_device().
 *
 * Return: 0, or -EINVAL for incomplete @ops or a @max_size out of range.
 */
int vfio_pci_core_migration_init(struct vfio_pci_core_device *core,
				 const struct vfio_pci_core_mig_ops *ops);

/**
 * vfio_pci_mig_put() - append one record to a migration stream being saved
 * @s: the stream passed to &vfio_pci_core_mig_ops.save or .precopy
 * @tag: the record's tag, chosen by the variant; below 0x80000000
 * @data: the record's bytes
 * @len: their number; at most &vfio_pci_core_mig_ops.max_size
 *
 * Return: 0, -EINVAL for a reserved @tag, -EFBIG when the stream would grow
 * past its bound, -ENOMEM.
 */
int vfio_pci_mig_put(struct vfio_pci_mig_stream *s, u32 tag, const void *data,
		     size_t len);

/**
 * vfio_pci_mig_sent() - whether a stream being saved carries a record
 * @s: the stream passed to &vfio_pci_core_mig_ops.save or .precopy
 * @tag: the record's tag
 *
 * For a variant that sends a large record ahead in PRE_COPY and again at
 * stop-copy only when it changed.
 *
 * Return: true when a record @tag was appended to @s before.
 */
bool vfio_pci_mig_sent(struct vfio_pci_mig_stream *s, u32 tag);

/**
 * vfio_pci_mig_get() - copy out the last record of a tag from a loaded stream
 * @s: the stream passed to &vfio_pci_core_mig_ops.load
 * @tag: the record's tag
 * @data: where to copy it
 * @len: the size the record must have
 *
 * Return: 0, or -EINVAL when the stream has no record @tag of exactly @len
 * bytes.
 */
int vfio_pci_mig_get(struct vfio_pci_mig_stream *s, u32 tag, void *data,
		     size_t len);

/**
 * vfio_pci_core_mmio_begin() - access the BARs from a driver callback
 * @core: the device
 *
 * Takes the device's memory lock for write and turns memory decoding on if
 * the user had it off.  Pair with vfio_pci_core_mmio_end().  In between the
 * caller must not touch user memory or call anything that may (such as
 * iommufd_access_rw()), and user BAR accesses wait.
 *
 * Context: process context; may sleep.
 * Return: the COMMAND register to hand to vfio_pci_core_mmio_end().
 */
u16 vfio_pci_core_mmio_begin(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_mmio_end() - end vfio_pci_core_mmio_begin()
 * @core: the device
 * @cmd: what vfio_pci_core_mmio_begin() returned
 */
void vfio_pci_core_mmio_end(struct vfio_pci_core_device *core, u16 cmd);

/**
 * vfio_pci_core_iomap() - the kernel mapping of a memory BAR
 * @core: the device, open
 * @bar: the BAR index
 *
 * The mapping lives until the last close.
 *
 * Return: the mapping, or an IOMEM_ERR_PTR() (-EINVAL for a BAR that is not
 * memory, -EBUSY or -ENOMEM when it cannot be mapped).
 */
void __iomem *vfio_pci_core_iomap(struct vfio_pci_core_device *core,
				  unsigned int bar);

/**
 * vfio_pci_core_attach_ioas() - &vfio_device_ops.attach_ioas
 * @vdev: the device
 * @pt_id: in: the IOAS or page table to attach to; out: the page table used
 *
 * vfio_iommufd_physical_attach_ioas(), plus remembering the IOAS for
 * vfio_pci_core_iova_rw().
 *
 * Return: 0 or a negative errno from iommufd.
 */
int vfio_pci_core_attach_ioas(struct vfio_device *vdev, u32 *pt_id);

/**
 * vfio_pci_core_detach_ioas() - &vfio_device_ops.detach_ioas
 * @vdev: the device
 */
void vfio_pci_core_detach_ioas(struct vfio_device *vdev);

/**
 * vfio_pci_core_iova_rw() - CPU access to the device's IOVA space
 * @core: the device, attached through iommufd with
 *	  vfio_pci_core_attach_ioas() to an IOAS
 * @iova: the IOVA of the first byte
 * @buf: kernel buffer
 * @len: bytes
 * @write: copy @buf to the IOVA range (else from it)
 *
 * For a driver that moves device-internal memory by DMA: it can read what
 * the device wrote and provide what the device will read.  The IOVA range
 * must be mapped (and writable for @write).  May fault in user memory: never
 * call it between vfio_pci_core_mmio_begin() and vfio_pci_core_mmio_end().
 *
 * Context: process context; may sleep.
 * Return: 0, -EOPNOTSUPP when the device is not attached to an IOAS (type1
 * container, or a kernel without iommufd), or iommufd's errno (-EINVAL,
 * -ENOENT for an unmapped range, -EPERM for a read-only one).
 */
int vfio_pci_core_iova_rw(struct vfio_pci_core_device *core, u64 iova,
			  void *buf, size_t len, bool write);

/**
 * vfio_pci_core_iova_lend() - move device memory through borrowed IOVA space
 * @core: the device, as for vfio_pci_core_iova_rw()
 * @iova: a range of the user's IOVA space the device can reach, mapped
 *	  readable and writable
 * @buf: @len bytes: what the device gets, or where what it gave lands
 * @len: bytes
 * @to_device: @buf is copied to the range before @dma (else the range is
 *	       copied to @buf after @dma)
 * @dma: makes the device read (@to_device) or write the range by DMA and
 *	 waits for it; returns 0 or a negative errno
 * @arg: passed to @dma
 *
 * For device memory that only DMA reaches (saving or loading it for
 * migration).  The user's bytes in the range are saved first and put back
 * afterwards, whatever @dma did; the user must not touch the range
 * meanwhile.  Same context rules as vfio_pci_core_iova_rw(); @dma may use
 * vfio_pci_core_mmio_begin().
 *
 * Return: 0, the errno of @dma, or as vfio_pci_core_iova_rw().
 */
int vfio_pci_core_iova_lend(struct vfio_pci_core_device *core, u64 iova,
			    void *buf, size_t len, bool to_device,
			    int (*dma)(struct vfio_pci_core_device *core,
				       void *arg), void *arg);

/* Dirty page tracking of device DMA, in software */

/**
 * vfio_pci_core_dirty_init() - offer VFIO_DEVICE_FEATURE_DMA_LOGGING_*
 * @core: the device, allocated but not yet registered
 *
 * Sets &vfio_device.log_ops to the core's software tracker.  The variant
 * tells the tracker what the device wrote with vfio_pci_core_dirty_mark().
 * Call from probe before vfio_pci_core_register_device().
 */
void vfio_pci_core_dirty_init(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_dirty_mark() - record that the device wrote an IOVA range
 * @core: the device
 * @iova: first byte written
 * @length: bytes written
 *
 * Marks every tracked page that the range touches.  Parts outside the ranges
 * the user asked to track are ignored, as is the whole call while no
 * tracking runs.
 *
 * Context: any; takes a spinlock.
 */
void vfio_pci_core_dirty_mark(struct vfio_pci_core_device *core, u64 iova,
			      u64 length);

/**
 * vfio_pci_core_reset_done() - &pci_error_handlers.reset_done
 * @pdev: the function, bound to a driver built on vfio-pci-core
 *
 * Tells the core that the function was reset behind its back (sysfs reset,
 * AER recovery): the migration state returns to RUNNING and open migration
 * data files stop working.  The core's own resets do this themselves.
 */
void vfio_pci_core_reset_done(struct pci_dev *pdev);

#endif /* __LINUX_VFIO_PCI_CORE_H */
