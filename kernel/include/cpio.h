/*
 * A reader for cpio "newc" archives (magic 070701), the initrd format.
 * Pure code, unit-tested on the host.  Nothing is copied: entries point
 * into the archive, which must stay mapped.
 */
#ifndef _CPIO_H_
#define _CPIO_H_

#include <types.h>

#define CPIO_NAME_MAX 256

struct cpio_entry {
	const char *
	    name; /* NUL-terminated inside the archive, no leading "./" or "/" */
	size_t namelen; /* strlen(name) */
	uint32_t mode;  /* st_mode: file type and permission bits */
	uint32_t ino;
	uint32_t nlink;
	const void *data;
	size_t size;
};

/* A position in an archive; start with cpio_iter_init(). */
struct cpio_iter {
	const uint8_t *base;
	size_t len;
	size_t off;
};

enum cpio_status {
	CPIO_OK = 0,
	CPIO_END = 1, /* the TRAILER!!! entry was reached */
	CPIO_ECORRUPT =
	    -1 /* bad magic, bad hex, or a size running past the end */
};

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len);

/*
 * Read the entry at the iterator and advance past it.  Returns CPIO_OK
 * with *e filled, CPIO_END at the trailer, or CPIO_ECORRUPT (the
 * iterator then stays where it is).  An archive that ends without a
 * trailer is corrupt.
 */
enum cpio_status cpio_next(struct cpio_iter *it, struct cpio_entry *e);

/*
 * Check the whole archive: every header well-formed, every size inside
 * the archive, a trailer at the end.  Returns the number of entries, or
 * -1 if the archive is corrupt.
 */
long cpio_validate(const void *archive, size_t len);

/*
 * Find path (leading "/" ignored) in the archive.  Returns 0 and fills
 * *e, or -ENOENT, or -EINVAL if the archive is corrupt before the entry.
 */
int cpio_lookup(const void *archive, size_t len, const char *path,
    struct cpio_entry *e);

#endif /* !_CPIO_H_ */
