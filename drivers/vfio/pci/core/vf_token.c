// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-pci-core: the VF token.
 *
 * A PF's user can reset the PF, which takes its VFs down, and often sees or
 * steers what the VFs do.  So the user of a VF must knowingly trust the PF's
 * user, and the PF's user must knowingly accept VF users: both present the
 * same secret, a UUID called the VF token.
 *
 *  - The PF's user sets the token with VFIO_DEVICE_FEATURE_PCI_VF_TOKEN, or
 *    by presenting one when opening the PF while none of its VFs is open.
 *    It is never read back: it could be a previous user's.
 *  - A VF whose PF is bound to a vfio-pci-core driver opens only with the
 *    PF's current token.
 *  - A PF with VFs open opens only with the current token.
 *  - A token presented where none applies is an error.
 *
 * The token is presented as " vf_token=<uuid>" after the device name in
 * VFIO_GROUP_GET_DEVICE_FD, or with VFIO_DEVICE_BIND_FLAG_TOKEN when binding
 * the device cdev (the vfio core calls the match_token_uuid op).
 */
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#include "private.h"

int vfio_pci_core_vf_token_alloc(struct vfio_pci_core_device *core)
{
	struct vfio_pci_vf_token *token;

	token = kzalloc_obj(*token, GFP_KERNEL);
	if (!token)
		return -ENOMEM;
	mutex_init(&token->lock);
	/* Unguessable until the PF's user chooses one. */
	uuid_gen(&token->uuid);
	core->priv->topo.vf_token = token;
	return 0;
}

void vfio_pci_core_vf_token_free(struct vfio_pci_core_device *core)
{
	struct vfio_pci_vf_token *token = core->priv->topo.vf_token;

	/* SR-IOV is disabled by now, so no VF can still be open. */
	if (token->users)
		pci_err(core->pdev, "VF token freed with %u VF users\n",
			token->users);
	mutex_destroy(&token->lock);
	kfree(token);
	core->priv->topo.vf_token = NULL;
}

/* A VF of a vfio-bound PF was opened or closed: count it at the PF. */
void vfio_pci_core_vf_token_open(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_device *pf = core->priv->topo.pf;
	struct vfio_pci_vf_token *token;

	if (!pf)
		return;
	token = pf->priv->topo.vf_token;
	mutex_lock(&token->lock);
	token->users++;
	mutex_unlock(&token->lock);
}

void vfio_pci_core_vf_token_close(struct vfio_pci_core_device *core)
{
	struct vfio_pci_core_device *pf = core->priv->topo.pf;
	struct vfio_pci_vf_token *token;

	if (!pf)
		return;
	token = pf->priv->topo.vf_token;
	mutex_lock(&token->lock);
	if (token->users)
		token->users--;
	else
		pci_err(core->pdev, "VF close without a counted open\n");
	mutex_unlock(&token->lock);
}

int vfio_pci_core_feature_vf_token(struct vfio_pci_core_device *core,
				   u32 flags, void __user *arg, size_t argsz)
{
	struct vfio_pci_vf_token *token = core->priv->topo.vf_token;
	uuid_t uuid;
	int ret;

	if (!token)
		return -ENOTTY;
	/* SET only: reading it back could reveal a previous user's token. */
	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				 sizeof(uuid));
	if (ret != 1)
		return ret;
	if (copy_from_user(&uuid, arg, sizeof(uuid)))
		return -EFAULT;

	mutex_lock(&token->lock);
	uuid_copy(&token->uuid, &uuid);
	mutex_unlock(&token->lock);
	return 0;
}

/* A VF: the PF's token is required when the PF is ours. */
static int vfio_pci_core_vf_token_check_vf(struct vfio_pci_core_device *core,
					   const uuid_t *uuid)
{
	struct vfio_pci_core_device *pf = core->priv->topo.pf;
	struct vfio_pci_vf_token *token;
	bool equal;

	if (!pf) {
		if (!uuid)
			return 0;
		pci_info_ratelimited(core->pdev,
				     "VF token given, but the PF is not bound to a vfio driver\n");
		return -EINVAL;
	}
	if (!uuid) {
		pci_info_ratelimited(core->pdev, "VF token required\n");
		return -EACCES;
	}

	token = pf->priv->topo.vf_token;
	mutex_lock(&token->lock);
	equal = uuid_equal(uuid, &token->uuid);
	mutex_unlock(&token->lock);
	if (!equal) {
		pci_info_ratelimited(core->pdev, "wrong VF token\n");
		return -EACCES;
	}
	return 0;
}

/* A PF: with VFs open, only the current token; otherwise it sets one. */
static int vfio_pci_core_vf_token_check_pf(struct vfio_pci_core_device *core,
					   const uuid_t *uuid)
{
	struct vfio_pci_vf_token *token = core->priv->topo.vf_token;
	int ret = 0;

	mutex_lock(&token->lock);
	if (!token->users) {
		if (uuid)
			uuid_copy(&token->uuid, uuid);
	} else if (!uuid) {
		pci_info_ratelimited(core->pdev,
				     "VF token required: VFs are in use\n");
		ret = -EACCES;
	} else if (!uuid_equal(uuid, &token->uuid)) {
		pci_info_ratelimited(core->pdev, "wrong VF token\n");
		ret = -EACCES;
	}
	mutex_unlock(&token->lock);
	return ret;
}

int vfio_pci_core_match_token_uuid(struct vfio_device *vdev,
				   const uuid_t *uuid)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);

	if (core->pdev->is_virtfn)
		return vfio_pci_core_vf_token_check_vf(core, uuid);
	if (core->priv->topo.vf_token)
		return vfio_pci_core_vf_token_check_pf(core, uuid);
	if (uuid) {
		pci_info_ratelimited(core->pdev,
				     "VF token given, but this is neither a PF nor a VF\n");
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_match_token_uuid);

#define VFIO_PCI_CORE_VF_TOKEN_OPT	"vf_token="

/*
 * Parse what follows the device name in VFIO_GROUP_GET_DEVICE_FD: spaces,
 * and at most one "vf_token=<uuid>".  Returns 0 with *@have set when a token
 * was found, or -EINVAL for anything else.
 */
static int vfio_pci_core_parse_opts(const char *p, uuid_t *uuid, bool *have)
{
	size_t optlen = strlen(VFIO_PCI_CORE_VF_TOKEN_OPT);
	int ret;

	*have = false;
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (*have || strncmp(p, VFIO_PCI_CORE_VF_TOKEN_OPT, optlen))
			return -EINVAL;
		p += optlen;
		if (strnlen(p, UUID_STRING_LEN) < UUID_STRING_LEN)
			return -EINVAL;
		ret = uuid_parse(p, uuid);
		if (ret)
			return ret;
		*have = true;
		p += UUID_STRING_LEN;
	}
	return 0;
}

/* The group path asks the same question as the cdev bind. */
static int vfio_pci_core_check_token(struct vfio_device *vdev,
				     const uuid_t *uuid)
{
#if VFIO_PCI_COMPAT_MATCH_TOKEN_UUID_OP
	/* A variant may check tokens its own way. */
	if (vdev->ops->match_token_uuid)
		return vdev->ops->match_token_uuid(vdev, uuid);
#endif
	return vfio_pci_core_match_token_uuid(vdev, uuid);
}

int vfio_pci_core_match(struct vfio_device *vdev, char *buf)
{
	struct vfio_pci_core_device *core = to_vfio_pci_core(vdev);
	const char *name = pci_name(core->pdev);
	size_t len = strlen(name);
	uuid_t uuid;
	bool have;
	int ret;

	if (strncmp(buf, name, len))
		return 0;
	/* Options are separated from the name by a space. */
	if (buf[len] && buf[len] != ' ')
		return 0;

	ret = vfio_pci_core_parse_opts(buf + len, &uuid, &have);
	if (ret)
		return ret;

	ret = vfio_pci_core_check_token(vdev, have ? &uuid : NULL);
	return ret ? ret : 1;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_match);
