# SPDX-License-Identifier: GPL-2.0
"""
A QEMU process driven by a test: the "guest" is the test itself, speaking
QEMU's qtest protocol (memory, port I/O and PCI config accesses as a CPU
would make them), and the VMM is driven over QMP.  Both are unix sockets the
test listens on and QEMU connects to.  Debian's QEMU has no qtest
accelerator, so QEMU runs under TCG with a firmware image of 64 KiB whose
reset vector disables interrupts and halts: the one vCPU never does anything,
the machine is "running" as far as QEMU's migration is concerned, and every
device access comes from the test.

Used by the QEMU-driven migration suites; nothing here knows about a
particular device.
"""
import json
import os
import socket
import subprocess
import time

QEMU = os.environ.get("VT_QEMU", "qemu-system-x86_64")


class QemuError(Exception):
    pass


def halt_firmware(workdir):
    """A 64 KiB firmware image: cli; hlt; jmp back to the hlt."""
    path = os.path.join(workdir, "halt.bin")
    img = bytearray(b"\xf4" * 65536)
    img[0xfff0:0xfff4] = b"\xfa\xf4\xeb\xfd"
    with open(path, "wb") as f:
        f.write(img)
    return path


class Qemu:
    """One QEMU process: start(), qtest()/qmp() calls, stop()."""

    def __init__(self, name, workdir, args, memory="32M"):
        self.name = name
        self.workdir = workdir
        self.args = list(args)
        self.memory = memory
        self.proc = None
        self.qt = self.qm = None
        self.events = []
        self.log = os.path.join(workdir, name + ".log")

    def _listen(self, what):
        path = os.path.join(self.workdir, "%s.%s" % (self.name, what))
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(1)
        s.settimeout(60)
        return s, path

    def start(self):
        lqt, qtpath = self._listen("qtest")
        lqm, qmpath = self._listen("qmp")
        cmd = [QEMU, "-machine", "q35", "-accel", "tcg",
               "-bios", halt_firmware(self.workdir),
               "-qtest", "unix:" + qtpath, "-qtest-log", "/dev/null",
               "-qmp", "unix:" + qmpath,
               "-display", "none", "-nodefaults", "-m", self.memory,
               "-name", self.name] + self.args
        with open(self.log, "a") as f:
            f.write("# " + " ".join(cmd) + "\n")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=open(self.log, "a"),
                                     stderr=subprocess.STDOUT)
        try:
            self.qt = lqt.accept()[0].makefile("rw", buffering=1)
            self.qm = lqm.accept()[0].makefile("rw", buffering=1)
        except OSError as e:
            self.stop()
            raise QemuError("%s did not connect: %s\n%s" %
                            (self.name, e, self.log_tail()))
        finally:
            lqt.close()
            lqm.close()
            os.unlink(qtpath)
            os.unlink(qmpath)
        json.loads(self.qm.readline())          # greeting
        self.qmp("qmp_capabilities")
        return self

    def log_tail(self, n=20):
        try:
            with open(self.log) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.alive() and self.qm:
            try:
                self.qmp("quit")
            except (QemuError, OSError, ValueError):
                pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for f in (self.qt, self.qm):
            try:
                if f:
                    f.close()
            except OSError:
                pass
        self.proc = self.qt = self.qm = None

    # QMP -----------------------------------------------------------------

    def qmp(self, command, **args):
        """Run one QMP command; returns its "return" or raises QemuError."""
        msg = {"execute": command}
        if args:
            msg["arguments"] = args
        self.qm.write(json.dumps(msg) + "\n")
        while True:
            line = self.qm.readline()
            if not line:
                raise QemuError("%s: QMP closed during %s\n%s" %
                                (self.name, command, self.log_tail()))
            r = json.loads(line)
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise QemuError("%s: %s: %s" % (self.name, command,
                                                r["error"]["desc"]))
            return r["return"]

    def wait_migration(self, timeout=300, done=("completed", "failed",
                                               "cancelled")):
        """Poll query-migrate until its status is one of @done."""
        end = time.monotonic() + timeout
        while True:
            st = self.qmp("query-migrate")
            if st.get("status") in done:
                return st
            if time.monotonic() > end:
                raise QemuError("%s: migration still %s after %ds" %
                                (self.name, st.get("status"), timeout))
            time.sleep(0.1)

    def status(self):
        return self.qmp("query-status")["status"]

    # What the QEMU process holds -----------------------------------------

    def fdinfo(self, anon_name):
        """/proc/PID/fdinfo of each fd QEMU holds on the anonymous inode
        @anon_name ("[vfio-pci-mig]" ...): a list of {key: value} dicts,
        values as integers where they are."""
        found = []
        fddir = "/proc/%d/fd" % self.proc.pid
        for fd in os.listdir(fddir):
            try:
                if os.readlink(os.path.join(fddir, fd)) != \
                        "anon_inode:" + anon_name:
                    continue
                with open("/proc/%d/fdinfo/%s" % (self.proc.pid, fd)) as f:
                    lines = f.read().splitlines()
            except OSError:         # closed meanwhile
                continue
            info = {}
            for line in lines:
                key, _, val = line.partition(":")
                val = val.strip()
                try:
                    info[key] = int(val, 0)
                except ValueError:
                    info[key] = val
            found.append(info)
        return found

    # qtest: the guest ----------------------------------------------------

    def qtest(self, line):
        self.qt.write(line + "\n")
        while True:
            r = self.qt.readline()
            if not r:
                raise QemuError("%s: qtest closed at %r\n%s" %
                                (self.name, line, self.log_tail()))
            if r.startswith("IRQ"):
                continue
            r = r.split()
            if r[0] != "OK":
                raise QemuError("%s: qtest %r: %s" % (self.name, line,
                                                      " ".join(r)))
            return r[1] if len(r) > 1 else None

    def readl(self, addr):
        return int(self.qtest("readl 0x%x" % addr), 16)

    def readq(self, addr):
        return int(self.qtest("readq 0x%x" % addr), 16)

    def writel(self, addr, val):
        self.qtest("writel 0x%x 0x%x" % (addr, val))

    def writeq(self, addr, val):
        self.qtest("writeq 0x%x 0x%x" % (addr, val))

    def memread(self, addr, size):
        return bytes.fromhex(self.qtest("read 0x%x 0x%x" % (addr, size))[2:])

    def memwrite(self, addr, data):
        self.qtest("write 0x%x 0x%x 0x%s" % (addr, len(data), data.hex()))

    def memset(self, addr, size, byte):
        self.qtest("memset 0x%x 0x%x 0x%x" % (addr, size, byte))

    # PCI configuration mechanism #1 (ports 0xcf8/0xcfc) of bus 0.
    def _cf8(self, dev, fn, off):
        self.qtest("outl 0xcf8 0x%x" % (0x80000000 | dev << 11 | fn << 8 |
                                        (off & 0xfc)))
        return 0xcfc + (off & 3)

    def cfg_read(self, dev, off, size=4, fn=0):
        port = self._cf8(dev, fn, off)
        op = {1: "inb", 2: "inw", 4: "inl"}[size]
        return int(self.qtest("%s 0x%x" % (op, port)), 16)

    def cfg_write(self, dev, off, val, size=4, fn=0):
        port = self._cf8(dev, fn, off)
        op = {1: "outb", 2: "outw", 4: "outl"}[size]
        self.qtest("%s 0x%x 0x%x" % (op, port, val))


def migrate(src, dst, uri, timeout=300, caps=None):
    """Migrate @src into @dst (started with -incoming defer) through @uri.

    Returns the source's final query-migrate answer.
    """
    if caps:
        c = [{"capability": k, "state": v} for k, v in caps.items()]
        src.qmp("migrate-set-capabilities", capabilities=c)
        dst.qmp("migrate-set-capabilities", capabilities=c)
    dst.qmp("migrate-incoming", uri=uri)
    src.qmp("migrate", uri=uri)
    return src.wait_migration(timeout)
