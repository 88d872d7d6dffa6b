#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check": the one test command.
#
#  1. installs the Debian packages the rig needs (provision.sh);
#  2. builds the test kernel, or reuses the cached build (build-kernel.sh);
#  3. builds the modules (W=1, no warning) and the selftests against 7.3;
#  4. boots the VM in the background, which binds the devices and runs
#     every selftest (guest/check.sh), each binary writing
#     build/check/NAME.tap; once the host has a core free (after step 6),
#     a second 7.3 guest takes the suites the first has not started yet
#     from a shared queue (build/check/claims), and the PASID boot runs;
#  5. meanwhile, host-side checks, each one a TAP result in
#     build/check/host.tap: the modules build W=1-clean against Debian's
#     6.12 headers, sparse, checkpatch --strict, kernel-doc of the public
#     header, make install/uninstall staged;
#  6. then the second boot, Debian's own 6.12 kernel with our modules
#     installed through DKMS (check-stock.sh; build/check/stock/), next to
#     the first one (VM_STOCK=0 skips it);
#  7. fails on any kernel splat in the guests' logs;
#  8. prints every result, the second boot's own "N passed, N failed" line,
#     the time of each phase and suite, and ends with the totals,
#     "N passed, N failed".
# CHECK_HOST=0 leaves out step 5 and 6 and the second 7.3 guest
# (VM_SECOND=1 starts it at once); VM_SUITES="a_test b_test" runs only
# those suites.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=$repo/build/check
logs=$out/logs
host_tap=$out/host.tap
n=0

check_t0=$SECONDS
rm -rf "$out"
mkdir -p "$logs" "$out/claims"
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
	local name=$1 what=$2 t0=$SECONDS
	shift 2
	log "$what"
	"$@" > "$logs/$name.log" 2>&1
	record $? "$what"
	phase_time "$name" "$t0"
}

# phase_time NAME START: NAME took from START ($SECONDS) to now.
times=$out/times.txt
phase_time() {
	printf '%-14s %5ds\n' "$1" $((SECONDS - $2)) >> "$times"
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
t0=$SECONDS
if ! kdir=$("$here/build-kernel.sh" 2> "$logs/kernel.log"); then
	record 1 "build the Linux 7.3 test kernel"
	tail -n 30 "$logs/kernel.log" >&2
	exit 1
fi
record 0 "build the Linux 7.3 test kernel ($(basename "$kdir"))"
phase_time kernel "$t0"
export KDIR=$kdir

make -s -C "$kdir" M="$repo" clean > /dev/null 2>&1
step modules-7.3 "modules build W=1 against Linux 7.3 with no warnings" \
	no_warnings "$logs/modules-7.3.out" make -j"$(nproc)" -C "$repo" KDIR="$kdir" W=1 \
		VFIO_PCI_CORE_MLX5_TEST=m

step selftests "build the selftests" \
	make -C "$repo/tools/testing/selftests/vfio" KDIR="$kdir"

# make install runs make in the tree: before the boot, whose guest loads
# the tree's modules.
if [ "${CHECK_HOST:-1}" != 0 ]; then
	kver73=$(make -s -C "$kdir" kernelrelease)
	step install-make "make install and make uninstall for $kver73, staged (build/check/install-make.tap)" \
		"$here/install-check.sh" make "$kdir" "$kver73" \
		"$kdir/modroot/lib/modules/$kver73" "$kdir/Module.symvers" \
		"$repo/build/stage-7.3" "$out/install-make.tap"
fi

# The 7.3 boot (one host core) runs while the host checks below use the
# other one; its results are recorded once it is done.
log "booting the VM and running the suites in it (in the background)"
. "$here/host-lib.sh"
(
	t0=$SECONDS
	vm_boot "$logs/vm-console.log" "$out/dmesg.log" check
	echo $? > "$out/vm.rc"
	phase_time "boot-7.3" "$t0"
) &
vm_pid=$!

# CHECK_HOST=0 (the quick loop, with VM_SUITES): only the 7.3 modules and
# the selftests are built before the boot; the 6.12 build, sparse,
# checkpatch, kernel-doc and the install checks are left out.
if [ "${CHECK_HOST:-1}" != 0 ]; then
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
fi

# The second boot, Debian's own 6.12 kernel, alongside the 7.3 one (its
# own VM_OUT; the two take the machine's two VM slots).  VM_STOCK=0 skips
# it.
if [ "${VM_STOCK:-1}" != 0 ] && [ "${CHECK_HOST:-1}" != 0 ]; then
	log "the second boot: Debian's own 6.12 kernel, our modules through DKMS"
	t0=$SECONDS
	"$here/check-stock.sh" > "$logs/check-stock.log" 2>&1
	phase_time "stock-6.12" "$t0"
fi

# extra_boot NAME SUITE WHAT ENV...: a boot of its own for one suite (its
# guest job is guest/NAME.sh, its output build/vm-NAME).  It runs in a full
# make check; with VM_SUITES, only when they name SUITE.  VM_<NAME>_BOOT=0
# skips it, VM_<NAME>_BOOT=1 forces it.
extra_boot() {
	local name=$1 suite=$2 what=$3 t0 vm_rc want var
	shift 3
	var=VM_${name^^}_BOOT
	want=${!var:-}
	if [ -z "$want" ]; then
		case ",$(echo ${VM_SUITES:-$suite} | tr ' ' ,)," in
		*,"$suite",*) want=1 ;;
		*) want=0 ;;
		esac
	fi
	[ "$want" = 1 ] || return 0
	log "booting the VM for $suite: $what"
	t0=$SECONDS
	(export "$@"; VM_OUT=$repo/build/vm-$name VM_SUITES= vm_boot \
		"$logs/vm-$name-console.log" "$out/dmesg-$name.log" "$name")
	vm_rc=$?
	phase_time "boot-$name" "$t0"
	record "$vm_rc" "the $name boot ($what) ran and powered off (rc $vm_rc)"
	[ -f "$out/$name-done" ]
	record $? "the $name boot's guest job ran to its end"
	vm_no_splats "$logs/splats-$name.log" "$out/dmesg-$name.log" \
		"$repo/build/vm-$name/console.log"
	record $? "no kernel splat in the $name boot"
}

# The PASID boot: VT-d in scalable mode with PASID support, the igb PF with a
# fake PASID capability (guest/pasid.sh), in the slot the stock boot leaves.
extra_boot pasid vfio_pasid_test "scalable mode" VM_PASID=1

# The igbvf boot: every BAR below 4 GiB (vm.sh's VM_LOWMMIO: 2.5 GiB of RAM
# and no 1 GiB ivshmem-plain), so QEMU 10.0 decodes the igb VFs' BARs where
# the guest put them; only vfio_igbvf_test runs in it (guest/igbvf.sh).
extra_boot igbvf vfio_igbvf_test "BARs below 4 GiB" VM_LOWMMIO=1

# The unplug boot: the root ports' hot-plug is PCIe native (pciehp), so
# QEMU's device_del reaches the guest; only vfio_unplug_test runs in it
# (guest/unplug.sh), away from the suites whose resets and SR-IOV changes
# make lockdep report at the first removal (README, "Unplug and lockdep").
extra_boot unplug vfio_unplug_test "PCIe native hot-plug" VM_HOTPLUG=1

# The suites no 7.3 guest has started yet (guest/lib.sh's queue helpers).
VM_REPO=$repo VM_CLAIMS=$out/claims
. "$here/guest/lib.sh"

# The second 7.3 guest, in the slot the boots above leave, when at least
# two suites are still waiting: worth its boot.  Called off if the first
# guest has started them all while it still waits for a slot.
second=${VM_SECOND:-${CHECK_HOST:-1}}
[ "$second" = 0 ] || [ "$(vm_unclaimed_suites)" -ge 2 ] || second=0
second_out=$repo/build/vm-second
if [ "$second" != 0 ]; then
	log "booting a second 7.3 guest for the $(vm_unclaimed_suites) suites not started yet"
	(
		t0=$SECONDS
		VM_OUT=$second_out vm_boot "$logs/vm-second-console.log" \
			"$out/dmesg-second.log" check second
		echo $? > "$out/vm-second.rc"
		[ -e "$second_out/slot" ] && phase_time "boot-7.3-2nd" "$t0"
	) &
	second_pid=$!
fi

log "waiting for the 7.3 boot"
wait "$vm_pid"
if [ "$second" != 0 ]; then
	if [ ! -e "$second_out/slot" ]; then
		log "the first 7.3 guest took every suite: calling off the second"
		pkill -TERM -P "$second_pid" 2>/dev/null
		wait "$second_pid"
	else
		log "waiting for the second 7.3 guest"
		wait "$second_pid"
		vm_rc=$(cat "$out/vm-second.rc" 2>/dev/null || echo 1)
		record "$vm_rc" "the second 7.3 guest booted, ran its suites and powered off (rc $vm_rc)"
		[ -f "$out/guest-second-done" ]
		record $? "the second 7.3 guest's job ran to its end"
		vm_no_splats "$logs/splats-second.log" "$out/dmesg-second.log" \
			"$second_out/console.log"
		record $? "no kernel splat in the second 7.3 guest"
	fi
fi
vm_rc=$(cat "$out/vm.rc" 2>/dev/null || echo 1)
record "$vm_rc" "the VM booted, ran the suites and powered off (rc $vm_rc)"
[ -f "$out/guest-done" ]
record $? "the guest job ran to its end"

# The guest's one deliberate lock misuse by a variant (guest/check.sh, after
# the suites) lies between two markers in the kernel log.  Outside them: no
# splat at all.  Inside: exactly the report of the entry point's lockdep
# assertion (a WARN, which leaves lockdep on for the rest of the boot).
mark='vfio-pci-core-test: expected splat'
split_expected() {
	: > "$2"
	: > "$3"
	awk -v m="$mark" -v o="$2" -v i="$3" '
		index($0, m " begin") { inside = 1; next }
		index($0, m " end") { inside = 0; next }
		{ print > (inside ? i : o) }' "$1"
}
split_expected "$out/dmesg.log" "$logs/dmesg-rest.log" "$logs/expected-splat.log"
split_expected "$repo/build/vm/console.log" "$logs/console-rest.log" /dev/null
vm_no_splats "$logs/splats.log" "$logs/dmesg-rest.log" "$logs/console-rest.log"
record $? "no kernel splat (BUG, WARNING, KASAN, UBSAN, lockdep, Oops) in the guest"
expected_splat() {
	local log=$logs/expected-splat.log
	[ "$(grep -c 'WARNING:' "$log")" = 1 ] &&
		grep 'WARNING:' "$log" |
		grep -qE ' at vfio_pci_(core_)?bar_hw_(access|read)\+' &&
		[ "$(grep -c 'Call Trace:' "$log")" = 1 ] &&
		! grep -E "$VM_SPLATS" "$log" | grep -vE 'WARNING:|Call Trace:'
}
if grep -q "$mark begin" "$out/dmesg.log"; then
	expected_splat
	record $? "the deliberate lock misuse (vfio_pci_core_bar_hw_read() from a region callback) gave exactly one lockdep assertion report"
fi

# Every suite this run selected ran in one of the two 7.3 guests.
[ "$(vm_unclaimed_suites)" = 0 ]
record $? "every selected suite was taken by a 7.3 guest"
echo "1..$n" >> "$host_tap"

# Is TAP file $1 whole: exactly one plan "1..N" and N results?  Says what
# is wrong when not.
tap_plan_check() {
	local plans results
	plans=$(grep -E '^1\.\.[0-9]+' "$1")
	results=$(grep -cE '^(not )?ok [0-9]+' "$1")
	case "$plans" in
	"")	echo "no plan line (1..N): the suite stopped before its end"
		return 1 ;;
	*$'\n'*)
		echo "more than one plan line"
		return 1 ;;
	esac
	plans=${plans%% *}
	[ "${plans#1..}" = "$results" ] && return 0
	echo "plan $plans but $results results: the suite stopped part-way"
	return 1
}

# Print every result of the TAP files given, prefixing suite names with
# PREFIX, and add them to the counters pass, fail, skip and nofd (skips
# for want of IOMMUFD).
count_taps() {
	local prefix=$1 tap suite line plan
	shift
	for tap in "$@"; do
		[ -f "$tap" ] || continue
		suite=$prefix$(basename "$tap" .tap)
		if ! grep -qE '^(not )?ok [0-9]+' "$tap"; then
			echo "FAIL $suite: no results (see $tap)"
			fail=$((fail + 1))
			continue
		fi
		# A suite that died or timed out part-way printed fewer
		# results than its plan, and none of them need be a failure.
		plan=$(tap_plan_check "$tap") || {
			echo "FAIL $suite: $plan (see $tap)"
			fail=$((fail + 1))
		}
		while IFS= read -r line; do
			case "$line" in
			"not ok "*)
				echo "FAIL $suite: ${line#not ok }"
				fail=$((fail + 1)) ;;
			"ok "*"# SKIP"*)
				echo "SKIP $suite: ${line#ok }"
				case "$line" in *IOMMUFD*) nofd=$((nofd + 1)) ;; esac
				skip=$((skip + 1)) ;;
			"ok "*)
				echo "PASS $suite: ${line#ok }"
				pass=$((pass + 1)) ;;
			esac
		done < <(grep -E '^(not )?ok [0-9]+' "$tap")
	done
}

# Every result, the second boot's with a line of its own, and the totals.
pass=0 fail=0 skip=0 nofd=0
count_taps "" "$host_tap" "$out"/install-make.tap "$out"/vm-setup*.tap \
	"$out"/vm-pasid.tap "$out"/vm-igbvf.tap "$out"/vm-unplug.tap \
	"$out"/*_test.tap
stock=$out/stock
if [ -d "$stock" ]; then
	p0=$pass f0=$fail s0=$skip nofd=0
	count_taps stock/ "$stock"/host.tap "$stock"/install-dkms.tap \
		"$stock"/vm-setup.tap "$stock"/*_test.tap
	echo
	echo "second boot, Debian's stock kernel: $((pass - p0)) passed, $((fail - f0)) failed, $((skip - s0)) skipped ($nofd for want of IOMMUFD)"
fi

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
	grep -v '^# bench: \(ours\|reference\): ' "$out/bench.txt" |
		sed 's/^# bench: /  /'
	# vfio_bench's figures side by side: ours, the kernel's vfio-pci
	# (same boot), and theirs/ours (every figure is a cost: >= 1.0 means
	# ours is at or ahead).
	awk -F': ' '
		$1 != "# bench" || NF < 4 { next }
		{ split($4, v, " "); val[$2, $3] = v[1]; if (v[1] + 0 > 0) unit[$3] = v[2] }
		$2 == "ours" && !(($3) in seen) { seen[$3] = 1; key[++n] = $3 }
		END {
			printf "  %-44s %12s %12s %7s\n", "vfio_bench (lower quartile)", "ours", "kernel", "k/ours"
			for (i = 1; i <= n; i++) {
				k = key[i]; o = val["ours", k]; r = val["reference", k]
				ratio = (o + 0 > 0 && r + 0 > 0) ? sprintf("%.2f", r / o) : "-"
				printf "  %-44s %12s %12s %7s\n", k " (" unit[k] ")", o, r == "" ? "-" : r, ratio
			}
		}' "$out"/bench-ours.txt "$out"/bench-reference.txt 2>/dev/null
fi

# Where the time went: each phase (the two boots overlap the host checks
# and each other), then each suite in each boot with the share of it the
# guest's CPU was busy.
echo
echo "Times (total $((SECONDS - check_t0))s):"
sed 's/^/  /' "$times" 2>/dev/null
for f in "$logs"/vm-*console.log; do
	[ -f "$f" ] || continue
	lines=$(sed -n 's/^vm: \(.*\) exited with \([0-9]*\) after \([0-9]*\)s\(.*\)$/\3 \1\4/p' "$f" |
		sort -rn | awk '{ n = $1; $1 = ""; printf "    %5ds %s\n", n, $0 }')
	[ -n "$lines" ] || continue
	echo "  suites in $(basename "$f" .log | sed 's/^vm-//; s/-\{0,1\}console$//; s/^$/7.3/; s/^second$/7.3, second guest/'):"
	echo "$lines"
done

echo
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
