// SPDX-License-Identifier: GPL-2.0
/*
 * The rig's QEMU monitor over the guest's ttyS1; see qemu_monitor.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "qemu_monitor.h"

#define VT_HMP_TTY	"/dev/ttyS1"
#define VT_HMP_PROMPT	"(qemu) "

static long vt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int vt_hmp_open(void)
{
	struct termios tio;
	int fd;

	fd = open(VT_HMP_TTY, O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (tcgetattr(fd, &tio)) {
		close(fd);
		return -ENODEV;
	}
	cfmakeraw(&tio);
	cfsetspeed(&tio, B115200);
	tcsetattr(fd, TCSANOW, &tio);
	return fd;
}

/* Read what is there within @ms; returns bytes appended at @buf + *@n. */
static void vt_hmp_read(int fd, char *buf, size_t *n, size_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t got;

	while (*n + 1 < len && poll(&pfd, 1, ms) > 0) {
		got = read(fd, buf + *n, len - 1 - *n);
		if (got <= 0)
			break;
		*n += got;
		buf[*n] = '\0';
		ms = 50;
	}
}

int vt_hmp(const char *cmd, char *out, size_t len)
{
	char buf[8192], line[512];
	long deadline = vt_now_ms() + 10000;
	size_t n = 0, cmdlen;
	char *start, *end;
	int fd;

	fd = vt_hmp_open();
	if (fd < 0)
		return fd;
	/* Drop whatever an earlier command left behind (banner, prompts). */
	vt_hmp_read(fd, buf, &n, sizeof(buf), 100);
	n = 0;
	buf[0] = '\0';

	cmdlen = snprintf(line, sizeof(line), "%s\n", cmd);
	if (write(fd, line, cmdlen) != (ssize_t)cmdlen) {
		close(fd);
		return -EIO;
	}
	/* The echo of the command, its output, then the next prompt. */
	for (;;) {
		vt_hmp_read(fd, buf, &n, sizeof(buf), 200);
		/* The monitor echoes what it is sent; if not, take it all. */
		start = strstr(buf, cmd);
		start = start ? start + strlen(cmd) : buf;
		end = strstr(start, VT_HMP_PROMPT);
		if (end || vt_now_ms() > deadline || n + 1 >= sizeof(buf))
			break;
	}
	close(fd);
	if (!end)
		return -ETIMEDOUT;
	while (*start == '\r' || *start == '\n')
		start++;
	if (out && len) {
		size_t k = end - start < (long)len - 1 ? end - start : len - 1;

		memcpy(out, start, k);
		out[k] = '\0';
	}
	return 0;
}

bool vt_hmp_available(void)
{
	char out[256];

	return !vt_hmp("info version", out, sizeof(out));
}
