#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make soak [SOAK_MINUTES=N]": build, boot the VM and fuzz every device for
# N minutes (default 10) with a fresh seed (guest/soak.sh).  Not part of
# "make check".  Prints the seed, how to replay it, and a summary line per
# device; the logs are in build/soak/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
minutes=${SOAK_MINUTES:-10}

"$here/provision.sh" > /dev/null
KDIR=$("$here/build-kernel.sh")
export KDIR
make -s -C "$repo" KDIR="$KDIR" modules
make -s -C "$repo/tools/testing/selftests/vfio" KDIR="$KDIR"
rm -rf "$repo/build/soak"
VM_TIMEOUT=$((minutes * 60 + 900)) "$here/vm.sh" soak "$minutes" |
	grep -E '^(soak:|# vfio_fuzz|# replay)'
