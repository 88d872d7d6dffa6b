/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log seen from a test: open a cursor at the current end of
 * /dev/kmsg, then count the splats (warnings, bugs, lockdep reports) that
 * were logged after it.  Lets a test assert that what it did made the
 * kernel complain about nothing.
 */
#ifndef SELFTESTS_VFIO_LIB_KMSG_H
#define SELFTESTS_VFIO_LIB_KMSG_H

/* A cursor at the end of the log: an fd for vt_kmsg_splats(), or -errno. */
int vt_kmsg_mark(void);

/*
 * The number of splat lines logged since @fd's mark (each one is also
 * printed as a TAP comment), or -errno.  Closes @fd.
 */
int vt_kmsg_splats(int fd);

#endif /* SELFTESTS_VFIO_LIB_KMSG_H */
