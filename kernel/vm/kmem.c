/*
 * The kernel heap: kmalloc and kfree.
 *
 * Small requests are rounded up to one of KMEM_NCLASS power-of-two size
 * classes, KMEM_MIN_SMALL .. KMEM_MAX_SMALL bytes.  A slab is one page
 * from vm_page_alloc cut into objects of one class; its struct vm_page
 * carries PG_KMEM_SLAB, the class index (pg_kmem_class), the number of
 * objects handed out (pg_kmem_inuse) and the head of a free list threaded
 * through the free objects themselves (pg_kmem_free).  Each class keeps a
 * list of its slabs that have a free object (kc_partial, linked through
 * pg_list); a full slab is on no list and goes back on when an object is
 * freed.  A slab that becomes empty goes back to the page allocator
 * unless it is the only slab on its class's list, which stays cached so
 * that one kmalloc/kfree pair in a loop does not allocate and free a page
 * each time; kmem_reclaim returns the cached ones too.
 *
 * Larger requests take 2^order whole pages from vm_page_alloc_contig; the
 * head page carries PG_KMEM_LARGE and the order.
 *
 * Because kfree finds the slab or block through vm_page_from_kva, objects
 * have no header and every object of a class is aligned to its size.
 *
 * A free object holds two words: the next free object and KMEM_FREE_MAGIC.
 * kmalloc checks the magic before handing an object out (catching writes
 * after free), and kfree, finding the magic in an object it is given,
 * walks the slab's free list and every CPU's cache to tell a double free
 * from user data that happens to match.
 *
 * Small objects come and go through a cache per CPU (struct kmem_cpu):
 * kmalloc takes from the CPU's own free objects of the class and kfree
 * puts them back there, moving KMEM_CPU_BATCH objects at a time from and
 * to the slabs when the cache runs out or over, so an allocation and a
 * free take no lock another CPU takes but once a batch.  A cached object
 * is free (it carries the magic) but still counts as in use in its slab;
 * kmem_flush_caches gives every cache back to the slabs (kmem_reclaim
 * does, and so does a new slab that finds no page).
 *
 * Locking: kmem_lock guards kmem_classes, kmem_bytes, and the kmem fields
 * and pg_list of every slab page.  A CPU's cache has a lock of its own
 * (kc_lock), taken by that CPU, and by any CPU to reclaim the caches or
 * to confirm a double free; it comes before kmem_lock.  The page
 * allocator is never called with either held: a new slab is allocated
 * and carved before kmem_lock is taken, and an empty slab is freed after
 * both are dropped (so there is no lock order between them and
 * vm_page_lock).  Memory is zeroed outside the locks too.
 */
#include <types.h>
#include <param.h>
#include <systm.h>
#include <spinlock.h>
#include <vm/vm_page.h>
#include <vm/kmem.h>
#ifndef HOST_TEST
#include <arch/cpu.h>
#endif

#define KMEM_NCLASS 8 /* 16, 32, ..., 2048 */
#define KMEM_MIN_SHIFT 4
#define KMEM_MAX_LARGE_ORDER (VM_NFREEORDER - 1)
#define KMEM_FREE_MAGIC 0x6b6d656d66726565ULL /* "kmemfree" */

CTASSERT(KMEM_MIN_SMALL == 1 << KMEM_MIN_SHIFT);
CTASSERT(KMEM_MAX_SMALL == KMEM_MIN_SMALL << (KMEM_NCLASS - 1));
CTASSERT(KMEM_MAX_SMALL <= PAGE_SIZE);
CTASSERT(PAGE_SIZE / KMEM_MIN_SMALL <= UINT32_MAX);

/* The first two words of a free object. */
struct kmem_freeobj {
	struct kmem_freeobj *kf_next;
	uint64_t kf_magic;
};
CTASSERT(sizeof(struct kmem_freeobj) <= KMEM_MIN_SMALL);

/* One size class.  Every field is guarded by kmem_lock. */
struct kmem_class {
	struct vm_pglist kc_partial; /* slabs with at least one free object */
	uint64_t kc_nslabs;          /* slabs of this class, on a list or not */
};

static struct spinlock kmem_lock = SPINLOCK_INITIALIZER("kmem");
static struct kmem_class kmem_classes[KMEM_NCLASS]; /* zero: empty lists */
/* Taken out of slabs (cached per CPU or handed out), or whole pages. */
static uint64_t kmem_bytes;

/*
 * A CPU's own free objects, up to KMEM_CPU_MAX of each class, each marked
 * free.  (c) is kc_lock; kc_bytes is also read without it, by kmem_used.
 */
#define KMEM_CPU_MAX 16
#define KMEM_CPU_BATCH 8
struct kmem_cpu_class {
	unsigned kcc_n;              /* (c) */
	void *kcc_obj[KMEM_CPU_MAX]; /* (c) */
};
struct kmem_cpu {
	struct spinlock kc_lock;
	uint64_t kc_bytes; /* (c) the class sizes of the objects, summed */
	struct kmem_cpu_class kc_class[KMEM_NCLASS];
} __aligned(64);

static struct kmem_cpu kmem_cpu[MAXCPUS] = {
	[0 ... MAXCPUS - 1] = { .kc_lock = SPINLOCK_INITIALIZER("kmem_cpu") },
};

/* The cache of the CPU the caller runs on (a hint: it may move). */
static inline struct kmem_cpu *
kmem_cpu_cache(void)
{
#ifdef HOST_TEST
	struct kmem_cpu *kc = &kmem_cpu[0]; /* tests/host: one CPU */
#else
	struct kmem_cpu *kc = &kmem_cpu[curcpu()->ci_index];
#endif

	/* Opaque to the compiler: kept in a register, not recomputed. */
	__asm__("" : "+r"(kc));
	return kc;
}

/* The object size of class c.  No requirements. */
static inline size_t
kmem_class_size(unsigned c)
{
	return (size_t)KMEM_MIN_SMALL << c;
}

/*
 * The smallest class whose objects hold size bytes (0 < size <=
 * KMEM_MAX_SMALL): ceil(log2(size)) - KMEM_MIN_SHIFT, at least 0.  No
 * requirements.
 */
static inline unsigned
kmem_size_to_class(size_t size)
{
	if (size <= KMEM_MIN_SMALL)
		return 0;
	return (unsigned)(64 - __builtin_clzl(size - 1)) - KMEM_MIN_SHIFT;
}

/*
 * The order of the smallest block of pages holding size bytes, or -1 if
 * size exceeds the largest block.  No requirements.
 */
static int
kmem_size_to_order(size_t size)
{
	int order = 0;

	if (size > (PAGE_SIZE << KMEM_MAX_LARGE_ORDER))
		return -1;
	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/*
 * Make pg, a fresh page the caller owns, into an empty slab of class c:
 * every object on the free list in address order, each marked free.
 * No requirements (the page is not yet visible to anyone else).
 */
static void
kmem_slab_init(struct vm_page *pg, unsigned c)
{
	char *base = vm_page_kva(pg);
	size_t size = kmem_class_size(c), off;
	struct kmem_freeobj *fo, *head = NULL;

	for (off = PAGE_SIZE; off >= size; off -= size) {
		fo = (struct kmem_freeobj *)(void *)(base + off - size);
		fo->kf_next = head;
		fo->kf_magic = KMEM_FREE_MAGIC;
		head = fo;
	}
	pg->pg_flags |= PG_KMEM_SLAB;
	pg->pg_kmem_class = (uint16_t)c;
	pg->pg_kmem_inuse = 0;
	pg->pg_kmem_free = head;
}

/*
 * Take one object from pg, a slab of class c on the class's list, taking
 * the slab off the list if that was its last free object.  Returns the
 * object.  The caller must hold kmem_lock.
 */
static void *
kmem_slab_take_locked(struct vm_page *pg, unsigned c)
{
	struct kmem_freeobj *fo = pg->pg_kmem_free;
	const char *base = vm_page_kva(pg);

	KASSERT(spin_held(&kmem_lock));
	KASSERT(fo != NULL);
	/* A free object changed since kfree: a write after free. */
	KASSERT(fo->kf_magic == KMEM_FREE_MAGIC);
	KASSERT(fo->kf_next == NULL ||
	    ((const char *)fo->kf_next >= base &&
		(const char *)fo->kf_next < base + PAGE_SIZE));
	pg->pg_kmem_free = fo->kf_next;
	pg->pg_kmem_inuse++;
	if (pg->pg_kmem_free == NULL)
		LIST_REMOVE(pg, pg_list);
	fo->kf_next = NULL;
	fo->kf_magic = 0;
	kmem_bytes += kmem_class_size(c);
	return fo;
}

/*
 * Fill kc's empty cache of class c with up to KMEM_CPU_BATCH objects from
 * the class's slabs.  Returns how many (0: no slab has a free object).
 * The caller holds kc->kc_lock.
 */
static __noinline unsigned
kmem_cpu_refill(struct kmem_cpu *kc, unsigned c)
{
	struct kmem_cpu_class *kcc = &kc->kc_class[c];
	struct vm_page *pg;
	struct kmem_freeobj *fo;
	unsigned n = 0;

	KASSERT(spin_held(&kc->kc_lock) && kcc->kcc_n == 0);
	spin_lock(&kmem_lock);
	while (n < KMEM_CPU_BATCH &&
	    (pg = LIST_FIRST(&kmem_classes[c].kc_partial)) != NULL) {
		KASSERT((pg->pg_flags & PG_KMEM_SLAB) != 0 &&
		    pg->pg_kmem_class == c);
		fo = kmem_slab_take_locked(pg, c);
		fo->kf_magic = KMEM_FREE_MAGIC; /* free, in the cache */
		kcc->kcc_obj[n++] = fo;
	}
	spin_unlock(&kmem_lock);
	kcc->kcc_n = n;
	kc->kc_bytes += n * kmem_class_size(c);
	return n;
}

/*
 * Give a new slab of class c to the class's list.  Returns false when
 * there is no page for it.  No locks held.
 */
static __noinline bool
kmem_slab_add(unsigned c)
{
	struct vm_page *pg = vm_page_alloc(0);

	/* Slabs the caches keep from emptying may free pages. */
	if (pg == NULL && kmem_flush_caches() > 0)
		pg = vm_page_alloc(0);
	if (pg == NULL)
		return false;
	kmem_slab_init(pg, c);
	spin_lock(&kmem_lock);
	/* Another CPU may have added a slab meanwhile; add ours too. */
	LIST_INSERT_HEAD(&kmem_classes[c].kc_partial, pg, pg_list);
	kmem_classes[c].kc_nslabs++;
	spin_unlock(&kmem_lock);
	return true;
}

/*
 * A small allocation of class c, from this CPU's cache, which is
 * refilled from the slabs when empty (a new slab when they are full).
 * Returns the object or NULL.  No requirements.
 */
static void *
kmem_alloc_small(unsigned c)
{
	struct kmem_cpu_class *kcc;
	struct kmem_freeobj *fo;
	struct kmem_cpu *kc;

	for (;;) {
		kc = kmem_cpu_cache();
		kcc = &kc->kc_class[c];
		spin_lock(&kc->kc_lock);
		if (kcc->kcc_n > 0 || kmem_cpu_refill(kc, c) > 0)
			break;
		spin_unlock(&kc->kc_lock);
		if (!kmem_slab_add(c))
			return NULL;
	}
	fo = kcc->kcc_obj[--kcc->kcc_n];
	kc->kc_bytes -= kmem_class_size(c);
	spin_unlock(&kc->kc_lock);
	/* A free object changed since kfree: a write after free. */
	KASSERT(fo->kf_magic == KMEM_FREE_MAGIC);
	fo->kf_next = NULL;
	fo->kf_magic = 0;
	return fo;
}

/*
 * A large allocation: 2^order whole pages, the head marked
 * PG_KMEM_LARGE.  Returns its address or NULL.  No requirements.
 */
static void *
kmem_alloc_large(size_t size, int flags)
{
	struct vm_page *pg;
	int order;

	if ((order = kmem_size_to_order(size)) < 0)
		return NULL;
	pg = vm_page_alloc_contig((unsigned)order,
	    (flags & KM_ZERO) != 0 ? VM_ALLOC_ZERO : 0);
	if (pg == NULL)
		return NULL;
	pg->pg_flags |= PG_KMEM_LARGE;
	spin_lock(&kmem_lock);
	kmem_bytes += PAGE_SIZE << order;
	spin_unlock(&kmem_lock);
	return vm_page_kva(pg);
}

/*
 * Allocate size bytes; see kmem.h.  Returns NULL for size 0 or when
 * memory is exhausted.  No requirements; must not be called with
 * kmem_lock or vm_page_lock held.
 */
void *
kmalloc(size_t size, int flags)
{
	unsigned c;
	void *p;

	if (size == 0)
		return NULL;
	if (size > KMEM_MAX_SMALL)
		return kmem_alloc_large(size, flags);
	c = kmem_size_to_class(size);
	p = kmem_alloc_small(c);
	if (p != NULL && (flags & KM_ZERO) != 0)
		memset(p, 0, kmem_class_size(c));
	return p;
}

/*
 * True if fo, an object of slab pg, is free: on the slab's free list or
 * in a CPU's cache.  Used only to confirm a suspected double free, so
 * the walks (of every cache, and at most PAGE_SIZE / KMEM_MIN_SMALL
 * objects) are rare.  No locks held.
 */
static __noinline bool
kmem_is_free(const struct vm_page *pg, const struct kmem_freeobj *fo)
{
	unsigned c = pg->pg_kmem_class;
	const struct kmem_freeobj *it;
	bool found = false;

	for (unsigned i = 0; i < MAXCPUS && !found; i++) {
		struct kmem_cpu *kc = &kmem_cpu[i];
		struct kmem_cpu_class *kcc = &kc->kc_class[c];

		spin_lock(&kc->kc_lock);
		for (unsigned j = 0; j < kcc->kcc_n; j++)
			found |= kcc->kcc_obj[j] == fo;
		spin_unlock(&kc->kc_lock);
	}
	spin_lock(&kmem_lock);
	for (it = pg->pg_kmem_free; it != NULL && !found; it = it->kf_next)
		found = it == fo;
	spin_unlock(&kmem_lock);
	return found;
}

/*
 * Return fo, a free object of class c, to its slab.  If the slab becomes
 * empty and the class has another slab with free objects, the slab goes
 * off the class's list onto *release, for the caller to free once it has
 * dropped its locks.  The caller must hold kmem_lock.
 */
static void
kmem_slab_put_locked(unsigned c, struct kmem_freeobj *fo,
    struct vm_pglist *release)
{
	struct kmem_class *kc = &kmem_classes[c];
	struct vm_page *pg = vm_page_from_kva(fo);

	KASSERT(spin_held(&kmem_lock));
	KASSERT(pg != NULL && (pg->pg_flags & PG_KMEM_SLAB) != 0);
	KASSERT(pg->pg_kmem_class == c && pg->pg_kmem_inuse > 0);
	if (pg->pg_kmem_free == NULL) /* was full: back on the list */
		LIST_INSERT_HEAD(&kc->kc_partial, pg, pg_list);
	fo->kf_next = pg->pg_kmem_free;
	fo->kf_magic = KMEM_FREE_MAGIC;
	pg->pg_kmem_free = fo;
	pg->pg_kmem_inuse--;
	kmem_bytes -= kmem_class_size(c);

	/* Free an empty slab unless it is the only one left on the list. */
	if (pg->pg_kmem_inuse == 0 &&
	    (LIST_FIRST(&kc->kc_partial) != pg ||
		LIST_NEXT(pg, pg_list) != NULL)) {
		LIST_REMOVE(pg, pg_list);
		kc->kc_nslabs--;
		pg->pg_flags &= ~PG_KMEM_SLAB;
		pg->pg_kmem_free = NULL;
		LIST_INSERT_HEAD(release, pg, pg_list);
	}
}

/*
 * Give the last n objects of kc's cache of class c back to their slabs,
 * the slabs that become free onto *release.  The caller holds
 * kc->kc_lock.
 */
static void
kmem_cpu_drain(struct kmem_cpu *kc, unsigned c, unsigned n,
    struct vm_pglist *release)
{
	struct kmem_cpu_class *kcc = &kc->kc_class[c];

	KASSERT(spin_held(&kc->kc_lock) && n <= kcc->kcc_n);
	/*
	 * Out of kc_bytes before out of kmem_bytes (and into kmem_bytes
	 * before into kc_bytes, kmem_cpu_refill): kmem_used, which reads
	 * kmem_bytes first, may count a moving object as used, never less.
	 */
	kc->kc_bytes -= n * kmem_class_size(c);
	spin_lock(&kmem_lock);
	for (unsigned i = 0; i < n; i++)
		kmem_slab_put_locked(c, kcc->kcc_obj[--kcc->kcc_n], release);
	spin_unlock(&kmem_lock);
}

/*
 * Free every page on list (slabs made empty).  Returns how many.  No
 * locks held.
 */
static uint64_t
kmem_release(struct vm_pglist *list)
{
	struct vm_page *pg;
	uint64_t n = 0;

	while ((pg = LIST_FIRST(list)) != NULL) {
		LIST_REMOVE(pg, pg_list);
		vm_page_free(pg);
		n++;
	}
	return n;
}

/*
 * Put object p of slab pg into this CPU's cache, first giving
 * KMEM_CPU_BATCH of the cache's objects back to their slabs if it is
 * full.  No requirements.
 */
static void
kmem_free_small(struct vm_page *pg, void *p)
{
	struct kmem_freeobj *fo = p;
	unsigned c = pg->pg_kmem_class;
	size_t off = (uintptr_t)p & PAGE_MASK; /* a slab is one page */
	struct kmem_cpu_class *kcc;
	struct vm_pglist release;
	struct kmem_cpu *kc;

	KASSERT(c < KMEM_NCLASS);
	/* kfree of a pointer into the middle of an object. */
	KASSERT(off % kmem_class_size(c) == 0);
	/* kfree of an object that is already free. */
	KASSERT(fo->kf_magic != KMEM_FREE_MAGIC || !kmem_is_free(pg, fo));
	fo->kf_magic = KMEM_FREE_MAGIC;
	LIST_INIT(&release);
	kc = kmem_cpu_cache();
	kcc = &kc->kc_class[c];
	spin_lock(&kc->kc_lock);
	if (__predict_false(kcc->kcc_n == KMEM_CPU_MAX))
		kmem_cpu_drain(kc, c, KMEM_CPU_BATCH, &release);
	kcc->kcc_obj[kcc->kcc_n++] = fo;
	kc->kc_bytes += kmem_class_size(c);
	spin_unlock(&kc->kc_lock);
	if (__predict_false(!LIST_EMPTY(&release)))
		kmem_release(&release);
}

/*
 * Free what kmalloc returned.  NULL is ignored; any other pointer that
 * kmalloc did not return, or that was already freed, panics through a
 * KASSERT when it can be detected.  No requirements; must not be called
 * with kmem_lock or vm_page_lock held.
 */
void
kfree(void *p)
{
	struct vm_page *pg;

	if (p == NULL)
		return;
	/*
	 * The page's flags and class cannot change while it holds a live
	 * object, so they are read before kmem_lock is taken.
	 */
	pg = vm_page_from_kva(p);
	/* kfree of a pointer that is not in the heap at all. */
	KASSERT(pg != NULL);
	if ((pg->pg_flags & PG_KMEM_SLAB) != 0) {
		kmem_free_small(pg, p);
		return;
	}
	/* Neither a slab nor the head of a large block: not kmalloc's. */
	KASSERT((pg->pg_flags & PG_KMEM_LARGE) != 0);
	KASSERT(p == vm_page_kva(pg));
	KASSERT(pg->pg_order <= KMEM_MAX_LARGE_ORDER);
	spin_lock(&kmem_lock);
	KASSERT(kmem_bytes >= (PAGE_SIZE << pg->pg_order));
	kmem_bytes -= PAGE_SIZE << pg->pg_order;
	spin_unlock(&kmem_lock);
	pg->pg_flags &= ~PG_KMEM_LARGE;
	vm_page_free(pg);
}

/*
 * Bytes handed out and not yet freed, each small object counted at its
 * class size and each large block at its whole pages: exact while no CPU
 * allocates or frees (the caches are summed without their locks).  No
 * requirements.
 */
uint64_t
kmem_used(void)
{
	uint64_t n;

	spin_lock(&kmem_lock);
	n = kmem_bytes;
	spin_unlock(&kmem_lock);
	for (unsigned i = 0; i < MAXCPUS; i++)
		n -= __atomic_load_n(&kmem_cpu[i].kc_bytes, __ATOMIC_RELAXED);
	return n;
}

uint64_t
kmem_flush_caches(void)
{
	struct vm_pglist release;

	LIST_INIT(&release);
	for (unsigned i = 0; i < MAXCPUS; i++) {
		struct kmem_cpu *kc = &kmem_cpu[i];

		spin_lock(&kc->kc_lock);
		for (unsigned c = 0; c < KMEM_NCLASS; c++)
			kmem_cpu_drain(kc, c, kc->kc_class[c].kcc_n, &release);
		spin_unlock(&kc->kc_lock);
	}
	return kmem_release(&release);
}

/* The empty slabs are unlinked under kmem_lock, freed after it. */
uint64_t
kmem_reclaim(void)
{
	struct vm_pglist empty;
	struct vm_page *pg, *next;
	uint64_t n = 0;
	unsigned c;

	n = kmem_flush_caches();
	LIST_INIT(&empty);
	spin_lock(&kmem_lock);
	for (c = 0; c < KMEM_NCLASS; c++) {
		for (pg = LIST_FIRST(&kmem_classes[c].kc_partial); pg != NULL;
		     pg = next) {
			next = LIST_NEXT(pg, pg_list);
			if (pg->pg_kmem_inuse != 0)
				continue;
			LIST_REMOVE(pg, pg_list);
			kmem_classes[c].kc_nslabs--;
			pg->pg_flags &= ~PG_KMEM_SLAB;
			pg->pg_kmem_free = NULL;
			LIST_INSERT_HEAD(&empty, pg, pg_list);
		}
	}
	spin_unlock(&kmem_lock);

	n += kmem_release(&empty);
	return n;
}
