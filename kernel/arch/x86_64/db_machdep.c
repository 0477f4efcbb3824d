/*
 * Register dumps and backtraces for panic().
 */
#include <systm.h>
#include <arch/cpu.h>
#include <arch/db.h>
#include <arch/frame.h>
#include <arch/pmap.h>

#define DB_MAX_FRAMES 32

void
db_print_regs(const struct trapframe *tf)
{
	if (tf != NULL) {
		kprintf("rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n",
		    tf->tf_rax, tf->tf_rbx, tf->tf_rcx, tf->tf_rdx);
		kprintf("rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n",
		    tf->tf_rsi, tf->tf_rdi, tf->tf_rbp, tf->tf_rsp);
		kprintf("r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n",
		    tf->tf_r8, tf->tf_r9, tf->tf_r10, tf->tf_r11);
		kprintf("r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n",
		    tf->tf_r12, tf->tf_r13, tf->tf_r14, tf->tf_r15);
		kprintf("rip=%016lx cs=%04lx ss=%04lx rflags=%08lx "
			"trapno=%lu err=%lx addr=%lx\n",
		    tf->tf_rip, tf->tf_cs, tf->tf_ss, tf->tf_rflags,
		    tf->tf_trapno, tf->tf_err, tf->tf_addr);
	} else {
		uint64_t rsp, rbp;

		__asm__ volatile("movq %%rsp, %0; movq %%rbp, %1"
				 : "=r"(rsp), "=r"(rbp));
		kprintf("rsp=%016lx rbp=%016lx rflags=%08lx\n", rsp, rbp,
		    read_rflags());
	}
	kprintf("cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx\n", rcr0(), rcr2(),
	    rcr3(), rcr4());
}

/* A frame pointer worth following: kernel half, 8-byte aligned. */
static bool
db_frame_ok(uint64_t rbp)
{
	return rbp >= DMAP_BASE && (rbp & 7) == 0;
}

void
db_backtrace(uint64_t rbp)
{
	kprintf("backtrace:\n");
	for (int i = 0; i < DB_MAX_FRAMES && db_frame_ok(rbp); i++) {
		uint64_t next, ret;

		if (probe_read64((void *)rbp, &next) != 0 ||
		    probe_read64((void *)(rbp + 8), &ret) != 0 || ret == 0)
			break;
		kprintf("  #%d ", i);
		db_print_symbol(ret);
		kprintf("\n");
		if (next <= rbp)
			break; /* frames grow upwards; anything else is corrupt */
		rbp = next;
	}
}

void
db_backtrace_trapframe(const struct trapframe *tf)
{
	kprintf("trapped at ");
	db_print_symbol(tf->tf_rip);
	kprintf("\n");
	if (!TRAPF_USERMODE(tf))
		db_backtrace(tf->tf_rbp);
}
