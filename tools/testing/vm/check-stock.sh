#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The second boot of "make check": Debian's own 6.12 kernel.
#
#  1. builds and installs our tree through Debian's dkms for that kernel,
#     staged in build/stage-6.12 (install-check.sh: never the machine's own
#     /lib/modules, /usr/src or /var/lib/dkms), and checks the install path;
#  2. boots /boot/vmlinuz-<ver> with the staged tree as /lib/modules (the
#     initramfs loads the kernel's virtio-9p modules) and runs guest/stock.sh:
#     ours loaded by modprobe, the devices bound, every suite run;
#  3. fails on a kernel splat in that guest's log.
# Results: build/check/stock/*.tap.  Usage: check-stock.sh [KVER]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=$repo/build/check/stock
logs=$repo/build/check/logs
. "$here/tap.sh"

kver=${1:-$(ls /boot/vmlinuz-6.12.*-amd64 2>/dev/null | sort -V | tail -n1 | sed 's|^/boot/vmlinuz-||')}
hdr=/usr/src/linux-headers-$kver
stage=$repo/build/stage-6.12
compat=$repo/build/compat-6.12
mkdir -p "$out" "$logs"
tap_init "$out/host.tap"

if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/kernel" ] || [ ! -d "$hdr" ]; then
	tap_ok 1 "Debian's linux-image and linux-headers 6.12 are installed (${kver:-none found})"
	tap_done
	exit 1
fi

"$here/install-check.sh" dkms "$hdr" "$kver" "/lib/modules/$kver" \
	"$hdr/Module.symvers" "$stage" "$out/install-dkms.tap" \
	> "$logs/install-dkms.log" 2>&1
tap_ok $? "DKMS build and staged install for $kver (build/check/stock/install-dkms.tap)"

# The test-only modules, built against this kernel's headers (make check's
# W=1 step leaves this build; a standalone run makes it).
if ! compgen -G "$compat/drivers/vfio/pci/variants/trap_test/*.ko" > /dev/null; then
	rm -rf "$compat"
	mkdir -p "$compat"
	(cd "$repo" && tar cf - --exclude=./build --exclude=./.git .) | tar -C "$compat" -xf -
	make -C "$compat" KDIR="$hdr" > "$logs/compat-6.12.log" 2>&1
fi

echo "check-stock: booting Debian's $kver and running the suites in it" >&2
rm -f "$out/guest-done"
. "$here/host-lib.sh"
# Its own VM_OUT: this boot may run while the 7.3 one does.
VM_OUT=$repo/build/vm-stock VM_STOCK_KVER=$kver VM_STOCK_ROOT=$stage/installed \
	VM_TIMEOUT=${VM_STOCK_TIMEOUT:-900} \
	vm_boot "$logs/vm-stock-console.log" "$out/dmesg.log" \
	stock "$stage/installed" "$compat"
vm_rc=$?
tap_ok "$vm_rc" "the stock kernel $kver booted, ran the suites and powered off (rc $vm_rc)"
[ -f "$out/guest-done" ]
tap_ok $? "the stock kernel's guest job ran to its end"

vm_no_splats "$logs/stock-splats.log" "$out/dmesg.log"
tap_ok $? "no kernel splat in the stock kernel's log"
tap_done > /dev/null
