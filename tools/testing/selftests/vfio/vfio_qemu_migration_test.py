#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
QEMU live-migrates a guest with an edu assigned through edu-vfio-pci.

Two QEMU processes inside the test VM, one per edu, each with
"-device vfio-pci,host=<edu>,enable-migration=on": once on the iommufd cdev
path ("-object iommufd" + "iommufd="), once on the legacy group/container
path (type1).  The guest is this script, over qtest (lib/qemu_vm.py): it
places BAR0, turns on memory and bus mastering, fills guest RAM, DMAs it
into the device, starts a factorial with its interrupt, and so on; QMP
drives the migration.  Checked on the destination: guest config space,
every register, and the 4 KiB buffer, by a DMA from the device back into
guest RAM.  A -> B -> A, then the bad paths: a stream from another device,
migrate_cancel during PRE_COPY, a device reset during PRE_COPY.  QEMU's
reported downtime is printed as "# bench:" lines.

Output is TAP.  Run as root in the test VM with edu-vfio-pci loaded and two
edus bound to vfio-pci (the script moves them to edu-vfio-pci and back).
"""
import os
import shutil
import sys
import tempfile
import time
import traceback
import zlib

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)),
                                "lib"))
from qemu_vm import Qemu, QemuError, migrate  # noqa: E402

VARIANT = "edu-vfio-pci"
EDU_ID = ("0x1234", "0x11e8")

# The guest's view: edu at 00:04.0, BAR0 where the guest puts it.
SLOT = 4
BAR = 0xfe000000
CMD = 0x0006            # memory + bus master, as a guest driver sets it
LIVENESS, FACT, STATUS, IRQ_STATUS, IRQ_ACK = 0x04, 0x08, 0x20, 0x24, 0x64
DMA_SRC, DMA_DST, DMA_CNT, DMA_CMD = 0x80, 0x88, 0x90, 0x98
RUN, TO_RAM = 1, 2
BUF, BUF_SIZE = 0x40000, 4096
RAM_IN, RAM_OUT, RAM_PATCH = 0x100000, 0x200000, 0x300000

results = []


def tap(ok, what, diag=None):
    results.append(ok)
    if diag:
        for line in diag.rstrip().splitlines():
            print("# " + line)
    print("%sok %d %s" % ("" if ok else "not ", len(results), what))
    sys.stdout.flush()


def sysfs_write(path, val):
    with open(path, "w") as f:
        f.write(val)


def rebind(bdf, driver):
    dev = "/sys/bus/pci/devices/" + bdf
    if os.path.exists(dev + "/driver"):
        sysfs_write(dev + "/driver/unbind", bdf)
    sysfs_write(dev + "/driver_override", driver)
    sysfs_write("/sys/bus/pci/drivers_probe", bdf)
    drv = os.path.basename(os.readlink(dev + "/driver"))
    if drv != driver:
        raise RuntimeError("%s bound to %s, not %s" % (bdf, drv, driver))


def find_edus():
    found = []
    for bdf in sorted(os.listdir("/sys/bus/pci/devices")):
        dev = "/sys/bus/pci/devices/" + bdf
        ids = tuple(open(dev + "/" + a).read().strip()
                    for a in ("vendor", "device"))
        if ids == EDU_ID and os.path.exists(dev + "/driver"):
            found.append(bdf)
    return found


class Guest:
    """The edu as a guest driver in one QEMU sees it."""

    def __init__(self, workdir, name, bdf, path, incoming=False):
        dev = "vfio-pci,host=%s,id=edu,addr=%d,enable-migration=on" % (
            bdf, SLOT)
        args = []
        if path == "iommufd":
            args += ["-object", "iommufd,id=iommufd0"]
            dev += ",iommufd=iommufd0"
        args += ["-device", dev]
        if incoming:
            args += ["-incoming", "defer"]
        self.vm = Qemu(name, workdir, args)
        self.vm.start()

    def stop(self):
        self.vm.stop()

    def setup(self):
        self.vm.cfg_write(SLOT, 0x10, BAR)
        self.vm.cfg_write(SLOT, 0x04, CMD, 2)

    def rd(self, off, size=4):
        return (self.vm.readl if size == 4 else self.vm.readq)(BAR + off)

    def wr(self, off, val, size=4):
        (self.vm.writel if size == 4 else self.vm.writeq)(BAR + off, val)

    def wait_idle(self, timeout=10):
        end = time.monotonic() + timeout
        while self.rd(DMA_CMD, 8) & RUN or self.rd(STATUS) & 1:
            if time.monotonic() > end:
                raise AssertionError("edu still busy after %ds" % timeout)
            time.sleep(0.02)

    def dma(self, src, dst, cnt, cmd):
        self.wr(DMA_SRC, src, 8)
        self.wr(DMA_DST, dst, 8)
        self.wr(DMA_CNT, cnt, 8)
        self.wr(DMA_CMD, cmd | RUN, 8)
        self.wait_idle()

    def state(self):
        """Everything a guest can read back, but the buffer."""
        return {
            "bar0": self.vm.cfg_read(SLOT, 0x10),
            "command": self.vm.cfg_read(SLOT, 0x04, 2) & 0x7,
            "liveness": self.rd(LIVENESS),
            "fact": self.rd(FACT),
            "status": self.rd(STATUS),
            "irq_status": self.rd(IRQ_STATUS),
            "dma": [self.rd(DMA_SRC + 8 * i, 8) for i in range(3)],
        }

    def buffer(self, at=RAM_OUT):
        """The device's buffer, DMAed out into guest RAM at @at."""
        self.vm.memwrite(at, b"\xee" * BUF_SIZE)
        self.dma(BUF, at, BUF_SIZE, TO_RAM)
        return self.vm.memread(at, BUF_SIZE)


def pattern(seed, n=BUF_SIZE):
    return bytes(((i * 7) ^ seed) & 0xff for i in range(n))


def check_equal(want, got, what):
    if want != got:
        raise AssertionError("%s: want %r, got %r" % (what, want, got))


def check_buffer(want, got, what):
    if want != got:
        bad = next(i for i in range(len(want)) if want[i] != got[i])
        raise AssertionError("%s: buffer differs from byte %#x: want %s, "
                             "got %s" % (what, bad, want[bad:bad + 8].hex(),
                                         got[bad:bad + 8].hex()))


def program(g, buf):
    """A guest's work before migrating: DMA in, registers, an interrupt."""
    g.setup()
    g.wr(IRQ_ACK, 0xffffffff)
    g.vm.memwrite(RAM_IN, buf)
    g.dma(RAM_IN, BUF, BUF_SIZE, 0)
    g.wr(LIVENESS, 0x12345678)
    g.wr(STATUS, 0x80)
    g.wr(FACT, 10)              # 10! = 3628800, then interrupt 0x1
    g.wait_idle()
    # Leave the DMA registers pointing somewhere recognisable.
    g.wr(DMA_SRC, BUF + 0x10, 8)
    g.wr(DMA_DST, RAM_OUT + 0x20, 8)
    g.wr(DMA_CNT, 0x30, 8)
    st = g.state()
    check_equal(3628800, st["fact"], "factorial before migrating")
    check_equal(0x1, st["irq_status"], "interrupt status before migrating")
    return st


class Bench:
    lines = []


def do_migrate(src, dst, workdir, what):
    # Without IOMMUFD (Debian's stock kernels) the device offers no DMA
    # logging, so QEMU falls back on the type1 container's dirty log, which
    # reports every mapped page dirty in every round: under TCG the default
    # 300 ms downtime limit is then never met and the migration never ends.
    # A VMM on such a host allows a longer stop; so does the test.
    if not os.path.exists("/dev/iommu"):
        src.vm.qmp("migrate-set-parameters", **{"downtime-limit": 60000})
    st = migrate(src.vm, dst.vm, "unix:" + os.path.join(workdir, "mig.sock"))
    if st.get("status") != "completed":
        raise AssertionError("%s: migration %s: %s\nsource log:\n%s\n"
                             "destination log:\n%s" %
                             (what, st.get("status"), st.get("error-desc"),
                              src.vm.log_tail(), dst.vm.log_tail()))
    # The source reports "completed" once it has sent everything; the
    # destination may still be loading (its config space then still shows
    # what QEMU read from the device at realize: the host's BAR address and
    # COMMAND).  Check it only once it runs.
    status = dst.vm.status()
    if status != "running":
        print("# %s: destination still %s when the source completed" %
              (what, status))
    end = time.monotonic() + 120
    while status != "running" and time.monotonic() < end:
        time.sleep(0.2)
        status = dst.vm.status()
    check_equal("running", status, "%s: destination state" % what)
    Bench.lines.append("qemu edu migration %s: downtime %d ms, total %d ms"
                       % (what, st.get("downtime", -1),
                          st.get("total-time", -1)))
    return st


def test_round_trip(workdir, edus, path):
    """A -> B -> A with checks after each hop."""
    buf = pattern(0x5a)
    a = Guest(workdir, "a", edus[0], path)
    b = a2 = None
    try:
        want = program(a, buf)
        b = Guest(workdir, "b", edus[1], path, incoming=True)
        do_migrate(a, b, workdir, "%s A->B" % path)
        a.stop()
        check_equal(want, b.state(), "B after A->B")
        check_buffer(buf, b.buffer(), "B after A->B")
        # B works on: a partial DMA in, then back to A's edu.
        patch = pattern(0xa5, 256)
        b.vm.memwrite(RAM_PATCH, patch)
        b.dma(RAM_PATCH, BUF + 0x800, 256, 0)
        buf = buf[:0x800] + patch + buf[0x900:]
        b.wr(LIVENESS, 0x0f0f0f0f)
        want = b.state()
        a2 = Guest(workdir, "a2", edus[0], path, incoming=True)
        do_migrate(b, a2, workdir, "%s B->A" % path)
        b.stop()
        check_equal(want, a2.state(), "A after B->A")
        check_buffer(buf, a2.buffer(), "A after B->A")
    finally:
        for g in (a, b, a2):
            if g:
                g.stop()


def round_trip_ok(g, seed, what):
    """The device still works: a DMA in and back out, a factorial."""
    data = pattern(seed, 512)
    g.wr(IRQ_ACK, 0xffffffff)
    g.vm.memwrite(RAM_PATCH, data)
    g.dma(RAM_PATCH, BUF + 0x200, 512, 0)
    g.vm.memwrite(RAM_OUT, b"\0" * 512)
    g.dma(BUF + 0x200, RAM_OUT, 512, TO_RAM)
    check_buffer(data, g.vm.memread(RAM_OUT, 512), what)
    g.wr(FACT, 5)
    g.wait_idle()
    check_equal(120, g.rd(FACT), "factorial, " + what)


# enum vfio_device_mig_state, as our data file's fdinfo shows it.
MIG_STATES = {0: "ERROR", 1: "STOP", 2: "RUNNING", 3: "STOP_COPY",
              4: "RESUMING", 5: "RUNNING_P2P", 6: "PRE_COPY",
              7: "PRE_COPY_P2P"}
ENODEV = 19


def data_files(g):
    """Our migration data files the QEMU process holds, by their fdinfo
    (mig_file.c): the device's state, the file's errno, bytes moved."""
    return [{"state": MIG_STATES.get(i.get("vfio-mig-device-state"), "?"),
             "error": i.get("vfio-mig-file-error"),
             "bytes": i.get("vfio-mig-bytes")}
            for i in g.vm.fdinfo("[vfio-pci-mig]")]


# Holding QEMU in PRE_COPY.  The guest's RAM is filled with a non-zero
# byte (QEMU sends a zero page as a few bytes, a full one as 4 KiB) and the
# bandwidth is capped: the first pass over RAM alone then takes minutes, and
# with a 1 ms downtime limit QEMU never sees the rest as small enough to stop
# the guest.  Until it does, the device stays in PRE_COPY.
HOLD_BANDWIDTH = 64 << 10       # bytes/s
HOLD_FILL = (4 << 20, 28 << 20)  # above everything program() uses


def hold_in_precopy(src, dst, workdir):
    """Start a migration that stays in PRE_COPY; show that it does."""
    src.vm.memset(HOLD_FILL[0], HOLD_FILL[1], 0x5a)
    src.vm.qmp("migrate-set-parameters", **{
        "max-bandwidth": HOLD_BANDWIDTH, "downtime-limit": 1})
    uri = "unix:" + os.path.join(workdir, "mig.sock")
    dst.vm.qmp("migrate-incoming", uri=uri)
    src.vm.qmp("migrate", uri=uri)
    end = time.monotonic() + 60
    while True:
        st = src.vm.qmp("query-migrate")
        files = data_files(src)
        if st.get("status") == "active" and files and \
                files[0]["state"] == "PRE_COPY":
            break
        if st.get("status") not in ("setup", "active") or \
                time.monotonic() > end:
            raise AssertionError("not in PRE_COPY: migration %s, data files"
                                 " %r" % (st.get("status"), files))
        time.sleep(0.1)
    # Held: a second later QEMU still migrates and the device still is in
    # PRE_COPY with its session current.
    time.sleep(1)
    st = src.vm.qmp("query-migrate")
    files = data_files(src)
    check_equal("active", st.get("status"), "migration a second later")
    check_equal([("PRE_COPY", 0)], [(f["state"], f["error"]) for f in files],
                "device state and file errno a second later")
    print("# held in PRE_COPY: RAM %d of %d bytes sent, device data %d bytes"
          " read" % (st.get("ram", {}).get("transferred", 0),
                     st.get("ram", {}).get("total", 0), files[0]["bytes"]))


def show_unloaded(b):
    """What the destination's guest sees while QEMU is still receiving RAM
    (a diagnostic for issue 10's "config space lost": seen 2026-12-05 as
    BAR0 0 and COMMAND 0x100, not the reported host values 0xfea00000 and
    0x107, so reading this early does not explain that report)."""
    print("# destination before loading: BAR0 %#x, COMMAND %#x" %
          (b.vm.cfg_read(SLOT, 0x10), b.vm.cfg_read(SLOT, 0x04, 2)))


def settle(a):
    """Let QEMU finish what it still does with the migration; its status."""
    a.vm.qmp("migrate-set-parameters", **{"max-bandwidth": 1 << 30,
                                          "downtime-limit": 300})
    st = a.vm.wait_migration(timeout=120)
    if st.get("error-desc"):
        print("# source QEMU: %s" % st["error-desc"])
    return st


def migrate_again(workdir, edus, src, path, buf, what):
    """After a failed attempt: a fresh destination, a full migration."""
    want = src.state()
    dst = Guest(workdir, "b2", edus[1], path, incoming=True)
    try:
        do_migrate(src, dst, workdir, what)
        check_equal(want, dst.state(), "destination after " + what)
        check_buffer(buf, dst.buffer(), "destination after " + what)
    finally:
        dst.stop()


def interrupted_precopy(workdir, edus, path, seed, interrupt, what):
    """Start a migration, @interrupt it in PRE_COPY: the source runs on
    and its device works (and, with VT_QEMU_MIGRATE_AGAIN set, migrates in
    full afterwards: slow under TCG, so not in every make check)."""
    buf = pattern(seed)
    a = Guest(workdir, "a", edus[0], path)
    b = None
    try:
        program(a, buf)
        b = Guest(workdir, "b", edus[1], path, incoming=True)
        hold_in_precopy(a, b, workdir)
        show_unloaded(b)
        interrupt(a, edus[0])
        b.stop()
        b = None
        check_equal("running", a.vm.status(), "source state after " + what)
        check_equal([], data_files(a), "data files left open after " + what)
        round_trip_ok(a, seed + 1, "source after " + what)
        if os.environ.get("VT_QEMU_MIGRATE_AGAIN"):
            buf = buf[:0x200] + pattern(seed + 1, 512) + buf[0x400:]
            migrate_again(workdir, edus, a, path, buf,
                          "%s after %s" % (path, what))
    finally:
        for g in (a, b):
            if g:
                g.stop()


def cancel(a, bdf):
    """migrate_cancel: QEMU cancels, the device goes back to RUNNING."""
    a.vm.qmp("migrate_cancel")
    st = a.vm.wait_migration(done=("completed", "cancelled", "failed"))
    check_equal("cancelled", st.get("status"), "source after cancel")


def reset_voids_session(a, what):
    """After a reset in PRE_COPY: the data file QEMU still holds is dead
    (-ENODEV) and the device is RUNNING; then QEMU's migration fails."""
    files = data_files(a)
    if files:
        check_equal([("RUNNING", -ENODEV)],
                    [(f["state"], f["error"]) for f in files],
                    "device state and file errno after " + what)
    else:
        print("# QEMU had closed its data file when looked at")
    st = settle(a)
    check_equal("failed", st.get("status"), "source migration after " + what)


def machine_reset(a, bdf):
    """The guest resets the machine: QEMU resets its vfio device."""
    a.vm.qmp("system_reset")
    reset_voids_session(a, "machine reset")
    # The reset cleared the guest's config space: set it up again.
    a.setup()


def host_reset(a, bdf):
    """The host resets the function through sysfs (pci_reset_function)."""
    sysfs_write("/sys/bus/pci/devices/%s/reset" % bdf, "1")
    reset_voids_session(a, "host reset")


def test_cancel_in_precopy(workdir, edus, path):
    """migrate_cancel while the device is in PRE_COPY: it runs on."""
    interrupted_precopy(workdir, edus, path, 0x3c, cancel, "cancel")


def test_reset_in_precopy(workdir, edus, path):
    """The guest resets the machine (and the device) during PRE_COPY."""
    interrupted_precopy(workdir, edus, path, 0x69, machine_reset, "reset")


def test_host_reset_in_precopy(workdir, edus, path):
    """The host resets the source's function (sysfs) during PRE_COPY."""
    interrupted_precopy(workdir, edus, path, 0x4b, host_reset, "host reset")


def crc32_le0(data):
    """The kernel's crc32_le(0, data): zlib's CRC without its inversions."""
    return ~zlib.crc32(data, 0xffffffff) & 0xffffffff


def patch_device_id(stream, device):
    """Our data-stream header (mig_file.c) with another device ID."""
    hdr = b"VMIG" + (0x80000000).to_bytes(4, "little") + \
        (16).to_bytes(4, "little")
    at = stream.find(hdr)
    if at < 0:
        raise AssertionError("no vfio-pci-core stream header in the file")
    payload = bytearray(stream[at + 16:at + 32])
    payload[10:12] = device.to_bytes(2, "little")
    out = bytearray(stream)
    out[at + 12:at + 16] = crc32_le0(bytes(payload)).to_bytes(4, "little")
    out[at + 16:at + 32] = payload
    return bytes(out)


def test_foreign_stream(workdir, edus, path):
    """A stream saved from another device is refused by our own check."""
    buf = pattern(0x1e)
    good = os.path.join(workdir, "good.mig")
    bad = os.path.join(workdir, "bad.mig")
    a = Guest(workdir, "a", edus[0], path)
    b = None
    try:
        want = program(a, buf)
        a.vm.qmp("migrate", uri="file:" + good)
        st = a.vm.wait_migration()
        check_equal("completed", st.get("status"), "save to a file")
        a.stop()
        with open(good, "rb") as f:
            data = f.read()
        with open(bad, "wb") as f:
            f.write(patch_device_id(data, 0x11e9))
        # Another device's stream: QEMU's own checks pass, ours refuses.
        b = Guest(workdir, "b", edus[1], path, incoming=True)
        b.vm.qmp("migrate-incoming", uri="file:" + bad,
                 **{"exit-on-error": False})
        st = b.vm.wait_migration(done=("completed", "failed"))
        check_equal("failed", st.get("status"), "load of a foreign stream")
        if "Invalid argument" not in b.vm.log_tail(40) + \
                st.get("error-desc", ""):
            raise AssertionError("refused, but not by the device (EINVAL):"
                                 " %s\n%s" % (st.get("error-desc"),
                                              b.vm.log_tail()))
        b.stop()
        # The same stream unpatched loads into the same device.
        b = Guest(workdir, "b", edus[1], path, incoming=True)
        b.vm.qmp("migrate-incoming", uri="file:" + good)
        st = b.vm.wait_migration(done=("completed", "failed"))
        check_equal("completed", st.get("status"), "load of the real stream")
        check_equal(want, b.state(), "destination after the real stream")
        check_buffer(buf, b.buffer(), "destination after the real stream")
    finally:
        for g in (a, b):
            if g:
                g.stop()


def main():
    edus = find_edus()[:2]
    if len(edus) < 2 or not os.path.exists("/sys/bus/pci/drivers/" +
                                           VARIANT):
        print("1..0 # SKIP needs two edus and %s" % VARIANT)
        return 0
    if not shutil.which(os.environ.get("VT_QEMU", "qemu-system-x86_64")):
        print("1..0 # SKIP no qemu-system-x86_64")
        return 0
    print("TAP version 13")
    # VT_QEMU_WORKDIR keeps the QEMU logs for a look afterwards.
    keep = os.environ.get("VT_QEMU_WORKDIR")
    if keep:
        os.makedirs(keep, exist_ok=True)
    workdir = keep or tempfile.mkdtemp(prefix="vfio-qemu-mig.")
    try:
        for bdf in edus:
            rebind(bdf, VARIANT)
        # VT_QEMU_TESTS="word,...": only the tests whose name has a word.
        only = [w for w in os.environ.get("VT_QEMU_TESTS", "").split(",")
                if w]
        for name, fn, args in TESTS:
            if only and not any(w in name for w in only):
                continue
            # Debian's stock kernels are built without IOMMUFD.
            if "iommufd" in args and not os.path.exists("/dev/iommu"):
                print("ok %d %s # SKIP needs CONFIG_IOMMUFD (no /dev/iommu)"
                      % (len(results) + 1, name))
                results.append(True)
                continue
            t0 = time.monotonic()
            try:
                fn(workdir, edus, *args)
                tap(True, "%s (%.0f s)" % (name, time.monotonic() - t0))
            except (AssertionError, QemuError, OSError, RuntimeError):
                tap(False, "%s (%.0f s)" % (name, time.monotonic() - t0),
                    traceback.format_exc())
    finally:
        for bdf in edus:
            try:
                rebind(bdf, "vfio-pci")
            except (OSError, RuntimeError) as e:
                print("# could not give %s back to vfio-pci: %s" % (bdf, e))
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    for line in Bench.lines:
        print("# bench: " + line)
    print("1..%d" % len(results))
    return 0 if all(results) else 1


TESTS = [
    ("iommufd: QEMU migrates A -> B -> A", test_round_trip, ("iommufd",)),
    ("container: QEMU migrates A -> B -> A", test_round_trip,
     ("container",)),
    ("iommufd: a stream from another device is refused by the device",
     test_foreign_stream, ("iommufd",)),
    ("iommufd: migrate_cancel during PRE_COPY, the device runs on",
     test_cancel_in_precopy, ("iommufd",)),
    ("container: migrate_cancel during PRE_COPY, the device runs on",
     test_cancel_in_precopy, ("container",)),
    ("iommufd: machine reset during PRE_COPY, the migration fails, the "
     "device runs on", test_reset_in_precopy, ("iommufd",)),
    ("container: the host resets the function during PRE_COPY, the "
     "migration fails, the device runs on", test_host_reset_in_precopy,
     ("container",)),
]

if __name__ == "__main__":
    sys.exit(main())
