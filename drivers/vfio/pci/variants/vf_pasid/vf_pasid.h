/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vf-pasid-vfio-pci: what the wiring (vf_pasid_main.c) and the ids=
 * parameter (vf_pasid_ids.c) share.
 */
#ifndef __VF_PASID_H
#define __VF_PASID_H

#include <linux/pci.h>

/* Check ids= against the functions present; 0 or -EINVAL. */
int vf_pasid_ids_check(const char *ids);

/* Add the entries of ids= (already checked) as dynamic IDs of @drv. */
int vf_pasid_ids_add(const char *ids, struct pci_driver *drv);

#endif /* __VF_PASID_H */
