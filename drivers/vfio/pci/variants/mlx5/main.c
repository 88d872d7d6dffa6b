// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5-vfio-pci: wiring.  Live migration of ConnectX VFs through their PF's
 * firmware; see the README in this directory.  Built twice from the same
 * sources: the production module over mlx5_core, and (MLX5VF_TEST) the
 * test module over the firmware double, bound only by driver_override.
 */
#include <linux/mlx5/driver.h>
#include <linux/module.h>

#include "mlx5vf.h"

#ifdef MLX5VF_TEST
#define MLX5VF_NAME	"vfio-pci-mlx5-test"
#define MLX5VF_FW	(&mlx5_fw_double_ops)
/* The stand-in VF: QEMU's igbvf. */
#define MLX5VF_ID	PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL, 0x10ca)
#else
#define MLX5VF_NAME	"mlx5-vfio-pci"
#define MLX5VF_FW	(&mlx5vf_fw_core_ops)
/* ConnectX mlx5Gen VF */
#define MLX5VF_ID	PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_MELLANOX, 0x101e)
#endif

/* The PF's SR-IOV events: a VF going away ends its migration session. */
static int mlx5vf_pf_event(struct notifier_block *nb, unsigned long event,
			   void *data)
{
	struct mlx5vf_device *mv = container_of(nb, struct mlx5vf_device, nb);

	switch (event) {
	case MLX5_PF_NOTIFY_DISABLE_VF:
		WRITE_ONCE(mv->detached, true);
		vfio_pci_core_mig_abort(&mv->core, -ENOTCONN);
		break;
	case MLX5_PF_NOTIFY_ENABLE_VF:
		WRITE_ONCE(mv->detached, false);
		break;
	}
	return NOTIFY_OK;
}

static int mlx5vf_setup(struct vfio_pci_core_device *core,
			const struct pci_device_id *id)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);
	void *fw;
	int ret;

	mv->fw = MLX5VF_FW;
	mv->nb.notifier_call = mlx5vf_pf_event;
	fw = mv->fw->attach(core->pdev, &mv->nb, &mv->vhca_id);
	if (IS_ERR(fw)) {
		/* Bound all the same, as vfio-pci would bind it. */
		pci_info(core->pdev, "no live migration: %pe\n", fw);
		return 0;
	}
	mv->fw_priv = fw;
	ret = vfio_pci_core_migration_init(core, &mlx5vf_mig_ops);
	if (ret) {
		mv->fw->detach(fw, core->pdev, &mv->nb);
		mv->fw_priv = NULL;
		return ret;
	}
	mlx5vf_track_init(mv);
	return 0;
}

static void mlx5vf_teardown(struct vfio_pci_core_device *core)
{
	struct mlx5vf_device *mv = to_mlx5vf(core);

	mlx5vf_buf_free(&mv->buf);
	if (mv->fw_priv)
		mv->fw->detach(mv->fw_priv, core->pdev, &mv->nb);
}

static const struct pci_device_id mlx5vf_ids[] = {
	{ MLX5VF_ID },
	{ }
};
MODULE_DEVICE_TABLE(pci, mlx5vf_ids);

static struct vfio_pci_core_variant mlx5vf_variant = {
	.driver = {
		.name = MLX5VF_NAME,
		.id_table = mlx5vf_ids,
	},
	.dev_size = VFIO_PCI_CORE_VARIANT_SIZE(struct mlx5vf_device, core),
	.setup = mlx5vf_setup,
	.teardown = mlx5vf_teardown,
};
module_vfio_pci_core_variant(mlx5vf_variant);

MODULE_LICENSE("GPL");
MODULE_VERSION(VFIO_PCI_CORE_VERSION);
MODULE_DESCRIPTION("VFIO PCI variant for ConnectX VFs with live migration");
