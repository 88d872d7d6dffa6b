// SPDX-License-Identifier: GPL-2.0
/*
 * pci-fake-pasid: test-only.  Gives one PCI function a PASID capability
 * (and a PRI capability after it) that the device does not have, by putting
 * its own config accessors in front of those of the function's bus
 * (pci_bus_set_ops()).  No emulated device of the test VM has either
 * capability, and the IOMMU driver programs PASID table entries only for a
 * device whose PASID capability it has enabled.
 *
 * Load with bdf=DDDD:BB:DD.F and the capability's offset (pasid_at, in free
 * extended config space); the last capability of the function's extended
 * chain is made to point there.  Then remove the function and rescan its
 * bus so that enumeration and the IOMMU probe see the new capabilities; do
 * the same after unloading to get rid of them.  The control registers (and
 * PRI's allocation register) are kept here and never reach the device.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/spinlock.h>

static char bdf[32];
module_param_string(bdf, bdf, sizeof(bdf), 0444);
MODULE_PARM_DESC(bdf, "the function, DDDD:BB:DD.F");

static uint pasid_at;
module_param(pasid_at, uint, 0444);
MODULE_PARM_DESC(pasid_at, "offset of the fake PASID capability (0: after the last capability); PRI follows 8 bytes later");

static uint width = 20;
module_param(width, uint, 0444);
MODULE_PARM_DESC(width, "Max PASID Width (1-20)");

static uint features = PCI_PASID_CAP_EXEC | PCI_PASID_CAP_PRIV;
module_param(features, uint, 0444);
MODULE_PARM_DESC(features, "PASID capability bits: 2 = EXEC, 4 = PRIV");

static bool pri = true;
module_param(pri, bool, 0444);
MODULE_PARM_DESC(pri, "also a PRI capability, at pasid_at + 8");

#define FAKE_LEN	(PCI_EXT_CAP_PASID_SIZEOF + PCI_EXT_CAP_PRI_SIZEOF)
#define FAKE_PRI	PCI_EXT_CAP_PASID_SIZEOF

static struct fake_pasid {
	struct pci_bus *bus;
	unsigned int devfn;
	struct pci_ops *orig;
	struct pci_ops ops;
	unsigned int last;	/* the extended capability that links to us */
	unsigned int len;	/* bytes faked from pasid_at */
	raw_spinlock_t lock;	/* guards image and wmask */
	u8 image[FAKE_LEN];
	u8 wmask[FAKE_LEN];	/* bits the user may change */
} fake;

static void fake_put16(unsigned int off, u16 v, u16 wmask)
{
	fake.image[off] = v;
	fake.image[off + 1] = v >> 8;
	fake.wmask[off] = wmask;
	fake.wmask[off + 1] = wmask >> 8;
}

static void fake_put32(unsigned int off, u32 v, u32 wmask)
{
	fake_put16(off, v, wmask);
	fake_put16(off + 2, v >> 16, wmask >> 16);
}

static void fake_build(void)
{
	unsigned int next = pri ? pasid_at + FAKE_PRI : 0;

	fake_put32(0, PCI_EXT_CAP_ID_PASID | 1 << 16 | next << 20, 0);
	fake_put16(PCI_PASID_CAP, (features & (PCI_PASID_CAP_EXEC |
					       PCI_PASID_CAP_PRIV)) |
		   (width & 0x1f) << 8, 0);
	fake_put16(PCI_PASID_CTRL, 0, PCI_PASID_CTRL_ENABLE |
		   PCI_PASID_CTRL_EXEC | PCI_PASID_CTRL_PRIV);
	if (!pri)
		return;
	fake_put32(FAKE_PRI, PCI_EXT_CAP_ID_PRI | 1 << 16, 0);
	fake_put16(FAKE_PRI + PCI_PRI_CTRL, 0, PCI_PRI_CTRL_ENABLE);
	fake_put16(FAKE_PRI + PCI_PRI_STATUS, PCI_PRI_STATUS_STOPPED |
		   PCI_PRI_STATUS_PASID, 0);
	fake_put32(FAKE_PRI + PCI_PRI_MAX_REQ, 32, 0);
	fake_put32(FAKE_PRI + PCI_PRI_ALLOC_REQ, 0, ~0u);
}

static bool fake_ours(struct pci_bus *bus, unsigned int devfn)
{
	return bus == fake.bus && devfn == fake.devfn;
}

static int fake_read(struct pci_bus *bus, unsigned int devfn, int where,
		     int size, u32 *val)
{
	unsigned long flags;
	unsigned int i;
	int ret;

	ret = fake.orig->read(bus, devfn, where, size, val);
	if (ret || !fake_ours(bus, devfn))
		return ret;

	raw_spin_lock_irqsave(&fake.lock, flags);
	for (i = 0; i < size; i++) {
		unsigned int pos = where + i;
		u32 byte = -1;

		if (pos >= pasid_at && pos < pasid_at + fake.len)
			byte = fake.image[pos - pasid_at];
		/* NEXT of the last capability: bits 31:20 of its header. */
		else if (pos == fake.last + 2)
			byte = (*val >> (8 * i) & 0x0f) | (pasid_at & 0xf) << 4;
		else if (pos == fake.last + 3)
			byte = pasid_at >> 4;
		if (byte == (u32)-1)
			continue;
		*val &= ~(0xffu << (8 * i));
		*val |= byte << (8 * i);
	}
	raw_spin_unlock_irqrestore(&fake.lock, flags);
	return 0;
}

static int fake_write(struct pci_bus *bus, unsigned int devfn, int where,
		      int size, u32 val)
{
	unsigned long flags;
	unsigned int i;

	if (!fake_ours(bus, devfn) || where + size <= pasid_at ||
	    where >= pasid_at + fake.len)
		return fake.orig->write(bus, devfn, where, size, val);

	raw_spin_lock_irqsave(&fake.lock, flags);
	for (i = 0; i < size; i++) {
		unsigned int pos = where + i - pasid_at;
		u8 m = fake.wmask[pos];

		fake.image[pos] = (fake.image[pos] & ~m) | ((val >> (8 * i)) & m);
	}
	/* PRI: Stopped while disabled. */
	if (pri) {
		u8 *st = &fake.image[FAKE_PRI + PCI_PRI_STATUS + 1];

		if (fake.image[FAKE_PRI + PCI_PRI_CTRL] & PCI_PRI_CTRL_ENABLE)
			*st &= ~(PCI_PRI_STATUS_STOPPED >> 8);
		else
			*st |= PCI_PRI_STATUS_STOPPED >> 8;
	}
	raw_spin_unlock_irqrestore(&fake.lock, flags);
	return 0;
}

/* How far a capability reaches; generous where the length varies. */
static unsigned int fake_cap_len(u16 id)
{
	switch (id) {
	case PCI_EXT_CAP_ID_ERR:
		return 0x48;
	case PCI_EXT_CAP_ID_ARI:
		return PCI_EXT_CAP_ARI_SIZEOF;
	case PCI_EXT_CAP_ID_SRIOV:
		return PCI_EXT_CAP_SRIOV_SIZEOF;
	case PCI_EXT_CAP_ID_DSN:
		return PCI_EXT_CAP_DSN_SIZEOF;
	}
	return 0x40;
}

/*
 * The function's last extended capability, or -errno; without pasid_at,
 * choose it after the end of every capability.
 */
static int fake_find_last(struct pci_dev *pdev)
{
	unsigned int pos = PCI_CFG_SPACE_SIZE, last = 0, n = 0, end = 0;
	u32 hdr;

	while (pos >= PCI_CFG_SPACE_SIZE && n++ < 960) {
		if (pci_read_config_dword(pdev, pos, &hdr) || !hdr ||
		    hdr == ~0u)
			break;
		last = pos;
		end = max(end, pos + fake_cap_len(PCI_EXT_CAP_ID(hdr)));
		pos = PCI_EXT_CAP_NEXT(hdr);
	}
	if (!last)
		return -ENODEV;
	if (!pasid_at)
		pasid_at = ALIGN(end, 8);
	return last;
}

/* No real capability may start inside what we fake. */
static int fake_check_free(struct pci_dev *pdev)
{
	unsigned int pos = PCI_CFG_SPACE_SIZE, n = 0;
	u32 hdr;

	while (pos >= PCI_CFG_SPACE_SIZE && n++ < 960) {
		if (pci_read_config_dword(pdev, pos, &hdr) || !hdr ||
		    hdr == ~0u)
			break;
		if (pos < pasid_at + fake.len && pos + 4 > pasid_at)
			return -EBUSY;
		pos = PCI_EXT_CAP_NEXT(hdr);
	}
	return 0;
}

static int __init fake_init(void)
{
	unsigned int domain, busnr, dev, fn;
	struct pci_dev *pdev;
	int last;

	if (sscanf(bdf, "%x:%x:%x.%x", &domain, &busnr, &dev, &fn) != 4)
		return -EINVAL;
	if ((pasid_at && pasid_at < PCI_CFG_SPACE_SIZE) || pasid_at % 4 ||
	    !width || width > 20)
		return -EINVAL;
	fake.len = pri ? FAKE_LEN : PCI_EXT_CAP_PASID_SIZEOF;

	pdev = pci_get_domain_bus_and_slot(domain, busnr, PCI_DEVFN(dev, fn));
	if (!pdev)
		return -ENODEV;
	last = fake_find_last(pdev);
	if (last >= 0 && pasid_at + fake.len > pdev->cfg_size)
		last = -ENOSPC;
	if (last >= 0 && fake_check_free(pdev))
		last = -EBUSY;
	if (last < 0) {
		pci_dev_put(pdev);
		return last;
	}
	raw_spin_lock_init(&fake.lock);
	fake.last = last;
	fake.bus = pdev->bus;
	fake.devfn = pdev->devfn;
	fake_build();
	fake.ops.read = fake_read;
	fake.ops.write = fake_write;
	fake.orig = pci_bus_set_ops(fake.bus, &fake.ops);
	pci_info(pdev, "fake PASID capability at 0x%x%s (remove and rescan to see it)\n",
		 pasid_at, pri ? ", PRI after it" : "");
	pci_dev_put(pdev);
	return 0;
}
module_init(fake_init);

static void __exit fake_exit(void)
{
	pci_bus_set_ops(fake.bus, fake.orig);
}
module_exit(fake_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test only: a fake PASID (and PRI) capability on one PCI function");
