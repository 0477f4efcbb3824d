/*
 * The kernel heap.  Small requests (up to KMEM_MAX_SMALL bytes) come from
 * per-size-class slabs of one page each; larger ones get whole pages from
 * the page allocator.  kfree finds the kind of an allocation from the
 * vm_page of its address, so no header sits in front of objects.
 *
 * kmem's lock is never held while the page allocator is called, so the
 * heap may be used by any code that holds no lock of the VM page layer.
 */
#ifndef _KMEM_H_
#define _KMEM_H_

#include <types.h>

#define KM_ZERO 0x1 /* return zeroed memory */

#define KMEM_MIN_SMALL 16
#define KMEM_MAX_SMALL 2048

/*
 * size bytes aligned to min(size rounded up to a power of two, 4096), or
 * NULL when memory is exhausted or size is 0.  Never sleeps, never
 * panics.  No requirements.
 */
void *kmalloc(size_t size, int flags);

/*
 * Free what kmalloc returned; NULL is ignored.  A pointer kmalloc did not
 * return, or one already freed, panics (KASSERT) where that is cheap to
 * see.  No requirements.
 */
void kfree(void *p);

/*
 * Bytes handed out and not yet freed, rounded to the size classes (whole
 * pages for large allocations).  No requirements.
 */
uint64_t kmem_used(void);

/*
 * Give every CPU's cached free objects back to their slabs, as if each
 * were freed there: a slab that empties goes back to the page allocator
 * unless it is its class's only slab with free objects.  Returns the
 * number of pages freed.  No requirements.
 */
uint64_t kmem_flush_caches(void);

/*
 * kmem_flush_caches, then give the page allocator back every slab that
 * holds no object.  kfree frees an emptied slab itself unless it is its
 * class's only slab with free objects; that one stays cached, so at most
 * one empty page per size class is kept between calls, besides the
 * slabs of the objects cached per CPU (at most KMEM_CPU_MAX of each
 * class on each CPU).  Returns the number of pages freed.  No
 * requirements.
 */
uint64_t kmem_reclaim(void);

#endif /* !_KMEM_H_ */
