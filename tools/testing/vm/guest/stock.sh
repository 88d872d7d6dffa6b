#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job of make check's second boot: Debian's own kernel, built without
# IOMMUFD, with our modules where DKMS installed them (/lib/modules is the
# staged DKMS tree).  Records what the kernel's own vfio-pci shows, shows
# what happens to the kernel's modules built against its vfio-pci-core,
# loads ours with modprobe as an admin would, binds the devices and runs
# every suite (those that need iommufd skip, saying so).  Results are TAP
# files in build/check/stock/.
#
# Usage (vm.sh stock ...): stock.sh STAGE COMPAT
#   STAGE   the staged install (its etc/modprobe.d holds our rules)
#   COMPAT  the tree built against this kernel's headers (test-only modules)

. "$VM_REPO/tools/testing/vm/guest/lib.sh"
. "$VM_REPO/tools/testing/vm/tap.sh"

stage=$1
compat=$2
out=$VM_REPO/build/check/stock
kver=$(uname -r)
kmods=/lib/modules/$kver
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$VM_REPO/dkms.conf")
mkdir -p "$out"
tap_init "$out/vm-setup.tap"

echo "vm: stock kernel $kver; /dev/iommu: $([ -e /dev/iommu ] && echo yes || echo no)"
[ ! -e /dev/iommu ]
tap_ok $? "the stock kernel $kver has no IOMMUFD (no /dev/iommu): the group/container path only"

modprobe vfio && modprobe vfio_iommu_type1 && modprobe irqbypass
tap_ok $? "load the kernel's vfio, vfio_iommu_type1 and irqbypass"

# The reference for vfio_differential_test: the kernel's own vfio-pci,
# loaded by path (modprobe finds ours now).
ref=$out/reference
rm -rf "$ref"
rc=0
insmod "$kmods/kernel/drivers/vfio/pci/vfio-pci-core.ko.xz" &&
	insmod "$kmods/kernel/drivers/vfio/pci/vfio-pci.ko.xz" || rc=1
if [ "$rc" = 0 ]; then
	vm_snapshot_all "$ref" || rc=1
	vm_unbind_all || rc=1
	rmmod vfio_pci vfio_pci_core || rc=1
fi
tap_ok $rc "snapshot every device through the kernel's own vfio-pci (loaded by path), then unload it"

# Ours, as modprobe finds it.
modprobe vfio-pci-core
tap_ok $? "modprobe vfio-pci-core"
path=$(modinfo -n vfio-pci-core)
[[ $path == $kmods/updates/* ]]
tap_ok $? "modprobe loaded ours: $path"
[ "$(cat /sys/module/vfio_pci_core/version 2>/dev/null)" = "$version" ] &&
	dmesg | grep -q "vfio-pci-core $version (out of tree) loaded"
tap_ok $? "the running vfio-pci-core says it is ours, $version (sysfs version, dmesg line)"
dmesg | grep "vfio-pci-core $version" | sed 's/^/# /'

# The kernel's modules built against its own vfio-pci-core.
echo "# $kmods/kernel/drivers/vfio: $(cd "$kmods/kernel/drivers/vfio" && find . -name '*.ko*' | sort | tr '\n' ' ')"
guard=$("$VM_REPO/tools/admin/vfio-pci-core-hook" guard "$kver" /lib/modules)
for m in $guard; do
	errout=$(modprobe -C "$stage/etc/modprobe.d" "$m" 2>&1)
	rc=$?
	echo "# modprobe $m: rc $rc: $errout"
	[ "$rc" != 0 ] && ! grep -q "^${m//-/_} " /proc/modules
	tap_ok $? "the kernel's $m is kept from loading against ours by our modprobe.d rule"
done
if [ -z "$guard" ]; then
	tap_ok 0 "Debian's $kver ships no vfio-pci variant module besides vfio-pci itself (nothing to keep from loading)"
fi
# The kernel's own vfio-pci is such a module: loaded by path against ours,
# it must fail cleanly.
dmesg -c > /dev/null
errout=$(insmod "$kmods/kernel/drivers/vfio/pci/vfio-pci.ko.xz" 2>&1)
rc=$?
why=$(dmesg | grep -m1 -iE 'unknown symbol|disagrees|version' | sed 's/^\[[^]]*\] //')
echo "# insmod the kernel's vfio-pci.ko: rc $rc: $errout; dmesg: $why"
[ "$rc" != 0 ] && ! grep -q '^vfio_pci ' /proc/modules
tap_ok $? "the kernel's own vfio-pci.ko refuses to load against our vfio-pci-core (${why:-no reason logged})"

modprobe vfio-pci && modprobe edu-vfio-pci
tap_ok $? "modprobe vfio-pci and edu-vfio-pci (ours, from updates/dkms)"
# Test-only variants are not installed: from the tree's build for this kernel.
ko=$compat/drivers/vfio/pci/variants/trap_test/vfio-pci-trap-test.ko
insmod "$ko"
tap_ok $? "insmod the test-only vfio-pci-trap-test built against this kernel's headers"

for bdf in $(vm_test_bdfs); do
	vm_bind "$bdf"
	tap_ok $? "bind $bdf ($(cat /sys/bus/pci/devices/$bdf/vendor):$(cat /sys/bus/pci/devices/$bdf/device)) to vfio-pci"
done

# vfio_disable_vga_test reloads vfio-pci with a parameter: the build for
# this kernel, not the tree's 7.3 one.
export VT_VFIO_PCI_KO=$compat/drivers/vfio/pci/vfio-pci.ko
export VT_REFERENCE_DIR=$ref VT_SNAPSHOT_OUT=$out/ours
vm_run_suites "$out" "${VM_TEST_TIMEOUT:-300}"

vm_unbind_all
tap_ok $? "unbind every device"
rmmod vfio-pci-trap-test edu-vfio-pci vfio-pci vfio-pci-core
tap_ok $? "unload our modules"
tap_done
touch "$out/guest-done"
