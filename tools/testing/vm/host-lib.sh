# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the host side of make check (check.sh, check-stock.sh): booting
# a guest job, and kernel splats in a guest's log.

vm_host_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# vm_boot CONSOLE DMESG JOB [ARGS...]: vm.sh JOB ARGS (with the environment
# it reads, VM_OUT included), its console in CONSOLE, the guest's kernel log (its console if
# it saved none) copied to DMESG.  Returns vm.sh's status.
vm_boot() {
	local console=$1 dmesg=$2 rc vmout
	shift 2
	vmout=${VM_OUT:-$vm_host_dir/../../../build/vm}
	rm -f "$vmout/dmesg.log"
	"$vm_host_dir/vm.sh" "$@" > "$console" 2>&1
	rc=$?
	cp "$vmout/dmesg.log" "$dmesg" 2>/dev/null || cp "$vmout/console.log" "$dmesg"
	return $rc
}

# Lockdep reports start with "WARNING:" or "BUG:"; KASAN, KFENCE and UBSAN
# with their own tag.
VM_SPLATS='BUG:|WARNING:|Oops|Call Trace:|refcount_t:|UBSAN:|KASAN:|KFENCE:|INFO: task .* blocked|rcu: .*stall|general protection fault|kernel BUG|possible circular locking|inconsistent lock state'

# Known kernel reports: splats of the test kernel's own code that our
# suites cannot avoid.  Each is matched whole and precisely; it is printed
# as a known report, never counted as a splat, and never silently dropped.
#
# pciehp (Linux 7.3, drivers/pci/hotplug/): pciehp_ist() holds the slot's
# reset_lock (read) while pciehp_unconfigure_device() takes
# pci_rescan_remove_lock, and pciehp_unconfigure_device() retakes
# reset_lock (read) under pci_rescan_remove_lock after each function it
# removes.  Lockdep reports that cycle at the first removal through the
# attention button (vfio_unplug_test's device_del) whatever driver the
# function has.  Matched: a "possible circular locking dependency" report
# whose every lock is &ctrl->reset_lock or pci_rescan_remove_lock, whose
# every "at:" site is a pciehp function, which names pciehp_ist and
# pciehp_unconfigure_device, mentions nothing of vfio, and holds no other
# splat line.  Lockdep is off for the rest of that boot after it (it stops
# at its first report), which the README says.
#
# vm_known_filter LOG KNOWN: LOG without the known reports on stdout; each
# report removed is appended to KNOWN.
vm_known_filter() {
	awk -v known="$2" -v splats="$VM_SPLATS" '
	function strip(l) { sub(/^\[[ 0-9.]*\] ?/, "", l); return l }
	function judge(   i, l, t, name, ok, nsplat) {
		ok = 1; nsplat = 0
		for (i = 1; i <= n; i++) {
			l = strip(buf[i])
			if (l ~ /vfio/) ok = 0
			if (l ~ splats) nsplat++
			t = l
			while (match(t, /\([^(){} ]+\)\{/)) {
				name = substr(t, RSTART + 1, RLENGTH - 3)
				if (name != "&ctrl->reset_lock" &&
				    name != "pci_rescan_remove_lock")
					ok = 0
				t = substr(t, RSTART + RLENGTH)
			}
			if (l ~ / at: / && l !~ / at: pciehp_[a-z_]+\+/) ok = 0
		}
		all = ""
		for (i = 1; i <= n; i++) all = all "\n" strip(buf[i])
		if (all !~ /pciehp_ist/ || all !~ /pciehp_unconfigure_device/)
			ok = 0
		# Its own two: the WARNING line and "Call Trace:".
		if (!done || nsplat != 2) ok = 0
		for (i = 1; i <= n; i++)
			if (ok) print buf[i] >> known; else print buf[i]
		n = 0; inside = 0; done = 0; bt = 0
	}
	inside { buf[++n] = $0
		if (index($0, "stack backtrace:")) bt = 1
		if (bt && index($0, "</TASK>")) { done = 1; judge() }
		next }
	/WARNING: possible circular locking dependency detected/ {
		inside = 1; n = 0; buf[++n] = $0; next }
	{ print }
	END { if (inside) judge() }' "$1"
}

# vm_no_splats OUT LOG...: 0 when no LOG has a splat; the ones found go to
# OUT and to stderr.  Known kernel reports (above) go to OUT.known and are
# printed as such.
vm_no_splats() {
	local out=$1 log rc=0
	shift
	: > "$out"
	rm -f "$out.known"
	for log in "$@"; do
		vm_known_filter "$log" "$out.known" |
			grep -E "$VM_SPLATS" | sed "s|^|$log:|" >> "$out"
	done
	if [ -s "$out.known" ]; then
		echo "known kernel report(s), not counted as splats (host-lib.sh):" >&2
		grep -E 'WARNING:|is trying to acquire|already holding' \
			"$out.known" >&2
	fi
	if [ -s "$out" ]; then
		cat "$out" >&2
		rc=1
	fi
	return $rc
}
