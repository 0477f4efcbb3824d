/*
 * memcpy, memmove and memset (declared in <systm.h>) with the x86 string
 * instructions: "rep movsq" and "rep stosq" for the bulk, "rep movsb"
 * and "rep stosb" for the tail.  They are written in inline assembly on
 * purpose: gcc turns a plain copy or fill loop into a call to memcpy or
 * memset, which here would call itself.  The direction flag is clear on
 * entry and exit of every C function (the SysV ABI), so the forward
 * copies need no "cld".  The rest of the string functions are
 * machine-independent (lib/string.c).
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
