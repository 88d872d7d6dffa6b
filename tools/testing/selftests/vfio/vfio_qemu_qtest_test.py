#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# QEMU as a vfio client: the guest's own qemu-system-x86_64 assigns an edu
# bound to our vfio-pci (-device vfio-pci,host=BDF; the group/container
# path) under qtest, whose commands play the guest:
# config reads through port 0xcf8/0xcfc, programming BAR0 and the command
# register, and MMIO to edu's registers.  TAP on stdout.

import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                "lib"))
from qemu_vm import halt_firmware  # noqa: E402

SYS = "/sys/bus/pci/devices"
SLOT = 4                 # where the assigned function sits on QEMU's bus 0
BAR0_ADDR = 0xE0000000   # in q35's 32-bit PCI hole
EDU_ID = 0x010000ED      # edu's identification register (BAR0 + 0)

results = []


def tap(ok, what):
    results.append(ok)
    print("%s %d %s" % ("ok" if ok else "not ok", len(results), what),
          flush=True)


def driver(bdf):
    try:
        return os.path.basename(os.readlink(os.path.join(SYS, bdf, "driver")))
    except OSError:
        return None


def sysfs_hex(bdf, attr):
    with open(os.path.join(SYS, bdf, attr)) as f:
        return int(f.read(), 16)


def find_edu():
    for bdf in sorted(os.listdir(SYS)):
        if (sysfs_hex(bdf, "vendor"), sysfs_hex(bdf, "device")) == \
                (0x1234, 0x11E8) and driver(bdf) == "vfio-pci":
            return bdf
    return None


class Qtest:
    """QEMU under qtest.  Debian's QEMU has no qtest accelerator, so the
    machine runs under TCG: with its default firmware, SeaBIOS would be
    enumerating the bus (through the same 0xcf8 address latch) while the
    test's first commands arrive, and an inl from 0xcfc could answer for
    the address SeaBIOS had just latched (seen: another register's value
    as the vendor:device).  The halt firmware keeps the vCPU idle."""

    def __init__(self, bdf):
        self.workdir = tempfile.mkdtemp(prefix="vfio-qtest-")
        self.proc = subprocess.Popen(
            ["qemu-system-x86_64", "-machine", "q35",
             "-bios", halt_firmware(self.workdir),
             "-qtest", "stdio", "-qtest-log", "/dev/null",
             "-display", "none", "-nodefaults",
             "-m", "64M",
             "-device", "vfio-pci,host=%s,addr=%02x.0" % (bdf, SLOT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1)

    def cmd(self, line, timeout=60):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        end = time.time() + timeout
        while time.time() < end:
            ready, _, _ = select.select([self.proc.stdout], [], [], 1)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            reply = self.proc.stdout.readline()
            if not reply:
                break
            reply = reply.strip()
            if reply.startswith("OK") or reply.startswith("FAIL") or \
                    reply.startswith("ERR"):
                return reply
        raise RuntimeError("no reply to '%s'; qemu: %s" %
                           (line, self.stderr()))

    def value(self, line):
        reply = self.cmd(line)
        if not reply.startswith("OK "):
            raise RuntimeError("'%s' answered '%s'" % (line, reply))
        return int(reply.split()[1], 16)

    def cfg_addr(self, reg):
        return 0x80000000 | (SLOT << 11) | (reg & 0xFC)

    def cfg_read32(self, reg):
        self.cmd("outl 0xcf8 0x%x" % self.cfg_addr(reg))
        return self.value("inl 0xcfc")

    def cfg_write32(self, reg, val):
        self.cmd("outl 0xcf8 0x%x" % self.cfg_addr(reg))
        self.cmd("outl 0xcfc 0x%x" % val)

    def stderr(self):
        if self.proc.poll() is None:
            return "(running)"
        return self.proc.stderr.read().strip()[-500:]

    def stop(self):
        """End QEMU as a management layer does: SIGTERM."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return self.proc.returncode


def explain_bad_ids(q, bdf):
    """Log what a wrong ID read came from: the header as QEMU's guest sees
    it now, and as the host's sysfs config file shows it."""
    seen = ["%08x" % q.cfg_read32(reg) for reg in range(0, 0x40, 4)]
    print("# header through QEMU now: %s" % " ".join(seen), flush=True)
    with open(os.path.join(SYS, bdf, "config"), "rb") as f:
        raw = f.read(0x40)
    host = ["%08x" % int.from_bytes(raw[i:i + 4], "little")
            for i in range(0, len(raw), 4)]
    print("# header in the host's sysfs: %s" % " ".join(host), flush=True)


def main():
    bdf = find_edu()
    if not bdf:
        print("1..0 # SKIP no edu bound to vfio-pci")
        return 0
    print("# assigning %s (vfio-pci-core %s) to qemu under qtest" %
          (bdf, open("/sys/module/vfio_pci_core/version").read().strip()
           if os.path.exists("/sys/module/vfio_pci_core/version")
           else "without a version"), flush=True)
    q = Qtest(bdf)
    try:
        ids = q.cfg_read32(0x00)
        if ids != 0x11E81234:
            explain_bad_ids(q, bdf)
        tap(ids == 0x11E81234,
            "config read through QEMU's vfio-pci: vendor:device 0x%08x" % ids)

        before = q.cfg_read32(0x10)
        tap(before & ~0xF == 0,
            "no firmware ran in QEMU's machine: BAR0 unassigned (0x%08x) "
            "before the test programs it" % before)

        q.cfg_write32(0x10, BAR0_ADDR)
        bar0 = q.cfg_read32(0x10)
        tap(bar0 & ~0xF == BAR0_ADDR,
            "BAR0 programmed to 0x%x reads back 0x%08x" % (BAR0_ADDR, bar0))

        cmd = q.cfg_read32(0x04) & 0xFFFF
        q.cfg_write32(0x04, cmd | 0x2)
        cmd = q.cfg_read32(0x04) & 0xFFFF
        tap(cmd & 0x2 == 0x2, "memory decode enabled: COMMAND 0x%04x" % cmd)

        ident = q.value("readl 0x%x" % BAR0_ADDR)
        tap(ident == EDU_ID, "MMIO read of edu's ID register: 0x%08x" % ident)

        q.cmd("writel 0x%x 0x12345678" % (BAR0_ADDR + 4))
        live = q.value("readl 0x%x" % (BAR0_ADDR + 4))
        tap(live == 0xEDCBA987,
            "MMIO write then read of edu's liveness register: 0x%08x" % live)
    except RuntimeError as e:
        print("# %s" % e, flush=True)
        tap(False, "qtest session with the assigned edu")
    rc = q.stop()
    tap(rc == 0 and driver(bdf) == "vfio-pci",
        "QEMU exited on SIGTERM (rc %s), edu still bound to %s" %
        (rc, driver(bdf)))

    # A second client gets the device again: QEMU's close released it.
    q = Qtest(bdf)
    try:
        ids = q.cfg_read32(0x00)
    except RuntimeError as e:
        print("# %s" % e, flush=True)
        ids = None
    q.stop()
    tap(ids == 0x11E81234, "a second QEMU assigns the same edu")

    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
