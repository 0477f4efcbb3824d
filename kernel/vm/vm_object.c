/*
 * Memory objects (vm_object.h).
 */
#include <systm.h>
#include <param.h>
#include <errno.h>
#include <vm/kmem.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>

static volatile uint64_t nobjects;

/* Order an object's pages by index.  No requirements. */
static int
vm_object_page_cmp(const struct vm_object_page *a,
    const struct vm_object_page *b)
{
	return a->op_index < b->op_index ? -1 : a->op_index > b->op_index;
}

RB_GENERATE_STATIC(vm_object_tree, vm_object_page, op_rb, vm_object_page_cmp)

uint64_t
vm_object_count(void)
{
	return nobjects;
}

struct vm_object *
vm_object_alloc(uint64_t size)
{
	return vm_object_alloc_limited(size, NULL);
}

struct vm_object *
vm_object_alloc_limited(uint64_t size, struct vm_object_limit *limit)
{
	struct vm_object *obj = kmalloc(sizeof(*obj), KM_ZERO);

	if (obj == NULL)
		return NULL;
	obj->vo_refcnt = 1;
	obj->vo_limit = limit;
	if (limit != NULL)
		__atomic_add_fetch(&limit->ol_refs, 1, __ATOMIC_RELAXED);
	obj->vo_size = size;
	spinlock_init(&obj->vo_lock, "vm_object");
	RB_INIT(&obj->vo_pages);
	__atomic_add_fetch(&nobjects, 1, __ATOMIC_RELAXED);
	return obj;
}

void
vm_object_ref(struct vm_object *obj)
{
	KASSERT(obj->vo_refcnt > 0);
	__atomic_add_fetch(&obj->vo_refcnt, 1, __ATOMIC_RELAXED);
}

/*
 * Charge one page to obj's limit: true, or false if it is full.  No
 * requirements.
 */
static bool
vm_object_charge(struct vm_object *obj)
{
	struct vm_object_limit *ol = obj->vo_limit;
	uint64_t n;

	if (ol == NULL)
		return true;
	n = __atomic_load_n(&ol->ol_pages, __ATOMIC_RELAXED);
	do {
		if (n >= __atomic_load_n(&ol->ol_maxpages, __ATOMIC_RELAXED))
			return false;
	} while (!__atomic_compare_exchange_n(&ol->ol_pages, &n, n + 1, true,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

/* Give npages back to obj's limit.  No requirements. */
static void
vm_object_uncharge(struct vm_object *obj, uint64_t npages)
{
	if (obj->vo_limit != NULL && npages != 0)
		__atomic_sub_fetch(&obj->vo_limit->ol_pages, npages,
		    __ATOMIC_RELAXED);
}

/*
 * Forget the object's pages at index first and above: they go on *dead,
 * still holding the object's page references, for vm_object_dead_free
 * once the lock is dropped.  The caller must hold obj->vo_lock.
 */
static void
vm_object_drop_from(struct vm_object *obj, uint64_t first,
    struct vm_object_deadlist *dead)
{
	struct vm_object_page key = { .op_index = first }, *op, *next;
	uint64_t n = 0;

	KASSERT(spin_held(&obj->vo_lock));
	for (op = RB_NFIND(vm_object_tree, &obj->vo_pages, &key); op != NULL;
	     op = next) {
		next = RB_NEXT(vm_object_tree, &obj->vo_pages, op);
		RB_REMOVE(vm_object_tree, &obj->vo_pages, op);
		obj->vo_npages--;
		n++;
		SLIST_INSERT_HEAD(dead, op, op_dead);
	}
	vm_object_uncharge(obj, n);
}

void
vm_object_dead_free(struct vm_object_deadlist *dead)
{
	struct vm_object_page *op;

	while ((op = SLIST_FIRST(dead)) != NULL) {
		SLIST_REMOVE_HEAD(dead, op_dead);
		vm_page_unref(op->op_page);
		kfree(op);
	}
}

void
vm_object_rel(struct vm_object *obj)
{
	struct vm_object_deadlist dead = SLIST_HEAD_INITIALIZER(dead);

	KASSERT(obj->vo_refcnt > 0);
	if (__atomic_sub_fetch(&obj->vo_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* Nobody else can reach obj now; the lock is for the assertions. */
	spin_lock(&obj->vo_lock);
	vm_object_drop_from(obj, 0, &dead);
	KASSERT(obj->vo_npages == 0);
	spin_unlock(&obj->vo_lock);
	vm_object_dead_free(&dead);
	if (obj->vo_limit != NULL)
		vm_object_limit_rel(obj->vo_limit);
	kfree(obj);
	__atomic_sub_fetch(&nobjects, 1, __ATOMIC_RELAXED);
}

void
vm_object_limit_rel(struct vm_object_limit *ol)
{
	KASSERT(ol->ol_refs > 0);
	if (__atomic_sub_fetch(&ol->ol_refs, 1, __ATOMIC_ACQ_REL) == 0 &&
	    ol->ol_release != NULL)
		ol->ol_release(ol);
}

int
vm_object_get_write(struct vm_object *obj)
{
	int n = __atomic_load_n(&obj->vo_writecount, __ATOMIC_RELAXED);

	do {
		if (n < 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&obj->vo_writecount, &n, n + 1,
	    true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return 0;
}

void
vm_object_put_write(struct vm_object *obj)
{
	KASSERT(obj->vo_writecount > 0);
	__atomic_sub_fetch(&obj->vo_writecount, 1, __ATOMIC_RELEASE);
}

int
vm_object_deny_write(struct vm_object *obj)
{
	int n = __atomic_load_n(&obj->vo_writecount, __ATOMIC_RELAXED);

	do {
		if (n > 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&obj->vo_writecount, &n, n - 1,
	    true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return 0;
}

void
vm_object_allow_write(struct vm_object *obj)
{
	KASSERT(obj->vo_writecount < 0);
	__atomic_add_fetch(&obj->vo_writecount, 1, __ATOMIC_RELEASE);
}

int
vm_object_getpage(struct vm_object *obj, uint64_t idx, struct vm_page **pgp)
{
	struct vm_object_page key = { .op_index = idx }, *op, *nop;
	struct vm_page *pg;

	/* Most calls find the page: no allocation for them. */
	pg = vm_object_lookup(obj, idx);
	if (pg != NULL) {
		*pgp = pg;
		return 0;
	}
	/* Allocate first: nothing is allocated with vo_lock held. */
	nop = kmalloc(sizeof(*nop), 0);
	pg = vm_page_alloc(VM_ALLOC_ZERO);
	spin_lock(&obj->vo_lock);
	if (idx >= howmany(obj->vo_size, PAGE_SIZE)) {
		spin_unlock(&obj->vo_lock);
		goto fail_efault;
	}
	op = RB_FIND(vm_object_tree, &obj->vo_pages, &key);
	if (op == NULL) {
		if (nop == NULL || pg == NULL) {
			spin_unlock(&obj->vo_lock);
			kfree(nop);
			if (pg != NULL)
				vm_page_free(pg);
			return -ENOMEM;
		}
		if (!vm_object_charge(obj)) {
			spin_unlock(&obj->vo_lock);
			kfree(nop);
			vm_page_free(pg);
			return -ENOSPC;
		}
		pg->pg_refcnt = 1; /* the object's */
		nop->op_index = idx;
		nop->op_page = pg;
		RB_INSERT(vm_object_tree, &obj->vo_pages, nop);
		obj->vo_npages++;
		op = nop;
		nop = NULL;
		pg = NULL;
	}
	__atomic_add_fetch(&op->op_page->pg_refcnt, 1, __ATOMIC_RELAXED);
	*pgp = op->op_page;
	spin_unlock(&obj->vo_lock);
	kfree(nop);
	if (pg != NULL)
		vm_page_free(pg);
	return 0;
fail_efault:
	kfree(nop);
	if (pg != NULL)
		vm_page_free(pg);
	return -EFAULT;
}

struct vm_page *
vm_object_lookup(struct vm_object *obj, uint64_t idx)
{
	struct vm_object_page key = { .op_index = idx }, *op;
	struct vm_page *pg = NULL;

	spin_lock(&obj->vo_lock);
	if (idx < howmany(obj->vo_size, PAGE_SIZE) &&
	    (op = RB_FIND(vm_object_tree, &obj->vo_pages, &key)) != NULL) {
		pg = op->op_page;
		__atomic_add_fetch(&pg->pg_refcnt, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&obj->vo_lock);
	return pg;
}

int
vm_object_truncate(struct vm_object *obj, uint64_t size,
    struct vm_object_deadlist *dead)
{
	spin_lock(&obj->vo_lock);
	if (size < obj->vo_size) {
		struct vm_object_page key = { .op_index = size / PAGE_SIZE },
				      *op;

		vm_object_drop_from(obj, howmany(size, PAGE_SIZE), dead);
		/* The kept part of the last page: zeros past the new end. */
		op = RB_FIND(vm_object_tree, &obj->vo_pages, &key);
		if (op != NULL && (size & PAGE_MASK) != 0)
			memset((uint8_t *)vm_page_kva(op->op_page) +
				(size & PAGE_MASK),
			    0, PAGE_SIZE - (size & PAGE_MASK));
	}
	obj->vo_size = size;
	spin_unlock(&obj->vo_lock);
	return 0;
}
