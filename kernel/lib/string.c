/*
 * The kernel's string and memory functions (declared in <systm.h>), in
 * plain C.  memcpy, memmove and memset are the machine's own
 * (arch/x86_64/string_md.c): a plain C copy or fill loop would be
 * turned by gcc into a call to memcpy or memset, which would call itself.
 *
 * Kernel only: the host tests use the C library instead.
 */
#include <systm.h>

/*
 * Compare n bytes as unsigned chars.  Returns <0, 0 or >0 as a is below,
 * equal to or above b.  No requirements.
 */
int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] - q[i];
	}
	return 0;
}

/* The length of the string s.  No requirements. */
size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/*
 * The length of s, but at most max; reads no byte at or past s + max.
 * No requirements.
 */
size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/*
 * Compare two strings as unsigned chars.  Returns <0, 0 or >0.  No
 * requirements.
 */
int
strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

/*
 * Compare at most n characters of two strings.  Returns <0, 0 or >0.  No
 * requirements.
 */
int
strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != q[i])
			return p[i] - q[i];
		if (p[i] == '\0')
			break;
	}
	return 0;
}

/*
 * The first c (converted to char) in s, or NULL.  Looking for '\0'
 * finds the terminator.  No requirements.
 */
char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

/*
 * Copy src into dst of size bytes, always NUL-terminating when size > 0
 * and truncating if needed.  Returns strlen(src): the copy was truncated
 * if that is >= size.  No requirements.
 */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	size_t n;

	if (size > 0) {
		n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/*
 * Append src to the string in dst of size bytes, NUL-terminating and
 * truncating as strlcpy does.  Returns the length the result would have
 * had untruncated: strnlen(dst, size) + strlen(src).  If dst holds no NUL
 * within size bytes it is left alone.  No requirements.
 */
size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}
