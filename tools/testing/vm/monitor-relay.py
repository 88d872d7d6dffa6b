#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Connect the guest's second serial port (ttyS1) to a QEMU HMP monitor, so
# that a test in the guest can drive device_del/device_add itself.  Both ends
# are QEMU chardev servers (unix sockets); this copies bytes both ways until
# either side closes.  Started in the background by vm.sh.
#
# Usage: monitor-relay.py GUEST_SERIAL_SOCKET MONITOR_SOCKET [LOG]
#
# What the monitor prints before the guest has sent anything (its banner) is
# dropped: the guest's tty echoes what it receives until the test has made
# it raw, and that echo would reach the monitor as the start of a command
# line.
#
# With LOG, every chunk copied is appended to it, with the time and its
# direction ("g>m" guest to monitor, "m>g" back), so a lost or garbled
# command can be told from a press the guest did not act on.
import selectors
import socket
import sys
import time


def connect(path, deadline):
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main():
    deadline = time.monotonic() + 120
    log = open(sys.argv[3], "w", buffering=1) if len(sys.argv) > 3 else None
    guest = connect(sys.argv[1], deadline)
    mon = connect(sys.argv[2], deadline)
    peer = {guest: mon, mon: guest}
    name = {guest: "g>m", mon: "m>g"}
    t0 = time.monotonic()
    guest_spoke = False
    sel = selectors.DefaultSelector()
    sel.register(guest, selectors.EVENT_READ)
    sel.register(mon, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            data = key.fileobj.recv(65536)
            if not data:
                return
            if key.fileobj is guest:
                guest_spoke = True
            drop = not guest_spoke
            if log:
                log.write("%9.3f %s%s %r\n" % (time.monotonic() - t0,
                                                name[key.fileobj],
                                                " (dropped)" if drop else "",
                                                data))
            if not drop:
                peer[key.fileobj].sendall(data)


if __name__ == "__main__":
    try:
        main()
    except (OSError, KeyboardInterrupt):
        pass
