# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the host side of make check: kernel splats in a guest's log.
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
