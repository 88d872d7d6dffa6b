#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of make check's unplug boot (vm.sh with VM_HOTPLUG=1: the root
# ports' hot-plug is PCIe native, so pciehp drives the slots and QEMU's
# device_del reaches the guest as an attention-button press).  Loads our
# modules, binds the functions vfio_unplug_test uses, runs it, scans for
# leaks of our modules over it, then unbinds and unloads: nothing may be
# left holding a reference after the removals and the re-adds.
#
# A boot of its own: with pciehp owning the slots, every slot reset (the
# edu functions have no FLR) takes pciehp's reset_lock, and the first
# removal through pciehp makes lockdep report the chains of the README's
# "Unplug and lockdep" in a boot that ran the group path, the hot reset or
# SR-IOV before it.

. "$VM_REPO/tools/testing/vm/guest/lib.sh"
. "$VM_REPO/tools/testing/vm/guest/harden.sh"

out=$VM_REPO/build/check
tap=$out/vm-unplug.tap
n=0
mkdir -p "$out"
VM_OUT=$out

# The functions the suite holds, removes and adds back (e1000e, the second
# edu, pci-testdev), and the ones it checks still work meanwhile (ivshmem,
# the first edu).
unplug_bdfs() {
	local name
	for name in edu e1000e pci-testdev ivshmem; do
		vm_find_bdfs "${VM_DEVICE_IDS[$name]}"
	done
}

: > "$tap"
harden_leak_begin
mapfile -t bdfs < <(unplug_bdfs)

vm_load_modules
tap_result $? "unplug boot: load our vfio-pci-core, vfio-pci and variants"
vm_bind_all "${bdfs[@]}"
tap_result $? "unplug boot: bind ${#bdfs[@]} functions to vfio-pci"

harden_run vfio_unplug_test harden_unplug_suite

# The same functions, at the same addresses, are back on vfio-pci.
rc=0
for bdf in "${bdfs[@]}"; do
	drv=$(readlink "/sys/bus/pci/devices/$bdf/driver")
	[ "${drv##*/}" = vfio-pci ] || { echo "vm: $bdf is not on vfio-pci"; rc=1; }
done
tap_result $rc "unplug boot: every function is back on vfio-pci after the suite"

if [ -e "$HARDEN_KMEMLEAK" ]; then
	leaks=$(harden_leak_scan)
	echo "$leaks" > "$out/kmemleak-unplug.txt"
	[ -z "$leaks" ]
	tap_result $? "unplug boot: no object allocated by our modules leaked ($(echo "$leaks" | grep -c '^unreferenced') reports, in build/check/kmemleak-unplug.txt)"
fi

vm_unbind_all "${bdfs[@]}"
tap_result $? "unplug boot: unbind every function"
vm_unload_modules
tap_result $? "unplug boot: unload our modules"
echo "1..$n" >> "$tap"
touch "$out/unplug-done"
