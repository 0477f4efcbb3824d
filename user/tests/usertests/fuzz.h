/*
 * fuzz.h: what the fuzzer's two files share.  fuzz.c is the engine (the
 * children, the call table, the checks of each result) with the calls of
 * ABI.md section 3 and the native ones; fuzz_sys.c has the calls of
 * Linux's ABI added since: the *at file calls in a directory of the
 * child's own, descriptor and lock calls, priorities and affinity,
 * futexes, signals, the clock, the host name and the kernel log.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <sys/types.h>

#define SCRATCH_PAGES 32
#define P TEST_PAGE
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define SINK_MAX 512 /* most bytes written to the sink */

/* The odd pages: buffers the kernel must handle (or refuse) correctly. */
enum {
	ODD_WO_ANON,    /* PROT_WRITE, anonymous */
	ODD_WO_MEMFD,   /* PROT_WRITE, a private view of a memfd */
	ODD_WO_SHARED,  /* PROT_WRITE, MAP_SHARED memfd */
	ODD_RO,         /* PROT_READ, anonymous */
	ODD_NONE,       /* PROT_NONE, anonymous */
	ODD_NONE_MEMFD, /* PROT_NONE, MAP_SHARED memfd */
	NODD
};

/* The shapes that run once in so many calls (see full_due). */
enum {
	FULL_COW_OOM,
	FULL_SPLIT_LIMIT,
	NFULL
};

struct fuzz {
	uint64_t rng;
	unsigned char *scratch;   /* SCRATCH_PAGES pages, then a hole */
	unsigned char *odd[NODD]; /* each between PROT_NONE guard pages */
	unsigned long brk_base;   /* brk never goes below this */
	int file_fd, dir_fd;      /* held open */
	int sink[2];              /* a pipe: written, then drained */
	pid_t pid;
	long index;             /* the call being made */
	long first;             /* the run's index of our call 0 */
	long full_every[NFULL]; /* the full shapes run once in so many */
	long full_at[NFULL];    /* calls, at this one */
	int nested;             /* in a shape that makes other calls */
	const char *name;       /* its name */
	/*
	 * fuzz_sys.c: the directory the calls that change files work in
	 * (also the child's working directory; -1 if it could not be
	 * made), and whether the child has a UTS namespace of its own
	 * (so that it may set the host name).
	 */
	int work_fd;
	int own_uts;
};

typedef long (*fuzz_fn)(struct fuzz *f);

/* A call, with how often it is picked. */
struct fuzz_call {
	const char *name;
	fuzz_fn fn;
	int weight; /* 0: never picked (a full shape: full_due) */
	int unimpl; /* allowed to be ENOSYS (not implemented yet) */
};

/* fuzz.c: the arguments. */
uint64_t rnd(struct fuzz *f);
uint64_t below(struct fuzz *f, uint64_t n);
uint64_t arg_num(struct fuzz *f);
uint64_t arg_len(struct fuzz *f);
unsigned long bad_ptr(struct fuzz *f);
unsigned long arg_ptr(struct fuzz *f);
long arg_fd(struct fuzz *f);
int held_fd(struct fuzz *f, long fd);
void drain(struct fuzz *f, long n);

/* fuzz_sys.c: the child's set-up and clean-up, then its calls. */
void fuzz_sys_setup(struct fuzz *f);
void fuzz_sys_cleanup(struct fuzz *f);
long f_mkdirat(struct fuzz *f);
long f_unlinkat(struct fuzz *f);
long f_renameat2(struct fuzz *f);
long f_linkat(struct fuzz *f);
long f_symlinkat(struct fuzz *f);
long f_readlinkat(struct fuzz *f);
long f_statat(struct fuzz *f);
long f_accessat(struct fuzz *f);
long f_chmodat(struct fuzz *f);
long f_utimensat(struct fuzz *f);
long f_openat(struct fuzz *f);
long f_mknodat(struct fuzz *f);
long f_truncate(struct fuzz *f);
long f_cwd(struct fuzz *f);
long f_fcntl(struct fuzz *f);
long f_flock(struct fuzz *f);
long f_sendfile(struct fuzz *f);
long f_copy_file_range(struct fuzz *f);
long f_prw(struct fuzz *f);
long f_sync(struct fuzz *f);
long f_statfs(struct fuzz *f);
long f_fallocate(struct fuzz *f);
long f_priority(struct fuzz *f);
long f_ioprio(struct fuzz *f);
long f_affinity(struct fuzz *f);
long f_prctl(struct fuzz *f);
long f_rusage(struct fuzz *f);
long f_session(struct fuzz *f);
long f_waitid(struct fuzz *f);
long f_chroot(struct fuzz *f);
long f_clock_set(struct fuzz *f);
long f_sigaltstack(struct fuzz *f);
long f_sigwait(struct fuzz *f);
long f_sigqueue(struct fuzz *f);
long f_futex(struct fuzz *f);
long f_robust_list(struct fuzz *f);
long f_clone3(struct fuzz *f);
long f_vfork(struct fuzz *f);
long f_mremap(struct fuzz *f);
long f_syslog(struct fuzz *f);
long f_hostname(struct fuzz *f);
long f_unshare(struct fuzz *f);

/* fuzz_epoll.c */
long f_eventfd(struct fuzz *f);
long f_epoll(struct fuzz *f);
long f_signalfd(struct fuzz *f);
long f_timerfd(struct fuzz *f);

#endif /* !FUZZ_H */
