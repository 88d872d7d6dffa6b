#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of make check's PASID boot (vm.sh with VM_PASID=1: VT-d in
# scalable mode with PASID support).  The igb PF gets a fake PASID and PRI
# capability first (pci-fake-pasid); then, as guest/check.sh does, the
# kernel's own vfio-pci is loaded, every device bound and snapshotted and
# vfio_pasid_test's steps recorded through it, and it is unloaded; then ours
# is loaded, vfio_differential_test (against this boot's snapshots: the
# PASID capability stays hidden exactly as upstream hides it) and
# vfio_pasid_test run, and everything is unbound and unloaded.  The two
# drivers are never loaded together.

. "$VM_REPO/tools/testing/vm/guest/lib.sh"

out=$VM_REPO/build/check
ref=$out/reference-pasid
tap=$out/vm-pasid.tap
st=$VM_REPO/build/selftests
n=0

tap_result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2" >> "$tap"
	else
		echo "not ok $n $2" >> "$tap"
	fi
}

# Unbind every test device and clear its driver_override; 0 or 1.
unbind_all() {
	local bdf rc=0
	for bdf in $(vm_test_bdfs); do
		echo "$bdf" > "/sys/bus/pci/devices/$bdf/driver/unbind" || rc=1
		echo > "/sys/bus/pci/devices/$bdf/driver_override" || rc=1
	done
	return $rc
}

: > "$tap"
rm -rf "$ref" "$out/ours-pasid"
mkdir -p "$ref"

vm_fake_pasid
tap_result $? "give the igb PF a PASID and PRI capability (pci-fake-pasid)"
# For the record: the capabilities as the host sees them.
lspci -vvv -d "${VM_DEVICE_IDS[igb]}" > "$out/pasid-igb-lspci.txt" 2>&1

rc=0
VM_DRIVER=reference vm_load_modules || rc=1
if [ "$rc" = 0 ]; then
	vm_bind_all || rc=1
	# shellcheck disable=SC2046
	"$st/vfio_snapshot" "$ref" $(vm_test_bdfs) \
		> "$out/reference-pasid.log" 2>&1 || rc=1
	VT_PASID_RECORD="$ref/pasid.txt" timeout -k 5 600 \
		"$st/vfio_pasid_test" > "$out/vfio_pasid_reference_test.tap" 2>&1
	unbind_all || rc=1
	vm_unload_modules || rc=1
fi
tap_result $rc "scalable mode: snapshot and record through the kernel's own vfio-pci, then unload it"

vm_load_modules
tap_result $? "scalable mode: load our vfio-pci-core, vfio-pci and variants"
vm_bind_all
tap_result $? "scalable mode: bind every device to vfio-pci"

VT_REFERENCE_DIR=$ref VT_SNAPSHOT_OUT=$out/ours-pasid timeout -k 5 600 \
	"$st/vfio_differential_test" > "$out/vfio_differential_pasid_test.tap" 2>&1
VT_PASID_REFERENCE=$ref/pasid.txt timeout -k 5 600 \
	"$st/vfio_pasid_test" > "$out/vfio_pasid_test.tap" 2>&1

unbind_all
tap_result $? "scalable mode: unbind every device"
vm_unload_modules
tap_result $? "scalable mode: unload our modules"
echo "1..$n" >> "$tap"
touch "$out/pasid-done"
