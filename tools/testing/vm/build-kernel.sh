#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest kernel from Debian's linux-source package, configured from
# x86_64_defconfig plus tools/testing/selftests/vfio/config, and cache it
# outside the work tree.  The cache key is the source package version plus a
# hash of the config fragment and of RECIPE, so a change to either rebuilds
# and an unchanged tree reuses the previous build.  Bump RECIPE whenever the
# build steps below change what ends up in the cache.
#
# Usage: build-kernel.sh [SERIES]   (default 7.3)
# Prints the cached kernel directory (usable as KDIR) on stdout.
set -euo pipefail

series=${1:-7.3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
frag=$repo/tools/testing/selftests/vfio/config
cache=${VFIO_VM_CACHE:-/var/cache/vfio-pci-core}
tarball=/usr/src/linux-source-$series.tar.xz

pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$series")
RECIPE=1
key=$( (cat "$frag"; echo "recipe $RECIPE") | sha256sum | cut -c1-12)
dir=$cache/linux-$series-$pkgver-$key
jobs=$(nproc)

if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

log() { echo "build-kernel: $*" >&2; }

# Two work trees asking for the same kernel at once: the second waits for
# the first build instead of deleting it under it.
mkdir -p "$cache"
exec 9>"$cache/.lock-linux-$series-$key"
if ! flock -n 9; then
	log "another build of $dir is running; waiting for it"
	flock 9
fi
if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
log "extracting $tarball into $dir"
tar -C "$dir" --strip-components=1 -xf "$tarball"

cd "$dir"
make -s x86_64_defconfig >&2
./scripts/kconfig/merge_config.sh -m .config "$frag" >&2
make -s olddefconfig >&2

# merge_config only warns when a request did not stick; be strict about the
# options the rig depends on.
bad=0
for opt in CONFIG_VFIO=m CONFIG_VFIO_PCI=m CONFIG_IOMMUFD=m \
	   CONFIG_VFIO_DEVICE_CDEV=y CONFIG_VFIO_CONTAINER=y \
	   CONFIG_INTEL_IOMMU=y CONFIG_IRQ_REMAP=y CONFIG_PCI_IOV=y \
	   CONFIG_9P_FS=y CONFIG_NET_9P_VIRTIO=y CONFIG_KASAN=y \
	   CONFIG_PROVE_LOCKING=y CONFIG_UBSAN=y CONFIG_KFENCE=y \
	   CONFIG_DEBUG_LIST=y CONFIG_DEBUG_ATOMIC_SLEEP=y \
	   CONFIG_IGB=m CONFIG_MLX5_CORE=m CONFIG_DEBUG_KMEMLEAK=y \
	   CONFIG_FAILSLAB=y CONFIG_PCI_PASID=y CONFIG_INTEL_IOMMU_DEBUGFS=y \
	   CONFIG_TRANSPARENT_HUGEPAGE=y CONFIG_VFIO_PCI_DMABUF=y; do
	if ! grep -qx "$opt" .config; then
		log "config option did not stick: $opt"
		bad=1
	fi
done
[ "$bad" = 0 ] || exit 1

log "building (jobs=$jobs); this takes about ten minutes"
make -s -j"$jobs" bzImage modules >&2
make -s headers >&2
make -s INSTALL_MOD_PATH="$dir/modroot" modules_install >&2
touch "$dir/.done"
echo "$dir"
