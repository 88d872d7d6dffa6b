/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small userspace driver for an 82576 VF (8086:10ca) over the VFIO uAPI:
 * the reset handshake with the PF over the mailbox, one RX and one TX ring
 * of advanced descriptors in one block of memory mapped for DMA, polled
 * receive and transmit.  The device is opened through iommufd (the block
 * at VT_IGBVF_IOVA in its IOAS).  Functions return 0 (or a count) or
 * -errno.
 */
#ifndef SELFTESTS_VFIO_LIB_IGBVF_H
#define SELFTESTS_VFIO_LIB_IGBVF_H

#include <stdint.h>

#include "vfio_test.h"

#define VT_IGBVF_ID		0x8086, 0x10ca
#define VT_IGBVF_NDESC		64
#define VT_IGBVF_BUF		2048
#define VT_IGBVF_IOVA		0x10000000ULL
/* The block: RX ring, TX ring, RX buffers, TX buffers. */
#define VT_IGBVF_RX_RING	0x0
#define VT_IGBVF_TX_RING	0x1000
#define VT_IGBVF_RX_BUF		0x2000
#define VT_IGBVF_TX_BUF		(VT_IGBVF_RX_BUF + VT_IGBVF_NDESC * VT_IGBVF_BUF)
#define VT_IGBVF_MEM		(VT_IGBVF_TX_BUF + VT_IGBVF_NDESC * VT_IGBVF_BUF)

/* BAR0 registers the tests use (queue 0). */
#define VT_IGBVF_CTRL		0x0000
#define VT_IGBVF_RDBAL		0x2800
#define VT_IGBVF_RDH		0x2810
#define VT_IGBVF_RDT		0x2818
#define VT_IGBVF_RXDCTL		0x2828
#define VT_IGBVF_TDBAL		0x3800
#define VT_IGBVF_TDH		0x3810
#define VT_IGBVF_TDT		0x3818
#define VT_IGBVF_TXDCTL		0x3828

struct vt_igbvf {
	struct vt_device dev;
	struct vfio_region_info bar0;
	uint8_t *mem;		/* VT_IGBVF_MEM bytes at VT_IGBVF_IOVA */
	uint32_t rx_next;	/* the next RX slot the device fills */
	uint32_t tx_next;	/* the next TX slot */
	uint8_t mac[6];		/* from the PF's reset reply */
};

/*
 * Open @bdf (vt_device_open(): aborts on failure), enable memory and bus
 * mastering, and map @mem (VT_IGBVF_MEM bytes; NULL: fresh zeroed memory
 * of the driver's) at VT_IGBVF_IOVA.  -EOPNOTSUPP without iommufd.
 */
int vt_igbvf_open(struct vt_igbvf *v, const char *bdf, uint8_t *mem);
void vt_igbvf_close(struct vt_igbvf *v);

int vt_igbvf_rd(struct vt_igbvf *v, uint32_t off, uint32_t *val);
int vt_igbvf_wr(struct vt_igbvf *v, uint32_t off, uint32_t val);

/* Reset the VF and ask the PF for its queues and MAC (-EIO: refused). */
int vt_igbvf_reset(struct vt_igbvf *v);

/*
 * Post @msg (@n words, 1 to 16) to the PF over the mailbox: 0 when it
 * acknowledged, -EIO when it refused.  The messages (the PF driver's):
 * word 0 the type and, in bits 16-23, its argument.
 */
#define VT_IGBVF_MSG_SET_MC		0x03	/* count; the hashes, 2 a word */
#define VT_IGBVF_MSG_SET_VLAN		0x04	/* add (1) or not; word 1: ID */
#define VT_IGBVF_MSG_SET_LPE		0x05	/* word 1: the largest frame */
#define VT_IGBVF_MSG_SET_PROMISC	0x06	/* modes: 2, multicast */
#define VT_IGBVF_MSG_INFO(x)		((uint32_t)(x) << 16)
int vt_igbvf_msg(struct vt_igbvf *v, const uint32_t *msg, int n);

/* The PF's multicast filter hash of @mac (the 82576's default offset). */
uint16_t vt_igbvf_mc_hash(const uint8_t *mac);

/* Set up both rings at the block's start and post every RX buffer. */
int vt_igbvf_rings_up(struct vt_igbvf *v);

/*
 * The next received frame, if the device wrote it back: copied into @buf
 * (at most @cap bytes) and its slot posted again.  Its length, 0 when
 * there is none yet, -EIO for a descriptor the device did not end.
 */
int vt_igbvf_recv(struct vt_igbvf *v, void *buf, size_t cap);

/* Send @len bytes (one frame) and wait for the device to write it back. */
int vt_igbvf_send(struct vt_igbvf *v, const void *frame, size_t len);

#endif /* SELFTESTS_VFIO_LIB_IGBVF_H */
