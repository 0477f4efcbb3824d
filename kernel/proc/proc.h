/*
 * Processes and LWPs.
 *
 * The lifecycle follows NetBSD's rump lwproc.c (newproc, makelwp,
 * freelwp, proc_free) in a real kernel: a process is created by
 * lwproc_newproc() with the inheritable part of its parent copied and the
 * rest zeroed, owns one or more LWPs made by lwproc_makelwp(), and is
 * freed by proc_free() once its last LWP has exited and its parent has
 * collected its status with wait4.
 *
 * Locking.  proc_lock, a global spinlock, guards the process tree, the
 * pid hash, every process's LWP list, counters and exit state (P below).
 * It comes before the scheduler's locks.  An LWP's run state (S below)
 * is guarded by the lock l_mutex names (sched.c): a sleep-queue or
 * run-queue lock.
 * Fields marked (c) are fixed at creation; (l) belong to the LWP itself
 * and are only touched by code running on it.
 */
#ifndef _PROC_PROC_H_
#define _PROC_PROC_H_

#include <types.h>
#include <signal.h>
#include <asm/siginfo.h>
#include <linux/resource.h>
#include <spinlock.h>
#include <cpuset.h>
#include <bsd/sys/queue.h>
#include <arch/pcb.h>

struct vmspace;
struct filedesc;
struct vkernel_proc;
struct vkernel_lwp;
struct vnode;
struct trapframe;

#define PID_MAX 99999 /* pids wrap after this */
#define MAXPROC 2048  /* processes at once, zombies included */
#define MAXCOMLEN 31
#define PROC_ARGS_MAX 4096 /* bytes of p_args */

/* l_stat: what the LWP is doing. */
#define LSIDL 1    /* being created */
#define LSRUN 2    /* runnable, on the run queue */
#define LSONPROC 3 /* running on a CPU */
#define LSSLEEP 4  /* asleep on l_wchan */
#define LSZOMB 5   /* exited; waits for lwp_wait or proc_free */

/* l_flag (P) */
#define LW_WEXIT 0x01 /* exiting or told to exit: leave at the next boundary */
#define LW_REAPING 0x02  /* a lwp_wait has claimed this zombie */
#define LW_SYSTEM 0x04   /* kernel-only LWP (idle): no user state */
#define LW_PENDSIG 0x08  /* a signal or a stop awaits it: see kern_sig.c */
#define LW_DETACHED 0x10 /* a clone thread: nobody lwp_waits, clone reaps it */

/*
 * A queued signal with its siginfo (kern_sig.c).  A pending set has a
 * bit per signal and at most one queued entry per standard signal, any
 * number per real-time signal (up to the process's RLIMIT_SIGPENDING).
 */
struct ksiginfo {
	TAILQ_ENTRY(ksiginfo) ksi_list;
	siginfo_t ksi_info;
};
TAILQ_HEAD(ksiginfo_queue, ksiginfo);

struct sigpending {
	uint64_t sp_set; /* bit sig - 1 for each pending signal */
	struct ksiginfo_queue sp_queue;
};

/* A disposition: Linux's struct sigaction as the kernel keeps it. */
struct ksigaction {
	uint64_t ka_handler; /* SIG_DFL 0, SIG_IGN 1, or a user address */
	uint64_t ka_flags;   /* SA_* */
	uint64_t ka_restorer;
	uint64_t ka_mask; /* blocked while the handler runs */
};

/*
 * restart_syscall(219): how to go on with a call that returned
 * ERESTART_RESTARTBLOCK (errno.h) once no handler ran.  (l)
 */
struct restart_block {
	long (*fn)(struct restart_block *rb);
	uint64_t arg[4];
};

/*
 * A process's user and group ids (kern_resource.c), with Linux's rules
 * for the set*id calls; euid 0 stands for CAP_SETUID, CAP_SETGID and
 * CAP_SYS_RESOURCE.  Nothing else checks permissions yet: the ids are
 * reported and inherited, and RLIMIT_NPROC counts processes by ruid.
 */
#define NGROUPS 32 /* supplementary groups a process may have */
struct ucred {
	uid_t cr_ruid, cr_euid, cr_suid, cr_fsuid;
	gid_t cr_rgid, cr_egid, cr_sgid, cr_fsgid;
	int cr_ngroups;
	gid_t cr_groups[NGROUPS];
};

struct lwp {
	/* (c) */
	struct proc *l_proc;
	lwpid_t l_lid;    /* exec makes the LWP it keeps 1, under proc_lock */
	vaddr_t l_kstack; /* top of the kernel stack; 0 once freed */

	/* (S) */
	struct spinlock *l_mutex; /* the lock of the fields below (sched.c) */
	TAILQ_ENTRY(lwp) l_runq;  /* run queue or sleep queue */
	int l_stat;
	unsigned l_cpu; /* CPU index it runs or is queued on, or last ran on */
	cpuset_t l_affinity; /* the CPUs it may run on */
	bool l_sintr;        /* the sleep can be interrupted by LW_WEXIT */
	bool l_running;      /* its stack is in use on a CPU; atomic */
	const void *l_wchan; /* channel slept on */
	/*
	 * Asleep: the others asleep on l_wchan after l, if l was the first
	 * (its sleep queue's entry for the channel); else l's link there.
	 */
	TAILQ_HEAD(, lwp) l_sleepers;
	TAILQ_ENTRY(lwp) l_chanq;
	uint64_t l_timeout; /* wake at this uptime (ns); 0: none */
	int l_slptimedout;
	unsigned l_quantum; /* (l) ticks left before preemption */
	/*
	 * Its nice value, -20 to 19 (setpriority), and its I/O priority
	 * (ioprio_set: Linux's class and data; 0, class none, until set),
	 * inherited by fork and clone: written under proc_lock, read
	 * without it (atomic).
	 */
	int l_nice;
	int l_ioprio;

	/* (P) */
	LIST_ENTRY(lwp) l_sibling; /* p->p_lwps */
	int l_flag;
	int l_refcnt; /* holds; freelwp needs zero */

	/* (l) */
	struct vkernel_lwp *l_vkernel; /* vmspace_ctl state, or NULL */
	unsigned l_nsyscalls; /* system calls made (syscall.S), wrapping */
	uint64_t l_fault_rip; /* the last resolved user page fault ... */
	uint64_t l_fault_addr;
	unsigned l_fault_nsyscalls; /* ... l_nsyscalls then ... */
	unsigned l_fault_repeats;   /* ... and how often it came back at once */
	uint64_t l_copy_fault_addr; /* the last user-copy fault's address ... */
	unsigned l_copy_fault_nsyscalls; /* ... l_nsyscalls then ... */
	unsigned l_copy_fault_repeats;   /* ... and its repeats (trap.c) */

	/* Signals (kern_sig.c).  (P): changed by l itself, read by posters. */
	uint64_t l_sigmask;          /* (P) blocked signals */
	uint64_t l_sigsaved;         /* (l) mask to restore: LWS_RESTOREMASK */
	uint64_t l_sigwait;          /* (P) rt_sigtimedwait's set, or 0 */
	struct sigpending l_sigpend; /* (P) signals sent to this LWP */
	int l_sigstate;              /* (l) LWS_* below */
	uint64_t l_ss_sp;            /* (l) sigaltstack: base, size, flags */
	uint64_t l_ss_size;
	int l_ss_flags;
	struct restart_block l_restart; /* (l) */
	long l_syscall; /* (l) the call that returned an ERESTART code */

	/* Threads (sys_thread.c, kern_futex.c).  (l) */
	uint64_t l_clear_child_tid; /* CLONE_CHILD_CLEARTID, set_tid_address */
	uint64_t l_robust_list;     /* set_robust_list: head and its length */
	uint64_t l_robust_len;

	/* CPU time (kern_resource.c), in ns.  Changed by l's own CPU. */
	uint64_t l_utime;
	uint64_t l_stime;

	struct mdlwp l_md; /* machine state: context, FPU, TLS */
	char l_name[16];   /* (P) its name: PR_SET_NAME, exec, kernel LWPs */
};

/* p_stat */
#define SACTIVE 1
#define SDYING 2 /* exit in progress: stopping the other LWPs */
#define SDEAD 3  /* all LWPs gone; a zombie waiting for wait4 */

/* p_sflag (P) */
#define PS_LWPEXIT 0x01 /* exiting: no new LWPs (lwproc's PS_RUMP_LWPEXIT) */
#define PS_REAPING 0x02 /* a wait4 has claimed this zombie: others skip it */

/* l_sigstate (l) */
#define LWS_RESTOREMASK 0x1 /* l_sigsaved becomes the mask after delivery */

/* p_sflag: job control (P) */
#define PS_STOPPED 0x04  /* stopped by a signal; p_xsig names it */
#define PS_STOPPING 0x08 /* a stop is under way: each LWP parks */
#define PS_WAITSTOP 0x10 /* the stop is not yet reported by wait4 */
#define PS_WAITCONT 0x20 /* a continue is not yet reported (WCONTINUED) */
#define PS_NOZOMBIE 0x40 /* the parent ignores SIGCHLD: the reaper frees it */
#define PS_EXECED 0x80   /* it has called execve (setpgid's EACCES) */

struct proc {
	/* (P) */
	LIST_ENTRY(proc) p_list;    /* allproc */
	LIST_ENTRY(proc) p_hash;    /* pid hash chain */
	LIST_ENTRY(proc) p_sibling; /* parent's p_children */
	LIST_HEAD(, proc) p_children;
	LIST_HEAD(, lwp) p_lwps;
	struct proc *p_pptr;
	pid_t p_pid; /* (c) */
	pid_t p_ppid;
	int p_stat;
	int p_sflag;
	int p_nlwps; /* LWPs not yet freed, zombies included */
	int p_nlive; /* LWPs that have not exited */
	lwpid_t p_nextlid;
	struct lwp *p_exiter; /* the LWP tearing the process down */
	int p_xstat;          /* wait4 status word once SDEAD */
	bool p_xstat_set;

	/* Inheritable: copied from the parent by lwproc_newproc. */
#define p_startcopy p_sigacts
	struct ksigaction p_sigacts[NSIG]; /* dispositions, by signal */
	pid_t p_pgid;                      /* process group */
	pid_t p_sid;                       /* session */
	struct rlimit p_rlimit[RLIM_NLIMITS];
	unsigned p_umask;
	char p_comm[MAXCOMLEN + 1];
	bool p_nodump;     /* (P) prctl PR_SET_DUMPABLE 0; exec clears it */
	bool p_nonewprivs; /* (P) PR_SET_NO_NEW_PRIVS: for good, exec too */
	/*
	 * (P) Linux's audit login uid and session id (/proc/PID/loginuid
	 * and sessionid, procfs.c): AUDIT_UNSET until the process writes
	 * its loginuid.
	 */
	uid_t p_loginuid;
	unsigned p_sessionid;
	struct uts_ns *p_uts; /* (uts_lock, uts.h) a reference: uts_fork */
#define p_endcopy p_cred
	/* (P) Credentials (kern_resource.c), copied whole by lwproc_newproc. */
	struct ucred p_cred;

	/* Zeroed by lwproc_newproc, set up by its caller. */
#define p_startzero p_vmspace
	struct vmspace *p_vmspace;      /* reference held; NULL once SDEAD */
	struct filedesc *p_fd;          /* reference held; NULL once SDEAD */
	struct vkernel_proc *p_vkernel; /* vmspaces it controls, or NULL */
	int p_lwpcv;                    /* channel: an LWP of p exited */
	int p_waitcv;                   /* channel: a child of p died */
	struct sigpending p_sigpend;    /* (P) signals sent to the process */
	int p_exitsig;   /* (P) sent to the parent at exit (clone's low byte) */
	int p_pdeathsig; /* (P) prctl PR_SET_PDEATHSIG: sent when orphaned */
	int p_xsig;      /* (P) the signal that stopped it (PS_STOPPED) */
	int p_nstopped;  /* (P) LWPs parked by a stop */
	int p_stopcv;    /* channel: the stop ended (SIGCONT, SIGKILL) */
	uint64_t p_alarm; /* (P) ITIMER_REAL: next expiry (nanouptime) or 0 */
	uint64_t p_alarm_interval;    /* (P) its period in ns, or 0 */
	LIST_ENTRY(proc) p_alarmlist; /* (P) kern_alarm.c's list, if p_alarm */
	/* ITIMER_VIRTUAL [0] and ITIMER_PROF [1] (kern_alarm.c) */
	int64_t p_itimer_left[2];      /* (a) CPU ns left; 0 off, < 0 expired */
	uint64_t p_itimer_interval[2]; /* (P) their periods, or 0 */
	int p_itimer_fired;            /* (a) bit i: timer i expired */
	bool p_itimer_onlist;          /* (P) on the CPU-timer list */
	LIST_ENTRY(proc) p_itimerlist; /* (P) that list */
	uint64_t p_utime, p_stime;     /* (P) CPU time of its exited LWPs, ns */
	uint64_t p_cutime, p_cstime;   /* (P) of its waited-for children */
	struct vfork_wait *p_vfork;    /* (P) the parent waiting in vfork */

	/*
	 * (vfs_lock) The current directory, a vnode reference (NULL: the
	 * root); a fork child takes its own reference to its parent's;
	 * dropped at exit (vfs_proc_exit).  p_root likewise: the root
	 * directory chroot set (NULL: the real root), where "/" starts
	 * and ".." stops; p_textvp the program execve ran (NULL: none
	 * known), for /proc/PID/exe.
	 */
	struct vnode *p_cwd;
	struct vnode *p_root;
	struct vnode *p_textvp;
	/*
	 * (P) The arguments execve was given, NUL-terminated one after the
	 * other (at most PROC_ARGS_MAX bytes: /proc/PID/cmdline), kmalloc'd,
	 * or NULL; a fork child gets a copy.
	 */
	char *p_args;
	size_t p_argslen;
	uint64_t p_start; /* (c) nanouptime when the process was made */
#define p_endzero p_endzero_mark
	char p_endzero_mark[0];
};

extern struct spinlock proc_lock;
LIST_HEAD(proclist, proc);
extern struct proclist allproc; /* every process but proc0 (P) */
#define PROC_FOREACH(p) LIST_FOREACH(p, &allproc, p_list)
extern struct proc proc0; /* the kernel itself: idle LWPs */
extern struct proc *initproc;

#define curproc (curlwp->l_proc)

/*
 * fd table policies: RFFDG and RFCFDG (ABI.md 4.2, lwproc's RUMP_RFFDG /
 * RUMP_RFCFDG) come from <uapi/native_abi.h>.
 */
#include <uapi/native_abi.h>

/* Start-up: proc0 and the idle LWP for the boot CPU.  Boot CPU only. */
void proc_startup(void);

/*
 * Make the running context of ci, another CPU being started, its idle
 * LWP (on the stack ci->ci_rsp0).  On ci itself, interrupts masked.
 */
struct cpu_info;
void proc_idle_attach(struct cpu_info *ci);

/*
 * Make pid 1 from the ELF file at path with argv (argc words) and envp
 * (envc words), fds 0-2 on the console, and make it runnable.  Returns 0
 * or -errno.  Boot only.
 */
int proc_create_init(const char *path, int argc, char *const argv[], int envc,
    char *const envp[]);

/* The process with this pid, or NULL.  The caller must hold proc_lock. */
struct proc *proc_find(pid_t pid);

#define AUDIT_UNSET 0xffffffffU /* p_loginuid and p_sessionid: not set */

/*
 * The live LWP of p with id tid, or NULL (p may be NULL).  proc_lock
 * held.
 */
struct lwp *tid_find(struct proc *p, pid_t tid);

/*
 * The main LWP of p: its live LWP with the lowest id (Linux's thread
 * group leader, whose tid is the pid), or NULL.  proc_lock held.
 */
struct lwp *proc_main_lwp(struct proc *p);

/*
 * lwproc_newproc: a new process, child of parent, with vmspace vm (whose
 * reference passes to the process) and the fd table policy in flags
 * (RFFDG copy, RFCFDG clean, 0 share; the caller checked them).  The
 * process has no LWP yet.  Returns NULL with -EAGAIN/-ENOMEM in *errp.
 * No locks held.
 */
struct proc *lwproc_newproc(struct proc *parent, struct vmspace *vm, int flags,
    int *errp);

/*
 * lwproc_makelwp: a new LWP in p, state LSIDL, with its kernel stack.
 * Returns NULL with -EBUSY (p is exiting) or -ENOMEM in *errp.  No locks
 * held.  The caller sets up the LWP's frame and calls sched_setrunnable.
 */
struct lwp *lwproc_makelwp(struct proc *p, int *errp);

/*
 * Undo a process made by lwproc_newproc whose first LWP could not be
 * made: releases the vmspace and fd table references and frees it.  No
 * locks held.
 */
void lwproc_abandon(struct proc *p);

/* Undo lwproc_makelwp for an LWP that never ran.  No locks held. */
void lwproc_abandon_lwp(struct lwp *l);

/*
 * lwproc_freelwp: free an exited LWP (LW_WEXIT, LSZOMB, no holds) that
 * the caller has claimed.  No locks held.
 */
void lwproc_freelwp(struct lwp *l);

/*
 * Collect a dead process (SDEAD): free its zombie LWPs and the process.
 * The caller (wait4) has taken its status.  No locks held.
 */
void proc_reap(struct proc *p);

/*
 * LWP references: lwp_wait holds its target while it sleeps, and
 * freelwp waits for the count to drop to zero.  The caller must hold
 * proc_lock.
 */
void lwp_hold(struct lwp *l);
void lwp_rele(struct lwp *l);

/*
 * The calling LWP's process ends with wait status wstatus (as wait4
 * reports it).  Stops the other LWPs wherever they are, releases the
 * address space and fd table, hands the children to init and wakes the
 * parent.  Never returns.  No locks held.
 */
void proc_exit(int wstatus) __noreturn;

/*
 * End the calling LWP only.  When it is the last, the process ends with
 * status 0 (proc_exit).  Never returns.  No locks held.
 */
void lwp_exit(void) __noreturn;

/*
 * lwp_exit with Linux exit's status: when the calling LWP is the last,
 * the process ends with wstatus (the last thread's, as on Linux 6.1).
 * Never returns.  No locks held.
 */
void lwp_exit_status(int wstatus) __noreturn;

/*
 * End every LWP of the calling LWP's process but the caller, and free
 * them: the process goes on with the caller alone (execve).  Returns 0,
 * or -EINTR when another LWP is already ending the process (the caller
 * then exits at its return to user mode).  No locks held.
 */
int proc_single_lwp(void);

/*
 * Tell every LWP of p to exit, waking those asleep; the first to notice
 * ends the process with wstatus.  The caller must hold proc_lock.
 */
void proc_kill_locked(struct proc *p, int wstatus);

/*
 * Kernel LWPs (in proc0, LW_SYSTEM, no user state): kthread_create makes
 * one named name that runs fn(arg) with interrupts on, on the CPUs in
 * affinity (a cpuset_t), and ends with kthread_exit (also when fn
 * returns).  Exactly one kthread_join(l) waits for it to end and frees
 * it (from an idle LWP too: it then yields until l ends).  Returns NULL
 * with -ENOMEM in *errp.  No locks held.
 */
struct lwp *kthread_create(void (*fn)(void *), void *arg, cpuset_t affinity,
    const char *name, int *errp);
void kthread_exit(void) __noreturn;
void kthread_join(struct lwp *l);

/*
 * Interval timers (kern_alarm.c): alarm_startup starts the LWP that
 * sends SIGALRM, SIGVTALRM and SIGPROF, once at boot with no locks held;
 * alarm_proc_free_locked takes a process being freed off the timer
 * lists (the caller holds proc_lock); itimer_tick charges a clock tick
 * to p's CPU-time timers (statclock, interrupt context, only when
 * p_itimer_onlist).
 */
void alarm_startup(void);

/*
 * reaper_startup starts the kernel LWP that frees the processes whose
 * parent does not wait for them (PS_NOZOMBIE); once at boot, no locks
 * held.
 */
void reaper_startup(void);
void alarm_proc_free_locked(struct proc *p);
void itimer_tick(struct proc *p, bool usermode);

/* Wait-status encodings (Linux). */
#define W_EXITCODE(code) (((code)&0xff) << 8)
#define W_SIGNALED(sig) ((sig)&0x7f)
#define W_STOPCODE(sig) (((sig) << 8) | 0x7f)
#define W_CONTINUED 0xffff
#define WCOREFLAG 0x80

/*
 * Set p's p_args to the argc NUL-terminated strings at args (kernel
 * memory), at most PROC_ARGS_MAX bytes of them.  No locks held.
 */
void proc_set_args(struct proc *p, const char *args, int argc);

/*
 * CPU time by kind, in ns since boot (statclock): of CPU cpu, or of all
 * with cpu -1.  kind: CPUTIME_USER, CPUTIME_SYS, CPUTIME_IDLE.  No
 * requirements.
 */
#define CPUTIME_USER 0
#define CPUTIME_SYS 1
#define CPUTIME_IDLE 2
uint64_t cpu_time(int cpu, int kind);

/*
 * p's CPU times so far in ns: its exited LWPs' and its live ones'.  The
 * caller holds proc_lock.
 */
void proc_times_locked(struct proc *p, uint64_t *ut, uint64_t *st);

/* Counters for kstat.  No requirements. */
uint64_t proc_count(void);
uint64_t lwp_count(void);

#endif /* !_PROC_PROC_H_ */
