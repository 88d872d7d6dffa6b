#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of make check's PASID boot (vm.sh with VM_PASID=1: VT-d in
# scalable mode with PASID support).  The igb PF gets a fake PASID and PRI
# capability first (pci-fake-pasid); then, as guest/check.sh does, the
# kernel's own vfio-pci is loaded, nvme and the igb PF bound and
# snapshotted and vfio_pasid_test's steps recorded through it, and it is
# unloaded; then ours is loaded, vfio_differential_test (against this boot's
# snapshots: the PASID capability stays hidden exactly as upstream hides it)
# and vfio_pasid_test run, and both devices are unbound and the modules
# unloaded.  The two drivers are never loaded together.

. "$VM_REPO/tools/testing/vm/guest/lib.sh"

out=$VM_REPO/build/check
ref=$out/reference-pasid
tap=$out/vm-pasid.tap
st=$VM_REPO/build/selftests
n=0

# Only the devices vfio_pasid_test uses (nvme, and the igb PF that carries
# the fake capability) are bound, snapshotted and compared: the main boot
# covers the rest, and every device more costs minutes under TCG.
pasid_bdfs() {
	vm_find_bdfs "${VM_DEVICE_IDS[nvme]}"
	vm_find_bdfs "${VM_DEVICE_IDS[igb]}"
}

: > "$tap"
rm -rf "$ref" "$out/ours-pasid"
mkdir -p "$ref"

vm_fake_pasid
tap_result $? "give the igb PF a PASID and PRI capability (pci-fake-pasid)"
mapfile -t bdfs < <(pasid_bdfs)
# For the record: the capabilities as the host sees them.
lspci -vvv -d "${VM_DEVICE_IDS[igb]}" > "$out/pasid-igb-lspci.txt" 2>&1

rc=0
start=$SECONDS
VM_DRIVER=reference vm_load_modules || rc=1
if [ "$rc" = 0 ]; then
	vm_bind_all "${bdfs[@]}" || rc=1
	"$st/vfio_snapshot" "$ref" "${bdfs[@]}" \
		> "$out/reference-pasid.log" 2>&1 || rc=1
	VT_PASID_RECORD="$ref/pasid.txt" timeout -k 5 600 \
		"$st/vfio_pasid_test" > "$out/vfio_pasid_reference_test.tap" 2>&1
	vm_unbind_all "${bdfs[@]}" || rc=1
	vm_unload_modules || rc=1
fi
echo "vm: the reference step took $((SECONDS - start))s"
tap_result $rc "scalable mode: snapshot and record through the kernel's own vfio-pci, then unload it"

vm_load_modules
tap_result $? "scalable mode: load our vfio-pci-core, vfio-pci and variants"
vm_bind_all "${bdfs[@]}"
tap_result $? "scalable mode: bind nvme and the igb PF to vfio-pci"

start=$SECONDS
VT_REFERENCE_DIR=$ref VT_SNAPSHOT_OUT=$out/ours-pasid timeout -k 5 600 \
	"$st/vfio_differential_test" -v igb -v nvme \
	> "$out/vfio_differential_pasid_test.tap" 2>&1
VT_PASID_REFERENCE=$ref/pasid.txt timeout -k 5 600 \
	"$st/vfio_pasid_test" > "$out/vfio_pasid_test.tap" 2>&1
echo "vm: the PASID suites took $((SECONDS - start))s"

vm_unbind_all "${bdfs[@]}"
tap_result $? "scalable mode: unbind nvme and the igb PF"
vm_unload_modules
tap_result $? "scalable mode: unload our modules"
echo "1..$n" >> "$tap"
touch "$out/pasid-done"
