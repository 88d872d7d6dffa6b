/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A snapshot of what one device fd shows to userspace: device info, every
 * region's info, every interrupt index's info and the whole config region.
 * Taken once through the kernel's own vfio-pci and once through ours, then
 * compared by vfio_differential_test.
 *
 * The on-disk form is line-oriented text so that a human can diff two
 * snapshots directly:
 *
 *   vt-snapshot 1
 *   bdf 0000:01:00.0
 *   info <ret> <flags> <num_regions> <num_irqs> caps <id.version,...|->
 *   region <index> <ret> <size> <flags> caps <id.version,...|->
 *   irq <index> <ret> <flags> <count>
 *   config <cfg_size> <offset> <32 hex digits = 16 bytes, "--" if unreadable>
 *   hwconfig ...    the same bytes from sysfs (the raw hardware), for context
 *   probe <offset> <width> <value written> <write ret> <read ret> <read back>
 *   dmabuf <case> <ret>   VFIO_DEVICE_FEATURE_DMA_BUF request <case> of
 *                         vfio_dmabuf.h: 1 for a dma-buf, 0, or -errno
 *   end
 *
 * The probes write the config registers that upstream virtualizes
 * entirely (the BARs, the ROM BAR, INTERRUPT_LINE) and read them back, as
 * BAR sizing does, then write the original value back.  Upstream never lets
 * these writes reach the hardware.
 *
 * <ret> is 0 or a negative errno; the fields after it are 0 when ret != 0.
 */
#ifndef SELFTESTS_VFIO_LIB_VFIO_SNAPSHOT_H
#define SELFTESTS_VFIO_LIB_VFIO_SNAPSHOT_H

#include <stdint.h>
#include <stdio.h>

#include "vfio_test.h"
#include "vfio_dmabuf.h"

/* Region indexes probed: the 9 fixed ones, a few device-specific ones. */
#define VT_SNAP_REGIONS		12
/* Interrupt indexes probed: the 5 fixed ones and one past the end. */
#define VT_SNAP_IRQS		6
#define VT_SNAP_MAX_CAPS	8
#define VT_CFG_MAX		4096
#define VT_SNAP_PROBES		8

struct vt_snap_caps {
	int n;
	uint16_t id[VT_SNAP_MAX_CAPS];
	uint16_t version[VT_SNAP_MAX_CAPS];
};

struct vt_snap_region {
	int ret;
	uint64_t size;
	uint32_t flags;
	struct vt_snap_caps caps;
};

struct vt_snap_irq {
	int ret;
	uint32_t flags;
	uint32_t count;
};

struct vt_snap_probe {
	uint32_t off;
	uint32_t width;
	uint32_t wrote;
	int write_ret;		/* bytes written or -errno */
	int read_ret;		/* bytes read or -errno */
	uint32_t readback;
};

struct vt_snapshot {
	char bdf[VT_BDF_LEN];
	int info_ret;
	uint32_t info_flags;
	uint32_t num_regions;
	uint32_t num_irqs;
	struct vt_snap_caps info_caps;
	struct vt_snap_region region[VT_SNAP_REGIONS];
	struct vt_snap_irq irq[VT_SNAP_IRQS];
	uint32_t cfg_size;
	uint8_t cfg[VT_CFG_MAX];
	uint8_t cfg_ok[VT_CFG_MAX];	/* 1 if cfg[i] was read successfully */
	uint32_t hw_size;
	uint8_t hw[VT_CFG_MAX];		/* sysfs config, the raw hardware */
	uint8_t hw_ok[VT_CFG_MAX];
	int nprobes;
	struct vt_snap_probe probe[VT_SNAP_PROBES];
	int ndmabuf;
	int dmabuf[VT_DMABUF_CASES];
};

/* Fill @s from an opened, bound and attached device fd. */
void vt_snapshot_take(struct vt_snapshot *s, const char *bdf, int devfd);

/* Write @s in the text form above; returns 0 or -errno. */
int vt_snapshot_write(const struct vt_snapshot *s, FILE *f);
int vt_snapshot_save(const struct vt_snapshot *s, const char *path);

/* Parse a file written by vt_snapshot_save(); returns 0 or -errno. */
int vt_snapshot_load(struct vt_snapshot *s, const char *path);

/* "1.1,3.1" or "-" into @buf. */
const char *vt_snap_caps_str(const struct vt_snap_caps *c, char *buf,
			     size_t len);

#endif /* SELFTESTS_VFIO_LIB_VFIO_SNAPSHOT_H */
