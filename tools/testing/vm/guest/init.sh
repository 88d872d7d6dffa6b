#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test VM once the host root is mounted (see initramfs-init).
# Runs the job named on the kernel command line, saves the kernel log, and
# powers off.  Never returns: a PID 1 that exits makes the kernel panic.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp

arg() {
	sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline
}

export VM_REPO VM_KDIR VM_SUITES
VM_REPO=$(arg vm.repo)
VM_KDIR=$(arg vm.kdir)
job=$(arg vm.job)
VM_SUITES=$(arg vm.suites)
IFS=, read -r -a args <<< "$(arg vm.args)"

mkdir -p /dev/pts /dev/shm
# What udev makes on a real system; bash's <(...) needs /dev/fd.
ln -sfn /proc/self/fd /dev/fd 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
hostname vfio-test-vm 2>/dev/null

cd "$VM_REPO" || exit 1
echo "vm: running job '$job' on $(uname -r)"
bash "$VM_REPO/tools/testing/vm/guest/$job.sh" "${args[@]}"
echo "vm: job '$job' exited with $?"

out=$(arg vm.out)
out=${out:-$VM_REPO/build/vm}
mkdir -p "$out"
dmesg > "$out/dmesg.log" 2>&1
sync
busybox poweroff -f
