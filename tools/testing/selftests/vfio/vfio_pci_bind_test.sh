#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vfio-pci-bind (tools/admin/) in the test VM, on either kernel: the driver
# it picks, binding, --undo, --persist (driverctl's format), --group, and
# every refusal: unknown function, bridge, no IOMMU, an up network
# interface, a mounted disk or file system, a group with functions on host
# drivers.  A refusal must leave every driver as it was.
#
# Expects the rig's state: the test devices bound to vfio-pci, our modules
# loaded.  Leaves them so.  The modules are looked up in a staged install of
# ours (build/stage-*/installed) when there is one for this kernel, else in
# /lib/modules.  TAP on stdout.

here=$(cd "$(dirname "$0")" && pwd)
repo=${VM_REPO:-$(cd "$here/../.." && pwd)}
. "$repo/tools/testing/vm/tap.sh"
. "$repo/tools/testing/vm/guest/lib.sh"

tool=$repo/tools/admin/vfio-pci-bind
tmp=$(mktemp -d)
export VFIO_PCI_BIND_STATE=$tmp/state
for d in "$repo"/build/stage-*/installed; do
	[ -d "$d/lib/modules/$(uname -r)" ] && export VFIO_PCI_BIND_MODROOT=$d
done
# driverctl's directory, made writable on the read-only root, so that
# driverctl itself can read what --persist wrote.
if [ -d /etc/driverctl.d ] && mount -t tmpfs tmpfs /etc/driverctl.d 2>/dev/null; then
	confdir=/etc/driverctl.d
else
	confdir=$tmp/driverctl.d
	export VFIO_PCI_BIND_CONFDIR=$confdir
fi

tap_init "$tmp/results.tap"
sys=/sys/bus/pci/devices

drv() {
	local l
	l=$(readlink "$sys/$1/driver") && echo "${l##*/}"
}

# run NAME ARGS...: the tool's status in $rc, its stderr in $errout.
run() {
	errout=$("$tool" "$@" 2>&1 > "$tmp/out")
	rc=$?
	echo "# vfio-pci-bind $*: rc $rc: $errout" | head -n 3
}

# refused WHAT PATTERN BDF... -- ARGS...: non-zero, the message, no change.
refused() {
	local what=$1 pat=$2 b before=() after=()
	shift 2
	local bdfs=()
	while [ "$1" != -- ]; do bdfs+=("$1"); shift; done
	shift
	for b in "${bdfs[@]}"; do before+=("$(drv "$b")"); done
	run "$@"
	for b in "${bdfs[@]}"; do after+=("$(drv "$b")"); done
	[ "$rc" != 0 ] && grep -q -- "$pat" <<< "$errout" &&
		[ "${before[*]}" = "${after[*]}" ]
	tap_ok $? "refuses $what: \"$pat\", drivers unchanged (${after[*]})"
}

first() {
	vm_find_bdfs "$1" | head -n 1
}

edu=$(first 1234:11e8)
igb=$(first 8086:10c9)
blk=$(first 1af4:1042)
nic=$(first 8086:100e)
port=
for d in "$sys"/*; do
	[ "$(cat "$d/class")" = 0x060400 ] && { port=${d##*/}; break; }
done

# --list: group, driver and pick of every function.
run --list
cp "$tmp/out" "$tmp/list"
sed 's/^/# /' "$tmp/list"
[ "$rc" = 0 ] &&
	grep -q "^$edu .* $(basename "$(readlink "$sys/$edu/iommu_group")") .*vfio-pci .*edu_vfio_pci$" "$tmp/list" &&
	grep -q "^$igb .* vfio_pci$" "$tmp/list" &&
	grep -q "^$port .*(bridge)$" "$tmp/list"
tap_ok $? "--list shows group, driver and the pick (edu_vfio_pci for edu, vfio_pci for igb)"

refused "an unknown function" "no such PCI function" $edu -- 0000:7e:1f.7
refused "a malformed BDF" "no such PCI function" $edu -- not-a-bdf
refused "a bridge" "is a PCI bridge" "$port" -- "$port"

# No IOMMU: a machine whose sysfs has no IOMMU groups (a copy of one
# function's attributes, without its iommu_group link).
fake=$tmp/sys
mkdir -p "$fake/bus/pci/devices/0000:00:05.0" "$fake/kernel/iommu_groups"
for a in vendor device class modalias; do
	cp "$sys/$edu/$a" "$fake/bus/pci/devices/0000:00:05.0/"
done
errout=$(VFIO_PCI_BIND_SYSFS=$fake "$tool" 0000:00:05.0 2>&1)
rc=$?
echo "# no IOMMU: rc $rc: $errout"
[ "$rc" != 0 ] && grep -q "no IOMMU" <<< "$errout"
tap_ok $? "refuses a function when the machine has no IOMMU: \"no IOMMU\""

# The best driver: edu goes from vfio-pci to edu-vfio-pci, --undo gives it
# back to vfio-pci.
run "$edu"
[ "$rc" = 0 ] && [ "$(drv "$edu")" = edu-vfio-pci ]
tap_ok $? "binds edu to the variant whose vfio_pci: alias matches (now $(drv "$edu"))"
run --undo "$edu"
[ "$rc" = 0 ] && [ "$(drv "$edu")" = vfio-pci ]
tap_ok $? "--undo gives edu back to the driver it had (now $(drv "$edu"))"

# A network interface that is up: igb on the host's igb driver.
modprobe igb 2>/dev/null
echo "$igb" > "$sys/$igb/driver/unbind"
echo > "$sys/$igb/driver_override"
echo "$igb" > /sys/bus/pci/drivers/igb/bind 2>/dev/null
for _ in 1 2 3 4 5 6 7 8 9 10; do
	ifc=$(ls "$sys/$igb/net" 2>/dev/null | head -n 1)
	[ -n "$ifc" ] && break
	sleep 1
done
if [ "$(drv "$igb")" = igb ] && [ -n "$ifc" ]; then
	ip link set dev "$ifc" up
	refused "a function whose network interface is up" \
		"network interface $ifc is up" "$igb" -- "$igb"
	ip link set dev "$ifc" down
	run --persist "$igb"
	[ "$rc" = 0 ] && [ "$(drv "$igb")" = vfio-pci ] &&
		[ "$(cat "$confdir/pci-$igb")" = vfio-pci ]
	tap_ok $? "binds igb once its interface is down, --persist writes $confdir/pci-$igb"
	# driverctl applies the saved override at boot with load-override.
	if [ "$confdir" = /etc/driverctl.d ] && command -v driverctl > /dev/null; then
		echo > "$sys/$igb/driver_override"
		driverctl --noprobe load-override "$igb" > "$tmp/dc" 2>&1
		rc=$?
		sed 's/^/# driverctl: /' "$tmp/dc"
		[ "$rc" = 0 ] && [ "$(cat "$sys/$igb/driver_override")" = vfio-pci ]
		tap_ok $? "driverctl load-override applies the saved override (driver_override $(cat "$sys/$igb/driver_override"))"
	else
		tap_skip "driverctl load-override applies the saved override" "driverctl is not installed"
	fi
	run --undo "$igb"
	[ "$rc" = 0 ] && [ "$(drv "$igb")" = igb ] && [ ! -e "$confdir/pci-$igb" ]
	tap_ok $? "--undo gives igb back to igb and drops the saved override (now $(drv "$igb"))"
else
	tap_ok 1 "igb on the host igb driver with a network interface (driver $(drv "$igb"), interface '${ifc:-}')"
fi
vm_bind "$igb"
tap_ok $? "igb back on vfio-pci for the other suites"

# The multifunction device: a disk (virtio-blk) and a NIC in one group.
modprobe virtio_blk 2>/dev/null
modprobe ext4 2>/dev/null
for _ in 1 2 3 4 5; do
	disk=$(ls "$sys/$blk"/virtio*/block 2>/dev/null | head -n 1)
	[ -n "$disk" ] && break
	sleep 1
done
refused "a function whose group has functions on host drivers (naming them)" \
	"$blk ($(drv "$blk"))" "$blk" "$nic" -- "$nic"
mkdir -p "$tmp/mnt"
if ! grep -qw ext2 /proc/filesystems; then
	# The 7.3 test kernel is built without ext2/ext4 (CONFIG_EXT4_FS=n);
	# Debian's stock kernel, the second boot, runs this case.
	tap_skip "a function with a mounted disk" \
		"this kernel cannot mount ext2 (no CONFIG_EXT4_FS)"
elif [ -n "$disk" ] && mount -o ro "/dev/$disk" "$tmp/mnt"; then
	refused "a function with a mounted disk (--group, all or nothing)" \
		"disk /dev/$disk is mounted on $tmp/mnt" "$blk" "$nic" -- --group "$nic"
	umount "$tmp/mnt"
else
	tap_ok 1 "mount the virtio disk (/dev/${disk:-none}) of $blk"
fi
run --group "$nic"
[ "$rc" = 0 ] && [ "$(drv "$blk")" = vfio-pci ] && [ "$(drv "$nic")" = vfio-pci ]
tap_ok $? "--group takes both functions of the group once the disk is unmounted"
blk_was=$(cat "$VFIO_PCI_BIND_STATE/$blk" 2>/dev/null)
run --undo "$nic" "$blk"
[ "$rc" = 0 ] && [ "$(drv "$blk")" = "$blk_was" ] && [ "$(drv "$blk")" != vfio-pci ]
tap_ok $? "--undo gives the disk back to ${blk_was:-?} (now $(drv "$blk")) and the NIC to $(drv "$nic" || echo 'no driver')"

# The file system this guest runs from is on a virtio-9p function.
root9p=
for t in /sys/bus/virtio/devices/*/mount_tag; do
	[ "$(tr -d '\0' < "$t")" = hostroot ] || continue
	root9p=$(basename "$(cd -P "$(dirname "$t")/.." && pwd)")
done
refused "the function holding the mounted root file system" \
	"file system hostroot (9p) is mounted on /" "$root9p" -- "$root9p"

tap_done
! grep -q '^not ok' "$TAP_FILE"
rc=$?
[ "$confdir" = /etc/driverctl.d ] && umount /etc/driverctl.d
rm -rf "$tmp"
exit $rc
