/*
 * guest.c: building and running guests, raw system calls, register
 * snapshots and LWPs for vmspacetests (see vs.h).
 */

#include "vs.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MS 1000000ULL
#define LWP_STACK_SIZE (64 * 1024)

/* ---------------------------------------------------------------------
 * Guests.
 */

void
guest_map(void *id, uint64_t addr, size_t len, int prot)
{
	void *p = vmspace_mmap(id, (void *)addr, len, prot,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (p == MAP_FAILED)
		test_fail(
		    "vmspace_mmap(%p, 0x%llx, %zu): expected success, got "
		    "-1 (%s)",
		    id, (unsigned long long)addr, len, test_errname(errno));
	if ((uint64_t)p != addr)
		test_fail("vmspace_mmap(MAP_FIXED 0x%llx) returned %p",
		    (unsigned long long)addr, p);
}

void
guest_new(void *id)
{
	if (vmspace_create(id, 0, NULL) != 0)
		test_fail("vmspace_create(%p): expected success, got -1 (%s)",
		    id, test_errname(errno));
	guest_map(id, G_CODE, G_CODE_PAGES * TEST_PAGE, PROT_READ | PROT_EXEC);
	guest_map(id, G_DATA, G_DATA_PAGES * TEST_PAGE, PROT_READ | PROT_WRITE);
	guest_map(id, G_STACK, G_STACK_PAGES * TEST_PAGE,
	    PROT_READ | PROT_WRITE);
	guest_map(id, G_TLS, TEST_PAGE, PROT_READ | PROT_WRITE);
}

void
guest_code(void *id, const void *code, size_t len)
{
	long r;

	if (len > G_CODE_PAGES * TEST_PAGE)
		test_fail("guest code of %zu bytes does not fit", len);
	r = vmspace_pwrite(id, code, len, 0, G_CODE);
	if (r != (long)len)
		test_fail(
		    "vmspace_pwrite of %zu bytes of guest code: got %ld (%s)",
		    len, r, r < 0 ? test_errname(errno) : "short");
}

void
guest_frame(struct trapframe *tf)
{
	memset(tf, 0, sizeof(*tf));
	tf->tf_rip = G_CODE;
	tf->tf_rsp = G_STACK_TOP;
	tf->tf_rflags = PSL_I | PSL_RESERVED1;
	tf->tf_cs = USER_CS_SEL;
	tf->tf_ss = USER_DS_SEL;
}

uint64_t
guest_run(void *id, struct trapframe *tf, struct vextframe *vx)
{
	struct vextframe dflt = { .vx_timeout_ns = 5000 * MS };

	if (vmspace_ctl(id, VMSPACE_CTL_RUN, tf, vx ? vx : &dflt) != 0)
		test_fail("vmspace_ctl(%p, RUN) at rip 0x%llx: expected 0, got "
			  "-1 (%s)",
		    id, (unsigned long long)tf->tf_rip, test_errname(errno));
	return tf->tf_trapno;
}

uint64_t
guest_read64(void *id, uint64_t addr)
{
	uint64_t v = 0;
	long r = vmspace_pread(id, &v, sizeof(v), 0, (off_t)addr);

	if (r != (long)sizeof(v))
		test_fail("vmspace_pread(%p, 8 bytes at 0x%llx): got %ld (%s)",
		    id, (unsigned long long)addr, r,
		    r < 0 ? test_errname(errno) : "short");
	return v;
}

void
guest_write64(void *id, uint64_t addr, uint64_t v)
{
	long r = vmspace_pwrite(id, &v, sizeof(v), 0, (off_t)addr);

	if (r != (long)sizeof(v))
		test_fail("vmspace_pwrite(%p, 8 bytes at 0x%llx): got %ld (%s)",
		    id, (unsigned long long)addr, r,
		    r < 0 ? test_errname(errno) : "short");
}

volatile uint64_t *
vs_shared_page(void *id, uint64_t gaddr)
{
	int fd = test_memfd(TEST_PAGE);
	long p =
	    test_mmap(0, TEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	void *g;

	if (p == -1)
		test_fail(
		    "mmap(MAP_SHARED memfd): expected success, got -1 (%s)",
		    test_errname(errno));
	g = vmspace_mmap(id, (void *)gaddr, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, fd, 0);
	if (g != (void *)gaddr)
		test_fail(
		    "vmspace_mmap(MAP_SHARED memfd at 0x%llx): got %p (%s)",
		    (unsigned long long)gaddr, g,
		    g == MAP_FAILED ? test_errname(errno) : "");
	close(fd);
	return (volatile uint64_t *)p;
}

const char *
vs_trapname(uint64_t trapno)
{
	switch (trapno) {
	case T_DIVIDE:
		return "T_DIVIDE";
	case T_DEBUG:
		return "T_DEBUG";
	case T_BPTFLT:
		return "T_BPTFLT";
	case T_PRIVINFLT:
		return "T_PRIVINFLT";
	case T_PROTFLT:
		return "T_PROTFLT";
	case T_PAGEFLT:
		return "T_PAGEFLT";
	case T_ALIGNFLT:
		return "T_ALIGNFLT";
	case T_SYSCALL:
		return "T_SYSCALL";
	case T_TIMEOUT:
		return "T_TIMEOUT";
	default:
		return "?";
	}
}

int
vs_cpu_has_nx(void)
{
	uint32_t a = 0x80000000, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	if (a < 0x80000001)
		return 0;
	a = 0x80000001;
	c = 0;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (d >> 20) & 1;
}

int
vs_cpu_has_smap(void)
{
	uint32_t a = 0, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	if (a < 7)
		return 0;
	a = 7;
	c = 0;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (b >> 20) & 1;
}

/*
 * vs_regs_syscall(in = rdi, out = rsi).  The callee-saved registers are
 * pushed, then every register is loaded from *in (rdi last), `syscall`
 * runs, and every register goes to *out.  struct vs_regs offsets: rax 0,
 * rbx 8, rcx 16, rdx 24, rsi 32, rdi 40, rbp 48, r8 56 ... r15 112,
 * rsp 120.
 */
/* clang-format off */
__asm__(
    ".text\n"
    ".globl vs_regs_syscall\n"
    ".type vs_regs_syscall, @function\n"
    "vs_regs_syscall:\n"
    "	pushq %rbx\n"
    "	pushq %rbp\n"
    "	pushq %r12\n"
    "	pushq %r13\n"
    "	pushq %r14\n"
    "	pushq %r15\n"
    "	pushq %rsi\n"			/* out, at 0(%rsp) during the call */
    "	movq 8(%rdi), %rbx\n"
    "	movq 16(%rdi), %rcx\n"
    "	movq 24(%rdi), %rdx\n"
    "	movq 32(%rdi), %rsi\n"
    "	movq 48(%rdi), %rbp\n"
    "	movq 56(%rdi), %r8\n"
    "	movq 64(%rdi), %r9\n"
    "	movq 72(%rdi), %r10\n"
    "	movq 80(%rdi), %r11\n"
    "	movq 88(%rdi), %r12\n"
    "	movq 96(%rdi), %r13\n"
    "	movq 104(%rdi), %r14\n"
    "	movq 112(%rdi), %r15\n"
    "	movq 0(%rdi), %rax\n"
    "	movq 40(%rdi), %rdi\n"
    "	syscall\n"
    "	pushq %rdi\n"			/* the result rdi; out is at 8(%rsp) */
    "	movq 8(%rsp), %rdi\n"
    "	movq %rax, 0(%rdi)\n"
    "	movq %rbx, 8(%rdi)\n"
    "	movq %rcx, 16(%rdi)\n"
    "	movq %rdx, 24(%rdi)\n"
    "	movq %rsi, 32(%rdi)\n"
    "	popq %rax\n"
    "	movq %rax, 40(%rdi)\n"
    "	movq %rbp, 48(%rdi)\n"
    "	movq %r8, 56(%rdi)\n"
    "	movq %r9, 64(%rdi)\n"
    "	movq %r10, 72(%rdi)\n"
    "	movq %r11, 80(%rdi)\n"
    "	movq %r12, 88(%rdi)\n"
    "	movq %r13, 96(%rdi)\n"
    "	movq %r14, 104(%rdi)\n"
    "	movq %r15, 112(%rdi)\n"
    "	movq %rsp, 120(%rdi)\n"		/* as it was at the syscall */
    "	popq %rsi\n"
    "	popq %r15\n"
    "	popq %r14\n"
    "	popq %r13\n"
    "	popq %r12\n"
    "	popq %rbp\n"
    "	popq %rbx\n"
    "	ret\n"
    ".size vs_regs_syscall, . - vs_regs_syscall\n");
/* clang-format on */

_Static_assert(offsetof(struct vs_regs, r15) == 112, "vs_regs layout");
_Static_assert(offsetof(struct vs_regs, rsp) == 120, "vs_regs layout");

void
vs_regs_fill(struct vs_regs *r, uint64_t seed)
{
	uint64_t *w = (uint64_t *)r;

	for (size_t i = 0; i < sizeof(*r) / 8; i++)
		w[i] = seed ^ (0x0101010101010101ULL * (i + 1)) ^
		    ((uint64_t)i << 56);
}

void
vs_expect_regs_kept_at(const char *file, int line, const struct vs_regs *in,
    const struct vs_regs *out, const char *what)
{
	static const char *const names[] = {
		"rax",
		"rbx",
		"rcx",
		"rdx",
		"rsi",
		"rdi",
		"rbp",
		"r8",
		"r9",
		"r10",
		"r11",
		"r12",
		"r13",
		"r14",
		"r15",
	};
	const uint64_t *a = (const uint64_t *)in, *b = (const uint64_t *)out;

	for (size_t i = 0; i < 15; i++) {
		if (i == 0 || i == 2 || i == 10) /* rax, rcx, r11 */
			continue;
		if (a[i] != b[i])
			test_fail_at(file, line,
			    "%s: %s was 0x%llx before the "
			    "call and 0x%llx after",
			    what, names[i], (unsigned long long)a[i],
			    (unsigned long long)b[i]);
	}
}

/*
 * vs_mmap7_on_stack(id, addr, len, prot, flags, fd, stack): rdi, rsi,
 * rdx, rcx, r8, r9 and, on our stack at 8(%rsp), the rsp to use.
 */
/* clang-format off */
__asm__(
    ".text\n"
    ".globl vs_mmap7_on_stack\n"
    ".type vs_mmap7_on_stack, @function\n"
    "vs_mmap7_on_stack:\n"
    "	pushq %rbx\n"
    "	movq %rsp, %rbx\n"
    "	movq 16(%rsp), %rax\n"		/* the 7th argument: the new rsp */
    "	movq %rax, %rsp\n"
    "	movq %rcx, %r10\n"
    "	movl $489, %eax\n"		/* SYS_vmspace_mmap */
    "	syscall\n"
    "	movq %rbx, %rsp\n"
    "	popq %rbx\n"
    "	ret\n"
    ".size vs_mmap7_on_stack, . - vs_mmap7_on_stack\n");
/* clang-format on */

/* ---------------------------------------------------------------------
 * LWPs.
 */

int
vs_lwp_start(void (*fn)(void *), void *arg)
{
	long base = test_mmap(0, LWP_STACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct lwp_params p;
	int tid = -1;

	if (base == -1)
		test_fail("mmap of an LWP stack: got -1 (%s)",
		    test_errname(errno));
	/* The stack stays mapped: the test's process ends soon anyway. */
	p.lwp_func = fn;
	p.lwp_arg = arg;
	p.lwp_stack = (void *)(base + LWP_STACK_SIZE - 8);
	p.lwp_tid1 = &tid;
	p.lwp_tid2 = NULL;
	if (lwp_create(&p) != 0)
		test_fail("lwp_create: expected 0, got -1 (%s)",
		    test_errname(errno));
	if (tid <= 0)
		test_fail("lwp_create stored id %d", tid);
	return tid;
}

void
vs_lwp_join(int tid)
{
	if (lwp_wait(tid) != 0)
		test_fail("lwp_wait(%d): expected 0, got -1 (%s)", tid,
		    test_errname(errno));
}

void
vs_wait_flag_at(const char *file, int line, volatile int *flag, int want,
    unsigned ms, const char *what)
{
	uint64_t end = test_now_ns() + ms * MS;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) < want) {
		if (test_now_ns() > end)
			test_fail_at(file, line,
			    "%s: still %d (waiting for %d) "
			    "after %u ms",
			    what, *flag, want, ms);
		sched_yield();
	}
}

void
vs_wait_word_at(const char *file, int line, volatile uint64_t *word,
    uint64_t want, unsigned ms, const char *what)
{
	uint64_t end = test_now_ns() + ms * MS;

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != want) {
		if (test_now_ns() > end)
			test_fail_at(file, line,
			    "%s: still 0x%llx (waiting for "
			    "0x%llx) after %u ms",
			    what, (unsigned long long)*word,
			    (unsigned long long)want, ms);
		sched_yield();
	}
}
