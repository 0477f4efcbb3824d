/*
 * Host unit test of the address-space map (kernel/vm/vm_map.c), with
 * kmalloc over the host's malloc (tests/host/kmem_host.c).
 *
 * Unit checks of each operation come first.  Then every allocation an
 * operation makes is failed in turn, and the map must read the same
 * before and after the failed call.  A random sequence of operations is
 * checked after each step against a model that records, page by page,
 * what is mapped, and against vm_map_check.  Last, a map of 10,000
 * entries must answer lookups and free-space searches by visiting
 * O(log n) nodes.  Objects are fakes that count their references, which
 * must balance at the end.  The seed is printed; pass another as the
 * first argument to repeat a different run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <types.h>
#include <param.h>
#include <errno.h>
#include <spinlock.h>
#include <vm/vm_map.h>

#include "tap.h"

#define SEED 0x766d5f6d6170ULL

#define P(n) ((vaddr_t)(n)*PAGE_SIZE)
#define MIN_VA P(16)
#define MAX_VA P(1 << 20)

/* tests/host/kmem_host.c */
extern long kmem_host_fail_after, kmem_host_nalloc, kmem_host_live;

/* A fake backing object: counts its references. */
struct vm_object {
	int refs;
	int id;
};

static int bad_refs; /* a reference dropped below zero */

void
vm_object_ref(struct vm_object *obj)
{
	obj->refs++;
}

void
vm_object_rel(struct vm_object *obj)
{
	if (obj->refs <= 0)
		bad_refs++;
	obj->refs--;
}

/* Map [start, end) with an object, passing a new reference to the map. */
static int
insert_obj(struct vm_map *m, vaddr_t start, vaddr_t end, vm_prot_t prot,
    int flags, struct vm_object *obj, uint64_t off)
{
	int error;

	if (obj != NULL)
		vm_object_ref(obj);
	error = vm_map_insert(m, start, end, prot, flags, obj, off);
	if (error != 0 && obj != NULL)
		vm_object_rel(obj);
	return error;
}

static int
insert_anon(struct vm_map *m, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	return vm_map_insert(m, start, end, prot, 0, NULL, 0);
}

/* Everything the map records, to compare before and after a call. */
struct snap {
	size_t n;
	uint64_t *w;
};

static struct snap
snapshot(struct vm_map *m)
{
	struct snap sn = { 0, malloc((3 + (size_t)m->m_nentries * 8) * 8) };
	struct vm_map_entry *e;

	sn.w[sn.n++] = m->m_nentries;
	sn.w[sn.n++] = m->m_topgap;
	sn.w[sn.n++] = (uintptr_t)RB_ROOT(&m->m_tree);
	for (e = vm_map_min_entry(m); e != NULL; e = vm_map_next(m, e)) {
		sn.w[sn.n++] = e->e_start;
		sn.w[sn.n++] = e->e_end;
		sn.w[sn.n++] = e->e_gap;
		sn.w[sn.n++] = e->e_maxgap;
		sn.w[sn.n++] = e->e_prot;
		sn.w[sn.n++] = (uint64_t)e->e_flags;
		sn.w[sn.n++] = (uintptr_t)e->e_object;
		sn.w[sn.n++] = e->e_offset;
	}
	return sn;
}

/* True if the two snapshots are the same; frees both. */
static bool
same(struct snap a, struct snap b)
{
	bool eq = a.n == b.n && memcmp(a.w, b.w, a.n * 8) == 0;

	free(a.w);
	free(b.w);
	return eq;
}

/* True if the map's entries are exactly the n ranges in r (pairs). */
static bool
has_entries(struct vm_map *m, const vaddr_t *r, unsigned n)
{
	struct vm_map_entry *e = vm_map_min_entry(m);
	unsigned i;

	if (m->m_nentries != n)
		return false;
	for (i = 0; i < n; i++, e = vm_map_next(m, e))
		if (e == NULL || e->e_start != r[2 * i] ||
		    e->e_end != r[2 * i + 1])
			return false;
	return e == NULL;
}

/* Callbacks that record what they were called for. */
struct calls {
	int n;
	vaddr_t start[16], end[16];
	vm_prot_t prot[16];
	bool checked; /* vm_map_check held inside every call */
	struct vm_map *m;
};

static void
record(void *arg, struct vm_map_entry *e)
{
	struct calls *c = arg;

	if (c->n < 16) {
		c->start[c->n] = e->e_start;
		c->end[c->n] = e->e_end;
		c->prot[c->n] = e->e_prot;
	}
	c->n++;
	if (c->m != NULL && !vm_map_check(c->m))
		c->checked = false;
}

static void
calls_init(struct calls *c, struct vm_map *m)
{
	memset(c, 0, sizeof(*c));
	c->checked = true;
	c->m = m;
}

static void
test_empty(void)
{
	struct vm_map m;
	vaddr_t a = 0;

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	TAP_OK(vm_map_check(&m) && m.m_nentries == 0 &&
		m.m_topgap == MAX_VA - MIN_VA,
	    "empty map: invariants hold");
	TAP_OK(vm_map_lookup(&m, MIN_VA) == NULL &&
		vm_map_first_after(&m, 0) == NULL &&
		vm_map_min_entry(&m) == NULL,
	    "empty map: no entries");
	TAP_OK(vm_map_is_free(&m, MIN_VA, MAX_VA) &&
		!vm_map_is_free(&m, 0, MIN_VA + PAGE_SIZE) &&
		!vm_map_is_free(&m, MAX_VA - PAGE_SIZE, MAX_VA + PAGE_SIZE),
	    "empty map: all free inside its range, nothing outside");
	TAP_OK(!vm_map_covers(&m, MIN_VA, MIN_VA + PAGE_SIZE),
	    "empty map: covers nothing");
	TAP_OK(vm_map_findspace(&m, P(4), MAX_VA, &a) == 0 &&
		a == MAX_VA - P(4),
	    "empty map: findspace at the top");
	TAP_OK(vm_map_findspace(&m, P(4), P(100), &a) == 0 && a == P(96),
	    "empty map: findspace under top");
	TAP_OK(vm_map_findspace(&m, MAX_VA - MIN_VA, MAX_VA, &a) == 0 &&
		a == MIN_VA,
	    "empty map: findspace of the whole range");
	TAP_OK(vm_map_findspace(&m, MAX_VA - MIN_VA + PAGE_SIZE, MAX_VA, &a) ==
		-ENOMEM,
	    "empty map: findspace larger than the map");
	TAP_OK(vm_map_findspace(&m, P(4), P(19), &a) == -ENOMEM &&
		vm_map_findspace(&m, P(4), P(20), &a) == 0 && a == MIN_VA &&
		vm_map_findspace(&m, P(1), P(8), &a) == -ENOMEM,
	    "empty map: findspace respects m_min");
	vm_map_destroy(&m, NULL, NULL);
}

/*
 * A map guarded by a lock: vm_map_locked, which every operation
 * asserts, holds only while the lock is held.
 */
static void
test_lock(void)
{
	struct spinlock lock;
	struct vm_map m;

	spinlock_init(&lock, "map");
	vm_map_init(&m, MIN_VA, MAX_VA, &lock);
	TAP_OK(!vm_map_locked(&m), "lock: not held, vm_map_locked says so");
	spin_lock(&lock);
	TAP_OK(vm_map_locked(&m) &&
		vm_map_insert(&m, P(32), P(40), VM_PROT_READ, 0, NULL, 0) ==
		    0 &&
		vm_map_lookup(&m, P(33)) != NULL && vm_map_check(&m),
	    "lock: held, operations run");
	vm_map_destroy(&m, NULL, NULL);
	spin_unlock(&lock);
}

static void
test_insert(void)
{
	struct vm_map m;
	struct vm_object o1 = { 1, 1 }, o2 = { 1, 2 };
	struct vm_map_entry *e;
	static const vaddr_t two[] = { P(100), P(110), P(120), P(130) };

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	TAP_OK(insert_anon(&m, P(100), P(110), VM_PROT_READ) == 0 &&
		vm_map_check(&m) && m.m_nentries == 1,
	    "insert: one entry");
	e = vm_map_lookup(&m, P(105));
	TAP_OK(e != NULL && e->e_start == P(100) && e->e_end == P(110) &&
		e->e_prot == VM_PROT_READ && e->e_object == NULL,
	    "insert: lookup inside finds it");
	TAP_OK(vm_map_lookup(&m, P(110)) == NULL &&
		vm_map_lookup(&m, P(99)) == NULL &&
		vm_map_lookup(&m, P(100)) == e &&
		vm_map_lookup(&m, P(110) - 1) == e,
	    "insert: lookup at the edges");
	TAP_OK(vm_map_first_after(&m, P(50)) == e &&
		vm_map_first_after(&m, P(109)) == e &&
		vm_map_first_after(&m, P(110)) == NULL,
	    "insert: first_after");
	TAP_OK(insert_anon(&m, P(95), P(101), VM_PROT_WRITE) == -EEXIST &&
		insert_anon(&m, P(109), P(115), VM_PROT_WRITE) == -EEXIST &&
		insert_anon(&m, P(102), P(104), VM_PROT_WRITE) == -EEXIST &&
		insert_anon(&m, P(90), P(120), VM_PROT_WRITE) == -EEXIST &&
		m.m_nentries == 1 && vm_map_check(&m),
	    "insert: overlap at either end, inside or around is EEXIST");
	TAP_OK(!vm_map_is_free(&m, P(109), P(111)) &&
		vm_map_is_free(&m, P(110), P(111)) &&
		vm_map_is_free(&m, P(90), P(100)),
	    "is_free");

	TAP_OK(insert_anon(&m, P(110), P(115), VM_PROT_READ) == 0 &&
		m.m_nentries == 1 && e->e_end == P(115) && vm_map_check(&m),
	    "insert: joins the entry below");
	TAP_OK(insert_anon(&m, P(90), P(100), VM_PROT_READ) == 0 &&
		m.m_nentries == 1 && vm_map_min_entry(&m)->e_start == P(90) &&
		vm_map_check(&m),
	    "insert: joins the entry above");
	TAP_OK(insert_anon(&m, P(120), P(130), VM_PROT_READ) == 0 &&
		m.m_nentries == 2 &&
		insert_anon(&m, P(115), P(120), VM_PROT_READ) == 0 &&
		m.m_nentries == 1 && vm_map_check(&m) &&
		vm_map_covers(&m, P(90), P(130)),
	    "insert: fills a hole, joining both sides into one entry");
	vm_map_destroy(&m, NULL, NULL);

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	insert_anon(&m, P(100), P(110), VM_PROT_READ);
	TAP_OK(insert_anon(&m, P(110), P(120), VM_PROT_WRITE) == 0 &&
		m.m_nentries == 2 && vm_map_check(&m),
	    "insert: no join when the protection differs");
	TAP_OK(vm_map_insert(&m, P(120), P(130), VM_PROT_WRITE, VM_ENTRY_HEAP,
		   NULL, 0) == 0 &&
		m.m_nentries == 3,
	    "insert: no join when the flags differ");
	TAP_OK(vm_map_covers(&m, P(100), P(130)) &&
		!vm_map_covers(&m, P(99), P(130)) &&
		!vm_map_covers(&m, P(100), P(131)),
	    "covers adjacent entries");
	vm_map_destroy(&m, NULL, NULL);

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	TAP_OK(insert_obj(&m, P(100), P(110), VM_PROT_READ, VM_ENTRY_SHARED,
		   &o1, 0) == 0 &&
		o1.refs == 2,
	    "insert: the map holds the object");
	TAP_OK(insert_obj(&m, P(110), P(120), VM_PROT_READ, VM_ENTRY_SHARED,
		   &o1, P(10)) == 0 &&
		m.m_nentries == 1 && o1.refs == 2,
	    "insert: joins the same object at contiguous offsets, "
	    "releasing the extra reference");
	TAP_OK(insert_obj(&m, P(120), P(130), VM_PROT_READ, VM_ENTRY_SHARED,
		   &o1, P(30)) == 0 &&
		m.m_nentries == 2 && o1.refs == 3,
	    "insert: no join at non-contiguous offsets");
	TAP_OK(insert_obj(&m, P(130), P(140), VM_PROT_READ, VM_ENTRY_SHARED,
		   &o2, P(40)) == 0 &&
		m.m_nentries == 3 && o2.refs == 2,
	    "insert: no join with another object");
	TAP_OK(insert_anon(&m, P(140), P(150), VM_PROT_READ) == 0 &&
		vm_map_insert(&m, P(150), P(160), VM_PROT_READ, VM_ENTRY_SHARED,
		    NULL, 0) == 0 &&
		m.m_nentries == 5 && vm_map_check(&m),
	    "insert: no join between an object and anonymous memory");
	vm_map_destroy(&m, NULL, NULL);
	TAP_OK(o1.refs == 1 && o2.refs == 1 && kmem_host_live == 0,
	    "insert: destroy releases every reference and entry");

	/* Joining on both sides with an object: two references go. */
	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	insert_obj(&m, P(100), P(110), VM_PROT_READ, 0, &o1, P(0));
	insert_obj(&m, P(120), P(130), VM_PROT_READ, 0, &o1, P(20));
	TAP_OK(has_entries(&m, two, 2) && o1.refs == 3,
	    "insert: two pieces of one object");
	TAP_OK(insert_obj(&m, P(110), P(120), VM_PROT_READ, 0, &o1, P(10)) ==
		    0 &&
		m.m_nentries == 1 && o1.refs == 2 &&
		vm_map_min_entry(&m)->e_offset == 0 && vm_map_check(&m),
	    "insert: the middle piece joins both, one reference left");
	vm_map_destroy(&m, NULL, NULL);
	TAP_OK(o1.refs == 1 && bad_refs == 0, "insert: references balance");
}

static void
test_clip(void)
{
	struct vm_map m;
	struct vm_object o = { 1, 1 };
	struct vm_map_entry *e;
	static const vaddr_t three[] = { P(100), P(104), P(104), P(106), P(106),
		P(110) };
	long nalloc;

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	insert_obj(&m, P(100), P(110), VM_PROT_READ, VM_ENTRY_SHARED, &o,
	    P(1000));
	TAP_OK(vm_map_clip_range(&m, P(104), P(106)) == 0 &&
		has_entries(&m, three, 3) && vm_map_check(&m),
	    "clip: inside one entry makes three");
	e = vm_map_lookup(&m, P(104));
	TAP_OK(e->e_offset == P(1004) &&
		vm_map_next(&m, e)->e_offset == P(1006) &&
		vm_map_min_entry(&m)->e_offset == P(1000),
	    "clip: offsets advance with the start");
	TAP_OK(o.refs == 4 && e->e_object == &o && e->e_gap == 0,
	    "clip: each piece holds a reference");
	TAP_OK(vm_map_prev(&m, e) == vm_map_min_entry(&m) &&
		vm_map_prev(&m, vm_map_min_entry(&m)) == NULL,
	    "prev walks back");
	nalloc = kmem_host_nalloc;
	TAP_OK(vm_map_clip_range(&m, P(100), P(110)) == 0 &&
		vm_map_clip_range(&m, P(104), P(106)) == 0 &&
		vm_map_clip_range(&m, P(50), P(60)) == 0 &&
		vm_map_clip_range(&m, P(90), P(200)) == 0 &&
		kmem_host_nalloc == nalloc && has_entries(&m, three, 3),
	    "clip: at boundaries or in holes changes nothing, allocates nothing");
	TAP_OK(vm_map_clip_range(&m, P(90), P(102)) == 0 && m.m_nentries == 4 &&
		vm_map_lookup(&m, P(102))->e_start == P(102),
	    "clip: one end in a hole");
	vm_map_destroy(&m, NULL, NULL);
	TAP_OK(o.refs == 1 && kmem_host_live == 0, "clip: all released");
}

static void
test_delete(void)
{
	struct vm_map m;
	struct vm_object o = { 1, 1 };
	struct calls c;
	struct vm_map_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	long live;
	static const vaddr_t split[] = { P(100), P(104), P(106), P(110) };

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	calls_init(&c, &m);
	insert_obj(&m, P(100), P(110), VM_PROT_READ, 0, &o, 0);
	TAP_OK(vm_map_delete(&m, P(104), P(106), record, &c, NULL) == 0 &&
		has_entries(&m, split, 2) && vm_map_check(&m),
	    "delete: the middle of an entry leaves two");
	TAP_OK(c.n == 1 && c.start[0] == P(104) && c.end[0] == P(106) &&
		c.checked,
	    "delete: unmap called once for the piece, map valid");
	TAP_OK(o.refs == 3 && vm_map_lookup(&m, P(106))->e_offset == P(6),
	    "delete: references and offsets of what is left");
	TAP_OK(vm_map_is_free(&m, P(104), P(106)) &&
		!vm_map_covers(&m, P(100), P(110)),
	    "delete: leaves a hole");

	insert_anon(&m, P(120), P(125), VM_PROT_WRITE);
	insert_anon(&m, P(130), P(135), VM_PROT_READ);
	calls_init(&c, &m);
	live = kmem_host_live;
	TAP_OK(vm_map_delete(&m, P(102), P(132), record, &c, &dead) == 0 &&
		vm_map_is_free(&m, P(102), P(132)),
	    "delete: across holes");
	TAP_OK(o.refs == 4 && kmem_host_live == live + 2 && !SLIST_EMPTY(&dead),
	    "delete: a dead list keeps the entries and their references");
	vm_map_dead_free(&dead);
	TAP_OK(SLIST_EMPTY(&dead) && kmem_host_live == live - 2 && o.refs == 2,
	    "delete: vm_map_dead_free frees them");
	TAP_OK(c.n == 4 && c.start[0] == P(102) && c.end[0] == P(104) &&
		c.start[1] == P(106) && c.end[1] == P(110) &&
		c.start[2] == P(120) && c.end[2] == P(125) &&
		c.start[3] == P(130) && c.end[3] == P(132) && c.checked,
	    "delete: unmap called for each piece in address order");
	TAP_OK(m.m_nentries == 2 && vm_map_lookup(&m, P(133)) != NULL &&
		vm_map_lookup(&m, P(132))->e_start == P(132) && o.refs == 2 &&
		vm_map_check(&m),
	    "delete: what remains");
	calls_init(&c, &m);
	TAP_OK(vm_map_delete(&m, P(200), P(300), record, &c, NULL) == 0 &&
		c.n == 0 && m.m_nentries == 2,
	    "delete: of a hole is fine");
	calls_init(&c, &m);
	vm_map_destroy(&m, record, &c);
	TAP_OK(c.n == 2 && c.start[0] == P(100) && c.start[1] == P(132) &&
		m.m_nentries == 0 && vm_map_check(&m) && o.refs == 1 &&
		kmem_host_live == 0,
	    "destroy: unmaps in order and frees all");
}

static void
test_replace(void)
{
	struct vm_map m;
	struct vm_object o = { 1, 1 };
	struct calls c;
	struct snap before;
	struct vm_map_deadlist dead = SLIST_HEAD_INITIALIZER(dead);
	static const vaddr_t three[] = { P(100), P(104), P(104), P(106), P(106),
		P(110) };
	static const vaddr_t one[] = { P(100), P(110) };
	static const vaddr_t two[] = { P(100), P(115), P(115), P(120) };

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	insert_anon(&m, P(100), P(110), VM_PROT_READ | VM_PROT_WRITE);
	calls_init(&c, &m);
	TAP_OK(vm_map_replace(&m, P(104), P(106), VM_PROT_READ, 0, NULL, 0,
		   record, &c, NULL) == 0 &&
		has_entries(&m, three, 3) &&
		vm_map_lookup(&m, P(104))->e_prot == VM_PROT_READ &&
		vm_map_check(&m),
	    "replace: the middle of an entry");
	TAP_OK(c.n == 1 && c.start[0] == P(104) && c.end[0] == P(106) &&
		c.checked,
	    "replace: unmap called for what was there");
	TAP_OK(vm_map_replace(&m, P(104), P(106), VM_PROT_READ | VM_PROT_WRITE,
		   0, NULL, 0, NULL, NULL, NULL) == 0 &&
		has_entries(&m, one, 1) && vm_map_check(&m),
	    "replace: joins both neighbours");

	m.m_max_entries = 1;
	before = snapshot(&m);
	TAP_OK(vm_map_replace(&m, P(104), P(106), VM_PROT_READ, 0, NULL, 0,
		   NULL, NULL, NULL) == -ENOMEM &&
		same(before, snapshot(&m)),
	    "replace: past the entry limit, ENOMEM with nothing removed");
	m.m_max_entries = VM_MAP_MAX_ENTRIES;
	insert_anon(&m, P(110), P(120), VM_PROT_READ);
	m.m_max_entries = 2;
	TAP_OK(vm_map_replace(&m, P(110), P(115), VM_PROT_READ | VM_PROT_WRITE,
		   0, NULL, 0, NULL, NULL, NULL) == 0 &&
		has_entries(&m, two, 2) && vm_map_check(&m),
	    "replace: at the entry limit, joining the entry below");
	m.m_max_entries = VM_MAP_MAX_ENTRIES;

	insert_obj(&m, P(130), P(140), VM_PROT_READ, VM_ENTRY_SHARED, &o, 0);
	TAP_OK(vm_map_replace(&m, P(125), P(145), VM_PROT_READ, 0, NULL, 0,
		   NULL, NULL, &dead) == 0 &&
		o.refs == 2 && !SLIST_EMPTY(&dead) && vm_map_check(&m),
	    "replace: across a hole; the old entry waits on the dead list");
	vm_map_dead_free(&dead);
	TAP_OK(o.refs == 1 && vm_map_lookup(&m, P(130))->e_object == NULL,
	    "replace: and goes with vm_map_dead_free");
	vm_map_destroy(&m, NULL, NULL);
	TAP_OK(kmem_host_live == 0 && bad_refs == 0, "replace: all released");
}

static void
test_protect(void)
{
	struct vm_map m;
	struct calls c;
	struct snap before;
	static const vaddr_t three[] = { P(100), P(104), P(104), P(106), P(106),
		P(110) };
	static const vaddr_t one[] = { P(100), P(110) };
	static const vaddr_t whole[] = { P(100), P(120) };
	static const vaddr_t halves[] = { P(100), P(110), P(110), P(120) };

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	insert_anon(&m, P(100), P(110), VM_PROT_READ);
	insert_anon(&m, P(112), P(120), VM_PROT_READ);
	before = snapshot(&m);
	calls_init(&c, &m);
	TAP_OK(vm_map_protect(&m, P(105), P(115), VM_PROT_NONE, record, &c) ==
		    -ENOMEM &&
		c.n == 0 &&
		vm_map_protect(&m, P(90), P(101), VM_PROT_NONE, record, &c) ==
		    -ENOMEM,
	    "protect: a hole is ENOMEM");
	TAP_OK(same(before, snapshot(&m)), "protect: and changes nothing");
	vm_map_delete(&m, P(112), P(120), NULL, NULL, NULL);

	calls_init(&c, &m);
	TAP_OK(vm_map_protect(&m, P(104), P(106), VM_PROT_READ | VM_PROT_WRITE,
		   record, &c) == 0 &&
		has_entries(&m, three, 3) && vm_map_check(&m),
	    "protect: the middle of an entry splits it");
	TAP_OK(c.n == 1 && c.start[0] == P(104) && c.end[0] == P(106) &&
		c.prot[0] == (VM_PROT_READ | VM_PROT_WRITE),
	    "protect: apply sees the new protection");
	calls_init(&c, &m);
	TAP_OK(vm_map_protect(&m, P(104), P(106), VM_PROT_READ, record, &c) ==
		    0 &&
		has_entries(&m, one, 1) && vm_map_check(&m) &&
		kmem_host_live == 1 + (long)m.m_nspare,
	    "protect: back to the old value joins again");
	insert_anon(&m, P(110), P(120), VM_PROT_NONE);
	calls_init(&c, &m);
	TAP_OK(vm_map_protect(&m, P(100), P(120), VM_PROT_WRITE, record, &c) ==
		    0 &&
		c.n == 2 && has_entries(&m, whole, 1),
	    "protect: over two entries makes them one");
	calls_init(&c, &m);
	TAP_OK(vm_map_protect(&m, P(110), P(120), VM_PROT_READ, record, &c) ==
		    0 &&
		has_entries(&m, halves, 2) && c.n == 1,
	    "protect: the upper half");
	vm_map_destroy(&m, NULL, NULL);
	TAP_OK(kmem_host_live == 0, "protect: nothing leaked");
}

static void
test_findspace(void)
{
	struct vm_map m;
	vaddr_t a = 0;

	vm_map_init(&m, MIN_VA, P(1000), NULL);
	/* Free: [16,100) [110,200) [203,300) [302,900) [950,1000) */
	insert_anon(&m, P(100), P(110), VM_PROT_READ);
	insert_anon(&m, P(200), P(203), VM_PROT_WRITE);
	insert_anon(&m, P(300), P(302), VM_PROT_READ);
	insert_anon(&m, P(900), P(950), VM_PROT_WRITE);
	TAP_OK(vm_map_findspace(&m, P(50), P(1000), &a) == 0 && a == P(950),
	    "findspace: the top gap, exactly");
	TAP_OK(vm_map_findspace(&m, P(51), P(1000), &a) == 0 && a == P(849),
	    "findspace: below the top gap when it is too small");
	TAP_OK(vm_map_findspace(&m, P(598), P(1000), &a) == 0 && a == P(302) &&
		vm_map_findspace(&m, P(599), P(1000), &a) == -ENOMEM,
	    "findspace: the largest gap, exact fit and one more");
	TAP_OK(vm_map_findspace(&m, P(10), P(500), &a) == 0 && a == P(490),
	    "findspace: a gap straddling top is cut at top");
	TAP_OK(vm_map_findspace(&m, P(10), P(305), &a) == 0 && a == P(290),
	    "findspace: a gap too small under top is passed over");
	TAP_OK(vm_map_findspace(&m, P(97), P(300), &a) == 0 && a == P(203),
	    "findspace: exact fit between entries");
	TAP_OK(vm_map_findspace(&m, P(98), P(300), &a) == -ENOMEM,
	    "findspace: nothing large enough under top");
	TAP_OK(vm_map_findspace(&m, P(90), P(220), &a) == 0 && a == P(110),
	    "findspace: the gap below an entry above top");
	TAP_OK(vm_map_findspace(&m, P(84), P(105), &a) == 0 && a == P(16) &&
		vm_map_findspace(&m, P(85), P(105), &a) == -ENOMEM,
	    "findspace: the first gap starts at m_min");
	TAP_OK(vm_map_findspace(&m, P(1), P(301), &a) == 0 && a == P(299),
	    "findspace: top inside an entry");
	vm_map_destroy(&m, NULL, NULL);
}

static int copy_fail_at; /* copy_cb fails on this call (counting from 1) */
static int copy_calls;

static int
copy_cb(void *arg, struct vm_map_entry *se, struct vm_map_entry *de)
{
	(void)arg;
	copy_calls++;
	if (se->e_start != de->e_start || se->e_end != de->e_end ||
	    se->e_object != de->e_object || se->e_offset != de->e_offset ||
	    se->e_prot != de->e_prot || se->e_flags != de->e_flags || se == de)
		return -EINVAL;
	return copy_calls == copy_fail_at ? -EFAULT : 0;
}

static void
test_copy(void)
{
	struct vm_map src, dst;
	struct vm_object o = { 1, 1 };
	struct snap a, b;

	vm_map_init(&src, MIN_VA, MAX_VA, NULL);
	insert_anon(&src, P(100), P(110), VM_PROT_READ);
	insert_obj(&src, P(110), P(120), VM_PROT_READ, VM_ENTRY_SHARED, &o,
	    P(5));
	insert_anon(&src, P(200), P(210), VM_PROT_WRITE);
	vm_map_clip_range(&src, P(112), P(114));

	vm_map_init(&dst, MIN_VA, MAX_VA, NULL);
	copy_calls = 0;
	copy_fail_at = 0;
	TAP_OK(vm_map_copy(&dst, &src, copy_cb, NULL) == 0 && copy_calls == 5 &&
		vm_map_check(&dst),
	    "copy: every entry, each passed to the callback");
	a = snapshot(&src);
	b = snapshot(&dst);
	a.w[2] = b.w[2] = 0; /* the roots differ */
	TAP_OK(same(a, b) && o.refs == 7,
	    "copy: the same entries, each with its own reference");
	vm_map_destroy(&dst, NULL, NULL);

	vm_map_init(&dst, MIN_VA, MAX_VA, NULL);
	copy_calls = 0;
	copy_fail_at = 3;
	TAP_OK(vm_map_copy(&dst, &src, copy_cb, NULL) == -EFAULT &&
		dst.m_nentries == 3 && vm_map_check(&dst),
	    "copy: the callback's error, with what was copied so far");
	vm_map_destroy(&dst, NULL, NULL);
	vm_map_destroy(&src, NULL, NULL);
	TAP_OK(o.refs == 1 && kmem_host_live == 0, "copy: all released");
}

/*
 * A map of a few entries, made afresh for each allocation failure: one
 * object-backed entry, anonymous ones, holes.
 */
static void
build_small(struct vm_map *m, struct vm_object *o)
{
	vm_map_init(m, MIN_VA, MAX_VA, NULL);
	insert_obj(m, P(100), P(120), VM_PROT_READ, VM_ENTRY_SHARED, o, 0);
	insert_anon(m, P(120), P(130), VM_PROT_WRITE);
	insert_anon(m, P(140), P(150), VM_PROT_READ);
}

enum {
	OP_INSERT,
	OP_CLIP,
	OP_DELETE,
	OP_PROTECT,
	OP_COPY,
	OP_REPLACE,
	NOPS
};
static const char *const op_names[] = { "insert", "clip", "delete", "protect",
	"copy", "replace" };

/* The operation under failure injection; returns its result. */
static int
run_op(int op, struct vm_map *m, struct vm_map *dst, struct vm_object *o)
{
	switch (op) {
	case OP_INSERT:
		return insert_obj(m, P(160), P(170), VM_PROT_READ, 0, o, 0);
	case OP_CLIP:
		return vm_map_clip_range(m, P(105), P(145));
	case OP_DELETE:
		return vm_map_delete(m, P(105), P(110), NULL, NULL, NULL);
	case OP_PROTECT:
		return vm_map_protect(m, P(110), P(125), VM_PROT_NONE, NULL,
		    NULL);
	case OP_REPLACE:
		return vm_map_replace(m, P(110), P(145),
		    VM_PROT_READ | VM_PROT_WRITE, 0, NULL, 0, NULL, NULL, NULL);
	default:
		return vm_map_copy(dst, m, NULL, NULL);
	}
}

/*
 * Fail each allocation of each operation in turn: a failed call returns
 * ENOMEM and leaves the map as it was (copy leaves a valid partial copy).
 */
static void
test_nomem(void)
{
	struct vm_map m, dst;
	struct vm_object o = { 1, 1 };
	struct snap before;
	int op, error, k, unchanged, points;

	for (op = 0; op < NOPS; op++) {
		unchanged = 1;
		for (k = 0;; k++) {
			build_small(&m, &o);
			vm_map_init(&dst, MIN_VA, MAX_VA, NULL);
			before = snapshot(&m);
			kmem_host_fail_after = k;
			error = run_op(op, &m, &dst, &o);
			kmem_host_fail_after = -1;
			if (!same(before, snapshot(&m)) && error == -ENOMEM)
				unchanged = 0;
			if (!vm_map_check(&m) || !vm_map_check(&dst))
				unchanged = 0;
			vm_map_destroy(&dst, NULL, NULL);
			vm_map_destroy(&m, NULL, NULL);
			if (error != -ENOMEM)
				break;
		}
		points = k;
		TAP_OK(error == 0 && unchanged && o.refs == 1 &&
			kmem_host_live == 0,
		    "%s: ENOMEM at each of its %d allocations changes nothing",
		    op_names[op], points);
	}
}

/*
 * The random test's model: one record per page of [RMIN, RMAX).
 */
#define RPAGES 32768
#define RMIN P(64)
#define RMAX (RMIN + P(RPAGES))
#define NOBJ 3
#define NRANDOM 20000

struct mpage {
	bool mapped;
	vm_prot_t prot;
	int flags;
	int obj;      /* 0: anonymous, else objs[obj - 1] */
	uint64_t off; /* object offset of this page */
};

static struct mpage model[RPAGES];
static struct vm_object objs[NOBJ];

static size_t
pidx(vaddr_t va)
{
	return (size_t)((va - RMIN) / PAGE_SIZE);
}

/* True if the map agrees with the model at page va. */
static bool
page_agrees(struct vm_map *m, vaddr_t va)
{
	struct vm_map_entry *e = vm_map_lookup(m, va);
	struct mpage *p = &model[pidx(va)];
	int obj;

	if (e == NULL)
		return !p->mapped;
	obj = e->e_object == NULL ? 0 : e->e_object->id;
	return p->mapped && p->prot == e->e_prot && p->flags == e->e_flags &&
	    p->obj == obj &&
	    (obj == 0 || p->off == e->e_offset + (va - e->e_start));
}

/* Compare [start, end) of the map with the model. */
static bool
agrees(struct vm_map *m, vaddr_t start, vaddr_t end)
{
	vaddr_t va;

	start = MAX(start, RMIN);
	end = MIN(end, RMAX);
	for (va = start; va < end; va += PAGE_SIZE)
		if (!page_agrees(m, va))
			return false;
	return true;
}

/* Every object's references: one of the test's, one per entry. */
static bool
refs_agree(struct vm_map *m)
{
	struct vm_map_entry *e;
	int n[NOBJ] = { 0 }, i;

	for (e = vm_map_min_entry(m); e != NULL; e = vm_map_next(m, e))
		if (e->e_object != NULL)
			n[e->e_object->id - 1]++;
	for (i = 0; i < NOBJ; i++)
		if (objs[i].refs != 1 + n[i])
			return false;
	return true;
}

static bool
model_free(vaddr_t start, vaddr_t end)
{
	vaddr_t va;

	for (va = start; va < end; va += PAGE_SIZE)
		if (model[pidx(va)].mapped)
			return false;
	return true;
}

static bool
model_covered(vaddr_t start, vaddr_t end)
{
	vaddr_t va;

	for (va = start; va < end; va += PAGE_SIZE)
		if (!model[pidx(va)].mapped)
			return false;
	return true;
}

/* What findspace must answer, from the model: 0 and *addr or -ENOMEM. */
static int
model_findspace(vsize_t len, vaddr_t top, vaddr_t *addr)
{
	vaddr_t va;
	vsize_t run = 0;

	for (va = top; va > RMIN; va -= PAGE_SIZE) {
		if (model[pidx(va - PAGE_SIZE)].mapped)
			run = 0;
		else if ((run += PAGE_SIZE) == len) {
			*addr = va - PAGE_SIZE;
			return 0;
		}
	}
	return -ENOMEM;
}

/* The random test's callbacks: check entries against the model. */
struct rcheck {
	vaddr_t start, end, last;
	vm_prot_t prot;
	uint64_t pages;
	bool ok;
	struct vm_map *m;
};

static void
rcheck_unmap(void *arg, struct vm_map_entry *e)
{
	struct rcheck *r = arg;
	vaddr_t va;

	if (e->e_start < r->last || e->e_start < r->start ||
	    e->e_end > r->end || vm_map_lookup(r->m, e->e_start) != NULL)
		r->ok = false;
	r->last = e->e_end;
	for (va = e->e_start; va < e->e_end; va += PAGE_SIZE)
		if (!model[pidx(va)].mapped ||
		    model[pidx(va)].prot != e->e_prot)
			r->ok = false;
	r->pages += (e->e_end - e->e_start) / PAGE_SIZE;
}

static void
rcheck_apply(void *arg, struct vm_map_entry *e)
{
	struct rcheck *r = arg;

	if (e->e_start < r->last || e->e_start < r->start ||
	    e->e_end > r->end || e->e_prot != r->prot)
		r->ok = false;
	r->last = e->e_end;
	r->pages += (e->e_end - e->e_start) / PAGE_SIZE;
}

static uint64_t
model_mapped(vaddr_t start, vaddr_t end)
{
	uint64_t n = 0;
	vaddr_t va;

	for (va = start; va < end; va += PAGE_SIZE)
		n += model[pidx(va)].mapped;
	return n;
}

static void
model_set(vaddr_t start, vaddr_t end, bool mapped, vm_prot_t prot, int flags,
    int obj, uint64_t off)
{
	vaddr_t va;

	for (va = start; va < end; va += PAGE_SIZE) {
		struct mpage *p = &model[pidx(va)];

		p->mapped = mapped;
		p->prot = prot;
		p->flags = flags;
		p->obj = obj;
		p->off = off + (va - start);
	}
}

/* A random page-aligned range in the model's space, 1 to maxpages long. */
static void
random_range(unsigned maxpages, vaddr_t *start, vaddr_t *end)
{
	uint64_t len = 1 + rng() % maxpages;
	uint64_t first = rng() % (RPAGES - len + 1);

	*start = RMIN + P(first);
	*end = *start + P(len);
}

/* Counts of what went wrong in the random test. */
struct rstats {
	int result; /* a return value the model does not expect */
	int check;  /* vm_map_check failed */
	int model;  /* the map and the model disagree */
	int nomem;  /* an injected ENOMEM changed the map */
	int cb;     /* a callback saw the wrong entries */
	int clip;   /* clip left no boundary */
	int nomems; /* injected ENOMEMs returned */
	int ops[5];
};

static bool injecting; /* an allocation of this step may fail */

/*
 * Insert at [start, end) with attributes drawn from a few values, offsets
 * mostly following the address so that neighbours can join.  Returns
 * the error; *ok is false if the model expects another one.
 */
static int
rand_insert(struct vm_map *m, vaddr_t start, vaddr_t end, bool *ok)
{
	vm_prot_t prot = rng() % 2 ? VM_PROT_READ : VM_PROT_ALL;
	int flags = rng() % 4 == 0 ? VM_ENTRY_COW : 0;
	int obj = (int)(rng() % (NOBJ + 2)) % (NOBJ + 1);
	uint64_t off = 0;
	int error, expect;

	if (obj != 0)
		off = start - RMIN + (rng() % 8 == 0 ? P(1 + rng() % 4) : 0);
	expect = model_free(start, end) ? 0 : -EEXIST;
	error = insert_obj(m, start, end, prot, flags,
	    obj != 0 ? &objs[obj - 1] : NULL, off);
	if (error == 0)
		model_set(start, end, true, prot, flags, obj, off);
	*ok = error == expect || (injecting && error == -ENOMEM && expect == 0);
	return error;
}

/* findspace under a random top, then insert there. */
static int
rand_findspace(struct vm_map *m, vaddr_t *start, vaddr_t *end, bool *ok)
{
	vsize_t len = *end - *start;
	vaddr_t top = RMIN + P(1 + rng() % RPAGES), a = 0, expect_a = 0;
	int error, expect;
	bool found_ok;

	expect = model_findspace(len, top, &expect_a);
	error = vm_map_findspace(m, len, top, &a);
	found_ok = error == expect && (error != 0 || a == expect_a);
	*ok = found_ok;
	if (error != 0)
		return error;
	*start = a;
	*end = a + len;
	error = rand_insert(m, a, a + len, ok);
	*ok = *ok && found_ok;
	return error;
}

static int
rand_delete(struct vm_map *m, vaddr_t start, vaddr_t end, bool *ok, bool *cb_ok)
{
	struct rcheck r = { start, end, 0, 0, 0, true, m };
	uint64_t mapped = model_mapped(start, end);
	int error;

	error = vm_map_delete(m, start, end, rcheck_unmap, &r, NULL);
	*ok = error == 0 || (injecting && error == -ENOMEM);
	*cb_ok = error != 0 || (r.ok && r.pages == mapped);
	if (error == 0)
		model_set(start, end, false, 0, 0, 0, 0);
	return error;
}

/*
 * Replace [start, end) (vm_map_replace) with attributes drawn as
 * rand_insert draws them: the unmap callback sees exactly what was
 * mapped there, and the model then has the new mapping.
 */
static int
rand_replace(struct vm_map *m, vaddr_t start, vaddr_t end, bool *ok,
    bool *cb_ok)
{
	struct rcheck r = { start, end, 0, 0, 0, true, m };
	uint64_t mapped = model_mapped(start, end), off = 0;
	vm_prot_t prot = rng() % 2 ? VM_PROT_READ : VM_PROT_ALL;
	int flags = rng() % 4 == 0 ? VM_ENTRY_COW : 0;
	int obj = (int)(rng() % (NOBJ + 2)) % (NOBJ + 1), error;
	struct vm_object *o = obj != 0 ? &objs[obj - 1] : NULL;

	if (o != NULL) {
		off = start - RMIN + (rng() % 8 == 0 ? P(1 + rng() % 4) : 0);
		vm_object_ref(o);
	}
	error = vm_map_replace(m, start, end, prot, flags, o, off, rcheck_unmap,
	    &r, NULL);
	if (error != 0 && o != NULL)
		vm_object_rel(o);
	*ok = error == 0 || (injecting && error == -ENOMEM);
	*cb_ok = error != 0 || (r.ok && r.pages == mapped);
	if (error == 0)
		model_set(start, end, true, prot, flags, obj, off);
	return error;
}

static int
rand_protect(struct vm_map *m, vaddr_t start, vaddr_t end, bool *ok,
    bool *cb_ok)
{
	vm_prot_t prot = rng() % 2 ? VM_PROT_READ : VM_PROT_ALL;
	struct rcheck r = { start, end, 0, prot, 0, true, m };
	int error, expect;
	vaddr_t va;

	expect = model_covered(start, end) ? 0 : -ENOMEM;
	error = vm_map_protect(m, start, end, prot, rcheck_apply, &r);
	*ok = error == expect || (injecting && error == -ENOMEM);
	*cb_ok = error != 0 || (r.ok && r.pages == (end - start) / PAGE_SIZE);
	if (error == 0)
		for (va = start; va < end; va += PAGE_SIZE)
			model[pidx(va)].prot = prot;
	return error;
}

static int
rand_clip(struct vm_map *m, vaddr_t start, vaddr_t end, bool *ok, bool *cb_ok)
{
	int error = vm_map_clip_range(m, start, end);

	*ok = error == 0 || (injecting && error == -ENOMEM);
	*cb_ok = error != 0 ||
	    ((!model[pidx(start)].mapped ||
		 vm_map_lookup(m, start)->e_start == start) &&
		(end == RMAX || !model[pidx(end)].mapped ||
		    vm_map_lookup(m, end)->e_start == end));
	return error;
}

/*
 * One random operation on [start, end), maybe with an allocation made to
 * fail; checks the result, the callbacks, the map's invariants and the
 * model around the range.
 */
static void
rand_step(struct vm_map *m, struct rstats *st, unsigned step)
{
	vaddr_t start, end;
	int op = (int)(rng() % 100), error;
	bool inject = rng() % 16 == 0, ok = true, cb_ok = true;
	struct snap before = { 0, NULL };

	op = op < 36 ? 0 : op < 50 ? 1 : op < 72 ? 2 : op < 90 ? 3 : 4;
	st->ops[op]++;
	random_range(op == 2 ? 12 : 8, &start, &end);
	if (inject) {
		before = snapshot(m);
		kmem_host_fail_after = (long)(rng() % 3);
	}
	injecting = inject;
	switch (op) {
	case 0:
		error = rand_insert(m, start, end, &ok);
		break;
	case 1:
		error = rand_findspace(m, &start, &end, &ok);
		break;
	case 2:
		if (rng() % 2)
			error = rand_delete(m, start, end, &ok, &cb_ok);
		else
			error = rand_replace(m, start, end, &ok, &cb_ok);
		break;
	case 3:
		error = rand_protect(m, start, end, &ok, &cb_ok);
		break;
	default:
		error = rand_clip(m, start, end, &ok, &cb_ok);
		break;
	}
	kmem_host_fail_after = -1;

	if (inject) {
		st->nomems += error == -ENOMEM;
		if (!same(before, snapshot(m)) && error == -ENOMEM)
			st->nomem++;
	}
	st->result += !ok;
	st->cb += op == 4 ? 0 : !cb_ok;
	st->clip += op == 4 ? !cb_ok : 0;
	st->check += !vm_map_check(m);
	if (!agrees(m, start - P(9), end + P(9)) ||
	    (step % 1000 == 999 && (!agrees(m, RMIN, RMAX) || !refs_agree(m))))
		st->model++;
}

static void
test_random(uint64_t seed)
{
	struct vm_map m;
	struct rstats st;
	unsigned i, maxn = 0;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < NOBJ; i++)
		objs[i] = (struct vm_object) { 1, (int)i + 1 };
	memset(model, 0, sizeof(model));
	vm_map_init(&m, RMIN, RMAX, NULL);
	rng_state = seed;
	printf("# random operations, seed %#llx (build/host/test_vm_map %#llx "
	       "repeats them)\n",
	    (unsigned long long)seed, (unsigned long long)seed);
	for (i = 0; i < NRANDOM; i++) {
		rand_step(&m, &st, i);
		maxn = MAX(maxn, m.m_nentries);
	}
	printf("# %d inserts, %d findspace+inserts, %d deletes or replaces, "
	       "%d protects, "
	       "%d clips, %d injected ENOMEMs; at most %u entries, %u at the "
	       "end\n",
	    st.ops[0], st.ops[1], st.ops[2], st.ops[3], st.ops[4], st.nomems,
	    maxn, m.m_nentries);
	TAP_OK(st.result == 0,
	    "random: %d operations, every result as the "
	    "model expects (%d wrong)",
	    NRANDOM, st.result);
	TAP_OK(st.check == 0,
	    "random: vm_map_check after every operation "
	    "(%d failed)",
	    st.check);
	TAP_OK(st.model == 0 && agrees(&m, RMIN, RMAX),
	    "random: the map "
	    "agrees with the model page by page (%d times not)",
	    st.model);
	TAP_OK(st.nomem == 0 && st.nomems > 100,
	    "random: %d injected ENOMEMs "
	    "changed nothing (%d did)",
	    st.nomems, st.nomem);
	TAP_OK(st.cb == 0,
	    "random: unmap and apply see exactly the pages, "
	    "in order (%d wrong)",
	    st.cb);
	TAP_OK(st.clip == 0, "random: clip makes boundaries (%d wrong)",
	    st.clip);
	TAP_OK(maxn >= 3000,
	    "random: the map grew to thousands of entries "
	    "(%u)",
	    maxn);
	TAP_OK(refs_agree(&m), "random: object references match the entries");
	vm_map_destroy(&m, NULL, NULL);
	TAP_OK(objs[0].refs == 1 && objs[1].refs == 1 && objs[2].refs == 1 &&
		bad_refs == 0 && kmem_host_live == 0,
	    "random: after destroy, references balance and nothing leaked");
}

/* The height of the subtree rooted at e. */
static int
height(struct vm_map_entry *e)
{
	int l, r;

	if (e == NULL)
		return 0;
	l = height(RB_LEFT(e, e_rb));
	r = height(RB_RIGHT(e, e_rb));
	return 1 + MAX(l, r);
}

/* findspace by walking every gap: 0 and *addr, or -ENOMEM. */
static int
linear_findspace(struct vm_map *m, vsize_t len, vaddr_t top, vaddr_t *addr)
{
	struct vm_map_entry *e;
	vaddr_t lo = m->m_min, hi;
	int error = -ENOMEM;

	for (e = vm_map_min_entry(m);; e = vm_map_next(m, e)) {
		hi = MIN(e != NULL ? e->e_start : m->m_max, top);
		if (hi >= lo + len) {
			*addr = hi - len;
			error = 0;
		}
		if (e == NULL)
			return error;
		lo = e->e_end;
	}
}

/*
 * With 10,000 entries, lookups and free-space searches visit O(log n)
 * nodes.  The entries are placed by findspace itself, each under the
 * last, with holes of 1 to 8 pages between them so that every size of
 * request has to search.
 */
static void
test_scale(void)
{
	struct vm_map m;
	vaddr_t a, got, top = P(1 << 26);
	uint64_t before, most_lookup = 0, most_find = 0;
	int i, error = 0, found = 0, wrong = 0;

	vm_map_init(&m, MIN_VA, P(1 << 26), NULL);
	rng_state = SEED;
	for (i = 0; i < 10000 && error == 0; i++) {
		error = vm_map_findspace(&m, P(1 + rng() % 4), top, &a);
		if (error == 0)
			error = insert_anon(&m, a, a + P(1),
			    i % 2 ? VM_PROT_READ : VM_PROT_WRITE);
		top = a - P(1 + rng() % 8);
	}
	TAP_OK(error == 0 && m.m_nentries == 10000 && vm_map_check(&m),
	    "scale: 10,000 entries placed by findspace");
	printf("# tree height %d for %u entries\n", height(RB_ROOT(&m.m_tree)),
	    m.m_nentries);
	for (i = 0; i < 10000; i++) {
		a = MIN_VA + P(rng() % ((1 << 26) - 16));
		before = m.m_nvisits;
		(void)vm_map_lookup(&m, a);
		most_lookup = MAX(most_lookup, m.m_nvisits - before);

		before = m.m_nvisits;
		found +=
		    vm_map_findspace(&m, P(1 + rng() % 9), a + P(1), &got) == 0;
		most_find = MAX(most_find, m.m_nvisits - before);
	}
	for (i = 0; i < 2000; i++) {
		vaddr_t want = 0;
		vsize_t len = P(1 + rng() % 12);
		int e1, e2;

		top = MIN_VA + P(rng() % ((1 << 26) - 16));
		got = 0;
		e1 = vm_map_findspace(&m, len, top, &got);
		e2 = linear_findspace(&m, len, top, &want);
		if (e1 != e2 || (e1 == 0 && got != want))
			wrong++;
	}
	TAP_OK(wrong == 0,
	    "scale: findspace agrees with a walk of every "
	    "gap (%d times not)",
	    wrong);
	printf("# most nodes visited: lookup %llu, findspace %llu; "
	       "%d of 10,000 searches found space\n",
	    (unsigned long long)most_lookup, (unsigned long long)most_find,
	    found);
	/* A red-black tree of n nodes is at most 2 log2(n + 1) high: 26. */
	TAP_OK(most_lookup <= 26 && most_find < 100 && found > 5000,
	    "scale: lookup and findspace visit O(log n) nodes");
	vm_map_destroy(&m, NULL, NULL);
	TAP_OK(kmem_host_live == 0, "scale: nothing leaked");
}

/*
 * An unmap clips with the map's spare entries when kmalloc finds no
 * memory (vm_map_clip), as Linux's munmap never fails for want of it:
 * a hole cut in an entry's middle, whose first allocation fails, takes
 * a spare instead.
 */
static void
test_unmap_spares(void)
{
	static const vaddr_t holed[] = { P(100), P(104), P(106), P(120) };
	struct vm_map m;
	int error;

	vm_map_init(&m, MIN_VA, MAX_VA, NULL);
	insert_anon(&m, P(100), P(120), VM_PROT_READ);
	/* A clip while memory lasts fills the spares. */
	TAP_OK(vm_map_protect(&m, P(118), P(120), VM_PROT_NONE, NULL, NULL) ==
		    0 &&
		m.m_nspare == 2,
	    "spares: a clip fills two");
	TAP_OK(vm_map_protect(&m, P(118), P(120), VM_PROT_READ, NULL, NULL) ==
		0,
	    "spares: joined again");
	kmem_host_fail_after = 0;
	error = vm_map_delete(&m, P(104), P(106), NULL, NULL, NULL);
	kmem_host_fail_after = -1;
	TAP_OK(error == 0 && has_entries(&m, holed, 2) && m.m_nspare == 1 &&
		vm_map_check(&m),
	    "spares: an unmap whose allocation fails cuts its hole with one");
	vm_map_destroy(&m, NULL, NULL);
	TAP_OK(kmem_host_live == 0, "spares: nothing leaked");
}

int
main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : SEED;

	test_empty();
	test_lock();
	test_insert();
	test_clip();
	test_delete();
	test_replace();
	test_protect();
	test_findspace();
	test_copy();
	test_nomem();
	test_unmap_spares();
	test_random(seed);
	test_scale();
	return tap_done();
}
