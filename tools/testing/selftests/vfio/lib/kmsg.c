// SPDX-License-Identifier: GPL-2.0
/*
 * Splats in the kernel log since a mark (kmsg.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"
#include "kmsg.h"

/* What starts a report worth failing a test for. */
static const char *const vt_kmsg_patterns[] = {
	"WARNING:", "BUG:", "Oops", "kernel BUG", "refcount_t:", "UBSAN:",
	"KASAN:", "possible circular locking", "inconsistent lock state",
	"possible recursive locking", "suspicious RCU usage",
	"general protection fault",
};

int vt_kmsg_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int vt_kmsg_splats(int fd)
{
	char rec[8192];
	int n = 0;
	size_t i;

	if (fd < 0)
		return fd;
	for (;;) {
		ssize_t len = read(fd, rec, sizeof(rec) - 1);

		if (len < 0) {
			if (errno == EPIPE)	/* overwritten records */
				continue;
			break;			/* EAGAIN: the end */
		}
		rec[len] = '\0';
		for (i = 0; i < ARRAY_SIZE(vt_kmsg_patterns); i++) {
			if (strstr(rec, vt_kmsg_patterns[i])) {
				char *nl = strchr(rec, '\n');

				if (nl)
					*nl = '\0';
				printf("# kmsg: %s\n", rec);
				n++;
				break;
			}
		}
	}
	close(fd);
	return n;
}
