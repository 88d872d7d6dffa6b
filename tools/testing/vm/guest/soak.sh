#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of "make soak": the fuzzer with a fresh seed for SOAK_MINUTES
# (vm.args) minutes on every device at once, vfio-pci and the variants
# (harden.sh's table) side by side, then the leak scan.  Ends with one
# summary line per device: calls, distinct call/result paths, splats, leaks.

. "$VM_REPO/tools/testing/vm/guest/lib.sh"
. "$VM_REPO/tools/testing/vm/guest/harden.sh"

minutes=${1:-10}
VM_OUT=$VM_REPO/build/soak
mkdir -p "$VM_OUT"
log=$VM_OUT/soak.log

vm_load_modules || exit 1
vm_bind_all || exit 1
harden_leak_begin

# One device of each variant's IDs moves to the variant.
declare -A driver
for bdf in $(vm_test_bdfs); do
	driver[$bdf]=vfio-pci
done
for entry in "${HARDEN_VARIANTS[@]}"; do
	set -- $entry
	drv=$1
	shift
	[ -e "/sys/bus/pci/drivers/$drv" ] || continue
	for id in "$@"; do
		bdf=$(harden_find "$id" vfio-pci) || continue
		harden_rebind "$bdf" "$drv" && driver[$bdf]=$drv
	done
done

mark=$(harden_mark)
echo "soak: $minutes minute(s) on: ${!driver[*]}"
# shellcheck disable=SC2046
timeout -k 30 $((minutes * 60 + 300)) "$VM_REPO/build/selftests/vfio_fuzz" \
	-t $((minutes * 60)) -p 2 -j 2 "${!driver[@]}" > "$log" 2>&1
rc=$?
splats=$(harden_splats_since "$mark" | tee "$VM_OUT/splats.txt" | grep -c .)
leaks=$(harden_leak_scan | tee "$VM_OUT/kmemleak.txt" | grep -c '^unreferenced')

grep -E '^# (vfio_fuzz|replay)' "$log"
echo "soak: fuzzer exit $rc"
while read -r _ _ bdf name calls paths; do
	echo "soak: $bdf $name on ${driver[$bdf]}: $calls $paths splats=$splats leaks=$leaks"
done < <(grep '^# fuzz:' "$log")
echo "soak: splats and leaks are counted for the whole run (all devices at once)"

for bdf in "${!driver[@]}"; do
	[ "${driver[$bdf]}" = vfio-pci ] || harden_rebind "$bdf" vfio-pci
done
