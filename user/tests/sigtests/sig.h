/*
 * sigtests: signals and process groups, through musl's own functions
 * (sigaction, sigprocmask, raise, kill, sigsuspend, sigwait, abort,
 * setpgid...), on our kernel and on Linux 6.1 alike.
 *
 *   handler.c   handlers: delivery, masks, flags, info, the alternate
 *               stack, registers and FPU state kept across a handler
 *   restart.c   interrupted calls: EINTR, SA_RESTART, restarts after a
 *               stop, sigsuspend, sigtimedwait, pause
 *   fault.c     faults caught by handlers (a user-level pager), faults
 *               that kill, abort, unwritable frames
 *   sigreturn.c rt_sigreturn with hostile frames
 *   jobctl.c    default actions, SIGCHLD, stop and continue seen by
 *               wait4, process groups and sessions, orphaned groups,
 *               kill's targets
 *   threads.c   signals in a threaded process: which thread takes one,
 *               fatal signals, faults and stops take every thread
 */
#ifndef SIG_H
#define SIG_H

#include "test.h"

#include <signal.h>
#include <stdint.h>

#define SIG_MS 1000000ULL

extern const struct test sig_handler_tests[];
extern const struct test sig_restart_tests[];
extern const struct test sig_fault_tests[];
extern const struct test sig_sigreturn_tests[];
extern const struct test sig_jobctl_tests[];
extern const struct test sig_thread_tests[];

/* sigaction(sig) with handler fn and flags; fails the test on error. */
void sig_handle(int sig, void (*fn)(int), int flags);
void sig_handle_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags);

/* Block or unblock one signal in the calling thread. */
void sig_block(int sig);
void sig_unblock(int sig);

/*
 * Fork a child that sleeps a little (ms) then sends sig to the parent,
 * and exits.  Returns its pid (wait for it with test_expect_exit).
 */
pid_t sig_send_later(int sig, unsigned ms);

#endif /* SIG_H */
