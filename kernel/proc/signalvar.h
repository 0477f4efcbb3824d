/*
 * Signals (kern_sig.c): Linux's numbers, dispositions, masks and
 * siginfo, on lwproc's processes and LWPs.
 *
 * State.  A process has its dispositions (p_sigacts) and a pending set
 * for signals sent to the whole process (p_sigpend); each LWP has its
 * blocked mask (l_sigmask) and a pending set for signals sent to it
 * alone (l_sigpend: tkill, faults).  All of it is guarded by proc_lock.
 *
 * Delivery.  Posting a signal sets LW_PENDSIG on an LWP that can take it
 * (one that does not block it) and interrupts that LWP (sched_interrupt):
 * an interruptible sleep ends with -EINTR, a running LWP is sent to
 * userret.  userret sees LW_PENDSIG and calls sig_deliver, which takes
 * the signals one by one: runs the default action (terminate, core,
 * stop, continue, ignore) or builds the handler's frame on the user
 * stack (sendsig, machine-dependent).  LW_PENDSIG is recomputed under
 * proc_lock whenever what it summarizes changes (sig_recalc).
 *
 * Interrupted calls.  A blocking call that a signal interrupts returns
 * one of the ERESTART* codes (errno.h); sig_deliver turns it into EINTR
 * or a restart of the call, as Linux does.
 */
#ifndef _PROC_SIGNALVAR_H_
#define _PROC_SIGNALVAR_H_

#include <proc/proc.h>

struct trapframe;

/* restart_syscall's number (Linux's). */
#define SYS_restart_syscall 219

/* The bit of sig in a sigset (a uint64_t). */
#define SIGBIT(sig) (1UL << ((sig)-1))
/* Signals no mask can block and no handler can catch. */
#define SIG_CANTMASK (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/*
 * Send sig to the process p (kill, alarm, SIGCHLD, SIGPIPE): it goes to
 * one LWP that does not block it.  info is the siginfo to deliver, or
 * NULL for SI_KERNEL.  A signal p ignores is dropped; SIGCONT continues
 * a stopped p and SIGKILL ends it even when stopped.  The caller holds
 * proc_lock.
 */
void sig_post_proc(struct proc *p, int sig, const siginfo_t *info);

/* Send sig to the LWP l only (tkill, tgkill).  As sig_post_proc. */
void sig_post_lwp(struct lwp *l, int sig, const siginfo_t *info);

/*
 * The same for rt_sigqueueinfo / rt_tgsigqueueinfo: info is the user's,
 * and a real-time signal over RLIMIT_SIGPENDING gives -EAGAIN.  Returns
 * 0 or -EAGAIN.  The caller holds proc_lock.
 */
int sig_post_proc_queue(struct proc *p, int sig, const siginfo_t *info);
int sig_post_lwp_queue(struct lwp *l, int sig, const siginfo_t *info);

/*
 * Make mask (less SIGKILL and SIGSTOP) l's blocked set; signals pending
 * for the process that l now blocks go to another LWP.  l is curlwp;
 * the caller holds proc_lock.
 */
void sig_setmask_locked(struct lwp *l, uint64_t mask);

/*
 * Take the first signal of set pending for l (its own or its
 * process's), filling *info; *freep gets an entry for ksi_free after
 * unlocking (or NULL).  Returns the signal, or 0 if none is pending.
 * The caller holds proc_lock.
 */
int sig_dequeue(struct lwp *l, uint64_t set, siginfo_t *info,
    struct ksiginfo **freep);

/*
 * A synchronous fault of the calling LWP (trap_user): deliver sig with
 * si_code code and si_addr addr.  If l blocks or ignores sig, the
 * default action is taken instead, as Linux's force_sig_fault.  Returns
 * true if that will end the process (no handler runs), so the caller
 * can print its console line.  No locks held.
 */
bool sig_trap(int sig, int code, uint64_t addr);

/*
 * Called by userret (interrupts enabled, no locks) when LW_PENDSIG is
 * set or the frame comes back from a syscall with an ERESTART* code:
 * stops, ends the process, or sets up handlers, and restarts or fails
 * the interrupted call.  Returns only if the LWP goes on to user mode.
 */
void sig_deliver(struct trapframe *tf);

/*
 * A temporary mask for the length of one call (rt_sigsuspend, ppoll,
 * pselect6): sig_set_tempmask installs mask and remembers the old one;
 * the old one comes back after the handler frame of the signal that
 * interrupted the call is built (so the handler runs with mask blocked
 * and its sigreturn restores the old mask), or at once with
 * sig_restore_tempmask when the call ends without a signal.  No locks
 * held; the calling LWP's own mask.
 */
void sig_set_tempmask(uint64_t mask);
void sig_restore_tempmask(void);

/*
 * A new process's signal state (lwproc_newproc): pending sets empty, the
 * dispositions were copied.  exec (sig_exec): handlers go back to the
 * default, ignored signals stay ignored, the alternate stack goes.  No
 * locks held.
 */
void sig_proc_init(struct proc *p);
void sig_exec(struct proc *p);

/*
 * Handlers of p back to the default, ignored signals staying ignored,
 * and every action's flags and mask cleared (Linux's
 * flush_signal_handlers): exec, and clone3's CLONE_CLEAR_SIGHAND.
 * proc_lock held.
 */
void sig_flush_handlers_locked(struct proc *p);

/*
 * si_code and si_status of SIGCHLD's siginfo for a child whose wait
 * status (as wait4 gives it) is st: exited, killed, dumped, stopped or
 * continued.  No requirements.
 */
void sig_child_status(int st, siginfo_t *info);

/* Free the queued siginfo of a pending set.  proc_lock not held. */
void sigpending_free(struct sigpending *sp);

/*
 * Drop sig from every pending set of p (it is now ignored); the queued
 * entries go on *dead for sigqueue_free after unlocking.  proc_lock held.
 */
void sig_discard_locked(struct proc *p, int sig, struct ksiginfo_queue *dead);
void sigqueue_free(struct ksiginfo_queue *q);

/*
 * Free queued entries: one (NULL: nothing), or a whole queue.  The
 * _locked forms with proc_lock held, the others without.
 */
void ksi_free(struct ksiginfo *ksi);
void ksi_free_locked(struct ksiginfo *ksi);
void sigqueue_free_locked(struct ksiginfo_queue *q);

/*
 * The alternate stack of l as sigaltstack reports it for user stack
 * pointer sp: SS_DISABLE, SS_ONSTACK or 0.  sig_restore_altstack puts
 * back what a signal frame saved (rt_sigreturn).  l is curlwp.
 */
int sig_altstack_flags(const struct lwp *l, uint64_t sp);
void sig_restore_altstack(struct lwp *l, const stack_t *ss, uint64_t sp);

/*
 * The exiting p tells its parent: the exit signal, and PS_NOZOMBIE if
 * the parent ignores SIGCHLD (or set SA_NOCLDWAIT), when nobody waits
 * for p.  The caller holds proc_lock.
 */
void sig_child_exited(struct proc *p);

/*
 * Linux's kill_orphaned_pgrp: a group left orphaned with a stopped
 * member gets SIGHUP, then SIGCONT.  Either p exits (parent NULL: was p
 * its group's last link to a parent outside it?), or p's parent, the
 * exiting parent, hands p to init.  proc_lock held.
 */
void sig_orphan_check(struct proc *p, struct proc *parent);

/*
 * Process group pgid of session sid is orphaned (POSIX): no member has
 * a parent in another group of the same session.  proc_lock held.
 */
bool sig_pgrp_orphaned(pid_t pgid, pid_t sid);

/*
 * Send sig (0: only probe) to every live process of group pgid, as
 * sig_post_proc does to one (the terminal's INTR, QUIT, SUSP, WINCH,
 * TTIN and TTOU).  Returns 0, or -ESRCH if the group has no live
 * member.  proc_lock held.
 */
int sig_post_pgrp(pid_t pgid, int sig, const siginfo_t *info);

/*
 * An LWP of p has exited: if p is stopping and every LWP left is
 * parked, the stop is complete.  proc_lock held.
 */
void sig_stop_check(struct proc *p);

/* The name of sig ("SIGSEGV"), or "signal N".  No requirements. */
const char *sig_name(int sig);

/*
 * Machine-dependent (sig_machdep.c).  sendsig builds the frame of the
 * handler ka for the signal in info on l's user stack (or its alternate
 * stack) and points tf at the handler; oldmask is the mask sigreturn
 * restores.  Returns 0 or -EFAULT (the frame could not be written: the
 * caller kills the process).  sys_rt_sigreturn undoes it.  No locks
 * held.
 */
int sendsig(struct lwp *l, struct trapframe *tf, const struct ksigaction *ka,
    const siginfo_t *info, uint64_t oldmask);

#endif /* !_PROC_SIGNALVAR_H_ */
