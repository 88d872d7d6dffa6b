#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of "make run": load our modules, bind every emulated device to
# vfio-pci as an admin would, show lspci -k, then open each device through
# iommufd and print what the device fd reports.

. "$VM_REPO/tools/testing/vm/guest/lib.sh"

echo "== loading vfio, iommufd and our vfio-pci-core + vfio-pci"
vm_load_modules || exit 1
lsmod | grep -E '^(vfio|iommufd)'

echo
echo "== binding the test devices: driver_override + drivers_probe"
vm_bind_all || exit 1

echo
echo "== lspci -k"
for bdf in $(vm_test_bdfs); do
	lspci -k -nn -s "$bdf"
done

echo
echo "== each device opened through /dev/vfio/devices/vfioN + /dev/iommu"
# shellcheck disable=SC2046
"$VM_REPO/build/selftests/vfio_info" $(vm_test_bdfs)

echo
echo "== live migration of edu A to edu B through edu-vfio-pci (the uAPI's"
echo "   PRE_COPY, STOP_COPY and RESUMING), and what moved"
"$VM_REPO/build/selftests/vfio_edu_migrate"
