/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rig's QEMU monitor, seen from inside the guest: ttyS1 is relayed to
 * an HMP monitor of its own (tools/testing/vm/vm.sh, monitor-relay.py), so
 * a test can unplug and plug devices itself.
 */
#ifndef SELFTESTS_VFIO_LIB_QEMU_MONITOR_H
#define SELFTESTS_VFIO_LIB_QEMU_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Run one HMP command ("device_del e1000e0"); what the monitor printed
 * back, echo, prompt and terminal escapes excluded, goes to @out.  0, or
 * -errno (-ETIMEDOUT when the monitor does not answer within about ten
 * seconds, -ENODEV without one, -EPROTO when it never took the command:
 * "unknown command" three times).
 */
int vt_hmp(const char *cmd, char *out, size_t len);

/* The monitor answers (an empty command gets its prompt back). */
bool vt_hmp_available(void);

#endif /* SELFTESTS_VFIO_LIB_QEMU_MONITOR_H */
