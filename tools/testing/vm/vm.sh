#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test VM and run one guest job in it.
#
# Usage: vm.sh JOB [ARGS...]
#   JOB is a script under tools/testing/vm/guest/ (run, check, ...).
#
# The guest is QEMU q35 under TCG with an emulated VT-d IOMMU (interrupt
# remapping on) and each test device behind its own pcie-root-port, so each
# has its own IOMMU group and a secondary bus reset of its own:
#   2x edu (migration source and destination), igb (SR-IOV), e1000e,
#   nvme (SR-IOV PF), pci-testdev (with a 64-bit BAR), ivshmem-plain
#   (16 MiB), a standard VGA (legacy VGA windows, the VGA region) and two
#   ivshmem-plain of 1 GiB (streaming migration).
# The guest's root file system is the host's, read-only over virtio-9p, with
# the work tree mounted read-write.  The console goes to stdout and to
# build/vm/console.log (VM_OUT=DIR, a directory inside the work tree, keeps
# a guest's files apart from another one's running at the same time).  A watchdog (VM_TIMEOUT seconds, default 3600) kills
# a guest that does not power off by itself.
set -euo pipefail

job=${1:?usage: vm.sh JOB [ARGS...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${VM_OUT:-$repo/build/vm}
timeout=${VM_TIMEOUT:-3600}
mkdir -p "$out"
rm -f "$out/slot"

# VM_STOCK_KVER=VER VM_STOCK_ROOT=DIR: boot the distribution's own kernel
# /boot/vmlinuz-VER instead of the test kernel, with DIR/lib/modules (a
# staged install of ours next to the kernel's modules) as /lib/modules.
if [ -n "${VM_STOCK_KVER:-}" ]; then
	kdir=${KDIR:-none}
	kernel=/boot/vmlinuz-$VM_STOCK_KVER
	modtree=${VM_STOCK_ROOT:?VM_STOCK_ROOT is not set}/lib/modules
	"$here/mkinitramfs.sh" "$out/initramfs.cpio.gz" "$VM_STOCK_ROOT" \
		"$VM_STOCK_KVER" 9p 9pnet_virtio
else
	kdir=${KDIR:-$("$here/build-kernel.sh")}
	kernel=$kdir/arch/x86/boot/bzImage
	modtree=$kdir/modroot/lib/modules
	"$here/mkinitramfs.sh" "$out/initramfs.cpio.gz"
fi

# A small ext2 disk for vfio-pci-bind's "mounted disk" case.
disk=$out/disk.img
if [ ! -s "$disk" ]; then
	truncate -s 4M "$disk"
	mkfs.ext2 -q -F "$disk"
fi

shm=$(mktemp /dev/shm/vfio-ivshmem.XXXXXX)
relay=
# (The relay may be gone already: its kill must not become the exit status.)
trap 'rm -f "$shm"; [ -z "$relay" ] || kill "$relay" 2>/dev/null || true' EXIT

# Everything after the job name is passed to the guest script.
jobargs=$(IFS=,; echo "$*")

# VM_PASID=1: VT-d in scalable mode with PASID support (ECAP.PSS 0: two
# PASIDs, so PASID 1 is the only one usable beside the RID), turned on in the
# guest with sm_on.  make check's PASID boot (guest/pasid.sh) runs this way.
iommu=intel-iommu,intremap=on,caching-mode=on,aw-bits=48
intel_iommu=intel_iommu=on
if [ "${VM_PASID:-0}" = 1 ]; then
	iommu+=,x-scalable-mode=on,x-pasid-mode=on
	intel_iommu+=,sm_on
fi

# QEMU's q35 hands the root ports' hot-plug to ACPI, which the test kernel
# does not drive (no HOTPLUG_PCI_ACPI): a device_del never reaches the
# guest.  VM_HOTPLUG=1 (make check's unplug boot, guest/unplug.sh) makes it
# the PCIe native one instead (pciehp: device_del presses the attention
# button).  Not in the other boots: with pciehp owning the slots, a slot
# reset takes pciehp's reset_lock, under which pciehp takes
# pci_rescan_remove_lock, and lockdep reports the cycles of the README's
# "Unplug and lockdep" at the first removal.
hotplug=()
if [ "${VM_HOTPLUG:-0}" = 1 ]; then
	hotplug=(-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off)
fi

# VM_LOWMMIO=1: every BAR and bridge window below 4 GiB (make check's igbvf
# boot, guest/igbvf.sh).  QEMU 10.0's igb realizes its VFs before the PF
# declares their BAR types, so each VF BAR is registered as a 32-bit one and
# QEMU decodes it at the low 32 bits of the 64-bit address the guest gave
# it: a VF BAR above 4 GiB reads 0.  The guest kernel puts the VF BARs in
# rp3's prefetchable window.  SeaBIOS (1.16.3) put every root port's
# prefetchable window above 4 GiB in each boot with 3 GiB of RAM (q35 maps
# 1 GiB of it above 4 GiB), also without the two 1 GiB ivshmem-plain and
# with opt/org.seabios/pci64=no; with 2.5 GiB (all below 4 GiB) and no
# 1 GiB ivshmem-plain (the 32-bit window could not hold them) it put every
# window below 4 GiB.  So this boot has those two changes.
bigshm=(
	-object memory-backend-ram,id=shm1,size=1G,share=on
	-device pcie-root-port,id=rp9,chassis=9,slot=9,pref64-reserve=2G
	-device ivshmem-plain,bus=rp9,memdev=shm1
	-object memory-backend-ram,id=shm2,size=1G,share=on
	-device pcie-root-port,id=rp10,chassis=10,slot=10,pref64-reserve=2G
	-device ivshmem-plain,bus=rp10,memdev=shm2
)
mem=3G
if [ "${VM_LOWMMIO:-0}" = 1 ]; then
	bigshm=()
	mem=2560M
fi

devices=(
	"${hotplug[@]}"
	-device "$iommu"
	-device pcie-root-port,id=rp1,chassis=1,slot=1
	-device edu,bus=rp1,dma_mask=0xffffffffff
	-device pcie-root-port,id=rp2,chassis=2,slot=2
	-device edu,bus=rp2,dma_mask=0xffffffffff,id=edu1
	# x-speed=5: Linux waits for Data Link Layer Link Active after a
	# secondary bus reset of a port faster than 5 GT/s, and QEMU's port
	# does not report it within the 100 ms allowed, so the slot reset
	# (VFIO_DEVICE_PCI_HOT_RESET) would fail with -ENOTTY.
	-device pcie-root-port,id=rp3,chassis=3,slot=3,pref64-reserve=64M,mem-reserve=4M,x-speed=5
	-device igb,bus=rp3
	-device pcie-root-port,id=rp4,chassis=4,slot=4
	-device e1000e,bus=rp4,id=e1000e0
	-device pcie-root-port,id=rp5,chassis=5,slot=5,mem-reserve=8M
	-device nvme-subsys,id=nvs0
	-device nvme,bus=rp5,serial=vfiopf0,subsys=nvs0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2
	-device pcie-root-port,id=rp6,chassis=6,slot=6
	-device pci-testdev,bus=rp6,membar=64M,id=testdev0
	-object memory-backend-file,id=shm0,size=16M,mem-path="$shm",share=on
	-device pcie-root-port,id=rp7,chassis=7,slot=7
	-device ivshmem-plain,bus=rp7,memdev=shm0
	-device pcie-root-port,id=rp8,chassis=8,slot=8
	-device VGA,bus=rp8
	# Two more ivshmem-plain with 1 GiB of host memory each (allocated
	# as touched): source and destination of the streaming migration
	# tests.  The root ports reserve a 64-bit window the BAR fits in.
	"${bigshm[@]}"
	# One multifunction device without ACS: both functions share an IOMMU
	# group (vfio-pci-bind's group checks); function 0 is a disk.
	-drive if=none,id=disk0,file="$disk",format=raw
	-device pcie-root-port,id=rp11,chassis=11,slot=11
	-device virtio-blk-pci,bus=rp11,addr=0.0,multifunction=on,drive=disk0
	-device e1000,bus=rp11,addr=0.1
)

hostctl=(
	-chardev socket,id=guestser,path="$out/guest-serial.sock",server=on,wait=off
	-device isa-serial,chardev=guestser
	-chardev socket,id=guesthmp,path="$out/guest-hmp.sock",server=on,wait=off
	-mon chardev=guesthmp,mode=readline
)

fs=(
	-fsdev local,id=fsroot,path=/,security_model=none,readonly=on
	-device virtio-9p-pci,fsdev=fsroot,mount_tag=hostroot
	-fsdev local,id=fsrepo,path="$repo",security_model=none
	-device virtio-9p-pci,fsdev=fsrepo,mount_tag=repo
	-fsdev local,id=fsmod,path="$modtree",security_model=none,readonly=on
	-device virtio-9p-pci,fsdev=fsmod,mount_tag=kmods
)

# no_timer_check: on a loaded host the TCG guest's early check that the
# timer interrupt arrives through the interrupt-remapped IO-APIC can time
# out and panic the boot before anything of ours runs.
cmdline="console=ttyS0 loglevel=5 panic=-1 $intel_iommu nokaslr no_timer_check"
cmdline+=" vm.repo=$repo vm.job=$job vm.args=$jobargs vm.kdir=$kdir vm.out=$out"
[ -n "${VM_DEBUG:-}" ] && cmdline+=" vm.debug=$VM_DEBUG vm.sysrq=${VM_SYSRQ:-w}"
# VM_SMP=2: two vCPUs (multi-threaded TCG; see the README on stability).
# VM_SUITES="a_test b_test": the guest runs only those selftest binaries.
[ -n "${VM_SUITES:-}" ] && cmdline+=" vm.suites=$(echo $VM_SUITES | tr ' ' ,)"

# At most VM_SLOTS (default 2) guests run at once on this machine, whatever
# work tree started them: each TCG guest keeps a host core busy, and more
# guests than cores only make every one of them slower (and their timers
# late).  A guest waits here for a free slot.
vm_take_slot() {
	local i slots=${VM_SLOTS:-2} said=
	while :; do
		for ((i = 0; i < slots; i++)); do
			exec {slot_fd}> "/tmp/vfio-pci-core-vm-slot.$i"
			flock -n "$slot_fd" && return 0
			exec {slot_fd}>&-
		done
		[ -z "$said" ] && echo "vm: waiting for one of $slots VM slots" >&2
		said=1
		sleep 5
	done
}
vm_take_slot
# For make check: this guest has a slot and is starting (a guest still
# waiting for one can be called off).
date > "$out/slot"

# The guest's ttyS1 reaches a QEMU monitor of its own (HMP), through
# monitor-relay.py: tests in the guest drive device_del/device_add with it.
# monitor.sock stays free for a human.  Started only now that QEMU is about
# to start: the relay gives up on sockets that do not appear within its
# 120 s, and a guest may wait far longer than that for a slot.
rm -f "$out/guest-serial.sock" "$out/guest-hmp.sock"
"$here/monitor-relay.py" "$out/guest-serial.sock" "$out/guest-hmp.sock" \
	"$out/monitor-relay.log" &
relay=$!

rc=0
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-machine q35,kernel-irqchip=split -accel tcg -cpu max,x2apic=off,la57=off \
	-m "$mem" -smp "${VM_SMP:-1}" -nodefaults -no-reboot -display none \
	-serial stdio -monitor unix:"$out/monitor.sock",server,nowait \
	-kernel "$kernel" \
	-initrd "$out/initramfs.cpio.gz" \
	-append "$cmdline" \
	"${devices[@]}" "${hostctl[@]}" "${fs[@]}" \
	</dev/null 2>"$out/qemu.stderr" | stdbuf -oL tr -d '\r' | tee "$out/console.log" || rc=$?

if [ "$rc" = 124 ]; then
	echo "vm: watchdog: the guest did not finish within ${timeout}s" >&2
fi
exit "$rc"
