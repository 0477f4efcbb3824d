/*
 * Host tests of the printf formatter (kernel/lib/kformat.c): every
 * conversion, flag, width, precision and length modifier, checked against
 * written-out expectations and, where the host's printf agrees with the
 * documented behaviour, against a sweep of combinations.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kformat.h"
#include "tap.h"

/* A ksnprintf-like sink: keeps the first size - 1 characters. */
struct bufsink {
	char *buf;
	size_t size;
	size_t pos; /* characters seen, kept or not */
};

static void
buf_putc(int c, void *arg)
{
	struct bufsink *b = arg;

	if (b->size > 0 && b->pos < b->size - 1)
		b->buf[b->pos] = (char)c;
	b->pos++;
}

/* Format into buf of size bytes, NUL-terminated; returns kformat's count. */
static int
tformat(char *buf, size_t size, const char *fmt, ...)
{
	struct bufsink b = { buf, size, 0 };
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kformat(buf_putc, &b, fmt, ap);
	va_end(ap);
	if (size > 0)
		buf[b.pos < size - 1 ? b.pos : size - 1] = '\0';
	if ((size_t)n != b.pos)
		return -1000; /* count and characters disagree */
	return n;
}

/* Check that fmt with the arguments gives exactly want (and its length). */
#define CHECK(want, fmt, ...)                                              \
	do {                                                               \
		char _b[512];                                              \
		int _n = tformat(_b, sizeof(_b), fmt, ##__VA_ARGS__);      \
		TAP_OK(strcmp(_b, (want)) == 0 && _n == (int)strlen(want), \
		    "%-28s -> \"%s\" (got \"%s\", %d)",                    \
		    #fmt ", " #__VA_ARGS__, (want), _b, _n);               \
	} while (0)

/* Compare with the host printf over many flag/width/precision mixes. */
static void
sweep(void)
{
	static const char *flags[] = { "", "-", "0", "+", " ", "#", "-0", "+0",
		"-+", "# ", "#0", "-#" };
	static const char *widths[] = { "", "1", "5", "12", "25" };
	static const char *precs[] = { "", ".0", ".1", ".4", ".15" };
	static const char conv[] = "diuxXo";
	static const long long vals[] = { 0, 1, -1, 7, 42, -42, 255, 4096,
		123456789, -987654321, INT32_MAX, INT32_MIN };
	char fmt[32], want[128], got[128];
	size_t fi, wi, pi, ci, vi;
	int bad = 0, total = 0, n, m;

	for (ci = 0; conv[ci] != '\0'; ci++)
		for (fi = 0; fi < sizeof(flags) / sizeof(flags[0]); fi++)
			for (wi = 0; wi < sizeof(widths) / sizeof(widths[0]);
			     wi++)
				for (pi = 0;
				     pi < sizeof(precs) / sizeof(precs[0]);
				     pi++)
					for (vi = 0; vi <
					     sizeof(vals) / sizeof(vals[0]);
					     vi++) {
						snprintf(fmt, sizeof(fmt),
						    "[%%%s%s%s%c]", flags[fi],
						    widths[wi], precs[pi],
						    conv[ci]);
						/* The format is built at run time on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
						m = snprintf(want, sizeof(want),
						    fmt, (int)vals[vi]);
#pragma GCC diagnostic pop
						n = tformat(got, sizeof(got),
						    fmt, (int)vals[vi]);
						total++;
						if (n != m ||
						    strcmp(want, got) != 0) {
							if (bad++ < 5)
								printf(
								    "# sweep: %s of %lld: want \"%s\" got "
								    "\"%s\"\n",
								    fmt,
								    vals[vi],
								    want, got);
						}
					}
	TAP_OK(bad == 0,
	    "sweep of %d int formats agrees with host printf "
	    "(%d differ)",
	    total, bad);

	bad = total = 0;
	for (fi = 0; fi < sizeof(flags) / sizeof(flags[0]); fi++)
		for (wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
			for (pi = 0; pi < sizeof(precs) / sizeof(precs[0]);
			     pi++) {
				static const char *strs[] = { "", "a", "hello",
					"a longer string" };
				for (vi = 0; vi < 4; vi++) {
					snprintf(fmt, sizeof(fmt),
					    "[%%%s%s%ss]",
					    flags[fi][0] == '-' ? "-" : "",
					    widths[wi], precs[pi]);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
					m = snprintf(want, sizeof(want), fmt,
					    strs[vi]);
#pragma GCC diagnostic pop
					n = tformat(got, sizeof(got), fmt,
					    strs[vi]);
					total++;
					if (n != m || strcmp(want, got) != 0) {
						if (bad++ < 5)
							printf(
							    "# sweep: %s of \"%s\": want "
							    "\"%s\" got \"%s\"\n",
							    fmt, strs[vi], want,
							    got);
					}
				}
			}
	TAP_OK(bad == 0,
	    "sweep of %d %%s formats agrees with host printf "
	    "(%d differ)",
	    total, bad);
}

static void
test_truncation(void)
{
	char buf[8];
	int n;

	memset(buf, 'Z', sizeof(buf));
	n = tformat(buf, 5, "%d-%s", 12345, "abc");
	TAP_OK(n == 9, "truncated output still counts every character (%d)", n);
	TAP_OK(strcmp(buf, "1234") == 0, "truncated to size - 1 (\"%s\")", buf);
	TAP_OK(buf[5] == 'Z', "nothing written past the buffer");

	memset(buf, 'Z', sizeof(buf));
	n = tformat(buf, 1, "hello");
	TAP_OK(n == 5 && buf[0] == '\0' && buf[1] == 'Z',
	    "size 1 gives an empty string and count 5");

	memset(buf, 'Z', sizeof(buf));
	n = tformat(buf, 0, "hello %d", 1);
	TAP_OK(n == 7 && buf[0] == 'Z', "size 0 writes nothing, counts 7");

	n = tformat(buf, sizeof(buf), "%s", "");
	TAP_OK(n == 0 && buf[0] == '\0', "empty output");
}

int
main(void)
{
	char big[8192];
	int n;

	/* Plain text and %%. */
	CHECK("", "");
	CHECK("hello, world", "hello, world");
	CHECK("100%", "100%%");
	CHECK("%%", "%%%%");

	/* %d and %i. */
	CHECK("0", "%d", 0);
	CHECK("42", "%d", 42);
	CHECK("-42", "%i", -42);
	CHECK("2147483647", "%d", INT32_MAX);
	CHECK("-2147483648", "%d", INT32_MIN);
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("00042", "%05d", 42);
	CHECK("-0042", "%05d", -42);
	CHECK("+42", "%+d", 42);
	CHECK(" 42", "% d", 42);
	CHECK("+0", "%+d", 0);
	CHECK("-42", "%+d", -42);
	CHECK("+0042", "%+05d", 42);
	CHECK("  042", "%05.3d", 42);
	CHECK("00042", "%.5d", 42);
	CHECK("-00042", "%.5d", -42);
	CHECK("", "%.0d", 0);
	CHECK("     ", "%5.0d", 0);
	CHECK("42   ", "%-05d", 42);
	CHECK("1", "%.0d", 1);

	/* Length modifiers. */
	CHECK("-1", "%hhd", 255);
	CHECK("255", "%hhu", 255);
	CHECK("0", "%hhu", 256);
	CHECK("-1", "%hd", 65535);
	CHECK("65535", "%hu", 65535);
	CHECK("-9223372036854775808", "%ld", (long)INT64_MIN);
	CHECK("-9223372036854775808", "%lld", (long long)INT64_MIN);
	CHECK("9223372036854775807", "%lld", (long long)INT64_MAX);
	CHECK("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	CHECK("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	CHECK("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
	CHECK("-9223372036854775808", "%jd", (intmax_t)INT64_MIN);
	CHECK("123456789012", "%zu", (size_t)123456789012ULL);
	CHECK("-5", "%zd", (ssize_t)-5);
	CHECK("-7", "%td", (ptrdiff_t)-7);
	CHECK("1000000000000", "%tu", (size_t)1000000000000ULL);
	CHECK("4294967295", "%u", UINT32_MAX);
	CHECK("4294967295 5", "%u %d", UINT32_MAX, 5);
	CHECK("1 2 3", "%hhd %ld %lld", 1, 2L, 3LL);

	/* %x %X %o. */
	CHECK("0", "%x", 0);
	CHECK("0", "%#x", 0);
	CHECK("0", "%#X", 0);
	CHECK("dead", "%x", 0xdead);
	CHECK("DEAD", "%X", 0xdead);
	CHECK("0xdead", "%#x", 0xdead);
	CHECK("0XDEAD", "%#X", 0xdead);
	CHECK("0x0000ff", "%#08x", 0xff);
	CHECK("    0xff", "%#8x", 0xff);
	CHECK("0xff    |", "%-#8x|", 0xff);
	CHECK("0x00ff", "%#.4x", 0xff);
	CHECK("deadbeefcafebabe", "%llx", 0xdeadbeefcafebabeULL);
	CHECK("17", "%o", 15);
	CHECK("017", "%#o", 15);
	CHECK("0", "%#o", 0);
	CHECK("0", "%#.0o", 0);
	CHECK("00017", "%#.5o", 15);
	CHECK("1777777777777777777777", "%lo", (unsigned long)UINT64_MAX);
	CHECK("ffffffff", "%x", -1);
	CHECK("0x1", "%#x", 1);

	/* %c and %s. */
	CHECK("A", "%c", 'A');
	CHECK("    A", "%5c", 'A');
	CHECK("A    |", "%-5c|", 'A');
	CHECK("hello", "%s", "hello");
	CHECK("(null)", "%s", (char *)NULL);
	CHECK("  (null)", "%8s", (char *)NULL);
	CHECK("   hi", "%5s", "hi");
	CHECK("hi   |", "%-5s|", "hi");
	CHECK("hel", "%.3s", "hello");
	CHECK("  hel", "%5.3s", "hello");
	CHECK("", "%.0s", "hello");
	CHECK("   hi", "%05s", "hi"); /* '0' does not apply to %s */

	/* %p. */
	CHECK("0x0000000000000000", "%p", NULL);
	CHECK("0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
	CHECK("0xffffffff80001000", "%p", (void *)0xffffffff80001000UL);
	CHECK("  0x0000000000001000", "%20p", (void *)0x1000UL);
	CHECK("0x0000000000001000  |", "%-20p|", (void *)0x1000UL);

	/* '*' width and precision. */
	CHECK("   42", "%*d", 5, 42);
	CHECK("42   |", "%*d|", -5, 42);
	CHECK("00042", "%.*d", 5, 42);
	CHECK("42", "%.*d", -1, 42);
	CHECK("  hel", "%*.*s", 5, 3, "hello");
	CHECK("hello", "%.*s", -3, "hello");

	/* A precision shorter than a string that is not NUL-terminated. */
	{
		char noterm[3] = { 'a', 'b', 'c' };
		CHECK("abc", "%.3s", noterm);
	}

	/* Unknown conversions and a format ending inside a conversion. */
	CHECK("%y", "%y");
	CHECK("%-5y", "%-5y");
	CHECK("%ly and 3", "%ly and %d", 3);
	CHECK("abc%", "abc%");
	CHECK("abc%5", "abc%5");
	CHECK("abc%l", "abc%l");

	/* Mixed. */
	CHECK("pid 7: exit 0x2a (fault at 0x0000000000400000) \"sh\"",
	    "pid %d: exit %#x (fault at %p) \"%s\"", 7, 42, (void *)0x400000UL,
	    "sh");

	/* Huge widths are clamped, not overflowed. */
	n = tformat(big, sizeof(big), "%99999999999d", 1);
	TAP_OK(n == 4096 && big[4095] == '1' && big[0] == ' ',
	    "huge width clamped to 4096 (%d)", n);

	test_truncation();
	sweep();
	return tap_done();
}
