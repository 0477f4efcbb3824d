/*
 * Capturing what the parsers under test log (their bi_log_t), for host
 * tests: tlog is the callback, log_has searches the captured lines,
 * log_dump prints them as TAP comments.
 */
#ifndef _TESTLOG_H_
#define _TESTLOG_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static char logbuf[32768];
static size_t loglen;
static int nlog;

static void
tlog(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	va_end(ap);
	if (n > 0)
		loglen += (size_t)n;
	if (loglen >= sizeof(logbuf) - 2)
		loglen = sizeof(logbuf) - 2;
	logbuf[loglen++] = '\n';
	logbuf[loglen] = '\0';
	nlog++;
}

static void
log_dump(void)
{
	const char *p;

	printf("# log:\n# ");
	for (p = logbuf; *p != '\0'; p++) {
		putchar(*p);
		if (*p == '\n' && p[1] != '\0')
			printf("# ");
	}
	printf("\n");
}

static void
log_clear(void)
{
	loglen = 0;
	logbuf[0] = '\0';
	nlog = 0;
}

/* True if some message contains every one of the (up to 3) strings. */
static bool
log_has(const char *a, const char *b, const char *c)
{
	const char *line = logbuf, *nl;
	char one[1024];
	size_t n;

	while (*line != '\0') {
		nl = strchr(line, '\n');
		n = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (n >= sizeof(one))
			n = sizeof(one) - 1;
		memcpy(one, line, n);
		one[n] = '\0';
		if (strstr(one, a) != NULL &&
		    (b == NULL || strstr(one, b) != NULL) &&
		    (c == NULL || strstr(one, c) != NULL))
			return true;
		line += n + (nl != NULL);
	}
	return false;
}

#endif /* !_TESTLOG_H_ */
