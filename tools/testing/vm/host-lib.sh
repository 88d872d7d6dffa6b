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

# vm_no_splats OUT LOG...: 0 when no LOG has a splat; the ones found go to
# OUT and to stderr.
vm_no_splats() {
	local out=$1
	shift
	if grep -E "$VM_SPLATS" "$@" > "$out"; then
		cat "$out" >&2
		return 1
	fi
	return 0
}
