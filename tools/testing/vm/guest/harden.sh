# SPDX-License-Identifier: GPL-2.0
#
# Hardening suites of the guest jobs (sourced by check.sh and soak.sh):
#
#   vfio_fuzz_test         a short fuzz pass per device and per variant,
#                          fixed seeds (vfio_fuzz)
#   vfio_unbind_load_test  unbind and rmmod attempted while the fuzzer
#                          holds and hammers a device
#   vfio_unplug_test       device_del / sysfs remove under a user (vfio_unplug;
#                          run by guest/unplug.sh, in a boot of its own)
#   vfio_fault_test        allocation failures in our modules (vfio_fault)
#   vfio_kmemleak_test     kmemleak is on; no object of ours leaked over the
#                          whole run; a deliberate leak is caught
#
# Each writes build/check/NAME.tap.  A failure prints how to replay it.

HARDEN_SEL=$VM_REPO/build/selftests
HARDEN_KMEMLEAK=/sys/kernel/debug/kmemleak
# Our modules, as kmemleak's backtraces name them.
HARDEN_MODULES='vfio_pci_core|vfio_pci\]|edu_vfio_pci|vfio_pci_trap_test|vfio_pci_gpu_test|vfio_pci_mig_test|vf_pasid_vfio_pci|mlx5_vfio_pci|mlx5_fw_double|vfio_pci_mlx5_test'
HARDEN_SPLATS='BUG:|WARNING:|Oops|Call Trace:|refcount_t:|UBSAN:|KASAN:|KFENCE:|INFO: task .* blocked|rcu: .*stall|general protection fault|kernel BUG|possible circular locking|inconsistent lock state'

# Variants the fuzzer covers besides vfio-pci: "driver vendor:device...".
# A new variant is one more line.
HARDEN_VARIANTS=(
	"edu-vfio-pci 1234:11e8"
	"vfio-pci-trap-test 1b36:0005 8086:10d3"
	"vfio-pci-gpu-test 1af4:1110"
	"vfio-pci-mig-test 1af4:1110"
)

# Suites left out of a run unless VM_SUITES names them: not yet seen green
# in the rig (say why next to the name).  In: vfio_unbind_load_test (14/14,
# about 50 s), vfio_fault_test (11/11, 145 s, no splat) and
# vfio_kmemleak_test (4/4, about 60 s: the real scan clean, the deliberate
# leak caught 3 of 3).  vfio_unplug_test runs in a boot of its own
# (guest/unplug.sh, make check's unplug boot), never in these guests.
HARDEN_HELD=""

# Should suite $1 run (VM_SUITES lists suites by name)?
harden_wanted() {
	case ",${VM_SUITES:-}," in
	*",$1,"*) return 0 ;;
	,,) case " $HARDEN_HELD " in
	    *" $1 "*) return 1 ;;
	    esac
	    return 0 ;;
	esac
	return 1
}

# harden_run NAME FUNCTION: run suite NAME if wanted, and print its time
# the way the selftests' is printed (make check's per-suite times).
harden_run() {
	local start=$SECONDS busy0

	harden_wanted "$1" || return 0
	echo "vm: running $1"
	busy0=$(vm_cpu_busy)
	"$2"
	echo "vm: $1 exited with $? after $((SECONDS - start))s" \
		"(cpu $(vm_cpu_busy "$busy0"))"
}

# TAP helpers: harden_tap_begin FILE; harden_ok RC DESCRIPTION; harden_end.
harden_tap_begin() {
	HARDEN_TAP=$1
	HARDEN_N=0
	: > "$HARDEN_TAP"
}

harden_ok() {
	HARDEN_N=$((HARDEN_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $HARDEN_N $2" >> "$HARDEN_TAP"
	else
		echo "not ok $HARDEN_N $2" >> "$HARDEN_TAP"
	fi
}

harden_end() {
	echo "1..$HARDEN_N" >> "$HARDEN_TAP"
}

# Kernel log lines so far; splats since a mark.
harden_mark() {
	dmesg | wc -l
}

harden_splats_since() {
	dmesg | tail -n +"$(($1 + 1))" | grep -E "$HARDEN_SPLATS"
}

# The first function with vendor:device $1 bound to driver $2.
harden_find() {
	local bdf drv
	for bdf in $(vm_find_bdfs "$1"); do
		drv=$(readlink "/sys/bus/pci/devices/$bdf/driver")
		[ "${drv##*/}" = "$2" ] && { echo "$bdf"; return 0; }
	done
	return 1
}

harden_rebind() {
	local bdf=$1 drv=$2 sys=/sys/bus/pci/devices/$1
	[ -e "$sys/driver" ] && echo "$bdf" > "$sys/driver/unbind"
	echo "$drv" > "$sys/driver_override"
	echo "$bdf" > /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$sys/driver")")" = "$drv" ]
}

# harden_fuzz_one LABEL SEED CALLS BDF: one fuzz run, one TAP result.
harden_fuzz_one() {
	local label=$1 seed=$2 calls=$3 bdf=$4 mark rc log splats
	log=$VM_OUT/fuzz-$label-$bdf.log
	mark=$(harden_mark)
	timeout -k 10 "${HARDEN_FUZZ_TIMEOUT:-120}" \
		"$HARDEN_SEL/vfio_fuzz" -s "$seed" -n "$calls" -p 2 -j 2 \
		"$bdf" > "$log" 2>&1
	rc=$?
	splats=$(harden_splats_since "$mark")
	grep '^# fuzz:' "$log" >> "$HARDEN_TAP"
	if [ "$rc" != 0 ] || [ -n "$splats" ]; then
		echo "# $label $bdf: rc $rc; replay in the guest:" >> "$HARDEN_TAP"
		grep '^# replay:' "$log" >> "$HARDEN_TAP"
		[ -n "$splats" ] && echo "$splats" | head -n 5 | sed 's/^/# /' >> "$HARDEN_TAP"
		rc=1
	fi
	harden_ok "$rc" "fuzz $bdf under $label (seed $seed, $calls calls per thread)"
}

# A short pass: every device on vfio-pci, then each variant's devices.
harden_fuzz_suite() {
	local calls=${HARDEN_FUZZ_CALLS:-25} seed=0x5eed0001 bdf entry drv id
	harden_tap_begin "$VM_OUT/vfio_fuzz_test.tap"
	for bdf in $(vm_test_bdfs); do
		harden_fuzz_one vfio-pci "$seed" "$calls" "$bdf"
	done
	for entry in "${HARDEN_VARIANTS[@]}"; do
		set -- $entry
		drv=$1
		shift
		if [ ! -e "/sys/bus/pci/drivers/$drv" ]; then
			harden_ok 0 "fuzz under $drv # SKIP not loaded"
			continue
		fi
		for id in "$@"; do
			bdf=$(harden_find "$id" vfio-pci) || continue
			if ! harden_rebind "$bdf" "$drv"; then
				harden_ok 1 "bind $bdf to $drv"
				continue
			fi
			harden_fuzz_one "$drv" "$seed" "$calls" "$bdf"
			harden_rebind "$bdf" vfio-pci
			harden_ok $? "$bdf back on vfio-pci after fuzzing under $drv"
		done
	done
	harden_end
}

# Wait up to $2 seconds for process $1 to end; 0 if it did.
harden_wait_pid() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# unbind and rmmod while the fuzzer holds and hammers a device.
harden_unbind_suite() {
	local bdf fz ub mark rc refs i seed=0x5eed0002
	harden_tap_begin "$VM_OUT/vfio_unbind_load_test.tap"
	mark=$(harden_mark)
	bdf=$(harden_find 1af4:1110 vfio-pci) || bdf=$(harden_find 1b36:0005 vfio-pci)
	if [ -z "$bdf" ]; then
		harden_ok 0 "unbind under load # SKIP no ivshmem or pci-testdev"
		harden_end
		return
	fi

	# 1. The fuzzer keeps its session (-R): rmmod of vfio-pci and
	#    vfio-pci-core must be refused while it has it open, and unbind
	#    must wait for it.  The rmmods are tried only once vfio_pci's
	#    refcount shows the session, and before the unbind starts: with a
	#    fixed 3 s wait and the rmmod after the unbind, the rmmod was
	#    seen to go through (cause not found), unbinding every device.
	"$HARDEN_SEL/vfio_fuzz" -R -s "$seed" -t 16 -p 1 -j 3 "$bdf" \
		> "$VM_OUT/unbind-fuzz.log" 2>&1 &
	fz=$!
	for ((refs = 0, i = 0; i < 100; i++)); do
		sleep 0.1
		refs=$(cat /sys/module/vfio_pci/refcnt 2>/dev/null || echo 0)
		[ "$refs" -gt 0 ] && break
	done
	harden_ok $((refs == 0)) "the fuzzer holds $bdf open ($((i / 10)).$((i % 10)) s, vfio_pci refcount $refs)"
	sleep 1
	if [ "$refs" -gt 0 ]; then
		rmmod vfio_pci 2>/dev/null
		[ $? != 0 ] && [ -e /sys/module/vfio_pci ]
		harden_ok $? "rmmod vfio_pci is refused while a device is open (refcount $refs)"
		rmmod vfio_pci_core 2>/dev/null
		[ $? != 0 ] && [ -e /sys/module/vfio_pci_core ]
		harden_ok $? "rmmod vfio_pci_core is refused while vfio_pci uses it"
	else
		# Not tried: it would unbind every device of the guest.
		harden_ok 1 "rmmod vfio_pci is refused while a device is open (not tried: nothing held it)"
		harden_ok 1 "rmmod vfio_pci_core is refused while vfio_pci uses it (not tried)"
	fi
	echo "$bdf" > "/sys/bus/pci/devices/$bdf/driver/unbind" &
	ub=$!
	sleep 2
	kill -0 "$ub" 2>/dev/null
	harden_ok $? "unbind of $bdf waits while the fuzzer has it open"
	harden_wait_pid "$fz" 60
	rc=$?
	wait "$fz"
	[ "$rc" = 0 ] && [ $? = 0 ]
	harden_ok $? "the fuzzer ended normally (replay: $(grep -h '^# replay' "$VM_OUT/unbind-fuzz.log"))"
	harden_wait_pid "$ub" 30
	harden_ok $? "unbind completed once the fuzzer closed"
	[ ! -e "/sys/bus/pci/devices/$bdf/driver" ]
	harden_ok $? "$bdf is unbound"
	harden_rebind "$bdf" vfio-pci
	harden_ok $? "$bdf binds to vfio-pci again"

	# 2. The fuzzer closes and reopens at will: unbind lands mid-run, the
	#    fuzzer keeps going against a device that is gone.
	"$HARDEN_SEL/vfio_fuzz" -s "$seed" -t 10 -p 2 -j 2 "$bdf" \
		> "$VM_OUT/unbind-fuzz2.log" 2>&1 &
	fz=$!
	sleep 3
	echo "$bdf" > "/sys/bus/pci/devices/$bdf/driver/unbind" &
	ub=$!
	harden_wait_pid "$fz" 60
	rc=$?
	wait "$fz"
	[ "$rc" = 0 ] && [ $? = 0 ]
	harden_ok $? "a reopening fuzzer survives its device being unbound (replay: $(grep -h '^# replay' "$VM_OUT/unbind-fuzz2.log"))"
	harden_wait_pid "$ub" 30
	harden_ok $? "unbind under a reopening fuzzer completed"
	harden_rebind "$bdf" vfio-pci
	harden_ok $? "$bdf binds to vfio-pci again"

	# 3. A variant module cannot go while its device is open.
	bdf=$(harden_find 1234:11e8 vfio-pci)
	if [ -n "$bdf" ] && [ -e /sys/bus/pci/drivers/edu-vfio-pci ] &&
	   harden_rebind "$bdf" edu-vfio-pci; then
		"$HARDEN_SEL/vfio_fuzz" -R -s "$seed" -t 6 -p 1 -j 2 "$bdf" \
			> "$VM_OUT/unbind-fuzz3.log" 2>&1 &
		fz=$!
		sleep 2
		rmmod edu_vfio_pci 2>/dev/null
		[ $? != 0 ] && [ -e /sys/module/edu_vfio_pci ]
		harden_ok $? "rmmod edu_vfio_pci is refused while its device is open"
		wait "$fz"
		harden_ok $? "the fuzzer on edu-vfio-pci ended normally"
		harden_rebind "$bdf" vfio-pci
		harden_ok $? "$bdf back on vfio-pci"
	fi

	[ -z "$(harden_splats_since "$mark")" ]
	harden_ok $? "no kernel splat during unbind and rmmod under load"
	harden_end
}

harden_fault_suite() {
	timeout -k 10 1200 "$HARDEN_SEL/vfio_fault" \
		> "$VM_OUT/vfio_fault_test.tap" 2>&1
}

harden_unplug_suite() {
	timeout -k 10 600 "$HARDEN_SEL/vfio_unplug" \
		> "$VM_OUT/vfio_unplug_test.tap" 2>&1
}

# kmemleak: on at boot, reports already there are not ours to judge.
# Also mounts debugfs (kmemleak, failslab) if the boot did not.
harden_leak_begin() {
	[ -e /sys/kernel/debug/kmemleak ] ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	[ -e "$HARDEN_KMEMLEAK" ] && echo clear > "$HARDEN_KMEMLEAK" 2>/dev/null
}

# Scan; print the reports that involve our modules.
harden_leak_scan() {
	echo scan > "$HARDEN_KMEMLEAK" || return 1
	sleep 1
	echo scan > "$HARDEN_KMEMLEAK" || return 1
	awk -v re="$HARDEN_MODULES" '
		/^unreferenced object/ { if (rep ~ re) print rep; rep = $0 "\n"; next }
		{ rep = rep $0 "\n" }
		END { if (rep ~ re) print rep }' "$HARDEN_KMEMLEAK"
}

harden_leak_suite() {
	local leaks
	harden_tap_begin "$VM_OUT/vfio_kmemleak_test.tap"
	if [ ! -e "$HARDEN_KMEMLEAK" ]; then
		harden_ok 1 "kmemleak is active (no $HARDEN_KMEMLEAK)"
		harden_end
		return
	fi
	cat "$HARDEN_KMEMLEAK" > /dev/null
	harden_ok $? "kmemleak is active"
	leaks=$(harden_leak_scan)
	harden_ok $? "kmemleak scan ran"
	echo "$leaks" > "$VM_OUT/kmemleak.txt"
	[ -z "$leaks" ]
	harden_ok $? "no object allocated by our modules leaked ($(echo "$leaks" | grep -c '^unreferenced') reports, in build/check/kmemleak.txt)"

	# The scan sees a leak: the test variant's hook leaks one object per
	# write.  A stale copy of the pointer (the writer's kernel stack)
	# would hide it: three objects from one shell, task stacks left out
	# of this scan, and at least one must be reported.
	echo clear > "$HARDEN_KMEMLEAK"
	if [ -e /sys/module/vfio_pci_trap_test/parameters/leak_one ]; then
		for _ in 1 2 3; do
			echo 1 > /sys/module/vfio_pci_trap_test/parameters/leak_one
		done
		echo stack=off > "$HARDEN_KMEMLEAK"
		sleep 6		# older than kmemleak's minimum age
		leaks=$(harden_leak_scan)
		echo stack=on > "$HARDEN_KMEMLEAK"
		echo "$leaks" > "$VM_OUT/kmemleak-deliberate.txt"
		echo "$leaks" | grep -q trap_test_leak_one
		harden_ok $? "the scan reports a deliberate leak of vfio_pci_trap_test ($(echo "$leaks" | grep -c '^unreferenced') of 3 reported, in build/check/kmemleak-deliberate.txt)"
		echo clear > "$HARDEN_KMEMLEAK"
	else
		harden_ok 0 "deliberate leak # SKIP vfio-pci-trap-test not loaded"
	fi
	harden_end
}
