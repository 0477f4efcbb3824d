/*
 * Futexes (kern_futex.c): Linux's futex(2) on lwproc's LWPs, and the
 * thread-exit work that depends on them (clear_child_tid, robust lists).
 */
#ifndef _PROC_FUTEX_H_
#define _PROC_FUTEX_H_

#include <types.h>

/*
 * Wake up to nwake LWPs waiting on the futex at uaddr in the calling
 * process's address space (shared or private, as the mapping says).
 * Returns the number woken, or -EINVAL (misaligned), -EFAULT.  No locks
 * held.
 */
long futex_wake_user(uint32_t *uaddr, int nwake);

/*
 * The exit work of the calling LWP before it becomes a zombie: release
 * the futexes on its robust list (FUTEX_OWNER_DIED and a wakeup, as
 * Linux's exit_robust_list), then write 0 at its clear_child_tid address
 * and wake one waiter there (pthread_join).  Faults are ignored.  The
 * LWP still has its address space.  No locks held.
 */
void futex_lwp_exit(void);

#endif /* !_PROC_FUTEX_H_ */
