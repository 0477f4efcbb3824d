/*
 * Error numbers: Linux's own (ABI.md section 2), from its uapi headers
 * (linux-libc-dev), so user programs built against a Linux libc read
 * them unchanged.  Syscalls return them negated.
 */
#ifndef _ERRNO_H_
#define _ERRNO_H_

#include <asm-generic/errno.h>

/*
 * Kernel-internal: never seen by user space.  The restart codes are
 * Linux's (and have its numbers).  A blocking call that a signal
 * interrupts returns one of them; on the way back to user mode
 * (sig_syscall_restart, kern_sig.c) it becomes EINTR or a restart:
 *
 *   ERESTARTSYS            restart if no handler runs or the handler has
 *                          SA_RESTART; else EINTR (read, write, wait4,
 *                          futex wait without timeout)
 *   ERESTARTNOINTR         always restart
 *   ERESTARTNOHAND         restart if no handler runs; else EINTR
 *                          (pause, sigsuspend, poll, select)
 *   ERESTART_RESTARTBLOCK  like ERESTARTNOHAND, but the restart calls
 *                          restart_syscall (219), which runs the LWP's
 *                          l_restart.fn (nanosleep with its deadline)
 */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
#define EJUSTRETURN 600 /* the syscall set the whole frame; leave rax */

#endif /* !_ERRNO_H_ */
