#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the VM test rig needs on a Debian 12 machine: the backports
# suites (reusing the mirror apt is already configured with), QEMU 10 from
# bookworm-backports and linux-source-7.3 from trixie-backports.  Pinned so
# that only the packages named here come from the backports suites.
# Idempotent: does nothing when everything is already installed.
set -euo pipefail

BPO_PKGS="qemu-system-x86"
TRIXIE_PKGS="linux-source-7.3"
BASE_PKGS="build-essential bc bison flex libelf-dev libssl-dev dwarves cpio
	   kmod busybox-static pciutils sparse xz-utils python3 rsync
	   linux-source-6.12 zstd dkms driverctl e2fsprogs iproute2"

have_all() {
	local p
	for p in $BASE_PKGS $BPO_PKGS $TRIXIE_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || return 1
	done
	qemu-system-x86_64 --version | grep -qE 'version (9|1[0-9])\.' || return 1
	compgen -G '/usr/src/linux-headers-6.12.*-amd64' >/dev/null || return 1
	compgen -G '/boot/vmlinuz-6.12.*-amd64' >/dev/null || return 1
	return 0
}

if have_all; then
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "provision: need root to install packages" >&2
	exit 1
fi

# The mirror apt already uses for the main suites.
mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
	 grep -v security | head -n1)
if [ -z "$mirror" ]; then
	mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
		 /etc/apt/sources.list 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
	echo "provision: cannot find the configured Debian mirror" >&2
	exit 1
fi

src=/etc/apt/sources.list.d/vfio-pci-core-backports.sources
if [ ! -f "$src" ]; then
	cat > "$src" <<EOS
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $mirror
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
fi

pref=/etc/apt/preferences.d/vfio-pci-core-backports
cat > "$pref" <<EOS
Package: *
Pin: release n=trixie-backports
Pin-Priority: 1

Package: $TRIXIE_PKGS
Pin: release n=trixie-backports
Pin-Priority: 500

Package: *
Pin: release n=bookworm-backports
Pin-Priority: 100
EOS

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $BASE_PKGS
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends -t bookworm-backports $BPO_PKGS
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $TRIXIE_PKGS
# Debian's stock 6.12 headers (bookworm), for the W=1 compatibility build.
hdr=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
      awk '{ print $1 }' | sort -V | tail -n1)
if [ -z "$hdr" ]; then
	echo "provision: no linux-headers-6.12 package found" >&2
	exit 1
fi
# The matching stock kernel image, for make check's second boot: the VM
# boots /boot/vmlinuz-<ver> with the host's /lib/modules/<ver>.  Like any
# kernel package it also adds a boot entry for the host itself.
img=${hdr/linux-headers-/linux-image-}
apt-get install -y -qq --no-install-recommends "$hdr" "$img"
