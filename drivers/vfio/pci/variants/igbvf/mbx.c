// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: the VF's side of the mailbox, for a destination VF.
 * Its open-time FLR left its pool's RX and TX off; the PF's driver turns
 * them back on (and sets the MAC the admin gave the VF) when the VF asks
 * for a reset.  Then the VF asks again for what it had negotiated on the
 * source (mbx_trap.c keeps it): the PF alone sets those filters.
 */
#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/io.h>

#include "igbvf.h"

#define IGBVF_MBX_TIMEOUT_MS	2000

/*
 * Wait for @bit of V2PMAILBOX.  Reading it clears PFSTS, PFACK and RSTD,
 * so the bits seen on the way are kept in *@seen.
 */
static int igbvf_mbx_wait(void __iomem *io, u32 bit, u32 *seen)
{
	unsigned int ms;

	for (ms = 0; ms < IGBVF_MBX_TIMEOUT_MS; ms++) {
		*seen |= readl(io + IGBVF_V2PMAILBOX);
		if (*seen & bit) {
			*seen &= ~bit;
			return 0;
		}
		usleep_range(1000, 2000);
	}
	return -ETIMEDOUT;
}

/* Take the mailbox buffer: VFU set and read back. */
static int igbvf_mbx_lock(void __iomem *io, u32 *seen)
{
	unsigned int ms;

	for (ms = 0; ms < IGBVF_MBX_TIMEOUT_MS; ms++) {
		writel(IGBVF_MBX_VFU, io + IGBVF_V2PMAILBOX);
		*seen |= readl(io + IGBVF_V2PMAILBOX);
		if (*seen & IGBVF_MBX_VFU) {
			*seen &= ~IGBVF_MBX_VFU;
			return 0;
		}
		usleep_range(1000, 2000);
	}
	return -ETIMEDOUT;
}

/*
 * Post @msg (@n words) to the PF and take its answer: the first @nreply
 * words of the buffer.  Bits seen before the request are not its answer.
 */
static int igbvf_mbx_send(void __iomem *io, const u32 *msg, unsigned int n,
			  u32 *reply, unsigned int nreply)
{
	unsigned int i;
	u32 seen = 0;
	int ret;

	ret = igbvf_mbx_lock(io, &seen);
	if (ret)
		return ret;
	seen = 0;
	for (i = 0; i < n; i++)
		writel(msg[i], io + IGBVF_VMBMEM + 4 * i);
	writel(IGBVF_MBX_REQ, io + IGBVF_V2PMAILBOX);
	ret = igbvf_mbx_wait(io, IGBVF_MBX_PFACK, &seen) ?:
	      igbvf_mbx_wait(io, IGBVF_MBX_PFSTS, &seen) ?:
	      igbvf_mbx_lock(io, &seen);
	if (ret)
		return ret;
	for (i = 0; i < nreply; i++)
		reply[i] = readl(io + IGBVF_VMBMEM + 4 * i);
	writel(IGBVF_MBX_ACK, io + IGBVF_V2PMAILBOX);
	return 0;
}

/* One request the PF must take: 0 on its ACK, -EIO on its NACK. */
static int igbvf_mbx_ask(void __iomem *io, const u32 *msg, unsigned int n)
{
	u32 reply;
	int ret;

	ret = igbvf_mbx_send(io, msg, n, &reply, 1);
	if (ret)
		return ret;
	if ((reply & IGBVF_MSG_TYPE) != (msg[0] & IGBVF_MSG_TYPE) ||
	    !(reply & IGBVF_MSG_ACK))
		return -EIO;
	return 0;
}

/**
 * igbvf_mbx_reset() - ask the PF to reset the VF and enable its queues
 * @io: BAR0, between vfio_pci_core_mmio_begin_bar() and _end()
 *
 * Return: 0 once the PF acknowledged, -ETIMEDOUT when it did not answer
 * (its driver is not up), -EIO when it refused (no MAC for the VF).
 */
int igbvf_mbx_reset(void __iomem *io)
{
	u32 msg = IGBVF_MSG_RESET;

	return igbvf_mbx_ask(io, &msg, 1);
}

/**
 * igbvf_mbx_replay() - ask the PF for what the VF had negotiated
 * @io: BAR0, between vfio_pci_core_mmio_begin_bar() and _end(), after
 *	igbvf_mbx_reset()
 * @log: the negotiated state, checked (igbvf_pf_load())
 *
 * The frame size, the multicast list, the promiscuous modes, then the
 * VLANs, the one added last at the end (the PF strips tags after a VLAN
 * other than 0 is added).
 *
 * Return: 0, or the first request's error (-EIO: the PF refused it).
 */
int igbvf_mbx_replay(void __iomem *io, const struct igbvf_pf_log *log)
{
	u32 msg[IGBVF_MBX_WORDS] = {};
	unsigned int vid;
	int ret;

	if (log->kinds & IGBVF_PF_LPE) {
		msg[0] = IGBVF_MSG_SET_LPE;
		msg[1] = log->lpe;
		ret = igbvf_mbx_ask(io, msg, 2);
		if (ret)
			return ret;
	}
	if (log->kinds & IGBVF_PF_MC) {
		msg[0] = IGBVF_MSG_SET_MC |
			 FIELD_PREP(IGBVF_MSG_INFO, log->mc_count);
		memcpy(&msg[1], log->mc, sizeof(log->mc));
		ret = igbvf_mbx_ask(io, msg, 1 + ARRAY_SIZE(log->mc));
		if (ret)
			return ret;
	}
	if (log->kinds & IGBVF_PF_PROMISC) {
		msg[0] = IGBVF_MSG_SET_PROMISC |
			 FIELD_PREP(IGBVF_MSG_INFO, log->promisc);
		ret = igbvf_mbx_ask(io, msg, 1);
		if (ret)
			return ret;
	}
	for (vid = 0; vid < IGBVF_VLAN_IDS; vid++) {
		if (vid == log->vlan_last || !igbvf_vlan_has(log, vid))
			continue;
		msg[0] = IGBVF_MSG_SET_VLAN | FIELD_PREP(IGBVF_MSG_INFO, 1);
		msg[1] = vid;
		ret = igbvf_mbx_ask(io, msg, 2);
		if (ret)
			return ret;
	}
	if (!igbvf_vlan_has(log, log->vlan_last))
		return 0;
	msg[0] = IGBVF_MSG_SET_VLAN | FIELD_PREP(IGBVF_MSG_INFO, 1);
	msg[1] = log->vlan_last;
	return igbvf_mbx_ask(io, msg, 2);
}
