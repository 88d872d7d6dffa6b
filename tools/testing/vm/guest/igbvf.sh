#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of make check's igbvf boot (vm.sh with VM_LOWMMIO=1: every BAR
# and bridge window below 4 GiB, so the igb VFs' BARs are decoded where the
# guest put them; see vm.sh).  Loads our modules, binds the igb PF to
# vfio-pci (vfio_igbvf_test moves it to the igb driver and back itself),
# runs vfio_igbvf_test, then unbinds and unloads.

. "$VM_REPO/tools/testing/vm/guest/lib.sh"

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

vm_unbind_all "${bdfs[@]}"
tap_result $? "igbvf boot: unbind the igb PF"
vm_unload_modules
tap_result $? "igbvf boot: unload our modules"
echo "1..$n" >> "$tap"
touch "$out/igbvf-done"
