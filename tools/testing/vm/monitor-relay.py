#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Connect the guest's second serial port (ttyS1) to a QEMU HMP monitor, so
# that a test in the guest can drive device_del/device_add itself.  Both ends
# are QEMU chardev servers (unix sockets); this copies bytes both ways until
# either side closes.  Started in the background by vm.sh.
#
# Usage: monitor-relay.py GUEST_SERIAL_SOCKET MONITOR_SOCKET
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
    guest = connect(sys.argv[1], deadline)
    mon = connect(sys.argv[2], deadline)
    peer = {guest: mon, mon: guest}
    sel = selectors.DefaultSelector()
    sel.register(guest, selectors.EVENT_READ)
    sel.register(mon, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            data = key.fileobj.recv(65536)
            if not data:
                return
            peer[key.fileobj].sendall(data)


if __name__ == "__main__":
    try:
        main()
    except (OSError, KeyboardInterrupt):
        pass
