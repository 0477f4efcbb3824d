/*
 * A minimal TAP producer for host unit tests.  Each check prints one
 * "ok N - name" or "not ok N - name" line; tap_done() prints the closing
 * "N passed, N failed" line and returns the exit status (failures, capped
 * at 126), as ABI.md section 5 asks of every test program.
 */
#ifndef _TAP_H_
#define _TAP_H_

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

static int tap_n, tap_passed, tap_failed;

static inline int
tap_check(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (cond)
		tap_passed++;
	else {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define TAP_OK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline int
tap_done(void)
{
	printf("%d passed, %d failed\n", tap_passed, tap_failed);
	return tap_failed > 126 ? 126 : tap_failed;
}

/*
 * A repeatable pseudo-random sequence (xorshift64*): set rng_state to a
 * non-zero seed, then call rng().
 */
static uint64_t rng_state;

static inline uint64_t
rng(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

#endif /* !_TAP_H_ */
