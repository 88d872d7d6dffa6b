#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest job for debugging the rig: load our modules, bind the devices, then
# run the script given as the first argument (a path in the work tree).

. "$VM_REPO/tools/testing/vm/guest/lib.sh"

vm_load_modules || exit 1
vm_bind_all || exit 1
[ -n "${1:-}" ] && bash "$1"
