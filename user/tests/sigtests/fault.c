/*
 * Synchronous faults: a handler gets SIGSEGV, SIGBUS, SIGFPE, SIGILL or
 * SIGTRAP with si_code and si_addr, can fix the cause and return (a
 * user-level pager) or change the context it returns to; a fault that
 * is blocked or ignored, or whose frame cannot be written, kills.
 */

#include "sig.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/mman.h>

static volatile sig_atomic_t hits;
static siginfo_t seen;
/* Unmapped addresses, out of the compiler's sight. */
static volatile uintptr_t addr8 = 8, addr16 = 16;
static sigjmp_buf escape;

/* The pager: make the faulting page readable and writable, return. */
static void
pager(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	seen = *si;
	seen.si_signo = sig;
	mprotect((void *)((uintptr_t)si->si_addr & ~(TEST_PAGE - 1)), TEST_PAGE,
	    PROT_READ | PROT_WRITE);
}

/* A SIGSEGV handler that mprotects the page and resumes the access. */
static void
t_fault_pager(void)
{
	/* volatile: each store happens before hits is read. */
	volatile char *m = test_map(4 * TEST_PAGE);

	test_expect_ok(mprotect((void *)m, 4 * TEST_PAGE, PROT_NONE),
	    "mprotect");
	sig_handle_info(SIGSEGV, pager, 0);
	for (int i = 0; i < 4; i++)
		m[i * TEST_PAGE + 5] =
		    (char)(i + 1); /* each page faults once */
	test_expect_eq(hits, 4, "one fault per page");
	test_expect_eq(seen.si_signo, SIGSEGV, "si_signo");
	test_expect_eq(seen.si_code, SEGV_ACCERR,
	    "si_code of a protected page");
	test_assert(seen.si_addr == m + 3 * TEST_PAGE + 5);
	for (int i = 0; i < 4; i++)
		test_expect_eq(m[i * TEST_PAGE + 5], i + 1,
		    "the writes landed");
}

static void
jump_out(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	seen = *si;
	seen.si_signo = sig;
	siglongjmp(escape, 1);
}

/* Unmapped memory: SEGV_MAPERR with the address. */
static void
t_fault_maperr(void)
{
	char *m = test_map(TEST_PAGE);
	volatile char *p = m + 100;

	test_expect_ok(munmap(m, TEST_PAGE), "munmap");
	sig_handle_info(SIGSEGV, jump_out, 0);
	if (sigsetjmp(escape, 1) == 0) {
		(void)*p;
		test_fail("read of an unmapped page did not fault");
	}
	test_expect_eq(hits, 1, "handler ran");
	test_expect_eq(seen.si_code, SEGV_MAPERR, "si_code");
	test_assert(seen.si_addr == m + 100);
}

/* Divide by zero: SIGFPE, FPE_INTDIV, si_addr at the instruction. */
static void
t_fault_fpe(void)
{
	volatile int zero = 0, r = 1;

	sig_handle_info(SIGFPE, jump_out, 0);
	if (sigsetjmp(escape, 1) == 0) {
		r = r / zero;
		test_fail("divide by zero did not fault");
	}
	test_expect_eq(seen.si_signo, SIGFPE, "si_signo");
	test_expect_eq(seen.si_code, FPE_INTDIV, "si_code");
}

/* ud2: SIGILL, ILL_ILLOPN, si_addr at the instruction. */
static void
t_fault_ill(void)
{
	extern char sig_ud2[];

	sig_handle_info(SIGILL, jump_out, 0);
	if (sigsetjmp(escape, 1) == 0) {
		__asm__ volatile(".globl sig_ud2\nsig_ud2: ud2");
		test_fail("ud2 did not fault");
	}
	test_expect_eq(seen.si_signo, SIGILL, "si_signo");
	test_expect_eq(seen.si_code, ILL_ILLOPN, "si_code");
	test_assert(seen.si_addr == (void *)sig_ud2);
}

static void
count(int sig)
{
	(void)sig;
	hits++;
}

/* int3: SIGTRAP; returning resumes after the breakpoint. */
static void
t_fault_trap(void)
{
	sig_handle(SIGTRAP, count, 0);
	__asm__ volatile("int3");
	__asm__ volatile("int3");
	test_expect_eq(hits, 2, "two breakpoints caught");
}

/*
 * The handler changes the context it returns to: rip skips the faulting
 * instruction and rax gets a value the code then sees.
 */
static void
skip_insn(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	extern char sig_skip_from[], sig_skip_to[];

	(void)sig;
	(void)si;
	hits++;
	if (uc->uc_mcontext.gregs[REG_RIP] == (greg_t)sig_skip_from) {
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)sig_skip_to;
		uc->uc_mcontext.gregs[REG_RAX] = 0x5151;
	}
}

static void
t_fault_change_context(void)
{
	long rax;

	sig_handle_info(SIGSEGV, skip_insn, 0);
	__asm__ volatile("xorl %%eax, %%eax\n\t"
			 ".globl sig_skip_from\nsig_skip_from:\n\t"
			 "movq 0, %%rbx\n\t"
			 ".globl sig_skip_to\nsig_skip_to:\n\t"
			 : "=a"(rax)
			 :
			 : "rbx", "memory");
	test_expect_eq(hits, 1, "handler ran");
	test_expect_hex(rax, 0x5151, "rax from the changed context");
}

static void
fault_now(void *arg)
{
	(void)arg;
	*(volatile int *)addr8 = 1;
	_exit(0);
}

static void
blocked_fault(void *arg)
{
	sig_handle_info(SIGSEGV, pager, 0);
	sig_block(SIGSEGV);
	fault_now(arg);
}

static void
ignored_fault(void *arg)
{
	sig_handle(SIGSEGV, SIG_IGN, 0);
	fault_now(arg);
}

/* A fault the process blocks or ignores still kills it. */
static void
t_fault_blocked_kills(void)
{
	test_expect_child_signal(blocked_fault, NULL, SIGSEGV, "blocked SEGV");
	test_expect_child_signal(ignored_fault, NULL, SIGSEGV, "ignored SEGV");
}

/* The handler's frame cannot be written (rsp unmapped): SIGSEGV kills. */
static void
bad_stack_child(void *arg)
{
	(void)arg;
	sig_handle_info(SIGSEGV, pager, 0);
	__asm__ volatile("movq $0x1000, %%rsp\n\t"
			 "movq 0, %%rax\n\t" ::
			     : "rax", "memory");
	_exit(0);
}

static void
t_fault_bad_stack(void)
{
	test_expect_child_signal(bad_stack_child, NULL, SIGSEGV,
	    "fault with an unwritable stack");
}

static void
abort_child(void *arg)
{
	if (arg != NULL)
		sig_handle(SIGABRT, count, 0); /* returns: abort goes on */
	abort();
}

/* abort() ends with SIGABRT, even when a handler returns. */
static void
t_fault_abort(void)
{
	test_expect_child_signal(abort_child, NULL, SIGABRT, "abort");
	test_expect_child_signal(abort_child, (void *)1, SIGABRT,
	    "abort with a handler that returns");
}

/* A fault inside a handler for another signal is delivered too. */
static void
fault_in_handler(int sig)
{
	volatile char *p = (volatile char *)addr16;

	(void)sig;
	if (sigsetjmp(escape, 1) == 0)
		(void)*p;
	hits++;
}

static void
t_fault_in_handler(void)
{
	sig_handle_info(SIGSEGV, jump_out, SA_NODEFER);
	sig_handle(SIGUSR1, fault_in_handler, 0);
	raise(SIGUSR1);
	test_expect_eq(hits, 2, "fault handler and USR1 handler ran");
	test_expect_eq(seen.si_code, SEGV_MAPERR, "si_code");
}

const struct test sig_fault_tests[] = {
	{ "fault_pager", t_fault_pager, NULL },
	{ "fault_maperr", t_fault_maperr, NULL },
	{ "fault_fpe", t_fault_fpe, NULL },
	{ "fault_ill", t_fault_ill, NULL },
	{ "fault_trap", t_fault_trap, NULL },
	{ "fault_change_context", t_fault_change_context, NULL },
	{ "fault_blocked_kills", t_fault_blocked_kills, NULL },
	{ "fault_bad_stack", t_fault_bad_stack, NULL },
	{ "fault_abort", t_fault_abort, NULL },
	{ "fault_in_handler", t_fault_in_handler, NULL },
	{ NULL, NULL, NULL },
};
