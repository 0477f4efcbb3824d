/*
 * Host tests of the cpio newc reader (kernel/cpio.c).  Archives are built
 * in memory by a small writer below; every check of a damaged archive is
 * made on an exactly-sized heap copy, so AddressSanitizer catches any
 * read past its end.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpio.h>

#include "tap.h"

/* An archive being written. */
struct abuf {
	uint8_t data[16384];
	size_t len;
};

enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJ,
	F_DEVMIN,
	F_RDEVMAJ,
	F_RDEVMIN,
	F_NAMESIZE,
	F_CHECK,
	F_N
};

static void
put(struct abuf *a, const void *p, size_t n)
{
	if (a->len + n > sizeof(a->data))
		abort();
	if (n > 0)
		memcpy(a->data + a->len, p, n);
	a->len += n;
}

static void
pad(struct abuf *a, size_t from)
{
	static const uint8_t zero[4];

	put(a, zero, (4 - (a->len - from) % 4) % 4);
}

/*
 * Append one entry with full control: magic, the 13 header fields, the
 * name bytes (nbytes of them, written as given) and the data.  Pads as
 * the format wants.
 */
static void
add_raw(struct abuf *a, const char *magic, const uint32_t *f, const void *name,
    size_t nbytes, const void *data, size_t dlen)
{
	char hdr[111];
	size_t start = a->len;
	int i, n;

	n = snprintf(hdr, sizeof(hdr), "%s", magic);
	for (i = 0; i < F_N; i++)
		n += snprintf(hdr + n, sizeof(hdr) - n, "%08X", f[i]);
	put(a, hdr, 110);
	put(a, name, nbytes);
	pad(a, start);
	start = a->len;
	put(a, data, dlen);
	pad(a, start);
}

/* Append a well-formed entry. */
static void
add(struct abuf *a, const char *name, uint32_t mode, const void *data,
    size_t dlen)
{
	static uint32_t ino = 100;
	uint32_t f[F_N] = { 0 };

	f[F_INO] = ino++;
	f[F_MODE] = mode;
	f[F_NLINK] = (mode & 0170000) == 0040000 ? 2 : 1;
	f[F_FILESIZE] = (uint32_t)dlen;
	f[F_NAMESIZE] = (uint32_t)strlen(name) + 1;
	add_raw(a, "070701", f, name, strlen(name) + 1, data, dlen);
}

static void
add_trailer(struct abuf *a)
{
	add(a, "TRAILER!!!", 0, NULL, 0);
}

/* An exactly-sized heap copy of the first len bytes of a. */
static uint8_t *
copy(const struct abuf *a, size_t len)
{
	uint8_t *p = malloc(len > 0 ? len : 1);

	if (p == NULL)
		abort();
	memcpy(p, a->data, len);
	return p;
}

/* The sample archive: a small root file system. */
static void
sample(struct abuf *a)
{
	a->len = 0;
	add(a, ".", 0040755, NULL, 0);
	add(a, "./bin", 0040755, NULL, 0);
	add(a, "./bin/init", 0100755,
	    "\x7f"
	    "ELF-init",
	    9);
	add(a, "./etc/motd", 0100644, "hi\n", 3);
	add(a, "./empty", 0100644, NULL, 0);
	add(a, "/abs", 0100600, "abcd", 4);
	add(a, "plain", 0100644, "12345678901", 11);
	add_trailer(a);
}

static void
test_iterate(void)
{
	static const char *names[] = { "", "bin", "bin/init", "etc/motd",
		"empty", "abs", "plain" };
	struct abuf a;
	struct cpio_iter it;
	struct cpio_entry e;
	enum cpio_status st;
	uint8_t *p;
	size_t i;
	bool names_ok = true;

	sample(&a);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == 7,
	    "sample archive validates with "
	    "7 entries (%ld)",
	    cpio_validate(p, a.len));

	cpio_iter_init(&it, p, a.len);
	for (i = 0; i < 7; i++) {
		st = cpio_next(&it, &e);
		if (st != CPIO_OK || strcmp(e.name, names[i]) != 0 ||
		    e.namelen != strlen(names[i])) {
			names_ok = false;
			printf("# entry %zu: status %d name \"%s\"\n", i, st,
			    st == CPIO_OK ? e.name : "");
		}
		if (i == 2) {
			TAP_OK(e.size == 9 &&
				memcmp(e.data,
				    "\x7f"
				    "ELF-init",
				    9) == 0,
			    "bin/init data and size");
			TAP_OK(e.mode == 0100755, "bin/init mode %o", e.mode);
			TAP_OK(e.nlink == 1, "bin/init nlink");
			TAP_OK((const uint8_t *)e.data > p &&
				(const uint8_t *)e.data + e.size <= p + a.len,
			    "data points into the archive");
			TAP_OK(((const uint8_t *)e.data - p) % 4 == 0,
			    "data is 4-aligned in the archive");
		}
		if (i == 0)
			TAP_OK(e.mode == 0040755 && e.nlink == 2 && e.size == 0,
			    "\".\" is the root directory \"\"");
		if (i == 1)
			TAP_OK(e.ino != 0, "ino read (%u)", e.ino);
		if (i == 6)
			TAP_OK(e.size == 11 &&
				memcmp(e.data, "12345678901", 11) == 0,
			    "a name without ./ is kept as is");
	}
	TAP_OK(names_ok, "names stripped of ./ and / in archive order");
	st = cpio_next(&it, &e);
	TAP_OK(st == CPIO_END, "trailer gives CPIO_END (%d)", st);
	st = cpio_next(&it, &e);
	TAP_OK(st == CPIO_END, "the iterator stays at the trailer");
	free(p);
}

static void
test_lookup(void)
{
	struct abuf a;
	struct cpio_entry e;
	uint8_t *p;
	int r;

	sample(&a);
	p = copy(&a, a.len);
	r = cpio_lookup(p, a.len, "/bin/init", &e);
	TAP_OK(r == 0 && e.size == 9 && strcmp(e.name, "bin/init") == 0,
	    "lookup /bin/init");
	r = cpio_lookup(p, a.len, "bin/init", &e);
	TAP_OK(r == 0 && e.size == 9, "lookup bin/init without slash");
	r = cpio_lookup(p, a.len, "/etc/motd", &e);
	TAP_OK(r == 0 && e.size == 3 && memcmp(e.data, "hi\n", 3) == 0,
	    "lookup /etc/motd");
	r = cpio_lookup(p, a.len, "/", &e);
	TAP_OK(r == 0 && e.namelen == 0 && (e.mode & 0170000) == 0040000,
	    "lookup / finds the root directory");
	r = cpio_lookup(p, a.len, "/abs", &e);
	TAP_OK(r == 0 && e.size == 4, "lookup an entry stored as /abs");
	r = cpio_lookup(p, a.len, "/empty", &e);
	TAP_OK(r == 0 && e.size == 0, "lookup an empty file");
	r = cpio_lookup(p, a.len, "/nothere", &e);
	TAP_OK(r == -ENOENT, "missing file: -ENOENT (%d)", r);
	r = cpio_lookup(p, a.len, "/bin/ini", &e);
	TAP_OK(r == -ENOENT, "a prefix of a name does not match");
	r = cpio_lookup(p, a.len, "/bin/init/", &e);
	TAP_OK(r == -ENOENT, "a longer name does not match");
	r = cpio_lookup(p, a.len, "TRAILER!!!", &e);
	TAP_OK(r == -ENOENT, "the trailer itself is not an entry");
	free(p);
}

/* Truncating a good archive anywhere must give a clean "corrupt". */
static void
test_truncation(void)
{
	struct abuf a;
	struct cpio_entry e;
	uint8_t *p;
	size_t len;
	int bad_validate = 0, bad_lookup = 0, r;

	sample(&a);
	for (len = 0; len < a.len; len++) {
		p = copy(&a, len);
		if (cpio_validate(p, len) != -1)
			bad_validate++;
		r = cpio_lookup(p, len, "/nothere", &e);
		if (r != -EINVAL)
			bad_lookup++;
		r = cpio_lookup(p, len, "/plain", &e);
		if (r != 0 && r != -EINVAL)
			bad_lookup++;
		if (r == 0 && (const uint8_t *)e.data + e.size > p + len)
			bad_lookup++;
		r = cpio_lookup(p, len, "/bin", &e);
		if (r != 0 && r != -EINVAL)
			bad_lookup++;
		free(p);
	}
	TAP_OK(bad_validate == 0, "every truncation (0..%zu) is corrupt",
	    a.len - 1);
	TAP_OK(bad_lookup == 0,
	    "lookups in truncated archives give 0 (with "
	    "the data inside) or -EINVAL, never -ENOENT");
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == 7, "the full length is fine");
	free(p);
}

/* Change the header field at index fi of the entry at offset off. */
static void
poke_field(struct abuf *a, size_t off, int fi, const char *eight)
{
	memcpy(a->data + off + 6 + 8 * fi, eight, 8);
}

static void
test_corrupt(void)
{
	struct abuf a;
	struct cpio_iter it;
	struct cpio_entry e;
	uint32_t f[F_N] = { 0 };
	char longname[300];
	uint8_t *p;
	size_t off2;
	long v;
	int r;

	/* Bad hex in the second entry's file size. */
	a.len = 0;
	add(&a, "a", 0100644, "x", 1);
	off2 = a.len;
	add(&a, "b", 0100644, "yy", 2);
	add_trailer(&a);
	poke_field(&a, off2, F_FILESIZE, "0000000g");
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "bad hex digit: corrupt");
	cpio_iter_init(&it, p, a.len);
	TAP_OK(cpio_next(&it, &e) == CPIO_OK, "entry before the bad one reads");
	TAP_OK(cpio_next(&it, &e) == CPIO_ECORRUPT, "bad entry: ECORRUPT");
	TAP_OK(it.off == off2, "the iterator stays at the bad entry");
	TAP_OK(cpio_next(&it, &e) == CPIO_ECORRUPT, "and stays corrupt");
	TAP_OK(cpio_lookup(p, a.len, "a", &e) == 0,
	    "lookup before the bad entry succeeds");
	TAP_OK(cpio_lookup(p, a.len, "b", &e) == -EINVAL,
	    "lookup at the bad entry gives -EINVAL");
	TAP_OK(cpio_lookup(p, a.len, "zz", &e) == -EINVAL,
	    "lookup past the bad entry gives -EINVAL");
	free(p);

	/* Space, sign and "0x" are not hex digits either. */
	poke_field(&a, off2, F_FILESIZE, " 0000002");
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "a space in a field: corrupt");
	free(p);
	poke_field(&a, off2, F_FILESIZE, "0x000002");
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "0x in a field: corrupt");
	free(p);
	poke_field(&a, off2, F_FILESIZE, "00000002");
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == 2, "restored field: fine again");
	free(p);
	poke_field(&a, off2, F_INO, "abcdefAB");
	p = copy(&a, a.len);
	cpio_iter_init(&it, p, a.len);
	cpio_next(&it, &e);
	TAP_OK(cpio_next(&it, &e) == CPIO_OK && e.ino == 0xabcdefab,
	    "mixed-case hex accepted (ino %#x)", e.ino);
	free(p);

	/* Bad magic. */
	a.len = 0;
	add(&a, "a", 0100644, "x", 1);
	add_trailer(&a);
	memcpy(a.data, "070707",
	    6); /* the old binary-compatible ASCII format */
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "magic 070707: corrupt");
	free(p);
	memcpy(a.data, "070702", 6);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == 1, "magic 070702 (crc) accepted");
	free(p);

	/* No trailer. */
	a.len = 0;
	add(&a, "a", 0100644, "x", 1);
	add(&a, "b", 0100644, "y", 1);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "missing trailer: corrupt");
	TAP_OK(cpio_lookup(p, a.len, "b", &e) == 0,
	    "entries before the end "
	    "of a trailerless archive can still be found");
	TAP_OK(cpio_lookup(p, a.len, "c", &e) == -EINVAL,
	    "a missing name in a trailerless archive is -EINVAL");
	free(p);

	/* Empty archive and trailer only. */
	p = malloc(1);
	TAP_OK(cpio_validate(p, 0) == -1, "zero-length archive: corrupt");
	free(p);
	a.len = 0;
	add_trailer(&a);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == 0, "trailer only: 0 entries");
	TAP_OK(cpio_lookup(p, a.len, "x", &e) == -ENOENT,
	    "lookup in an empty archive: -ENOENT");
	free(p);

	/* Garbage after the trailer is not looked at (cpio pads to 512). */
	a.len = 0;
	add(&a, "a", 0100644, "x", 1);
	add_trailer(&a);
	memset(a.data + a.len, 0xee, 100);
	a.len += 100;
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == 1, "bytes after the trailer ignored");
	free(p);

	/* Name not NUL-terminated at namesize - 1. */
	f[F_MODE] = 0100644;
	f[F_NAMESIZE] = 3;
	a.len = 0;
	add_raw(&a, "070701", f, "abc", 3, NULL, 0);
	add_trailer(&a);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "name without NUL: corrupt");
	free(p);

	/* A NUL before namesize - 1. */
	a.len = 0;
	add_raw(&a, "070701", f, "a\0\0", 3, NULL, 0);
	add_trailer(&a);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1,
	    "name with an early NUL: corrupt");
	free(p);

	/* namesize 0. */
	f[F_NAMESIZE] = 0;
	a.len = 0;
	add_raw(&a, "070701", f, "", 0, NULL, 0);
	add_trailer(&a);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "namesize 0: corrupt");
	free(p);

	/* namesize 1: the empty name is allowed. */
	f[F_NAMESIZE] = 1;
	a.len = 0;
	add_raw(&a, "070701", f, "", 1, NULL, 0);
	add_trailer(&a);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == 1, "namesize 1 (empty name) is fine");
	free(p);

	/* Names of 255 bytes are fine, 256 are not. */
	memset(longname, 'n', sizeof(longname));
	longname[CPIO_NAME_MAX - 1] = '\0';
	a.len = 0;
	add(&a, longname, 0100644, NULL, 0);
	add_trailer(&a);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == 1, "a %d-byte name is fine",
	    CPIO_NAME_MAX - 1);
	free(p);
	longname[CPIO_NAME_MAX - 1] = 'n';
	longname[CPIO_NAME_MAX] = '\0';
	a.len = 0;
	add(&a, longname, 0100644, NULL, 0);
	add_trailer(&a);
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "a %d-byte name is corrupt",
	    CPIO_NAME_MAX);
	free(p);

	/* Sizes far past the end, including ones that would wrap. */
	a.len = 0;
	off2 = 0;
	add(&a, "a", 0100644, "x", 1);
	add_trailer(&a);
	poke_field(&a, off2, F_FILESIZE, "FFFFFFFF");
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "filesize 0xffffffff: corrupt");
	free(p);
	poke_field(&a, off2, F_FILESIZE, "00000100");
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "filesize past the end: corrupt");
	free(p);
	poke_field(&a, off2, F_FILESIZE, "00000001");
	poke_field(&a, off2, F_NAMESIZE, "FFFFFFFF");
	p = copy(&a, a.len);
	TAP_OK(cpio_validate(p, a.len) == -1, "namesize 0xffffffff: corrupt");
	free(p);
	poke_field(&a, off2, F_NAMESIZE, "FFFFFFFE");
	p = copy(&a, a.len);
	TAP_OK(cpio_lookup(p, a.len, "a", &e) == -EINVAL,
	    "namesize 0xfffffffe: lookup -EINVAL");
	free(p);

	/* A file whose data's padding is cut off by the end. */
	a.len = 0;
	add(&a, "a", 0100644, "x", 1);
	p = copy(&a, a.len - 3);
	cpio_iter_init(&it, p, a.len - 3);
	r = cpio_next(&it, &e);
	TAP_OK(r == CPIO_OK && e.size == 1,
	    "data whose padding is cut off "
	    "is still read");
	TAP_OK(cpio_next(&it, &e) == CPIO_ECORRUPT,
	    "and then the missing trailer is reported");
	free(p);

	/* An iterator positioned past the end (by a caller) is corrupt. */
	a.len = 0;
	add_trailer(&a);
	p = copy(&a, a.len);
	cpio_iter_init(&it, p, a.len);
	it.off = a.len + 10;
	TAP_OK(cpio_next(&it, &e) == CPIO_ECORRUPT,
	    "an offset past the end is corrupt, not an overread");
	free(p);

	/* Random damage never crashes or overreads. */
	sample(&a);
	srand(12345);
	v = 0;
	for (r = 0; r < 3000; r++) {
		struct abuf b = a;
		int k, nflip = 1 + rand() % 4;
		size_t len = (size_t)rand() % (a.len + 1);

		for (k = 0; k < nflip; k++)
			b.data[rand() % a.len] = (uint8_t)(rand() % 3 == 0 ?
				"0123456789abcdefF!"[rand() % 18] :
				rand());
		p = copy(&b, len);
		if (cpio_validate(p, len) >= 0)
			v++;
		(void)cpio_lookup(p, len, "/bin/init", &e);
		free(p);
	}
	TAP_OK(1, "3000 randomly damaged archives survived (%ld still valid)",
	    v);
}

int
main(void)
{
	test_iterate();
	test_lookup();
	test_truncation();
	test_corrupt();
	return tap_done();
}
