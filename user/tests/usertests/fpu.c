/*
 * fpu.c: the FPU state (x87, SSE, AVX) of each thread and process.
 *
 *   - ymm0-15 (both halves), MXCSR, the x87 control word and st(0) keep
 *     what a thread left in them across yields, sleeps, getpid, and
 *     preemption while it spins, with other threads and processes doing
 *     the same with values of their own: all on one CPU, then on every
 *     CPU with each thread moving to another CPU (sched_setaffinity)
 *     while it holds its values;
 *   - a signal handler that changes all of them leaves the interrupted
 *     code's values as they were, for a signal the code sends itself and
 *     for signals another process sends while it spins;
 *   - the signal frame's FPU state is Linux's: the XSAVE image with the
 *     interrupted values, struct _fpx_sw_bytes (FP_XSTATE_MAGIC1),
 *     FP_XSTATE_MAGIC2 after the image, UC_FP_XSTATE; a handler's edit
 *     of an xmm register or a ymm upper half in it is what the code
 *     finds after sigreturn; a header XRSTOR refuses (a component XCR0
 *     lacks, a nonzero XCOMP_BV) ends the process with SIGSEGV; a bare
 *     512-byte image is taken, and leaves the ymm upper halves clear;
 *   - execve starts with a fresh state: FCW 0x37f, MXCSR 0x1f80, the x87
 *     stack empty, every ymm upper half clear.
 * Every test needs AVX (CPUID and XCR0 say whether the CPU and kernel
 * give it) and skips without it; reserved MXCSR bits in a frame are
 * sigtests' sigreturn_mxcsr.
 */

#include "ut.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <ucontext.h>
#include <unistd.h>

/* Where things are in an FXSAVE / XSAVE image (Intel SDM vol. 1, 13.4). */
#define IMG_FCW 0
#define IMG_FSW 2
#define IMG_FTW 4
#define IMG_MXCSR 24
#define IMG_XMM(i) (160 + 16 * (i))
#define IMG_SW 464     /* struct _fpx_sw_bytes */
#define IMG_HEADER 512 /* XSTATE_BV, XCOMP_BV, reserved */
#define IMG_YMMH(i) (576 + 16 * (i))

#define XF_YMM 0x4

/* Linux's uapi asm/sigcontext.h and asm/ucontext.h (musl has neither). */
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U
#define FP_XSTATE_MAGIC2_SIZE 4
#define UC_FP_XSTATE 0x1
struct _fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size; /* the image and magic2 */
	uint64_t xfeatures;
	uint32_t xstate_size; /* the image */
	uint32_t padding[7];
};

/* The registers one hold loads and checks. */
struct fpu_vals {
	uint8_t ymm[16][32];
	double st0;
	uint32_t mxcsr;
	uint16_t fcw;
} __attribute__((aligned(32)));

static uint64_t
xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* Skip unless the CPU has AVX and the kernel turned it on (OSXSAVE, XCR0). */
static void
need_avx(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (!(c & (1u << 27)) || !(c & (1u << 28)) || (xgetbv0() & 6) != 6)
		test_skip("no AVX (CPUID.1:ECX %#x, XCR0)", c);
}

/*
 * Values of their own for seed: every byte of every ymm register, an
 * MXCSR with its own rounding and flush-to-zero bits, an x87 control word
 * with its own precision and rounding, st(0).
 */
static void
fpu_vals_make(struct fpu_vals *v, uint64_t seed)
{
	static const uint16_t precision[3] = { 0, 2, 3 }; /* 1 is reserved */
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;

	for (int r = 0; r < 16; r++)
		for (int i = 0; i < 32; i += 8) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			memcpy(&v->ymm[r][i], &x, 8);
		}
	v->mxcsr =
	    0x1f80 | (uint32_t)(seed & 3) << 13 | (seed & 4 ? 0x8000 : 0);
	v->fcw = 0x7f | precision[(seed >> 3) % 3] << 8 |
	    (uint16_t)((seed >> 5) & 3) << 10;
	v->st0 = (double)seed + 0.25;
}

/* What a hold does while the values are in the registers. */
struct hold {
	long nr1, a0, a1, a2;     /* a system call, or nr1 < 0 */
	long nr2;                 /* then one without arguments, or < 0 */
	long spin;                /* then spin this many times at most, or 0 */
	const volatile long *ctr; /* the spin ends when *ctr changes */
	long changed;             /* out: it did */
	uint32_t mxcsr;           /* the caller's, put back afterwards */
	uint16_t fcw;
};

/*
 * Load *in into ymm0-15, MXCSR, the x87 control word and st(0), do what
 * h says, and store the registers to *out.  Between the load and the
 * store there are only instructions written here, so only the kernel
 * can change the registers.  The caller's MXCSR and control word come
 * back afterwards.
 */
static void
fpu_hold(const struct fpu_vals *in, struct fpu_vals *out, struct hold *h)
{
	h->changed = 0;
	__asm__ volatile("stmxcsr %c[smx](%[h])\n\t"
			 "fnstcw %c[scw](%[h])\n\t"
			 "vmovdqu 0(%[in]), %%ymm0\n\t"
			 "vmovdqu 32(%[in]), %%ymm1\n\t"
			 "vmovdqu 64(%[in]), %%ymm2\n\t"
			 "vmovdqu 96(%[in]), %%ymm3\n\t"
			 "vmovdqu 128(%[in]), %%ymm4\n\t"
			 "vmovdqu 160(%[in]), %%ymm5\n\t"
			 "vmovdqu 192(%[in]), %%ymm6\n\t"
			 "vmovdqu 224(%[in]), %%ymm7\n\t"
			 "vmovdqu 256(%[in]), %%ymm8\n\t"
			 "vmovdqu 288(%[in]), %%ymm9\n\t"
			 "vmovdqu 320(%[in]), %%ymm10\n\t"
			 "vmovdqu 352(%[in]), %%ymm11\n\t"
			 "vmovdqu 384(%[in]), %%ymm12\n\t"
			 "vmovdqu 416(%[in]), %%ymm13\n\t"
			 "vmovdqu 448(%[in]), %%ymm14\n\t"
			 "vmovdqu 480(%[in]), %%ymm15\n\t"
			 "ldmxcsr %c[mx](%[in])\n\t"
			 "fldcw %c[cw](%[in])\n\t"
			 "fldl %c[st](%[in])\n\t"
			 "movq %c[nr1](%[h]), %%rax\n\t"
			 "testq %%rax, %%rax\n\t"
			 "js 1f\n\t"
			 "movq %c[a0](%[h]), %%rdi\n\t"
			 "movq %c[a1](%[h]), %%rsi\n\t"
			 "movq %c[a2](%[h]), %%rdx\n\t"
			 "syscall\n"
			 "1:\n\t"
			 "movq %c[nr2](%[h]), %%rax\n\t"
			 "testq %%rax, %%rax\n\t"
			 "js 2f\n\t"
			 "syscall\n"
			 "2:\n\t"
			 "movq %c[spin](%[h]), %%rcx\n\t"
			 "testq %%rcx, %%rcx\n\t"
			 "jz 4f\n\t"
			 "movq %c[ctr](%[h]), %%rsi\n\t"
			 "movq (%%rsi), %%rdi\n"
			 "3:\n\t"
			 "cmpq (%%rsi), %%rdi\n\t"
			 "jne 5f\n\t"
			 "decq %%rcx\n\t"
			 "jnz 3b\n\t"
			 "jmp 4f\n"
			 "5:\n\t"
			 "movq $1, %c[chg](%[h])\n"
			 "4:\n\t"
			 "fstpl %c[st](%[out])\n\t"
			 "fnstcw %c[cw](%[out])\n\t"
			 "stmxcsr %c[mx](%[out])\n\t"
			 "vmovdqu %%ymm0, 0(%[out])\n\t"
			 "vmovdqu %%ymm1, 32(%[out])\n\t"
			 "vmovdqu %%ymm2, 64(%[out])\n\t"
			 "vmovdqu %%ymm3, 96(%[out])\n\t"
			 "vmovdqu %%ymm4, 128(%[out])\n\t"
			 "vmovdqu %%ymm5, 160(%[out])\n\t"
			 "vmovdqu %%ymm6, 192(%[out])\n\t"
			 "vmovdqu %%ymm7, 224(%[out])\n\t"
			 "vmovdqu %%ymm8, 256(%[out])\n\t"
			 "vmovdqu %%ymm9, 288(%[out])\n\t"
			 "vmovdqu %%ymm10, 320(%[out])\n\t"
			 "vmovdqu %%ymm11, 352(%[out])\n\t"
			 "vmovdqu %%ymm12, 384(%[out])\n\t"
			 "vmovdqu %%ymm13, 416(%[out])\n\t"
			 "vmovdqu %%ymm14, 448(%[out])\n\t"
			 "vmovdqu %%ymm15, 480(%[out])\n\t"
			 "vzeroupper\n\t"
			 "ldmxcsr %c[smx](%[h])\n\t"
			 "fldcw %c[scw](%[h])"
			 :
			 : [in] "r"(in), [out] "r"(out), [h] "r"(h),
			 [mx] "i"(offsetof(struct fpu_vals, mxcsr)),
			 [cw] "i"(offsetof(struct fpu_vals, fcw)),
			 [st] "i"(offsetof(struct fpu_vals, st0)),
			 [nr1] "i"(offsetof(struct hold, nr1)),
			 [a0] "i"(offsetof(struct hold, a0)),
			 [a1] "i"(offsetof(struct hold, a1)),
			 [a2] "i"(offsetof(struct hold, a2)),
			 [nr2] "i"(offsetof(struct hold, nr2)),
			 [spin] "i"(offsetof(struct hold, spin)),
			 [ctr] "i"(offsetof(struct hold, ctr)),
			 [chg] "i"(offsetof(struct hold, changed)),
			 [smx] "i"(offsetof(struct hold, mxcsr)),
			 [scw] "i"(offsetof(struct hold, fcw))
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory",
			 "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			 "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
			 "xmm12", "xmm13", "xmm14", "xmm15");
}

/*
 * Which part of out differs from in, as text in buf (empty if none).
 * Returns whether they are equal.
 */
static int
fpu_vals_same(const struct fpu_vals *in, const struct fpu_vals *out, char *buf,
    size_t size)
{
	buf[0] = '\0';
	for (int r = 0; r < 16; r++)
		for (int half = 0; half < 2; half++)
			if (memcmp(&in->ymm[r][16 * half],
				&out->ymm[r][16 * half], 16) != 0) {
				snprintf(buf, size, "ymm%d %s half", r,
				    half ? "upper" : "lower");
				return 0;
			}
	if (in->mxcsr != out->mxcsr)
		snprintf(buf, size, "MXCSR %#x, wanted %#x", out->mxcsr,
		    in->mxcsr);
	else if (in->fcw != out->fcw)
		snprintf(buf, size, "FCW %#x, wanted %#x", out->fcw, in->fcw);
	else if (in->st0 != out->st0)
		snprintf(buf, size, "st(0) %g, wanted %g", out->st0, in->st0);
	return buf[0] == '\0';
}

/* ---------------------------------------------------------------------
 * Threads and processes holding values.
 */

#define HOLD_ROUNDS 40
#define HOLD_WORKERS_MAX 8
#define SPIN_MAX 5000000L /* longer than a 20 ms quantum under TCG */

/* Bumped by every worker after each round: a spinner sees the others run. */
static volatile long progress;

struct worker {
	uint64_t seed;
	int ncpus; /* CPUs it runs on: cpus[0] only, or hops */
	int cpus[64];
	int hop;       /* move to the next CPU while holding */
	int bad;       /* out: rounds whose values changed */
	int preempted; /* out: spins during which another worker ran */
	char what[96]; /* out: the first change */
	pthread_t thread;
};

static long
set_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct fpu_vals in, out;
	cpu_set_t next;

	if (!w->hop && set_cpu(w->cpus[0]) != 0)
		test_fail("sched_setaffinity(CPU %d): %s", w->cpus[0],
		    test_errname(errno));
	for (int r = 0; r < HOLD_ROUNDS; r++) {
		struct hold h = { -1, 0, 0, 0, -1, 0, &progress, 0, 0, 0 };
		char what[64];

		fpu_vals_make(&in, w->seed * 1000 + r);
		memset(&out, 0, sizeof(out));
		switch (r % 5) {
		case 0: /* move (if hopping) and yield */
			CPU_ZERO(&next);
			CPU_SET(w->cpus[r / 5 % w->ncpus], &next);
			if (w->hop) {
				h.nr1 = SYS_sched_setaffinity;
				h.a1 = sizeof(next);
				h.a2 = (long)&next;
			}
			h.nr2 = SYS_sched_yield;
			break;
		case 1: /* spin until someone else has run, or long */
			h.spin = SPIN_MAX;
			break;
		case 2: { /* sleep 1 ms */
			static const struct timespec ms = { 0, 1000000 };

			h.nr1 = SYS_nanosleep;
			h.a0 = (long)&ms;
			break;
		}
		case 3: /* a plain system call, then a short spin */
			h.nr1 = SYS_getpid;
			h.spin = 200000;
			break;
		case 4: /* yield, then spin */
			h.nr2 = SYS_sched_yield;
			h.spin = SPIN_MAX;
			break;
		}
		fpu_hold(&in, &out, &h);
		__atomic_add_fetch(&progress, 1, __ATOMIC_RELAXED);
		w->preempted += h.changed;
		if (!fpu_vals_same(&in, &out, what, sizeof(what)) &&
		    w->bad++ == 0)
			snprintf(w->what, sizeof(w->what), "round %d: %s", r,
			    what);
	}
	return NULL;
}

/* The CPUs this process may run on, into cpus; returns how many. */
static int
my_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	test_expect_ok(sched_getaffinity(0, sizeof(set), &set),
	    "sched_getaffinity");
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	test_assert(n > 0);
	return n;
}

/*
 * Run nthreads workers in this process (this thread is the first), on
 * cpus[0] alone or hopping over all of cpus; exits 0 if every value held,
 * 1 (with a message) if not, 2 if on one CPU no spin ever saw another
 * worker run (the preemption this is about did not happen).
 */
static void
run_workers(int nthreads, uint64_t seed, const int *cpus, int ncpus, int hop,
    int need_preemption)
{
	struct worker w[HOLD_WORKERS_MAX];
	int bad = 0, preempted = 0;

	test_assert(nthreads <= HOLD_WORKERS_MAX);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < nthreads; i++) {
		w[i].seed = seed + i;
		w[i].hop = hop;
		w[i].ncpus = hop ? ncpus : 1;
		for (int c = 0; c < w[i].ncpus; c++)
			w[i].cpus[c] = cpus[(c + i) % ncpus];
		if (i > 0 &&
		    pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0)
			test_fail("pthread_create");
	}
	worker_main(&w[0]);
	for (int i = 1; i < nthreads; i++)
		pthread_join(w[i].thread, NULL);
	for (int i = 0; i < nthreads; i++) {
		if (w[i].bad != 0)
			test_fail(
			    "seed %llu: %d of %d rounds changed; first %s",
			    (unsigned long long)w[i].seed, w[i].bad,
			    HOLD_ROUNDS, w[i].what);
		bad += w[i].bad;
		preempted += w[i].preempted;
	}
	if (need_preemption && preempted == 0)
		test_fail("no spin was preempted by another worker");
	(void)bad;
}

/*
 * nprocs processes of nthreads workers each: first all on one CPU (so
 * spins are preempted by the others), then spread over every CPU, each
 * worker moving to another CPU every few rounds while it holds values.
 */
static void
fpu_workers(int nprocs, int nthreads)
{
	int cpus[64], ncpus = my_cpus(cpus, 64);

	need_avx();
	for (int spread = 0; spread < 2; spread++) {
		pid_t pids[4];

		test_assert(nprocs <= 4);
		for (int p = 0; p < nprocs; p++) {
			pids[p] = test_fork();
			if (pids[p] == 0) {
				run_workers(nthreads, 100 * (p + 1), cpus,
				    spread ? ncpus : 1, spread, !spread);
				_exit(0);
			}
		}
		for (int p = 0; p < nprocs; p++)
			test_expect_exit(pids[p], 0,
			    spread ? "a process of workers on every CPU" :
				     "a process of workers on one CPU");
	}
}

/*
 * One process, four threads; then one thread alone moving between CPUs,
 * so that it comes back to a CPU whose registers still hold its values
 * of before (which a CPU must not take for current: it ran elsewhere
 * since).
 */
static void
t_fpu_ymm_threads(void)
{
	int cpus[64], ncpus = my_cpus(cpus, 64);
	pid_t pid;

	fpu_workers(1, 4);
	if (ncpus < 2)
		return;
	pid = test_fork();
	if (pid == 0) {
		run_workers(1, 500, cpus, ncpus < 3 ? ncpus : 3, 1, 0);
		_exit(0);
	}
	test_expect_exit(pid, 0, "one thread moving between CPUs");
}

/* Two processes of two threads each. */
static void
t_fpu_ymm_processes(void)
{
	fpu_workers(2, 2);
}

/* ---------------------------------------------------------------------
 * Signals.
 */

static struct fpu_vals sig_junk;
static volatile long sig_count;

/* Load other values into every register the holds check. */
static void
clobber_fpu(void)
{
	static const uint16_t fcw = 0x7f;
	static const uint32_t mxcsr = 0x7f80;

	__asm__ volatile("vmovdqu 0(%0), %%ymm0\n\t"
			 "vmovdqu 32(%0), %%ymm1\n\t"
			 "vmovdqu 64(%0), %%ymm2\n\t"
			 "vmovdqu 96(%0), %%ymm3\n\t"
			 "vmovdqu 128(%0), %%ymm4\n\t"
			 "vmovdqu 160(%0), %%ymm5\n\t"
			 "vmovdqu 192(%0), %%ymm6\n\t"
			 "vmovdqu 224(%0), %%ymm7\n\t"
			 "vmovdqu 256(%0), %%ymm8\n\t"
			 "vmovdqu 288(%0), %%ymm9\n\t"
			 "vmovdqu 320(%0), %%ymm10\n\t"
			 "vmovdqu 352(%0), %%ymm11\n\t"
			 "vmovdqu 384(%0), %%ymm12\n\t"
			 "vmovdqu 416(%0), %%ymm13\n\t"
			 "vmovdqu 448(%0), %%ymm14\n\t"
			 "vmovdqu 480(%0), %%ymm15\n\t"
			 "ldmxcsr %1\n\t"
			 "fldcw %2\n\t"
			 "fldpi\n\t"
			 "fstp %%st(0)"
			 :
			 : "r"(&sig_junk), "m"(mxcsr), "m"(fcw)
			 : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
			 "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
			 "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

static void
clobber_handler(int sig)
{
	(void)sig;
	clobber_fpu();
	sig_count++;
}

static void
handle(int sig, void (*fn)(int), void (*act)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (act != NULL) {
		sa.sa_sigaction = act;
		sa.sa_flags = SA_SIGINFO;
	} else {
		sa.sa_handler = fn;
	}
	test_expect_ok(sigaction(sig, &sa, NULL), "sigaction");
}

/* Hold in with a kill(self, SIGUSR1) in the middle; out gets the values. */
static void
hold_with_signal(const struct fpu_vals *in, struct fpu_vals *out)
{
	struct hold h = { SYS_kill, getpid(), SIGUSR1, 0, -1, 0, NULL, 0, 0,
		0 };

	fpu_hold(in, out, &h);
}

/*
 * A handler that loads other values into every register: the code it
 * interrupted finds its own again, for a signal it sends itself and for
 * signals another process sends while it spins.
 */
static void
t_fpu_signal_clobber(void)
{
	struct fpu_vals in, out;
	char what[64];
	pid_t pid;

	need_avx();
	fpu_vals_make(&sig_junk, 999);
	handle(SIGUSR1, clobber_handler, NULL);
	for (int r = 0; r < 20; r++) {
		fpu_vals_make(&in, r + 1);
		sig_count = 0;
		hold_with_signal(&in, &out);
		test_expect_eq(sig_count, 1, "the handler ran");
		test_assert_msg(fpu_vals_same(&in, &out, what, sizeof(what)),
		    "round %d, after a handler: %s", r, what);
	}

	/* A child signals us until told to stop; each hold sees a signal. */
	pid = test_fork();
	if (pid == 0) {
		pid_t parent = getppid();

		for (;;) {
			test_sleep_ns(2000000);
			if (kill(parent, SIGUSR1) != 0)
				_exit(0);
		}
	}
	for (int r = 0; r < 20; r++) {
		struct hold h = { -1, 0, 0, 0, -1, 4 * SPIN_MAX, &sig_count, 0,
			0, 0 };

		fpu_vals_make(&in, 100 + r);
		fpu_hold(&in, &out, &h);
		test_assert_msg(fpu_vals_same(&in, &out, what, sizeof(what)),
		    "round %d, after signals while spinning: %s", r, what);
		test_assert_msg(h.changed, "round %d: no signal came", r);
	}
	kill(pid, SIGKILL);
	test_wait(pid);
}

/* What the frame-checking handler saw, if anything was wrong. */
static char frame_what[128];
static const struct fpu_vals *frame_in;

/* The XSAVE image the frame points at, checked against frame_in. */
static void
frame_check(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	const uint8_t *img = (const uint8_t *)uc->uc_mcontext.fpregs;
	struct _fpx_sw_bytes sw;
	uint64_t xcr0 = xgetbv0(), bv;
	uint32_t magic2;

	(void)sig;
	(void)si;
	sig_count++;
	frame_what[0] = '\0';
	if (!(uc->uc_flags & UC_FP_XSTATE)) {
		strcpy(frame_what, "no UC_FP_XSTATE in uc_flags");
		return;
	}
	if ((uintptr_t)img % 64 != 0) {
		snprintf(frame_what, sizeof(frame_what),
		    "fpstate %p not 64-aligned", (const void *)img);
		return;
	}
	memcpy(&sw, img + IMG_SW, sizeof(sw));
	memcpy(&bv, img + IMG_HEADER, sizeof(bv));
	if (sw.magic1 != FP_XSTATE_MAGIC1 || sw.xstate_size < 576 + 256 ||
	    sw.extended_size != sw.xstate_size + FP_XSTATE_MAGIC2_SIZE ||
	    (sw.xfeatures & ~xcr0) != 0 || (sw.xfeatures & 7) != 7) {
		snprintf(frame_what, sizeof(frame_what),
		    "sw bytes: magic1 %#x, sizes %u/%u, xfeatures %#llx "
		    "(XCR0 %#llx)",
		    sw.magic1, sw.xstate_size, sw.extended_size,
		    (unsigned long long)sw.xfeatures, (unsigned long long)xcr0);
		return;
	}
	memcpy(&magic2, img + sw.xstate_size, sizeof(magic2));
	if (magic2 != FP_XSTATE_MAGIC2 || (bv & 3) != 3) {
		snprintf(frame_what, sizeof(frame_what),
		    "magic2 %#x, XSTATE_BV %#llx", magic2,
		    (unsigned long long)bv);
		return;
	}
	for (int r = 0; r < 16; r++) {
		if (memcmp(img + IMG_XMM(r), frame_in->ymm[r], 16) != 0 ||
		    ((bv & XF_YMM) &&
			memcmp(img + IMG_YMMH(r), frame_in->ymm[r] + 16, 16) !=
			    0)) {
			snprintf(frame_what, sizeof(frame_what),
			    "ymm%d in the image is not the interrupted one", r);
			return;
		}
	}
	if (!(bv & XF_YMM))
		strcpy(frame_what, "XSTATE_BV lacks AVX though ymm is in use");
	else if (*(const uint32_t *)(img + IMG_MXCSR) != frame_in->mxcsr ||
	    *(const uint16_t *)(img + IMG_FCW) != frame_in->fcw)
		strcpy(frame_what, "MXCSR or FCW in the image");
	clobber_fpu();
}

/*
 * The frame's FPU state is Linux's XSAVE layout with the interrupted
 * values in it.
 */
static void
t_fpu_sigframe_layout(void)
{
	struct fpu_vals in, out;
	char what[64];

	need_avx();
	fpu_vals_make(&sig_junk, 7);
	fpu_vals_make(&in, 8);
	frame_in = &in;
	handle(SIGUSR1, NULL, frame_check);
	sig_count = 0;
	hold_with_signal(&in, &out);
	test_expect_eq(sig_count, 1, "the handler ran");
	test_assert_msg(frame_what[0] == '\0', "%s", frame_what);
	test_assert_msg(fpu_vals_same(&in, &out, what, sizeof(what)),
	    "after the handler: %s", what);
}

/* The values the editing handler writes into the frame for ymm5. */
static const uint8_t edit_lo[16] = "edited low half";
static const uint8_t edit_hi[16] = "edited hi half!";

static void
edit_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint8_t *img = (uint8_t *)uc->uc_mcontext.fpregs;
	uint64_t bv;

	(void)sig;
	(void)si;
	memcpy(img + IMG_XMM(5), edit_lo, 16);
	memcpy(img + IMG_YMMH(5), edit_hi, 16);
	memcpy(&bv, img + IMG_HEADER, 8);
	bv |= XF_YMM;
	memcpy(img + IMG_HEADER, &bv, 8);
	sig_count++;
}

/*
 * A handler's edit of the frame (xmm5, and ymm5's upper half in the XSAVE
 * image) is what the interrupted code finds after sigreturn; the other
 * registers are its own.
 */
static void
t_fpu_sigframe_edit(void)
{
	struct fpu_vals in, out, want;
	char what[64];

	need_avx();
	fpu_vals_make(&in, 21);
	handle(SIGUSR1, NULL, edit_handler);
	sig_count = 0;
	hold_with_signal(&in, &out);
	test_expect_eq(sig_count, 1, "the handler ran");
	want = in;
	memcpy(want.ymm[5], edit_lo, 16);
	memcpy(want.ymm[5] + 16, edit_hi, 16);
	test_assert_msg(fpu_vals_same(&want, &out, what, sizeof(what)),
	    "after the edit: %s", what);
}

/* A 64-aligned home for a bare 512-byte image. */
static uint8_t bare[512 + 64] __attribute__((aligned(64)));

static void
bare_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	memcpy(bare, uc->uc_mcontext.fpregs, 512);
	memset(bare + IMG_SW, 0, 48); /* no magic1: a legacy frame */
	memcpy(bare + IMG_XMM(5), edit_lo, 16);
	uc->uc_mcontext.fpregs = (fpregset_t)bare;
	sig_count++;
	clobber_fpu(); /* upper halves the image must not leave behind */
}

/*
 * A frame whose FPU state is a bare 512-byte FXSAVE image (a program that
 * builds its own, or copies only that much): taken, with the handler's
 * edit, and the ymm upper halves, which it does not hold, start clear.
 */
static void
t_fpu_sigframe_bare(void)
{
	struct fpu_vals in, out, want;
	char what[64];

	need_avx();
	fpu_vals_make(&sig_junk, 32);
	fpu_vals_make(&in, 31);
	handle(SIGUSR1, NULL, bare_handler);
	sig_count = 0;
	hold_with_signal(&in, &out);
	test_expect_eq(sig_count, 1, "the handler ran");
	want = in;
	memcpy(want.ymm[5], edit_lo, 16);
	for (int r = 0; r < 16; r++)
		memset(want.ymm[r] + 16, 0, 16);
	test_assert_msg(fpu_vals_same(&want, &out, what, sizeof(what)),
	    "after a bare image: %s", what);
}

/* How corrupt_handler damages the XSAVE header. */
enum {
	BAD_XSTATE_BV,
	BAD_XCOMP_BV
};
static volatile int corrupt_how;

static void
corrupt_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint8_t *img = (uint8_t *)uc->uc_mcontext.fpregs;
	uint64_t xcr0 = xgetbv0(), v;
	int bit = 3;

	(void)sig;
	(void)si;
	if (corrupt_how == BAD_XSTATE_BV) {
		/* A component XCR0 does not enable. */
		while (bit < 62 && (xcr0 & (1ULL << bit)))
			bit++;
		memcpy(&v, img + IMG_HEADER, 8);
		v |= 1ULL << bit;
		memcpy(img + IMG_HEADER, &v, 8);
	} else {
		v = 1; /* XCOMP_BV must be 0 in the standard form */
		memcpy(img + IMG_HEADER + 8, &v, 8);
	}
}

static void
corrupt_child(void *arg)
{
	struct fpu_vals in, out;

	corrupt_how = (int)(uintptr_t)arg;
	handle(SIGUSR1, NULL, corrupt_handler);
	fpu_vals_make(&in, 41);
	hold_with_signal(&in, &out);
	_exit(3); /* sigreturn took the damaged header */
}

/* A header XRSTOR refuses: SIGSEGV from rt_sigreturn, as on Linux. */
static void
t_fpu_sigframe_bad_header(void)
{
	need_avx();
	test_expect_child_signal(corrupt_child, (void *)BAD_XSTATE_BV, SIGSEGV,
	    "XSTATE_BV with a component XCR0 lacks");
	test_expect_child_signal(corrupt_child, (void *)BAD_XCOMP_BV, SIGSEGV,
	    "a nonzero XCOMP_BV");
}

/* ---------------------------------------------------------------------
 * execve.
 */

/*
 * The helper's check (usertests --helper fpu-clean): exit 0 if this
 * program started with a fresh FPU state, else a code naming what was
 * not.  Nothing before main uses the x87 unit, MXCSR's controls or the
 * ymm upper halves, so what it finds is what execve left.
 */
int
ut_fpu_clean_main(void)
{
	uint8_t img[512] __attribute__((aligned(16)));
	uint8_t hi[16][16];

	__asm__ volatile("fxsave64 %0" : "=m"(img));
	if (*(uint16_t *)(img + IMG_FCW) != 0x37f)
		return 1;
	if (*(uint32_t *)(img + IMG_MXCSR) != 0x1f80)
		return 2;
	if (*(uint16_t *)(img + IMG_FSW) != 0 || img[IMG_FTW] != 0)
		return 3; /* the x87 stack is empty, TOP 0 */
	__asm__ volatile("vextractf128 $1, %%ymm0, 0(%0)\n\t"
			 "vextractf128 $1, %%ymm1, 16(%0)\n\t"
			 "vextractf128 $1, %%ymm2, 32(%0)\n\t"
			 "vextractf128 $1, %%ymm3, 48(%0)\n\t"
			 "vextractf128 $1, %%ymm4, 64(%0)\n\t"
			 "vextractf128 $1, %%ymm5, 80(%0)\n\t"
			 "vextractf128 $1, %%ymm6, 96(%0)\n\t"
			 "vextractf128 $1, %%ymm7, 112(%0)\n\t"
			 "vextractf128 $1, %%ymm8, 128(%0)\n\t"
			 "vextractf128 $1, %%ymm9, 144(%0)\n\t"
			 "vextractf128 $1, %%ymm10, 160(%0)\n\t"
			 "vextractf128 $1, %%ymm11, 176(%0)\n\t"
			 "vextractf128 $1, %%ymm12, 192(%0)\n\t"
			 "vextractf128 $1, %%ymm13, 208(%0)\n\t"
			 "vextractf128 $1, %%ymm14, 224(%0)\n\t"
			 "vextractf128 $1, %%ymm15, 240(%0)"
			 :
			 : "r"(hi)
			 : "memory");
	for (int r = 0; r < 16; r++)
		for (int i = 0; i < 16; i++)
			if (hi[r][i] != 0)
				return 10 + r;
	return 0;
}

/*
 * A process with every register changed (ymm0-15 whole, MXCSR, FCW, a
 * value pushed on the x87 stack) execs the helper, which must find a
 * fresh program's state.
 */
static void
t_fpu_exec_clean(void)
{
	static const uint16_t fcw = 0x27f;
	static const uint32_t mxcsr = 0xff80;
	char *const argv[] = { (char *)test_self, UT_HELPER, "fpu-clean",
		NULL };
	char *const envp[] = { NULL };
	struct fpu_vals v;
	pid_t pid;

	need_avx();
	fpu_vals_make(&v, 51);
	pid = test_fork();
	if (pid == 0) {
		long r = SYS_execve;

		__asm__ volatile(
		    "vmovdqu 0(%[v]), %%ymm0\n\t"
		    "vmovdqu 32(%[v]), %%ymm1\n\t"
		    "vmovdqu 64(%[v]), %%ymm2\n\t"
		    "vmovdqu 96(%[v]), %%ymm3\n\t"
		    "vmovdqu 128(%[v]), %%ymm4\n\t"
		    "vmovdqu 160(%[v]), %%ymm5\n\t"
		    "vmovdqu 192(%[v]), %%ymm6\n\t"
		    "vmovdqu 224(%[v]), %%ymm7\n\t"
		    "vmovdqu 256(%[v]), %%ymm8\n\t"
		    "vmovdqu 288(%[v]), %%ymm9\n\t"
		    "vmovdqu 320(%[v]), %%ymm10\n\t"
		    "vmovdqu 352(%[v]), %%ymm11\n\t"
		    "vmovdqu 384(%[v]), %%ymm12\n\t"
		    "vmovdqu 416(%[v]), %%ymm13\n\t"
		    "vmovdqu 448(%[v]), %%ymm14\n\t"
		    "vmovdqu 480(%[v]), %%ymm15\n\t"
		    "ldmxcsr %[mx]\n\t"
		    "fldcw %[cw]\n\t"
		    "fld1\n\t"
		    "syscall"
		    : "+a"(r)
		    : "D"(test_self), "S"(argv),
		    "d"(envp), [v] "r"(&v), [mx] "m"(mxcsr), [cw] "m"(fcw)
		    : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		    "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
		    "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
		(void)r;
		_exit(100);
	}
	test_expect_exit(pid, 0,
	    "the exec'd helper's FPU state (1 FCW, 2 MXCSR, 3 x87 stack, "
	    "10+N ymmN's upper half)");
}

const struct test ut_fpu_tests[] = {
	{ "fpu_ymm_threads", t_fpu_ymm_threads, NULL },
	{ "fpu_ymm_processes", t_fpu_ymm_processes, NULL },
	{ "fpu_signal_clobber", t_fpu_signal_clobber, NULL },
	{ "fpu_sigframe_layout", t_fpu_sigframe_layout, NULL },
	{ "fpu_sigframe_edit", t_fpu_sigframe_edit, NULL },
	{ "fpu_sigframe_bare", t_fpu_sigframe_bare, NULL },
	{ "fpu_sigframe_bad_header", t_fpu_sigframe_bad_header, NULL },
	{ "fpu_exec_clean", t_fpu_exec_clean, NULL },
	{ NULL, NULL, NULL },
};
