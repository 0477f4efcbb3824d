/*
 * rt_sigreturn trusts nothing in the frame (CVE-2014-9322, Linux's
 * sigreturn selftests): a handler rewrites its ucontext with hostile
 * values, or a program calls rt_sigreturn on a frame of its own making.
 * Bad selectors, a non-canonical rip, an unreadable frame or FPU state
 * end the process with SIGSEGV; privileged rflags bits are dropped; the
 * kernel survives all of it.
 */

#include "sig.h"

#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

enum hostile {
	H_CS,        /* kernel code selector */
	H_SS,        /* kernel data selector */
	H_RIP,       /* non-canonical rip */
	H_RIP_HI,    /* a kernel-half rip */
	H_IOPL,      /* IOPL 3: then cli must still fault */
	H_NT,        /* NT: dropped */
	H_AC,        /* AC: kept, user code may set it */
	H_FPALIGN,   /* FPU state pointer 8 off 16-byte alignment */
	H_FPALIGN16, /* FPU state copied to a 16-aligned, not 64-aligned place */
	H_FPBAD,     /* FPU state pointer unmapped */
	H_MASK,      /* uc_sigmask changed: the new mask is taken */
	H_MXCSR,     /* reserved MXCSR bits: fxrstor's #GP, so SIGSEGV */
};

static volatile enum hostile mode;
/* Where H_FPALIGN16 puts the FPU state: 16 bytes into a 64-aligned buffer. */
static char fpcopy[512 + 64] __attribute__((aligned(64)));

static void
hostile(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;

	(void)sig;
	(void)si;
	switch (mode) {
	case H_CS:
		g[REG_CSGSFS] = (g[REG_CSGSFS] & ~0xffffL) | 0x08;
		break;
	case H_SS:
		g[REG_CSGSFS] =
		    (g[REG_CSGSFS] & ~(0xffffL << 48)) | (0x10L << 48);
		break;
	case H_RIP:
		g[REG_RIP] = 0x0000800000000000L;
		break;
	case H_RIP_HI:
		g[REG_RIP] = (greg_t)0xffffffff80001000UL;
		break;
	case H_IOPL:
		g[REG_EFL] |= 0x3000;
		break;
	case H_NT:
		g[REG_EFL] |= 0x4000;
		break;
	case H_AC:
		g[REG_EFL] |= 0x40000;
		break;
	case H_FPALIGN:
		uc->uc_mcontext.fpregs =
		    (fpregset_t)((char *)uc->uc_mcontext.fpregs + 8);
		break;
	case H_FPALIGN16:
		memcpy(fpcopy + 16, uc->uc_mcontext.fpregs, 512);
		uc->uc_mcontext.fpregs = (fpregset_t)(fpcopy + 16);
		break;
	case H_FPBAD:
		uc->uc_mcontext.fpregs = (fpregset_t)0x1000;
		break;
	case H_MASK:
		sigaddset(&uc->uc_sigmask, SIGUSR2);
		break;
	case H_MXCSR:
		uc->uc_mcontext.fpregs->mxcsr = 0xffffffff;
		break;
	}
}

static unsigned long
read_rflags(void)
{
	unsigned long f;

	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(f));
	return f;
}

static void
hostile_child(void *arg)
{
	sigset_t cur;

	mode = (enum hostile)(uintptr_t)arg;
	sig_handle_info(SIGUSR1, hostile, 0);
	raise(SIGUSR1);
	/* Still here: the frame was taken, with what the kernel let in. */
	switch (mode) {
	case H_IOPL:
		__asm__ volatile("cli"); /* IOPL must still be 0: #GP */
		_exit(0);
	case H_NT:
		_exit(read_rflags() & 0x4000 ? 1 : 0);
	case H_AC:
		if (!(read_rflags() & 0x40000))
			_exit(2);
		__asm__ volatile("pushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq" ::
				     : "memory", "cc");
		_exit(0);
	case H_MASK:
		sigprocmask(SIG_BLOCK, NULL, &cur);
		_exit(sigismember(&cur, SIGUSR2) ? 0 : 3);
	case H_FPALIGN16:
		_exit(0);
	default:
		_exit(5); /* the bad frame was taken */
	}
}

static void
expect_segv(enum hostile m, const char *what)
{
	test_expect_child_signal(hostile_child, (void *)(uintptr_t)m, SIGSEGV,
	    what);
}

static void
expect_exit0(enum hostile m, const char *what)
{
	int status = test_child_status(hostile_child, (void *)(uintptr_t)m);
	char how[80];

	test_status_str(status, how, sizeof(how));
	test_assert_msg(status == 0, "%s: the child %s", what, how);
}

static void
t_sigreturn_bad_cs(void)
{
	expect_segv(H_CS, "kernel CS in the frame");
}

static void
t_sigreturn_bad_ss(void)
{
	expect_segv(H_SS, "kernel SS in the frame");
}

static void
t_sigreturn_noncanonical_rip(void)
{
	expect_segv(H_RIP, "non-canonical rip");
	expect_segv(H_RIP_HI, "kernel rip");
}

static void
t_sigreturn_iopl(void)
{
	expect_segv(H_IOPL, "IOPL 3 in rflags, then cli");
}

static void
t_sigreturn_rflags(void)
{
	expect_exit0(H_NT, "NT in rflags is dropped");
	expect_exit0(H_AC, "AC in rflags is kept");
}

static void
t_sigreturn_fpstate(void)
{
	expect_segv(H_FPBAD, "unmapped FPU state");
}

/*
 * Reserved MXCSR bits in the FPU state: fxrstor raises #GP on real
 * hardware, so Linux ends the process with SIGSEGV, and so do we.
 */
static void
t_sigreturn_mxcsr(void)
{
	expect_segv(H_MXCSR, "reserved MXCSR bits");
}

/*
 * The FPU state must be 16-byte aligned (fxrstor's rule, and Linux's,
 * which takes a state without the xsave magic as a bare fxsave image).
 */
static void
t_sigreturn_fpstate_misaligned(void)
{
	expect_segv(H_FPALIGN, "FPU state 8 bytes off 16-byte alignment");
	expect_exit0(H_FPALIGN16, "FPU state 16-byte aligned");
}

static void
t_sigreturn_mask(void)
{
	expect_exit0(H_MASK, "uc_sigmask taken back");
}

/* rt_sigreturn with rsp on an unmapped page, or on a page of garbage. */
static void
raw_sigreturn_child(void *arg)
{
	unsigned long sp = (unsigned long)arg;

	__asm__ volatile("movq %0, %%rsp\n\t"
			 "movl $15, %%eax\n\t"
			 "syscall\n\t"
			 "ud2" ::"r"(sp)
			 : "memory");
	_exit(0);
}

static void
t_sigreturn_unmapped_frame(void)
{
	char *m = test_map(2 * TEST_PAGE);

	test_expect_ok(munmap(m, 2 * TEST_PAGE), "munmap");
	test_expect_child_signal(raw_sigreturn_child, (void *)(m + TEST_PAGE),
	    SIGSEGV, "frame on an unmapped page");
	test_expect_child_signal(raw_sigreturn_child,
	    (void *)0x00007ffffffffff0UL, SIGSEGV,
	    "frame at the top of user space");
	test_expect_child_signal(raw_sigreturn_child,
	    (void *)0xffff800000001000UL, SIGSEGV, "frame in the kernel");
}

static void
t_sigreturn_garbage_frame(void)
{
	uint64_t rng = test_seed | 1;
	unsigned long *m = test_map(4 * TEST_PAGE);

	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < 4 * TEST_PAGE / sizeof(*m); i++)
			m[i] =
			    round == 0 ? 0xa5a5a5a5a5a5a5a5UL : test_rand(&rng);
		test_expect_child_signal(raw_sigreturn_child,
		    (char *)m + 2 * TEST_PAGE + 8 * (round % 8), SIGSEGV,
		    "rt_sigreturn on garbage");
	}
}

static volatile sig_atomic_t traps;

/* The SIGUSR1 handler: return with TF set. */
static void
set_tf(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_EFL] |= 0x100;
}

/* The SIGTRAP handler: count the trap, and one step is enough. */
static void
step(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	if (si->si_code == TRAP_TRACE)
		traps++;
	uc->uc_mcontext.gregs[REG_EFL] &= ~0x100L;
}

/* TF set through the frame: one instruction runs, then SIGTRAP. */
static void
t_sigreturn_single_step(void)
{
	sig_handle_info(SIGTRAP, step, 0);
	sig_handle_info(SIGUSR1, set_tf, 0);
	raise(SIGUSR1);
	test_expect_eq(traps, 1, "one single-step trap");
}

const struct test sig_sigreturn_tests[] = {
	{ "sigreturn_bad_cs", t_sigreturn_bad_cs, NULL },
	{ "sigreturn_bad_ss", t_sigreturn_bad_ss, NULL },
	{ "sigreturn_noncanonical_rip", t_sigreturn_noncanonical_rip, NULL },
	{ "sigreturn_iopl", t_sigreturn_iopl, NULL },
	{ "sigreturn_rflags", t_sigreturn_rflags, NULL },
	{ "sigreturn_fpstate", t_sigreturn_fpstate, NULL },
	{ "sigreturn_mxcsr", t_sigreturn_mxcsr,
	    "QEMU's TCG loads reserved MXCSR bits without real hardware's "
	    "#GP, so Linux under QEMU takes them" },
	{ "sigreturn_fpstate_misaligned", t_sigreturn_fpstate_misaligned,
	    NULL },
	{ "sigreturn_mask", t_sigreturn_mask, NULL },
	{ "sigreturn_unmapped_frame", t_sigreturn_unmapped_frame, NULL },
	{ "sigreturn_garbage_frame", t_sigreturn_garbage_frame, NULL },
	{ "sigreturn_single_step", t_sigreturn_single_step, NULL },
	{ NULL, NULL, NULL },
};
