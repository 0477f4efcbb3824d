/*
 * Memory objects: a set of pages indexed by page number, shared by every
 * mapping of the object.  They back memfds (memfd_create + ftruncate),
 * MAP_SHARED anonymous memory and tmpfs's regular files (the one page
 * cache: read, write, mmap and exec all use the object's pages).  An
 * object may be charged to a page limit (struct vm_object_limit, a tmpfs
 * instance's size): every page it gains counts, and one past the limit
 * is -ENOSPC.  Private anonymous memory has no
 * object: its pages are reference counted (pg_refcnt counts the mappings
 * of a user page, plus one if an object holds it) and shared
 * copy-on-write after fork.
 *
 * Locking.  vo_lock comes after a vmspace's vm_lock (addrspace.h) and
 * before the page allocator's lock; nothing is allocated under it.
 *   (o)  vo_lock of the object
 *   (a)  atomic
 * memfd_rw also reads vo_size without the lock, as a hint that
 * vm_object_getpage checks again under it.
 */
#ifndef _VM_VM_OBJECT_H_
#define _VM_VM_OBJECT_H_

#include <types.h>
#include <systm.h>
#include <spinlock.h>
#include <vm/vm_page.h>
#include <bsd/sys/queue.h>
#include <bsd/sys/tree.h>

struct vm_page;

struct vm_object_page {
	/* (o) */
	RB_ENTRY(vm_object_page) op_rb;
	uint64_t op_index;       /* page number in the object */
	struct vm_page *op_page; /* holds one reference (pg_refcnt) */
	SLIST_ENTRY(vm_object_page) op_dead; /* out of the tree, to free */
};
RB_HEAD(vm_object_tree, vm_object_page);

/*
 * A limit on the pages of a set of objects (a tmpfs instance).
 *   (c)  set before any object is charged to it, then constant
 *   (a)  atomic
 */
struct vm_object_limit {
	uint64_t ol_maxpages; /* (a) */
	uint64_t ol_pages;    /* (a) pages the objects hold */
	/*
	 * (a) The objects charged to it, plus one for its owner (a tmpfs
	 * instance); the last vm_object_limit_rel calls ol_release (c),
	 * which may free it.  So a file mapped after its tmpfs is unmounted
	 * keeps the limit its pages count against.
	 */
	int ol_refs;
	void (*ol_release)(struct vm_object_limit *ol);
};

/* Drop a reference to ol (see ol_refs).  No locks held. */
void vm_object_limit_rel(struct vm_object_limit *ol);

struct vm_object {
	/* (a) */
	int vo_refcnt; /* mappings, files */

	/*
	 * (a) Linux's i_writecount: > 0, the open files that may write the
	 * object (a tmpfs file's); < 0, the address spaces running a
	 * program mapped from it (exec).  Never both.
	 */
	int vo_writecount;

	/* (c) NULL: no limit.  The object holds a reference (ol_refs). */
	struct vm_object_limit *vo_limit;

	struct spinlock vo_lock;

	/* (o) */
	struct vm_object_tree vo_pages;
	uint64_t vo_npages;
	uint64_t vo_size; /* bytes; pages at or beyond it are gone */
};

/*
 * A new empty object of size bytes with one reference, the caller's
 * (vm_object_rel drops it), or NULL.  No requirements.
 */
struct vm_object *vm_object_alloc(uint64_t size);
/*
 * vm_object_alloc, the pages charged to limit (see struct
 * vm_object_limit).  No requirements.
 */
struct vm_object *vm_object_alloc_limited(uint64_t size,
    struct vm_object_limit *limit);
/*
 * One more reference to obj, which the caller holds one to.  No
 * requirements.
 */
void vm_object_ref(struct vm_object *obj);
/*
 * Drop a reference; the last frees the object's pages.  The caller may
 * hold a vm_lock (a map entry's reference goes under it), but not
 * obj->vo_lock.
 */
void vm_object_rel(struct vm_object *obj);

/*
 * The page at index idx, made (zero-filled) if missing.  Returns 0 and
 * *pgp (with one more reference, the caller's: vm_page_unref drops it),
 * -EFAULT if idx is at or beyond the object's size, -ENOSPC if a new
 * page would pass the object's limit, or -ENOMEM.  The
 * caller may hold a vmspace's vm_lock (vm_fault_locked does), but not
 * obj->vo_lock.
 */
int vm_object_getpage(struct vm_object *obj, uint64_t idx,
    struct vm_page **pgp);

/*
 * The page at index idx if the object has one (with a reference for the
 * caller, dropped with vm_page_unref), else NULL; nothing is made.  The
 * caller may hold a vmspace's vm_lock (vmspace_hold_page does), but not
 * obj->vo_lock.
 */
struct vm_page *vm_object_lookup(struct vm_object *obj, uint64_t idx);

/* Pages taken out of an object, still holding its references. */
SLIST_HEAD(vm_object_deadlist, vm_object_page);

/*
 * Set the size in bytes; pages beyond it leave the object and go on
 * *dead, for vm_object_dead_free once the caller has dropped its locks
 * (mappings of them keep their own references until unmapped).  0 or
 * -ENOMEM.  The caller may hold vmspace_list_lock (vmspace_truncate_object
 * does), but not obj->vo_lock.
 */
int vm_object_truncate(struct vm_object *obj, uint64_t size,
    struct vm_object_deadlist *dead);

/* Drop the pages on *dead and empty it.  No lock held. */
void vm_object_dead_free(struct vm_object_deadlist *dead);

/*
 * One more reference to a user page that the caller holds a reference
 * to, or that a mapping it has locked holds.  Inline: vmspace_xfer takes
 * one per page it copies.  No requirements.
 */
static inline void
vm_page_ref(struct vm_page *pg)
{
	KASSERT(pg->pg_refcnt > 0);
	__atomic_add_fetch(&pg->pg_refcnt, 1, __ATOMIC_RELAXED);
}

/* Drop a user page reference; the last frees the page.  No requirements. */
static inline void
vm_page_unref(struct vm_page *pg)
{
	KASSERT(pg->pg_refcnt > 0);
	if (__atomic_sub_fetch(&pg->pg_refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		vm_page_free(pg);
}

/*
 * Write access and its denial (Linux's get_write_access and
 * deny_write_access): vm_object_get_write counts one more writer, or
 * fails with -ETXTBSY while a program runs from obj; vm_object_deny_write
 * counts one more running program, or fails with -ETXTBSY while obj is
 * open for writing.  vm_object_put_write and vm_object_allow_write undo
 * them.  The caller holds a reference to obj.  No requirements.
 */
int vm_object_get_write(struct vm_object *obj);
void vm_object_put_write(struct vm_object *obj);
int vm_object_deny_write(struct vm_object *obj);
void vm_object_allow_write(struct vm_object *obj);

/* Live objects, for tests.  No requirements. */
uint64_t vm_object_count(void);

#endif /* !_VM_VM_OBJECT_H_ */
