/*
 * The machine-independent description of what the boot loader handed us.
 * kernel/multiboot2.c fills it from the multiboot2 information structure;
 * everything after early boot reads only this.
 *
 * Physical ranges are half-open: [start, end).
 */
#ifndef _BOOTINFO_H_
#define _BOOTINFO_H_

#include <types.h>

#define BI_CMDLINE_MAX 1024 /* bytes, including the terminating NUL */
#define BI_MEMMAP_MAX 128   /* raw memory-map entries kept */
#define BI_MODULES_MAX 8
#define BI_MODNAME_MAX 64
#define BI_RSDP_MAX 36 /* an ACPI 2.0 RSDP; version 1 uses 20 bytes */

enum bi_memtype {
	BI_MEM_USABLE = 1,
	BI_MEM_RESERVED = 2,
	BI_MEM_ACPI_RECLAIMABLE = 3,
	BI_MEM_ACPI_NVS = 4,
	BI_MEM_BAD = 5,
};

struct bi_range {
	uint64_t start;
	uint64_t end;
	uint32_t type; /* enum bi_memtype; BI_MEM_USABLE in bi_usable[] */
};

struct bi_module {
	uint64_t start;
	uint64_t end;
	char cmdline[BI_MODNAME_MAX];
};

struct bi_framebuffer {
	uint64_t addr; /* physical */
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type; /* 0 indexed, 1 RGB, 2 EGA text */
};

struct bootinfo {
	char bi_cmdline[BI_CMDLINE_MAX];
	bool bi_cmdline_truncated;
	char bi_loader[64];

	/* The memory map exactly as the loader gave it (first BI_MEMMAP_MAX). */
	struct bi_range bi_memmap[BI_MEMMAP_MAX];
	size_t bi_nmemmap;

	/*
	 * Usable memory after bootinfo_sanitize(): sorted, non-overlapping,
	 * page-aligned, with every byte that any non-usable entry covers
	 * removed, and after bootinfo_reserve() the kernel, modules and boot
	 * structures removed too.
	 */
	struct bi_range bi_usable[BI_MEMMAP_MAX];
	size_t bi_nusable;

	struct bi_module bi_modules[BI_MODULES_MAX];
	size_t bi_nmodules;

	uint8_t bi_rsdp[BI_RSDP_MAX]; /* a copy of the ACPI RSDP */
	size_t bi_rsdp_len;           /* 0: the loader gave none */

	struct bi_framebuffer bi_fb;
	bool bi_has_fb;

	uint64_t bi_mbi_start; /* physical range of the loader's structure */
	uint64_t bi_mbi_end;
};

/* Where the parsers report a problem with their input.  printf-like. */
typedef void (*bi_log_t)(const char *fmt, ...);

/*
 * Parse the multiboot2 information structure at mbi (mapped readable),
 * which the loader placed at physical address mbi_phys, into bi.  Every
 * problem (bad sizes, a tag running past the end, a truncated command
 * line, too many entries) is reported through log and handled by
 * ignoring what is wrong.  Returns 0, or -1 if the structure itself is
 * unusable (then bi holds no memory map).
 * (Unusable means mbi NULL or total_size below 16 or above 1 MiB.  bi is
 * cleared first; bootinfo_sanitize() is not called.  log may be NULL.)
 */
int multiboot2_parse(const void *mbi, uint64_t mbi_phys, struct bootinfo *bi,
    bi_log_t log);

/*
 * Build bi_usable from bi_memmap: a byte is usable only if some usable
 * entry covers it and no other entry does; ranges are trimmed inward to
 * page boundaries and the page at physical address 0 is never usable.
 * Overlaps and odd entries (zero length, wrapping, unknown types) are
 * reported through log.  Returns the number of usable bytes.
 * ("No other entry" means no non-usable one: where two usable entries
 * overlap, the overlap stays usable.  Unknown types count as reserved; a
 * wrapping non-usable entry is taken to reach the top of memory, a
 * wrapping usable one is ignored.  log may be NULL.)
 */
uint64_t bootinfo_sanitize(struct bootinfo *bi, bi_log_t log);

/*
 * Remove [start, end) (rounded out to pages) from bi_usable, splitting a
 * range where needed.  Returns 0, or -1 if the table would overflow (the
 * range is then removed by dropping the smaller piece, never by keeping
 * reserved memory).
 */
int bootinfo_reserve(struct bootinfo *bi, uint64_t start, uint64_t end);

/*
 * The value of "name=" on the command line, copied into buf (NUL
 * terminated, truncated to size); returns false if the word is absent.
 * A word is a maximal run of non-space characters before a lone "--".
 * (Spaces and tabs separate words; if "name=" appears twice, the last
 * one counts.)
 */
bool bootinfo_getarg(const struct bootinfo *bi, const char *name, char *buf,
    size_t size);

/* True if the bare word "name" appears on the command line before "--". */
bool bootinfo_hasflag(const struct bootinfo *bi, const char *name);

/*
 * Init's environment from the command line, as Linux's: the KEY=VALUE
 * words before "--" whose KEY is not one of the kernel's parameters in
 * known (NULL-terminated) nor has a '.', copied into buf separated by
 * spaces.
 */
void bootinfo_initenv(const struct bootinfo *bi, const char *const known[],
    char *buf, size_t size);

/* The part of the command line after a lone "--", or "" if there is none. */
const char *bootinfo_initargs(const struct bootinfo *bi);

#endif /* !_BOOTINFO_H_ */
