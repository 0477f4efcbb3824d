/*
 * Constants the assembly files need from C: structure offsets and flag
 * values, so that they cannot drift from the headers.  Never linked:
 * the Makefile compiles this file to assembly and turns each ASSYM line
 * into a #define in build/gen/assym.h (as BSD's genassym does).
 */
#include <types.h>
#include <errno.h>
#include <arch/cpu.h>
#include <arch/pcb.h>
#include <proc/proc.h>
#include <sysproto.h>

#define ASSYM(name, value) \
	__asm__ volatile("\n.ascii \"ASSYM " #name " %c0\"" : : "i"(value))

void genassym(void);

void
genassym(void)
{
	/* struct lwp */
	ASSYM(L_FLAG, offsetof(struct lwp, l_flag));
	ASSYM(L_MD_FLAGS, offsetof(struct lwp, l_md.md_flags));
	ASSYM(L_NSYSCALLS, offsetof(struct lwp, l_nsyscalls));
	ASSYM(LW_SYSCALL_WORK, LW_WEXIT | LW_PENDSIG);
	ASSYM(MDL_GUEST, MDL_GUEST);

	/* struct cpu_info */
	ASSYM(CI_WANT_RESCHED, offsetof(struct cpu_info, ci_want_resched));
	ASSYM(CI_SYSCALL_FRAME, offsetof(struct cpu_info, ci_syscall_frame));
	ASSYM(CI_SYSCALL_LIMIT, offsetof(struct cpu_info, ci_syscall_limit));

	/* The system call table and the kernel-internal results. */
	ASSYM(SYSCALL_NR_MAX, SYS_MAXSYSCALL);
	ASSYM(SYS_VMSPACE_CTL, SYS_vmspace_ctl);
	ASSYM(EJUSTRETURN, EJUSTRETURN);
	ASSYM(ERESTARTSYS, ERESTARTSYS);
}
