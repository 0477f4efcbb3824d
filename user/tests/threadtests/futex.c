/*
 * futex.c: the futex call itself, and what thread exit does with it.
 *
 *   - futex_errors: EAGAIN, EINVAL, EFAULT, ENOSYS as Linux returns them;
 *   - futex_wake_n: a wake of N wakes exactly N of the waiters;
 *   - futex_bitset: WAIT_BITSET / WAKE_BITSET match on the bitsets;
 *   - futex_timeouts: relative (WAIT), absolute on CLOCK_MONOTONIC and on
 *     CLOCK_REALTIME (WAIT_BITSET), in the past, invalid;
 *   - futex_requeue: REQUEUE and CMP_REQUEUE move waiters to another word;
 *   - futex_wake_op: the atomic operation, the comparison, both wakes;
 *   - futex_shared_anon, futex_shared_memfd: processes meet on a word of
 *     MAP_SHARED anonymous memory, and of a memfd mapped at two addresses;
 *   - clear_child_tid: CLONE_CHILD_CLEARTID zeroes and wakes the word when
 *     the thread exits; set_robust_list's length check;
 *   - robust_thread, robust_process: a robust mutex whose owner thread or
 *     process dies gives EOWNERDEAD to the next locker.
 */

#include "th.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MS 1000000ULL

/* ---------------------------------------------------------------------
 * Waiter threads: each waits once on a word and counts its return.
 */

struct waiter {
	volatile uint32_t *word;
	int op;
	uint32_t bitset;
	volatile int started, done;
	long ret;
	pthread_t t;
};

static void *
waiter_fn(void *arg)
{
	struct waiter *w = arg;
	long r;

	__atomic_store_n(&w->started, 1, __ATOMIC_SEQ_CST);
	do {
		r = th_futex(w->word, w->op, 0, NULL, NULL, w->bitset);
	} while (r == -EINTR);
	w->ret = r;
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * The number of LWPs asleep on the private futex word, without waking
 * any: FUTEX_REQUEUE of none woken and all moved onto word itself.
 */
static long
asleep_on(volatile uint32_t *word)
{
	return th_futex(word, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 0,
	    (struct timespec *)(long)INT_MAX, word, 0);
}

/*
 * Start w waiting on word (which must hold 0) with op (a private wait);
 * return once it is asleep there (up to 5 s).
 */
static void
waiter_start(struct waiter *w, volatile uint32_t *word, int op, uint32_t bitset)
{
	long before = asleep_on(word), now = before;

	memset(w, 0, sizeof(*w));
	w->word = word;
	w->op = op;
	w->bitset = bitset;
	th_create(&w->t, waiter_fn, w);
	for (int i = 0; i < 5000 && now <= before; i++) {
		test_sleep_ns(1 * MS);
		now = asleep_on(word);
	}
	test_assert_msg(now == before + 1,
	    "LWPs asleep on the word: %ld, want %ld", now, before + 1);
}

static int
waiters_done(struct waiter *w, int n)
{
	int d = 0;

	for (int i = 0; i < n; i++)
		d += __atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST);
	return d;
}

/* Wait up to 2 s for `want` of the n waiters to be done. */
static int
waiters_settle(struct waiter *w, int n, int want)
{
	for (int i = 0; i < 200 && waiters_done(w, n) < want; i++)
		test_sleep_ns(10 * MS);
	test_sleep_ns(20 * MS); /* and no more than that */
	return waiters_done(w, n);
}

static void
waiters_join(struct waiter *w, int n)
{
	for (int i = 0; i < n; i++) {
		th_join(w[i].t);
		test_expect_eq(w[i].ret, 0, "a woken waiter's result");
	}
}

/* ---------------------------------------------------------------------
 * futex_errors
 */

static void
t_futex_errors(void)
{
	static uint32_t words[4] __attribute__((aligned(16)));
	struct timespec ts = { 0, 1000 };
	struct timespec bad = { 0, 1000000000 };

	words[0] = 1;
	test_expect_raw_errno(
	    th_futex(&words[0], FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN,
	    "FUTEX_WAIT on a word that differs");
	test_expect_raw_errno(th_futex(&words[0], FUTEX_WAIT, 0, NULL, NULL, 0),
	    EAGAIN, "shared FUTEX_WAIT on a word that differs");
	test_expect_eq(
	    th_futex(&words[0], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0,
	    "FUTEX_WAKE with no waiter");
	test_expect_raw_errno(th_futex((uint32_t *)((char *)words + 1),
				  FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0),
	    EINVAL, "FUTEX_WAIT on a misaligned word");
	test_expect_raw_errno(th_futex((uint32_t *)((char *)words + 2),
				  FUTEX_WAKE, 1, NULL, NULL, 0),
	    EINVAL, "FUTEX_WAKE on a misaligned word");
	test_expect_raw_errno(
	    th_futex(NULL, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT,
	    "FUTEX_WAIT on NULL");
	test_expect_raw_errno(th_futex((uint32_t *)TEST_KERNEL_TEXT,
				  FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0),
	    EFAULT, "FUTEX_WAIT on a kernel address");
	test_expect_raw_errno(th_futex((uint32_t *)TEST_KERNEL_TEXT, FUTEX_WAKE,
				  1, NULL, NULL, 0),
	    EFAULT, "FUTEX_WAKE on a kernel address");
	test_expect_raw_errno(th_futex(&words[0], FUTEX_WAIT_PRIVATE, 1,
				  (struct timespec *)TEST_KERNEL_TEXT, NULL, 0),
	    EFAULT, "FUTEX_WAIT with an unreadable timeout");
	test_expect_raw_errno(
	    th_futex(&words[0], FUTEX_WAIT_PRIVATE, 1, &bad, NULL, 0), EINVAL,
	    "FUTEX_WAIT with tv_nsec 1000000000");
	test_expect_raw_errno(
	    th_futex(&words[0], FUTEX_WAIT_BITSET, 1, &ts, NULL, 0), EINVAL,
	    "FUTEX_WAIT_BITSET with bitset 0");
	test_expect_raw_errno(
	    th_futex(&words[0], FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL,
	    "FUTEX_WAKE_BITSET with bitset 0");
	test_expect_raw_errno(th_futex(&words[0], 15, 0, NULL, NULL, 0), ENOSYS,
	    "an unknown operation");
	test_expect_raw_errno(th_futex(&words[0],
				  FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL,
				  NULL, 0),
	    ENOSYS, "FUTEX_WAKE with FUTEX_CLOCK_REALTIME");
	test_expect_raw_errno(th_futex(&words[0],
				  FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1,
				  (struct timespec *)-1L, &words[1], 1),
	    EINVAL, "FUTEX_CMP_REQUEUE with a negative count");
	test_expect_raw_errno(th_futex(&words[0], FUTEX_WAKE_OP, 1, NULL,
				  &words[1], FUTEX_OP(7, 0, 0, 0)),
	    ENOSYS, "FUTEX_WAKE_OP with an unknown operation");
}

/* ---------------------------------------------------------------------
 * futex_wake_n
 */

enum {
	WN_WAITERS = 8
};

static void
t_futex_wake_n(void)
{
	static volatile uint32_t word;
	struct waiter w[WN_WAITERS];

	for (int i = 0; i < WN_WAITERS; i++)
		waiter_start(&w[i], &word, FUTEX_WAIT_PRIVATE,
		    FUTEX_BITSET_MATCH_ANY);
	test_expect_eq(waiters_done(w, WN_WAITERS), 0,
	    "waiters done before any wake");
	test_expect_eq(th_futex(&word, FUTEX_WAKE_PRIVATE, 3, NULL, NULL, 0), 3,
	    "FUTEX_WAKE of 3 of 8 waiters");
	test_expect_eq(waiters_settle(w, WN_WAITERS, 3), 3,
	    "waiters done after waking 3");
	test_expect_eq(th_futex(&word, FUTEX_WAKE_PRIVATE, 0, NULL, NULL, 0), 1,
	    "FUTEX_WAKE of 0 (Linux wakes one)");
	test_expect_eq(
	    th_futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 4,
	    "FUTEX_WAKE of the rest");
	waiters_join(w, WN_WAITERS);
}

/* ---------------------------------------------------------------------
 * futex_bitset
 */

static void
t_futex_bitset(void)
{
	static volatile uint32_t word;
	struct waiter w[2];

	waiter_start(&w[0], &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 1);
	waiter_start(&w[1], &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 6);
	test_expect_eq(th_futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG,
			   INT_MAX, NULL, NULL, 8),
	    0, "FUTEX_WAKE_BITSET 8: no waiter's bitset meets it");
	test_expect_eq(th_futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG,
			   INT_MAX, NULL, NULL, 4),
	    1, "FUTEX_WAKE_BITSET 4: the waiter with 6");
	test_expect_eq(waiters_settle(w, 2, 1), 1, "waiters done");
	test_expect_eq(w[1].done, 1, "the waiter with bitset 6 is done");
	test_expect_eq(
	    th_futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0), 1,
	    "FUTEX_WAKE (any bitset): the waiter with 1");
	waiters_join(w, 2);
}

/* ---------------------------------------------------------------------
 * futex_timeouts
 */

static uint64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct timespec
ns_ts(uint64_t ns)
{
	return (struct timespec) { ns / 1000000000ULL, ns % 1000000000ULL };
}

static void
expect_timeout(volatile uint32_t *word, int op, const struct timespec *ts,
    uint64_t min_ns, const char *what)
{
	uint64_t t0 = test_now_ns(), dt;
	long r = th_futex(word, op, 0, ts, NULL, FUTEX_BITSET_MATCH_ANY);

	dt = test_now_ns() - t0;
	test_assert_msg(r == -ETIMEDOUT, "%s: %ld (%s), want ETIMEDOUT", what,
	    r, test_errname(-r));
	test_assert_msg(dt >= min_ns, "%s: returned after %llu ns, before %llu",
	    what, (unsigned long long)dt, (unsigned long long)min_ns);
	test_assert_msg(dt < min_ns + 5000 * MS, "%s: took %llu ns", what,
	    (unsigned long long)dt);
}

static void
t_futex_timeouts(void)
{
	static volatile uint32_t word;
	struct timespec rel = { 0, 50 * MS }, abs, past = { 0, 1 };

	expect_timeout(&word, FUTEX_WAIT_PRIVATE, &rel, 50 * MS,
	    "FUTEX_WAIT, relative 50 ms");
	test_expect_raw_errno(th_futex(&word,
				  FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 0,
				  &rel, NULL, 0),
	    ENOSYS, "FUTEX_WAIT with FUTEX_CLOCK_REALTIME (Linux 6.1)");
	abs = ns_ts(clock_ns(CLOCK_MONOTONIC) + 50 * MS);
	expect_timeout(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, &abs,
	    40 * MS, "FUTEX_WAIT_BITSET, CLOCK_MONOTONIC now + 50 ms");
	abs = ns_ts(clock_ns(CLOCK_REALTIME) + 50 * MS);
	expect_timeout(&word,
	    FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, &abs,
	    40 * MS, "FUTEX_WAIT_BITSET, CLOCK_REALTIME now + 50 ms");
	expect_timeout(&word, FUTEX_WAIT_BITSET, &past, 0,
	    "FUTEX_WAIT_BITSET (shared), in the past");
	expect_timeout(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, &past,
	    0, "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, in 1970");
	abs = (struct timespec) { -1, 0 };
	test_expect_raw_errno(
	    th_futex(&word, FUTEX_WAIT_PRIVATE, 0, &abs, NULL, 0), EINVAL,
	    "FUTEX_WAIT with tv_sec -1");
}

/* ---------------------------------------------------------------------
 * futex_requeue
 */

static void
t_futex_requeue(void)
{
	static volatile uint32_t a, b;
	struct waiter w[4];

	for (int i = 0; i < 4; i++)
		waiter_start(&w[i], &a, FUTEX_WAIT_PRIVATE,
		    FUTEX_BITSET_MATCH_ANY);
	test_expect_raw_errno(th_futex(&a,
				  FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1,
				  (struct timespec *)2L, &b, 1),
	    EAGAIN, "FUTEX_CMP_REQUEUE with the wrong value");
	test_expect_eq(th_futex(&a, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1,
			   (struct timespec *)2L, &b, 0),
	    3, "FUTEX_CMP_REQUEUE: wake 1, move 2");
	test_expect_eq(waiters_settle(w, 4, 1), 1, "waiters done");
	test_expect_eq(th_futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0),
	    2, "FUTEX_WAKE of the 2 moved to b");
	test_expect_eq(waiters_settle(w, 4, 3), 3, "waiters done");
	test_expect_eq(th_futex(&a, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 0,
			   (struct timespec *)5L, &b, 0),
	    1, "FUTEX_REQUEUE: move the last one to b");
	test_expect_eq(th_futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0),
	    0, "FUTEX_WAKE of a, now empty");
	test_expect_eq(th_futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0),
	    1, "FUTEX_WAKE of b");
	waiters_join(w, 4);
}

/* ---------------------------------------------------------------------
 * futex_wake_op
 */

static void
t_futex_wake_op(void)
{
	static volatile uint32_t a, b;
	struct waiter w[4];

	waiter_start(&w[0], &a, FUTEX_WAIT_PRIVATE, FUTEX_BITSET_MATCH_ANY);
	waiter_start(&w[1], &b, FUTEX_WAIT_PRIVATE, FUTEX_BITSET_MATCH_ANY);
	b = 0;
	/* b += 5 (old 0); 0 == 0: wake on a and on b. */
	test_expect_eq(th_futex(&a, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1,
			   (struct timespec *)1L, &b,
			   FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0)),
	    2, "FUTEX_WAKE_OP ADD 5, EQ 0");
	test_expect_eq(b, 5, "b after ADD 5");
	test_expect_eq(waiters_settle(w, 2, 2), 2, "waiters done");
	waiters_join(w, 2);
	b = 0;
	waiter_start(&w[2], &a, FUTEX_WAIT_PRIVATE, FUTEX_BITSET_MATCH_ANY);
	waiter_start(&w[3], &b, FUTEX_WAIT_PRIVATE, FUTEX_BITSET_MATCH_ANY);
	/* b |= 1 << 4 (old 0); 0 > 3 is false: wake on a only. */
	test_expect_eq(th_futex(&a, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1,
			   (struct timespec *)1L, &b,
			   FUTEX_OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4,
			       FUTEX_OP_CMP_GT, 3)),
	    1, "FUTEX_WAKE_OP OR 1<<4, GT 3");
	test_expect_eq(b, 16, "b after OR 1<<4");
	/* b = 1 (old 16); 16 >= -1 (cmparg is signed): wake on b. */
	test_expect_eq(th_futex(&a, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1,
			   (struct timespec *)1L, &b,
			   FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_GE, 0xfff)),
	    1, "FUTEX_WAKE_OP SET 1, GE -1");
	test_expect_eq(b, 1, "b after SET 1");
	test_expect_eq(waiters_settle(w + 2, 2, 2), 2, "waiters done");
	waiters_join(w + 2, 2);
	/* XOR and ANDN on a word nobody waits on. */
	b = 0xff;
	test_expect_eq(th_futex(&a, FUTEX_WAKE_OP, 1, (struct timespec *)1L, &b,
			   FUTEX_OP(FUTEX_OP_ANDN, 0xf, FUTEX_OP_CMP_NE, 0)),
	    0, "FUTEX_WAKE_OP ANDN 0xf");
	test_expect_eq(b, 0xf0, "b after ANDN 0xf");
	test_expect_eq(th_futex(&a, FUTEX_WAKE_OP, 1, (struct timespec *)1L, &b,
			   FUTEX_OP(FUTEX_OP_XOR, 0x11, FUTEX_OP_CMP_LT, 0)),
	    0, "FUTEX_WAKE_OP XOR 0x11");
	test_expect_eq(b, 0xe1, "b after XOR 0x11");
	test_expect_raw_errno(
	    th_futex(&a, FUTEX_WAKE_OP, 1, (struct timespec *)1L,
		(uint32_t *)TEST_KERNEL_TEXT, FUTEX_OP(FUTEX_OP_ADD, 1, 0, 0)),
	    EFAULT, "FUTEX_WAKE_OP on a kernel address");
}

/* ---------------------------------------------------------------------
 * futex_shared_anon, futex_shared_memfd
 */

/*
 * A child process waits on *cw (0) and exits 0 when a wake ends its
 * wait; the parent wakes it through *pw, which must be the same futex:
 * it retries until its wake finds the child asleep (a wake that finds
 * no waiter changes nothing), for up to 2.5 s.
 */
static void
shared_wake(volatile uint32_t *cw, volatile uint32_t *pw, const char *what)
{
	pid_t pid;
	long r = 0;
	int st;

	pid = test_fork();
	if (pid == 0) {
		long x = th_futex(cw, FUTEX_WAIT, 0, NULL, NULL, 0);

		test_raw_exit(x == 0 ? 0 : 10);
	}
	for (int i = 0; i < 500 && r == 0; i++) {
		test_sleep_ns(5 * MS);
		r = th_futex(pw, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	if (r != 1)
		kill(pid, SIGKILL);
	test_expect_eq(r, 1, what);
	st = test_wait(pid);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "%s: the child's status %#x", what, st);
}

static void
t_futex_shared_anon(void)
{
	volatile uint32_t *m = mmap(NULL, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	test_assert(m != MAP_FAILED);
	m[3] = 0;
	shared_wake(&m[3], &m[3], "FUTEX_WAKE across fork on MAP_SHARED");
}

static void
t_futex_shared_memfd(void)
{
	int fd = test_memfd(2 * TEST_PAGE);
	volatile uint32_t *m1, *m2;

	m1 = mmap(NULL, 2 * TEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0);
	m2 = mmap(NULL, TEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    TEST_PAGE);
	test_assert(m1 != MAP_FAILED && m2 != MAP_FAILED);
	m2[5] = 0;
	/* The child waits through one mapping, the parent wakes the other. */
	shared_wake(&m2[5], &m1[TEST_PAGE / 4 + 5],
	    "FUTEX_WAKE through another mapping of the memfd");
}

/* ---------------------------------------------------------------------
 * clear_child_tid
 */

static volatile int ct_go;

static int
ct_fn(void *arg)
{
	(void)arg;
	while (!ct_go)
		test_raw0(SYS_sched_yield);
	return 0; /* musl's clone calls SYS_exit: this thread only */
}

static void
t_clear_child_tid(void)
{
	char *stack = test_map(64 * 1024);
	static volatile pid_t tid;
	void *head;
	size_t len;
	long r;

	tid = -1;
	r = clone(ct_fn, stack + 64 * 1024,
	    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
	    NULL, &tid, NULL, &tid);
	test_assert_msg(r > 0, "clone of a thread: %s", test_errname(errno));
	test_expect_eq(tid, r, "the id CLONE_PARENT_SETTID stored");
	ct_go = 1;
	for (int i = 0; i < 1000 && tid != 0; i++) {
		r = th_futex((volatile uint32_t *)&tid, FUTEX_WAIT,
		    (uint32_t)tid, &(struct timespec) { 1, 0 }, NULL, 0);
		test_assert_msg(r == 0 || r == -EAGAIN || r == -ETIMEDOUT,
		    "FUTEX_WAIT on the tid: %s", test_errname(-r));
	}
	test_expect_eq(tid, 0, "the tid word after the thread's exit");

	test_expect_raw_errno(test_raw3(SYS_set_robust_list, &head, 23, 0),
	    EINVAL, "set_robust_list with a length of 23");
	test_expect_eq(test_raw3(SYS_get_robust_list, 0, &head, &len), 0,
	    "get_robust_list");
	test_expect_eq(len, 24, "the robust list head's length");
	test_expect_raw_errno(
	    test_raw3(SYS_get_robust_list, 0, (void *)TEST_KERNEL_TEXT, &len),
	    EFAULT, "get_robust_list into a kernel address");
}

/* ---------------------------------------------------------------------
 * robust_thread, robust_process
 */

static void
robust_init(pthread_mutex_t *m, int pshared)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	test_expect_eq(pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST), 0,
	    "pthread_mutexattr_setrobust");
	if (pshared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	test_expect_eq(pthread_mutex_init(m, &a), 0, "pthread_mutex_init");
	pthread_mutexattr_destroy(&a);
}

static void
robust_expect_dead(pthread_mutex_t *m, const char *what)
{
	int e = pthread_mutex_lock(m);

	test_assert_msg(e == EOWNERDEAD, "%s: pthread_mutex_lock: %s", what,
	    test_errname(e));
	test_expect_eq(pthread_mutex_consistent(m), 0,
	    "pthread_mutex_consistent");
	test_expect_eq(pthread_mutex_unlock(m), 0, "pthread_mutex_unlock");
	test_expect_eq(pthread_mutex_lock(m), 0, "pthread_mutex_lock again");
	test_expect_eq(pthread_mutex_unlock(m), 0, "pthread_mutex_unlock");
}

static pthread_mutex_t rt_mutex;
static volatile int rt_locked;

static void *
rt_owner(void *arg)
{
	(void)arg;
	if (pthread_mutex_lock(&rt_mutex) != 0)
		return (void *)1L;
	rt_locked = 1;
	test_sleep_ns(30 * MS); /* the main thread blocks on it meanwhile */
	/* Exit without unlocking and without musl's own robust-list walk. */
	for (;;)
		test_raw1(SYS_exit, 0);
}

static void
t_robust_thread(void)
{
	pthread_t t;

	/* Process-shared: musl leaves a private one's list to pthread_exit. */
	robust_init(&rt_mutex, 1);
	th_create(&t, rt_owner, NULL);
	while (!rt_locked)
		sched_yield();
	robust_expect_dead(&rt_mutex, "owner thread exited");
}

static void
t_robust_process(void)
{
	pthread_mutex_t *m = mmap(NULL, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *locked;
	pid_t pid;

	test_assert(m != MAP_FAILED);
	locked = (volatile int *)(m + 1);
	robust_init(m, 1);
	pid = test_fork();
	if (pid == 0) {
		if (pthread_mutex_lock(m) != 0)
			_exit(1);
		*locked = 1;
		test_sleep_ns(30 * MS);
		_exit(0); /* owner dies holding it */
	}
	while (!*locked)
		sched_yield();
	robust_expect_dead(m, "owner process exited");
	test_expect_exit(pid, 0, "the owner process");
}

const struct test th_futex_tests[] = {
	{ "futex_errors", t_futex_errors, NULL },
	{ "futex_wake_n", t_futex_wake_n, NULL },
	{ "futex_bitset", t_futex_bitset, NULL },
	{ "futex_timeouts", t_futex_timeouts, NULL },
	{ "futex_requeue", t_futex_requeue, NULL },
	{ "futex_wake_op", t_futex_wake_op, NULL },
	{ "futex_shared_anon", t_futex_shared_anon, NULL },
	{ "futex_shared_memfd", t_futex_shared_memfd, NULL },
	{ "clear_child_tid", t_clear_child_tid, NULL },
	{ "robust_thread", t_robust_thread, NULL },
	{ "robust_process", t_robust_process, NULL },
	{ NULL, NULL, NULL },
};
