#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs: a static busybox and initramfs-init.
# Usage: mkinitramfs.sh OUTPUT.cpio.gz [ROOT KVER MODULE...]
#   With ROOT and KVER (a kernel whose modules are in ROOT/lib/modules/KVER),
#   the MODULEs and their dependencies go in too, uncompressed, and init
#   loads them in order before mounting anything: a stock distribution
#   kernel has virtio-9p as modules.
set -euo pipefail

out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bin"
cp /bin/busybox "$tmp/bin/busybox"
cp "$here/initramfs-init" "$tmp/init"
if [ $# -ge 3 ]; then
	root=$1 kver=$2
	shift 2
	mkdir -p "$tmp/early"
	i=0
	for ko in $(for m in "$@"; do modprobe -d "$root" -S "$kver" -D "$m"; done |
		   awk '$1 == "insmod" && !seen[$2]++ { print $2 }'); do
		i=$((i + 1))
		name=${ko##*/}
		case "$ko" in
		*.xz) xz -dc "$ko" > "$tmp/early/$(printf %02d "$i")-${name%.xz}" ;;
		*.zst) zstd -qdc "$ko" > "$tmp/early/$(printf %02d "$i")-${name%.zst}" ;;
		*) cp "$ko" "$tmp/early/$(printf %02d "$i")-$name" ;;
		esac
	done
fi
chmod 755 "$tmp/init"
mkdir -p "$(dirname "$out")"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
