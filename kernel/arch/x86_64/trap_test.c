/*
 * In-kernel tests of the trap path.
 */
#include <systm.h>
#include <ktest.h>
#include <arch/cpu.h>
#include <arch/frame.h>
#include <arch/trap.h>

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
