/*
 * The vDSO's functions, with Linux's x86_64 vDSO ABI: the symbols
 * __vdso_clock_gettime, __vdso_gettimeofday, __vdso_time,
 * __vdso_clock_getres and __vdso_getcpu, version LINUX_2.6, each with
 * the weak unprefixed alias Linux's vDSO has (vdso.lds).  musl and glibc
 * look them up through AT_SYSINFO_EHDR and call them instead of the
 * system calls of the same names.
 *
 * This is user code: it runs in the calling program, on its stack, and
 * can read only the vvar page (vdso_data.h) one page below its ELF
 * header.  A clock the page describes (vd_base) is read from the TSC
 * with the kernel's own conversion (vclock_ns) from the clock's base, so
 * it gives what the system call would have given at that instant.  The
 * seconds come from the split the kernel's tick keeps (vd_sec), so a
 * read divides only in the tick after a second begins;
 * anything else (the CPU-time clocks, unknown ids, a TSC the kernel does
 * not trust, getcpu, a timezone) is the system call itself, whose result
 * is returned as it is: -errno on failure, as Linux's vDSO returns it.
 *
 * The Makefile builds this file with -fPIC into a shared object with no
 * relocations, so it runs wherever the kernel maps it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/time.h>
#include <asm/unistd.h>
#include <vdso/vdso_data.h>

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_USEC 1000ULL

/*
 * ceil(2^93 / NSEC_PER_SEC), which is below 2^64, with which
 * (t * VDSO_SEC_MULT) >> 93 is t / NSEC_PER_SEC for every t < 2^63: with
 * e = VDSO_SEC_MULT * NSEC_PER_SEC - 2^93 (0 <= e < NSEC_PER_SEC < 2^30),
 * t * VDSO_SEC_MULT / 2^93 = t / NSEC_PER_SEC + t * e / (NSEC_PER_SEC *
 * 2^93), and the second term is below 1 / NSEC_PER_SEC, too little to
 * carry t / NSEC_PER_SEC past the next integer.  One multiplication and
 * one shift, where the compiler divides by the constant with two shifts
 * around a multiplication.
 */
#define VDSO_SEC_MULT                                                   \
	((uint64_t)((((unsigned __int128)1 << 93) + NSEC_PER_SEC - 1) / \
	    NSEC_PER_SEC))
_Static_assert(VDSO_SEC_MULT == 0x89705f4136b4a598ULL, "ceil(2^93 / 10^9)");

/* t / NSEC_PER_SEC, for t < 2^63.  No requirements. */
static inline uint64_t
vdso_sec(uint64_t t)
{
	return (uint64_t)(((unsigned __int128)t * VDSO_SEC_MULT) >> 93);
}

struct getcpu_cache;

/*
 * The vvar page, one page below the ELF header (vdso.lds).  Its fields
 * are read between vdso_read_begin and vdso_read_retry, whose atomic
 * accesses keep the compiler from moving the reads out; they are not
 * volatile, so the compiler may use them as memory operands.  Nor is
 * the object const: the kernel changes it.
 */
extern struct vdso_data vdso_vvar __attribute__((visibility("hidden")));

int __vdso_clock_gettime(long clock, struct timespec *ts);
int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz);
long __vdso_time(long *t);
int __vdso_clock_getres(int clock, struct timespec *res);
long __vdso_getcpu(unsigned *cpu, unsigned *node, struct getcpu_cache *cache);

/*
 * The TSC (RDTSC clears the upper halves of rax and rdx); also a compiler
 * barrier, so it stays inside a read section.
 */
static inline uint64_t
vdso_rdtsc(void)
{
	uint64_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return hi << 32 | lo;
}

/* A system call with up to three arguments; the kernel's rax. */
static inline long
vdso_syscall3(long n, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * Begin a read of the vvar page (vdso_data.h): its sequence count less
 * the low bit, for vdso_read_retry, which then fails if the count was
 * odd.  The acquire load keeps the reads after it there.
 */
static inline uint32_t
vdso_read_begin(const struct vdso_data *vd)
{
	return __atomic_load_n(&vd->vd_seq, __ATOMIC_ACQUIRE) & ~1U;
}

/*
 * True if what was read of the vvar page since vdso_read_begin returned
 * seq may mix two writes or come from the middle of one (the count
 * moved, or was odd): read again.  x86 does not reorder loads with
 * loads, so the compiler barrier is the whole acquire fence; the count
 * is compared in memory.
 */
static inline bool
vdso_read_retry(const struct vdso_data *vd, uint32_t seq)
{
	bool moved;

	__asm__ volatile("cmpl %[seq], %[cur]"
			 : "=@ccne"(moved)
			 : [cur] "m"(vd->vd_seq), [seq] "r"(seq)
			 : "memory");
	return moved;
}

/*
 * Clock id clock in nanoseconds, read as the kernel's clock_read would
 * at this instant, into *ns: true, or false if the vvar page does not
 * describe that clock (the caller makes the system call).
 */
static inline bool
vdso_clock_ns(unsigned long clock, uint64_t *ns)
{
	const struct vdso_data *vd = &vdso_vvar;
	uint64_t t;
	uint32_t seq;

	if (clock >= VDSO_NCLOCKS)
		return false;
	do {
		seq = vdso_read_begin(vd);
		t = vdso_rdtsc(); /* first: the fields become memory operands */
		t = vclock_ns(t, vd->vd_base[clock], vd->vd_mult);
		if (t & VDSO_CLOCK_SYSCALL)
			return false;
	} while (vdso_read_retry(vd, seq));
	*ns = t;
	return true;
}

/*
 * Clock id clock (below VDSO_NCLOCKS) as seconds *sec and nanoseconds
 * *nsec, the same instant vdso_clock_ns would read, from the second the
 * kernel split off at its last tick (vd_sec, vd_sec_base): no division.
 * False if the split does not hold at this instant (the second moved on
 * since the tick, the kernel is writing the page, or the clock is the
 * system call's): the caller takes the slow path.
 *
 * The read section is written out, as vclock_ns (with
 * vd_sec_base[clock] for the base) between two reads of the sequence
 * count, which need not be even (vdso_data.h: vd_sec_base is read
 * last, and is marked while the count is odd).  Compiled from C, the
 * fields become registers saved on the stack, twice the work.  The
 * fields are memory operands, so for a constant clock they are
 * addressed from %rip.
 */
static inline bool
vdso_clock_split(unsigned long clock, uint64_t *sec, uint64_t *nsec)
{
	const struct vdso_data *vd = &vdso_vvar;
	uint64_t t, s;
	uint32_t seq;

	_Static_assert(VCLOCK_SHIFT == 32, "the shrd below");
	__asm__ volatile("1:\n\t"
			 "movl %[seq], %[first]\n\t"
			 "rdtsc\n\t"
			 "shlq $32, %%rdx\n\t"
			 "orq %%rdx, %%rax\n\t"
			 "mulq %[mult]\n\t"
			 "shrdq $32, %%rdx, %%rax\n\t"
			 "movq %[secs], %%rdx\n\t"
			 "addq %[sec_base], %%rax\n\t"
			 "cmpl %[first], %[seq]\n\t"
			 "jne 1b"
			 : "=&a"(t), "=&d"(s), [first] "=&r"(seq)
			 : [seq] "m"(vd->vd_seq), [mult] "m"(vd->vd_mult),
			 [secs] "m"(vd->vd_sec[clock]),
			 [sec_base] "m"(vd->vd_sec_base[clock])
			 : "cc", "memory");
	*sec = s;
	*nsec = t;
	return t < NSEC_PER_SEC;
}

/*
 * The slow paths of the three calls below, for when vdso_clock_split
 * fails: the division (vdso_sec), or the system call.  Out of line, and
 * tail-called, so that the fast paths stay leaves without a frame.
 */
static __attribute__((noinline)) int
vdso_clock_gettime_slow(unsigned long clock, struct timespec *ts)
{
	uint64_t ns, sec;

	if (!vdso_clock_ns(clock, &ns))
		return (int)vdso_syscall3(__NR_clock_gettime, (int)clock,
		    (long)ts, 0);
	sec = vdso_sec(ns); /* ns < 2^63: vdso_clock_ns */
	ts->tv_sec = (long)sec;
	ts->tv_nsec = (long)(ns - sec * NSEC_PER_SEC);
	return 0;
}

static __attribute__((noinline)) int
vdso_gettimeofday_slow(struct timeval *tv, struct timezone *tz)
{
	uint64_t ns, sec;

	if (tv == NULL && tz == NULL)
		return 0;
	/* Only the kernel knows the timezone. */
	if (tz != NULL || !vdso_clock_ns(CLOCK_REALTIME, &ns))
		return (
		    int)vdso_syscall3(__NR_gettimeofday, (long)tv, (long)tz, 0);
	sec = vdso_sec(ns);
	tv->tv_sec = (long)sec;
	tv->tv_usec = (long)((uint32_t)(ns - sec * NSEC_PER_SEC) /
	    (uint32_t)NSEC_PER_USEC);
	return 0;
}

static __attribute__((noinline)) long
vdso_time_slow(long *t)
{
	uint64_t ns;
	long s;

	if (!vdso_clock_ns(CLOCK_REALTIME, &ns))
		return vdso_syscall3(__NR_time, (long)t, 0, 0);
	s = (long)vdso_sec(ns);
	if (t != NULL)
		*t = s;
	return s;
}

/*
 * The clock id is an int, taken as the whole register: an id whose
 * upper bits are not zero is below VDSO_NCLOCKS only if it is one, and
 * the system call, which reads the int, answers every other.
 * CLOCK_REALTIME, which libc's gettimeofday and time read through here,
 * comes first: its fields are addressed from %rip, with no bounds test.
 */
int
__vdso_clock_gettime(long clock, struct timespec *ts)
{
	uint64_t sec, nsec;

	if (clock == CLOCK_REALTIME) {
		if (!vdso_clock_split(CLOCK_REALTIME, &sec, &nsec))
			return vdso_clock_gettime_slow(CLOCK_REALTIME, ts);
	} else if ((unsigned long)clock >= VDSO_NCLOCKS ||
	    !vdso_clock_split((unsigned long)clock, &sec, &nsec)) {
		return vdso_clock_gettime_slow((unsigned long)clock, ts);
	}
	ts->tv_sec = (long)sec;
	ts->tv_nsec = (long)nsec;
	return 0;
}

int
__vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
{
	uint64_t sec, nsec;

	if (tz != NULL || tv == NULL ||
	    !vdso_clock_split(CLOCK_REALTIME, &sec, &nsec))
		return vdso_gettimeofday_slow(tv, tz);
	tv->tv_sec = (long)sec;
	tv->tv_usec = (long)((uint32_t)nsec / (uint32_t)NSEC_PER_USEC);
	return 0;
}

long
__vdso_time(long *t)
{
	uint64_t sec, nsec;

	if (!vdso_clock_split(CLOCK_REALTIME, &sec, &nsec))
		return vdso_time_slow(t);
	if (t != NULL)
		*t = (long)sec;
	return (long)sec;
}

int
__vdso_clock_getres(int clock, struct timespec *res)
{
	const struct vdso_data *vd = &vdso_vvar;
	unsigned c = (unsigned)clock;
	uint64_t ns;
	uint32_t seq;

	if (c >= VDSO_NCLOCKS)
		goto syscall;
	do {
		seq = vdso_read_begin(vd);
		if ((vd->vd_read >> c & 1) == 0)
			goto syscall;
		ns = vd->vd_coarse >> c & 1 ? vd->vd_tick_ns : 1;
	} while (vdso_read_retry(vd, seq));
	if (res != NULL) {
		res->tv_sec = (long)(ns / NSEC_PER_SEC);
		res->tv_nsec = (long)(ns % NSEC_PER_SEC);
	}
	return 0;
syscall:
	return (int)vdso_syscall3(__NR_clock_getres, clock, (long)res, 0);
}

long
__vdso_getcpu(unsigned *cpu, unsigned *node, struct getcpu_cache *cache)
{
	return vdso_syscall3(__NR_getcpu, (long)cpu, (long)node, (long)cache);
}

/* The unprefixed names Linux's vDSO gives them too. */
int clock_gettime(long, struct timespec *)
    __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval *, struct timezone *)
    __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct timespec *)
    __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned *, unsigned *, struct getcpu_cache *)
    __attribute__((weak, alias("__vdso_getcpu")));
