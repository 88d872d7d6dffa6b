// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: what each config register looks like to userspace.
 *
 * The type-0 header and every capability the core lets userspace see are
 * described here as data.  Capabilities that appear in neither table are
 * hidden: unlinked from the chain userspace walks.
 *
 * Bits not listed as virtual are read from the device; bits not listed as
 * writable cannot be changed.  Registers absent from a table are read-only
 * device values, so a table lists only what is virtual or writable.
 */
#include <linux/pci.h>

#include "config.h"

#define REG(off, size, virt, write, hook) \
	VFIO_PCI_CFG_REG(off, size, virt, write, hook)

const struct vfio_pci_cfg_reg vfio_pci_cfg_header[] = {
	/* IDs come from the pci_dev: a VF's hardware reads 0xffff. */
	REG(PCI_VENDOR_ID,	2, 0xffff, 0, NONE),
	REG(PCI_DEVICE_ID,	2, 0xffff, 0, NONE),
	/* INTx disable is emulated; the rest reaches the device. */
	REG(PCI_COMMAND,	2, PCI_COMMAND_INTX_DISABLE, 0xffff, COMMAND),
	/* Error bits are the host's to clear. */
	REG(PCI_STATUS,		2, PCI_STATUS_CAP_LIST, 0, NONE),
	REG(PCI_CACHE_LINE_SIZE, 1, 0, 0xff, NONE),
	REG(PCI_LATENCY_TIMER,	1, 0, 0xff, NONE),
	REG(PCI_BIST,		1, 0, 0xff, NONE),
	/* BARs are fully virtual: sizing works, the device never sees it. */
	REG(PCI_BASE_ADDRESS_0,	4, ~0u, ~0u, BAR),
	REG(PCI_BASE_ADDRESS_1,	4, ~0u, ~0u, BAR),
	REG(PCI_BASE_ADDRESS_2,	4, ~0u, ~0u, BAR),
	REG(PCI_BASE_ADDRESS_3,	4, ~0u, ~0u, BAR),
	REG(PCI_BASE_ADDRESS_4,	4, ~0u, ~0u, BAR),
	REG(PCI_BASE_ADDRESS_5,	4, ~0u, ~0u, BAR),
	REG(PCI_ROM_ADDRESS,	4, ~0u, ~0u, ROM),
	/* The chain userspace walks is the virtual one. */
	REG(PCI_CAPABILITY_LIST, 1, 0xff, 0, NONE),
	REG(PCI_INTERRUPT_LINE,	1, 0xff, 0xff, NONE),
	REG(PCI_INTERRUPT_PIN,	1, 0xff, 0, NONE),
};

const unsigned int vfio_pci_cfg_header_nregs = ARRAY_SIZE(vfio_pci_cfg_header);

/* --- standard capabilities --- */

static unsigned int vfio_pci_cfg_len_8(struct pci_dev *pdev, unsigned int pos)
{
	return 8;
}

static unsigned int vfio_pci_cfg_len_msi(struct pci_dev *pdev,
					 unsigned int pos)
{
	unsigned int len = 10;
	u16 flags;

	pci_read_config_word(pdev, pos + PCI_MSI_FLAGS, &flags);
	if (flags & PCI_MSI_FLAGS_64BIT)
		len += 4;
	if (flags & PCI_MSI_FLAGS_MASKBIT)
		len += 10;
	return len;
}

static unsigned int vfio_pci_cfg_len_msix(struct pci_dev *pdev,
					  unsigned int pos)
{
	return PCI_CAP_MSIX_SIZEOF;
}

static unsigned int vfio_pci_cfg_len_exp(struct pci_dev *pdev,
					 unsigned int pos)
{
	bool rc_end = pci_pcie_type(pdev) == PCI_EXP_TYPE_RC_END;
	u16 flags;

	pci_read_config_word(pdev, pos + PCI_EXP_FLAGS, &flags);
	if ((flags & PCI_EXP_FLAGS_VERS) >= 2)
		return rc_end ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V2 :
				PCI_CAP_EXP_ENDPOINT_SIZEOF_V2;
	return rc_end ? PCI_CAP_EXP_RC_ENDPOINT_SIZEOF_V1 :
			PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;
}

static unsigned int vfio_pci_cfg_len_af(struct pci_dev *pdev,
					unsigned int pos)
{
	return 6;
}

/* A vendor-specific capability states its own length. */
static unsigned int vfio_pci_cfg_len_vndr(struct pci_dev *pdev,
					  unsigned int pos)
{
	u8 len;

	pci_read_config_byte(pdev, pos + PCI_CAP_FLAGS, &len);
	return len >= PCI_CAP_FLAGS + 1 ? len : 0;
}

static const struct vfio_pci_cfg_reg vfio_pci_cfg_pm[] = {
	/* No PME: the host keeps wakeup. */
	REG(PCI_PM_PMC,		2, PCI_PM_CAP_PME_MASK, 0, NONE),
	/* The power state is changed by the core, through the hook. */
	REG(PCI_PM_CTRL,	2, PCI_PM_CTRL_PME_ENABLE | PCI_PM_CTRL_PME_STATUS,
	    PCI_PM_CTRL_DATA_SEL_MASK, PMCSR),
};

/*
 * MSI: what userspace programs stays virtual; the interrupt code programs
 * the device from SET_IRQS.  Multiple Message Capable shows what SET_IRQS
 * enabled, and Enable sticks only while MSI is on (see the flags hook).
 * The 32-bit and 64-bit layouts place DATA and the mask differently, hence
 * two tables.
 */
#define VFIO_PCI_CFG_MSI_FLAGS_VIRT \
	(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QMASK | PCI_MSI_FLAGS_QSIZE)

static const struct vfio_pci_cfg_reg vfio_pci_cfg_msi32[] = {
	REG(PCI_MSI_FLAGS,	2, VFIO_PCI_CFG_MSI_FLAGS_VIRT,
	    PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, MSI_FLAGS),
	REG(PCI_MSI_ADDRESS_LO,	4, ~0u, ~3u, NONE),
	REG(PCI_MSI_DATA_32,	2, 0xffff, 0xffff, NONE),
	REG(PCI_MSI_MASK_32,	4, 0, ~0u, NONE),
};

static const struct vfio_pci_cfg_reg vfio_pci_cfg_msi64[] = {
	REG(PCI_MSI_FLAGS,	2, VFIO_PCI_CFG_MSI_FLAGS_VIRT,
	    PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, MSI_FLAGS),
	REG(PCI_MSI_ADDRESS_LO,	4, ~0u, ~3u, NONE),
	REG(PCI_MSI_ADDRESS_HI,	4, ~0u, ~0u, NONE),
	REG(PCI_MSI_DATA_64,	2, 0xffff, 0xffff, NONE),
	REG(PCI_MSI_MASK_64,	4, 0, ~0u, NONE),
};

static const struct vfio_pci_cfg_reg vfio_pci_cfg_exp[] = {
	/* FLR is trapped; payload and read request sizes stay virtual. */
	REG(PCI_EXP_DEVCTL,	2, PCI_EXP_DEVCTL_BCR_FLR |
	    PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_READRQ,
	    0xffff & ~PCI_EXP_DEVCTL_PHANTOM, EXP_DEVCTL),
	REG(PCI_EXP_DEVCTL2,	2, 0, 0xffff & ~PCI_EXP_DEVCTL2_ARI, NONE),
};

static const struct vfio_pci_cfg_reg vfio_pci_cfg_af[] = {
	REG(PCI_AF_CTRL,	1, PCI_AF_CTRL_FLR, PCI_AF_CTRL_FLR, AF_CTRL),
};

#define CAP(_id, _policy, _len)						\
	{ .id = (_id), .policy = VFIO_PCI_CFG_##_policy, .len = (_len) }
#define CAP_TABLE(_id, _len, _regs, _nregs)				\
	{ .id = (_id), .policy = VFIO_PCI_CFG_TABLE, .len = (_len),	\
	  .regs = (_regs), .nregs = (_nregs) }

static const struct vfio_pci_cfg_cap vfio_pci_cfg_caps[] = {
	CAP_TABLE(PCI_CAP_ID_PM, vfio_pci_cfg_len_8, vfio_pci_cfg_pm,
		  ARRAY_SIZE(vfio_pci_cfg_pm)),
	CAP(PCI_CAP_ID_AGP, READONLY, NULL),
	/* VPD is read-only to userspace (upstream emulates its accesses). */
	CAP(PCI_CAP_ID_VPD, READONLY, vfio_pci_cfg_len_8),
	/* MSI: the table is chosen per device, see vfio_pci_cfg_cap_regs(). */
	CAP_TABLE(PCI_CAP_ID_MSI, vfio_pci_cfg_len_msi, vfio_pci_cfg_msi32,
		  ARRAY_SIZE(vfio_pci_cfg_msi32)),
	CAP(PCI_CAP_ID_PCIX, READONLY, vfio_pci_cfg_len_8),
	CAP(PCI_CAP_ID_HT, READONLY, NULL),
	CAP(PCI_CAP_ID_VNDR, RAW, vfio_pci_cfg_len_vndr),
	CAP_TABLE(PCI_CAP_ID_EXP, vfio_pci_cfg_len_exp, vfio_pci_cfg_exp,
		  ARRAY_SIZE(vfio_pci_cfg_exp)),
	/* MSI-X is only ever programmed through SET_IRQS. */
	CAP(PCI_CAP_ID_MSIX, READONLY, vfio_pci_cfg_len_msix),
	CAP(PCI_CAP_ID_SATA, READONLY, NULL),
	CAP_TABLE(PCI_CAP_ID_AF, vfio_pci_cfg_len_af, vfio_pci_cfg_af,
		  ARRAY_SIZE(vfio_pci_cfg_af)),
};

const struct vfio_pci_cfg_reg *vfio_pci_cfg_cap_regs(struct pci_dev *pdev,
						     const struct vfio_pci_cfg_cap *cap,
						     unsigned int pos,
						     unsigned int *nregs)
{
	u16 flags;

	if (cap->id != PCI_CAP_ID_MSI) {
		*nregs = cap->nregs;
		return cap->regs;
	}
	pci_read_config_word(pdev, pos + PCI_MSI_FLAGS, &flags);
	if (flags & PCI_MSI_FLAGS_64BIT) {
		*nregs = ARRAY_SIZE(vfio_pci_cfg_msi64);
		return vfio_pci_cfg_msi64;
	}
	*nregs = ARRAY_SIZE(vfio_pci_cfg_msi32);
	return vfio_pci_cfg_msi32;
}

/* --- extended capabilities --- */

static unsigned int vfio_pci_cfg_len_aer(struct pci_dev *pdev,
					 unsigned int pos)
{
	/* The root port registers do not apply to an endpoint. */
	return PCI_ERR_ROOT_COMMAND;
}

static unsigned int vfio_pci_cfg_len_pwr(struct pci_dev *pdev,
					 unsigned int pos)
{
	return PCI_EXT_CAP_PWR_SIZEOF;
}

/* Vendor-specific and designated vendor-specific state their length. */
static unsigned int vfio_pci_cfg_len_vsec(struct pci_dev *pdev,
					  unsigned int pos)
{
	u32 hdr;

	pci_read_config_dword(pdev, pos + PCI_VNDR_HEADER, &hdr);
	return PCI_VNDR_HEADER_LEN(hdr) >= 8 ? PCI_VNDR_HEADER_LEN(hdr) : 0;
}

#define AER_UNC_BITS	(PCI_ERR_UNC_DLP | PCI_ERR_UNC_SURPDN |		\
			 PCI_ERR_UNC_POISON_TLP | PCI_ERR_UNC_FCP |	\
			 PCI_ERR_UNC_COMP_TIME | PCI_ERR_UNC_COMP_ABORT |	\
			 PCI_ERR_UNC_UNX_COMP | PCI_ERR_UNC_RX_OVER |	\
			 PCI_ERR_UNC_MALF_TLP | PCI_ERR_UNC_ECRC |	\
			 PCI_ERR_UNC_UNSUP | PCI_ERR_UNC_ACSV |		\
			 PCI_ERR_UNC_INTN | PCI_ERR_UNC_MCBTLP |	\
			 PCI_ERR_UNC_ATOMEG | PCI_ERR_UNC_TLPPRE)
#define AER_COR_BITS	(PCI_ERR_COR_RCVR | PCI_ERR_COR_BAD_TLP |	\
			 PCI_ERR_COR_BAD_DLLP | PCI_ERR_COR_REP_ROLL |	\
			 PCI_ERR_COR_REP_TIMER | PCI_ERR_COR_ADV_NFAT |	\
			 PCI_ERR_COR_INTERNAL | PCI_ERR_COR_LOG_OVER)

static const struct vfio_pci_cfg_reg vfio_pci_cfg_aer[] = {
	REG(PCI_ERR_UNCOR_STATUS, 4, 0, AER_UNC_BITS, W1C),
	REG(PCI_ERR_UNCOR_MASK,	4, 0, AER_UNC_BITS, NONE),
	REG(PCI_ERR_UNCOR_SEVER, 4, 0, AER_UNC_BITS, NONE),
	REG(PCI_ERR_COR_STATUS,	4, 0, AER_COR_BITS, W1C),
	REG(PCI_ERR_COR_MASK,	4, 0, AER_COR_BITS, NONE),
	REG(PCI_ERR_CAP,	4, 0, PCI_ERR_CAP_ECRC_GENE | PCI_ERR_CAP_ECRC_CHKE,
	    NONE),
};

static const struct vfio_pci_cfg_reg vfio_pci_cfg_pwr[] = {
	REG(PCI_PWR_DSR,	1, 0, 0xff, NONE),
};

static const struct vfio_pci_cfg_cap vfio_pci_cfg_ecaps[] = {
	CAP_TABLE(PCI_EXT_CAP_ID_ERR, vfio_pci_cfg_len_aer, vfio_pci_cfg_aer,
		  ARRAY_SIZE(vfio_pci_cfg_aer)),
	CAP(PCI_EXT_CAP_ID_VC, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_DSN, READONLY, NULL),
	CAP_TABLE(PCI_EXT_CAP_ID_PWR, vfio_pci_cfg_len_pwr, vfio_pci_cfg_pwr,
		  ARRAY_SIZE(vfio_pci_cfg_pwr)),
	CAP(PCI_EXT_CAP_ID_MFVC, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_VC9, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_VNDR, RAW, vfio_pci_cfg_len_vsec),
	CAP(PCI_EXT_CAP_ID_ACS, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_ARI, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_ATS, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_SRIOV, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_MCAST, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_PRI, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_REBAR, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_DPA, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_TPH, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_LTR, READONLY, NULL),
	CAP(PCI_EXT_CAP_ID_DVSEC, RAW, vfio_pci_cfg_len_vsec),
};

static const struct vfio_pci_cfg_cap *
vfio_pci_cfg_lookup(const struct vfio_pci_cfg_cap *table, unsigned int n,
		    u16 id)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (table[i].id == id)
			return &table[i];
	}
	return NULL;
}

const struct vfio_pci_cfg_cap *vfio_pci_cfg_find_cap(u16 id)
{
	return vfio_pci_cfg_lookup(vfio_pci_cfg_caps,
				   ARRAY_SIZE(vfio_pci_cfg_caps), id);
}

const struct vfio_pci_cfg_cap *vfio_pci_cfg_find_ecap(u16 id)
{
	return vfio_pci_cfg_lookup(vfio_pci_cfg_ecaps,
				   ARRAY_SIZE(vfio_pci_cfg_ecaps), id);
}
