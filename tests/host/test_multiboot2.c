/*
 * Host tests of the multiboot2 parser (kernel/multiboot2.c).  Information
 * structures are built byte by byte in memory; each hostile variation
 * must give its defined outcome and a log message saying what was wrong.
 * Structures are parsed from exactly-sized heap copies, so
 * AddressSanitizer catches any read past total_size.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bootinfo.h>

#include "tap.h"

/* TAP_OK, and on failure the messages logged by the last parse. */
#define CHECK(cond, ...)                        \
	do {                                    \
		if (!TAP_OK(cond, __VA_ARGS__)) \
			log_dump();             \
	} while (0)

#include "testlog.h"

/* ---- A builder of information structures. */

struct mbi {
	uint64_t q[8192]; /* 64 KiB, 8-aligned like the real thing */
	size_t len;
};

static uint8_t *
mb_bytes(struct mbi *m)
{
	return (uint8_t *)m->q;
}

static void
mb_put(struct mbi *m, const void *p, size_t n)
{
	if (m->len + n > sizeof(m->q))
		abort();
	if (n > 0)
		memcpy(mb_bytes(m) + m->len, p, n);
	m->len += n;
}

static void
mb_put32(struct mbi *m, uint32_t v)
{
	mb_put(m, &v, 4);
}

static void
mb_align8(struct mbi *m)
{
	static const uint8_t zero[8];

	mb_put(m, zero, (8 - m->len % 8) % 8);
}

static void
mb_begin(struct mbi *m)
{
	memset(m->q, 0, sizeof(m->q));
	m->len = 0;
	mb_put32(m, 0); /* total_size, set by mb_finish */
	mb_put32(m, 0);
}

/* A tag whose size field says size (honest or not); payload is plen bytes. */
static void
mb_tag_sized(struct mbi *m, uint32_t type, uint32_t size, const void *payload,
    size_t plen)
{
	mb_put32(m, type);
	mb_put32(m, size);
	mb_put(m, payload, plen);
	mb_align8(m);
}

static void
mb_tag(struct mbi *m, uint32_t type, const void *payload, size_t plen)
{
	mb_tag_sized(m, type, (uint32_t)(8 + plen), payload, plen);
}

static void
mb_string(struct mbi *m, uint32_t type, const char *s)
{
	mb_tag(m, type, s, strlen(s) + 1);
}

static void
mb_module(struct mbi *m, uint32_t start, uint32_t end, const char *name)
{
	uint8_t p[256];
	size_t n = strlen(name) + 1;

	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	memcpy(p + 8, name, n);
	mb_tag(m, 3, p, 8 + n);
}

struct mmentry {
	uint64_t base, len;
	uint32_t type;
};

/* A memory-map tag with entries of esize bytes (padding zero-filled). */
static void
mb_mmap(struct mbi *m, uint32_t esize, const struct mmentry *e, size_t n,
    size_t extra)
{
	uint8_t *p = calloc(1, 8 + n * esize + extra);
	size_t i;

	memcpy(p, &esize, 4);
	/* entry_version 0 */
	for (i = 0; i < n && esize >= 24; i++) {
		memcpy(p + 8 + i * esize, &e[i].base, 8);
		memcpy(p + 8 + i * esize + 8, &e[i].len, 8);
		memcpy(p + 8 + i * esize + 16, &e[i].type, 4);
	}
	for (i = 0; i < n && esize < 24; i++)
		memset(p + 8 + i * esize, 0x5a, esize); /* filler */
	mb_tag(m, 6, p, 8 + n * esize + extra);
	free(p);
}

static void
mb_framebuffer(struct mbi *m, uint64_t addr, uint32_t pitch, uint32_t w,
    uint32_t h, uint8_t bpp, uint8_t type, size_t plen)
{
	uint8_t p[64] = { 0 };

	memcpy(p, &addr, 8);
	memcpy(p + 8, &pitch, 4);
	memcpy(p + 12, &w, 4);
	memcpy(p + 16, &h, 4);
	p[20] = bpp;
	p[21] = type;
	mb_tag(m, 8, p, plen);
}

static void
mb_rsdp(struct mbi *m, uint32_t type, uint8_t fill, size_t len)
{
	uint8_t p[64];

	memset(p, fill, sizeof(p));
	memcpy(p, "RSD PTR ", 8);
	mb_tag(m, type, p, len);
}

/* Write total_size (len, or the given value if nonzero). */
static void
mb_set_total(struct mbi *m, uint32_t total)
{
	memcpy(mb_bytes(m), &total, 4);
}

static void
mb_end(struct mbi *m)
{
	mb_tag(m, 0, NULL, 0);
	mb_set_total(m, (uint32_t)m->len);
}

/* Parse an exactly-sized heap copy of the first len bytes of m. */
static int
parse_len(const struct mbi *m, size_t len, struct bootinfo *bi)
{
	uint8_t *p = malloc(len > 0 ? len : 1);
	int r;

	memcpy(p, m->q, len);
	log_clear();
	r = multiboot2_parse(p, 0x10000, bi, tlog);
	free(p);
	return r;
}

static int
parse(const struct mbi *m, struct bootinfo *bi)
{
	return parse_len(m, m->len, bi);
}

static struct mbi M;
static struct bootinfo BI;

static const struct mmentry good_map[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 },
	{ 0x7fe0000, 0x10000, 3 },
	{ 0x7ff0000, 0x8000, 4 },
	{ 0x7ff8000, 0x8000, 5 },
	{ 0xfffc0000, 0x40000, 7 },
};

static void
build_good(struct mbi *m)
{
	mb_begin(m);
	mb_string(m, 1, "console=serial ktest=all -- -v init");
	mb_string(m, 2, "GRUB 2.06");
	mb_module(m, 0x200000, 0x280123, "/boot/initrd.cpio");
	mb_module(m, 0x300000, 0x301000, "second");
	mb_mmap(m, 24, good_map, sizeof(good_map) / sizeof(good_map[0]), 0);
	mb_tag(m, 21, "unknown!", 8); /* load base address: not needed */
	mb_framebuffer(m, 0xfd000000, 4096, 1024, 768, 32, 1, 32);
	mb_rsdp(m, 14, 0x11, 20);
	mb_rsdp(m, 15, 0x22, 36);
	mb_end(m);
}

static void
test_good(void)
{
	uint8_t want_rsdp[36];
	uint8_t *shifted;
	struct bootinfo bi2;
	uint64_t usable;
	int r;

	build_good(&M);
	r = parse(&M, &BI);
	CHECK(r == 0, "good structure parses (%d)", r);
	CHECK(nlog == 0, "good structure logs nothing (%d)", nlog);
	CHECK(strcmp(BI.bi_cmdline, "console=serial ktest=all -- -v init") ==
		    0 &&
		!BI.bi_cmdline_truncated,
	    "command line");
	CHECK(strcmp(BI.bi_loader, "GRUB 2.06") == 0, "loader name");
	CHECK(BI.bi_nmodules == 2, "two modules (%zu)", BI.bi_nmodules);
	CHECK(BI.bi_modules[0].start == 0x200000 &&
		BI.bi_modules[0].end == 0x280123 &&
		strcmp(BI.bi_modules[0].cmdline, "/boot/initrd.cpio") == 0,
	    "module 0 range and name");
	CHECK(BI.bi_modules[1].start == 0x300000 &&
		strcmp(BI.bi_modules[1].cmdline, "second") == 0,
	    "module 1");
	CHECK(BI.bi_nmemmap == 8, "8 memory-map entries (%zu)", BI.bi_nmemmap);
	CHECK(BI.bi_memmap[3].start == 0x100000 &&
		BI.bi_memmap[3].end == 0x7fe0000 &&
		BI.bi_memmap[3].type == BI_MEM_USABLE,
	    "entry 3 usable range");
	CHECK(BI.bi_memmap[1].type == BI_MEM_RESERVED &&
		BI.bi_memmap[4].type == BI_MEM_ACPI_RECLAIMABLE &&
		BI.bi_memmap[5].type == BI_MEM_ACPI_NVS &&
		BI.bi_memmap[6].type == BI_MEM_BAD,
	    "types 2 3 4 5 kept");
	CHECK(BI.bi_memmap[7].type == BI_MEM_RESERVED,
	    "unknown type 7 becomes reserved");
	CHECK(BI.bi_has_fb && BI.bi_fb.addr == 0xfd000000 &&
		BI.bi_fb.pitch == 4096 && BI.bi_fb.width == 1024 &&
		BI.bi_fb.height == 768 && BI.bi_fb.bpp == 32 &&
		BI.bi_fb.type == 1,
	    "framebuffer");
	memset(want_rsdp, 0x22, sizeof(want_rsdp));
	memcpy(want_rsdp, "RSD PTR ", 8);
	CHECK(BI.bi_rsdp_len == 36 && memcmp(BI.bi_rsdp, want_rsdp, 36) == 0,
	    "the new RSDP is preferred");
	CHECK(BI.bi_mbi_start == 0x10000 && BI.bi_mbi_end == 0x10000 + M.len,
	    "mbi range [start, start+total)");
	CHECK(BI.bi_nusable == 0, "parse does not sanitize");

	usable = bootinfo_sanitize(&BI, tlog);
	CHECK(BI.bi_nusable == 2 && BI.bi_usable[0].start == 0x1000 &&
		BI.bi_usable[0].end == 0x9f000 &&
		BI.bi_usable[1].start == 0x100000 &&
		BI.bi_usable[1].end == 0x7fe0000,
	    "sanitized: [0x1000,0x9f000) [0x100000,0x7fe0000)");
	CHECK(usable == 0x9e000 + 0x7ee0000, "usable bytes %#lx",
	    (unsigned long)usable);

	/* The same structure at an address that is not 8-aligned. */
	shifted = malloc(M.len + 4);
	memcpy(shifted + 4, M.q, M.len);
	r = multiboot2_parse(shifted + 4, 0x10004, &bi2, tlog);
	CHECK(r == 0 && bi2.bi_nmemmap == 8 && bi2.bi_nmodules == 2 &&
		bi2.bi_has_fb && bi2.bi_rsdp_len == 36,
	    "a misaligned structure parses the same (UBSan-clean)");
	free(shifted);

	/* A NULL log is allowed. */
	r = multiboot2_parse(M.q, 0, &bi2, NULL);
	CHECK(r == 0 && bi2.bi_nmemmap == 8, "NULL log callback is fine");
}

static void
test_rsdp(void)
{
	mb_begin(&M);
	mb_rsdp(&M, 15, 0x33, 36);
	mb_rsdp(&M, 14, 0x44, 20);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(BI.bi_rsdp_len == 36 && BI.bi_rsdp[20] == 0x33 &&
		BI.bi_rsdp[8] == 0x33,
	    "new RSDP before old: new kept");

	mb_begin(&M);
	mb_rsdp(&M, 14, 0x44, 20);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(BI.bi_rsdp_len == 20 && BI.bi_rsdp[19] == 0x44,
	    "old RSDP alone: 20 bytes");

	mb_begin(&M);
	mb_rsdp(&M, 15, 0x55, 30);
	mb_rsdp(&M, 14, 0x66, 10);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(BI.bi_rsdp_len == 0, "short RSDP tags ignored");
	CHECK(log_has("tag 15", "shorter", NULL) &&
		log_has("tag 14", "shorter", NULL),
	    "and both logged");

	mb_begin(&M);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(BI.bi_rsdp_len == 0 && !BI.bi_has_fb && BI.bi_nmodules == 0 &&
		BI.bi_nmemmap == 0 && BI.bi_cmdline[0] == '\0',
	    "minimal structure: nothing given");
	CHECK(nlog == 0, "minimal structure logs nothing");
}

static void
test_total_size(void)
{
	int r;

	log_clear();
	r = multiboot2_parse(NULL, 0, &BI, tlog);
	CHECK(r == -1 && nlog == 1, "NULL structure: -1 and a message");

	build_good(&M);
	mb_set_total(&M, 8);
	r = parse(&M, &BI);
	CHECK(r == -1 && BI.bi_nmemmap == 0, "total_size 8: unusable");
	CHECK(log_has("total_size 8", "too small", NULL), "logged");

	mb_set_total(&M, 0);
	r = parse(&M, &BI);
	CHECK(r == -1 && log_has("total_size 0", NULL, NULL),
	    "total_size 0: unusable");

	mb_set_total(&M, (1u << 20) + 8);
	r = parse_len(&M, 16, &BI); /* must not read past the header */
	CHECK(r == -1 && BI.bi_nmemmap == 0 && BI.bi_mbi_end == 0,
	    "total_size over 1 MiB: unusable, no mbi range");
	CHECK(log_has("absurd", NULL, NULL), "logged");

	mb_set_total(&M, 0xffffffff);
	r = parse_len(&M, 16, &BI);
	CHECK(r == -1, "total_size 0xffffffff: unusable");

	/* total_size 16: just the end tag. */
	mb_begin(&M);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && M.len == 16 && BI.bi_mbi_end == 0x10010,
	    "total_size 16 with only an end tag is fine");
}

/* Build good, then cut total_size at every length: never overreads. */
static void
test_every_total(void)
{
	size_t full, t;
	int bad = 0, r;

	build_good(&M);
	full = M.len;
	for (t = 16; t <= full; t++) {
		mb_set_total(&M, (uint32_t)t);
		r = parse_len(&M, t, &BI);
		if (r != 0 || BI.bi_nmemmap > BI_MEMMAP_MAX ||
		    BI.bi_mbi_end != 0x10000 + t || (t < full && nlog == 0))
			bad++;
	}
	CHECK(bad == 0,
	    "total_size cut to each of 16..%zu: parsed, "
	    "logged, no overread",
	    full);
	mb_set_total(&M, (uint32_t)full);
}

static void
test_bad_tags(void)
{
	const char *cmd = "root=x";
	int r;

	/* A tag of size 4: the walk stops, earlier tags are kept. */
	mb_begin(&M);
	mb_string(&M, 1, cmd);
	mb_tag_sized(&M, 2, 4, "abcd", 4);
	mb_string(&M, 2, "never read");
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && strcmp(BI.bi_cmdline, cmd) == 0 &&
		BI.bi_loader[0] == '\0',
	    "tag size 4: earlier kept, rest ignored");
	CHECK(log_has("tag 2", "size 4", "below 8"), "logged");

	/* Size 0 must not loop forever. */
	mb_begin(&M);
	mb_tag_sized(&M, 1, 0, NULL, 0);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && log_has("size 0", NULL, NULL), "tag size 0 stops");

	/* A tag running past total_size. */
	mb_begin(&M);
	mb_string(&M, 1, cmd);
	mb_tag_sized(&M, 2, 4000, "GRUB", 5);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && strcmp(BI.bi_cmdline, cmd) == 0 &&
		BI.bi_loader[0] == '\0',
	    "tag past the end: ignored");
	CHECK(log_has("tag 2", "runs past", NULL), "logged");

	/* A huge size must not wrap the offset. */
	mb_begin(&M);
	mb_tag_sized(&M, 6, 0xfffffff8, NULL, 0);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_nmemmap == 0 && log_has("runs past", NULL, NULL),
	    "tag size 0xfffffff8: runs past, no wrap");

	/* No end tag. */
	mb_begin(&M);
	mb_string(&M, 1, cmd);
	mb_set_total(&M, (uint32_t)M.len);
	r = parse(&M, &BI);
	CHECK(r == 0 && strcmp(BI.bi_cmdline, cmd) == 0,
	    "missing end tag: tags before the end still used");
	CHECK(log_has("no end tag", NULL, NULL), "logged");

	/* An end tag with size 16. */
	mb_begin(&M);
	mb_tag_sized(&M, 0, 16, "\0\0\0\0\0\0\0\0", 8);
	mb_string(&M, 1, "after the end");
	mb_set_total(&M, (uint32_t)M.len);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_cmdline[0] == '\0' &&
		log_has("end tag", "size 16", NULL),
	    "oversized end tag: logged, and nothing after it is read");

	/* Unknown tags are skipped silently. */
	mb_begin(&M);
	mb_tag(&M, 99, "xyz", 3);
	mb_tag(&M, 4, "12345678", 8);
	mb_string(&M, 1, cmd);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && nlog == 0 && strcmp(BI.bi_cmdline, cmd) == 0,
	    "unknown tags skipped without a message");
}

static void
test_strings(void)
{
	char longcmd[2001];
	int r;

	/* Command line not NUL-terminated inside its tag. */
	mb_begin(&M);
	mb_tag(&M, 1, "abcdefgh", 8);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_cmdline[0] == '\0',
	    "unterminated command line ignored");
	CHECK(log_has("tag 1", "command line", "NUL"), "logged");

	/* An empty command-line tag (payload 0 bytes). */
	mb_begin(&M);
	mb_tag(&M, 1, NULL, 0);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_cmdline[0] == '\0' && log_has("NUL", NULL, NULL),
	    "empty command-line tag logged");

	/* Loader name unterminated. */
	mb_begin(&M);
	mb_tag(&M, 2, "GRUBGRUB", 8);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(BI.bi_loader[0] == '\0' && log_has("tag 2", "NUL", NULL),
	    "unterminated loader name ignored and logged");

	/* Long loader name truncated. */
	mb_begin(&M);
	memset(longcmd, 'L', 100);
	longcmd[100] = '\0';
	mb_string(&M, 2, longcmd);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(strlen(BI.bi_loader) == sizeof(BI.bi_loader) - 1 &&
		log_has("tag 2", "truncated", NULL),
	    "long loader name truncated and logged");

	/* A command line of 2000 bytes. */
	memset(longcmd, 'c', 2000);
	longcmd[2000] = '\0';
	mb_begin(&M);
	mb_string(&M, 1, longcmd);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_cmdline_truncated &&
		strlen(BI.bi_cmdline) == BI_CMDLINE_MAX - 1,
	    "long command line truncated to %d bytes", BI_CMDLINE_MAX - 1);
	CHECK(log_has("cmdline:", "truncated to 1023 bytes", NULL), "logged");

	/* Exactly BI_CMDLINE_MAX - 1 bytes fits. */
	longcmd[BI_CMDLINE_MAX - 1] = '\0';
	mb_begin(&M);
	mb_string(&M, 1, longcmd);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(!BI.bi_cmdline_truncated && nlog == 0 &&
		strlen(BI.bi_cmdline) == BI_CMDLINE_MAX - 1,
	    "a command line of exactly %d bytes is not truncated",
	    BI_CMDLINE_MAX - 1);
}

static void
test_modules(void)
{
	uint8_t p[32];
	uint32_t v;
	char name[16];
	int i, r;

	/* Unterminated module string: module kept, empty name. */
	v = 0x400000;
	memcpy(p, &v, 4);
	v = 0x401000;
	memcpy(p + 4, &v, 4);
	memcpy(p + 8, "initrdXX", 8);
	mb_begin(&M);
	mb_tag(&M, 3, p, 16);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_nmodules == 1 &&
		BI.bi_modules[0].start == 0x400000 &&
		BI.bi_modules[0].cmdline[0] == '\0',
	    "unterminated module string: module kept with no name");
	CHECK(log_has("tag 3", "module", "NUL"), "logged");

	/* Module tag too short for the two addresses. */
	mb_begin(&M);
	mb_tag(&M, 3, p, 6);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(BI.bi_nmodules == 0 && log_has("tag 3", "too short", NULL),
	    "short module tag ignored and logged");

	/* End below start. */
	mb_begin(&M);
	mb_module(&M, 0x500000, 0x400000, "backwards");
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(BI.bi_nmodules == 0 && log_has("mod_end", "below", NULL),
	    "module with end below start ignored and logged");

	/* Long module name truncated. */
	mb_begin(&M);
	{
		char lname[100];
		memset(lname, 'm', 99);
		lname[99] = '\0';
		mb_module(&M, 0x1000, 0x2000, lname);
	}
	mb_end(&M);
	parse(&M, &BI);
	CHECK(BI.bi_nmodules == 1 &&
		strlen(BI.bi_modules[0].cmdline) == BI_MODNAME_MAX - 1 &&
		log_has("module", "truncated", NULL),
	    "long module name truncated and logged");

	/* Ten modules: the first eight kept. */
	mb_begin(&M);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		mb_module(&M, 0x100000 * (i + 1), 0x100000 * (i + 1) + 10,
		    name);
	}
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_nmodules == BI_MODULES_MAX &&
		strcmp(BI.bi_modules[7].cmdline, "m7") == 0,
	    "ten modules: the first %d kept", BI_MODULES_MAX);
	CHECK(log_has("more than 8 modules", NULL, NULL) && nlog == 2,
	    "each dropped module logged (%d)", nlog);
}

static void
test_mmap(void)
{
	struct mmentry many[130];
	uint8_t p[8];
	size_t i;
	int r;

	/* entry_size 16: too small. */
	mb_begin(&M);
	mb_mmap(&M, 16, good_map, 3, 0);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_nmemmap == 0, "entry_size 16: tag ignored");
	CHECK(log_has("tag 6", "entry_size 16", NULL), "logged");

	/* entry_size 28: not a multiple of 8. */
	mb_begin(&M);
	mb_mmap(&M, 28, good_map, 3, 0);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(BI.bi_nmemmap == 0 && log_has("entry_size 28", NULL, NULL),
	    "entry_size 28: tag ignored and logged");

	/* entry_size 0 must not divide by zero. */
	mb_begin(&M);
	mb_mmap(&M, 0, good_map, 0, 16);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(BI.bi_nmemmap == 0 && log_has("entry_size 0", NULL, NULL),
	    "entry_size 0: tag ignored and logged");

	/* entry_size 32: a larger stride is honoured. */
	mb_begin(&M);
	mb_mmap(&M, 32, good_map, 4, 0);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && nlog == 0 && BI.bi_nmemmap == 4 &&
		BI.bi_memmap[3].start == 0x100000 &&
		BI.bi_memmap[3].end == 0x7fe0000,
	    "entry_size 32 read with stride "
	    "32");

	/* Bytes after the last whole entry. */
	mb_begin(&M);
	mb_mmap(&M, 24, good_map, 2, 10);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(BI.bi_nmemmap == 2 && log_has("tag 6", "10 bytes", NULL),
	    "trailing partial entry ignored and logged");

	/* Tag too short for its own header. */
	memset(p, 0, sizeof(p));
	mb_begin(&M);
	mb_tag(&M, 6, p, 4);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(BI.bi_nmemmap == 0 && log_has("tag 6", "too short", NULL),
	    "memory-map tag without entry_size ignored and logged");

	/* 130 entries: the first 128 kept. */
	for (i = 0; i < 130; i++) {
		many[i].base = 0x100000 * (i + 1);
		many[i].len = 0x1000;
		many[i].type = 1;
	}
	mb_begin(&M);
	mb_mmap(&M, 24, many, 130, 0);
	mb_end(&M);
	r = parse(&M, &BI);
	CHECK(r == 0 && BI.bi_nmemmap == BI_MEMMAP_MAX &&
		BI.bi_memmap[127].start == 0x100000 * 128,
	    "130 entries: the first %d kept", BI_MEMMAP_MAX);
	CHECK(log_has("more than 128 entries", "last 2", NULL), "logged");

	/* Two memory-map tags append. */
	mb_begin(&M);
	mb_mmap(&M, 24, good_map, 2, 0);
	mb_mmap(&M, 24, good_map + 3, 1, 0);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(BI.bi_nmemmap == 3 && BI.bi_memmap[2].start == 0x100000,
	    "two memory-map tags are appended");

	/* A wrapping entry is stored as given (end below start). */
	many[0].base = 0xfffffffffffff000ULL;
	many[0].len = 0x2000;
	many[0].type = 2;
	mb_begin(&M);
	mb_mmap(&M, 24, many, 1, 0);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(BI.bi_nmemmap == 1 && BI.bi_memmap[0].end == 0x1000 &&
		BI.bi_memmap[0].type == BI_MEM_RESERVED,
	    "a wrapping entry is kept for sanitize to judge");
}

static void
test_framebuffer(void)
{
	mb_begin(&M);
	mb_framebuffer(&M, 0xe0000000, 640 * 4, 640, 480, 32, 1, 21);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(!BI.bi_has_fb && log_has("tag 8", "framebuffer", "shorter"),
	    "short framebuffer tag ignored and logged");

	mb_begin(&M);
	mb_framebuffer(&M, 0xb8000, 160, 80, 25, 16, 2, 22);
	mb_end(&M);
	parse(&M, &BI);
	CHECK(BI.bi_has_fb && BI.bi_fb.type == 2 && BI.bi_fb.width == 80 &&
		nlog == 0,
	    "a 22-byte framebuffer tag is enough");
}

/* Random damage (total_size kept) never crashes or overreads. */
static void
test_fuzz(void)
{
	struct mbi *base = malloc(sizeof(*base));
	struct mbi *m = malloc(sizeof(*m));
	int i, k, bad = 0;

	build_good(base);
	srand(777);
	for (i = 0; i < 4000; i++) {
		memcpy(m, base, sizeof(*m));
		for (k = 0; k < 1 + rand() % 6; k++) {
			size_t at = 4 + (size_t)rand() % (base->len - 4);
			switch (rand() % 4) {
			case 0:
				mb_bytes(m)[at] = (uint8_t)rand();
				break;
			case 1:
				mb_bytes(m)[at] = 0;
				break;
			case 2:
				mb_bytes(m)[at] = 0xff;
				break;
			default:
				mb_bytes(m)[at] ^= 1u << (rand() % 8);
				break;
			}
		}
		parse(m, &BI);
		bootinfo_sanitize(&BI, tlog);
		if (BI.bi_nmemmap > BI_MEMMAP_MAX ||
		    BI.bi_nmodules > BI_MODULES_MAX ||
		    BI.bi_rsdp_len > BI_RSDP_MAX ||
		    strnlen(BI.bi_cmdline, BI_CMDLINE_MAX) == BI_CMDLINE_MAX ||
		    strnlen(BI.bi_loader, sizeof(BI.bi_loader)) ==
			sizeof(BI.bi_loader))
			bad++;
	}
	CHECK(bad == 0,
	    "4000 randomly damaged structures parse within "
	    "bounds (%d bad)",
	    bad);
	free(base);
	free(m);
}

int
main(void)
{
	test_good();
	test_rsdp();
	test_total_size();
	test_every_total();
	test_bad_tags();
	test_strings();
	test_modules();
	test_mmap();
	test_framebuffer();
	test_fuzz();
	return tap_done();
}
