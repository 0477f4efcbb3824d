/*
 * The lock checker (after BSD's WITNESS and Linux's lockdep), compiled in
 * when the build defines WITNESS.
 *
 * Every spinlock and mutex belongs to a class: the locks initialized
 * with the same name string (every "pmap", every "pipe") are one class.
 * The checker keeps, per CPU, the spinlocks it holds (they mask
 * interrupts, so they never move to another CPU) and, per LWP, the
 * mutexes it holds, and records in a fixed graph the order in which
 * classes are taken: holding A while taking B records A -> B with the
 * stack of that first acquisition.  It reports
 *   - a lock-order reversal: taking B while holding A when B ->* A was
 *     seen before (directly or through other classes), with the stack of
 *     this acquisition and the saved stack of each edge of the cycle;
 *   - a class taken while a lock of the same class is held, unless the
 *     second acquisition names a higher subclass (spin_lock_nested);
 *   - sleeping (sleep(), mutex_lock) with a spinlock held;
 *   - a spinlock held across a user-memory access (the copy routines, a
 *     kernel page fault on a user address);
 *   - a lock held on the way back to user mode.
 *
 * The command-line word witness= chooses what a report does:
 * "panic" (the default: a test that triggers one fails), "report"
 * (print each distinct report once and go on; witness_report_count()
 * counts them) or "off" (every hook is one predictable branch; make
 * bench boots with it).  The tables are fixed in size; when one fills
 * up the checker says so once and stops adding to it.
 */
#ifndef _WITNESS_H_
#define _WITNESS_H_

#include <types.h>

struct spinlock;
struct mutex;
struct bootinfo;
struct trapframe;

/* witness_mode values. */
#define WITNESS_OFF 0
#define WITNESS_REPORT 1
#define WITNESS_PANIC 2

/* Flags of a lock (sl_wflags): not checked at all (a mutex's interlock). */
#define WITNESS_SKIP 0x1

#ifdef WITNESS
/*
 * witness_on is false only with witness=off: every hook is then one
 * test of it (a compare and a branch not taken).  witness_mode says what
 * a report does.  Both are set at boot and never change afterwards.
 */
extern bool witness_on;
extern int witness_mode;

/* Read witness= from the command line.  Called once by kmain. */
void witness_startup(const struct bootinfo *bi);

/*
 * The lock primitives' hooks (spinlock.c, mutex.c), called only while
 * witness_on.  witness_spin_acquire runs with interrupts masked before
 * the CPU spins for sl: it checks the order and records sl as held by
 * this CPU; witness_spin_tried records a lock spin_trylock took (a try
 * cannot deadlock, so it is not checked); witness_spin_release forgets
 * it.  The mutex hooks run in the
 * LWP's context: witness_mutex_lock before the LWP may sleep for m (the
 * order check), witness_mutex_locked once it holds m,
 * witness_mutex_unlock when it lets m go.  The caller of the primitive
 * (the "taken at" of a report) is found through the frame pointers, or
 * ra for the mutex hooks.
 */
void witness_spin_acquire(struct spinlock *sl, unsigned subclass);
void witness_spin_tried(struct spinlock *sl);
void witness_spin_release(struct spinlock *sl);
void witness_mutex_lock(struct mutex *m, void *ra);
void witness_mutex_locked(struct mutex *m, void *ra);
void witness_mutex_unlock(struct mutex *m);

/* The out-of-line parts of the checks below. */
void witness_sleep_check_slow(const struct spinlock *lk);
void witness_user_access_slow(const char *what, void *site);
void witness_user_fault_slow(const struct trapframe *tf);
void witness_userret_check_slow(void);

/*
 * sleep() calls this first: reports if this CPU holds a spinlock other
 * than lk (the interlock sleep drops).  No requirements.
 */
static inline void
witness_sleep_check(const struct spinlock *lk)
{
	if (__predict_false(witness_on))
		witness_sleep_check_slow(lk);
}

/*
 * The copy routines call this before they touch user memory (what names
 * the routine, as "copyin"; site is its caller): reports if this CPU
 * holds a spinlock.  No requirements.
 */
static inline void
witness_user_access(const char *what, void *site)
{
	if (__predict_false(witness_on))
		witness_user_access_slow(what, site);
}

/*
 * trap() calls this for a kernel-mode page fault on a user address (in a
 * user copy) before it asks the VM: reports if this CPU holds a
 * spinlock.  No requirements.
 */
static inline void
witness_user_fault(const struct trapframe *tf)
{
	if (__predict_false(witness_on))
		witness_user_fault_slow(tf);
}

/*
 * userret calls this last, on the way back to user mode: reports if the
 * LWP holds a mutex or this CPU a spinlock.  No requirements.
 */
static inline void
witness_userret_check(void)
{
	if (__predict_false(witness_on))
		witness_userret_check_slow();
}

/* Reports made since boot (each distinct one counted once). */
uint64_t witness_report_count(void);

/* Print every order recorded, with where it was first seen.  No requirements. */
void witness_print_order(void);

/*
 * For self tests: while capturing, a report is printed and counted but
 * never panics.  witness_capture_end returns the reports made since
 * witness_capture_begin.  witness_forget forgets every order recorded
 * for the class called name, so a test's deliberate reversal leaves no
 * trace.  Not for concurrent use.
 */
void witness_capture_begin(void);
uint64_t witness_capture_end(void);
void witness_forget(const char *name);

#else /* !WITNESS */

#define witness_on false
#define witness_mode WITNESS_OFF
static inline void
witness_startup(const struct bootinfo *bi)
{
	(void)bi;
}
static inline void
witness_sleep_check(const struct spinlock *lk)
{
	(void)lk;
}
static inline void
witness_user_access(const char *what, void *site)
{
	(void)what;
	(void)site;
}
static inline void
witness_user_fault(const struct trapframe *tf)
{
	(void)tf;
}
static inline void
witness_userret_check(void)
{
}
static inline void
witness_print_order(void)
{
}
#endif /* WITNESS */

#endif /* !_WITNESS_H_ */
