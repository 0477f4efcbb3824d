/*
 * th.h: what the files of threadtests share.
 *
 * threadtests checks threads with Linux's ABI (issue 11, "Threads")
 * through unmodified musl: pthread_create, join and detach, mutexes,
 * condition variables, semaphores, robust mutexes, posix_spawn, popen,
 * system, vfork, fork and exec from threads, and raw clone and futex
 * calls where libc has no wrapper (timeouts, requeue, wake-op, fuzz).
 * Each file holds the tests of one area:
 *
 *	pthread.c	pthread_create/join/detach, mutex, cond, sem, exit
 *			and exit_group from threads, the main thread's exit
 *	proc.c		fork and exec from a threaded process, vfork,
 *			posix_spawn, popen, system, clone as fork
 *	futex.c		futex operations and timeouts, shared futexes across
 *			processes, robust mutexes, set_tid_address
 *	fuzz.c		random clone flag words and futex calls
 *	clone3.c	clone3: processes, threads, vfork, stacks, sizes,
 *			every refusal
 *	suite.c		the list of tables
 *
 * Every test runs in its own process (the library's runner) and may
 * fail; on Linux every test must pass too, except those marked native.
 */
#ifndef TH_H
#define TH_H

#include "test.h"

#include <stdint.h>
#include <time.h>

/* Linux's <linux/futex.h> and <linux/sched.h>, which musl does not ship. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY 0xffffffffU
#define FUTEX_WAITERS 0x80000000U
#define FUTEX_OWNER_DIED 0x40000000U
#define FUTEX_TID_MASK 0x3fffffffU
#define FUTEX_OP(op, oparg, cmp, cmparg)                                      \
	((((op)&0xf) << 28) | (((cmp)&0xf) << 24) | (((oparg)&0xfff) << 12) | \
	    ((cmparg)&0xfff))
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5

extern const struct test th_pthread_tests[];
extern const struct test th_proc_tests[];
extern const struct test th_futex_tests[];
extern const struct test th_fuzz_tests[];
extern const struct test th_clone3_tests[];

/* futex(2) through the raw call: the kernel's result (-errno on error). */
static inline long
th_futex(volatile uint32_t *uaddr, int op, uint32_t val,
    const struct timespec *ts, volatile uint32_t *uaddr2, uint32_t val3)
{
	return test_raw6(SYS_futex, (long)uaddr, op, val, (long)ts,
	    (long)uaddr2, val3);
}

/* pthread_create, failing the test if it fails. */
#define th_create(t, fn, arg) th_create_at(__FILE__, __LINE__, (t), (fn), (arg))
#include <pthread.h>
void th_create_at(const char *file, int line, pthread_t *t, void *(*fn)(void *),
    void *arg);

/* pthread_join, failing unless it succeeds; returns the thread's value. */
#define th_join(t) th_join_at(__FILE__, __LINE__, (t))
void *th_join_at(const char *file, int line, pthread_t t);

/*
 * Helpers: the suite's program run again as `threadtests --helper NAME
 * ARG...` (th_exec_helper execs it), for tests that need a process as
 * exec makes it: musl registers its thread-list lock with
 * set_tid_address only at start-up, not in a forked child.  Returns the
 * exit status.
 */
#define TH_HELPER "--helper"
int th_helper_main(int argc, char **argv);
_Noreturn void th_exec_helper(const char *name, const char *arg);

#endif /* TH_H */
