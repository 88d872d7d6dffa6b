#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of make check's igbvf boot (vm.sh with VM_LOWMMIO=1: every BAR
# and bridge window below 4 GiB, so the igb VFs' BARs are decoded where the
# guest put them; see vm.sh).  Loads our modules, binds the igb PF to
# vfio-pci (vfio_igbvf_test moves it to the igb driver and back itself),
# runs vfio_igbvf_test and a fuzz pass over a VF under igbvf-vfio-pci,
# then unbinds and unloads.

. "$VM_REPO/tools/testing/vm/guest/lib.sh"
. "$VM_REPO/tools/testing/vm/guest/harden.sh"

out=$VM_REPO/build/check
tap=$out/vm-igbvf.tap
n=0
mkdir -p "$out"

: > "$tap"
mapfile -t bdfs < <(vm_find_bdfs "${VM_DEVICE_IDS[igb]}")
# For the record: where the guest put the PF's VF BARs (below 4 GiB).
lspci -vvv -d "${VM_DEVICE_IDS[igb]}" > "$out/igbvf-lspci.txt" 2>&1

vm_load_modules
tap_result $? "igbvf boot: load our vfio-pci-core, vfio-pci and variants"
vm_bind_all "${bdfs[@]}"
tap_result $? "igbvf boot: bind the igb PF to vfio-pci"

start=$SECONDS
timeout -k 5 "${VM_TEST_TIMEOUT:-600}" "$VM_REPO/build/selftests/vfio_igbvf_test" \
	> "$out/vfio_igbvf_test.tap" 2>&1
echo "vm: vfio_igbvf_test exited with $? after $((SECONDS - start))s"

# The fuzzer over igbvf-vfio-pci's uAPI (its VFs exist only in this boot):
# the PF on igb with two VFs, VF0 bound to the variant, one fixed-seed
# pass as the 7.3 guests' fuzz suite gives every other variant
# (guest/harden.sh), then the PF back on vfio-pci.
igbvf_fuzz_suite() {
	local pf=${bdfs[0]} vf sys=/sys/bus/pci/devices/${bdfs[0]}
	harden_tap_begin "$out/vfio_igbvf_fuzz_test.tap"
	harden_rebind "$pf" igb
	harden_ok $? "$pf on igb"
	echo 0 > "$sys/sriov_drivers_autoprobe" &&
		echo 2 > "$sys/sriov_numvfs"
	harden_ok $? "$pf has 2 VFs"
	vf=$(readlink "$sys/virtfn0")
	vf=${vf##*/}
	if [ -n "$vf" ] && harden_rebind "$vf" igbvf-vfio-pci; then
		harden_ok 0 "$vf on igbvf-vfio-pci"
		harden_fuzz_one igbvf-vfio-pci 0x5eed0003 \
			"${HARDEN_FUZZ_CALLS:-25}" "$vf"
		echo "$vf" > "/sys/bus/pci/devices/$vf/driver/unbind"
	else
		harden_ok 1 "$vf on igbvf-vfio-pci"
	fi
	echo 0 > "$sys/sriov_numvfs" &&
		echo 1 > "$sys/sriov_drivers_autoprobe"
	harden_ok $? "$pf has no VF again"
	harden_rebind "$pf" vfio-pci
	harden_ok $? "$pf back on vfio-pci"
	harden_end
}
VM_OUT=$out
harden_run vfio_igbvf_fuzz_test igbvf_fuzz_suite

vm_unbind_all "${bdfs[@]}"
tap_result $? "igbvf boot: unbind the igb PF"
vm_unload_modules
tap_result $? "igbvf boot: unload our modules"
echo "1..$n" >> "$tap"
touch "$out/igbvf-done"
