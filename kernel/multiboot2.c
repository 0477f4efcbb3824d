/*
 * Reading the multiboot2 information structure into struct bootinfo.
 *
 * The structure is a u32 total_size, a u32 reserved word, then tags, each
 * {u32 type, u32 size, payload} and each starting on an 8-byte boundary,
 * ending with a tag of type 0 and size 8.  The loader is trusted no
 * further than necessary: every size is checked against what contains it
 * before anything is read, and every field is read with memcpy so a
 * misaligned structure is not undefined behaviour.  Whatever is wrong is
 * reported through the log callback and skipped.
 *
 * Pure code, unit-tested on the host (tests/host/test_multiboot2.c).
 */
#include <types.h>
#include <systm.h>
#include <bootinfo.h>

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

#define MB2_HEADER_SIZE 8       /* total_size and reserved */
#define MB2_TAG_HDR_SIZE 8      /* type and size */
#define MB2_MIN_SIZE 16         /* the header and an end tag */
#define MB2_MAX_SIZE (1u << 20) /* anything larger is not believed */
#define MB2_MMAP_ENTRY_MIN 24
#define MB2_FB_MIN 22 /* addr, pitch, width, height, bpp, type */
#define MB2_RSDP_V1_SIZE 20
#define MB2_RSDP_V2_SIZE 36

/* Call log, which may be NULL. */
#define MB2_LOG(log, ...)                   \
	do {                                \
		if ((log) != NULL)          \
			(log)(__VA_ARGS__); \
	} while (0)

/* One tag being parsed: its payload and where it sits in the structure. */
struct mb2_tag {
	uint32_t type;
	uint32_t off;        /* offset of the tag from the structure's start */
	const uint8_t *data; /* the payload, after type and size */
	uint32_t len;        /* payload bytes: size - 8 */
};

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Find the NUL-terminated string of at most len bytes at s, in tag t.
 * Returns its length, or -1 if no NUL lies inside; then logs, naming the
 * tag (what) and what becomes of it (outcome).
 */
static long
tag_string(const struct mb2_tag *t, const char *what, const uint8_t *s,
    uint32_t len, const char *outcome, bi_log_t log)
{
	size_t n = strnlen((const char *)s, len);

	if (n == len) {
		MB2_LOG(log,
		    "multiboot2: tag %u (%s) at offset %u: string is not "
		    "NUL-terminated inside the tag; %s",
		    t->type, what, t->off, outcome);
		return -1;
	}
	return (long)n;
}

/* Tag 1: the kernel's command line, truncated to BI_CMDLINE_MAX - 1. */
static void
parse_cmdline(const struct mb2_tag *t, struct bootinfo *bi, bi_log_t log)
{
	long n =
	    tag_string(t, "command line", t->data, t->len, "tag ignored", log);

	if (n < 0)
		return;
	if (n > BI_CMDLINE_MAX - 1) {
		MB2_LOG(log,
		    "cmdline: command line of %ld bytes truncated to %d bytes",
		    n, BI_CMDLINE_MAX - 1);
		n = BI_CMDLINE_MAX - 1;
		bi->bi_cmdline_truncated = true;
	}
	memcpy(bi->bi_cmdline, t->data, (size_t)n);
	bi->bi_cmdline[n] = '\0';
}

/* Tag 2: the boot loader's name, truncated to fit bi_loader. */
static void
parse_loader(const struct mb2_tag *t, struct bootinfo *bi, bi_log_t log)
{
	long n = tag_string(t, "boot loader name", t->data, t->len,
	    "tag ignored", log);

	if (n < 0)
		return;
	if (strlcpy(bi->bi_loader, (const char *)t->data,
		sizeof(bi->bi_loader)) >= sizeof(bi->bi_loader))
		MB2_LOG(log,
		    "multiboot2: tag 2 (boot loader name): name of %ld bytes "
		    "truncated to %zu bytes",
		    n, sizeof(bi->bi_loader) - 1);
}

/*
 * Tag 3: a module.  The first BI_MODULES_MAX are kept.  A module whose
 * string is not NUL-terminated is kept (its memory is still in use) with
 * an empty name.
 */
static void
parse_module(const struct mb2_tag *t, struct bootinfo *bi, bi_log_t log)
{
	struct bi_module *m;
	uint32_t start, end;
	long n;

	if (t->len < 8) {
		MB2_LOG(log,
		    "multiboot2: tag 3 (module) at offset %u: payload of %u "
		    "bytes is too short for mod_start and mod_end; ignored",
		    t->off, t->len);
		return;
	}
	start = rd32(t->data);
	end = rd32(t->data + 4);
	if (end < start) {
		MB2_LOG(log,
		    "multiboot2: tag 3 (module) at offset %u: mod_end %#x is "
		    "below mod_start %#x; ignored",
		    t->off, end, start);
		return;
	}
	if (bi->bi_nmodules == BI_MODULES_MAX) {
		MB2_LOG(log,
		    "multiboot2: tag 3 (module) at offset %u: more than %d "
		    "modules; module [%#x, %#x) ignored",
		    t->off, BI_MODULES_MAX, start, end);
		return;
	}
	m = &bi->bi_modules[bi->bi_nmodules++];
	m->start = start;
	m->end = end;
	m->cmdline[0] = '\0';
	n = tag_string(t, "module", t->data + 8, t->len - 8,
	    "module kept with an empty name", log);
	if (n < 0)
		return;
	if (strlcpy(m->cmdline, (const char *)t->data + 8,
		sizeof(m->cmdline)) >= sizeof(m->cmdline))
		MB2_LOG(log,
		    "multiboot2: tag 3 (module) at offset %u: string of %ld "
		    "bytes truncated to %zu bytes",
		    t->off, n, sizeof(m->cmdline) - 1);
}

/* Map a multiboot2 memory type to enum bi_memtype. */
static uint32_t
mmap_type(uint32_t type)
{
	switch (type) {
	case 1:
		return BI_MEM_USABLE;
	case 3:
		return BI_MEM_ACPI_RECLAIMABLE;
	case 4:
		return BI_MEM_ACPI_NVS;
	case 5:
		return BI_MEM_BAD;
	default:
		return BI_MEM_RESERVED;
	}
}

/*
 * Tag 6: the memory map.  Entries are appended to bi_memmap exactly as
 * given: end = base + length, wrapping if the loader's numbers do, which
 * bootinfo_sanitize() then reports.  The first BI_MEMMAP_MAX are kept.
 */
static void
parse_mmap(const struct mb2_tag *t, struct bootinfo *bi, bi_log_t log)
{
	const uint8_t *e;
	uint32_t esize, nent, i, extra;
	struct bi_range *r;

	if (t->len < 8) {
		MB2_LOG(log,
		    "multiboot2: tag 6 (memory map) at offset %u: payload of "
		    "%u bytes is too short for entry_size and entry_version; "
		    "ignored",
		    t->off, t->len);
		return;
	}
	esize = rd32(t->data);
	if (esize < MB2_MMAP_ENTRY_MIN || esize % 8 != 0) {
		MB2_LOG(log,
		    "multiboot2: tag 6 (memory map) at offset %u: entry_size "
		    "%u is invalid (not a multiple of 8, or below %d); "
		    "ignored",
		    t->off, esize, MB2_MMAP_ENTRY_MIN);
		return;
	}
	nent = (t->len - 8) / esize;
	extra = (t->len - 8) % esize;
	if (extra != 0)
		MB2_LOG(log,
		    "multiboot2: tag 6 (memory map) at offset %u: %u bytes "
		    "after the last whole entry ignored",
		    t->off, extra);
	for (i = 0; i < nent; i++) {
		if (bi->bi_nmemmap == BI_MEMMAP_MAX) {
			MB2_LOG(log,
			    "multiboot2: tag 6 (memory map) at offset %u: more "
			    "than %d entries; the last %u ignored",
			    t->off, BI_MEMMAP_MAX, nent - i);
			return;
		}
		e = t->data + 8 + (size_t)i * esize;
		r = &bi->bi_memmap[bi->bi_nmemmap++];
		r->start = rd64(e);
		r->end = r->start + rd64(e + 8); /* may wrap; see above */
		r->type = mmap_type(rd32(e + 16));
	}
}

/* Tag 8: the framebuffer; only the common part is read. */
static void
parse_framebuffer(const struct mb2_tag *t, struct bootinfo *bi, bi_log_t log)
{
	struct bi_framebuffer *fb = &bi->bi_fb;

	if (t->len < MB2_FB_MIN) {
		MB2_LOG(log,
		    "multiboot2: tag 8 (framebuffer) at offset %u: payload of "
		    "%u bytes is shorter than %d; ignored",
		    t->off, t->len, MB2_FB_MIN);
		return;
	}
	fb->addr = rd64(t->data);
	fb->pitch = rd32(t->data + 8);
	fb->width = rd32(t->data + 12);
	fb->height = rd32(t->data + 16);
	fb->bpp = t->data[20];
	fb->type = t->data[21];
	bi->bi_has_fb = true;
}

/*
 * Tags 14 and 15: a copy of the ACPI RSDP, version 1 (20 bytes) or
 * version 2 (36 bytes).  Version 2 wins whichever order they come in.
 */
static void
parse_rsdp(const struct mb2_tag *t, struct bootinfo *bi, bi_log_t log)
{
	bool v2 = t->type == MB2_TAG_ACPI_NEW;
	uint32_t need = v2 ? MB2_RSDP_V2_SIZE : MB2_RSDP_V1_SIZE;

	CTASSERT(MB2_RSDP_V2_SIZE <= BI_RSDP_MAX);
	if (t->len < need) {
		MB2_LOG(log,
		    "multiboot2: tag %u (ACPI %s RSDP) at offset %u: payload "
		    "of %u bytes is shorter than %u; ignored",
		    t->type, v2 ? "new" : "old", t->off, t->len, need);
		return;
	}
	if (!v2 && bi->bi_rsdp_len == MB2_RSDP_V2_SIZE)
		return; /* already have the version 2 copy */
	memcpy(bi->bi_rsdp, t->data, need);
	bi->bi_rsdp_len = need;
}

/*
 * Parse the multiboot2 information structure at mbi (physical address
 * mbi_phys) into bi, which is cleared first.  See <bootinfo.h>.  The
 * structure is unusable, and -1 returned, if mbi is NULL or total_size is
 * below 16 or above 1 MiB.  A missing end tag, or a tag whose size is
 * below 8 or runs past total_size, ends the walk (with what was parsed
 * so far kept); any other bad tag is skipped.  Does not call
 * bootinfo_sanitize().  log may be NULL.  No requirements.
 */
int
multiboot2_parse(const void *mbi, uint64_t mbi_phys, struct bootinfo *bi,
    bi_log_t log)
{
	const uint8_t *base = mbi;
	struct mb2_tag t;
	uint32_t total, size, off;
	bool ended = false;

	memset(bi, 0, sizeof(*bi));
	if (base == NULL) {
		MB2_LOG(log, "multiboot2: no information structure");
		return -1;
	}
	total = rd32(base);
	if (total < MB2_MIN_SIZE) {
		MB2_LOG(log,
		    "multiboot2: total_size %u is too small (at least %d); "
		    "structure unusable",
		    total, MB2_MIN_SIZE);
		return -1;
	}
	if (total > MB2_MAX_SIZE) {
		MB2_LOG(log,
		    "multiboot2: total_size %u is absurd (over %u); structure "
		    "unusable",
		    total, MB2_MAX_SIZE);
		return -1;
	}
	bi->bi_mbi_start = mbi_phys;
	bi->bi_mbi_end = mbi_phys + total;

	/*
	 * Each tag lies inside total_size (checked below) and the next
	 * starts at the following 8-byte boundary, so off never passes
	 * total + 7 and the sums here cannot overflow.
	 */
	for (off = MB2_HEADER_SIZE; off <= total - MB2_TAG_HDR_SIZE;
	     off += roundup2(size, 8)) {
		t.type = rd32(base + off);
		size = rd32(base + off + 4);
		t.off = off;
		if (size < MB2_TAG_HDR_SIZE) {
			MB2_LOG(log,
			    "multiboot2: tag %u at offset %u has size %u, "
			    "below 8; ignoring it and the rest",
			    t.type, off, size);
			return 0;
		}
		if (size > total - off) {
			MB2_LOG(log,
			    "multiboot2: tag %u at offset %u (size %u) runs "
			    "past total_size %u; ignoring it and the rest",
			    t.type, off, size, total);
			return 0;
		}
		t.data = base + off + MB2_TAG_HDR_SIZE;
		t.len = size - MB2_TAG_HDR_SIZE;

		switch (t.type) {
		case MB2_TAG_END:
			if (size != MB2_TAG_HDR_SIZE)
				MB2_LOG(log,
				    "multiboot2: end tag at offset %u has size "
				    "%u, not 8",
				    off, size);
			ended = true;
			break;
		case MB2_TAG_CMDLINE:
			parse_cmdline(&t, bi, log);
			break;
		case MB2_TAG_LOADER:
			parse_loader(&t, bi, log);
			break;
		case MB2_TAG_MODULE:
			parse_module(&t, bi, log);
			break;
		case MB2_TAG_MMAP:
			parse_mmap(&t, bi, log);
			break;
		case MB2_TAG_FRAMEBUFFER:
			parse_framebuffer(&t, bi, log);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			parse_rsdp(&t, bi, log);
			break;
		default:
			break; /* not needed */
		}
		if (ended)
			break;
	}
	if (!ended)
		MB2_LOG(log,
		    "multiboot2: no end tag within total_size %u; using the "
		    "tags before it",
		    total);
	return 0;
}
