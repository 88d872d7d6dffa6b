#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check": the one test command.
#
#  1. installs the Debian packages the rig needs (provision.sh);
#  2. builds the test kernel, or reuses the cached build (build-kernel.sh);
#  3. host-side checks, each one a TAP result in build/check/host.tap: the
#     modules build W=1-clean against 7.3 and against Debian's 6.12 headers,
#     checkpatch --strict, kernel-doc of the public header, the selftests
#     build;
#  4. boots the VM, which binds the devices and runs every selftest
#     (guest/check.sh), each binary writing build/check/NAME.tap;
#  5. fails on any kernel splat in the guest's log (build/check/dmesg.log);
#  6. prints every result and ends with "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=$repo/build/check
logs=$out/logs
host_tap=$out/host.tap
n=0

rm -rf "$out"
mkdir -p "$logs"
: > "$host_tap"

log() { echo "check: $*" >&2; }

# record RC DESCRIPTION
record() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2" >> "$host_tap"
	else
		echo "not ok $n $2" >> "$host_tap"
		log "FAILED: $2 (see $logs)"
	fi
}

# step NAME DESCRIPTION COMMAND...: run, log to logs/NAME.log, record.
step() {
	local name=$1 what=$2
	shift 2
	log "$what"
	"$@" > "$logs/$name.log" 2>&1
	record $? "$what"
}

no_warnings() {
	local logf=$1
	shift
	"$@" > "$logf" 2>&1 || return 1
	! grep -E 'warning:|error:|not available or not up to date' "$logf"
}

step provision "install the packages the rig needs" \
	"$here/provision.sh"

log "building or reusing the test kernel (a fresh build takes ~10 minutes)"
if ! kdir=$("$here/build-kernel.sh" 2> "$logs/kernel.log"); then
	record 1 "build the Linux 7.3 test kernel"
	tail -n 30 "$logs/kernel.log" >&2
	exit 1
fi
record 0 "build the Linux 7.3 test kernel ($(basename "$kdir"))"
export KDIR=$kdir

make -s -C "$kdir" M="$repo" clean > /dev/null 2>&1
step modules-7.3 "modules build W=1 against Linux 7.3 with no warnings" \
	no_warnings "$logs/modules-7.3.out" make -C "$repo" KDIR="$kdir" W=1

hdr612=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -n1)
compat=$repo/build/compat-6.12
rm -rf "$compat"
mkdir -p "$compat"
(cd "$repo" && tar cf - --exclude=./build --exclude=./.git .) | tar -C "$compat" -xf -
step modules-6.12 "modules build W=1 against Debian's $(basename "$hdr612") with no warnings" \
	no_warnings "$logs/modules-6.12.out" make -C "$compat" KDIR="$hdr612" W=1

step nospec "user-supplied indexes are clamped under speculation (7.3 and 6.12 builds)" \
	bash -c '"$0" "$1" && "$0" "$2"' "$here/nospec-check.sh" "$repo" "$compat"

# Debian's sparse (0.6.4) predates __typeof_unqual__, which 7.3's headers
# use, so the kernel refuses it there: sparse runs against the 6.12 build.
step sparse "sparse is clean (against the 6.12 headers)" \
	no_warnings "$logs/sparse.out" make -C "$compat" KDIR="$hdr612" C=2 CHECK=sparse

kernel_sources() {
	(cd "$repo" && git ls-files -co --exclude-standard \
		'include/*.h' 'drivers/*.c' 'drivers/*.h')
}

checkpatch() {
	local f rc=0 ignore
	for f in $(kernel_sources); do
		ignore=FILE_PATH_CHANGES
		# The compat header is where version checks are meant to live.
		case "$f" in
		*/vfio_pci_core_compat.h)
			ignore+=,LINUX_VERSION_CODE,CONSTANT_COMPARISON ;;
		esac
		"$kdir/scripts/checkpatch.pl" --strict --no-tree --quiet \
			--ignore "$ignore" -f "$repo/$f" || rc=1
	done
	return $rc
}
step checkpatch "checkpatch.pl --strict is clean on the kernel sources" checkpatch

kerneldoc() {
	"$kdir/scripts/kernel-doc" -none -Wall "$repo"/include/linux/vfio_pci_core*.h 2>&1 |
		tee /dev/stderr | grep -q . && return 1
	return 0
}
step kernel-doc "kernel-doc of include/linux/vfio_pci_core*.h has no warnings" kerneldoc

step selftests "build the selftests" \
	make -C "$repo/tools/testing/selftests/vfio" KDIR="$kdir"

log "booting the VM and running the suites in it"
# The hardening suites add several minutes to the guest's run.
VM_TIMEOUT=${VM_TIMEOUT:-2400} "$here/vm.sh" check > "$logs/vm-console.log" 2>&1
vm_rc=$?
cp "$repo/build/vm/dmesg.log" "$out/dmesg.log" 2>/dev/null ||
	cp "$repo/build/vm/console.log" "$out/dmesg.log"
record "$vm_rc" "the VM booted, ran the suites and powered off (rc $vm_rc)"
[ -f "$out/guest-done" ]
record $? "the guest job ran to its end"

# Lockdep reports start with "WARNING:" or "BUG:"; KASAN, KFENCE and UBSAN
# with their own tag.
splats='BUG:|WARNING:|Oops|Call Trace:|refcount_t:|UBSAN:|KASAN:|KFENCE:|INFO: task .* blocked|rcu: .*stall|general protection fault|kernel BUG|possible circular locking|inconsistent lock state'
if grep -E "$splats" "$out/dmesg.log" "$repo/build/vm/console.log" > "$logs/splats.log"; then
	record 1 "no kernel splat (BUG, WARNING, KASAN, UBSAN, lockdep, Oops) in the guest"
	cat "$logs/splats.log" >&2
else
	record 0 "no kernel splat (BUG, WARNING, KASAN, UBSAN, lockdep, Oops) in the guest"
fi
echo "1..$n" >> "$host_tap"

# Print every result and the totals.
pass=0 fail=0 skip=0
for tap in "$host_tap" "$out"/vm-setup.tap "$out"/*_test.tap; do
	[ -f "$tap" ] || continue
	suite=$(basename "$tap" .tap)
	if ! grep -qE '^(not )?ok [0-9]+' "$tap"; then
		echo "FAIL $suite: no results (see $tap)"
		fail=$((fail + 1))
		continue
	fi
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			echo "FAIL $suite: ${line#not ok }"
			fail=$((fail + 1)) ;;
		"ok "*"# SKIP"*)
			echo "SKIP $suite: ${line#ok }"
			skip=$((skip + 1)) ;;
		"ok "*)
			echo "PASS $suite: ${line#ok }"
			pass=$((pass + 1)) ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+' "$tap")
done

# A run that produced no result at all is a failure, not a pass.
if [ $((pass + fail)) = 0 ]; then
	echo "FAIL check: no test result was produced"
	fail=1
fi

# Benchmark figures: vfio_bench's files and any "# bench:" line a suite
# printed.  Figures only; nothing passes or fails on them.
if grep -hs '^# bench:' "$out"/bench-*.txt "$out"/*_test.tap > "$out/bench.txt"; then
	echo
	echo "Benchmarks (TCG guest; compare, do not read as hardware figures):"
	sed 's/^# bench: /  /' "$out/bench.txt"
fi

echo
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
