/*
 * In-kernel tests of the trap path.
 */
#include <systm.h>
#include <ktest.h>
#include <arch/cpu.h>
#include <arch/frame.h>
#include <arch/trap.h>
#include <syscall.h>
#include <sysproto.h>

static volatile int bpt_hits;
static volatile uint64_t bpt_rip;

static void
test_bpt_hook(struct trapframe *tf)
{
	bpt_hits++;
	bpt_rip = tf->tf_rip;
	tf->tf_rbx =
	    0x1234; /* changes to the frame reach the interrupted code */
}

/* int3 in the kernel reaches the hook with a full frame and resumes after it. */
KTEST(trap_breakpoint)
{
	trap_bpt_hook_t old = trap_set_kernel_bpt_hook(test_bpt_hook);
	uint64_t rbx, after;

	bpt_hits = 0;
	__asm__ volatile("movq $0, %%rbx\n\t"
			 "int3\n"
			 "1:\n\t"
			 "movq %%rbx, %0\n\t"
			 "leaq 1b(%%rip), %1"
			 : "=r"(rbx), "=r"(after)
			 :
			 : "rbx", "memory");
	trap_set_kernel_bpt_hook(old);
	KT_EQ(bpt_hits, 1);
	KT_EQ(bpt_rip, after);
	KT_EQ(rbx, 0x1234);
	KT_CHECK(intr_enabled());
}

/* The exception names used in panic messages. */
KTEST(trap_names)
{
	KT_CHECK(strcmp(trap_name(T_PAGEFLT), "page fault") == 0);
	KT_CHECK(strcmp(trap_name(T_PROTFLT), "general protection fault") == 0);
	KT_CHECK(strcmp(trap_name(T_DOUBLEFLT), "double fault") == 0);
	KT_CHECK(strcmp(trap_name(31), "reserved exception") == 0);
}

/*
 * The panic path, one boot each (tests/run-all.sh checks the output: the
 * "panic: " line naming the fault, the registers, a backtrace through
 * this function, and QEMU exit status 255).
 */
KTEST(crash_page_fault)
{
	volatile uint64_t *p = (volatile uint64_t *)0x10;

	__asm__("" : "+r"(p)); /* hide the constant address from the compiler */
	*p = 1;
}

KTEST(crash_assert)
{
	KASSERT(ktest_random() == 0);
}

/*
 * The registers of ktest_call_light, in the order its assembly stores
 * them: all but rsp and rbp (the frame pointer, which every function
 * keeps), and the result last.
 */
struct light_regs {
	uint64_t rbx, rcx, rdx, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rax;
};

/*
 * Load every register of *r but rax, call fn, store every register back
 * to *r and the result to r->rax.
 */
void ktest_call_light(long (*fn)(void), struct light_regs *r);

/* clang-format off */
__asm__(
    ".text\n"
    ".globl ktest_call_light\n"
    ".type ktest_call_light, @function\n"
    "ktest_call_light:\n"
    "	pushq %rbp\n"
    "	movq %rsp, %rbp\n"
    "	pushq %rbx\n"
    "	pushq %r12\n"
    "	pushq %r13\n"
    "	pushq %r14\n"
    "	pushq %r15\n"
    "	pushq %rsi\n"			/* r, at 0(%rsp); the stack is 16-aligned */
    "	movq %rdi, %rax\n"
    "	movq 0(%rsi), %rbx\n"
    "	movq 8(%rsi), %rcx\n"
    "	movq 16(%rsi), %rdx\n"
    "	movq 32(%rsi), %rdi\n"
    "	movq 40(%rsi), %r8\n"
    "	movq 48(%rsi), %r9\n"
    "	movq 56(%rsi), %r10\n"
    "	movq 64(%rsi), %r11\n"
    "	movq 72(%rsi), %r12\n"
    "	movq 80(%rsi), %r13\n"
    "	movq 88(%rsi), %r14\n"
    "	movq 96(%rsi), %r15\n"
    "	movq 24(%rsi), %rsi\n"
    "	call *%rax\n"
    "	xchgq %rsi, 0(%rsp)\n"		/* r back; the returned rsi saved */
    "	movq %rbx, 0(%rsi)\n"
    "	movq %rcx, 8(%rsi)\n"
    "	movq %rdx, 16(%rsi)\n"
    "	movq %rdi, 32(%rsi)\n"
    "	movq %r8, 40(%rsi)\n"
    "	movq %r9, 48(%rsi)\n"
    "	movq %r10, 56(%rsi)\n"
    "	movq %r11, 64(%rsi)\n"
    "	movq %r12, 72(%rsi)\n"
    "	movq %r13, 80(%rsi)\n"
    "	movq %r14, 88(%rsi)\n"
    "	movq %r15, 96(%rsi)\n"
    "	movq %rax, 104(%rsi)\n"
    "	popq %rax\n"
    "	movq %rax, 24(%rsi)\n"
    "	popq %r15\n"
    "	popq %r14\n"
    "	popq %r13\n"
    "	popq %r12\n"
    "	popq %rbx\n"
    "	popq %rbp\n"
    "	ret\n"
    ".size ktest_call_light, . - ktest_call_light\n");
/* clang-format on */

CTASSERT(offsetof(struct light_regs, r15) == 96);
CTASSERT(offsetof(struct light_regs, rax) == 104);

/* A plain function that changes rcx and r11: the harness must see it. */
static long
light_control(void)
{
	__asm__ volatile("movq $1, %%rcx\n\tmovq $2, %%r11" : : : "rcx", "r11");
	return 7;
}

/*
 * Every LIGHT call's handler keeps every register but rax, as
 * syscall.S's light path relies on (SYSCALL_LIGHT), and returns what the
 * call's table entry does.
 */
KTEST(syscall_light_keeps_registers)
{
	static struct trapframe
	    tf; /* the wrappers of calls without arguments ignore it */
	struct light_regs r;
	uint64_t *w = (uint64_t *)&r;
	unsigned i, k, n = 0;

	for (i = 0; i < nsysent; i++) {
		if (sysent[i].sy_light == NULL)
			continue;
		n++;
		KT_EQ(sysent[i].sy_narg, 0);
		for (k = 0; k < 13; k++)
			w[k] = 0x5ca1ab1e00000000UL | (uint64_t)i << 8 | k;
		r.rax = 0;
		ktest_call_light(sysent[i].sy_light, &r);
		for (k = 0; k < 13; k++)
			KT_EQ(w[k],
			    0x5ca1ab1e00000000UL | (uint64_t)i << 8 | k);
		KT_EQ((long)r.rax, sysent[i].sy_call(&tf));
	}
	KT_CHECK(n >= 8); /* getpid, getppid, gettid, the four ids, ... */
	for (k = 0; k < 13; k++)
		w[k] = k;
	ktest_call_light(light_control, &r);
	KT_EQ(r.rax, 7);
	KT_EQ(r.rcx, 1); /* the harness sees a register changed */
	KT_EQ(r.r11, 2);
	KT_CHECK(sysent[SYS_getpid].sy_light != NULL);
}

/*
 * Every stac and clac of the user copies is what the CPU can run: the
 * instruction with SMAP, a 3-byte NOP without (cpu_smap_patch); and the
 * copies have some.
 */
KTEST(smap_sites)
{
	unsigned n = 0;

	for (const uint64_t *p = smap_sites_start; p < smap_sites_end; p++) {
		const uint8_t *insn = (const uint8_t *)*p;

		if (cpu_smap_enabled)
			KT_CHECK(cpu_smap_site_is(insn, SMAP_STAC) ||
			    cpu_smap_site_is(insn, SMAP_CLAC));
		else
			KT_CHECK(cpu_smap_site_is(insn, SMAP_NOP3));
		n++;
	}
	KT_CHECK(n >= 2);
}
