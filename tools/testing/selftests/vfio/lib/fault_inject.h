/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocation failures on demand, limited to our modules' call sites:
 * failslab with its stack-trace filter set to the address range of the
 * named modules over the few frames above the allocator, driven
 * through /proc/thread-self/fail-nth (the Nth allocation of the calling
 * thread that passes the filter fails).  Every other fault attribute is
 * pointed at an empty range so it counts nothing.
 */
#ifndef SELFTESTS_VFIO_LIB_FAULT_INJECT_H
#define SELFTESTS_VFIO_LIB_FAULT_INJECT_H

#include <stdbool.h>

/*
 * Limit failslab to the text of the modules listed (NULL-terminated, names
 * as in /proc/modules).  0, or -errno (-ENOENT without debugfs or
 * failslab, -ESRCH when no listed module is loaded).
 */
int vt_fault_setup(const char *const modules[]);

/* Put the fault attributes back as the kernel had them. */
void vt_fault_teardown(void);

/* Arm: the @nth filtered allocation of this thread fails. */
int vt_fault_arm(unsigned int nth);

/*
 * Disarm; true if the armed failure was injected, false if the call
 * finished before reaching it (nothing more to try on that path).
 */
bool vt_fault_disarm(void);

#endif /* SELFTESTS_VFIO_LIB_FAULT_INJECT_H */
