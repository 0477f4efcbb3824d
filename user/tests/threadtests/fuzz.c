/*
 * fuzz.c: random arguments that must never crash the kernel or leak.
 *
 *   - clone_flags_fuzz: random clone flag words (with SIGCHLD as the exit
 *     signal) in a sandbox process; each call must fail with EINVAL or
 *     make a child, which exits at once without touching memory; every
 *     child is reaped.  On Linux other errors are allowed (namespaces as
 *     root, for instance).
 *   - clone_einval: the flag sets Linux rejects with EINVAL, and natively
 *     those the kernel does not support; EPERM for a bad TLS base;
 *   - futex_fuzz: random operations, flags, words (aligned or not, in
 *     private, shared, read-only and inaccessible pages, NULL, kernel and
 *     non-canonical addresses), values, timeouts and second words, while
 *     a thread waits with short timeouts on some of the words; every
 *     result must be one Linux gives (natively: a count, EINVAL, EFAULT,
 *     EAGAIN, ETIMEDOUT, ENOSYS).
 * The seed is the run's (-s); a failure names the call.
 */

#include "th.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * clone(flags, newsp, ptid, ctid, tls) whose child calls exit(0) at
 * once, using no stack, so it may share the caller's memory and stack.
 */
static long
fz_clone(unsigned long flags, void *newsp, int *ptid, int *ctid,
    unsigned long tls)
{
	register long r10 __asm__("r10") = (long)ctid;
	register long r8 __asm__("r8") = (long)tls;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $60, %%eax\n\t"
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "a"(56L), "D"(flags), "S"(newsp), "d"(ptid),
			 "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

enum {
	CF_CALLS = 300
};

static int cf_tids[4];
static char cf_tls[256] __attribute__((aligned(64)));

static void
cf_sandbox(void *arg)
{
	uint64_t rs = *(uint64_t *)arg;
	char *stack = test_map(TEST_PAGE);
	int made = 0;

	for (int i = 0; i < CF_CALLS; i++) {
		unsigned long flags = 0;
		long r;

		if (test_rand(&rs) % 8 == 0) {
			flags = test_rand(&rs) & ~0xffUL;
		} else {
			for (int b = 8; b < 32; b++)
				if (test_rand(&rs) % 4 == 0)
					flags |= 1UL << b;
		}
		if (test_rand(&rs) % 4 == 0) /* the pthread_create set */
			flags = 0x3d0f00;
		if (test_rand(&rs) % 8 == 0) /* glibc's fork */
			flags = 0x01200000;
		flags |= SIGCHLD;
		if (test_rand(&rs) % 16 == 0)
			flags |= test_rand(&rs) << 32; /* ignored by clone */
		r = fz_clone(flags,
		    test_rand(&rs) % 2 ? stack + TEST_PAGE : NULL, &cf_tids[0],
		    &cf_tids[1], (unsigned long)cf_tls);
		if (r < 0) {
			test_assert_msg(!test_native || r == -EINVAL,
			    "call %d: clone(%#lx): %s, want EINVAL or a child",
			    i, flags, test_errname(-r));
			continue;
		}
		made++;
		if (!(flags & 0x10000)) /* a process: reap it if it is ours */
			waitpid((pid_t)r, NULL, 0);
	}
	while (wait(NULL) > 0)
		;
	test_raw_exit(made > 0 ? 0 : 3);
}

static void
t_clone_flags_fuzz(void)
{
	uint64_t rs = test_seed | 1;
	int st;

	st = test_child_status(cf_sandbox, &rs);
	test_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the sandbox's status %#x (exit 3: no call made a child)", st);
	while (wait(NULL) > 0) /* CLONE_PARENT's children (Linux) */
		;
}

/* ---------------------------------------------------------------------
 * clone_einval: the flag sets Linux rejects, and (natively) those the
 * kernel does not support, named in docs/syscalls.md.
 */

#define C_VM 0x100
#define C_FS 0x200
#define C_FILES 0x400
#define C_SIGHAND 0x800
#define C_PIDFD 0x1000
#define C_PARENT 0x8000
#define C_THREAD 0x10000
#define C_NEWNS 0x20000
#define C_SETTLS 0x80000
#define C_NEWPID 0x20000000

static void
t_clone_einval(void)
{
	static const struct {
		unsigned long flags;
		int native; /* EINVAL on our kernel only */
		const char *what;
	} cases[] = {
		{ C_THREAD | C_VM | C_FILES, 0,
		    "CLONE_THREAD without SIGHAND" },
		{ C_SIGHAND | SIGCHLD, 0, "CLONE_SIGHAND without CLONE_VM" },
		{ C_NEWNS | C_FS | SIGCHLD, 0, "CLONE_NEWNS with CLONE_FS" },
		{ C_PIDFD | C_THREAD | C_SIGHAND | C_VM, 0,
		    "CLONE_PIDFD with CLONE_THREAD" },
		{ C_SIGHAND | C_VM | SIGCHLD, 1,
		    "CLONE_SIGHAND without CLONE_THREAD" },
		{ C_THREAD | C_SIGHAND | C_VM, 1,
		    "CLONE_THREAD without CLONE_FILES" },
		{ C_PARENT | SIGCHLD, 1, "CLONE_PARENT" },
		{ C_NEWPID | SIGCHLD, 1, "CLONE_NEWPID" },
	};
	int tid;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long r;

		if (cases[i].native && !test_native)
			continue;
		r = fz_clone(cases[i].flags, NULL, &tid, &tid, 0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		test_assert_msg(r == -EINVAL, "clone(%#lx), %s: %ld (%s)",
		    cases[i].flags, cases[i].what, r, test_errname(-r));
	}
	/*
	 * A TLS base that is not a user address: EPERM here, as ARCH_SET_FS
	 * gives (Linux 6.1 takes it and makes the child).
	 */
	if (test_native)
		test_expect_raw_errno(fz_clone(C_SETTLS | SIGCHLD, NULL, &tid,
					  &tid, TEST_NONCANON_LO),
		    EPERM, "clone(CLONE_SETTLS) with a non-canonical TLS base");
	while (wait(NULL) > 0)
		;
}

/* ---------------------------------------------------------------------
 * futex_fuzz
 */

enum {
	FF_CALLS = 3000
};

static volatile uint32_t *ff_rw; /* two private pages, the second PROT_NONE */
static volatile int ff_stop;

static void *
ff_waiter(void *arg)
{
	(void)arg;
	for (unsigned i = 0; !ff_stop; i++) {
		struct timespec ts = { 0, 2000000 };

		th_futex(&ff_rw[i % 4], FUTEX_WAIT | (i % 2 ? 128 : 0),
		    ff_rw[i % 4], &ts, NULL, 0);
	}
	return NULL;
}

static bool
ff_result_ok(long r)
{
	if (r >= 0)
		return true;
	switch (-r) {
	case EINVAL:
	case EFAULT:
	case EAGAIN:
	case ETIMEDOUT:
	case ENOSYS:
		return true;
	default:
		return false;
	}
}

static void
t_futex_fuzz(void)
{
	uint64_t rs = test_seed | 1;
	volatile uint32_t *sh, *ro;
	pthread_t t;
	uint32_t *addrs[12];
	struct timespec ts = { 0, 1000 }, bad_ts = { 0, -5 };

	ff_rw = mmap(NULL, 2 * TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sh = mmap(NULL, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, TEST_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	    0);
	test_assert(
	    ff_rw != MAP_FAILED && sh != MAP_FAILED && ro != MAP_FAILED);
	test_expect_ok(
	    mprotect((char *)ff_rw + TEST_PAGE, TEST_PAGE, PROT_NONE),
	    "mprotect");
	addrs[0] = (uint32_t *)&ff_rw[0];
	addrs[1] = (uint32_t *)&ff_rw[1];
	addrs[2] = (uint32_t *)&ff_rw[2];
	addrs[3] = (uint32_t *)&ff_rw[3];
	addrs[4] = (uint32_t *)((char *)ff_rw + 5);
	addrs[5] = (uint32_t *)&sh[0];
	addrs[6] = (uint32_t *)&sh[1];
	addrs[7] = (uint32_t *)&ro[0];
	addrs[8] = (uint32_t *)((char *)ff_rw + TEST_PAGE);
	addrs[9] = NULL;
	addrs[10] = (uint32_t *)TEST_KERNEL_TEXT;
	addrs[11] = (uint32_t *)TEST_NONCANON_LO;
	th_create(&t, ff_waiter, NULL);

	for (int i = 0; i < FF_CALLS; i++) {
		int cmd = test_rand(&rs) % 14, op;
		uint32_t *u1 = addrs[test_rand(&rs) % 12];
		uint32_t *u2 = addrs[test_rand(&rs) % 12];
		uint32_t val = test_rand(&rs) % 4, val3;
		const struct timespec *tp;
		long r;

		/* Never FUTEX_LOCK_PI & co: a PI lock could stay taken. */
		if (cmd == FUTEX_LOCK_PI || cmd == 7 || cmd == 8 || cmd >= 11)
			cmd = FUTEX_WAKE;
		op = cmd | (test_rand(&rs) % 2 ? FUTEX_PRIVATE_FLAG : 0);
		if (test_rand(&rs) % 8 == 0)
			op |= FUTEX_CLOCK_REALTIME;
		switch (test_rand(&rs) % 4) {
		case 0:
			val3 = FUTEX_BITSET_MATCH_ANY;
			break;
		case 1:
			val3 = 0;
			break;
		default:
			val3 = (uint32_t)test_rand(&rs);
			break;
		}
		if (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) {
			/* A wait always has a timeout that ends it at once. */
			tp = test_rand(&rs) % 16 ? &ts : &bad_ts;
			if (test_rand(&rs) % 2 && u1 == addrs[0])
				val = *u1; /* really sleep */
		} else {
			tp =
			    (const struct timespec *)(long)(test_rand(&rs) % 5);
		}
		r = th_futex(u1, op, val, tp, u2, val3);
		test_assert_msg(!test_native || ff_result_ok(r),
		    "call %d: futex(%p, %#x, %u, %p, %p, %#x) = %ld (%s)", i,
		    (void *)u1, op, val, (void *)tp, (void *)u2, val3, r,
		    test_errname(-r));
	}
	ff_stop = 1;
	th_join(t);
}

const struct test th_fuzz_tests[] = {
	{ "clone_einval", t_clone_einval, NULL },
	{ "clone_flags_fuzz", t_clone_flags_fuzz, NULL },
	{ "futex_fuzz", t_futex_fuzz, NULL },
	{ NULL, NULL, NULL },
};
