// SPDX-License-Identifier: GPL-2.0
/* A userspace driver for an 82576 VF: see igbvf.h. */
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "igbvf.h"
#include "vfio_pasid.h"

#define V2PMAILBOX	0x0c40
#define VMBMEM		0x0800
#define MBX_REQ		0x01
#define MBX_ACK		0x02
#define MBX_VFU		0x04
#define MBX_PFSTS	0x10
#define MBX_PFACK	0x20
#define MSG_RESET	0x01
#define MSG_ACK		0x80000000u
#define CTRL_RST	0x04000000u
#define SRRCTL		0x280c
#define DCTL_ENABLE	(1u << 25)
/* Advanced descriptors */
#define RX_DD		0x1
#define RX_EOP		0x2
#define TX_DTYP_DATA	(0x3u << 20)
#define TX_DCMD		((1u << 29) | (1u << 27) | (1u << 25) | (1u << 24))
#define TX_DD		0x1

struct desc {
	uint64_t a;
	uint32_t lo;
	uint32_t hi;
};

int vt_igbvf_rd(struct vt_igbvf *v, uint32_t off, uint32_t *val)
{
	ssize_t n = __vt_region_read(v->dev.fd, &v->bar0, off, val, 4);

	return n == 4 ? 0 : n < 0 ? n : -EIO;
}

int vt_igbvf_wr(struct vt_igbvf *v, uint32_t off, uint32_t val)
{
	ssize_t n = __vt_region_write(v->dev.fd, &v->bar0, off, &val, 4);

	return n == 4 ? 0 : n < 0 ? n : -EIO;
}

int vt_igbvf_open(struct vt_igbvf *v, const char *bdf, uint8_t *mem)
{
	struct vfio_region_info cfg;
	uint16_t cmd;
	int ret;

	memset(v, 0, sizeof(*v));
	vt_device_open(&v->dev, bdf);
	if (v->dev.iommufd < 0)
		return -EOPNOTSUPP;
	ret = __vt_region_info(v->dev.fd, VFIO_PCI_BAR0_REGION_INDEX, &v->bar0);
	ret = ret ?: __vt_region_info(v->dev.fd, VFIO_PCI_CONFIG_REGION_INDEX,
				      &cfg);
	if (ret)
		return ret;
	if (__vt_region_read(v->dev.fd, &cfg, PCI_COMMAND, &cmd, 2) != 2)
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (__vt_region_write(v->dev.fd, &cfg, PCI_COMMAND, &cmd, 2) != 2)
		return -EIO;
	if (!mem) {
		mem = mmap(NULL, VT_IGBVF_MEM, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return -errno;
	}
	v->mem = mem;
	return __vt_ioas_map(v->dev.iommufd, v->dev.ioas_id, VT_IGBVF_IOVA,
			     mem, VT_IGBVF_MEM);
}

void vt_igbvf_close(struct vt_igbvf *v)
{
	vt_device_close(&v->dev);
}

/* Bits of V2PMAILBOX: reading clears PFSTS and PFACK, so keep them. */
static int mbx_wait(struct vt_igbvf *v, uint32_t bit, uint32_t *seen)
{
	uint32_t val;
	int i, ret;

	for (i = 0; i < 2000; i++) {
		if (bit == MBX_VFU) {
			ret = vt_igbvf_wr(v, V2PMAILBOX, MBX_VFU);
			if (ret)
				return ret;
		}
		ret = vt_igbvf_rd(v, V2PMAILBOX, &val);
		if (ret)
			return ret;
		*seen |= val;
		if (*seen & bit) {
			*seen &= ~bit;
			return 0;
		}
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/* Post @msg (@n words) and take the first @nreply words of the answer. */
static int mbx_send(struct vt_igbvf *v, const uint32_t *msg, int n,
		    uint32_t *reply, int nreply)
{
	uint32_t seen = 0;
	int ret, i;

	ret = mbx_wait(v, MBX_VFU, &seen);
	seen = 0;
	for (i = 0; !ret && i < n; i++)
		ret = vt_igbvf_wr(v, VMBMEM + 4 * i, msg[i]);
	ret = ret ?: vt_igbvf_wr(v, V2PMAILBOX, MBX_REQ);
	ret = ret ?: mbx_wait(v, MBX_PFACK, &seen);
	ret = ret ?: mbx_wait(v, MBX_PFSTS, &seen);
	ret = ret ?: mbx_wait(v, MBX_VFU, &seen);
	for (i = 0; !ret && i < nreply; i++)
		ret = vt_igbvf_rd(v, VMBMEM + 4 * i, &reply[i]);
	return ret ?: vt_igbvf_wr(v, V2PMAILBOX, MBX_ACK);
}

int vt_igbvf_reset(struct vt_igbvf *v)
{
	uint32_t msg = MSG_RESET, reply[3];
	int ret;

	ret = vt_igbvf_wr(v, VT_IGBVF_CTRL, CTRL_RST);
	if (ret)
		return ret;
	usleep(20000);
	ret = mbx_send(v, &msg, 1, reply, 3);
	if (ret)
		return ret;
	if (reply[0] != (MSG_RESET | MSG_ACK))
		return -EIO;
	memcpy(v->mac, &reply[1], 6);
	return 0;
}

int vt_igbvf_msg(struct vt_igbvf *v, const uint32_t *msg, int n)
{
	uint32_t reply;
	int ret;

	if (n < 1 || n > 16)
		return -EINVAL;
	ret = mbx_send(v, msg, n, &reply, 1);
	if (ret)
		return ret;
	return (reply & 0xffff) == (msg[0] & 0xffff) && (reply & MSG_ACK) ?
	       0 : -EIO;
}

uint16_t vt_igbvf_mc_hash(const uint8_t *mac)
{
	return ((mac[4] >> 4) | (mac[5] << 4)) & 0xfff;
}

static struct desc *ring(struct vt_igbvf *v, uint32_t base, uint32_t i)
{
	return (struct desc *)(v->mem + base) + i;
}

static void rx_post(struct vt_igbvf *v, uint32_t i)
{
	struct desc *d = ring(v, VT_IGBVF_RX_RING, i);

	d->a = VT_IGBVF_IOVA + VT_IGBVF_RX_BUF + i * VT_IGBVF_BUF;
	d->lo = 0;
	d->hi = 0;
}

int vt_igbvf_rings_up(struct vt_igbvf *v)
{
	static const uint32_t len = VT_IGBVF_NDESC * sizeof(struct desc);
	uint64_t rx = VT_IGBVF_IOVA + VT_IGBVF_RX_RING;
	uint64_t tx = VT_IGBVF_IOVA + VT_IGBVF_TX_RING;
	uint32_t i;
	int ret;

	for (i = 0; i < VT_IGBVF_NDESC; i++)
		rx_post(v, i);
	memset(v->mem + VT_IGBVF_TX_RING, 0, len);
	v->rx_next = v->tx_next = 0;
	/* 2 KiB buffers, advanced one-buffer descriptors */
	ret = vt_igbvf_wr(v, SRRCTL, 2 | (1u << 25));
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_RDBAL, (uint32_t)rx);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_RDBAL + 4, rx >> 32);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_RDBAL + 8, len);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_RDH, 0);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_RDT, 0);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_TDBAL, (uint32_t)tx);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_TDBAL + 4, tx >> 32);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_TDBAL + 8, len);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_TDH, 0);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_TDT, 0);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_RXDCTL, DCTL_ENABLE);
	ret = ret ?: vt_igbvf_wr(v, VT_IGBVF_TXDCTL, DCTL_ENABLE);
	/* Every slot but one: the ring is full when the tail meets the head. */
	return ret ?: vt_igbvf_wr(v, VT_IGBVF_RDT, VT_IGBVF_NDESC - 1);
}

int vt_igbvf_recv(struct vt_igbvf *v, void *buf, size_t cap)
{
	volatile struct desc *d = ring(v, VT_IGBVF_RX_RING, v->rx_next);
	uint32_t status = d->lo, slot = v->rx_next;
	size_t len = d->hi & 0xffff;
	int ret;

	if (!(status & RX_DD))
		return 0;
	__sync_synchronize();
	if (!(status & RX_EOP) || len > VT_IGBVF_BUF)
		return -EIO;
	memcpy(buf, v->mem + VT_IGBVF_RX_BUF + slot * VT_IGBVF_BUF,
	       len < cap ? len : cap);
	rx_post(v, slot);
	v->rx_next = (slot + 1) % VT_IGBVF_NDESC;
	ret = vt_igbvf_wr(v, VT_IGBVF_RDT, slot);
	return ret ?: (int)len;
}

int vt_igbvf_send(struct vt_igbvf *v, const void *frame, size_t len)
{
	volatile struct desc *d = ring(v, VT_IGBVF_TX_RING, v->tx_next);
	uint32_t slot = v->tx_next;
	int i, ret;

	if (len > VT_IGBVF_BUF)
		return -EINVAL;
	memcpy(v->mem + VT_IGBVF_TX_BUF + slot * VT_IGBVF_BUF, frame, len);
	d->a = VT_IGBVF_IOVA + VT_IGBVF_TX_BUF + slot * VT_IGBVF_BUF;
	d->lo = len | TX_DTYP_DATA | TX_DCMD;
	d->hi = len << 14;
	__sync_synchronize();
	v->tx_next = (slot + 1) % VT_IGBVF_NDESC;
	ret = vt_igbvf_wr(v, VT_IGBVF_TDT, v->tx_next);
	for (i = 0; !ret && i < 1000; i++) {
		if (d->hi & TX_DD)
			return 0;
		usleep(1000);
	}
	return ret ?: -ETIMEDOUT;
}
