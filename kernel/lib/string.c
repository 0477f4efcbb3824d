/*
 * The kernel's string and memory functions (declared in <systm.h>).
 *
 * memcpy, memmove and memset use the x86 string instructions: "rep movsq"
 * and "rep stosq" for the bulk, "rep movsb" and "rep stosb" for the tail.
 * They are written in inline assembly on purpose: gcc turns a plain copy
 * or fill loop into a call to memcpy or memset, which here would call
 * itself.  The direction flag is clear on entry and exit of every C
 * function (the SysV ABI), so the forward copies need no "cld".
 *
 * Kernel only: the host tests use the C library instead.
 */
#include <systm.h>

/*
 * Copy n bytes from src to dst; the ranges must not overlap.  Returns
 * dst.  No requirements.
 */
void *
memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n >> 3;
	size_t r = n & 7;

	__asm__ volatile("rep movsq\n\t"
			 "movq %[r], %%rcx\n\t"
			 "rep movsb"
			 : "+D"(d), "+S"(src), "+c"(q)
			 : [r] "r"(r)
			 : "memory");
	return dst;
}

/*
 * Copy n bytes from src to dst; the ranges may overlap.  Copies forwards
 * when dst is below src (or the ranges are apart), else backwards with
 * the direction flag set for the duration.  Returns dst.  No
 * requirements.
 */
void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d;
	const unsigned char *s;
	size_t q, r;

	if ((uintptr_t)dst - (uintptr_t)src >= n)
		return memcpy(dst, src, n); /* dst below src, or no overlap */
	if (n == 0)
		return dst;

	/*
	 * Backwards: first the n % 8 odd bytes at the top, one at a time,
	 * then the quadwords below them.  With DF set the string
	 * instructions start at the given address and move down.
	 */
	d = (unsigned char *)dst + n - 1;
	s = (const unsigned char *)src + n - 1;
	q = n >> 3;
	r = n & 7;
	__asm__ volatile("std\n\t"
			 "rep movsb\n\t"
			 "subq $7, %%rdi\n\t"
			 "subq $7, %%rsi\n\t"
			 "movq %[q], %%rcx\n\t"
			 "rep movsq\n\t"
			 "cld"
			 : "+D"(d), "+S"(s), "+c"(r)
			 : [q] "r"(q)
			 : "memory", "cc");
	return dst;
}

/*
 * Fill n bytes at dst with the byte c.  Returns dst.  No requirements.
 */
void *
memset(void *dst, int c, size_t n)
{
	void *d = dst;
	uint64_t pattern = (uint64_t)(unsigned char)c * 0x0101010101010101ULL;
	size_t q = n >> 3;
	size_t r = n & 7;

	__asm__ volatile("rep stosq\n\t"
			 "movq %[r], %%rcx\n\t"
			 "rep stosb"
			 : "+D"(d), "+c"(q)
			 : "a"(pattern), [r] "r"(r)
			 : "memory");
	return dst;
}

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
