/*
 * Handlers: they run, with the right number, mask and siginfo, in the
 * right order, on the alternate stack when asked, and the interrupted
 * code finds its registers and FPU state as it left them.
 */

#include "sig.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <sys/syscall.h>

static volatile sig_atomic_t hits, last_sig, depth, max_depth;
static volatile int order[8], norder;
static volatile uint64_t mask_seen;
static siginfo_t info_seen;

static void
count(int sig)
{
	hits++;
	last_sig = sig;
	if (norder < 8)
		order[norder++] = sig;
}

static void
record_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	last_sig = sig;
	info_seen = *si;
	if (norder < 8)
		order[norder++] = si->si_value.sival_int;
}

/* The mask the handler runs with, read from inside it. */
static void
read_mask(int sig)
{
	sigset_t cur;

	(void)sig;
	hits++;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	mask_seen = *(uint64_t *)&cur;
}

static uint64_t
cur_mask(void)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return *(uint64_t *)&cur;
}

#define BIT(sig) (1ULL << ((sig)-1))

/* A handler runs once, before raise returns, with its signal's number. */
static void
t_handler_runs(void)
{
	sig_handle(SIGUSR1, count, 0);
	test_expect_ok(raise(SIGUSR1), "raise");
	test_expect_eq(hits, 1, "handler runs");
	test_expect_eq(last_sig, SIGUSR1, "handler's argument");
	test_expect_ok(kill(getpid(), SIGUSR1), "kill self");
	test_expect_eq(hits, 2, "handler runs again after kill");
}

/* siginfo: SI_USER from kill, SI_TKILL from raise, SI_QUEUE's value. */
static void
t_handler_siginfo(void)
{
	union sigval v = { .sival_int = 1234 };

	sig_handle_info(SIGUSR2, record_info, 0);
	test_expect_ok(kill(getpid(), SIGUSR2), "kill self");
	test_expect_eq(info_seen.si_signo, SIGUSR2, "si_signo");
	test_expect_eq(info_seen.si_code, SI_USER, "si_code of kill");
	test_expect_eq(info_seen.si_pid, getpid(), "si_pid of kill");
	test_expect_ok(raise(SIGUSR2), "raise");
	test_expect_eq(info_seen.si_code, SI_TKILL, "si_code of raise");
	test_expect_eq(info_seen.si_pid, getpid(), "si_pid of raise");
	test_expect_ok(sigqueue(getpid(), SIGUSR2, v), "sigqueue");
	test_expect_eq(info_seen.si_code, SI_QUEUE, "si_code of sigqueue");
	test_expect_eq(info_seen.si_value.sival_int, 1234, "si_value");
	test_expect_eq(hits, 3, "three deliveries");
}

/*
 * A blocked signal waits, shows in sigpending, and is delivered once
 * when unblocked; a standard signal sent twice meanwhile comes once.
 */
static void
t_handler_blocked(void)
{
	sigset_t pend;

	sig_handle(SIGUSR1, count, 0);
	sig_block(SIGUSR1);
	test_expect_ok(raise(SIGUSR1), "raise");
	test_expect_ok(raise(SIGUSR1), "raise again");
	test_expect_eq(hits, 0, "blocked: not delivered");
	test_expect_ok(sigpending(&pend), "sigpending");
	test_expect_eq(sigismember(&pend, SIGUSR1), 1, "pending");
	test_expect_eq(sigismember(&pend, SIGUSR2), 0, "USR2 not pending");
	sig_unblock(SIGUSR1);
	test_expect_eq(hits, 1, "delivered once when unblocked");
	test_expect_ok(sigpending(&pend), "sigpending");
	test_expect_eq(sigismember(&pend, SIGUSR1), 0, "no longer pending");
}

/* Real-time signals queue, each with its value, in the order sent. */
static void
t_handler_rt_queue(void)
{
	int sig = SIGRTMIN + 2;

	sig_handle_info(sig, record_info, 0);
	sig_block(sig);
	for (int i = 1; i <= 5; i++) {
		union sigval v = { .sival_int = i };

		test_expect_ok(sigqueue(getpid(), sig, v), "sigqueue");
	}
	test_expect_eq(hits, 0, "blocked");
	sig_unblock(sig);
	test_expect_eq(hits, 5, "each queued signal delivered");
	for (int i = 0; i < 5; i++)
		test_expect_eq(order[i], i + 1, "delivered in order");
}

static volatile int rt_next, rt_bad;

static void
rt_in_order(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_value.sival_int != rt_next)
		rt_bad++;
	rt_next++;
}

/*
 * Many queued real-time signals (more than the kernel keeps at hand):
 * each delivered once, in order, up to RLIMIT_SIGPENDING; then EAGAIN.
 */
static void
t_handler_rt_queue_many(void)
{
	struct rlimit rl = { 150, 150 };
	int sig = SIGRTMIN + 3, n;

	test_expect_ok(setrlimit(RLIMIT_SIGPENDING, &rl), "setrlimit");
	sig_handle_info(sig, rt_in_order, 0);
	sig_block(sig);
	for (n = 0; n < 150; n++) {
		union sigval v = { .sival_int = n };

		test_expect_ok(sigqueue(getpid(), sig, v), "sigqueue");
	}
	test_expect_errno(sigqueue(getpid(), sig, (union sigval) { 0 }), EAGAIN,
	    "over RLIMIT_SIGPENDING");
	sig_unblock(sig);
	test_expect_eq(rt_next, 150, "every queued signal delivered");
	test_expect_eq(rt_bad, 0, "out of order");
}

/*
 * Several pending signals: on the way out of sigprocmask the kernel sets
 * up one frame per signal, the lowest number first, each on top of the
 * last; so the handlers run highest first (as on Linux).
 */
static void
t_handler_order(void)
{
	sigset_t set;

	sig_handle(SIGUSR1, count, 0);
	sig_handle(SIGUSR2, count, 0);
	sig_handle(SIGHUP, count, 0);
	sig_handle(SIGRTMIN + 1, count, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGRTMIN + 1);
	test_expect_ok(sigprocmask(SIG_BLOCK, &set, NULL), "block");
	raise(SIGRTMIN + 1);
	raise(SIGUSR2);
	raise(SIGUSR1);
	raise(SIGHUP);
	test_expect_ok(sigprocmask(SIG_UNBLOCK, &set, NULL), "unblock");
	test_expect_eq(norder, 4, "four deliveries");
	test_expect_eq(order[0], SIGRTMIN + 1, "first");
	test_expect_eq(order[1], SIGUSR2, "second");
	test_expect_eq(order[2], SIGUSR1, "third");
	test_expect_eq(order[3], SIGHUP, "fourth");
}

/*
 * The handler runs with sa_mask and its own signal blocked (not with
 * SA_NODEFER), and the old mask is back after it returns.
 */
static void
t_handler_mask(void)
{
	struct sigaction sa;
	uint64_t before = cur_mask();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = read_mask;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	test_expect_ok(sigaction(SIGUSR1, &sa, NULL), "sigaction");
	raise(SIGUSR1);
	test_expect_eq(hits, 1, "handler ran");
	test_expect_hex(mask_seen & (BIT(SIGUSR1) | BIT(SIGHUP)),
	    BIT(SIGUSR1) | BIT(SIGHUP), "mask in the handler");
	test_expect_hex(cur_mask(), before, "mask after the handler");

	sa.sa_flags = SA_NODEFER;
	test_expect_ok(sigaction(SIGUSR1, &sa, NULL), "sigaction NODEFER");
	raise(SIGUSR1);
	test_expect_hex(mask_seen & (BIT(SIGUSR1) | BIT(SIGHUP)), BIT(SIGHUP),
	    "SA_NODEFER: the signal is not blocked in its handler");
}

static void
nest(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (norder < 8)
		order[norder++] = sig;
	if (sig == SIGUSR1)
		raise(SIGUSR2);
	else if (depth < 3)
		raise(SIGUSR2); /* with SA_NODEFER: nests in itself */
	depth--;
}

/* A handler that raises another signal: the second nests in the first. */
static void
t_handler_nested(void)
{
	sig_handle(SIGUSR1, nest, 0);
	sig_handle(SIGUSR2, nest, SA_NODEFER);
	raise(SIGUSR1);
	test_expect_eq(max_depth, 3, "USR1 > USR2 > USR2 nesting");
	test_expect_eq(norder, 3, "three handler runs");
	test_expect_eq(order[0], SIGUSR1, "outer");
	test_expect_eq(depth, 0, "all returned");
}

/* SA_RESETHAND: the disposition is back to SIG_DFL after one delivery. */
static void
t_handler_resethand(void)
{
	struct sigaction old;

	sig_handle(SIGUSR1, count, SA_RESETHAND);
	raise(SIGUSR1);
	test_expect_eq(hits, 1, "handler ran");
	test_expect_ok(sigaction(SIGUSR1, NULL, &old), "read action");
	test_assert_msg(old.sa_handler == SIG_DFL,
	    "SA_RESETHAND: the handler is still installed");
}

/* Setting SIG_IGN discards a pending signal. */
static void
t_handler_ignore_discards(void)
{
	sigset_t pend;

	sig_handle(SIGUSR1, count, 0);
	sig_block(SIGUSR1);
	raise(SIGUSR1);
	sig_handle(SIGUSR1, SIG_IGN, 0);
	test_expect_ok(sigpending(&pend), "sigpending");
	test_expect_eq(sigismember(&pend, SIGUSR1), 0,
	    "pending signal discarded by SIG_IGN");
	sig_handle(SIGUSR1, count, 0);
	sig_unblock(SIGUSR1);
	test_expect_eq(hits, 0, "nothing delivered");
}

/* SIGKILL and SIGSTOP can be neither caught nor blocked. */
static void
t_handler_cantmask(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count;
	test_expect_errno(sigaction(SIGKILL, &sa, NULL), EINVAL, "catch KILL");
	test_expect_errno(sigaction(SIGSTOP, &sa, NULL), EINVAL, "catch STOP");
	sigfillset(&set);
	test_expect_ok(sigprocmask(SIG_SETMASK, &set, NULL), "block all");
	test_expect_eq(cur_mask() & (BIT(SIGKILL) | BIT(SIGSTOP)), 0,
	    "KILL and STOP not blocked");
	test_expect_errno(syscall(SYS_rt_sigprocmask, 7, &set, NULL, 8), EINVAL,
	    "bad how");
	test_expect_errno(syscall(SYS_rt_sigaction, 65, NULL, NULL, 8), EINVAL,
	    "signal 65");
}

static char *alt_base;
static size_t alt_size;
static volatile int on_alt, alt_flags;

static void
alt_handler(int sig)
{
	char here;
	stack_t ss;

	(void)sig;
	hits++;
	on_alt = &here >= alt_base && &here < alt_base + alt_size;
	sigaltstack(NULL, &ss);
	alt_flags = ss.ss_flags;
	ss.ss_flags = SS_DISABLE;
	if (sigaltstack(&ss, NULL) == -1 && errno == EPERM)
		alt_flags |= 0x100; /* cannot change it while on it */
}

/* SA_ONSTACK runs the handler on the alternate stack. */
static void
t_handler_altstack(void)
{
	stack_t ss, old;

	alt_size = 64 * 1024;
	alt_base = malloc(alt_size);
	test_assert(alt_base != NULL);
	ss.ss_sp = alt_base;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	test_expect_ok(sigaltstack(&ss, &old), "sigaltstack");
	test_expect_eq(old.ss_flags, SS_DISABLE, "no stack before");
	sig_handle(SIGUSR1, alt_handler, SA_ONSTACK);
	raise(SIGUSR1);
	test_expect_eq(hits, 1, "handler ran");
	test_expect_eq(on_alt, 1, "handler on the alternate stack");
	test_expect_eq(alt_flags, SS_ONSTACK | 0x100,
	    "SS_ONSTACK inside, EPERM to change it");
	sig_handle(SIGUSR2, alt_handler, 0);
	raise(SIGUSR2);
	test_expect_eq(on_alt, 0, "without SA_ONSTACK: the normal stack");
	test_expect_ok(sigaltstack(NULL, &old), "read");
	test_expect_eq(old.ss_flags, 0, "outside: enabled, not on it");
	test_assert(old.ss_sp == alt_base && old.ss_size == alt_size);
	ss.ss_size = MINSIGSTKSZ - 1;
	test_expect_errno(sigaltstack(&ss, NULL), ENOMEM, "too small");
	ss.ss_flags = 12345;
	ss.ss_size = alt_size;
	test_expect_errno(sigaltstack(&ss, NULL), EINVAL, "bad flags");
	ss.ss_flags = SS_DISABLE;
	test_expect_ok(sigaltstack(&ss, NULL), "disable");
	test_expect_ok(sigaltstack(NULL, &old), "read");
	test_expect_eq(old.ss_flags, SS_DISABLE, "disabled");
}

/* The handler wrecks every SSE register and the x87 control word. */
static void
wreck_fpu(int sig)
{
	unsigned short cw = 0x0c7f;

	(void)sig;
	hits++;
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\t"
			 "movdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\t"
			 "movdqa %%xmm0, %%xmm3\n\tmovdqa %%xmm0, %%xmm4\n\t"
			 "movdqa %%xmm0, %%xmm5\n\tmovdqa %%xmm0, %%xmm6\n\t"
			 "movdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\t"
			 "movdqa %%xmm0, %%xmm9\n\tmovdqa %%xmm0, %%xmm10\n\t"
			 "movdqa %%xmm0, %%xmm11\n\tmovdqa %%xmm0, %%xmm12\n\t"
			 "movdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\t"
			 "movdqa %%xmm0, %%xmm15\n\t"
			 "fldcw %0"
			 :
			 : "m"(cw)
			 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			 "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			 "xmm12", "xmm13", "xmm14", "xmm15");
}

/*
 * Signals arriving at any instruction (from another process, through
 * interrupts) leave the interrupted loop's registers alone: a loop that
 * keeps its state in general and SSE registers computes the same sum
 * while a child sends it signals whose handler wrecks the FPU.
 */
static void
t_handler_regs_kept(void)
{
	pid_t parent = getpid(), pid;
	uint64_t n = 0, x = 0, y = 0;
	double d = 0;
	unsigned short cw;

	sig_handle(SIGUSR1, wreck_fpu, SA_RESTART);
	pid = test_fork();
	if (pid == 0) {
		for (int i = 0; i < 200; i++) {
			kill(parent, SIGUSR1);
			test_sleep_ns(SIG_MS);
		}
		_exit(0);
	}
	while (hits < 50 && n < 4000000000ULL) {
		__asm__ volatile("movq %[x], %%xmm3\n\t"
				 "movq %[n], %%r12\n\t"
				 "addq $3, %%r12\n\t"
				 "movq %%r12, %%r13\n\t"
				 "paddq %%xmm3, %%xmm3\n\t"
				 "movq %%xmm3, %[y]\n\t"
				 "addq %%r13, %[x]\n\t"
				 : [x] "+r"(x), [y] "=r"(y)
				 : [n] "r"(n)
				 : "xmm3", "r12", "r13");
		test_assert_msg(y == 2 * (x - n - 3),
		    "SSE register changed under the loop at n=%llu",
		    (unsigned long long)n);
		d += 0.5;
		n++;
		test_assert_msg(d == n * 0.5, "x87/SSE double changed at %llu",
		    (unsigned long long)n);
	}
	test_expect_exit(pid, 0, "sender");
	test_assert_msg(hits >= 50, "only %d signals arrived", (int)hits);
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	test_expect_hex(cw, 0x037f, "x87 control word after the handlers");
}

/* A raw handler without SA_RESTORER cannot return: SIGSEGV, as Linux. */
static void
no_restorer_child(void *arg)
{
	struct {
		unsigned long handler, flags, restorer, mask;
	} ka = { (unsigned long)(uintptr_t)count, 0, 0, 0 };

	(void)arg;
	test_assert(syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8) == 0);
	syscall(SYS_tkill, syscall(SYS_gettid), SIGUSR1);
	_exit(3);
}

static void
t_handler_no_restorer(void)
{
	test_expect_child_signal(no_restorer_child, NULL, SIGSEGV,
	    "handler without SA_RESTORER");
}

/* A process may not block the unblockable even through a handler's mask. */
static void
t_handler_sigaction_roundtrip(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = count;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	test_expect_ok(sigaction(SIGUSR1, &sa, NULL), "set");
	test_expect_ok(sigaction(SIGUSR1, NULL, &old), "read");
	test_assert(old.sa_handler == count);
	test_expect_eq(old.sa_flags & (SA_RESTART | SA_NODEFER | SA_SIGINFO),
	    SA_RESTART | SA_NODEFER, "flags read back");
	test_expect_eq(sigismember(&old.sa_mask, SIGTERM), 1, "mask read back");
}

const struct test sig_handler_tests[] = {
	{ "handler_runs", t_handler_runs, NULL },
	{ "handler_siginfo", t_handler_siginfo, NULL },
	{ "handler_blocked", t_handler_blocked, NULL },
	{ "handler_rt_queue", t_handler_rt_queue, NULL },
	{ "handler_rt_queue_many", t_handler_rt_queue_many, NULL },
	{ "handler_order", t_handler_order, NULL },
	{ "handler_mask", t_handler_mask, NULL },
	{ "handler_nested", t_handler_nested, NULL },
	{ "handler_resethand", t_handler_resethand, NULL },
	{ "handler_ignore_discards", t_handler_ignore_discards, NULL },
	{ "handler_cantmask", t_handler_cantmask, NULL },
	{ "handler_altstack", t_handler_altstack, NULL },
	{ "handler_regs_kept", t_handler_regs_kept, NULL },
	{ "handler_no_restorer", t_handler_no_restorer, NULL },
	{ "handler_sigaction_roundtrip", t_handler_sigaction_roundtrip, NULL },
	{ NULL, NULL, NULL },
};
