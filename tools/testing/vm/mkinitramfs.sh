#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs: a static busybox and initramfs-init.
# Usage: mkinitramfs.sh OUTPUT.cpio.gz
set -euo pipefail

out=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/bin"
cp /bin/busybox "$tmp/bin/busybox"
cp "$here/initramfs-init" "$tmp/init"
chmod 755 "$tmp/init"
mkdir -p "$(dirname "$out")"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
