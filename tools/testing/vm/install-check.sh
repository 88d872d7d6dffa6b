#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The install path, staged: install our modules for a kernel into a copy of
# that kernel's module tree under STAGE (never the machine's own
# /lib/modules, /usr/src or /var/lib/dkms), check what modprobe and depmod
# see, uninstall, and check that the kernel's own vfio-pci is back.  A copy
# of the installed tree is kept for the stock-kernel boot.
#
# Usage: install-check.sh make|dkms KDIR KVER MODULES SYMVERS STAGE TAP
#   KDIR     the kernel build or headers directory to build against
#   KVER     its release
#   MODULES  the kernel's installed module tree (.../lib/modules/KVER)
#   SYMVERS  the kernel's Module.symvers, for depmod -e
#   STAGE    the staging root (recreated); the tree lands in STAGE/root,
#            and a copy of it as installed in STAGE/installed
#   TAP      where the results go
set -uo pipefail

method=$1 kdir=$2 kver=$3 kmods=$4 symvers=$5
stage=$(realpath -m "$6") tap=$(realpath -m "$7")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
. "$here/tap.sh"

root=$stage/root
tree=$root/lib/modules
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$repo/dkms.conf")
name=vfio-pci-core
log=$stage/log
# DKMS's own places, all inside STAGE; the module signing key too.
dkms_args=(--sourcetree "$stage/src" --dkmstree "$stage/var" --installtree "$tree")
export mok_signing_key=$stage/mok.key mok_certificate=$stage/mok.pub

tap_init "$tap"
rm -rf "$stage"
mkdir -p "$tree" "$stage/src" "$stage/var" "$log"

# What exists outside the stage before: nothing of it may change.
outside() {
	ls -l "/lib/modules/$kver/updates" /etc/modprobe.d/vfio-pci-core.conf \
		/usr/local/sbin/vfio-pci-bind "/usr/src/$name-$version" \
		"/var/lib/dkms/$name" 2>&1 | sort
}
before=$(outside)

# The kernel's modules, hard-linked (copied across file systems).
cp -al "$kmods" "$tree/" 2>/dev/null || cp -a "$kmods" "$tree/"
rm -f "$tree/$kver/build" "$tree/$kver/source"

# do_step install|uninstall: make's targets, or dkms install/remove.
do_step() {
	case "$method" in
	make)
		# W=1 as make check's build: nothing to recompile.
		make -C "$repo" KDIR="$kdir" W=1 INSTALL_MOD_PATH="$root" "$1"
		;;
	dkms)
		dkms "${1/uninstall/remove}" -m "$name" -v "$version" -k "$kver" \
			"${dkms_args[@]}" --no-depmod &&
		depmod -b "$root" -a "$kver"
		;;
	esac
}

# The module file modprobe resolves NAME to, relative to the tree.
resolves_to() {
	modprobe -d "$root" -S "$kver" --show-depends "$1" |
		awk '$1 == "insmod" { p = $2 } END { print p }' |
		sed "s|^$tree/$kver/||"
}

depmod_clean() {
	depmod -b "$root" -e -E "$symvers" -n "$kver" 2>&1 > /dev/null |
		tee "$log/depmod-e.log" | grep -i 'unknown symbol' && return 1
	return 0
}

if [ "$method" = dkms ]; then
	# dkms add copies the tree: give it one without build/ and .git.
	mkdir -p "$stage/src/$name-$version"
	(cd "$repo" && tar cf - --exclude=./build --exclude=./.git .) |
		tar -C "$stage/src/$name-$version" -xf -
	dkms add -m "$name" -v "$version" "${dkms_args[@]}" > "$log/add.log" 2>&1
	tap_ok $? "dkms add $name/$version (private DKMS tree)"
	dkms build -m "$name" -v "$version" -k "$kver" --kernelsourcedir "$kdir" \
		"${dkms_args[@]}" > "$log/build.log" 2>&1
	tap_ok $? "dkms build against $(basename "$kdir")"
fi

do_step install > "$log/install.log" 2>&1
tap_ok $? "$method install for $kver into a staged module tree"

if [ "$method" = make ]; then
	# The install build's modules.order is the product: dkms.conf must list
	# exactly those.
	diff <(sed 's|.*/||; s|\.o$||; s|\.ko$||' "$repo/modules.order" | sort) \
	     <("$repo/tools/admin/vfio-pci-core-hook" shipped "$kver" "$tree" | tr _ - | sort) \
		> "$log/dkms-conf.diff"
	tap_ok $? "dkms.conf lists exactly the modules make install builds$(sed -n 's/^[<>]/ &/p' "$log/dkms-conf.diff" | tr -d '\n')"
fi

core=$(resolves_to vfio-pci-core)
[[ $core == updates/* ]]
tap_ok $? "modprobe vfio-pci-core finds ours first: $core"
pci=$(resolves_to vfio-pci)
[[ $pci == updates/* ]]
tap_ok $? "modprobe vfio-pci finds ours first: $pci"
[ "$(modinfo -F version "$tree/$kver/$core")" = "$version" ]
tap_ok $? "the installed vfio-pci-core reports the tree's version $version"
depmod_clean
tap_ok $? "depmod -e finds no unresolved symbol after the install"
[ "$(modprobe -d "$root" -S "$kver" -R 'vfio_pci:v00001234d000011E8sv00001AF4sd00001100bc00scFFi00')" = edu_vfio_pci ]
tap_ok $? "edu's vfio_pci: modalias resolves to edu_vfio_pci"
# An igb VF (QEMU's subsystem IDs; class 02 00 00): igbvf-vfio-pci is its
# one claimant (vf-pasid-vfio-pci has no alias).
igbvf_mods=$(modprobe -d "$root" -S "$kver" -R 'vfio_pci:v00008086d000010CAsv00008086sd00000000bc02sc00i00' | tr '\n' ' ')
[ "$igbvf_mods" = "igbvf_vfio_pci " ]
tap_ok $? "an igb VF's vfio_pci: modalias resolves to igbvf_vfio_pci alone (got: ${igbvf_mods% })"
! find "$tree/$kver/updates" -name '*trap*' | grep -q .
tap_ok $? "the test-only variants are not installed"
[ -x "$root/usr/local/sbin/vfio-pci-bind" ] && [ -f "$root/etc/modprobe.d/vfio-pci-core.conf" ]
tap_ok $? "vfio-pci-bind and the modprobe.d rules are installed"
guard=$("$repo/tools/admin/vfio-pci-core-hook" guard "$kver" "$tree" | tr '\n' ' ')
echo "# kernel modules built against the kernel's vfio-pci-core: ${guard:-none}"
rc=0
for m in $guard; do
	grep -qx "blacklist $m" "$root/etc/modprobe.d/vfio-pci-core.conf" || rc=1
done
tap_ok $rc "the modprobe.d rules refuse every kernel module built against its vfio-pci-core (${guard:-none in $kver})"

# The installed tree, kept for the stock-kernel boot (STAGE/installed).
cp -al "$root" "$stage/installed"

do_step uninstall > "$log/uninstall.log" 2>&1
tap_ok $? "$( [ "$method" = dkms ] && echo dkms remove || echo make uninstall)"
pci=$(resolves_to vfio-pci)
[[ $pci == kernel/* ]]
tap_ok $? "after uninstall modprobe vfio-pci finds the kernel's again: $pci"
[ ! -e "$root/usr/local/sbin/vfio-pci-bind" ] && [ ! -e "$root/etc/modprobe.d/vfio-pci-core.conf" ]
tap_ok $? "uninstall removed vfio-pci-bind and the modprobe.d rules"
depmod_clean
tap_ok $? "depmod -e finds no unresolved symbol after the uninstall"


[ "$(outside)" = "$before" ]
tap_ok $? "nothing outside the stage changed (/lib/modules, /usr/src, /var/lib/dkms, /etc, /usr/local)"
tap_done
