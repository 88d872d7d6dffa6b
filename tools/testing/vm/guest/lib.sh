# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the guest jobs: load our modules and bind the emulated
# devices to vfio-pci the way an admin does.

# tap_result RC DESCRIPTION: the next TAP line of a guest job, "ok" when RC
# is 0, appended to $tap; the job keeps the count in n.
tap_result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2" >> "$tap"
	else
		echo "not ok $n $2" >> "$tap"
	fi
}

# vendor:device of each emulated test device, by name.
declare -A VM_DEVICE_IDS=(
	[edu]=1234:11e8
	[igb]=8086:10c9
	[e1000e]=8086:10d3
	[nvme]=1b36:0010
	[pci-testdev]=1b36:0005
	[ivshmem]=1af4:1110
	[vga]=1234:1111
)

# Print the BDFs of every function with the given vendor:device.  Shell
# builtins only: under TCG every fork+exec costs a noticeable fraction of a
# second.
vm_find_bdfs() {
	local want=$1 dev vendor device
	for dev in /sys/bus/pci/devices/*; do
		read -r vendor < "$dev/vendor"
		read -r device < "$dev/device"
		[ "${vendor#0x}:${device#0x}" = "$want" ] && echo "${dev##*/}"
	done
	return 0
}

# Every test device's BDF, one per line, in bus order.  SR-IOV VFs are left
# out: nvme VFs share the PF's vendor:device, and VFs come and go with the
# tests that create them.
vm_test_bdfs() {
	local want=" ${VM_DEVICE_IDS[*]} " dev vendor device
	for dev in /sys/bus/pci/devices/*; do
		[ -e "$dev/physfn" ] && continue
		read -r vendor < "$dev/vendor"
		read -r device < "$dev/device"
		case "$want" in
		*" ${vendor#0x}:${device#0x} "*) echo "${dev##*/}" ;;
		esac
	done
}

# Load the VFIO stack of the test kernel, then our modules (or the kernel's
# own vfio-pci when VM_DRIVER=reference).
vm_load_modules() {
	modprobe vfio || return 1
	modprobe iommufd || return 1
	modprobe vfio_iommu_type1 || return 1
	if [ "${VM_DRIVER:-ours}" = reference ]; then
		modprobe vfio-pci
		return
	fi
	modprobe irqbypass 2>/dev/null
	insmod "$VM_REPO/drivers/vfio/pci/core/vfio-pci-core.ko" || return 1
	insmod "$VM_REPO/drivers/vfio/pci/vfio-pci.ko" || return 1
	# Variant drivers bind only through driver_override: loading them
	# changes nothing until a test sends a device there.
	# mlx5-vfio-pci links against the kernel's mlx5_core.
	modprobe mlx5_core || return 1
	local ko
	for ko in "$VM_REPO"/drivers/vfio/pci/variants/*/*.ko; do
		[ -e "$ko" ] || continue
		insmod "$ko" || return 1
	done
}

# VM_UNLOAD_WHY says why, for a failure (see vm_unbind_all).
vm_unload_modules() {
	local ko
	VM_UNLOAD_WHY=
	for ko in "$VM_REPO"/drivers/vfio/pci/variants/*/*.ko; do
		[ -e "$ko" ] || continue
		ko=${ko##*/}
		rmmod "${ko%.ko}" 2>/dev/null
	done
	rmmod vfio-pci vfio-pci-core 2>/dev/null && return 0
	VM_UNLOAD_WHY=$(rmmod vfio_pci vfio_pci_core 2>&1) && return 0
	# What still holds them, for the result's description.
	VM_UNLOAD_WHY+=" [$(grep -E '^vfio' /proc/modules | cut -d' ' -f1,3,4 | tr '\n' ' ')]"
	echo "vm: unload failed: $VM_UNLOAD_WHY" >&2
	return 1
}

# Bind one function to vfio-pci with driver_override + drivers_probe.
vm_bind() {
	local bdf=$1 sys=/sys/bus/pci/devices/$1
	if [ -e "$sys/driver" ]; then
		echo "$bdf" > "$sys/driver/unbind" || return 1
	fi
	echo vfio-pci > "$sys/driver_override" || return 1
	echo "$bdf" > /sys/bus/pci/drivers_probe || return 1
	local drv
	drv=$(readlink "$sys/driver")
	[ "${drv##*/}" = vfio-pci ]
}

# Bind every test device (or only the BDFs given) to vfio-pci.
vm_bind_all() {
	local bdf rc=0 bdfs=("$@")
	[ $# -gt 0 ] || mapfile -t bdfs < <(vm_test_bdfs)
	for bdf in "${bdfs[@]}"; do
		if ! vm_bind "$bdf"; then
			echo "vm: could not bind $bdf to vfio-pci" >&2
			rc=1
		fi
	done
	return $rc
}

# Unbind every test device (or only the BDFs given) and clear its
# driver_override.
# VM_UNBIND_WHY says, for a failure, which function and in what state (a
# result's description names it, so that a CI log shows it).
vm_unbind_all() {
	local bdf rc=0 bdfs=("$@") sys drv
	[ $# -gt 0 ] || mapfile -t bdfs < <(vm_test_bdfs)
	VM_UNBIND_WHY=
	for bdf in "${bdfs[@]}"; do
		sys=/sys/bus/pci/devices/$bdf
		drv=$(readlink "$sys/driver")
		if ! echo "$bdf" > "$sys/driver/unbind" ||
		   ! echo > "$sys/driver_override"; then
			rc=1
			VM_UNBIND_WHY+="${VM_UNBIND_WHY:+; }$bdf on '${drv##*/}'"
			[ -e "$sys" ] || VM_UNBIND_WHY+=" (gone)"
		fi
	done
	[ -z "$VM_UNBIND_WHY" ] || echo "vm: unbind failed: $VM_UNBIND_WHY" >&2
	return $rc
}

# Bind every test device to the vfio-pci loaded now and snapshot what its
# device fds show into DIR (the differential suite's reference).
vm_snapshot_all() {
	local dir=$1 bdf rc=0
	for bdf in $(vm_test_bdfs); do
		vm_bind "$bdf" || rc=1
	done
	# shellcheck disable=SC2046
	"$VM_REPO/build/selftests/vfio_snapshot" "$dir" $(vm_test_bdfs) \
		> "$dir.log" 2>&1 || rc=1
	return $rc
}

# vm_cpu_busy [SINCE]: "BUSY IDLE" jiffies of the guest's CPUs so far; with
# SINCE (an earlier output), the share of the time between that was busy:
# what a suite's wall time owes to the CPU rather than to sleeping.
vm_cpu_busy() {
	local now
	now=$(awk '/^cpu /{print $2+$3+$4+$7+$8, $5+$6}' /proc/stat)
	if [ -z "${1:-}" ]; then
		echo "$now"
		return
	fi
	set -- $1 $now
	awk -v b=$(($3 - $1)) -v i=$(($4 - $2)) \
		'BEGIN{ printf "%d%% busy", (b + i) ? 100 * b / (b + i) : 0 }'
}

# vm_selected_suites: the selftests this run selected (VM_SUITES, commas or
# spaces; every one when empty), one per line, vfio_pasid_test and
# vfio_igbvf_test left out (each runs in a boot of its own, guest/pasid.sh
# and guest/igbvf.sh).  Used on the host too.
vm_selected_suites() {
	local t name sel
	sel=",$(echo ${VM_SUITES:-} | tr ' ' ,),"
	for t in "$VM_REPO"/build/selftests/*_test; do
		name=${t##*/}
		case "$name" in
		vfio_pasid_test | vfio_igbvf_test) continue ;;
		esac
		case "$sel" in
		,,) ;;
		*",$name,"*) ;;
		*) continue ;;
		esac
		echo "$name"
	done
}

# vm_shared_exists PATH: PATH exists on the host, even when another guest
# made it after this guest first looked.  The work tree is mounted with
# cache=loose, which keeps a failed lookup's negative dentry; a directory
# read always asks the host.
vm_shared_exists() {
	local f
	for f in "${1%/*}"/*; do
		[ "${f##*/}" = "${1##*/}" ] && return 0
	done
	return 1
}

# vm_unclaimed_suites: how many of those no guest has claimed yet (all of
# them without VM_CLAIMS).
vm_unclaimed_suites() {
	local name left=0
	for name in $(vm_selected_suites); do
		vm_shared_exists "${VM_CLAIMS:-/nonexistent}/$name" ||
			left=$((left + 1))
	done
	echo "$left"
}

# vm_claim NAME: 0 when this guest is the one to run suite NAME.  With
# VM_CLAIMS=DIR (make check's guest job, two 7.3 guests side by side), the
# guests share one queue: the first to create DIR/NAME runs it (mkdir is
# atomic on the host's file system under 9p).  Without it every suite is
# this guest's.
vm_claim() {
	[ -n "${VM_CLAIMS:-}" ] || return 0
	mkdir "$VM_CLAIMS/$1" 2>/dev/null
}

# Run every selftest (VM_SUITES="a_test b_test": only those), each at most
# LIMIT seconds, writing OUT/NAME.tap.
vm_run_suites() {
	local out=$1 limit=$2 t name start lim rc busy0
	for name in $(vm_selected_suites); do
		t=$VM_REPO/build/selftests/$name
		vm_claim "$name" || continue
		echo "vm: running $name"
		start=$SECONDS
		# Two nested QEMUs per step: slow under TCG on a loaded host.
		lim=$limit
		[ "$name" = vfio_qemu_migration_test ] &&
			lim=${VM_QEMU_TEST_TIMEOUT:-1500}
		busy0=$(vm_cpu_busy)
		timeout -k 5 "$lim" "$t" > "$out/$name.tap" 2>&1
		rc=$?
		echo "vm: $name exited with $rc after $((SECONDS - start))s" \
			"(cpu $(vm_cpu_busy "$busy0"))"
	done
}

# Give the igb PF a PASID capability and a PRI capability after it (the
# test-only pci-fake-pasid module), then re-enumerate it so that the IOMMU
# enables PASID on it.  Done first in the PASID boot (guest/pasid.sh), so
# that the reference snapshot and every suite see the same device.  The
# module places them after the PF's last capability.
vm_fake_pasid() {
	local bdf
	bdf=$(vm_find_bdfs "${VM_DEVICE_IDS[igb]}")
	bdf=${bdf%%$'\n'*}
	[ -n "$bdf" ] || return 1
	insmod "$VM_REPO/tools/testing/selftests/vfio/module/pci-fake-pasid.ko" \
		bdf="$bdf" || return 1
	echo 1 > "/sys/bus/pci/devices/$bdf/remove" || return 1
	echo 1 > /sys/bus/pci/rescan || return 1
	[ -e "/sys/bus/pci/devices/$bdf" ]
}
