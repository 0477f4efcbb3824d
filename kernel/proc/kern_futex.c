/*
 * futex(2) with Linux's x86_64 ABI (<linux/futex.h>): WAIT, WAKE,
 * REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET, WAKE_BITSET, the PRIVATE
 * flag and CLOCK_REALTIME; the PI operations are ENOSYS.
 *
 * Keys.  A futex is named by a key: (vmspace, address) for private
 * memory, as Linux keys a private futex by (mm, address), and
 * (vm_object, offset) for a word in a shared mapping (MAP_SHARED
 * anonymous memory, a memfd), so that processes mapping the same object
 * meet on it.  A key on an object holds a reference to it (futex_key_rel
 * drops it); a vmspace key needs none, since every LWP that can use it
 * belongs to a process holding that vmspace.
 *
 * Waiters.  Each waiting LWP has a struct futex_waiter on its own kernel
 * stack, queued on the bucket its key hashes to, and sleeps on the
 * waiter's own address, so a wake can pick exactly the waiters it wants
 * (wakeup(&waiter)).  A requeue moves a waiter to another bucket; the
 * waiter finds its current bucket through fw_bucket (futex_lock_waiter).
 *
 * Locking.  Each bucket has a spinlock (fb_lock) guarding its queue and
 * the fw_* fields of the waiters on it; two are taken in address order.
 * The user word is read, compared and changed with the bucket lock held
 * through the non-faulting accesses of <copy.h>; when one fails the lock
 * is dropped, the page faulted in with nothing held, and the operation
 * starts over (Linux's pattern with page faults disabled).  A waker
 * removes a waiter from its queue and wakes it with the bucket lock held,
 * so the waiter, which takes that lock before returning, cannot leave
 * (and its stack frame cannot go) before the wakeup is done.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <syscall.h>
#include <proc/futex.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <vm/addrspace.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <linux/futex.h>
#include <linux/time.h>

#define NSEC_PER_SEC 1000000000L

struct futex_key {
	const void *fk_space; /* the vmspace or the vm_object */
	uint64_t fk_addr;     /* the address or the offset in the object */
	bool fk_shared;       /* fk_space is an object we hold a reference to */
};

struct futex_bucket;

struct futex_waiter {
	/* (b): the lock of the bucket fw_bucket names */
	TAILQ_ENTRY(futex_waiter) fw_link;
	struct futex_key fw_key; /* its reference is the waiter's */
	uint32_t fw_bitset;
	bool fw_queued; /* on fw_bucket's queue: not yet woken */
	/* (b), read unlocked (atomic) by futex_lock_waiter */
	struct futex_bucket *fw_bucket;
};

#define FUTEX_NBUCKETS 256

struct futex_bucket {
	struct spinlock fb_lock;
	TAILQ_HEAD(, futex_waiter) fb_waiters; /* (fb_lock) */
} __aligned(64);

static struct futex_bucket futex_buckets[FUTEX_NBUCKETS];
static bool futex_ready;
static struct spinlock futex_init_lock = SPINLOCK_INITIALIZER("futexinit");

/* Set up the buckets once, on first use.  No locks held. */
static void
futex_init(void)
{
	if (__atomic_load_n(&futex_ready, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&futex_init_lock);
	if (!futex_ready) {
		for (int i = 0; i < FUTEX_NBUCKETS; i++) {
			spinlock_init(&futex_buckets[i].fb_lock, "futex");
			TAILQ_INIT(&futex_buckets[i].fb_waiters);
		}
		__atomic_store_n(&futex_ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&futex_init_lock);
}

static struct futex_bucket *
futex_hash(const struct futex_key *k)
{
	uint64_t h =
	    (uint64_t)k->fk_space ^ (k->fk_addr * 0x9e3779b97f4a7c15UL);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9UL;
	h ^= h >> 32;
	return &futex_buckets[h % FUTEX_NBUCKETS];
}

static bool
futex_key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->fk_space == b->fk_space && a->fk_addr == b->fk_addr;
}

/*
 * The key of the futex at uaddr in the calling process.  A private
 * futex (FUTEX_PRIVATE_FLAG) is keyed by address without looking at the
 * map; otherwise a word in a shared mapping is keyed by its object,
 * whose reference the key takes (futex_key_rel).  Returns 0, -EINVAL
 * (misaligned) or -EFAULT (not user memory, not mapped).  No locks held.
 */
static int
futex_key_get(uint64_t uaddr, bool private, struct futex_key *k)
{
	struct vmspace *vm = curproc->p_vmspace;
	struct vm_map_entry *e;

	if ((uaddr & 3) != 0)
		return -EINVAL;
	if (!user_range_ok(uaddr, sizeof(uint32_t)))
		return -EFAULT;
	k->fk_space = vm;
	k->fk_addr = uaddr;
	k->fk_shared = false;
	if (private)
		return 0;
	spin_lock(&vm->vm_lock);
	e = vm_map_lookup(&vm->vm_map, uaddr);
	if (e == NULL) {
		spin_unlock(&vm->vm_lock);
		return -EFAULT;
	}
	if ((e->e_flags & VM_ENTRY_SHARED) && e->e_object != NULL) {
		vm_object_ref(e->e_object);
		k->fk_space = e->e_object;
		k->fk_addr = e->e_offset + (uaddr - e->e_start);
		k->fk_shared = true;
	}
	spin_unlock(&vm->vm_lock);
	return 0;
}

/* Drop the reference a key holds, if any.  No spinlock held. */
static void
futex_key_rel(struct futex_key *k)
{
	if (k->fk_shared)
		vm_object_rel((struct vm_object *)k->fk_space);
	k->fk_shared = false;
}

/* Another reference for a copy of k.  No requirements. */
static void
futex_key_ref(const struct futex_key *k)
{
	if (k->fk_shared)
		vm_object_ref((struct vm_object *)k->fk_space);
}

/*
 * Lock two buckets in address order (one if they are the same), the
 * only order in which two are ever held.  No locks held.
 */
static void
futex_lock2(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a == b) {
		spin_lock(&a->fb_lock);
	} else if (a < b) {
		spin_lock(&a->fb_lock);
		spin_lock_nested(&b->fb_lock, 1);
	} else {
		spin_lock(&b->fb_lock);
		spin_lock_nested(&a->fb_lock, 1);
	}
}

static void
futex_unlock2(struct futex_bucket *a, struct futex_bucket *b)
{
	spin_unlock(&a->fb_lock);
	if (a != b)
		spin_unlock(&b->fb_lock);
}

/*
 * Take w off its queue and wake it.  Its key's reference stays with w
 * (the waiter drops it).  The caller holds w's bucket lock.
 */
static void
futex_wake_waiter(struct futex_waiter *w)
{
	KASSERT(spin_held(&w->fw_bucket->fb_lock) && w->fw_queued);
	TAILQ_REMOVE(&w->fw_bucket->fb_waiters, w, fw_link);
	w->fw_queued = false;
	wakeup(w);
}

/*
 * Wake up to nwake waiters on k whose bitset meets bitset; Linux wakes
 * one even for nwake <= 0.  Returns the number woken.  The caller holds
 * b's lock, b = futex_hash(k).
 */
static int
futex_wake_locked(struct futex_bucket *b, const struct futex_key *k, int nwake,
    uint32_t bitset)
{
	struct futex_waiter *w, *next;
	int n = 0;

	KASSERT(spin_held(&b->fb_lock));
	TAILQ_FOREACH_SAFE(w, &b->fb_waiters, fw_link, next)
	{
		if (!futex_key_eq(&w->fw_key, k) || !(w->fw_bitset & bitset))
			continue;
		futex_wake_waiter(w);
		if (++n >= nwake)
			break;
	}
	return n;
}

/*
 * Read the user word at uaddr with the bucket locks held: on a fault,
 * drop them, fault the page in and return -EAGAIN so the caller starts
 * over (or -EFAULT if the page cannot be had).  The caller holds a and
 * b's locks; they are held again on 0 only.
 */
static int
futex_read_locked(struct futex_bucket *a, struct futex_bucket *b,
    uint32_t *uaddr, uint32_t *val)
{
	if (copyin32_nofault_user(uaddr, val) == 0)
		return 0;
	futex_unlock2(a, b);
	if (copyin(uaddr, val, sizeof(*val)) != 0)
		return -EFAULT;
	return -EAGAIN;
}

/*
 * Lock the bucket w is on now: a requeue may move it while we wait for
 * the lock.  Returns that bucket, locked.  No locks held.
 */
static struct futex_bucket *
futex_lock_waiter(struct futex_waiter *w)
{
	struct futex_bucket *b;

	for (;;) {
		b = __atomic_load_n(&w->fw_bucket, __ATOMIC_ACQUIRE);
		spin_lock(&b->fb_lock);
		if (b == __atomic_load_n(&w->fw_bucket, __ATOMIC_RELAXED))
			return b;
		spin_unlock(&b->fb_lock);
	}
}

static long futex_wait_restart(struct restart_block *rb);

/*
 * FUTEX_WAIT / FUTEX_WAIT_BITSET: if the word at uaddr is val, sleep
 * until woken by a wake that matches bitset, until the deadline (an
 * absolute nanouptime, 0: none), or until the LWP is interrupted.
 * Returns 0 (woken), -EAGAIN (the word is not val), -ETIMEDOUT,
 * -ERESTARTSYS (interrupted, no deadline), -ERESTART_RESTARTBLOCK
 * (interrupted with a deadline: l_restart goes on with the same
 * deadline, as Linux's futex_wait_restart), -EINVAL, -EFAULT.  No locks
 * held.
 */
static long
futex_wait(uint32_t *uaddr, bool private, uint32_t val, uint64_t deadline,
    uint32_t bitset)
{
	struct futex_waiter w;
	struct futex_bucket *b;
	uint32_t cur;
	int error;

	if (bitset == 0)
		return -EINVAL;
	error = futex_key_get((uint64_t)uaddr, private, &w.fw_key);
	if (error != 0)
		return error;
	w.fw_bitset = bitset;
	b = futex_hash(&w.fw_key);
retry:
	spin_lock(&b->fb_lock);
	error = futex_read_locked(b, b, uaddr, &cur);
	if (error == -EAGAIN)
		goto retry;
	if (error != 0)
		goto out;
	if (cur != val) {
		spin_unlock(&b->fb_lock);
		error = -EAGAIN;
		goto out;
	}
	w.fw_bucket = b;
	w.fw_queued = true;
	TAILQ_INSERT_TAIL(&b->fb_waiters, &w, fw_link);
	/* Sleep until a waker takes w off its queue, or we give up. */
	error = 0;
	for (;;) {
		if (!w.fw_queued) {
			error = 0; /* woken, even if the time ran out too */
			break;
		}
		if (error != 0) {
			TAILQ_REMOVE(&b->fb_waiters, &w, fw_link);
			w.fw_queued = false;
			break;
		}
		error = sleep(&w, &b->fb_lock, SLEEP_INTR, deadline);
		spin_unlock(&b->fb_lock);
		b = futex_lock_waiter(&w);
	}
	spin_unlock(&b->fb_lock);
	if (error == -EINTR && deadline == 0) {
		error = -ERESTARTSYS;
	} else if (error == -EINTR) {
		struct restart_block *rb = &curlwp->l_restart;

		rb->fn = futex_wait_restart;
		rb->arg[0] = (uint64_t)uaddr;
		rb->arg[1] = val;
		rb->arg[2] = deadline;
		rb->arg[3] = bitset | (private ? 1UL << 32 : 0);
		error = -ERESTART_RESTARTBLOCK;
	}
out:
	futex_key_rel(&w.fw_key);
	return error;
}

/* restart_syscall after an interrupted timed wait: the same wait. */
static long
futex_wait_restart(struct restart_block *rb)
{
	rb->fn = NULL;
	return futex_wait((uint32_t *)rb->arg[0], (rb->arg[3] >> 32) != 0,
	    (uint32_t)rb->arg[1], rb->arg[2], (uint32_t)rb->arg[3]);
}

/* FUTEX_WAKE / FUTEX_WAKE_BITSET.  Returns the number woken or -errno. */
static long
futex_wake(uint32_t *uaddr, bool private, int nwake, uint32_t bitset)
{
	struct futex_key k;
	struct futex_bucket *b;
	int error, n;

	if (bitset == 0)
		return -EINVAL;
	error = futex_key_get((uint64_t)uaddr, private, &k);
	if (error != 0)
		return error;
	b = futex_hash(&k);
	spin_lock(&b->fb_lock);
	n = futex_wake_locked(b, &k, nwake, bitset);
	spin_unlock(&b->fb_lock);
	futex_key_rel(&k);
	return n;
}

long
futex_wake_user(uint32_t *uaddr, int nwake)
{
	futex_init();
	return futex_wake(uaddr, false, nwake, FUTEX_BITSET_MATCH_ANY);
}

/*
 * The keys of the two words of a requeue or FUTEX_WAKE_OP, each with a
 * reference the caller drops (futex_key_rel), or an error with neither
 * held.  No locks held.
 */
static int
futex_keys_get2(uint32_t *uaddr1, uint32_t *uaddr2, bool private,
    struct futex_key *k1, struct futex_key *k2)
{
	int error = futex_key_get((uint64_t)uaddr1, private, k1);

	if (error != 0)
		return error;
	error = futex_key_get((uint64_t)uaddr2, private, k2);
	if (error != 0)
		futex_key_rel(k1);
	return error;
}

/*
 * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wake up to nwake waiters on uaddr1
 * and move up to nrequeue more to uaddr2, after checking (CMP) that the
 * word at uaddr1 is *cmpval.  Returns the number woken and moved, or
 * -EINVAL, -EFAULT, -EAGAIN.  No locks held.
 */
static long
futex_requeue(uint32_t *uaddr1, bool private, uint32_t *uaddr2, int nwake,
    int nrequeue, const uint32_t *cmpval)
{
	struct futex_key k1, k2;
	struct futex_bucket *b1, *b2;
	struct futex_waiter *w, *next;
	uint32_t cur;
	int error, n = 0;

	if (nwake < 0 || nrequeue < 0)
		return -EINVAL;
	error = futex_keys_get2(uaddr1, uaddr2, private, &k1, &k2);
	if (error != 0)
		return error;
	b1 = futex_hash(&k1);
	b2 = futex_hash(&k2);
retry:
	futex_lock2(b1, b2);
	if (cmpval != NULL) {
		error = futex_read_locked(b1, b2, uaddr1, &cur);
		if (error == -EAGAIN)
			goto retry;
		if (error != 0)
			goto out;
		if (cur != *cmpval) {
			futex_unlock2(b1, b2);
			error = -EAGAIN;
			goto out;
		}
	}
	TAILQ_FOREACH_SAFE(w, &b1->fb_waiters, fw_link, next)
	{
		if (n - nwake >= nrequeue)
			break;
		if (!futex_key_eq(&w->fw_key, &k1))
			continue;
		if (++n <= nwake) {
			futex_wake_waiter(w);
			continue;
		}
		/*
		 * Move w to k2.  The reference w held on k1 is not the last:
		 * our own k1 holds one until we are done.
		 */
		futex_key_ref(&k2);
		futex_key_rel(&w->fw_key);
		w->fw_key = k2;
		if (b1 != b2) {
			TAILQ_REMOVE(&b1->fb_waiters, w, fw_link);
			TAILQ_INSERT_TAIL(&b2->fb_waiters, w, fw_link);
			__atomic_store_n(&w->fw_bucket, b2, __ATOMIC_RELEASE);
		}
	}
	futex_unlock2(b1, b2);
	error = n;
out:
	futex_key_rel(&k1);
	futex_key_rel(&k2);
	return error;
}

/*
 * FUTEX_WAKE_OP's operation on the old value (FUTEX_OP_*), or -ENOSYS
 * for an unknown one.
 */
static int
futex_op_apply(int op, uint32_t oparg, uint32_t old, uint32_t *new)
{
	switch (op) {
	case FUTEX_OP_SET:
		*new = oparg;
		return 0;
	case FUTEX_OP_ADD:
		*new = old + oparg;
		return 0;
	case FUTEX_OP_OR:
		*new = old | oparg;
		return 0;
	case FUTEX_OP_ANDN:
		*new = old & ~oparg;
		return 0;
	case FUTEX_OP_XOR:
		*new = old ^ oparg;
		return 0;
	default:
		return -ENOSYS;
	}
}

/*
 * FUTEX_WAKE_OP: atomically apply encoded_op's operation to the word at
 * uaddr2, wake up to nwake waiters on uaddr1, and, if the old value of
 * uaddr2 passes encoded_op's comparison, up to nwake2 on uaddr2.
 * Returns the number woken, or -EINVAL, -EFAULT, -ENOSYS.  No locks held.
 */
static long
futex_wake_op(uint32_t *uaddr1, bool private, uint32_t *uaddr2, int nwake,
    int nwake2, uint32_t encoded_op)
{
	struct futex_key k1, k2;
	struct futex_bucket *b1, *b2;
	int op = (encoded_op >> 28) & 7, cmp = (encoded_op >> 24) & 15;
	int32_t oparg = (int32_t)(encoded_op << 8) >> 20;
	int32_t cmparg = (int32_t)(encoded_op << 20) >> 20;
	uint32_t old, new, cur;
	bool hit;
	int error, n;

	if (encoded_op & (FUTEX_OP_OPARG_SHIFT << 28))
		oparg = 1U << (oparg & 31);
	if (cmp > FUTEX_OP_CMP_GE)
		return -ENOSYS;
	error = futex_keys_get2(uaddr1, uaddr2, private, &k1, &k2);
	if (error != 0)
		return error;
	b1 = futex_hash(&k1);
	b2 = futex_hash(&k2);
retry:
	futex_lock2(b1, b2);
	for (;;) {
		if (copyin32_nofault_user(uaddr2, &old) != 0)
			goto fault;
		error = futex_op_apply(op, oparg, old, &new);
		if (error != 0) {
			futex_unlock2(b1, b2);
			goto out;
		}
		if (cas32_nofault_user(uaddr2, old, new, &cur) != 0)
			goto fault;
		if (cur == old)
			break;
	}
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		hit = (int32_t)old == cmparg;
		break;
	case FUTEX_OP_CMP_NE:
		hit = (int32_t)old != cmparg;
		break;
	case FUTEX_OP_CMP_LT:
		hit = (int32_t)old < cmparg;
		break;
	case FUTEX_OP_CMP_LE:
		hit = (int32_t)old <= cmparg;
		break;
	case FUTEX_OP_CMP_GT:
		hit = (int32_t)old > cmparg;
		break;
	default:
		hit = (int32_t)old >= cmparg;
		break;
	}
	n = futex_wake_locked(b1, &k1, nwake, FUTEX_BITSET_MATCH_ANY);
	if (hit)
		n += futex_wake_locked(b2, &k2, nwake2, FUTEX_BITSET_MATCH_ANY);
	futex_unlock2(b1, b2);
	error = n;
	goto out;
fault:
	/* Make the page present and writable with nothing held, then retry. */
	futex_unlock2(b1, b2);
	if (vm_fault(curproc->p_vmspace, (vaddr_t)uaddr2, VM_PROT_WRITE) != 0) {
		error = -EFAULT;
		goto out;
	}
	goto retry;
out:
	futex_key_rel(&k1);
	futex_key_rel(&k2);
	return error;
}

/*
 * The deadline (absolute nanouptime) of a wait from the user's timespec:
 * relative for FUTEX_WAIT, absolute on CLOCK_MONOTONIC or, with
 * FUTEX_CLOCK_REALTIME, CLOCK_REALTIME for the others.  Returns 0 or
 * -EFAULT, -EINVAL.  No locks held.
 */
static int
futex_deadline(const struct timespec *uts, int cmd, bool realtime,
    uint64_t *deadline)
{
	struct timespec ts;
	uint64_t ns, now, off;

	if (copyin(uts, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if ((uint64_t)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC / 4)
		ts.tv_sec = UINT64_MAX / NSEC_PER_SEC / 4;
	ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	now = nanouptime();
	if (cmd == FUTEX_WAIT) {
		ns += now;
	} else if (realtime) {
		/* The real-time clock is the uptime plus a fixed offset. */
		off = clock_realtime_ns() - now;
		ns = ns > off ? ns - off : 1;
	}
	*deadline = ns != 0 ? ns : 1; /* 0 would mean no deadline */
	return 0;
}

/*
 * futex(uaddr, op, val, timeout or val2, uaddr2, val3), as Linux's
 * sys_futex and do_futex: the timeout is read first; FUTEX_CLOCK_REALTIME
 * with another operation than FUTEX_WAIT_BITSET, an unknown operation or
 * a PI one is ENOSYS.
 */
long
sys_futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *uts,
    uint32_t *uaddr2, uint32_t val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool private = (op & FUTEX_PRIVATE_FLAG) != 0;
	bool realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
	uint32_t val2 = (uint32_t)(uint64_t)uts;
	uint64_t deadline = 0;
	int error;

	futex_init();
	if ((cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && uts != NULL) {
		error = futex_deadline(uts, cmd, realtime, &deadline);
		if (error != 0)
			return error;
	}
	/* Linux 6.1 takes the flag with FUTEX_WAIT_BITSET alone (and PI). */
	if (realtime && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, private, val, deadline,
		    FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, private, val, deadline, val3);
	case FUTEX_WAKE:
		return futex_wake(uaddr, private, (int)val,
		    FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		return futex_wake(uaddr, private, (int)val, val3);
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, private, uaddr2, (int)val,
		    (int)val2, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, private, uaddr2, (int)val,
		    (int)val2, &val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, private, uaddr2, (int)val,
		    (int)val2, val3);
	default:
		return -ENOSYS;
	}
}

/* ---------------------------------------------------------------------
 * Thread exit: robust lists and clear_child_tid.
 */

#define ROBUST_LIST_LIMIT 2048

/*
 * The futex at uaddr was owned by the dying LWP tid: if its owner field
 * says so, set FUTEX_OWNER_DIED (keeping FUTEX_WAITERS, clearing the
 * owner) and wake one waiter, as Linux's handle_futex_death.  For the
 * pending entry (list_op_pending) a word of 0 means the LWP died between
 * releasing the lock and waking a waiter: wake one.  Faults end the work
 * quietly.  No locks held.
 */
static void
futex_owner_died(uint32_t *uaddr, uint32_t tid, bool pending)
{
	uint32_t old, new, cur;

	if (((uint64_t)uaddr & 3) != 0)
		return;
	for (int tries = 0; tries < 64; tries++) {
		if (copyin(uaddr, &old, sizeof(old)) != 0)
			return;
		if (pending && old == 0) {
			(void)futex_wake_user(uaddr, 1);
			return;
		}
		if ((old & FUTEX_TID_MASK) != tid)
			return;
		new = (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (cas32_nofault_user(uaddr, old, new, &cur) != 0) {
			if (vm_fault(curproc->p_vmspace, (vaddr_t)uaddr,
				VM_PROT_WRITE) != 0)
				return;
			continue;
		}
		if (cur != old)
			continue;
		if (old & FUTEX_WAITERS)
			(void)futex_wake_user(uaddr, 1);
		return;
	}
}

/*
 * Walk the calling LWP's robust list (struct robust_list_head), as
 * Linux's exit_robust_list: at most ROBUST_LIST_LIMIT entries, the
 * pending one last.  No locks held.
 */
static void
futex_exit_robust_list(struct lwp *l)
{
	struct robust_list_head head;
	uint64_t entry, pending, next;
	uint32_t tid = l->l_lid;
	int n = 0;

	if (l->l_robust_list == 0 ||
	    copyin((void *)l->l_robust_list, &head, sizeof(head)) != 0)
		return;
	entry = (uint64_t)head.list.next;
	pending = (uint64_t)head.list_op_pending;
	/* Bit 0 of an entry marks a PI futex: the word is at the same place. */
	while (entry != l->l_robust_list && n++ < ROBUST_LIST_LIMIT) {
		if (copyin((void *)(entry & ~1UL), &next, sizeof(next)) != 0)
			return;
		if ((entry & ~1UL) != (pending & ~1UL))
			futex_owner_died(
			    (uint32_t *)((entry & ~1UL) + head.futex_offset),
			    tid, false);
		entry = next;
	}
	if (pending != 0)
		futex_owner_died(
		    (uint32_t *)((pending & ~1UL) + head.futex_offset), tid,
		    true);
}

void
futex_lwp_exit(void)
{
	struct lwp *l = curlwp;
	uint32_t zero = 0;
	uint32_t *tidp;

	if (curproc->p_vmspace == NULL)
		return;
	futex_init();
	futex_exit_robust_list(l);
	l->l_robust_list = 0;
	tidp = (uint32_t *)l->l_clear_child_tid;
	l->l_clear_child_tid = 0;
	if (tidp != NULL && copyout(&zero, tidp, sizeof(zero)) == 0)
		(void)futex_wake_user(tidp, 1);
}
