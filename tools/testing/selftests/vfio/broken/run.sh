#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show that tests fail on deliberately broken builds.
#
# Usage: run.sh [NAME...]   (default: every NAME.patch here)
#
# Each NAME.patch breaks one mechanism on purpose and names, in its header,
# the suite ("Suite:") and the tests ("Tests:") that must catch it.  A copy
# of HEAD is built once, then with each patch in turn (only what the patch
# touches is rebuilt), the modules kept under build/broken/NAME; then one
# guest loads each broken build in turn, binds
# the devices to it and runs those tests.  Prints one line per break and
# exits non-zero when a broken build passed its tests (or did not build).
# The patches are never applied to the work tree itself.  BROKEN_VM=0 only
# builds; BROKEN_BUILD=0 reuses what the last run built.  BROKEN_BASELINE
# names suites the guest first runs on the unbroken build of the work tree
# (results in build/broken/baseline-SUITE.tap); BROKEN_LATE, suites it runs
# on that build at the end, after the broken ones (long ones).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../../.." && pwd)
out=$repo/build/broken
kdir=${KDIR:-$("$repo/tools/testing/vm/build-kernel.sh")}

names=("$@")
if [ ${#names[@]} = 0 ]; then
	for p in "$here"/*.patch; do
		p=${p##*/}
		names+=("${p%.patch}")
	done
fi

rc=0
# One copy of HEAD, built once; each patch then rebuilds only what it
# touches, and its modules are kept in build/broken/NAME.
src=$out/.src
build_all() {
	mkdir -p "$src"
	git -C "$repo" archive HEAD | tar -x -C "$src"
	{ make -C "$repo" KDIR="$kdir" VFIO_PCI_CORE_MLX5_TEST=m &&
	  make -C "$repo/tools/testing/selftests/vfio" KDIR="$kdir" &&
	  make -C "$src" KDIR="$kdir" VFIO_PCI_CORE_MLX5_TEST=m; } > "$out/build.log" 2>&1 ||
		{ echo "broken: HEAD does not build (see $out/build.log)"; exit 1; }
	for name in "${names[@]}"; do
		tree=$out/$name
		rm -rf "$tree"
		mkdir -p "$tree"
		cp "$here/$name.patch" "$tree/broken.patch"
		if patch -d "$src" -p1 < "$here/$name.patch" > "$tree/build.log" 2>&1 &&
		   make -C "$src" KDIR="$kdir" VFIO_PCI_CORE_MLX5_TEST=m >> "$tree/build.log" 2>&1; then
			(cd "$src" && find drivers -name '*.ko' | cpio -pdm --quiet "$tree")
		else
			echo "broken: $name: does not apply or build (see $tree/build.log)"
			rm -rf "$tree"
			rc=1
		fi
		patch -d "$src" -p1 -R < "$here/$name.patch" >> "$tree.log" 2>&1
	done
}
if [ "${BROKEN_BUILD:-1}" != 0 ]; then
	rm -rf "$src" "$out"/baseline*
	mkdir -p "$out"
	build_all
fi
[ "${BROKEN_VM:-1}" = 0 ] && exit $rc
echo "${BROKEN_BASELINE:-}" > "$out/baseline"
echo "${BROKEN_LATE:-}" > "$out/baseline-late"

"$repo/tools/testing/vm/vm.sh" exec tools/testing/selftests/vfio/broken/guest.sh \
	> "$out/vm.log" 2>&1

for suite in $(cat "$out/baseline" "$out/baseline-late"); do
	echo "baseline: $suite: $(grep -c '^ok ' "$out/baseline-$suite.tap" 2>/dev/null) ok," \
		"$(grep -c '^not ok ' "$out/baseline-$suite.tap" 2>/dev/null) not ok"
done
for name in "${names[@]}"; do
	tree=$out/$name
	[ -d "$tree" ] || continue
	if [ ! -e "$tree/rc" ]; then
		echo "broken: $name: not run (see $out/vm.log)"
		rc=1
	elif [ "$(cat "$tree/rc")" = 0 ]; then
		echo "broken: $name: the tests PASSED on the broken build"
		rc=1
	else
		echo "broken: $name: caught: $(grep -m1 -E '^# .*(Expected|FAIL|Timeout)' "$tree/result.tap")"
	fi
done
exit $rc
