/*
 * kmalloc and kfree over the host's malloc, for host tests of code that
 * allocates from the kernel heap without testing the heap itself
 * (test_kmem.c tests kmem.c).  Allocations can be made to fail on
 * purpose, and the live ones are counted so that a test can see leaks.
 */
#include <stdlib.h>
#include <string.h>

#include <types.h>
#include <vm/kmem.h>

/*
 * How many more kmalloc calls succeed before one fails; a negative value
 * means none fails.  The failing call resets it to -1.
 */
long kmem_host_fail_after = -1;
long kmem_host_nalloc; /* kmalloc calls that succeeded */
long kmem_host_live;   /* allocations not yet freed */

void *
kmalloc(size_t size, int flags)
{
	void *p;

	if (kmem_host_fail_after == 0) {
		kmem_host_fail_after = -1;
		return NULL;
	}
	if (kmem_host_fail_after > 0)
		kmem_host_fail_after--;
	if (size == 0 || (p = malloc(size)) == NULL)
		return NULL;
	if (flags & KM_ZERO)
		memset(p, 0, size);
	else
		memset(p, 0xa5, size); /* like fresh kernel memory: not zero */
	kmem_host_nalloc++;
	kmem_host_live++;
	return p;
}

void
kfree(void *p)
{
	if (p == NULL)
		return;
	kmem_host_live--;
	free(p);
}
