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
	/* Whatever came in before the line was raw. */
	tcflush(fd, TCIOFLUSH);
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

/*
 * Send @line and read the monitor's answer into @buf: its echo of the line
 * (redrawn as it is typed), the end of the line, what the command printed
 * and the next prompt.  The answer proper (what follows the echo, up to the
 * prompt) starts at *@start and ends at *@end.
 */
static int vt_hmp_line(int fd, const char *line, char *buf, size_t len,
		       char **start, char **end)
{
	long deadline = vt_now_ms() + 10000;
	char msg[512], *echo;
	size_t n = 0, msglen;

	buf[0] = '\0';
	msglen = snprintf(msg, sizeof(msg), "%s\n", line);
	if (msglen >= sizeof(msg) || write(fd, msg, msglen) != (ssize_t)msglen)
		return -EIO;
	for (;;) {
		vt_hmp_read(fd, buf, &n, len, 200);
		/* The last redraw of the echo shows the whole line. */
		echo = line[0] ? strstr(buf, line) : buf;
		*start = echo ? strstr(echo + strlen(line), "\r\n") : NULL;
		*end = *start ? strstr(*start, VT_HMP_PROMPT) : NULL;
		if (*end)
			break;
		if (vt_now_ms() > deadline || n + 1 >= len)
			return -ETIMEDOUT;
	}
	*start += 2;
	return 0;
}

/* @from..@end without terminal escape sequences and trailing line ends. */
static void vt_hmp_copy(char *out, size_t len, const char *from,
			const char *end)
{
	size_t k = 0;

	while (from < end && k + 1 < len) {
		if (*from == '\033') {
			/* ESC [ parameters final-letter */
			from++;
			if (from < end && *from == '[')
				from++;
			while (from < end && (*from < '@' || *from > '~'))
				from++;
			from++;
			continue;
		}
		out[k++] = *from++;
	}
	while (k && (out[k - 1] == '\r' || out[k - 1] == '\n'))
		k--;
	out[k] = '\0';
}

/*
 * The monitor's line editor appends what arrives to whatever line it holds,
 * so bytes it got that did not end in a newline would turn the command into
 * an unknown one.  Each command is preceded by an empty line, which ends any
 * such line (a line no command starts with, answered "unknown command") and
 * is answered by a prompt; a command answered "unknown command" all the
 * same was not run, and is sent again.
 */
int vt_hmp(const char *cmd, char *out, size_t len)
{
	char buf[8192], *start, *end;
	size_t n = 0;
	int fd, ret, try;

	fd = vt_hmp_open();
	if (fd < 0)
		return fd;
	for (try = 0; try < 3; try++) {
		/* Drop whatever an earlier command left behind. */
		vt_hmp_read(fd, buf, &n, sizeof(buf), 100);
		n = 0;
		ret = vt_hmp_line(fd, "", buf, sizeof(buf), &start, &end);
		if (ret)
			break;
		ret = vt_hmp_line(fd, cmd, buf, sizeof(buf), &start, &end);
		if (ret)
			break;
		if (!strstr(buf, "unknown command"))
			break;
		vt_hmp_copy(buf, sizeof(buf), start, end);
		fprintf(stderr, "# hmp: \"%s\" was not taken (%s), sending it again\n",
			cmd, buf);
		ret = -EPROTO;
	}
	close(fd);
	if (!ret && out && len)
		vt_hmp_copy(out, len, start, end);
	return ret;
}

bool vt_hmp_available(void)
{
	char out[256];

	return !vt_hmp("info version", out, sizeof(out));
}
