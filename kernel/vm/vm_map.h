/*
 * The address-space map: the entries of one address space, each a range
 * of pages [e_start, e_end) with a protection, flags and a backing
 * object, kept in a red-black tree ordered by address.
 *
 * Every entry also records the free space just below it (e_gap), and the
 * tree keeps, in every node, the largest e_gap of its subtree (e_maxgap).
 * Lookups, insertions, removals and the search for free space therefore
 * all cost O(log n), so a process with tens of thousands of mappings
 * pays about what one with ten does.
 *
 * The map is pure bookkeeping: it knows nothing of pages or page tables.
 * Its users (addrspace.c) pass callbacks that tear down or copy what an
 * entry maps.  Every function fails before it changes anything: what it
 * allocates, it allocates first.
 *
 * Locking.  The map has no lock of its own: the lock of the address
 * space that owns it (m_lock, the vmspace's vm_lock) guards the map and
 * its entries, and every function below except vm_map_init asserts that
 * the caller holds it.
 *   (m)  m_lock, the owner's lock
 *   (c)  set by vm_map_init, then constant
 */
#ifndef _VM_VM_MAP_H_
#define _VM_VM_MAP_H_

#include <types.h>
#include <bsd/sys/queue.h>
#include <bsd/sys/tree.h>
#include <vm/vm.h>

struct spinlock;
struct vm_object;

/* Provided by kernel/vm/vm_object.c. */
void vm_object_ref(struct vm_object *obj);
void vm_object_rel(struct vm_object *obj);

/*
 * The most entries a map may hold (Linux's default vm.max_map_count):
 * whatever creates an entry, a new mapping or a split, fails with ENOMEM
 * beyond it.
 */
#define VM_MAP_MAX_ENTRIES 65530

/* e_flags */
#define VM_ENTRY_HEAP 0x1  /* the brk area */
#define VM_ENTRY_STACK 0x2 /* the initial stack */
#define VM_ENTRY_SHARED \
	0x4 /* MAP_SHARED: pages are the object's, fork shares them */
#define VM_ENTRY_COW \
	0x8 /* private memory whose pages may be shared copy-on-write */
/*
 * A shared mapping of a file not open for writing (Linux's VM_SHARED
 * without VM_MAYWRITE): never writable, mprotect refuses with EACCES,
 * and forced writes (vm_write, the vmspace service) fail.
 */
#define VM_ENTRY_NOWRITE 0x10

struct vm_map_entry {
	/* (m) */
	RB_ENTRY(vm_map_entry) e_rb;
	vaddr_t e_start; /* first address, page aligned */
	vaddr_t e_end;   /* first address after, page aligned */
	vsize_t
	    e_gap; /* free bytes between the previous entry's end (or m_min) and e_start */
	vsize_t e_maxgap; /* the largest e_gap in this subtree */
	vm_prot_t e_prot;
	int e_flags; /* VM_ENTRY_* */
	struct vm_object
	    *e_object;     /* one reference; NULL: anonymous private memory */
	uint64_t e_offset; /* byte offset in e_object of e_start */

	/* The caller's, once the entry is out of the map (vm_map_delete). */
	SLIST_ENTRY(vm_map_entry) e_dead;
};
RB_HEAD(vm_map_tree, vm_map_entry);

/*
 * Entries vm_map_delete took out of a map, left for the caller to free
 * with vm_map_dead_free once it has dropped the map's lock (as OpenBSD's
 * uvm_unmap_remove leaves its dead entries to uvm_unmap_detach), so that
 * the last reference to an object goes with no spinlock held.
 */
SLIST_HEAD(vm_map_deadlist, vm_map_entry);

struct vm_map {
	/* (c) */
	struct spinlock *m_lock; /* the owner's; NULL: none (host tests) */
	vaddr_t m_min;           /* entries live in [m_min, m_max) */
	vaddr_t m_max;

	/* (m) */
	struct vm_map_tree m_tree; /* the entries, by address */
	unsigned m_nentries;
	unsigned
	    m_max_entries; /* no change may leave more (but see vm_map_clip) */
	vsize_t
	    m_topgap; /* free bytes between the last entry's end (or m_min) and m_max */
	uint64_t
	    m_nvisits; /* tree nodes visited by searches: a statistic for tests */
	/*
	 * Entries kept for an unmap's clipping when kmalloc finds no memory
	 * (vm_map_clip): an unmap cuts at most two, so with these it needs
	 * no memory, as Linux's munmap never fails for want of it.
	 */
	struct vm_map_entry *m_spare[2];
	unsigned m_nspare;
};

/*
 * Callbacks: what the map's user does with the pages of an entry.  They
 * run with the map's lock held and must not change the map.
 */
typedef void vm_map_unmap_fn(void *arg, struct vm_map_entry *e);
typedef void vm_map_apply_fn(void *arg, struct vm_map_entry *e);
typedef int vm_map_copy_fn(void *arg, struct vm_map_entry *se,
    struct vm_map_entry *de);

/*
 * The contracts in full are at the definitions in vm_map.c.  Ranges are
 * [start, end), page aligned and non-empty; those that change the map
 * must lie in [m_min, m_max).  Each function below except vm_map_init
 * requires the caller to hold the map's lock (m_lock), and asserts it.
 */

/*
 * An empty map of [min, max), guarded by lock (the owning address
 * space's; NULL for a map only one thread ever sees).  No requirements.
 */
void vm_map_init(struct vm_map *m, vaddr_t min, vaddr_t max,
    struct spinlock *lock);

/* True if the caller holds m's lock (or m has none).  No requirements. */
bool vm_map_locked(const struct vm_map *m);

/* The entry containing va, or NULL. */
struct vm_map_entry *vm_map_lookup(struct vm_map *m, vaddr_t va);
/* The lowest entry with e_end > va, or NULL. */
struct vm_map_entry *vm_map_first_after(struct vm_map *m, vaddr_t va);
/* Neighbours in address order, and the lowest entry; NULL at the ends. */
struct vm_map_entry *vm_map_next(struct vm_map *m, struct vm_map_entry *e);
struct vm_map_entry *vm_map_prev(struct vm_map *m, struct vm_map_entry *e);
struct vm_map_entry *vm_map_min_entry(struct vm_map *m);
/* True if [start, end) is inside the map and no entry overlaps it. */
bool vm_map_is_free(struct vm_map *m, vaddr_t start, vaddr_t end);
/* True if entries cover [start, end) without a hole. */
bool vm_map_covers(struct vm_map *m, vaddr_t start, vaddr_t end);
/*
 * The highest a with [a, a + len) free, m_min <= a, a + len <= top
 * (top <= m_max): 0 and *addr = a, or -ENOMEM.  O(log n).
 */
int vm_map_findspace(struct vm_map *m, vsize_t len, vaddr_t top, vaddr_t *addr);

/*
 * Map [start, end) with prot, flags and obj (NULL: anonymous; else the
 * caller's reference passes to the map) at offset, joining a compatible
 * neighbour when it can.  0, -EEXIST if anything overlaps, or -ENOMEM
 * (the caller keeps its reference).
 */
int vm_map_insert(struct vm_map *m, vaddr_t start, vaddr_t end, vm_prot_t prot,
    int flags, struct vm_object *obj, uint64_t offset);
/*
 * As vm_map_insert, but the range becomes an entry of its own, joining
 * no neighbour, so that vm_map_delete takes it back out exactly
 * (mremap's new range, until the move is done).  0, -EEXIST or -ENOMEM.
 */
int vm_map_insert_alone(struct vm_map *m, vaddr_t start, vaddr_t end,
    vm_prot_t prot, int flags, struct vm_object *obj, uint64_t offset);
/* Join the compatible neighbours whose boundary lies in [start, end]. */
void vm_map_join(struct vm_map *m, vaddr_t start, vaddr_t end);
/*
 * Map [start, end) in place of whatever is there (MAP_FIXED): the
 * removal as vm_map_delete (unmap, dead), then the insertion as
 * vm_map_insert, all or nothing.  0, or -ENOMEM with nothing changed.
 */
int vm_map_replace(struct vm_map *m, vaddr_t start, vaddr_t end, vm_prot_t prot,
    int flags, struct vm_object *obj, uint64_t offset, vm_map_unmap_fn *unmap,
    void *arg, struct vm_map_deadlist *dead);
/*
 * Split the entries containing start and end there.  0, or -ENOMEM (no
 * memory, or more than m_max_entries entries) with nothing changed.
 */
int vm_map_clip_range(struct vm_map *m, vaddr_t start, vaddr_t end);
/*
 * Remove [start, end), holes allowed, calling unmap(arg, e) for each
 * removed entry in address order, then putting it on *dead (or freeing
 * it at once if dead is NULL).  0 or -ENOMEM.
 */
int vm_map_delete(struct vm_map *m, vaddr_t start, vaddr_t end,
    vm_map_unmap_fn *unmap, void *arg, struct vm_map_deadlist *dead);
/*
 * Free the entries on *dead with their object references; *dead is then
 * empty.  Requires no lock, and is meant to run with none held.
 */
void vm_map_dead_free(struct vm_map_deadlist *dead);
/*
 * Set prot on [start, end), which entries must cover, calling apply(arg,
 * e) for each changed entry; then join compatible neighbours.  0,
 * -ENOMEM for a hole or no memory, or -EACCES (prot has write access and
 * an entry is VM_ENTRY_NOWRITE), with nothing changed.
 */
int vm_map_protect(struct vm_map *m, vaddr_t start, vaddr_t end, vm_prot_t prot,
    vm_map_apply_fn *apply, void *arg);

/* Remove every entry as vm_map_delete does. */
void vm_map_destroy(struct vm_map *m, vm_map_unmap_fn *unmap, void *arg);
/*
 * Copy src's entries into the empty dst, each with its own object
 * reference, calling copy(arg, se, de) after each.  0 or the first error
 * (dst keeps what was copied; the caller destroys it).
 */
int vm_map_copy(struct vm_map *dst, struct vm_map *src, vm_map_copy_fn *copy,
    void *arg);
/* True if every invariant of the tree holds.  O(n): for tests, KASSERTs. */
bool vm_map_check(struct vm_map *m);

#endif /* !_VM_VM_MAP_H_ */
