/*
 * A reader for cpio "newc" archives, the initrd format.
 *
 * Each entry is a 110-byte ASCII header: the magic "070701" (or "070702",
 * the same layout with a checksum, which is not checked) and thirteen
 * 8-digit hex fields; then the name, namesize bytes including its NUL,
 * padded so header and name fill a multiple of 4 bytes; then the data,
 * padded to a multiple of 4.  The entry named "TRAILER!!!" ends the
 * archive.  Every size is checked against the bytes left before it is
 * used, so a truncated or hostile archive is reported, never overread.
 *
 * Pure code, unit-tested on the host (tests/host/test_cpio.c).
 */
#include <types.h>
#include <systm.h>
#include <errno.h>
#include <cpio.h>

#define CPIO_HDR_SIZE 110
#define CPIO_MAGIC_LEN 6
#define CPIO_TRAILER "TRAILER!!!"

/* The header's fields, in order, after the magic. */
enum cpio_field {
	CF_INO,
	CF_MODE,
	CF_UID,
	CF_GID,
	CF_NLINK,
	CF_MTIME,
	CF_FILESIZE,
	CF_DEVMAJOR,
	CF_DEVMINOR,
	CF_RDEVMAJOR,
	CF_RDEVMINOR,
	CF_NAMESIZE,
	CF_CHECK,
	CF_NFIELDS
};
CTASSERT(CPIO_MAGIC_LEN + 8 * CF_NFIELDS == CPIO_HDR_SIZE);

/*
 * Parse the 8 hex digits at p (either case) into *vp.  Returns false if
 * any is not a hex digit.
 */
static bool
parse_hex8(const uint8_t *p, uint32_t *vp)
{
	uint32_t v = 0;
	unsigned d;
	int i;

	for (i = 0; i < 8; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*vp = v;
	return true;
}

/* n rounded up to a multiple of 4; n is far below SIZE_MAX here. */
static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Start an iterator at the first entry of archive.  No requirements. */
void
cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len)
{
	it->base = archive;
	it->len = len;
	it->off = 0;
}

/*
 * Read the entry at the iterator and advance past it; see <cpio.h>.  The
 * header, the name with its padding and the data must lie inside the
 * archive; the name must be NUL-terminated exactly at namesize - 1 and
 * shorter than CPIO_NAME_MAX.  The data's padding may be cut off by the
 * end of the archive, which then makes the next call fail.  At the
 * trailer the iterator does not move.  No requirements.
 */
enum cpio_status
cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	const uint8_t *h;
	const char *name;
	uint32_t f[CF_NFIELDS];
	size_t left, hdrlen, advance;
	int i;

	if (it->off > it->len || it->len - it->off < CPIO_HDR_SIZE)
		return CPIO_ECORRUPT; /* no room for a header: no trailer */
	left = it->len - it->off;
	h = it->base + it->off;
	if (memcmp(h, "070701", CPIO_MAGIC_LEN) != 0 &&
	    memcmp(h, "070702", CPIO_MAGIC_LEN) != 0)
		return CPIO_ECORRUPT;
	for (i = 0; i < CF_NFIELDS; i++) {
		if (!parse_hex8(h + CPIO_MAGIC_LEN + 8 * i, &f[i]))
			return CPIO_ECORRUPT;
	}

	/* The name: inside the archive, one NUL, at its end. */
	if (f[CF_NAMESIZE] < 1 || f[CF_NAMESIZE] > CPIO_NAME_MAX)
		return CPIO_ECORRUPT;
	hdrlen = pad4(CPIO_HDR_SIZE + (size_t)f[CF_NAMESIZE]);
	if (hdrlen > left)
		return CPIO_ECORRUPT;
	name = (const char *)h + CPIO_HDR_SIZE;
	if (strnlen(name, f[CF_NAMESIZE]) != f[CF_NAMESIZE] - 1)
		return CPIO_ECORRUPT;

	if (strcmp(name, CPIO_TRAILER) == 0)
		return CPIO_END;

	/* The data: inside the archive; its padding may be missing. */
	if (f[CF_FILESIZE] > left - hdrlen)
		return CPIO_ECORRUPT;
	advance = hdrlen + pad4(f[CF_FILESIZE]);
	if (advance > left)
		advance = left;

	/* "./x" and "/x" are "x"; "." (and "./", "/") is the root: "". */
	if (name[0] == '.' && name[1] == '/')
		name += 2;
	else if (name[0] == '/')
		name += 1;
	else if (name[0] == '.' && name[1] == '\0')
		name += 1;

	e->name = name;
	e->namelen = strlen(name);
	e->mode = f[CF_MODE];
	e->ino = f[CF_INO];
	e->nlink = f[CF_NLINK];
	e->data = h + hdrlen;
	e->size = f[CF_FILESIZE];
	it->off += advance;
	return CPIO_OK;
}

/*
 * Check the whole archive; see <cpio.h>.  Bytes after the trailer (cpio
 * pads archives to 512 bytes) are not looked at.  Returns the number of
 * entries before the trailer, or -1.  No requirements.
 */
long
cpio_validate(const void *archive, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	enum cpio_status st;
	long n = 0;

	cpio_iter_init(&it, archive, len);
	while ((st = cpio_next(&it, &e)) == CPIO_OK)
		n++;
	return st == CPIO_END ? n : -1;
}

/*
 * Find path in the archive; see <cpio.h>.  Leading slashes of path are
 * ignored, so "/" and "" find the root entry ".".  Returns 0 with *e
 * filled, -ENOENT if the trailer comes first, -EINVAL if the archive is
 * corrupt before the entry.  No requirements.
 */
int
cpio_lookup(const void *archive, size_t len, const char *path,
    struct cpio_entry *e)
{
	struct cpio_iter it;
	enum cpio_status st;

	while (*path == '/')
		path++;
	cpio_iter_init(&it, archive, len);
	while ((st = cpio_next(&it, e)) == CPIO_OK) {
		if (strcmp(e->name, path) == 0)
			return 0;
	}
	return st == CPIO_END ? -ENOENT : -EINVAL;
}
