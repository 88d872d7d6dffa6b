#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host check: every place where a user-supplied index selects an array entry
# after a bounds check clamps it under speculation (array_index_nospec(),
# which x86 compiles to a cmp/sbb mask).  The table lists object:function;
# a function whose code has no sbb fails.  One entry per such dispatch.
#
# Usage: nospec-check.sh MODULE_BUILD_DIR
set -u

dir=${1:?usage: nospec-check.sh DIR}
checks=(
	drivers/vfio/pci/core/irq_set.o:vfio_pci_core_ioctl_set_irqs
	drivers/vfio/pci/core/mmap.o:vfio_pci_core_mmap
	drivers/vfio/pci/core/ioeventfd.o:vfio_pci_core_ioctl_ioeventfd
	drivers/vfio/pci/core/dmabuf.o:vfio_pci_core_feature_dma_buf
	drivers/vfio/pci/core/region_decl.o:vfio_pci_core_vregion
	drivers/vfio/pci/variants/igbvf/stream.o:igbvf_load
)

rc=0
for c in "${checks[@]}"; do
	obj=$dir/${c%%:*}
	fn=${c#*:}
	n=$(objdump -d "$obj" | awk -v f="<$fn>:" '$2 == f { on = 1; next }
			on && /^$/ { exit } on' | grep -cw sbb)
	if [ "${n:-0}" = 0 ]; then
		echo "nospec: $fn ($obj) has no speculation clamp"
		rc=1
	fi
done
exit $rc
