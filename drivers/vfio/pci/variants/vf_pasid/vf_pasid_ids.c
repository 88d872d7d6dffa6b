// SPDX-License-Identifier: GPL-2.0
/*
 * vf-pasid-vfio-pci: the ids= parameter, "vendor:device:offset,...".
 *
 * Every entry is checked before anything is registered, and one bad entry
 * refuses the load: a syntax error, an offset outside extended config
 * space, or, for each function present with that ID, a function that is
 * not a VF or a place that vfio_pci_core_vf_pasid_fits() rejects (it
 * overlaps a capability of the VF's or the PF's chain, or leaves too little
 * room before the next one).
 */
#include <linux/pci.h>
#include <linux/string.h>
#include <linux/vfio_pci_core.h>

#include "vf_pasid.h"

struct vf_pasid_id {
	unsigned int vendor;
	unsigned int device;
	unsigned int offset;
};

static int vf_pasid_parse(const char *entry, struct vf_pasid_id *id)
{
	char extra;

	if (sscanf(entry, "%x:%x:%x%c", &id->vendor, &id->device, &id->offset,
		   &extra) != 3)
		return -EINVAL;
	if (id->vendor > 0xffff || id->device > 0xffff ||
	    id->offset < PCI_CFG_SPACE_SIZE ||
	    id->offset >= PCI_CFG_SPACE_EXP_SIZE || id->offset % 4)
		return -EINVAL;
	return 0;
}

/* Every function present with the entry's ID must take it. */
static int vf_pasid_check_present(const struct vf_pasid_id *id)
{
	struct pci_dev *pdev = NULL;
	int ret;

	while ((pdev = pci_get_device(id->vendor, id->device, pdev))) {
		ret = pdev->is_virtfn ?
		      vfio_pci_core_vf_pasid_fits(pdev, id->offset) : -EINVAL;
		if (ret) {
			pci_err(pdev, "vf-pasid-vfio-pci: offset 0x%x refused: %d\n",
				id->offset, ret);
			pci_dev_put(pdev);
			return ret;
		}
	}
	return 0;
}

/* Call @fn on every entry of @ids; stop at the first error. */
static int vf_pasid_for_each(const char *ids,
			     int (*fn)(const struct vf_pasid_id *id,
				       void *arg),
			     void *arg)
{
	char *copy, *p, *entry;
	struct vf_pasid_id id;
	int ret = 0;

	copy = kstrdup(ids, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	p = copy;
	while (!ret && (entry = strsep(&p, ","))) {
		if (!*entry)
			continue;
		ret = vf_pasid_parse(entry, &id);
		if (ret) {
			pr_err("vf-pasid-vfio-pci: bad ids= entry \"%s\"\n",
			       entry);
			break;
		}
		ret = fn(&id, arg);
	}
	kfree(copy);
	return ret;
}

static int vf_pasid_check_one(const struct vf_pasid_id *id, void *arg)
{
	return vf_pasid_check_present(id) ? -EINVAL : 0;
}

int vf_pasid_ids_check(const char *ids)
{
	return vf_pasid_for_each(ids, vf_pasid_check_one, NULL);
}

static int vf_pasid_add_one(const struct vf_pasid_id *id, void *arg)
{
	struct pci_driver *drv = arg;
	int ret;

	ret = pci_add_dynid(drv, id->vendor, id->device, PCI_ANY_ID,
			    PCI_ANY_ID, 0, 0, id->offset);
	if (!ret)
		pr_info("vf-pasid-vfio-pci: added %04x:%04x, PASID at 0x%x\n",
			id->vendor, id->device, id->offset);
	return ret;
}

int vf_pasid_ids_add(const char *ids, struct pci_driver *drv)
{
	return vf_pasid_for_each(ids, vf_pasid_add_one, drv);
}
