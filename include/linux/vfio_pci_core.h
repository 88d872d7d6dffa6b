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
#include <linux/sizes.h>
#include <linux/vfio.h>
#include <linux/uuid.h>
#include <linux/vfio_pci_core_compat.h>
#include <linux/vfio_pci_core_variant.h>
#include <linux/vfio_pci_core_region.h>

/**
 * DOC: symbol namespace
 *
 * Every function and table vfio-pci-core exports is in the ``VFIO_PCI_CORE``
 * symbol namespace.  Including this header imports it (one import_ns line in
 * the module's modinfo), so a variant module needs nothing more: not with
 * module_vfio_pci_core_variant(), nor with a hand-written module_init.
 * The core's own objects are built with VFIO_PCI_CORE_BUILD and skip the
 * import.
 */
#ifndef VFIO_PCI_CORE_BUILD
VFIO_PCI_COMPAT_IMPORT_NS(VFIO_PCI_CORE);
#endif

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
 * Context: process context, from vfio_alloc_device() in probe.
 * Return: 0 or -ENOMEM.
 */
int vfio_pci_core_init_dev(struct vfio_device *vdev);

/**
 * vfio_pci_core_release_dev() - &vfio_device_ops.release for a vfio-pci device
 * @vdev: the device whose last reference was dropped
 *
 * Frees what vfio_pci_core_init_dev() allocated.
 *
 * Context: process context, from the last vfio_put_device(); no core lock.
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
 *
 * Context: process context, before registration.
 * Return: 0, or -EBUSY once the device is registered.
 */
int vfio_pci_core_set_idle_d3(struct vfio_pci_core_device *core,
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
 *
 * Context: process context, before registration.
 * Return: 0, or -EBUSY once the device is registered.
 */
int vfio_pci_core_set_vga_disabled(struct vfio_pci_core_device *core,
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
 * Context: process context, probe (device lock held by the driver core).
 * Return: 0 or a negative errno (-EINVAL for a function the core cannot
 * drive, such as a bridge, or a driver without &vfio_pci_core_pm_ops).
 */
int vfio_pci_core_register_device(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_unregister_device() - undo vfio_pci_core_register_device()
 * @core: the device
 *
 * Waits until every user has closed the device.
 *
 * Context: process context, remove; sleeps until the last user is gone.
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
 * Context: process context, called by the vfio core with the device set's
 * lock held; takes memory_lock.
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
 *
 * Context: process context, called by the vfio core with the device set's
 * lock held; takes memory_lock.
 */
void vfio_pci_core_close_device(struct vfio_device *vdev);

/**
 * vfio_pci_core_ioctl() - &vfio_device_ops.ioctl
 * @vdev: the device
 * @cmd: the VFIO_DEVICE_* command
 * @arg: the user pointer argument
 *
 * Context: process context, a user's ioctl(2); no core lock held.  May sleep.
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
 * Context: process context, a user's VFIO_DEVICE_FEATURE; no core lock held.
 * May sleep.
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
 * Context: process context, a user's ioctl(2); no core lock held.
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
 * Context: process context, a user's read(2); no core lock held.  Takes
 * memory_lock for read around BAR, virtual BAR and device region accesses.
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
 * Context: process context, a user's write(2); no core lock held.  Takes
 * memory_lock for read around BAR, virtual BAR and device region accesses.
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
 * Context: process context, a user's mmap(2) (mmap_lock held for write by the
 * mm core).
 * Return: 0, or -EINVAL for a region or range that cannot be mapped.
 */
int vfio_pci_core_mmap(struct vfio_device *vdev, struct vm_area_struct *vma);

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
 * Context: process context, VFIO_GROUP_GET_DEVICE_FD.
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
 * Context: process context, at open.
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
 * define VFIO_PCI_MIG_RECORD_MAX - the largest payload one record may carry
 *
 * A variant cuts larger state into several records (a stream has no limit
 * on their number or on its total size).  A data file holds at most one
 * record of this size at a time, on either side.
 */
#define VFIO_PCI_MIG_RECORD_MAX		SZ_1M

/**
 * struct vfio_pci_core_mig_ops - the device work behind live migration
 * @version: version of the variant's record layout.  It travels in the stream
 *	     header; a stream saved with another version is refused.
 * @record_max: the largest payload of the variant's records, at most
 *		%VFIO_PCI_MIG_RECORD_MAX (0 means that).  A record announced
 *		longer is refused on resume.  Also the default stop-copy
 *		estimate.
 * @stop: arc RUNNING_P2P -> STOP.  Wait for the device's work in flight and
 *	  keep it from starting more: when this returns the device does no DMA,
 *	  raises no interrupt and its state does not change.  Required.  See
 *	  vfio_pci_core_mig_stopped() for the user's writes.
 * @start: arc STOP -> RUNNING_P2P: let a stopped device run again.  Required.
 * @p2p_quiesce: arc RUNNING -> RUNNING_P2P: stop initiating peer-to-peer DMA.
 *		 Optional; a device without P2P DMA needs nothing here.
 * @p2p_resume: arc RUNNING_P2P -> RUNNING: undo @p2p_quiesce.  Optional.
 * @save: produce the next part of the stopped device's state with
 *	  vfio_pci_mig_put().  Called on entering STOP_COPY and then each time
 *	  the reader has taken everything appended so far, so the variant
 *	  produces the state while userspace reads it.  After PRE_COPY it sends
 *	  what the destination does not have yet.  Returns 1 when more remains
 *	  (and at least one record was appended), 0 when the state is complete,
 *	  or a negative errno.  Optional when @precopy is set: the core then
 *	  calls @precopy in its place, as a first pass (@initial true) in a
 *	  session that starts at STOP_COPY, else as one more pass.
 * @precopy: the same while the device runs, in passes.  The first pass
 *	     (@initial true, in each call until it returns 0) sends
 *	     everything; once it returns 0 the reader meets a temporary end
 *	     (-ENOMSG).  VFIO_MIG_GET_PRECOPY_INFO then opens the next pass
 *	     (@initial false), which sends what changed since.  Optional; when
 *	     set the device offers VFIO_MIGRATION_PRE_COPY.
 * @save_end: the saving session is over: PRE_COPY ended without STOP_COPY
 *	      (back to RUNNING), or STOP_COPY was left for STOP, whether or not
 *	      the reader took everything.  Free what the session holds.  A
 *	      session that ends in ERROR or by a reset gets @reset instead.
 *	      Optional.
 * @load: apply one record of a stream being resumed.  Called from the
 *	  writer's write(), in stream order, as soon as the record has arrived
 *	  whole and its checksum matched; @data is valid only during the call.
 *	  Pre-copy records come first, in the order they were produced.  A
 *	  negative errno refuses the stream.  Required.
 * @load_end: the stream ended (its END record arrived) and the device leaves
 *	      RESUMING for STOP: finish and check the loaded state.  Optional.
 * @stop_copy_size: estimate of the payload bytes @save will produce, for
 *		    VFIO_DEVICE_FEATURE_MIG_DATA_SIZE.  May fail; the errno is
 *		    the ioctl's.  Optional (default @record_max).
 * @precopy_size: estimate of the payload bytes not yet appended in PRE_COPY:
 *		  what is left of the first pass and what changed since.  May
 *		  fail; the errno is VFIO_MIG_GET_PRECOPY_INFO's.  Optional
 *		  (default: nothing beyond what the data file holds).
 * @reset: the device was reset and is RUNNING again: drop whatever the
 *	   variant keeps for migration and lift any stop.  May be called from
 *	   the reset path with the device's memory lock held for write, so it
 *	   must neither access the device nor sleep on a lock.  Optional.
 *
 * Every callback but @reset is called with the core's migration state lock
 * held; @save, @precopy and @load also hold the data file's lock, so they
 * never run concurrently with each other.  None may touch user memory.  To
 * access the BARs a callback brackets the access with
 * vfio_pci_core_mmio_begin() and vfio_pci_core_mmio_end().  A callback that
 * fails moves the device to the ERROR state, which only a reset leaves; a
 * failing estimate only fails the ioctl that asked.
 */
struct vfio_pci_core_mig_ops {
	u32 version;
	u32 record_max;
	int (*stop)(struct vfio_pci_core_device *core);
	int (*start)(struct vfio_pci_core_device *core);
	int (*p2p_quiesce)(struct vfio_pci_core_device *core);
	int (*p2p_resume)(struct vfio_pci_core_device *core);
	int (*save)(struct vfio_pci_core_device *core,
		    struct vfio_pci_mig_stream *s);
	int (*precopy)(struct vfio_pci_core_device *core,
		       struct vfio_pci_mig_stream *s, bool initial);
	void (*save_end)(struct vfio_pci_core_device *core);
	int (*load)(struct vfio_pci_core_device *core, u32 tag,
		    const void *data, u32 len);
	int (*load_end)(struct vfio_pci_core_device *core);
	int (*stop_copy_size)(struct vfio_pci_core_device *core, u64 *bytes);
	int (*precopy_size)(struct vfio_pci_core_device *core, u64 *initial,
			    u64 *dirty);
	void (*reset)(struct vfio_pci_core_device *core);
};

/**
 * vfio_pci_core_migration_init() - offer live migration, driven by the core
 * @core: the device, allocated but not yet registered
 * @ops: the variant's device work; must stay valid while the device exists
 *
 * Sets the device's &vfio_device.mig_ops and &vfio_device.migration_flags
 * (STOP_COPY and P2P, plus PRE_COPY when @ops has a precopy callback).  Call
 * from probe before vfio_pci_core_register_device().
 *
 * Context: process context, before registration.
 * Return: 0, -EINVAL for incomplete @ops or a @record_max out of range, or
 * -EBUSY once the device is registered.
 */
int vfio_pci_core_migration_init(struct vfio_pci_core_device *core,
				 const struct vfio_pci_core_mig_ops *ops);

/**
 * vfio_pci_core_mig_stopped() - the device is stopped for migration
 * @core: the device, with migration
 *
 * True from just before &vfio_pci_core_mig_ops.stop is called until
 * &vfio_pci_core_mig_ops.start has returned 0 (or a reset): the user's
 * writes must not change the device then, so a BAR trap drops them or
 * keeps them for .start.  A trap that tests it under the lock .stop takes
 * sees it set once .stop holds that lock, so no write it lets through
 * lands after .stop has waited for the device.
 *
 * Return: whether the device is stopped.
 */
bool vfio_pci_core_mig_stopped(struct vfio_pci_core_device *core);

/**
 * vfio_pci_mig_put() - append one record to a migration stream being saved
 * @s: the stream passed to &vfio_pci_core_mig_ops.save or .precopy
 * @tag: the record's tag, chosen by the variant; below 0x80000000
 * @data: the record's bytes
 * @len: their number; at most &vfio_pci_core_mig_ops.record_max
 *
 * The record goes into the data file's buffer, which the reader empties
 * before the core asks for more.  The first record of a call always fits.
 *
 * Context: inside &vfio_pci_core_mig_ops.save or .precopy only.
 * Return: 0; -ENOSPC when the buffer is full (return 1 from the callback
 * and append the record in the next call); -EINVAL for a reserved @tag or
 * a stream being resumed; -EFBIG for a @len beyond @record_max; -ENOMEM.
 */
int vfio_pci_mig_put(struct vfio_pci_mig_stream *s, u32 tag, const void *data,
		     u32 len);

/**
 * vfio_pci_mig_reinit() - the device needs its state sent in full again
 * @s: the stream passed to &vfio_pci_core_mig_ops.precopy
 *
 * For a device that went back to its initial migration state while in
 * PRE_COPY (reconfigured, say), so that what changed since the last pass
 * is not enough: the pass under way becomes a first pass (the later calls
 * of &vfio_pci_core_mig_ops.precopy in it get @initial true), and the bytes
 * it appends, with those the data file still holds, count as initial.  The
 * next VFIO_MIG_GET_PRECOPY_INFO reports them in initial_bytes, resets
 * dirty_bytes to 0 and, when the user opted in with
 * VFIO_DEVICE_FEATURE_MIG_PRECOPY_INFOv2, sets VFIO_PRECOPY_INFO_REINIT in
 * its flags (kernels without that feature never report it).  Call it before
 * appending the new initial data.
 *
 * Context: inside &vfio_pci_core_mig_ops.precopy only.
 * Return: 0, or -EINVAL outside PRE_COPY.
 */
int vfio_pci_mig_reinit(struct vfio_pci_mig_stream *s);

/**
 * vfio_pci_core_mig_abort() - end the migration session from the variant
 * @core: the device
 * @err: the negative errno its open data files return from now on
 *	 (-EIO when @err is not an errno)
 *
 * For events outside the user's requests that make migration impossible
 * (the PF disabled SR-IOV, the firmware lost the device's state): the
 * device goes to ERROR, which only a reset leaves, and every open data file
 * fails its reads, writes and ioctls with @err.  When another thread holds
 * the migration state lock, it applies the abort when it unlocks.
 *
 * Context: process context; does not sleep.  Must not be called from a
 * &vfio_pci_core_mig_ops callback (return an errno from it instead).
 */
void vfio_pci_core_mig_abort(struct vfio_pci_core_device *core, int err);

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
 *
 * Context: the caller of vfio_pci_core_mmio_begin(), which still holds
 * memory_lock; releases it.
 */
void vfio_pci_core_mmio_end(struct vfio_pci_core_device *core, u16 cmd);

/**
 * vfio_pci_core_iomap() - the kernel mapping of a memory BAR
 * @core: the device, open
 * @bar: the BAR index
 *
 * The mapping lives until the last close.
 *
 * Context: process context, device open.  May sleep.
 * Return: the mapping, or an IOMEM_ERR_PTR() (-EINVAL for a BAR that is not
 * memory, -EBUSY or -ENOMEM when it cannot be mapped).
 */
void __iomem *vfio_pci_core_iomap(struct vfio_pci_core_device *core,
				  unsigned int bar);

/**
 * vfio_pci_core_mmio_begin_bar() - map a memory BAR and begin MMIO on it
 * @core: the device, open
 * @bar: the BAR index
 * @cmd: out: what to hand to vfio_pci_core_mmio_end()
 *
 * vfio_pci_core_iomap(), then vfio_pci_core_mmio_begin() when it worked.
 *
 * Context: process context; may sleep.
 * Return: the mapping, or the IOMEM_ERR_PTR() of vfio_pci_core_iomap(),
 * and then nothing is to be ended.
 */
void __iomem *vfio_pci_core_mmio_begin_bar(struct vfio_pci_core_device *core,
					   unsigned int bar, u16 *cmd);

/**
 * vfio_pci_core_attach_ioas() - &vfio_device_ops.attach_ioas
 * @vdev: the device
 * @pt_id: in: the IOAS or page table to attach to; out: the page table used
 *
 * vfio_iommufd_physical_attach_ioas().  For a device whose variant called
 * vfio_pci_core_iova_init(), first finds the IOAS behind @pt_id for
 * vfio_pci_core_iova_rw(): @pt_id itself, or for a page table the user
 * allocated, the one IOAS of the user's iommufd.
 *
 * Context: process context, called by the vfio core with the device's lock
 * held.  May sleep.
 * Return: 0, -EOPNOTSUPP when the IOAS behind a page table cannot be told
 * (the iommufd holds several, or none near its ID), or iommufd's errno.  A
 * refusal leaves the device's attachment as it was.
 */
int vfio_pci_core_attach_ioas(struct vfio_device *vdev, u32 *pt_id);

/**
 * vfio_pci_core_detach_ioas() - &vfio_device_ops.detach_ioas
 * @vdev: the device
 *
 * Context: process context, called by the vfio core with the device's lock
 * held.  May sleep.
 */
void vfio_pci_core_detach_ioas(struct vfio_device *vdev);

/**
 * vfio_pci_core_iova_init() - the variant reads and writes its IOVA space
 * @core: the device, allocated but not yet registered
 *
 * Makes vfio_pci_core_iova_rw() available: on the iommufd paths the core
 * then keeps an iommufd access on the IOAS behind every attachment, and
 * refuses an attachment whose IOAS it cannot tell (see
 * vfio_pci_core_attach_ioas()).  Call from probe before
 * vfio_pci_core_register_device().
 *
 * Context: process context, before registration.
 */
void vfio_pci_core_iova_init(struct vfio_pci_core_device *core);

/**
 * vfio_pci_core_iova_rw() - CPU access to the device's IOVA space
 * @core: the device; its variant called vfio_pci_core_iova_init()
 * @iova: the IOVA of the first byte
 * @buf: kernel buffer
 * @len: bytes
 * @write: copy @buf to the IOVA range (else from it)
 *
 * Reaches the memory the device reaches at @iova, on every binding: a type1
 * container (vfio_dma_rw()), an IOAS, or a page table allocated from an
 * IOAS.  For a driver that reads what a DMA the user started is about to
 * move, or carries out a DMA the user asked for.  It must never write the
 * user's memory on its own account.  The range must be mapped (and writable
 * for @write).  May fault in user memory: never call it between
 * vfio_pci_core_mmio_begin() and vfio_pci_core_mmio_end().  On a type1
 * container only from the process that mapped the memory.
 *
 * Context: process context; may sleep.
 * Return: 0, -EINVAL without vfio_pci_core_iova_init() or for an empty range,
 * -EOPNOTSUPP when the device is bound through iommufd but not attached, or
 * the errno of iommufd or of the container (-EINVAL or -ENOENT for an
 * unmapped range, -EPERM for a read-only one, -EFAULT).
 */
int vfio_pci_core_iova_rw(struct vfio_pci_core_device *core, u64 iova,
			  void *buf, size_t len, bool write);

/* Dirty page tracking of device DMA, in software */

/**
 * vfio_pci_core_dirty_init() - offer VFIO_DEVICE_FEATURE_DMA_LOGGING_*
 * @core: the device, allocated but not yet registered
 *
 * Sets &vfio_device.log_ops to the core's software tracker.  The variant
 * tells the tracker what the device wrote with vfio_pci_core_dirty_mark().
 * Call from probe before vfio_pci_core_register_device().
 *
 * Offered only when the kernel the core is built for can report dirty pages
 * to the user (CONFIG_IOMMUFD_DRIVER, which brings the vfio core's IOVA
 * bitmap helpers; without it they are stubs and every report would fail).
 * Migration does not depend on it.
 *
 * Context: process context, before registration.
 * Return: true when the features are offered; false on such a kernel, or
 * once the device is registered.
 */
bool vfio_pci_core_dirty_init(struct vfio_pci_core_device *core);

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
 * struct vfio_pci_core_dirty_span - one IOVA range a device tracker covers
 * @iova: first byte, aligned to the tracking page size
 * @length: bytes, a non-zero multiple of the tracking page size
 */
struct vfio_pci_core_dirty_span {
	u64 iova;
	u64 length;
};

/**
 * struct vfio_pci_core_dirty_ops - a device's own page tracker
 * @max_ranges: the most ranges the device tracks at once; a start with
 *		more is refused with -E2BIG before @start runs
 * @start: begin tracking @nr ranges (sorted by IOVA, not overlapping,
 *	   already checked by the core) at @page_size bytes per page (a
 *	   power of two from 4 KiB to 1 GiB).  0 or a negative errno, which
 *	   the start returns, with nothing left tracking.
 * @stop: end the tracking @start began.  Cannot fail.
 * @sync: before a report of [@iova, @iova + @length), which lies inside
 *	  one tracked range: tell the core every page the device wrote there
 *	  since the last sync, with vfio_pci_core_dirty_mark().  0 or a
 *	  negative errno (the tracker failed); on an error the core ends the
 *	  session (@stop, bitmaps freed) and the report fails with it.
 *
 * The core keeps doing everything else: checking the ranges and the page
 * size, one bitmap per range, the reports to the user (with their own
 * page size) and ending the session at the last close.
 *
 * Locking: the three calls run in process context with the tracker's own
 * mutex held (never the device's migration state lock nor its memory
 * lock), one at a time, and may sleep.  They must not call
 * vfio_pci_core_dirty_*() functions other than vfio_pci_core_dirty_mark().
 */
struct vfio_pci_core_dirty_ops {
	u32 max_ranges;
	int (*start)(struct vfio_pci_core_device *core,
		     const struct vfio_pci_core_dirty_span *spans, u32 nr,
		     u64 page_size);
	void (*stop)(struct vfio_pci_core_device *core);
	int (*sync)(struct vfio_pci_core_device *core, u64 iova, u64 length);
};

/**
 * vfio_pci_core_dirty_init_device() - offer DMA logging from a device tracker
 * @core: the device, allocated but not yet registered
 * @ops: the device's tracker; the core calls it as described on
 *	 &struct vfio_pci_core_dirty_ops
 *
 * As vfio_pci_core_dirty_init(), but the dirty pages come from the device's
 * own tracker: @ops start and stop it, and before each report @ops.sync
 * marks what it saw.  The variant may mark pages itself too.
 *
 * Context: process context, before registration.
 * Return: true when the features are offered; false on a kernel that
 * cannot report (CONFIG_IOMMUFD_DRIVER off), or once the device is
 * registered.
 */
bool vfio_pci_core_dirty_init_device(struct vfio_pci_core_device *core,
				     const struct vfio_pci_core_dirty_ops *ops);

/* A shadow of a device buffer that only DMA reaches, for migration */

/**
 * VFIO_PCI_DMA_SHADOW_RECORD() - payload bytes of a shadow's record
 * @size: the buffer's bytes
 *
 * A bitmap of the known bytes (byte i, bit j: buffer byte 8 * i + j), then
 * the buffer.  Count it in &vfio_pci_core_mig_ops.record_max.
 */
#define VFIO_PCI_DMA_SHADOW_RECORD(size)	((size) * 9 / 8)

/**
 * struct vfio_pci_dma_shadow_ops - the device work behind a DMA shadow
 * @load: have the device's DMA engine copy @len bytes from @iova into its
 *	  buffer at @addr, and wait for it to finish.  Called from
 *	  vfio_pci_dma_shadow_from_dev(), from the variant's BAR trap, to put
 *	  migrated bytes into the device; it may use the trap's accessors
 *	  (vfio_pci_core_bar_hw_write()).  Required.
 */
struct vfio_pci_dma_shadow_ops {
	int (*load)(struct vfio_pci_core_device *core, u64 iova, u64 addr,
		    u32 len);
};

/**
 * vfio_pci_dma_shadow_init() - migrate a buffer the CPU cannot read back
 * @core: the device, allocated but not yet registered; its variant called
 *	  vfio_pci_core_iova_init()
 * @base: the buffer's address as the device's DMA engine names it
 * @size: its bytes, a multiple of 8, at most half of
 *	  %VFIO_PCI_MIG_RECORD_MAX
 * @ops: the device work; must stay valid while the device exists
 *
 * The kernel never writes the user's memory on its own account, so the core
 * builds a shadow of the buffer from the DMAs the user starts, which the
 * variant's BAR trap reports with vfio_pci_dma_shadow_to_dev() and
 * vfio_pci_dma_shadow_from_dev().  The variant sends the shadow with
 * vfio_pci_dma_shadow_save() and loads it with vfio_pci_dma_shadow_load().
 * On the destination the loaded bytes reach the device when the user DMAs
 * them out, through @ops.load.  The core forgets the shadow whenever a user
 * opens the device.  One shadow per device; freed with the driver binding.
 *
 * The variant serializes every vfio_pci_dma_shadow_*() call with its own
 * lock (the one its BAR trap and migration callbacks take).  The core ends
 * the shadow's part of a session itself (saving ended, a reset): the next
 * session sends it again, and a staged record is dropped.
 *
 * Return: 0, -EINVAL for a bad @size, missing @ops or a second shadow, or
 * -ENOMEM.
 */
int vfio_pci_dma_shadow_init(struct vfio_pci_core_device *core, u64 base,
			     u32 size, const struct vfio_pci_dma_shadow_ops *ops);

/**
 * vfio_pci_dma_shadow_check() - the DMA range guard
 * @core: the device, with a shadow
 * @addr: the device side of a DMA the user starts
 * @len: its bytes
 *
 * Return: 0 when [@addr, @addr + @len) is a non-empty part of the buffer,
 * else -EINVAL (with a rate-limited warning): the trap refuses the command.
 */
int vfio_pci_dma_shadow_check(struct vfio_pci_core_device *core, u64 addr,
			      u64 len);

/**
 * vfio_pci_dma_shadow_to_dev() - the user starts a DMA into the buffer
 * @core: the device, with a shadow
 * @iova: the DMA's source
 * @addr: its destination in the buffer
 * @len: its bytes
 *
 * Call from the BAR trap before the command reaches the device, once the
 * device has finished its last DMA.  Reads the source into the shadow (an
 * unmapped source reads zeros, as the device would).
 *
 * Context: process context, outside vfio_pci_core_mmio_begin(); may sleep.
 * Return: 0, or -EINVAL from vfio_pci_dma_shadow_check().
 */
int vfio_pci_dma_shadow_to_dev(struct vfio_pci_core_device *core, u64 iova,
			       u64 addr, u64 len);

/**
 * vfio_pci_dma_shadow_from_dev() - the user starts a DMA out of the buffer
 * @core: the device, with a shadow
 * @addr: the DMA's source in the buffer
 * @iova: its destination
 * @len: its bytes
 *
 * Call from the BAR trap before the command reaches the device, once the
 * device has finished its last DMA.  Migrated bytes the device does not
 * hold yet are written to @iova from the shadow and loaded into the device
 * (&vfio_pci_dma_shadow_ops.load), as long as bus mastering is on.  Logs
 * the range as dirty (vfio_pci_core_dirty_mark()).  When the DMA moves
 * bytes the shadow lacks, vfio_pci_dma_shadow_learning() is true until
 * vfio_pci_dma_shadow_settle() reads them back.
 *
 * Context: process context, outside vfio_pci_core_mmio_begin(); may sleep.
 * Return: 0; 1 when @ops.load ran (the variant restores the DMA registers
 * for the user's command); -EINVAL from vfio_pci_dma_shadow_check(); or
 * the errno of vfio_pci_core_iova_rw() or @ops.load.
 */
int vfio_pci_dma_shadow_from_dev(struct vfio_pci_core_device *core, u64 addr,
				 u64 iova, u64 len);

/**
 * vfio_pci_dma_shadow_learning() - the last DMA out moved unknown bytes
 * @core: the device, with a shadow
 *
 * Return: true until vfio_pci_dma_shadow_settle() has read them back.
 */
bool vfio_pci_dma_shadow_learning(struct vfio_pci_core_device *core);

/**
 * vfio_pci_dma_shadow_settle() - the last DMA out of the buffer is over
 * @core: the device, with a shadow
 *
 * Reads the bytes it moved that the shadow lacked from their destination.
 * Call as soon as the device finished, before the user reuses that memory.
 *
 * Context: process context, outside vfio_pci_core_mmio_begin(); may sleep.
 */
void vfio_pci_dma_shadow_settle(struct vfio_pci_core_device *core);

/**
 * vfio_pci_dma_shadow_stopped() - the device stopped
 * @core: the device, with a shadow
 *
 * Logs the last DMA out as dirty again, now that it has landed: a dirty
 * report after the stop must see it.  Call from &vfio_pci_core_mig_ops.stop.
 */
void vfio_pci_dma_shadow_stopped(struct vfio_pci_core_device *core);

/**
 * vfio_pci_dma_shadow_save() - append the shadow to a stream being saved
 * @core: the device, with a shadow
 * @s: the stream
 * @tag: the record's tag
 * @initial: a new session (the first PRE_COPY pass)
 *
 * Appends the shadow when the session's stream does not carry it yet or it
 * changed since; nothing while no byte is known.
 *
 * Return: 0 or the errno of vfio_pci_mig_put().
 */
int vfio_pci_dma_shadow_save(struct vfio_pci_core_device *core,
			     struct vfio_pci_mig_stream *s, u32 tag,
			     bool initial);

/**
 * vfio_pci_dma_shadow_load() - stage a shadow record being resumed
 * @core: the device, with a shadow
 * @data: the record's payload
 * @len: its bytes
 *
 * The last record staged is the state; vfio_pci_dma_shadow_load_end()
 * applies it.
 *
 * Return: 0, or -EINVAL for a record of the wrong size.
 */
int vfio_pci_dma_shadow_load(struct vfio_pci_core_device *core,
			     const void *data, u32 len);

/**
 * vfio_pci_dma_shadow_load_end() - the stream is loaded and checked
 * @core: the device, with a shadow
 *
 * Replaces the shadow with the staged record (or forgets it when the
 * stream carried none).  Call from &vfio_pci_core_mig_ops.load_end once the
 * variant accepted the rest of the stream.
 */
void vfio_pci_dma_shadow_load_end(struct vfio_pci_core_device *core);

/* A log of the register writes a variant traps, replayed on resume */

/**
 * define VFIO_PCI_REPLAY_REGS_MAX - the most registers one replay log keeps
 */
#define VFIO_PCI_REPLAY_REGS_MAX	64

/**
 * VFIO_PCI_REPLAY_RECORD() - payload bytes of a replay log's record
 * @nr: the registers declared
 *
 * A little-endian u64 bitmap of the registers written, then each
 * register's value as a little-endian u64.  Count it in
 * &vfio_pci_core_mig_ops.record_max.
 */
#define VFIO_PCI_REPLAY_RECORD(nr)	(8 * ((nr) + 1))

/**
 * struct vfio_pci_replay_reg - one register a replay log keeps
 * @offset: its offset in the BAR, a multiple of @size
 * @size: its bytes: 1, 2, 4 or 8
 * @phase: the vfio_pci_replay_apply() call that writes it back (0 for
 *	   most registers)
 */
struct vfio_pci_replay_reg {
	u32 offset;
	u32 size;
	u32 phase;
};

/**
 * vfio_pci_replay_init() - migrate registers by replaying their writes
 * @core: the device, allocated but not yet registered
 * @bar: the memory BAR that holds the registers
 * @regs: the registers, in the order they are written back into the
 *	  destination device; must stay valid while the device exists
 * @nr: their number, 1 to %VFIO_PCI_REPLAY_REGS_MAX
 *
 * For registers whose state is what the user wrote rather than what a read
 * returns.  The variant's BAR trap hands every write that reaches the
 * device to vfio_pci_replay_log(), which keeps the last value of each
 * register in @regs.  The variant sends the log with
 * vfio_pci_replay_save() and loads it with vfio_pci_replay_load() and
 * vfio_pci_replay_load_end(); vfio_pci_replay_apply() then writes the
 * loaded values into the destination device, in @regs order, one phase
 * per call, as the device needs.  Registers the user never wrote are not
 * replayed.  The core forgets the log whenever a user opens the device;
 * when a session ends (saving ended, a reset) the next one sends the log
 * again, and a staged record and what is still pending are dropped; the
 * log itself stays: whether a reset clears a register is the device's
 * business.  One log per device; freed with the
 * driver binding.
 *
 * The variant serializes every vfio_pci_replay_*() call with its own lock
 * (the one its BAR trap and migration callbacks take).
 *
 * Return: 0, -EINVAL for a bad @bar, a register outside it, a bad size or
 * alignment, a bad @nr or a second log, or -ENOMEM.
 */
int vfio_pci_replay_init(struct vfio_pci_core_device *core, unsigned int bar,
			 const struct vfio_pci_replay_reg *regs,
			 unsigned int nr);

/**
 * vfio_pci_replay_log() - the user wrote a register
 * @core: the device, with a replay log
 * @offset: the write's offset in the BAR
 * @size: its bytes
 * @val: the value written
 *
 * Call from the BAR trap for a write the device took (not for one it
 * ignores).  The bytes it covers of a declared register take @val; a write
 * that changes the log marks it for the next pre-copy pass.  Writes to
 * nothing declared are ignored.  A variant may also log a value the device
 * reached by itself (read back at save time) for a register that sets it.
 */
void vfio_pci_replay_log(struct vfio_pci_core_device *core, u64 offset,
			 unsigned int size, u64 val);

/**
 * vfio_pci_replay_save() - append the log to a stream being saved
 * @core: the device, with a replay log
 * @s: the stream
 * @tag: the record's tag
 * @initial: a first pass (&vfio_pci_core_mig_ops.precopy's @initial)
 *
 * Appends the log when the session's stream does not carry it yet (every
 * session's does, so a stream without it is refused on load) or it changed
 * since.
 *
 * Return: 0 or the errno of vfio_pci_mig_put().
 */
int vfio_pci_replay_save(struct vfio_pci_core_device *core,
			 struct vfio_pci_mig_stream *s, u32 tag, bool initial);

/**
 * vfio_pci_replay_load() - stage a log record being resumed
 * @core: the device, with a replay log
 * @data: the record's payload
 * @len: its bytes
 *
 * The last record staged is the state; vfio_pci_replay_load_end() takes it.
 *
 * Return: 0, or -EINVAL for a record of the wrong size, a value wider than
 * its register, or a value for a register the bitmap says was not written.
 */
int vfio_pci_replay_load(struct vfio_pci_core_device *core, const void *data,
			 u32 len);

/**
 * vfio_pci_replay_load_end() - the stream is loaded and checked
 * @core: the device, with a replay log
 *
 * The staged record becomes the device's log, every register in it
 * pending for vfio_pci_replay_apply().  Call from
 * &vfio_pci_core_mig_ops.load_end.
 *
 * Return: 0, or -EINVAL when the stream carried no log (every saving
 * session sends one, so the stream is incomplete).
 */
int vfio_pci_replay_load_end(struct vfio_pci_core_device *core);

/**
 * vfio_pci_replay_apply() - write loaded registers into the device
 * @core: the device, with a replay log
 * @io: the kernel mapping of the log's BAR, between
 *	vfio_pci_core_mmio_begin_bar() and vfio_pci_core_mmio_end()
 * @phase: which registers: those declared with this
 *	   &vfio_pci_replay_reg.phase
 *
 * Writes each of them still pending since vfio_pci_replay_load_end(), in
 * declaration order, once.  A variant writes most registers from
 * &vfio_pci_core_mig_ops.load_end, some only once the device finished
 * what the first ones started, and others (an interrupt to raise, a
 * doorbell) from .start.
 */
void vfio_pci_replay_apply(struct vfio_pci_core_device *core,
			   void __iomem *io, unsigned int phase);

/**
 * vfio_pci_core_reset_done() - &pci_error_handlers.reset_done
 * @pdev: the function, bound to a driver built on vfio-pci-core
 *
 * Tells the core that the function was reset behind its back (sysfs reset,
 * AER recovery): the migration state returns to RUNNING and open migration
 * data files stop working.  The core's own resets do this themselves.
 *
 * Context: called by the PCI core after a reset of the function, possibly in
 * the middle of one of the core's own resets; sleeps on no core lock.
 */
void vfio_pci_core_reset_done(struct pci_dev *pdev);

#endif /* __LINUX_VFIO_PCI_CORE_H */
