/*
 * Waiting for files to become ready: the one poll channel that poll,
 * select (fs/sys_poll.c) and epoll (fs/eventpoll.c) sleep on, and their
 * shared argument checks.  Files announce changes with poll_wakeup
 * (file.h).
 */
#ifndef _POLL_H_
#define _POLL_H_

#include <types.h>

struct timespec;

/*
 * A waiter's loop: poll_wait_begin counts the caller among the waiters
 * and returns the channel's generation; the caller then looks at its
 * files and, while none is ready, calls poll_wait_sleep, which sleeps
 * (interruptibly, until the nanouptime deadline, 0: none) unless a
 * poll_wakeup came since *gen, and moves *gen on.  A change made after
 * poll_wait_begin is never missed: its poll_wakeup sees the count, and
 * moves the generation.  poll_wait_sleep returns 0, -EINTR or
 * -ETIMEDOUT; poll_wait_end ends the wait.  No locks held.
 */
uint64_t poll_wait_begin(void);
int poll_wait_sleep(uint64_t *gen, uint64_t deadline);
void poll_wait_end(void);

/*
 * A timespec timeout from user memory (uts may be NULL: none):
 * *deadline (nanouptime; 0 for none) and *nowait for a zero one.
 * Returns 0, -EFAULT or -EINVAL.  No locks held.
 */
int poll_timeout_copyin(const struct timespec *uts, uint64_t *deadline,
    bool *nowait);

/*
 * A signal mask for the call: install *umask (sigsetsize must be 8)
 * with sig_set_tempmask and set *set.  Returns 0 (also when umask is
 * NULL), -EINVAL or -EFAULT.  No locks held.
 */
int poll_tempmask_copyin(const void *umask, size_t sigsetsize, bool *set);

#endif /* !_POLL_H_ */
