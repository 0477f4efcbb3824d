/*
 * vkernel: a virtual kernel that runs as an ordinary process.
 *
 * It runs unmodified static Linux programs (musl or glibc, ET_EXEC) as
 * "guests", using nothing but the vmspace calls of ABI.md section 4 and
 * ordinary system calls: it is the kernel of its guests, and a plain user
 * program of the real kernel.  BusyBox runs under it:
 *
 *     vkernel [-v] PROG [ARGS...] [-- PROG2 [ARGS...] ...]
 *     vkernel /bin/busybox sh -c 'echo hi | cat; ls /bin | wc -l'
 *
 * One guest = one vmspace + register state + memory layout + a process
 *
 *   The vmspace is an address space of its own, created empty by
 *   vmspace_create and named by a pointer the vkernel chooses: here the
 *   address of the guest's struct guest.  The registers are a struct
 *   trapframe and a struct vextframe (FS base, time limit) that live in
 *   the vkernel's memory (the kernel keeps the x87/SSE registers of each
 *   vmspace itself, between runs).  The memory layout says which guest
 *   addresses may have memory: the stack, the heap (brk) and a list of
 *   regions (the program's segments and the mmap regions), each with its
 *   protection.  The process part is what a Unix kernel keeps per
 *   process: a pid and a parent, a descriptor table, a current
 *   directory, signal handlers, mask and pending set.
 *
 * The run loop (main.c)
 *
 *   The vkernel is one thread.  Guests take turns (round robin) of at
 *   most SLICE_NS.  vmspace_ctl(RUN) loads a guest's registers and runs
 *   it in its vmspace until it traps; then the call returns to the
 *   vkernel with the guest's registers and the reason (tf_trapno):
 *     T_SYSCALL  the guest executed `syscall': emulate it (sys.c), store
 *                the result in tf_rax, run the guest again;
 *     T_PAGEFLT  it touched an address its mappings do not allow: if
 *                nothing is mapped there yet and the address is in one of
 *                its areas, give it the page (mem.c), else kill it
 *                (SIGSEGV, "segmentation fault");
 *     T_TIMEOUT  its time slice (vx_timeout_ns) ran out: go on with the
 *                next guest;
 *     anything else (divide error, invalid opcode...): kill it.
 *   Before each run, a pending signal the guest does not block is
 *   delivered (sig.c), as a kernel does on its way back to user mode.
 *
 * Blocking: restart, never wait inside a call
 *
 *   A guest call that would block (read from an empty pipe, write to a
 *   full one, wait4 with no child ended, nanosleep, sigsuspend, poll)
 *   must not stop the other guests, and the vkernel has one thread.  So
 *   such a call never blocks in the real kernel: the vkernel first asks
 *   the host with poll(timeout 0) whether the descriptor is ready (pipes
 *   the guests make are also O_NONBLOCK on the host); if not, the
 *   handler returns VK_EBLOCK, and sys_dispatch rewinds the guest to its
 *   `syscall' instruction (rip - 2, rax = the number) and marks it
 *   GUEST_BLOCKED with what it waits for (struct gwait).  The run loop
 *   skips it until that is ready, and then the guest simply makes the
 *   call again.  When every guest is blocked, the vkernel sleeps in one
 *   host poll on all their descriptors, up to the nearest deadline.  A
 *   signal for a blocked guest ends the wait: the call returns EINTR, or
 *   is made again after the handler when the handler has SA_RESTART.
 *
 * Descriptors (fd.c)
 *
 *   A guest descriptor is a host descriptor of the vkernel: each guest
 *   has a table from its fd numbers to the vkernel's, each entry owning
 *   its own host fd (a dup of the parent's on fork).  So the host kernel
 *   does the files, pipes and terminals, and guests cannot reach each
 *   other's descriptors or the vkernel's own.  The current directory is
 *   a host descriptor too (gcwd), made the vkernel's own (fchdir) at the
 *   start of each turn, so that relative paths and AT_FDCWD resolve as
 *   the guest expects.  Most file calls are forwarded to the host kernel
 *   by one table (sys.c): each argument is translated by a letter saying
 *   what it is (a guest fd, a path to copy in, a buffer to copy out...).
 *
 * Program text: one memfd per program, shared (load.c)
 *
 *   The first time a program is loaded, the vkernel copies its file into
 *   a memfd (kept for the vkernel's life, one per program file).  Each
 *   read-only segment that has a page of its own (BusyBox's text and
 *   rodata: 1.9 of its 2 MB) is then mapped into the guest's vmspace with
 *   vmspace_mmap(MAP_PRIVATE) of that memfd, not copied: every guest
 *   running the program shares the same physical pages, and an execve
 *   of it writes nothing.  Such a region remembers its memfd and offset
 *   (struct area).  The guest cannot write it (its protection forbids
 *   it, and guest_write refuses to write where the guest could not), so
 *   the view stays equal to the file.  The writable segments are copied
 *   into anonymous memory as before.
 *
 * fork: copying the address space (proc.c, mem.c)
 *
 *   A guest fork (fork, vfork, clone without CLONE_VM) makes a new guest
 *   with a new vmspace.  A region that is a view of a program's memfd is
 *   mapped again from the memfd, at no cost.  Every other region is
 *   mapped whole in the child with one vmspace_mmap (anonymous memory:
 *   the real kernel gives its pages zero-filled on first touch), then
 *   every page the parent has mapped and that is not all zeros is copied
 *   with vmspace_pread from the parent and vmspace_pwrite to the child
 *   (mem_copy).  Pages the parent never touched, or that hold only zeros,
 *   cost nothing.  The child's registers are the parent's with rax = 0.
 *   vfork is a fork (the parent goes on at once, which a vfork child
 *   cannot tell).
 *
 * execve (load.c)
 *
 *   The program (an ELF ET_EXEC file, or a "#!" script, whose
 *   interpreter then is) is read and checked first; only then is the
 *   guest's vmspace destroyed and created afresh under the same id, and
 *   the new image loaded.  A failure before that point returns -errno to
 *   the guest, which goes on.  "/proc/self/exe" is the guest's program.
 *
 * Signals (sig.c)
 *
 *   Handlers, mask and pending set are kept per guest with Linux's
 *   semantics.  kill between guests, SIGCHLD when a child ends, SIGPIPE
 *   on a write to a pipe without readers, and SIGSEGV for a bad access
 *   are generated here.  A caught signal is delivered on the guest's
 *   stack in Linux's rt_sigframe layout (siginfo and ucontext), returning
 *   through the handler's sa_restorer to rt_sigreturn.  The x87/SSE
 *   registers are not saved in the frame: the vmspace_ctl ABI gives them
 *   no way out of the kernel, so a handler that uses SSE registers the
 *   interrupted code holds changes them (signals are delivered only when
 *   the guest traps: after a call, a page fault or at the end of a slice).
 *   Stop signals are not implemented: they are ignored.
 *
 * What it does not do
 *
 *   Threads (clone with CLONE_VM but not CLONE_VFORK: EINVAL); job
 *   control (stop signals, TIOCGPGRP/TIOCSPGRP are ENOTTY, so an
 *   interactive ash turns it off); writable MAP_SHARED file mappings
 *   (ENODEV); ppoll's signal mask; select, pselect6, sendfile,
 *   sigaltstack, timers and the rest of the calls not in sys.c's tables
 *   (ENOSYS: the C libraries fall back, sendfile to read and write).
 *   Opening a FIFO blocks the vkernel until the other end is opened.
 *   The vkernel is single-threaded and needs no locks: every structure
 *   here is touched only by its one thread.
 */
#ifndef VKERNEL_H
#define VKERNEL_H

#include <poll.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>

#include "native.h"

/* ------------------------------------------------------------------ */
/* The guest memory layout (every guest has the same one).            */

#define VK_PAGE 4096UL
#define page_trunc(a) ((uint64_t)(a) & ~(VK_PAGE - 1))
#define page_round(a) (((uint64_t)(a) + VK_PAGE - 1) & ~(VK_PAGE - 1))

/* The stack: [STACK_TOP - STACK_SIZE, STACK_TOP), growing down. */
#define STACK_TOP 0x00007fff00000000UL
#define STACK_SIZE (8UL << 20)

/* mmap regions are placed upwards from MMAP_BASE, up to MMAP_END. */
#define MMAP_BASE 0x00007f0000000000UL
#define MMAP_END (STACK_TOP - STACK_SIZE - (1UL << 30))

/* The heap starts at the page after the program and may grow this much. */
#define HEAP_MAX (1UL << 30)

/* Programs must load below this address (their heap comes after them). */
#define IMAGE_END_MAX (MMAP_BASE - HEAP_MAX)

/* Guest time slice, nanoseconds of the real kernel's clock.  The kernel
 * notices an expired vx_timeout_ns at its next clock tick (100 Hz here),
 * so a run can last up to 10 ms longer. */
#define SLICE_NS 5000000UL

/* The biggest buffer one forwarded call copies in or out: a longer read,
 * getdents64 or getrandom is cut short, as the calls allow. */
#define VK_BUFMAX (1UL << 20)

/* A handler's result meaning "not ready: block the guest and make the
 * call again later" (never seen by a guest): LONG_MIN, which no call the
 * vkernel makes or emulates returns (an offset, a count, an id or an
 * address is not negative, an error is -1 to -4095). */
#define VK_EBLOCK LONG_MIN

/* ------------------------------------------------------------------ */
/* A guest.                                                           */

/* A range of guest addresses that gets memory when first touched, or a
 * read-only view of a program file (text). */
struct area {
	uint64_t start, end; /* page-aligned; empty when start == end */
	int prot;            /* PROT_* of its pages */
	int memfd;           /* -1: anonymous; else the program's memfd ... */
	uint64_t off;        /* ... and the offset in it of start */
};

#define MAX_MAPS 128    /* regions (segments + mmap) per guest */
#define GUEST_NOFILE 64 /* descriptors per guest */
#define GUEST_NSIG 64   /* signals 1..64 */
#define GWAIT_NFDS 16   /* host descriptors one blocked guest waits on */

enum guest_state {
	GUEST_RUNNABLE,
	GUEST_BLOCKED, /* waiting for g->wait; its call made again after */
	GUEST_EXITED,  /* a zombie until reaped: exit status in status */
	GUEST_KILLED   /* a zombie until reaped: signal in termsig */
};

/* A guest descriptor: the host descriptor it stands for. */
struct gfd {
	int host;         /* the vkernel's fd, owned by this entry; -1: free */
	uint8_t cloexec;  /* FD_CLOEXEC */
	uint8_t nonblock; /* the guest asked for O_NONBLOCK */
};

/* Linux's struct sigaction as the kernel sees it (rt_sigaction). */
struct gsigaction {
	uint64_t handler, flags, restorer, mask;
};

/* What a GUEST_BLOCKED guest waits for; any one of them wakes it. */
struct gwait {
	struct pollfd fds[GWAIT_NFDS]; /* host fds; nfds 0: none */
	int nfds;
	uint64_t wake_at; /* CLOCK_MONOTONIC ns; 0: no deadline */
	int child;        /* a child's end (wait4) */
	int sigwait;      /* only a signal (sigsuspend, pause) */
};

struct guest {
	/* Who it is.  The struct's address is its vmspace id (guest_vms). */
	int id;         /* its pid: 1, 2, ... in order of creation */
	int ppid;       /* its parent's id; 0: the vkernel is its parent */
	int pgid, sid;  /* process group and session (kept, not used) */
	int top;        /* from the command line: its end is reported */
	char name[256]; /* the program's path (the report; /proc/self/exe) */
	struct guest *next; /* all guests, in order of creation */

	/* Register state: the integer registers and the FS base, handed to
	 * vmspace_ctl (the kernel keeps the vmspace's x87/SSE registers). */
	struct trapframe tf;
	struct vextframe vx;

	/* Memory layout (mem.c). */
	struct area stack;
	struct area heap;           /* [brk_start, page_round(brk)) */
	uint64_t brk_start, brk;    /* the program break and where it began */
	struct area maps[MAX_MAPS]; /* segments and mmap regions, unsorted,
				       never empty, never overlapping */
	int nmaps;
	uint64_t mmap_next; /* where the next mmap region goes */

	/* Process state (fd.c, sig.c, proc.c). */
	struct gfd fd[GUEST_NOFILE];
	int cwd;        /* host fd of the current directory */
	unsigned cmask; /* the file mode creation mask (umask) */
	struct gsigaction act[GUEST_NSIG + 1];
	uint64_t sigmask, sigpending; /* bit sig - 1 */
	uint64_t saved_mask; /* the mask before sigsuspend, if has_saved */
	int has_saved_mask;

	/* Blocking: restart is the call number while the guest sits on its
	 * `syscall' instruction to make the call again (0: it does not). */
	uint64_t restart;
	struct gwait wait;

	/* Life and death. */
	enum guest_state state;
	int status;   /* exit status (GUEST_EXITED) */
	int termsig;  /* the signal that killed it (GUEST_KILLED) */
	char why[96]; /* what killed it (GUEST_KILLED) */

	/* Statistics, printed when it ends. */
	unsigned long nsyscalls, nfaults, ntimeouts, nenosys;
};

/* The vmspace id of a guest: any unique non-NULL pointer will do. */
static inline void *
guest_vms(struct guest *g)
{
	return g;
}

static inline int
guest_alive(const struct guest *g)
{
	return g->state == GUEST_RUNNABLE || g->state == GUEST_BLOCKED;
}

/* ------------------------------------------------------------------ */
/* main.c                                                             */

extern int verbose;          /* -v: trace every syscall and fault on stderr */
extern struct guest *guests; /* every guest not yet reaped */

/* Print "vkernel: guest N: ..." on stderr when verbose. */
void trace(struct guest *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* ------------------------------------------------------------------ */
/* proc.c                                                             */

/* A new guest with id, no vmspace yet, descriptors none, parent ppid,
 * linked into guests.  NULL when out of memory. */
struct guest *guest_new(int ppid);

/* The live or zombie guest with id pid, or NULL. */
struct guest *guest_find(int pid);

/* End g with exit status (its exit or exit_group). */
void guest_exit(struct guest *g, int status);

/* End g by signal sig for the reason printf(fmt, ...), e.g.
 * "segmentation fault at 0x0". */
void guest_kill(struct guest *g, int sig, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whether g has a child that has ended (and is not reaped), or has no
 * child at all (wait4 then answers at once). */
int guest_child_ready(struct guest *g);

/* Release what a guest that has just ended holds (descriptors, vmspace),
 * tell its parent (SIGCHLD) and give its children to the vkernel. */
void guest_cleanup(struct guest *g);

/* Unlink and free a reaped guest. */
void guest_free(struct guest *g);

long sys_fork(struct guest *g, const uint64_t a[6]);
long sys_clone(struct guest *g, const uint64_t a[6]);
long sys_execve(struct guest *g, const uint64_t a[6]);
long sys_wait4(struct guest *g, const uint64_t a[6]);
long sys_exit(struct guest *g, const uint64_t a[6]);
long sys_kill(struct guest *g, const uint64_t a[6]);
long sys_tgkill(struct guest *g, const uint64_t a[6]);
long sys_tkill(struct guest *g, const uint64_t a[6]);
long sys_getpid(struct guest *g, const uint64_t a[6]);
long sys_getppid(struct guest *g, const uint64_t a[6]);
long sys_getpgid(struct guest *g, const uint64_t a[6]);
long sys_getpgrp(struct guest *g, const uint64_t a[6]);
long sys_setpgid(struct guest *g, const uint64_t a[6]);
long sys_getsid(struct guest *g, const uint64_t a[6]);
long sys_setsid(struct guest *g, const uint64_t a[6]);

/* ------------------------------------------------------------------ */
/* load.c                                                             */

/*
 * Make g (new, from guest_new) run argv[0] with argv and envp: create its
 * vmspace, load the ELF file, set up its memory layout, build its initial
 * stack and registers.  Returns 0, or -1 after printing why on stderr
 * (the vmspace, if created, is destroyed again).
 */
int load_guest(struct guest *g, char **argv, char **envp);

/*
 * The guest's execve: replace g's image by path's with argv and envp
 * (vkernel memory).  Returns 0 (g now runs the new program), or -errno
 * when the program cannot be run and g is unchanged, or -EFAULT ... when
 * g had to be killed (g->state tells).
 */
int load_exec(struct guest *g, const char *path, char **argv, char **envp);

/* ------------------------------------------------------------------ */
/* mem.c                                                              */

/* Set up the stack, heap and mmap areas of a guest whose program ends at
 * image_end (the end of its highest segment). */
void mem_init(struct guest *g, uint64_t image_end);

/* Map [start, end) (page-aligned) as fresh anonymous memory with prot,
 * replacing whatever was there.  Returns 0 or -errno. */
int mem_map(struct guest *g, uint64_t start, uint64_t end, int prot);

/* Make [start, end) a region of prot in g's layout (replacing what the
 * regions said there): anonymous memory (memfd -1), or the view of memfd
 * from offset off.  Only the layout changes, not the vmspace.  Returns 0
 * or -ENOMEM (no free slot). */
int maps_set(struct guest *g, uint64_t start, uint64_t end, int prot, int memfd,
    uint64_t off);

/*
 * The T_PAGEFLT path: the guest faulted at addr with hardware error code
 * err.  Returns 0 if the page was given (run the guest again), -EFAULT if
 * the access is not allowed (segmentation fault), -ENOMEM if no memory.
 */
int mem_fault(struct guest *g, uint64_t addr, uint64_t err);

/* Copy n bytes from guest address addr to buf / from buf to guest address
 * addr, faulting area pages in as needed.  Returns 0 or -EFAULT. */
int guest_read(struct guest *g, void *buf, uint64_t addr, size_t n);
int guest_write(struct guest *g, uint64_t addr, const void *buf, size_t n);

/* Copy the NUL-terminated string at guest address addr into buf (size
 * bytes).  Returns 0, -EFAULT, or -ENAMETOOLONG if it does not fit. */
int guest_strcpy(struct guest *g, char *buf, uint64_t addr, size_t size);

/* Give child (with a new, empty vmspace) a copy of parent's memory and
 * layout (fork).  Returns 0 or -ENOMEM. */
int mem_copy(struct guest *child, struct guest *parent);

/* The memory system calls; results as Linux's. */
uint64_t mem_brk(struct guest *g, uint64_t want);
long mem_mmap(struct guest *g, uint64_t addr, uint64_t len, int prot, int flags,
    int fd, uint64_t off);
long mem_munmap(struct guest *g, uint64_t addr, uint64_t len);
long mem_mprotect(struct guest *g, uint64_t addr, uint64_t len, int prot);
long mem_madvise(struct guest *g, uint64_t addr, uint64_t len, int advice);

/* ------------------------------------------------------------------ */
/* fd.c                                                               */

/* The host fd behind guest fd fd, or -1 (EBADF). */
int fd_host(struct guest *g, long fd);

/* Install host fd h as the lowest free guest fd >= min.  Returns the
 * guest fd, or -EMFILE (h is closed then). */
int fd_install(struct guest *g, int h, int min, int cloexec);

/* Give child a copy of parent's descriptors and directory (fork). */
int fd_copy(struct guest *child, struct guest *parent);

/* Close every descriptor of g (its end) / those marked close-on-exec. */
void fd_closeall(struct guest *g);
void fd_closeexec(struct guest *g);

/* Block g until host fd h has events (VK_EBLOCK), or -EAGAIN when the
 * guest fd is non-blocking. */
long fd_block(struct guest *g, int gfd, int h, short events);

long sys_read(struct guest *g, const uint64_t a[6]);
long sys_write(struct guest *g, const uint64_t a[6]);
long sys_readv(struct guest *g, const uint64_t a[6]);
long sys_writev(struct guest *g, const uint64_t a[6]);
long sys_open(struct guest *g, const uint64_t a[6]);
long sys_openat(struct guest *g, const uint64_t a[6]);
long sys_creat(struct guest *g, const uint64_t a[6]);
long sys_close(struct guest *g, const uint64_t a[6]);
long sys_dup(struct guest *g, const uint64_t a[6]);
long sys_dup2(struct guest *g, const uint64_t a[6]);
long sys_dup3(struct guest *g, const uint64_t a[6]);
long sys_pipe(struct guest *g, const uint64_t a[6]);
long sys_pipe2(struct guest *g, const uint64_t a[6]);
long sys_fcntl(struct guest *g, const uint64_t a[6]);
long sys_flock(struct guest *g, const uint64_t a[6]);
long sys_ioctl(struct guest *g, const uint64_t a[6]);
long sys_poll(struct guest *g, const uint64_t a[6]);
long sys_ppoll(struct guest *g, const uint64_t a[6]);
long sys_chdir(struct guest *g, const uint64_t a[6]);
long sys_fchdir(struct guest *g, const uint64_t a[6]);
long sys_umask(struct guest *g, const uint64_t a[6]);

/* ------------------------------------------------------------------ */
/* sig.c                                                              */

/* Make signal sig pending for g (kill, SIGCHLD, SIGPIPE...). */
void sig_post(struct guest *g, int sig);

/* Whether g has a pending signal it does not block. */
int sig_deliverable(struct guest *g);

/* On g's way back to running: deliver one deliverable signal (run its
 * handler, or its default action, which may end g). */
void sig_deliver(struct guest *g);

/* execve: caught signals go back to their default action. */
void sig_exec(struct guest *g);

long sys_rt_sigaction(struct guest *g, const uint64_t a[6]);
long sys_rt_sigprocmask(struct guest *g, const uint64_t a[6]);
long sys_rt_sigreturn(struct guest *g, const uint64_t a[6]);
long sys_rt_sigsuspend(struct guest *g, const uint64_t a[6]);
long sys_rt_sigpending(struct guest *g, const uint64_t a[6]);
long sys_pause(struct guest *g, const uint64_t a[6]);

/* ------------------------------------------------------------------ */
/* sys.c                                                              */

/* The T_SYSCALL path: emulate the syscall in g->tf, leaving the result
 * in g->tf.tf_rax (or blocking or ending the guest). */
void sys_dispatch(struct guest *g);

#endif /* VKERNEL_H */
