/*
 * Working with struct bootinfo once the loader's structure is parsed:
 * turning the raw memory map into usable ranges, reserving ranges the
 * kernel occupies, and reading the command line.
 *
 * Pure code, unit-tested on the host (tests/host/test_bootinfo.c).
 */
#include <types.h>
#include <param.h>
#include <systm.h>
#include <bootinfo.h>

/* Call log, which may be NULL. */
#define BI_LOG(log, ...)                    \
	do {                                \
		if ((log) != NULL)          \
			(log)(__VA_ARGS__); \
	} while (0)

/* The highest page boundary; usable ranges never pass it. */
#define BI_TOP_PAGE rounddown2(UINT64_MAX, PAGE_SIZE)

/* At most two boundaries per raw entry. */
#define BI_MAXPOINTS (2 * BI_MEMMAP_MAX)

/*
 * The range raw entry r stands for, as [*startp, *endp), or false if it
 * covers nothing.  A wrapping entry (end below start) is taken to reach
 * the top of the address space, which for a non-usable entry is the safe
 * reading; sanitize_entries() has dropped wrapping usable entries.
 */
static bool
entry_range(const struct bi_range *r, uint64_t *startp, uint64_t *endp)
{
	*startp = r->start;
	*endp = r->end < r->start ? UINT64_MAX : r->end;
	return *endp > *startp;
}

/*
 * Report the odd entries of bi_memmap: zero length, wrapping, unknown
 * type.  Fills ok[i] with whether entry i takes part in the computation:
 * zero-length entries and wrapping usable entries do not.
 */
static void
sanitize_entries(const struct bootinfo *bi, bool *ok, bi_log_t log)
{
	const struct bi_range *r;
	size_t i;

	for (i = 0; i < bi->bi_nmemmap; i++) {
		r = &bi->bi_memmap[i];
		ok[i] = true;
		if (r->type < BI_MEM_USABLE || r->type > BI_MEM_BAD)
			BI_LOG(log,
			    "memmap: entry %zu [%#lx, %#lx) has unknown type "
			    "%u; treated as reserved",
			    i, r->start, r->end, r->type);
		if (r->end == r->start) {
			BI_LOG(log,
			    "memmap: entry %zu at %#lx has zero length; "
			    "ignored",
			    i, r->start);
			ok[i] = false;
		} else if (r->end < r->start) {
			if (r->type == BI_MEM_USABLE) {
				BI_LOG(log,
				    "memmap: entry %zu at %#lx wraps past the "
				    "top of memory (base + length overflows); "
				    "ignored",
				    i, r->start);
				ok[i] = false;
			} else
				BI_LOG(log,
				    "memmap: entry %zu at %#lx wraps past the "
				    "top of memory (base + length overflows); "
				    "everything above its base is taken as "
				    "not usable",
				    i, r->start);
		}
	}
}

/*
 * Report every overlap between two entries of which one is usable.  The
 * overlap of a usable and a non-usable entry is not usable; two usable
 * entries overlapping is odd but harmless.
 */
static void
sanitize_overlaps(const struct bootinfo *bi, const bool *ok, bi_log_t log)
{
	const struct bi_range *a, *b;
	uint64_t as, ae, bs, be, s, e;
	size_t i, j;

	for (i = 0; i < bi->bi_nmemmap; i++) {
		a = &bi->bi_memmap[i];
		if (!ok[i] || !entry_range(a, &as, &ae))
			continue;
		for (j = i + 1; j < bi->bi_nmemmap; j++) {
			b = &bi->bi_memmap[j];
			if (!ok[j] || !entry_range(b, &bs, &be))
				continue;
			if (a->type != BI_MEM_USABLE &&
			    b->type != BI_MEM_USABLE)
				continue;
			s = MAX(as, bs);
			e = MIN(ae, be);
			if (s >= e)
				continue;
			if (a->type == BI_MEM_USABLE &&
			    b->type == BI_MEM_USABLE)
				BI_LOG(log,
				    "memmap: entries %zu and %zu overlap "
				    "[%#lx, %#lx); both are usable, so the "
				    "overlap stays usable",
				    i, j, s, e);
			else
				BI_LOG(log,
				    "memmap: entries %zu and %zu overlap "
				    "[%#lx, %#lx); the overlap is not usable",
				    i, j, s, e);
		}
	}
}

/* Sort the n values at v ascending (insertion sort; n is small). */
static void
sort_points(uint64_t *v, size_t n)
{
	uint64_t x;
	size_t i, j;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * Whether every byte of [s, e), which lies between two consecutive
 * boundaries of the map and so is covered uniformly, is usable: some
 * usable entry covers it and no non-usable entry does.
 */
static bool
piece_usable(const struct bootinfo *bi, const bool *ok, uint64_t s, uint64_t e)
{
	uint64_t rs, re;
	bool usable = false;
	size_t i;

	for (i = 0; i < bi->bi_nmemmap; i++) {
		if (!ok[i] || !entry_range(&bi->bi_memmap[i], &rs, &re))
			continue;
		if (rs > s || re < e)
			continue;
		if (bi->bi_memmap[i].type != BI_MEM_USABLE)
			return false;
		usable = true;
	}
	return usable;
}

/*
 * Append the usable range [s, e) to bi_usable after trimming it inward to
 * page boundaries and cutting off page 0.  Ranges arrive in ascending
 * order and already merged, so nothing else is needed.  Returns the bytes
 * added.
 */
static uint64_t
add_usable(struct bootinfo *bi, uint64_t s, uint64_t e, bi_log_t log)
{
	struct bi_range *r;

	if (s > BI_TOP_PAGE)
		return 0;
	s = roundup2(s, PAGE_SIZE);
	e = rounddown2(e, PAGE_SIZE);
	s = MAX(s, PAGE_SIZE);
	if (s >= e)
		return 0;
	if (bi->bi_nusable == BI_MEMMAP_MAX) {
		/* Cannot happen: n entries give at most n usable runs. */
		BI_LOG(log,
		    "memmap: more than %d usable ranges; [%#lx, %#lx) dropped",
		    BI_MEMMAP_MAX, s, e);
		return 0;
	}
	r = &bi->bi_usable[bi->bi_nusable++];
	r->start = s;
	r->end = e;
	r->type = BI_MEM_USABLE;
	return e - s;
}

/*
 * Build bi_usable from bi_memmap; see <bootinfo.h>.  The map's entry
 * boundaries cut the address space into pieces each covered by the same
 * set of entries; the usable pieces, merged where they touch, trimmed to
 * pages, are the result.  O(n^2) in the n <= BI_MEMMAP_MAX entries.  Two
 * usable entries may overlap; their overlap stays usable.  Returns the
 * number of usable bytes.  log may be NULL.  No requirements.
 */
uint64_t
bootinfo_sanitize(struct bootinfo *bi, bi_log_t log)
{
	uint64_t pts[BI_MAXPOINTS];
	bool ok[BI_MEMMAP_MAX];
	uint64_t s, e, run_start = 0, total = 0;
	size_t i, npts = 0, nuniq;
	bool in_run = false;

	KASSERT(bi->bi_nmemmap <= BI_MEMMAP_MAX);
	bi->bi_nusable = 0;
	sanitize_entries(bi, ok, log);
	sanitize_overlaps(bi, ok, log);

	for (i = 0; i < bi->bi_nmemmap; i++) {
		if (!ok[i] || !entry_range(&bi->bi_memmap[i], &s, &e))
			continue;
		pts[npts++] = s;
		pts[npts++] = e;
	}
	sort_points(pts, npts);
	for (i = 0, nuniq = 0; i < npts; i++) {
		if (nuniq == 0 || pts[nuniq - 1] != pts[i])
			pts[nuniq++] = pts[i];
	}

	/* Walk the pieces, collecting runs of usable ones. */
	for (i = 0; i + 1 < nuniq; i++) {
		if (piece_usable(bi, ok, pts[i], pts[i + 1])) {
			if (!in_run)
				run_start = pts[i];
			in_run = true;
		} else if (in_run) {
			total += add_usable(bi, run_start, pts[i], log);
			in_run = false;
		}
	}
	if (in_run)
		total += add_usable(bi, run_start, pts[nuniq - 1], log);
	return total;
}

/*
 * Remove [start, end), rounded out to pages, from bi_usable; see
 * <bootinfo.h>.  bi_usable stays sorted.  Returns 0, or -1 if a range
 * had to be split with the table full (the smaller piece is then
 * dropped).  No requirements.
 */
int
bootinfo_reserve(struct bootinfo *bi, uint64_t start, uint64_t end)
{
	struct bi_range *r;
	uint64_t s, e;
	size_t i;
	int error = 0;

	KASSERT(bi->bi_nusable <= BI_MEMMAP_MAX);
	if (end <= start)
		return 0;
	s = rounddown2(start, PAGE_SIZE);
	e = end > BI_TOP_PAGE ? UINT64_MAX : roundup2(end, PAGE_SIZE);

	for (i = 0; i < bi->bi_nusable;) {
		r = &bi->bi_usable[i];
		if (r->end <= s || r->start >= e) {
			i++; /* no overlap */
		} else if (s <= r->start && e >= r->end) {
			/* Covered whole: delete it. */
			memmove(r, r + 1,
			    (bi->bi_nusable - i - 1) * sizeof(*r));
			bi->bi_nusable--;
		} else if (s <= r->start) {
			r->start = e; /* the reservation covers its head */
			i++;
		} else if (e >= r->end) {
			r->end = s; /* the reservation covers its tail */
			i++;
		} else if (bi->bi_nusable < BI_MEMMAP_MAX) {
			/* Inside: split into [r->start, s) and [e, r->end). */
			memmove(r + 2, r + 1,
			    (bi->bi_nusable - i - 1) * sizeof(*r));
			bi->bi_nusable++;
			r[1].start = e;
			r[1].end = r->end;
			r[1].type = r->type;
			r->end = s;
			i += 2;
		} else {
			/* No room to split: keep only the larger piece. */
			if (s - r->start >= r->end - e)
				r->end = s;
			else
				r->start = e;
			error = -1;
			i++;
		}
	}
	return error;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Find the next word of the kernel's part of the command line at or after
 * *pp.  Returns false at the end of the line or at a lone "--"; else sets
 * *wordp and *lenp to the word and *pp past it.
 */
static bool
next_word(const char **pp, const char **wordp, size_t *lenp)
{
	const char *p = *pp;
	size_t n;

	while (is_space(*p))
		p++;
	for (n = 0; p[n] != '\0' && !is_space(p[n]); n++)
		continue;
	if (n == 0 || (n == 2 && p[0] == '-' && p[1] == '-'))
		return false;
	*wordp = p;
	*lenp = n;
	*pp = p + n;
	return true;
}

/*
 * The value of "name=" on the command line; see <bootinfo.h>.  If the
 * word appears more than once the last one counts, so a value appended
 * to the line overrides an earlier one.  buf is written only if the word
 * is found and size > 0.  No requirements.
 */
bool
bootinfo_getarg(const struct bootinfo *bi, const char *name, char *buf,
    size_t size)
{
	const char *p = bi->bi_cmdline, *w, *val = NULL;
	size_t n, len, vlen = 0;

	len = strlen(name);
	if (len == 0)
		return false;
	while (next_word(&p, &w, &n)) {
		if (n > len && w[len] == '=' && strncmp(w, name, len) == 0) {
			val = w + len + 1;
			vlen = n - len - 1;
		}
	}
	if (val == NULL)
		return false;
	if (size > 0) {
		n = MIN(vlen, size - 1);
		memcpy(buf, val, n);
		buf[n] = '\0';
	}
	return true;
}

/*
 * The words of the kernel's part of the command line of the form
 * KEY=VALUE whose KEY is not in known (a NULL-terminated list of the
 * kernel's parameters) and has no '.', copied to buf separated by
 * single spaces (words that do not fit are left out).  No requirements.
 */
void
bootinfo_initenv(const struct bootinfo *bi, const char *const known[],
    char *buf, size_t size)
{
	const char *p = bi->bi_cmdline, *w;
	size_t n, len = 0, klen;
	bool kernel;

	if (size == 0)
		return;
	buf[0] = '\0';
	while (next_word(&p, &w, &n)) {
		for (klen = 0; klen < n && w[klen] != '=' && w[klen] != '.';)
			klen++;
		if (klen == 0 || klen == n || w[klen] != '=')
			continue; /* no KEY=, or a '.' in KEY */
		kernel = false;
		for (int i = 0; known[i] != NULL; i++)
			if (strlen(known[i]) == klen &&
			    strncmp(w, known[i], klen) == 0)
				kernel = true;
		if (kernel || len + (len > 0) + n + 1 > size)
			continue;
		if (len > 0)
			buf[len++] = ' ';
		memcpy(buf + len, w, n);
		len += n;
		buf[len] = '\0';
	}
}

/*
 * True if the bare word name (without "=") is on the command line before
 * any lone "--".  No requirements.
 */
bool
bootinfo_hasflag(const struct bootinfo *bi, const char *name)
{
	const char *p = bi->bi_cmdline, *w;
	size_t n, len;

	len = strlen(name);
	while (next_word(&p, &w, &n)) {
		if (n == len && strncmp(w, name, len) == 0)
			return true;
	}
	return false;
}

/*
 * The rest of the command line after the first lone "--", with leading
 * spaces and tabs skipped, or "" if there is no "--".  The result points
 * into bi->bi_cmdline.  No requirements.
 */
const char *
bootinfo_initargs(const struct bootinfo *bi)
{
	const char *p = bi->bi_cmdline, *w;
	size_t n;

	while (next_word(&p, &w, &n))
		continue;
	/* next_word stopped at the end, or at "--" after the spaces. */
	while (is_space(*p))
		p++;
	if (p[0] != '-')
		return "";
	p += 2;
	while (is_space(*p))
		p++;
	return p;
}
