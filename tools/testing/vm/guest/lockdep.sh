#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of the lockdep boot of "make check" (tools/testing/vm/check.sh):
# a variant breaks the lock contract on purpose, once.  Lockdep reports only
# its first problem per boot, so this runs in a boot of its own, after the
# main one.  vfio-pci-gpu-test's misuse hook makes a device-region callback
# (run under the core's memory lock) call vfio_pci_core_bar_hw_read(); the
# core must refuse it with -EDEADLK after lockdep's report.  The host checks
# the kernel log for exactly that report.

. "$VM_REPO/tools/testing/vm/guest/lib.sh"

out=$VM_REPO/build/check/lockdep
rm -rf "$out"
mkdir -p "$out"

vm_load_modules || exit 1
bdf=$(vm_find_bdfs "${VM_DEVICE_IDS[ivshmem]}")
vm_bind "$bdf" || exit 1
echo 1 > /sys/module/vfio_pci_gpu_test/parameters/misuse || exit 1
"$VM_REPO/build/selftests/vfio_region_test" -t misuse_hook \
	> "$out/vfio_region_test.tap" 2>&1
echo 0 > /sys/module/vfio_pci_gpu_test/parameters/misuse
echo "$bdf" > "/sys/bus/pci/devices/$bdf/driver/unbind"
echo > "/sys/bus/pci/devices/$bdf/driver_override"
vm_unload_modules
touch "$out/guest-done"
