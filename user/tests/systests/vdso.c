/*
 * vdso.c: the vDSO, found as a C library finds it (getauxval's
 * AT_SYSINFO_EHDR): its ELF headers and versioned symbols (Linux's
 * x86_64 names, version LINUX_2.6), each clock it reads against the
 * system call read just before and after, the calls it hands to the
 * kernel (CPU-time clocks, bad ids, getcpu), the vvar page below it
 * (read-only, and what the clocks are read from), and its life across
 * fork and exec.  Every test passes on Linux 6.1 too.
 */

#include "sys.h"

#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NSEC 1000000000ULL
#define VDSO_VERSION "LINUX_2.6"

typedef int (*cgt_fn)(clockid_t, struct timespec *);
typedef int (*gtod_fn)(struct timeval *, struct timezone *);
typedef long (*time_fn)(long *);
typedef long (*getcpu_fn)(unsigned *, unsigned *, void *);

/* The vDSO's ELF header, or fail. */
static const Elf64_Ehdr *
vdso_ehdr(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);

	test_assert_msg(base != 0,
	    "no AT_SYSINFO_EHDR in the auxiliary vector");
	test_assert_msg(base % TEST_PAGE == 0, "AT_SYSINFO_EHDR %#lx", base);
	return (const Elf64_Ehdr *)base;
}

/* What vdso_dyn finds in the vDSO's dynamic section. */
struct vdso_dyn {
	uintptr_t load;           /* what its addresses are relative to */
	const Elf64_Word *hash;   /* DT_HASH: nbucket, nchain, ... */
	const Elf64_Sym *symtab;  /* DT_SYMTAB */
	const char *strtab;       /* DT_STRTAB */
	const Elf64_Half *versym; /* DT_VERSYM */
	const Elf64_Verdef *verdef;
	const char *soname;
	int gnu_hash; /* DT_GNU_HASH present */
};

/*
 * Check the ELF and program headers and read the dynamic section, as
 * musl's and glibc's lookups do; fail on anything they would not accept.
 */
static void
vdso_dyn(const Elf64_Ehdr *eh, struct vdso_dyn *d)
{
	const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	size_t soname = 0;
	int loads = 0;

	memset(d, 0, sizeof(*d));
	test_assert(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0);
	test_expect_eq(eh->e_ident[EI_CLASS], ELFCLASS64, "EI_CLASS");
	test_expect_eq(eh->e_ident[EI_DATA], ELFDATA2LSB, "EI_DATA");
	test_expect_eq(eh->e_type, ET_DYN, "e_type");
	test_expect_eq(eh->e_machine, EM_X86_64, "e_machine");
	test_expect_eq(eh->e_phentsize, sizeof(Elf64_Phdr), "e_phentsize");
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && loads++ == 0)
			d->load =
			    (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)((const char *)eh + ph[i].p_offset);
	}
	test_expect_eq(loads, 1, "PT_LOAD segments");
	test_assert_msg(dyn != NULL, "no PT_DYNAMIC");
	for (; dyn->d_tag != DT_NULL; dyn++) {
		const void *p = (const void *)(d->load + dyn->d_un.d_ptr);

		switch (dyn->d_tag) {
		case DT_HASH:
			d->hash = p;
			break;
		case DT_GNU_HASH:
			d->gnu_hash = 1;
			break;
		case DT_SYMTAB:
			d->symtab = p;
			break;
		case DT_STRTAB:
			d->strtab = p;
			break;
		case DT_VERSYM:
			d->versym = p;
			break;
		case DT_VERDEF:
			d->verdef = p;
			break;
		case DT_SONAME:
			soname = dyn->d_un.d_val;
			break;
		case DT_REL:
		case DT_RELA:
		case DT_JMPREL:
		case DT_TEXTREL:
			test_fail("the vDSO needs relocating (tag %ld)",
			    (long)dyn->d_tag);
		}
	}
	test_assert_msg(d->hash != NULL, "no DT_HASH (musl needs it)");
	test_assert(d->symtab != NULL && d->strtab != NULL);
	test_assert(d->versym != NULL && d->verdef != NULL);
	d->soname = d->strtab + soname;
}

/* True if version index ndx of d's version definitions is named name. */
static int
vdso_version_is(const struct vdso_dyn *d, unsigned ndx, const char *name)
{
	const Elf64_Verdef *vd = d->verdef;

	for (;;) {
		const Elf64_Verdaux *aux =
		    (const void *)((const char *)vd + vd->vd_aux);

		if ((vd->vd_ndx & 0x7fff) == (ndx & 0x7fff) &&
		    !(vd->vd_flags & VER_FLG_BASE))
			return strcmp(d->strtab + aux->vda_name, name) == 0;
		if (vd->vd_next == 0)
			return 0;
		vd = (const void *)((const char *)vd + vd->vd_next);
	}
}

/*
 * The address of the defined function or object name with version
 * version in the vDSO, or NULL; as musl's lookup walks the symbols.
 */
static void *
vdso_sym(const char *name, const char *version)
{
	struct vdso_dyn d;

	vdso_dyn(vdso_ehdr(), &d);
	for (Elf64_Word i = 0; i < d.hash[1]; i++) {
		const Elf64_Sym *s = &d.symtab[i];
		int type = ELF64_ST_TYPE(s->st_info);
		int bind = ELF64_ST_BIND(s->st_info);

		if ((type != STT_FUNC && type != STT_NOTYPE &&
			type != STT_OBJECT) ||
		    (bind != STB_GLOBAL && bind != STB_WEAK) ||
		    s->st_shndx == SHN_UNDEF ||
		    strcmp(d.strtab + s->st_name, name) != 0 ||
		    !vdso_version_is(&d, d.versym[i], version))
			continue;
		return (void *)(d.load + s->st_value);
	}
	return NULL;
}

/* vdso_sym, failing the test if the symbol is not there. */
static void *
vdso_need(const char *name)
{
	void *p = vdso_sym(name, VDSO_VERSION);

	test_assert_msg(p != NULL, "no %s@%s in the vDSO", name, VDSO_VERSION);
	return p;
}

/*
 * The mapping of /proc/self/maps whose name is name ("[vdso]"): 1 with
 * its range and permissions, or 0.  Mounts /proc first where nothing
 * has (Linux's bare initramfs).
 */
static int
maps_find(const char *name, uintptr_t *start, uintptr_t *end, char perms[5])
{
	char line[512], path[256];
	int found = 0;
	FILE *f;

	sys_mount_proc();
	f = fopen("/proc/self/maps", "r");
	test_assert_msg(f != NULL, "open /proc/self/maps: %s",
	    test_errname(errno));
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %255s", start, end,
			perms, path) >= 3 &&
		    strcmp(path, name) == 0)
			found = 1;
	}
	fclose(f);
	return found;
}

/* maps_find's range, failing the test if name is not mapped. */
static void
maps_need(const char *name, uintptr_t *start, uintptr_t *end)
{
	char perms[5];

	test_assert_msg(maps_find(name, start, end, perms),
	    "no %s in /proc/self/maps", name);
}

static uint64_t
ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * NSEC + ts->tv_nsec;
}

/* Clock c through the vDSO's function f, which must succeed. */
static uint64_t
vdso_ns(cgt_fn f, clockid_t c)
{
	struct timespec ts = { -1, -1 };

	test_expect_eq(f(c, &ts), 0, "the vDSO's clock_gettime");
	test_assert_msg(ts.tv_nsec >= 0 && ts.tv_nsec < (long)NSEC,
	    "clock %d: tv_nsec %ld", c, ts.tv_nsec);
	return ts_ns(&ts);
}

/* Clock c through the system call itself. */
static uint64_t
sys_ns(clockid_t c)
{
	struct timespec ts;

	test_expect_eq(test_raw3(SYS_clock_gettime, c, &ts, 0), 0,
	    "clock_gettime");
	return ts_ns(&ts);
}

/* The clocks the vDSO reads itself on both kernels. */
static const clockid_t vdso_clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
	CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
	CLOCK_BOOTTIME, CLOCK_TAI };
#define NVDSO_CLOCKS (sizeof(vdso_clocks) / sizeof(vdso_clocks[0]))

static void
t_vdso_elf(void)
{
	static const char *const names[] = { "clock_gettime", "gettimeofday",
		"time", "clock_getres", "getcpu" };
	const Elf64_Ehdr *eh = vdso_ehdr();
	uintptr_t start, end, vstart, vend;
	struct vdso_dyn d;
	char perms[5], vperms[5], prefixed[64];

	vdso_dyn(eh, &d);
	test_assert_msg(strcmp(d.soname, "linux-vdso.so.1") == 0, "soname %s",
	    d.soname);
	test_assert_msg(d.gnu_hash, "no DT_GNU_HASH (glibc prefers it)");
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		void *p, *alias;

		snprintf(prefixed, sizeof(prefixed), "__vdso_%s", names[i]);
		p = vdso_need(prefixed);
		alias = vdso_need(names[i]);
		test_assert_msg(p == alias, "%s at %p, %s at %p", prefixed, p,
		    names[i], alias);
		test_assert_msg(vdso_sym(prefixed, "LINUX_2.5") == NULL,
		    "%s found with another version", prefixed);
	}
	test_assert(vdso_sym("__vdso_nothing", VDSO_VERSION) == NULL);

	/* Mapped as Linux maps it: [vvar] right below [vdso]. */
	test_assert_msg(maps_find("[vdso]", &start, &end, perms),
	    "no [vdso] in /proc/self/maps");
	test_expect_hex(start, (uintptr_t)eh, "[vdso]'s start");
	test_assert_msg(strcmp(perms, "r-xp") == 0, "[vdso] is %s", perms);
	test_assert_msg(maps_find("[vvar]", &vstart, &vend, vperms),
	    "no [vvar] in /proc/self/maps");
	test_expect_hex(vend, start, "[vvar]'s end");
	test_assert_msg(strcmp(vperms, "r--p") == 0, "[vvar] is %s", vperms);
}

/*
 * Each clock the vDSO reads: a system call between two reads of the
 * vDSO gives a time between theirs, and the clock never goes backwards
 * from one path to the other.
 */
static void
t_vdso_clocks(void)
{
	cgt_fn cgt = vdso_need("__vdso_clock_gettime");

	for (unsigned i = 0; i < NVDSO_CLOCKS; i++) {
		clockid_t c = vdso_clocks[i];
		uint64_t last = 0;

		for (int n = 0; n < 300; n++) {
			uint64_t v1 = vdso_ns(cgt, c);
			uint64_t s = sys_ns(c);
			uint64_t v2 = vdso_ns(cgt, c);

			test_assert_msg(last <= v1 && v1 <= s && s <= v2,
			    "clock %d: %lu, then vDSO %lu, syscall %lu, vDSO %lu",
			    c, last, v1, s, v2);
			last = v2;
		}
	}
	/* The C library's clock_gettime is the vDSO's (or agrees with it). */
	for (unsigned i = 0; i < NVDSO_CLOCKS; i++) {
		struct timespec ts;
		uint64_t v1 = vdso_ns(cgt, vdso_clocks[i]), l, v2;

		test_expect_ok(clock_gettime(vdso_clocks[i], &ts),
		    "clock_gettime");
		l = ts_ns(&ts);
		v2 = vdso_ns(cgt, vdso_clocks[i]);
		test_assert_msg(v1 <= l && l <= v2, "clock %d: %lu %lu %lu",
		    vdso_clocks[i], v1, l, v2);
	}
}

/*
 * Across the start of a second (where the vDSO's split from the last
 * tick stops holding and it divides, until the next tick splits again),
 * for a real-time and an uptime clock: each vDSO read is between the
 * system calls around it, and the seconds of gettimeofday and time move
 * with clock_gettime's.
 */
static void
t_vdso_second(void)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC };
	cgt_fn cgt = vdso_need("__vdso_clock_gettime");
	gtod_fn gtod = vdso_need("__vdso_gettimeofday");
	time_fn vtime = vdso_need("__vdso_time");

	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		clockid_t c = clocks[i];
		uint64_t start = sys_ns(c), s0, v, s1;
		uint64_t sec = start / NSEC;
		unsigned crossed = 0;

		/*
		 * Until two seconds have begun (2.5 s at most): the reads
		 * right after each are the vDSO's division, the others its
		 * split.
		 */
		do {
			s0 = sys_ns(c);
			v = vdso_ns(cgt, c);
			s1 = sys_ns(c);
			test_assert_msg(s0 <= v && v <= s1,
			    "clock %d: syscall %lu, vDSO %lu, syscall %lu", c,
			    s0, v, s1);
			if (v / NSEC != sec) {
				sec = v / NSEC;
				crossed++;
			}
			if (c == CLOCK_REALTIME) {
				struct timeval tv;
				long t = vtime(NULL);

				test_expect_eq(gtod(&tv, NULL), 0,
				    "the vDSO's gettimeofday");
				test_assert_msg((uint64_t)t <=
					    (uint64_t)tv.tv_sec &&
					(uint64_t)tv.tv_sec <=
					    sys_ns(c) / NSEC &&
					tv.tv_usec >= 0 && tv.tv_usec < 1000000,
				    "time %ld, gettimeofday %ld.%06ld", t,
				    (long)tv.tv_sec, (long)tv.tv_usec);
			}
		} while (crossed < 2 && s1 - start < 5 * NSEC / 2);
		test_assert_msg(crossed >= 2,
		    "clock %d: %u seconds began in %lu ns", c, crossed,
		    s1 - start);
	}
}

/* gettimeofday and time through the vDSO and libc agree with REALTIME. */
static void
t_vdso_gettimeofday_time(void)
{
	cgt_fn cgt = vdso_need("__vdso_clock_gettime");
	gtod_fn gtod = vdso_need("__vdso_gettimeofday");
	time_fn vtime = vdso_need("__vdso_time");
	struct timezone tz = { -1, -1 };
	struct timeval tv;
	uint64_t r1, r2, us;
	long t, t2;

	for (int n = 0; n < 100; n++) {
		r1 = vdso_ns(cgt, CLOCK_REALTIME);
		test_expect_eq(gtod(&tv, NULL), 0, "the vDSO's gettimeofday");
		r2 = vdso_ns(cgt, CLOCK_REALTIME);
		test_assert(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
		us = tv.tv_sec * 1000000ULL + tv.tv_usec;
		test_assert_msg(r1 / 1000 <= us && us <= r2 / 1000,
		    "gettimeofday %lu us between %lu and %lu ns", us, r1, r2);

		r1 = vdso_ns(cgt, CLOCK_REALTIME);
		t2 = -1;
		t = vtime(&t2);
		r2 = vdso_ns(cgt, CLOCK_REALTIME);
		test_expect_eq(t2, t, "time's *t");
		/* Linux's time() is the tick's second, up to a tick behind. */
		test_assert_msg((uint64_t)t <= r2 / NSEC &&
			(uint64_t)t + (test_native ? 0 : 1) >= r1 / NSEC,
		    "time %ld between %lu and %lu ns", t, r1, r2);

		r1 = vdso_ns(cgt, CLOCK_REALTIME);
		test_expect_ok(gettimeofday(&tv, NULL), "gettimeofday");
		t = time(NULL);
		r2 = vdso_ns(cgt, CLOCK_REALTIME);
		us = tv.tv_sec * 1000000ULL + tv.tv_usec;
		test_assert(r1 / 1000 <= us && us <= r2 / 1000);
		test_assert((uint64_t)t <= r2 / NSEC &&
		    (uint64_t)t + 1 >= us / 1000000);
	}
	/* A timezone (UTC on both kernels) comes from the kernel. */
	test_expect_eq(gtod(&tv, &tz), 0, "gettimeofday with a timezone");
	test_expect_eq(tz.tz_minuteswest, 0, "tz_minuteswest");
	test_expect_eq(tz.tz_dsttime, 0, "tz_dsttime");
	test_expect_eq(gtod(NULL, NULL), 0, "gettimeofday(NULL, NULL)");
}

/*
 * What the vDSO hands to the kernel: the CPU-time clocks, ids that do
 * not exist (-EINVAL, returned as it is), and a bad pointer there.
 */
static void
t_vdso_fallback(void)
{
	static const clockid_t bad[] = { 12, 15, 16, 100, -1, 0x7fffffff };
	static const clockid_t cpu[] = { CLOCK_PROCESS_CPUTIME_ID,
		CLOCK_THREAD_CPUTIME_ID };
	cgt_fn cgt = vdso_need("__vdso_clock_gettime");
	cgt_fn getres = vdso_need("__vdso_clock_getres");
	struct timespec ts;

	for (unsigned i = 0; i < sizeof(cpu) / sizeof(cpu[0]); i++) {
		volatile uint64_t spin = 0;

		for (int n = 0; n < 20; n++) {
			uint64_t v1 = vdso_ns(cgt, cpu[i]);
			uint64_t s = sys_ns(cpu[i]);
			uint64_t v2 = vdso_ns(cgt, cpu[i]);

			test_assert_msg(v1 <= s && s <= v2,
			    "CPU clock %d: %lu %lu %lu", cpu[i], v1, s, v2);
			while (spin < 10000 * (uint64_t)(n + 1))
				spin++;
		}
		test_expect_eq(cgt(cpu[i], (struct timespec *)8), -EFAULT,
		    "a CPU clock into a bad pointer");
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_expect_eq(cgt(bad[i], &ts), -EINVAL,
		    "a clock id not there");
		test_expect_eq(getres(bad[i], &ts), -EINVAL, "its resolution");
		test_expect_errno(clock_gettime(bad[i], &ts), EINVAL,
		    "libc's clock_gettime");
	}
}

/* clock_getres through the vDSO is the system call's, clock by clock. */
static void
t_vdso_getres(void)
{
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC,
		CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
		CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
		CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI, 100 };
	cgt_fn getres = vdso_need("__vdso_clock_getres");

	for (unsigned i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec v = { -1, -1 }, s = { -2, -2 };
		long vr = getres(clocks[i], &v);
		long sr = test_raw3(SYS_clock_getres, clocks[i], &s, 0);

		test_expect_eq(vr, sr, "clock_getres's result");
		if (sr != 0)
			continue;
		test_assert_msg(v.tv_sec == s.tv_sec && v.tv_nsec == s.tv_nsec,
		    "clock %d: vDSO %ld.%09ld, kernel %ld.%09ld", clocks[i],
		    (long)v.tv_sec, v.tv_nsec, (long)s.tv_sec, s.tv_nsec);
		test_expect_eq(getres(clocks[i], NULL), 0, "a NULL res");
	}
}

/* getcpu through the vDSO, pinned to one CPU: the system call's answer. */
static void
t_vdso_getcpu(void)
{
	getcpu_fn getcpu_v = vdso_need("__vdso_getcpu");
	unsigned vcpu = ~0U, vnode = ~0U, scpu = ~0U, snode = ~0U;
	cpu_set_t set;
	int cpu = -1;

	test_expect_ok(sched_getaffinity(0, sizeof(set), &set),
	    "sched_getaffinity");
	for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
		if (CPU_ISSET(i, &set))
			cpu = i;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	test_expect_ok(sched_setaffinity(0, sizeof(set), &set),
	    "sched_setaffinity to one CPU");
	test_expect_eq(getcpu_v(&vcpu, &vnode, NULL), 0, "the vDSO's getcpu");
	test_expect_eq(test_raw3(SYS_getcpu, &scpu, &snode, 0), 0, "getcpu");
	test_expect_eq(vcpu, cpu, "the vDSO's CPU");
	test_expect_eq(scpu, cpu, "the kernel's CPU");
	test_expect_eq(vnode, snode, "the node");
	test_expect_eq(getcpu_v(NULL, NULL, NULL), 0, "getcpu with no results");
}

/* The vvar page ([vvar]'s first page): readable, never writable. */
static void
t_vdso_vvar_readonly(void)
{
	uintptr_t start, end;
	volatile unsigned char *vvar;

	maps_need("[vvar]", &start, &end);
	vvar = (volatile unsigned char *)start;
	(void)vvar[0]; /* readable */
	test_expect_fault((const void *)vvar, 1, "a write to the vvar page");
	test_expect_errno(
	    mprotect((void *)start, end - start, PROT_READ | PROT_WRITE),
	    EACCES, "mprotect of the vvar page for writing");
	test_expect_fault((const void *)vvar, 1, "a write after that");
}

/* In a child: unmap what arg says, then read a clock as arg says. */
struct unmap_then {
	void *addr;
	size_t len;
	int how; /* 0: the vDSO's clock_gettime; 1: libc's; 2, 3: gtod, time */
};

static void
unmap_then_read(void *arg)
{
	struct unmap_then *u = arg;
	cgt_fn cgt = vdso_need("__vdso_clock_gettime");
	struct timespec ts;
	struct timeval tv;

	/* libc looks the vDSO up at its first call: make that call now. */
	test_expect_ok(clock_gettime(CLOCK_MONOTONIC, &ts), "clock_gettime");
	test_expect_ok(munmap(u->addr, u->len), "munmap");
	switch (u->how) {
	case 0:
		cgt(CLOCK_MONOTONIC, &ts);
		break;
	case 1:
		clock_gettime(CLOCK_MONOTONIC, &ts);
		break;
	case 2:
		gettimeofday(&tv, NULL);
		break;
	default:
		(void)time(NULL);
		break;
	}
}

/*
 * The clocks come from the vvar page and libc's clock calls from the
 * vDSO, with no system call: with the page unmapped the vDSO's
 * clock_gettime faults, and with the vDSO unmapped libc's calls do.
 */
static void
t_vdso_no_syscall(void)
{
	struct unmap_then u = { NULL, 0, 0 };
	uintptr_t start, end;

	maps_need("[vvar]", &start, &end);
	u.addr = (void *)start;
	u.len = end - start;
	test_expect_child_signal(unmap_then_read, &u, SIGSEGV,
	    "the vDSO's clock_gettime without the vvar page");
	maps_need("[vdso]", &start, &end);
	u.addr = (void *)start;
	u.len = end - start;
	for (u.how = 1; u.how <= 3; u.how++)
		test_expect_child_signal(unmap_then_read, &u, SIGSEGV,
		    u.how == 1     ? "libc's clock_gettime without the vDSO" :
			u.how == 2 ? "libc's gettimeofday without the vDSO" :
				     "libc's time without the vDSO");
}

/*
 * Fork: the child has the same vDSO at the same place and it works
 * there; a write the child makes to its copy (after mprotect, as a
 * debugger's breakpoint) stays the child's.
 */
static void
t_vdso_fork(void)
{
	const Elf64_Ehdr *eh = vdso_ehdr();
	cgt_fn cgt = vdso_need("__vdso_clock_gettime");
	unsigned char copy[64];
	uint64_t before = vdso_ns(cgt, CLOCK_MONOTONIC);
	uintptr_t start, end;
	pid_t pid;

	maps_need("[vdso]", &start, &end);
	memcpy(copy, eh, sizeof(copy));
	pid = test_fork();
	if (pid == 0) {
		unsigned char *pad = (unsigned char *)eh + EI_PAD;

		test_expect_hex(getauxval(AT_SYSINFO_EHDR), (uintptr_t)eh,
		    "the child's AT_SYSINFO_EHDR");
		test_assert(memcmp(eh, copy, sizeof(copy)) == 0);
		test_assert(vdso_ns(cgt, CLOCK_MONOTONIC) >= before);
		test_assert(vdso_need("__vdso_clock_gettime") == (void *)cgt);
		/* Whole: Linux does not split its vDSO's mapping. */
		test_expect_ok(mprotect((void *)start, end - start,
				   PROT_READ | PROT_WRITE | PROT_EXEC),
		    "mprotect the vDSO writable");
		*pad = 0x5a;
		test_expect_eq(*pad, 0x5a, "the child's write");
		test_assert(vdso_ns(cgt, CLOCK_MONOTONIC) >= before);
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_assert_msg(memcmp(eh, copy, sizeof(copy)) == 0,
	    "the child's write reached the parent's vDSO");
	test_assert(vdso_ns(cgt, CLOCK_MONOTONIC) >= before);
}

/*
 * Exec: the new image gets a fresh vDSO (not the old image's written
 * copy) that works: the helper sys_vdso_exec_main checks it.
 */
static void
t_vdso_exec(void)
{
	const Elf64_Ehdr *eh = vdso_ehdr();
	uintptr_t start, end;
	pid_t pid;

	maps_need("[vdso]", &start, &end);
	pid = test_fork();
	if (pid == 0) {
		test_expect_ok(mprotect((void *)start, end - start,
				   PROT_READ | PROT_WRITE | PROT_EXEC),
		    "mprotect the vDSO writable");
		((unsigned char *)eh)[EI_PAD] = 0x5a;
		execl(test_self, test_self, SYS_VDSO_EXEC, (char *)NULL);
		_exit(99);
	}
	test_expect_exit(pid, 0, "the exec'd helper");
}

int
sys_vdso_exec_main(void)
{
	const Elf64_Ehdr *eh = (const void *)getauxval(AT_SYSINFO_EHDR);
	struct timespec ts;
	cgt_fn cgt;

	if (eh == NULL || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return 2;
	if (eh->e_ident[EI_PAD] != 0)
		return 3; /* the old image's copy */
	cgt = vdso_sym("__vdso_clock_gettime", VDSO_VERSION);
	if (cgt == NULL || cgt(CLOCK_MONOTONIC, &ts) != 0)
		return 4;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 1577836800)
		return 5;
	return 0;
}

const struct test sys_vdso_tests[] = {
	{ "vdso_elf", t_vdso_elf, NULL },
	{ "vdso_clocks", t_vdso_clocks, NULL },
	{ "vdso_second", t_vdso_second, NULL },
	{ "vdso_gettimeofday_time", t_vdso_gettimeofday_time, NULL },
	{ "vdso_fallback", t_vdso_fallback, NULL },
	{ "vdso_getres", t_vdso_getres, NULL },
	{ "vdso_getcpu", t_vdso_getcpu, NULL },
	{ "vdso_vvar_readonly", t_vdso_vvar_readonly, NULL },
	{ "vdso_no_syscall", t_vdso_no_syscall, NULL },
	{ "vdso_fork", t_vdso_fork, NULL },
	{ "vdso_exec", t_vdso_exec, NULL },
	{ NULL, NULL, NULL },
};
