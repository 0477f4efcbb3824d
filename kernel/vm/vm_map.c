/*
 * The address-space map (see vm_map.h for what it is and who locks it).
 *
 * The entries live in a red-black tree ordered by e_start; they never
 * overlap, so the in-order walk is also the order of addresses.  Each
 * entry records e_gap, the free space just below it, and e_maxgap, the
 * largest e_gap in its subtree; the free space above the last entry is
 * m_topgap.  vm_map_findspace uses e_maxgap to skip every subtree too
 * fragmented to hold the request, so it descends the tree instead of
 * walking the entries.
 *
 * Keeping e_maxgap right.  RB_AUGMENT(e), which the tree macros call for
 * each node they relink or rotate, recomputes e_maxgap of e from e_gap
 * and its children, and nothing more.  A node can therefore hold a wrong
 * e_maxgap only if it is an ancestor of a node that changed outside the
 * macros' view: the node just linked, the lowest node whose subtree lost
 * the node just unlinked, or an entry whose own e_gap changed.  After
 * each change, vm_map_fixup walks from that node up to the root and
 * recomputes every e_maxgap on the way: O(log n), and correct whatever
 * rotations happened in between.
 *
 * Failure changes nothing: each operation allocates every entry it may
 * need before it touches the tree, and frees them if one is missing.
 */
#include <systm.h>
#include <param.h>
#include <errno.h>
#include <spinlock.h>
#include <vm/kmem.h>
#include <vm/vm_map.h>

static void vm_map_entry_augment(struct vm_map_entry *e);
static int vm_map_clip(struct vm_map *m, vaddr_t start, vaddr_t end,
    bool unmap);

#undef RB_AUGMENT
#define RB_AUGMENT(e) vm_map_entry_augment(e)

/* Order entries by start address; they never overlap.  No requirements. */
static int
vm_map_entry_cmp(struct vm_map_entry *a, struct vm_map_entry *b)
{
	if (a->e_start < b->e_start)
		return -1;
	return a->e_start > b->e_start;
}

RB_GENERATE_STATIC(vm_map_tree, vm_map_entry, e_rb, vm_map_entry_cmp)

#define LEFT(e) RB_LEFT(e, e_rb)
#define RIGHT(e) RB_RIGHT(e, e_rb)
#define PARENT(e) RB_PARENT(e, e_rb)

/* The largest e_gap in the subtree rooted at e (0 if e is NULL). */
static inline vsize_t
subtree_maxgap(const struct vm_map_entry *e)
{
	return e != NULL ? e->e_maxgap : 0;
}

/*
 * What e_maxgap of e must be, given e_gap of e and e_maxgap of its
 * children.  No requirements.
 */
static vsize_t
vm_map_entry_maxgap(const struct vm_map_entry *e)
{
	vsize_t g = e->e_gap;

	g = MAX(g, subtree_maxgap(LEFT(e)));
	return MAX(g, subtree_maxgap(RIGHT(e)));
}

/*
 * Recompute e_maxgap of e alone; its children must be right.  The tree
 * macros call this as RB_AUGMENT.  The caller holds the map's lock; it
 * is not asserted here, since the macros do not pass the map, but every
 * function that reaches the macros asserts it.
 */
static void
vm_map_entry_augment(struct vm_map_entry *e)
{
	e->e_maxgap = vm_map_entry_maxgap(e);
}

/*
 * Recompute e_maxgap from e up to the root, after e's own e_gap changed;
 * every other node must be right (after RB_INSERT they are: the new leaf
 * has no gap yet, and the macros recompute the nodes they rotate).  The
 * walk stops at the first node whose e_maxgap does not change: nothing
 * above it can change either.  e, an entry of m, may be NULL.  The
 * caller holds m's lock.
 */
static void
vm_map_fixup(struct vm_map *m, struct vm_map_entry *e)
{
	KASSERT(vm_map_locked(m));
	for (; e != NULL; e = PARENT(e)) {
		vsize_t old = e->e_maxgap;

		vm_map_entry_augment(e);
		if (e->e_maxgap == old)
			break;
	}
}

/*
 * Recompute e_maxgap from e all the way up to the root.  For after
 * RB_REMOVE, which leaves the nodes above the spot it changed stale (so
 * an unchanged node there says nothing about its ancestors).  e, an
 * entry of m, may be NULL.  The caller holds m's lock.
 */
static void
vm_map_fixup_all(struct vm_map *m, struct vm_map_entry *e)
{
	KASSERT(vm_map_locked(m));
	for (; e != NULL; e = PARENT(e))
		vm_map_entry_augment(e);
}

/* Check that [start, end) is a page-aligned, non-empty range of m. */
static inline void
vm_map_assert_range(const struct vm_map *m, vaddr_t start, vaddr_t end)
{
	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0);
	KASSERT(m->m_min <= start && start < end && end <= m->m_max);
}

/*
 * Free e, an entry just taken out of m's tree, with its reference to its
 * object.  The caller holds m's lock (so vm_object_rel must not need
 * it).
 */
static void
vm_map_entry_free(struct vm_map *m, struct vm_map_entry *e)
{
	KASSERT(vm_map_locked(m));
	if (e->e_object != NULL)
		vm_object_rel(e->e_object);
	kfree(e);
}

/*
 * True if b, the entry just above a, could be part of a: the two touch,
 * and they agree on protection, flags and object, at contiguous offsets
 * when there is an object.  No requirements.
 */
static bool
vm_map_entry_joins(const struct vm_map_entry *a, const struct vm_map_entry *b)
{
	if (a->e_end != b->e_start || a->e_prot != b->e_prot ||
	    a->e_flags != b->e_flags || a->e_object != b->e_object)
		return false;
	return a->e_object == NULL ||
	    a->e_offset + (a->e_end - a->e_start) == b->e_offset;
}

/*
 * Record the free space between prev (NULL: m_min) and next (NULL:
 * m_max), after one of them moved or an entry between them came or went.
 * The caller holds the map's lock.
 */
static void
vm_map_set_gap(struct vm_map *m, struct vm_map_entry *prev,
    struct vm_map_entry *next)
{
	vaddr_t lo;

	KASSERT(vm_map_locked(m));
	lo = prev != NULL ? prev->e_end : m->m_min;
	if (next == NULL) {
		KASSERT(lo <= m->m_max);
		m->m_topgap = m->m_max - lo;
		return;
	}
	KASSERT(lo <= next->e_start);
	next->e_gap = next->e_start - lo;
	vm_map_fixup(m, next);
}

/*
 * Put e, whose range is free in m, into the tree and account for the
 * free space on both sides of it.  The caller holds the map's lock.
 */
static void
vm_map_link(struct vm_map *m, struct vm_map_entry *e)
{
	struct vm_map_entry *dup;

	KASSERT(vm_map_locked(m));
	KASSERT(m->m_min <= e->e_start && e->e_start < e->e_end &&
	    e->e_end <= m->m_max);
	e->e_gap = e->e_maxgap = 0;
	dup = RB_INSERT(vm_map_tree, &m->m_tree, e);
	KASSERT(dup == NULL);
	m->m_nentries++;
	vm_map_set_gap(m, RB_PREV(vm_map_tree, &m->m_tree, e), e);
	vm_map_set_gap(m, e, RB_NEXT(vm_map_tree, &m->m_tree, e));
}

/*
 * The lowest node whose subtree loses e when RB_REMOVE takes e out (NULL
 * if that is no node): e's parent when e has at most one child; else the
 * parent of e's successor, which moves into e's place, or that successor
 * itself if it is e's child.  e is an entry of m.  The caller holds m's
 * lock.
 */
static struct vm_map_entry *
vm_map_unlink_spot(struct vm_map *m, struct vm_map_entry *e)
{
	struct vm_map_entry *s;

	KASSERT(vm_map_locked(m));
	if (LEFT(e) == NULL || RIGHT(e) == NULL)
		return PARENT(e);
	for (s = RIGHT(e); LEFT(s) != NULL; s = LEFT(s))
		continue;
	return PARENT(s) == e ? s : PARENT(s);
}

/*
 * Take e out of the tree; the space it held becomes part of the gap
 * below its successor.  e stays allocated and keeps its object
 * reference.  The caller holds the map's lock.
 */
static void
vm_map_unlink(struct vm_map *m, struct vm_map_entry *e)
{
	struct vm_map_entry *prev, *next, *spot;

	KASSERT(vm_map_locked(m));
	prev = RB_PREV(vm_map_tree, &m->m_tree, e);
	next = RB_NEXT(vm_map_tree, &m->m_tree, e);
	spot = vm_map_unlink_spot(m, e);
	RB_REMOVE(vm_map_tree, &m->m_tree, e);
	KASSERT(m->m_nentries > 0);
	m->m_nentries--;
	vm_map_fixup_all(m, spot);
	vm_map_set_gap(m, prev, next);
}

/*
 * Unlink e, let unmap (if not NULL) tear down what it maps, then put it
 * on *dead for the caller to free, or free it with its object reference
 * at once if dead is NULL.  The caller holds the map's lock.
 */
static void
vm_map_entry_delete(struct vm_map *m, struct vm_map_entry *e,
    vm_map_unmap_fn *unmap, void *arg, struct vm_map_deadlist *dead)
{
	KASSERT(vm_map_locked(m));
	vm_map_unlink(m, e);
	if (unmap != NULL)
		unmap(arg, e);
	if (dead != NULL)
		SLIST_INSERT_HEAD(dead, e, e_dead);
	else
		vm_map_entry_free(m, e);
}

/*
 * Make a, which joins b (vm_map_entry_joins), cover b's range too, and
 * free b with its object reference (a holds its own).  The caller holds
 * the map's lock.
 */
static void
vm_map_absorb(struct vm_map *m, struct vm_map_entry *a, struct vm_map_entry *b)
{
	KASSERT(vm_map_locked(m));
	KASSERT(vm_map_entry_joins(a, b));
	a->e_end = b->e_end;
	vm_map_unlink(m, b);
	vm_map_entry_free(m, b);
}

/*
 * Cut e at va, which lies strictly inside it: e keeps [e_start, va) and
 * upper, a spare allocation, becomes [va, e_end) with e's protection,
 * flags and object (one more reference) at the matching offset.  The
 * caller holds the map's lock.
 */
static void
vm_map_split(struct vm_map *m, struct vm_map_entry *e, vaddr_t va,
    struct vm_map_entry *upper)
{
	KASSERT(vm_map_locked(m));
	KASSERT(e->e_start < va && va < e->e_end);
	*upper = *e;
	upper->e_start = va;
	upper->e_offset = e->e_offset + (va - e->e_start);
	if (upper->e_object != NULL)
		vm_object_ref(upper->e_object);
	e->e_end = va;
	vm_map_link(m, upper);
}

/*
 * Join compatible neighbours whose common boundary lies in [start, end].
 * The caller holds the map's lock.
 */
static void
vm_map_simplify(struct vm_map *m, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e, *next, *prev;

	KASSERT(vm_map_locked(m));
	if ((e = vm_map_first_after(m, start)) == NULL)
		return;
	if ((prev = vm_map_prev(m, e)) != NULL)
		e = prev;
	while (e->e_end <= end && (next = vm_map_next(m, e)) != NULL) {
		if (vm_map_entry_joins(e, next))
			vm_map_absorb(m, e, next);
		else
			e = next;
	}
}

/*
 * Of e and the entries of its left subtree, the one at the highest
 * address with an e_gap of at least len; e or its left subtree must have
 * one.  The caller holds the map's lock.
 */
static struct vm_map_entry *
vm_map_rightmost_fit(struct vm_map *m, struct vm_map_entry *e, vsize_t len)
{
	KASSERT(vm_map_locked(m));
	if (e->e_gap >= len)
		return e;
	e = LEFT(e);
	for (;;) {
		KASSERT(e != NULL && e->e_maxgap >= len);
		m->m_nvisits++;
		if (subtree_maxgap(RIGHT(e)) >= len)
			e = RIGHT(e);
		else if (e->e_gap >= len)
			return e;
		else
			e = LEFT(e);
	}
}

/*
 * Make m an empty map of [min, max), both page aligned, min < max,
 * guarded from now on by lock: the lock of the address space that owns
 * m, which every other function here asserts the caller holds.  lock is
 * NULL only for a map that a single thread uses (the host tests).  No
 * requirements.
 */
void
vm_map_init(struct vm_map *m, vaddr_t min, vaddr_t max, struct spinlock *lock)
{
	KASSERT((min & PAGE_MASK) == 0 && (max & PAGE_MASK) == 0);
	KASSERT(min < max);
	m->m_lock = lock;
	RB_INIT(&m->m_tree);
	m->m_min = min;
	m->m_max = max;
	m->m_nentries = 0;
	m->m_max_entries = VM_MAP_MAX_ENTRIES;
	m->m_topgap = max - min;
	m->m_nvisits = 0;
	m->m_nspare = 0;
}

/*
 * True if the caller holds m's lock, or m has none.  For the assertions
 * that open every function here.  No requirements.
 */
bool
vm_map_locked(const struct vm_map *m)
{
	return m->m_lock == NULL || spin_held(m->m_lock);
}

/*
 * The entry containing va, or NULL.  The caller holds the map's lock.
 */
struct vm_map_entry *
vm_map_lookup(struct vm_map *m, vaddr_t va)
{
	struct vm_map_entry *e;

	KASSERT(vm_map_locked(m));
	e = RB_ROOT(&m->m_tree);
	while (e != NULL) {
		m->m_nvisits++;
		if (va < e->e_start)
			e = LEFT(e);
		else if (va >= e->e_end)
			e = RIGHT(e);
		else
			return e;
	}
	return NULL;
}

/*
 * The lowest entry ending above va (the one containing va, if any), or
 * NULL.  The caller holds the map's lock.
 */
struct vm_map_entry *
vm_map_first_after(struct vm_map *m, vaddr_t va)
{
	struct vm_map_entry *e, *best = NULL;

	KASSERT(vm_map_locked(m));
	e = RB_ROOT(&m->m_tree);
	while (e != NULL) {
		m->m_nvisits++;
		if (e->e_end > va) {
			best = e;
			e = LEFT(e);
		} else
			e = RIGHT(e);
	}
	return best;
}

/*
 * The entry after e in address order, or NULL.  The caller holds the
 * map's lock.
 */
struct vm_map_entry *
vm_map_next(struct vm_map *m, struct vm_map_entry *e)
{
	KASSERT(vm_map_locked(m));
	return RB_NEXT(vm_map_tree, &m->m_tree, e);
}

/*
 * The entry before e in address order, or NULL.  The caller holds the
 * map's lock.
 */
struct vm_map_entry *
vm_map_prev(struct vm_map *m, struct vm_map_entry *e)
{
	KASSERT(vm_map_locked(m));
	return RB_PREV(vm_map_tree, &m->m_tree, e);
}

/*
 * The entry at the lowest address, or NULL if the map is empty.  The
 * caller holds the map's lock.
 */
struct vm_map_entry *
vm_map_min_entry(struct vm_map *m)
{
	KASSERT(vm_map_locked(m));
	return RB_MIN(vm_map_tree, &m->m_tree);
}

/*
 * True if [start, end) (start < end) lies in [m_min, m_max) and no entry
 * overlaps it.  The caller holds the map's lock.
 */
bool
vm_map_is_free(struct vm_map *m, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;

	KASSERT(vm_map_locked(m));
	KASSERT(start < end);
	if (start < m->m_min || end > m->m_max)
		return false;
	e = vm_map_first_after(m, start);
	return e == NULL || e->e_start >= end;
}

/*
 * True if entries cover [start, end) (start < end) without a hole.  The
 * caller holds the map's lock.
 */
bool
vm_map_covers(struct vm_map *m, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e, *next;

	KASSERT(vm_map_locked(m));
	KASSERT(start < end);
	e = vm_map_lookup(m, start);
	while (e != NULL && e->e_end < end) {
		next = vm_map_next(m, e);
		if (next == NULL || next->e_start != e->e_end)
			return false;
		e = next;
	}
	return e != NULL;
}

/*
 * vm_map_insert, taking the entry it needs, if it needs one, from *sparep
 * when that is not NULL (and then setting *sparep to NULL) instead of
 * allocating it; with join false the range becomes an entry of its own
 * even next to a compatible neighbour.  The caller holds the map's lock.
 */
static int
vm_map_insert_spare(struct vm_map *m, vaddr_t start, vaddr_t end,
    vm_prot_t prot, int flags, struct vm_object *obj, uint64_t offset,
    struct vm_map_entry **sparep, bool join)
{
	struct vm_map_entry new, *prev, *next, *e;

	KASSERT(vm_map_locked(m));
	vm_map_assert_range(m, start, end);
	next = vm_map_first_after(m, start);
	if (next != NULL && next->e_start < end)
		return -EEXIST;
	prev = next != NULL ? vm_map_prev(m, next) :
			      RB_MAX(vm_map_tree, &m->m_tree);

	new = (struct vm_map_entry) { .e_start = start,
		.e_end = end,
		.e_prot = prot,
		.e_flags = flags,
		.e_object = obj,
		.e_offset = offset };
	if (join && prev != NULL && vm_map_entry_joins(prev, &new)) {
		prev->e_end = end;
		vm_map_set_gap(m, prev, next);
		if (next != NULL && vm_map_entry_joins(prev, next))
			vm_map_absorb(m, prev, next);
		goto joined;
	}
	if (join && next != NULL && vm_map_entry_joins(&new, next)) {
		next->e_start = start;
		next->e_offset = offset;
		vm_map_set_gap(m, prev, next);
		goto joined;
	}
	if (m->m_nentries >= m->m_max_entries)
		return -ENOMEM;
	if (sparep != NULL && *sparep != NULL) {
		e = *sparep;
		*sparep = NULL;
	} else if ((e = kmalloc(sizeof *e, 0)) == NULL) {
		return -ENOMEM;
	}
	*e = new;
	vm_map_link(m, e);
	return 0;

joined:
	/* The neighbour that grew holds a reference to obj already. */
	if (obj != NULL)
		vm_object_rel(obj);
	return 0;
}

/*
 * Map [start, end), a free page-aligned range of m, with prot, flags and
 * obj at offset; obj is NULL for anonymous memory, else the caller's
 * reference passes to the map.  A neighbour that would join the new
 * range (vm_map_entry_joins) grows to cover it instead, and the map then
 * releases the caller's reference, since that neighbour holds one.
 * Returns 0, -EEXIST if an entry overlaps the range, or -ENOMEM; on
 * failure the caller keeps its reference.  The caller holds the map's
 * lock.
 */
int
vm_map_insert(struct vm_map *m, vaddr_t start, vaddr_t end, vm_prot_t prot,
    int flags, struct vm_object *obj, uint64_t offset)
{
	KASSERT(vm_map_locked(m));
	return vm_map_insert_spare(m, start, end, prot, flags, obj, offset,
	    NULL, true);
}

/*
 * As vm_map_insert, but [start, end) becomes one entry of its own, so
 * that vm_map_delete can take it back out without clipping (which could
 * fail); vm_map_join joins it to its neighbours later.  The caller
 * holds the map's lock.
 */
int
vm_map_insert_alone(struct vm_map *m, vaddr_t start, vaddr_t end,
    vm_prot_t prot, int flags, struct vm_object *obj, uint64_t offset)
{
	KASSERT(vm_map_locked(m));
	return vm_map_insert_spare(m, start, end, prot, flags, obj, offset,
	    NULL, false);
}

/*
 * Join the compatible neighbours whose common boundary lies in [start,
 * end].  Never fails.  The caller holds the map's lock.
 */
void
vm_map_join(struct vm_map *m, vaddr_t start, vaddr_t end)
{
	KASSERT(vm_map_locked(m));
	vm_map_simplify(m, start, end);
}

/*
 * True if new, a range about to replace whatever m maps there, would
 * join what is left next to it: the part below new->e_start of the entry
 * containing the page before it, or the part from new->e_end on of the
 * entry containing new->e_end.  The caller holds the map's lock.
 */
static bool
vm_map_replace_joins(struct vm_map *m, const struct vm_map_entry *new)
{
	struct vm_map_entry *e, piece;

	KASSERT(vm_map_locked(m));
	if (new->e_start > m->m_min &&
	    (e = vm_map_lookup(m, new->e_start - PAGE_SIZE)) != NULL) {
		piece = *e;
		piece.e_end = new->e_start;
		if (vm_map_entry_joins(&piece, new))
			return true;
	}
	if ((e = vm_map_lookup(m, new->e_end)) != NULL) {
		piece = *e;
		piece.e_offset += new->e_end - e->e_start;
		piece.e_start = new->e_end;
		if (vm_map_entry_joins(new, &piece))
			return true;
	}
	return false;
}

/*
 * Map [start, end) (page aligned, start < end, in [m_min, m_max]) with
 * prot, flags and obj at offset in place of whatever m maps there
 * (MAP_FIXED): as vm_map_delete of the range (unmap and dead as there),
 * then vm_map_insert, but all or nothing: what the insertion needs, an
 * entry and room under m_max_entries, is made sure of before anything is
 * removed.  Returns 0, or -ENOMEM with nothing changed (the caller then
 * keeps its reference to obj).  The caller holds the map's lock.
 */
int
vm_map_replace(struct vm_map *m, vaddr_t start, vaddr_t end, vm_prot_t prot,
    int flags, struct vm_object *obj, uint64_t offset, vm_map_unmap_fn *unmap,
    void *arg, struct vm_map_deadlist *dead)
{
	struct vm_map_entry new = { .e_start = start,
		.e_end = end,
		.e_prot = prot,
		.e_flags = flags,
		.e_object = obj,
		.e_offset = offset };
	struct vm_map_entry *e, *lo, *hi, *spare = NULL;
	unsigned gone = 0, left;
	int error;

	KASSERT(vm_map_locked(m));
	vm_map_assert_range(m, start, end);
	if (!vm_map_replace_joins(m, &new)) {
		/* The entries left once the range is removed. */
		lo = vm_map_lookup(m, start);
		hi = vm_map_lookup(m, end);
		for (e = vm_map_first_after(m, start);
		     e != NULL && e->e_start < end; e = vm_map_next(m, e))
			gone++;
		left = m->m_nentries - gone +
		    (lo != NULL && lo->e_start < start) +
		    (hi != NULL && hi->e_start < end);
		if (left >= m->m_max_entries)
			return -ENOMEM;
		if ((spare = kmalloc(sizeof *spare, 0)) == NULL)
			return -ENOMEM;
	}
	error = vm_map_delete(m, start, end, unmap, arg, dead);
	if (error == 0) {
		error = vm_map_insert_spare(m, start, end, prot, flags, obj,
		    offset, &spare, true);
		KASSERT(error == 0);
	}
	kfree(spare); /* not needed after all, or the deletion failed */
	return error;
}

/*
 * Make start and end (page aligned, start < end, in [m_min, m_max])
 * boundaries between entries, splitting the entries that contain them.
 * The upper part of a split entry takes one more reference to the
 * object, at the offset of its start.  Returns 0, or -ENOMEM with
 * nothing changed.  The caller holds the map's lock.
 */
int
vm_map_clip_range(struct vm_map *m, vaddr_t start, vaddr_t end)
{
	KASSERT(vm_map_locked(m));
	return vm_map_clip(m, start, end, false);
}

/*
 * Top m's spare entries up to two, while kmalloc finds memory.  The
 * caller holds the map's lock.
 */
static void
vm_map_spares_fill(struct vm_map *m)
{
	struct vm_map_entry *e;

	while (m->m_nspare < sizeof(m->m_spare) / sizeof(m->m_spare[0]) &&
	    (e = kmalloc(sizeof(*e), 0)) != NULL)
		m->m_spare[m->m_nspare++] = e;
}

/*
 * A new entry for vm_map_clip: kmalloc's, or for an unmap one of m's
 * spares.  NULL when neither is left.  The caller holds the map's lock.
 */
static struct vm_map_entry *
vm_map_clip_entry(struct vm_map *m, bool unmap)
{
	struct vm_map_entry *e = kmalloc(sizeof(*e), 0);

	if (e == NULL && unmap && m->m_nspare > 0)
		e = m->m_spare[--m->m_nspare];
	return e;
}

/*
 * vm_map_clip_range, for a change that keeps the range (unmap false) or
 * removes it (unmap true).  The entry limit m_max_entries counts as
 * Linux's vm.max_map_count does: a change that keeps the range may not
 * split past it, and an unmap may go past it only for the moment (its
 * only net gain is the one entry cut in two around a hole in its
 * middle).  Returns 0, or -ENOMEM with nothing changed.  The caller
 * holds the map's lock.
 */
static int
vm_map_clip(struct vm_map *m, vaddr_t start, vaddr_t end, bool unmap)
{
	struct vm_map_entry *lo, *hi, *lo_upper = NULL, *hi_upper = NULL;
	unsigned grow;

	KASSERT(vm_map_locked(m));
	vm_map_assert_range(m, start, end);
	lo = vm_map_lookup(m, start);
	if (lo != NULL && lo->e_start == start)
		lo = NULL;
	hi = vm_map_lookup(m, end);
	if (hi != NULL && hi->e_start == end)
		hi = NULL;
	if (unmap)
		grow = lo != NULL && lo == hi;
	else
		grow = (lo != NULL) + (hi != NULL);
	if (m->m_nentries + grow > m->m_max_entries)
		return -ENOMEM;
	/* Refilled while memory lasts, so that an unmap never lacks one. */
	vm_map_spares_fill(m);
	if (lo != NULL && (lo_upper = vm_map_clip_entry(m, unmap)) == NULL)
		goto free_lo_upper;
	if (hi != NULL && (hi_upper = vm_map_clip_entry(m, unmap)) == NULL)
		goto free_lo_upper;

	if (lo != NULL) {
		vm_map_split(m, lo, start, lo_upper);
		if (hi == lo)
			hi = lo_upper;
	}
	if (hi != NULL)
		vm_map_split(m, hi, end, hi_upper);
	return 0;

free_lo_upper:
	/* Back among the spares, if it was one (or there is room). */
	if (lo_upper != NULL &&
	    m->m_nspare < sizeof(m->m_spare) / sizeof(m->m_spare[0]))
		m->m_spare[m->m_nspare++] = lo_upper;
	else
		kfree(lo_upper);
	return -ENOMEM;
}

/*
 * Remove every entry in [start, end) (page aligned, start < end, in
 * [m_min, m_max]), clipping those that straddle its ends; holes are
 * fine.  For each removed entry, in address order, unmap(arg, e) (if
 * unmap is not NULL) tears down what e maps, e being already out of the
 * map; then e goes on *dead, for the caller to free with its object
 * reference once it has dropped the lock (vm_map_dead_free), or, if dead
 * is NULL, the map frees it at once.  Returns 0, or -ENOMEM with nothing
 * changed.  The caller holds the map's lock.
 */
int
vm_map_delete(struct vm_map *m, vaddr_t start, vaddr_t end,
    vm_map_unmap_fn *unmap, void *arg, struct vm_map_deadlist *dead)
{
	struct vm_map_entry *e, *next;
	int error;

	KASSERT(vm_map_locked(m));
	if ((error = vm_map_clip(m, start, end, true)) != 0)
		return error;
	for (e = vm_map_first_after(m, start); e != NULL && e->e_start < end;
	     e = next) {
		next = vm_map_next(m, e);
		vm_map_entry_delete(m, e, unmap, arg, dead);
	}
	return 0;
}

/*
 * Free each entry on *dead (taken out of its map by vm_map_delete) and
 * drop its object reference, leaving *dead empty.  No requirements: the
 * entries are the caller's alone, and it should hold no lock, so that a
 * last object reference is not dropped under one.
 */
void
vm_map_dead_free(struct vm_map_deadlist *dead)
{
	struct vm_map_entry *e;

	while ((e = SLIST_FIRST(dead)) != NULL) {
		SLIST_REMOVE_HEAD(dead, e_dead);
		if (e->e_object != NULL)
			vm_object_rel(e->e_object);
		kfree(e);
	}
}

/*
 * Set the protection of [start, end) (page aligned, start < end, in
 * [m_min, m_max]) to prot.  Entries must cover the range without a hole.
 * apply(arg, e) (if apply is not NULL) is called for each entry of the
 * range after its protection changed; then compatible neighbours in and
 * around the range are joined again.  Returns 0, -ENOMEM (a hole, or
 * no memory to clip) or -EACCES (write access to a VM_ENTRY_NOWRITE
 * entry) with nothing changed.  The caller holds the map's lock.
 */
int
vm_map_protect(struct vm_map *m, vaddr_t start, vaddr_t end, vm_prot_t prot,
    vm_map_apply_fn *apply, void *arg)
{
	struct vm_map_entry *e;
	int error;

	KASSERT(vm_map_locked(m));
	vm_map_assert_range(m, start, end);
	if (!vm_map_covers(m, start, end))
		return -ENOMEM;
	if (prot & VM_PROT_WRITE)
		for (e = vm_map_lookup(m, start); e != NULL && e->e_start < end;
		     e = vm_map_next(m, e))
			if (e->e_flags & VM_ENTRY_NOWRITE)
				return -EACCES;
	if ((error = vm_map_clip_range(m, start, end)) != 0)
		return error;
	for (e = vm_map_lookup(m, start); e != NULL && e->e_start < end;
	     e = vm_map_next(m, e)) {
		e->e_prot = prot;
		if (apply != NULL)
			apply(arg, e);
	}
	vm_map_simplify(m, start, end);
	return 0;
}

/*
 * The highest address a such that [a, a + len) is free, m_min <= a and
 * a + len <= top: returns 0 and *addr = a, or -ENOMEM.  len is page
 * aligned and not 0; top is page aligned and at most m_max.
 *
 * Only one free range can straddle top: the one below the lowest entry
 * starting above top, or the one above the last entry.  Every other
 * candidate ends at or below top and fits if its e_gap is large enough.
 * One descent along the search path of top finds both the straddling
 * range and the highest path node that has a fitting gap in itself or
 * its left subtree; a second descent, guided by e_maxgap, finds the
 * highest fitting gap there.  O(log n).  The caller holds the map's
 * lock.
 */
int
vm_map_findspace(struct vm_map *m, vsize_t len, vaddr_t top, vaddr_t *addr)
{
	struct vm_map_entry *e, *above = NULL, *below = NULL;
	vaddr_t lo;

	KASSERT(vm_map_locked(m));
	KASSERT(len > 0 && (len & PAGE_MASK) == 0);
	KASSERT((top & PAGE_MASK) == 0 && top <= m->m_max);
	if (top < m->m_min || top - m->m_min < len)
		return -ENOMEM;

	e = RB_ROOT(&m->m_tree);
	while (e != NULL) {
		m->m_nvisits++;
		if (e->e_start > top) {
			above = e;
			e = LEFT(e);
			continue;
		}
		if (e->e_gap >= len || subtree_maxgap(LEFT(e)) >= len)
			below = e;
		e = RIGHT(e);
	}

	lo = above != NULL ? above->e_start - above->e_gap :
			     m->m_max - m->m_topgap;
	if (lo <= top && top - lo >= len) {
		*addr = top - len;
		return 0;
	}
	if (below == NULL)
		return -ENOMEM;
	e = vm_map_rightmost_fit(m, below, len);
	*addr = e->e_start - len;
	return 0;
}

/*
 * Remove and free every entry, in address order, calling unmap(arg, e)
 * for each as vm_map_delete does; m is then empty.  The tree is not
 * rebalanced entry by entry: the entries are listed, the tree emptied at
 * once, then each entry unmapped and freed.  The caller holds the map's
 * lock.
 */
void
vm_map_destroy(struct vm_map *m, vm_map_unmap_fn *unmap, void *arg)
{
	struct vm_map_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	struct vm_map_entry *e;

	KASSERT(vm_map_locked(m));
	/* Highest first, each to the head: the list is in address order. */
	RB_FOREACH_REVERSE(e, vm_map_tree, &m->m_tree)
	{
		SLIST_INSERT_HEAD(&dead, e, e_dead);
	}
	RB_INIT(&m->m_tree);
	m->m_nentries = 0;
	m->m_topgap = m->m_max - m->m_min;
	while (m->m_nspare > 0)
		kfree(m->m_spare[--m->m_nspare]);
	while ((e = SLIST_FIRST(&dead)) != NULL) {
		SLIST_REMOVE_HEAD(&dead, e_dead);
		if (unmap != NULL)
			unmap(arg, e);
		vm_map_entry_free(m, e);
	}
}

/*
 * Copy every entry of src into dst, which is empty and whose range holds
 * src's entries (fork).  Each copy takes its own reference to the
 * object; once it is in dst, copy(arg, se, de) (if copy is not NULL)
 * copies or shares what the source entry se maps into de, returning 0
 * or a negative errno.  Returns 0, or the first error (-ENOMEM, or
 * copy's): dst then keeps the entries copied so far, and the caller
 * destroys it.  The caller holds both maps' locks.
 */
int
vm_map_copy(struct vm_map *dst, struct vm_map *src, vm_map_copy_fn *copy,
    void *arg)
{
	struct vm_map_entry *se, *de;
	int error;

	KASSERT(vm_map_locked(dst) && vm_map_locked(src));
	KASSERT(dst->m_nentries == 0);
	RB_FOREACH(se, vm_map_tree, &src->m_tree)
	{
		if ((de = kmalloc(sizeof *de, 0)) == NULL)
			return -ENOMEM;
		*de = *se;
		if (de->e_object != NULL)
			vm_object_ref(de->e_object);
		vm_map_link(dst, de);
		if (copy != NULL && (error = copy(arg, se, de)) != 0)
			return error;
	}
	return 0;
}

/*
 * True if e, the entry after the one ending at prev_end (m_min for the
 * first entry), is page aligned, non-empty, above prev_end, inside the
 * map, and records the gap below it.  The caller holds the map's lock.
 */
static bool
vm_map_check_entry(const struct vm_map *m, const struct vm_map_entry *e,
    vaddr_t prev_end)
{
	KASSERT(vm_map_locked(m));
	return (e->e_start & PAGE_MASK) == 0 && (e->e_end & PAGE_MASK) == 0 &&
	    prev_end <= e->e_start && e->e_start < e->e_end &&
	    e->e_end <= m->m_max && e->e_gap == e->e_start - prev_end;
}

/*
 * Check the subtree rooted at e, walking it in address order: its
 * red-black shape (parent links, no red node with a red child, the same
 * number of black nodes on every path), each entry (vm_map_check_entry,
 * *prev_end being the end of the entry before the subtree) and each
 * e_maxgap.  Adds the subtree's entries to *n and leaves in *prev_end
 * the end of its last entry.  Returns the subtree's black height, or -1
 * if something is wrong.  The caller holds the map's lock.
 */
static int
vm_map_check_subtree(const struct vm_map *m, struct vm_map_entry *e,
    vaddr_t *prev_end, unsigned *n)
{
	struct vm_map_entry *l, *r;
	int hl, hr;

	KASSERT(vm_map_locked(m));
	if (e == NULL)
		return 1;
	l = LEFT(e);
	r = RIGHT(e);
	if ((l != NULL && PARENT(l) != e) || (r != NULL && PARENT(r) != e))
		return -1;
	if (RB_COLOR(e, e_rb) == RB_RED &&
	    ((l != NULL && RB_COLOR(l, e_rb) == RB_RED) ||
		(r != NULL && RB_COLOR(r, e_rb) == RB_RED)))
		return -1;
	if ((hl = vm_map_check_subtree(m, l, prev_end, n)) < 0)
		return -1;
	if (!vm_map_check_entry(m, e, *prev_end) ||
	    e->e_maxgap != vm_map_entry_maxgap(e))
		return -1;
	*prev_end = e->e_end;
	(*n)++;
	if ((hr = vm_map_check_subtree(m, r, prev_end, n)) < 0 || hl != hr)
		return -1;
	return hl + (RB_COLOR(e, e_rb) == RB_BLACK);
}

/*
 * True if the map's invariants hold: a valid red-black tree; entries
 * page aligned, non-empty, disjoint, in address order and inside
 * [m_min, m_max); each e_gap the space below its entry, each e_maxgap
 * the largest e_gap of its subtree; m_nentries and m_topgap right.  For
 * tests and assertions: O(n).  The caller holds the map's lock.
 */
bool
vm_map_check(struct vm_map *m)
{
	struct vm_map_entry *root;
	vaddr_t prev_end = m->m_min;
	unsigned n = 0;

	KASSERT(vm_map_locked(m));
	root = RB_ROOT(&m->m_tree);
	if (root != NULL &&
	    (PARENT(root) != NULL || RB_COLOR(root, e_rb) != RB_BLACK))
		return false;
	if (vm_map_check_subtree(m, root, &prev_end, &n) < 0)
		return false;
	return n == m->m_nentries && m->m_topgap == m->m_max - prev_end;
}
