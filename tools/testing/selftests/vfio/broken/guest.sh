#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of run.sh: first the baseline suites on the work tree's own
# build (loaded by exec.sh), then for each broken build under build/broken/, load its
# modules in place of ours, bind the devices to it, run the tests its patch
# names, and leave the result in build/broken/NAME/ (result.tap, rc).

. "$VM_REPO/tools/testing/vm/guest/lib.sh"

export VT_PENDING_FEATURES=1
# baseline FILE: run the suites FILE names on the work tree's own build.
baseline() {
	local suite
	for suite in $(cat "$1" 2>/dev/null); do
		echo "baseline: $suite"
		timeout -k 5 1500 "$VM_REPO/build/selftests/$suite" \
			> "$VM_REPO/build/broken/baseline-$suite.tap" 2>&1
	done
}

baseline "$VM_REPO/build/broken/baseline"
for tree in "$VM_REPO"/build/broken/*/; do
	tree=${tree%/}
	[ -e "$tree/broken.patch" ] || continue
	suite=$(sed -n 's/^Suite: //p' "$tree/broken.patch")
	args=()
	for t in $(sed -n 's/^Tests: //p' "$tree/broken.patch"); do
		args+=(-t "$t")
	done
	vm_unbind_all
	vm_unload_modules
	if ! VM_REPO=$tree vm_load_modules || ! vm_bind_all; then
		echo "load or bind failed" > "$tree/result.tap"
		continue
	fi
	echo "broken: $(basename "$tree"): $suite ${args[*]}"
	# vfio_mlx5_test loads the variant's test modules itself: this build's.
	VT_MLX5_DIR=$tree/drivers/vfio/pci/variants/mlx5/test \
		timeout -k 5 600 "$VM_REPO/build/selftests/$suite" "${args[@]}" \
		> "$tree/result.tap" 2>&1
	echo $? > "$tree/rc"
done
vm_unbind_all
vm_unload_modules
if [ -s "$VM_REPO/build/broken/baseline-late" ]; then
	vm_load_modules && vm_bind_all && baseline "$VM_REPO/build/broken/baseline-late"
	vm_unbind_all
	vm_unload_modules
fi
