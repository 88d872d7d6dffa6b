#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make run": build what is missing, boot the VM, bind the emulated devices to
# our vfio-pci and show them opened through iommufd (guest/run.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

"$here/provision.sh"
KDIR=$("$here/build-kernel.sh")
export KDIR
make -s -C "$repo" KDIR="$KDIR" VFIO_PCI_CORE_MLX5_TEST=m modules
make -s -C "$repo/tools/testing/selftests/vfio" KDIR="$KDIR"
exec "$here/vm.sh" run
