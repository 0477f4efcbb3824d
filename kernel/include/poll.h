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
 * Wait for files: call look(arg, &wake), which looks at them, until it
 * returns non-zero (ready files, or an error), sleeping between calls
 * until a poll_wakeup, the nanouptime deadline (0: none), the wake time
 * look set (0: none; a file's fo_polltime) or a signal; nowait: call it
 * once.  A change after the first call began is never missed.  Returns
 * look's last result, 0 at the deadline, or -EINTR.  No locks held.
 */
long poll_wait_for(long (*look)(void *arg, uint64_t *wake), void *arg,
    uint64_t deadline, bool nowait);

/* The earlier of two wake times, 0 meaning none.  No requirements. */
static inline uint64_t
poll_wake_min(uint64_t a, uint64_t b)
{
	return a == 0 || (b != 0 && b < a) ? b : a;
}

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
