// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: the VF's side of the reset handshake with its PF, for a
 * destination VF.  Its open-time FLR left its pool's RX and TX off; the
 * PF's driver turns them back on (and sets the MAC the admin gave the VF)
 * when the VF asks for a reset over the mailbox.
 */
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

/**
 * igbvf_mbx_reset() - ask the PF to reset the VF and enable its queues
 * @io: BAR0, between vfio_pci_core_mmio_begin_bar() and _end()
 *
 * Return: 0 once the PF acknowledged, -ETIMEDOUT when it did not answer
 * (its driver is not up), -EIO when it refused (no MAC for the VF).
 */
int igbvf_mbx_reset(void __iomem *io)
{
	u32 seen = 0, reply;
	int ret;

	ret = igbvf_mbx_lock(io, &seen);
	if (ret)
		return ret;
	writel(IGBVF_MSG_RESET, io + IGBVF_VMBMEM);
	writel(IGBVF_MBX_REQ, io + IGBVF_V2PMAILBOX);
	ret = igbvf_mbx_wait(io, IGBVF_MBX_PFACK, &seen) ?:
	      igbvf_mbx_wait(io, IGBVF_MBX_PFSTS, &seen) ?:
	      igbvf_mbx_lock(io, &seen);
	if (ret)
		return ret;
	reply = readl(io + IGBVF_VMBMEM);
	writel(IGBVF_MBX_ACK, io + IGBVF_V2PMAILBOX);
	return reply == (IGBVF_MSG_RESET | IGBVF_MSG_ACK) ? 0 : -EIO;
}
