/*
 * Self tests of the sleeping mutexes (mutex.c) and of kmalloc's caches
 * per CPU (vm/kmem.c) under true concurrency: kernel LWPs, one per online
 * CPU (at least two), contend for one mutex, and pass objects allocated
 * on one CPU to be freed on another.
 */
#include <systm.h>
#include <clock.h>
#include <ktest.h>
#include <mutex.h>
#include <cpuset.h>
#include <arch/cpu.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>

#define MT_WORKERS_MAX 4

/* The CPU of worker i: the online CPUs in turn. */
static cpuset_t
mutex_test_cpu(unsigned i)
{
	cpuset_t online = sched_online_cpus();
	unsigned n = cpuset_count(online);

	for (unsigned k = i % n; k > 0; k--)
		online &= online - 1;
	return online & -online;
}

/* The number of workers: one per online CPU, at least 2, at most 4. */
static unsigned
mutex_test_workers(void)
{
	unsigned n = cpuset_count(sched_online_cpus());

	return n < 2 ? 2 : n > MT_WORKERS_MAX ? MT_WORKERS_MAX : n;
}

struct contend {
	struct mutex ct_mutex;
	unsigned long ct_count; /* (ct_mutex) */
	unsigned long ct_rounds;
	volatile bool ct_overlap; /* two holders at once */
	volatile unsigned ct_inside;
};

/*
 * Take the mutex ct_rounds times, adding one to the count each time; one
 * round in eight yields (or sleeps) while holding it, so that others
 * queue up and the release must wake them.
 */
static void
contend_worker(void *arg)
{
	struct contend *ct = arg;

	for (unsigned long i = 0; i < ct->ct_rounds; i++) {
		unsigned long c;

		mutex_lock(&ct->ct_mutex);
		if (__atomic_add_fetch(&ct->ct_inside, 1, __ATOMIC_RELAXED) !=
		    1)
			ct->ct_overlap = true;
		c = ct->ct_count;
		if (i % 8 == 0)
			sched_yield();
		if (i % 64 == 0)
			sleep(ct, NULL, 0, nanouptime() + 10000);
		ct->ct_count = c + 1;
		__atomic_sub_fetch(&ct->ct_inside, 1, __ATOMIC_RELAXED);
		mutex_unlock(&ct->ct_mutex);
	}
}

/*
 * Workers on every CPU take one mutex in turn: every increment counts,
 * no two hold it at once, and at the end it is free with no waiter.
 */
KTEST(mutex_contended)
{
	static struct contend ct;
	struct lwp *l[MT_WORKERS_MAX];
	unsigned n = mutex_test_workers();
	int error;

	mutex_init(&ct.ct_mutex, "mutex_test");
	ct.ct_count = 0;
	ct.ct_rounds = 3000;
	ct.ct_overlap = false;
	ct.ct_inside = 0;
	for (unsigned i = 0; i < n; i++) {
		l[i] = kthread_create(contend_worker, &ct, mutex_test_cpu(i),
		    "mutex_test", &error);
		if (!KT_CHECK(l[i] != NULL)) {
			n = i;
			break;
		}
	}
	for (unsigned i = 0; i < n; i++)
		kthread_join(l[i]);
	KT_EQ(ct.ct_count, n * ct.ct_rounds);
	KT_CHECK(!ct.ct_overlap);
	KT_EQ(ct.ct_mutex.mtx_owner, 0);
	KT_EQ(ct.ct_mutex.mtx_waiters, 0);
}

/* trylock takes a free mutex only; held follows the owner. */
KTEST(mutex_trylock_held)
{
	static struct mutex m;

	mutex_init(&m, "mutex_test_try");
	KT_CHECK(!mutex_held(&m));
	KT_CHECK(mutex_trylock(&m));
	KT_CHECK(mutex_held(&m));
	KT_CHECK(!mutex_trylock(&m));
	mutex_unlock(&m);
	KT_CHECK(!mutex_held(&m));
	KT_EQ(m.mtx_owner, 0);
	mutex_lock(&m);
	KT_EQ(m.mtx_owner, (uintptr_t)curlwp);
	mutex_unlock(&m);
}

/*
 * Objects of every small class go from the CPU that allocates them to
 * the next worker's CPU, which frees them; then the heap is where it
 * started, and kmem_reclaim gives every page back.
 */
#define XFER_OBJS 600
struct kmem_xfer {
	void *kx_obj[MT_WORKERS_MAX][XFER_OBJS];
	volatile unsigned kx_made; /* workers done allocating */
	unsigned kx_workers;
	volatile bool kx_failed;
};

struct kmem_xfer_arg {
	struct kmem_xfer *ka_x;
	unsigned ka_index;
};

static void
kmem_xfer_worker(void *arg)
{
	struct kmem_xfer_arg *ka = arg;
	struct kmem_xfer *x = ka->ka_x;
	unsigned me = ka->ka_index, from = (me + 1) % x->kx_workers;

	for (unsigned i = 0; i < XFER_OBJS; i++) {
		size_t size = (size_t)16 << (i % 8);
		uint8_t *p = kmalloc(size, 0);

		if (p == NULL) {
			x->kx_failed = true;
			continue;
		}
		memset(p, (int)(me + 1), size);
		x->kx_obj[me][i] = p;
	}
	__atomic_add_fetch(&x->kx_made, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&x->kx_made, __ATOMIC_ACQUIRE) < x->kx_workers)
		sched_yield();
	/* Free the next worker's objects, made on its CPU. */
	for (unsigned i = 0; i < XFER_OBJS; i++) {
		uint8_t *p = x->kx_obj[from][i];
		size_t size = (size_t)16 << (i % 8);

		if (p == NULL)
			continue;
		if (p[0] != from + 1 || p[size - 1] != from + 1)
			x->kx_failed = true;
		kfree(p);
	}
}

/*
 * One transfer: n workers, each on its CPU.  Returns the workers run.
 */
static unsigned
kmem_xfer_run(struct kmem_xfer *x, unsigned n)
{
	struct kmem_xfer_arg args[MT_WORKERS_MAX];
	struct lwp *l[MT_WORKERS_MAX];
	int error;

	memset(x, 0, sizeof(*x));
	x->kx_workers = n;
	for (unsigned i = 0; i < n; i++) {
		args[i].ka_x = x;
		args[i].ka_index = i;
		l[i] = kthread_create(kmem_xfer_worker, &args[i],
		    mutex_test_cpu(i), "kmem_test", &error);
		if (!KT_CHECK(l[i] != NULL)) {
			/* The others wait for all n: let them through. */
			__atomic_add_fetch(&x->kx_made, n - i,
			    __ATOMIC_RELEASE);
			n = i;
			break;
		}
	}
	for (unsigned i = 0; i < n; i++)
		kthread_join(l[i]);
	return n;
}

/*
 * The second of two transfers (the first leaves the kernel stacks and
 * LWPs its workers used cached) leaves the heap and, once the caches are
 * reclaimed, the free pages as they were.
 */
KTEST(kmem_cpu_caches_across_cpus)
{
	static struct kmem_xfer x;
	unsigned n = mutex_test_workers();
	uint64_t used0, free0;

	kmem_xfer_run(&x, n);
	KT_CHECK(!x.kx_failed);
	kmem_reclaim();
	used0 = kmem_used();
	free0 = vm_page_free_count();
	kmem_xfer_run(&x, n);
	KT_CHECK(!x.kx_failed);
	KT_EQ(kmem_used(), used0);
	kmem_reclaim();
	KT_EQ(kmem_used(), used0);
	KT_EQ(vm_page_free_count(), free0);
}
