/*
 * mem.c: the address space: brk, mmap (anonymous, private and shared,
 * MAP_FIXED), munmap with holes, mprotect, madvise, copy-on-write after
 * fork, executable and non-executable memory, and the bounds of user
 * memory.
 */

#include "ut.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define P TEST_PAGE
#define ANON_RW PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS

/* mmap through the raw call: the address, or -1 with errno. */
static long
sys_mmap(unsigned long addr, size_t len, int prot, int flags, int fd, long off)
{
	return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

/* mprotect through the raw call: musl's wrapper rounds the range. */
static long
sys_mprotect(void *addr, size_t len, int prot)
{
	return syscall(SYS_mprotect, addr, len, prot);
}

/* A child touching `addr` must be killed by SIGSEGV. */
#define expect_fault(addr, write, what) \
	test_expect_fault((addr), (write), (what))

/* Every byte of [p, p + n) is `v`. */
static void
expect_bytes(const void *p, size_t n, unsigned char v, const char *what)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != v)
			test_fail("%s: byte %zu is 0x%02x, expected 0x%02x",
			    what, i, c[i], v);
}

/* brk grows (zeroed memory), shrinks (unmapped), and ignores bad values. */
static void
t_brk(void)
{
	unsigned long cur = syscall(SYS_brk, 0);
	unsigned long want = cur + 64 * 1024 + 123;
	unsigned long top = (cur + P - 1) & ~(P - 1);

	test_assert_msg(cur >= VM_MIN_USER_ADDRESS && cur < VM_MAX_USER_ADDRESS,
	    "brk(0) = %lx", cur);
	test_expect_eq(syscall(SYS_brk, 0), cur, "brk(0) again");
	test_expect_eq(syscall(SYS_brk, want), want, "grow by 64 KiB + 123");
	expect_bytes((void *)top, want - top, 0, "grown heap");
	memset((void *)cur, 0x77, want - cur);
	test_expect_eq(syscall(SYS_brk, cur), cur, "shrink back");
	expect_fault((void *)(top + 2 * P), 0, "read above a shrunk break");
	test_expect_eq(syscall(SYS_brk, want), want, "grow again");
	expect_bytes((void *)top, want - top, 0, "heap grown a second time");
	test_expect_eq(syscall(SYS_brk, cur), cur, "shrink back again");

	test_expect_eq(syscall(SYS_brk, 0x1000), cur, "brk below the heap");
	test_expect_eq(syscall(SYS_brk, TEST_KERNEL_TEXT), cur,
	    "brk to a kernel address");
	test_expect_eq(syscall(SYS_brk, TEST_NONCANON_LO), cur,
	    "brk to a non-canonical address");
	test_expect_eq(syscall(SYS_brk, 0), cur, "brk unchanged at the end");
}

/* Anonymous private memory is zeroed, page-aligned, readable, writable. */
static void
t_mmap_anon(void)
{
	unsigned char *p = test_map(16 * P), *q;

	test_assert_msg(((unsigned long)p & (P - 1)) == 0, "mmap gave %p", p);
	expect_bytes(p, 16 * P, 0, "new anonymous memory");
	for (size_t i = 0; i < 16 * P; i++)
		p[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < 16 * P; i++)
		test_assert_msg(p[i] == (unsigned char)(i * 7), "byte %zu", i);
	test_expect_eq(munmap(p, 16 * P), 0, "munmap 16 pages");

	q = test_map(1);
	q[P - 1] = 1; /* a 1-byte mapping is a whole page */
	test_expect_eq(munmap(q, 1), 0, "munmap 1 byte");
	expect_fault(q, 0, "read an unmapped page");
}

/* MAP_FIXED replaces exactly the pages asked for, with fresh ones. */
static void
t_mmap_fixed(void)
{
	unsigned char *p = test_map(4 * P);

	memset(p, 0xaa, 4 * P);
	test_expect_eq(
	    sys_mmap((unsigned long)p + P, P, ANON_RW | MAP_FIXED, -1, 0),
	    (long)p + P, "MAP_FIXED over the second page");
	expect_bytes(p, P, 0xaa, "first page");
	expect_bytes(p + P, P, 0, "replaced page");
	expect_bytes(p + 2 * P, 2 * P, 0xaa, "last two pages");
	test_expect_eq(sys_mmap((unsigned long)p + 2 * P, P, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
	    (long)p + 2 * P, "MAP_FIXED read-only over the third page");
	expect_fault(p + 2 * P, 1, "write the read-only fixed page");
	p[3 * P] = 1;
	test_expect_eq(munmap(p, 4 * P), 0, "munmap");
}

/* Without MAP_FIXED an address in use is only a hint: nothing is lost. */
static void
t_mmap_hint(void)
{
	unsigned char *p = test_map(P);
	long q;

	memset(p, 0x33, P);
	q = sys_mmap((unsigned long)p, P, ANON_RW, -1, 0);
	test_expect_ok(q, "mmap with a used address as hint");
	test_assert_msg(q != (long)p, "the hint replaced a mapping");
	expect_bytes(p, P, 0x33, "the mapping at the hint");
	munmap(p, P);
	munmap((void *)q, P);
}

/* munmap punches holes; unmapping across holes and nothing is fine. */
static void
t_munmap_holes(void)
{
	unsigned char *p = test_map(8 * P), *q;

	for (int i = 0; i < 8; i++)
		memset(p + i * P, i + 1, P);
	test_expect_eq(munmap(p + 2 * P, P), 0, "munmap page 2");
	test_expect_eq(munmap(p + 5 * P, P), 0, "munmap page 5");
	for (int i = 0; i < 8; i++)
		if (i != 2 && i != 5)
			expect_bytes(p + i * P, P, i + 1, "page kept");
	expect_fault(p + 2 * P, 0, "read the hole at page 2");
	test_expect_eq(munmap(p, 8 * P), 0, "munmap across two holes");
	expect_fault(p, 0, "read page 0 after munmap");
	expect_fault(p + 7 * P, 0, "read page 7 after munmap");
	test_expect_eq(munmap(p, 8 * P), 0, "munmap of nothing");

	q = test_map(3 * P);
	test_expect_eq(munmap(q, P + 1), 0, "munmap of P+1 bytes");
	expect_fault(q + P, 0, "the length was rounded up to 2 pages");
	q[2 * P] = 1;
	munmap(q, 3 * P);
}

/* munmap: length 0, unaligned, outside user memory or wrapping: EINVAL. */
static void
t_munmap_errors(void)
{
	unsigned char *p = test_map(P);

	test_expect_errno(munmap(p, 0), EINVAL, "munmap length 0");
	test_expect_errno(munmap(p + 1, P), EINVAL, "munmap unaligned");
	test_expect_errno(munmap((void *)TEST_DIRECT_MAP, P), EINVAL,
	    "munmap the kernel's direct map");
	test_expect_errno(munmap((void *)TEST_KERNEL_TEXT, P), EINVAL,
	    "munmap kernel text");
	test_expect_errno(munmap(p, -P), EINVAL, "munmap wrapping");
	test_expect_errno(munmap((void *)0x7fff00000000UL, 0x100000000000UL),
	    EINVAL, "munmap past the end of user memory");
	p[0] = 1; /* still mapped after all that */
	munmap(p, P);
}

/* mprotect read-only, none, and back; the data is kept. */
static void
t_mprotect(void)
{
	unsigned char *p = test_map(2 * P);

	p[0] = 0x42;
	test_expect_eq(sys_mprotect(p, P, PROT_READ), 0, "mprotect PROT_READ");
	test_expect_eq(p[0], 0x42, "read a read-only page");
	expect_fault(p, 1, "write a read-only page");
	p[P] = 1; /* the next page is still writable */
	test_expect_eq(sys_mprotect(p, P, PROT_NONE), 0, "mprotect PROT_NONE");
	expect_fault(p, 0, "read a PROT_NONE page");
	test_expect_eq(sys_mprotect(p, P, PROT_READ | PROT_WRITE), 0,
	    "mprotect back to read-write");
	test_expect_eq(p[0], 0x42, "data kept through mprotect");
	p[0] = 0x43;
	test_expect_eq(sys_mprotect(p, 0, PROT_READ), 0, "mprotect length 0");
	p[0] = 0x44; /* length 0 changed nothing */
	munmap(p, 2 * P);
}

/* mprotect: unaligned or bad prot EINVAL; unmapped range ENOMEM. */
static void
t_mprotect_errors(void)
{
	unsigned char *p = test_map(3 * P);

	test_expect_errno(sys_mprotect(p + 1, P, PROT_READ), EINVAL,
	    "mprotect unaligned");
	test_expect_errno(sys_mprotect(p, P, 0x100), EINVAL,
	    "mprotect prot 0x100");
	munmap(p + 2 * P, P);
	test_expect_errno(sys_mprotect(p + 2 * P, P, PROT_READ), ENOMEM,
	    "mprotect an unmapped page");
	test_expect_errno(sys_mprotect(p, 3 * P, PROT_READ | PROT_WRITE),
	    ENOMEM, "mprotect a range ending in a hole");
	test_expect_errno(sys_mprotect((void *)TEST_DIRECT_MAP, P, PROT_READ),
	    ENOMEM, "mprotect kernel memory");
	munmap(p, 2 * P);
}

/* mmap argument errors that Linux and ABI.md agree on. */
static void
t_mmap_einval(void)
{
	unsigned char *p = test_map(2 * P);

	test_expect_errno(sys_mmap(0, 0, ANON_RW, -1, 0), EINVAL,
	    "mmap length 0");
	test_expect_errno(
	    sys_mmap((unsigned long)p + 1, P, ANON_RW | MAP_FIXED, -1, 0),
	    EINVAL, "MAP_FIXED at an unaligned address");
	test_expect_errno(
	    sys_mmap(0, P, PROT_READ | PROT_WRITE, MAP_ANONYMOUS, -1, 0),
	    EINVAL, "neither MAP_PRIVATE nor MAP_SHARED");
	test_expect_errno(sys_mmap(0, P, ANON_RW, -1, 1), EINVAL,
	    "unaligned offset");
	test_expect_errno(sys_mmap(0, P, PROT_READ, MAP_PRIVATE, -1, 0), EBADF,
	    "fd -1 without MAP_ANONYMOUS");
	test_expect_errno(sys_mmap(0, -P, ANON_RW, -1, 0), ENOMEM,
	    "mmap of almost 2^64 bytes");
	test_expect_errno(sys_mmap(0, 1UL << 47, ANON_RW, -1, 0), ENOMEM,
	    "mmap of 2^47 bytes");
	p[P] = 1; /* the failures left the mapping alone */
	munmap(p, 2 * P);
}

/* syscalls.master: EINVAL for what Linux accepts or ignores. */
static void
t_mmap_native_einval(void)
{
	int fds[2];
	int fd = (int)test_expect_ok(syscall(SYS_open, "/bin/init", 0, 0),
	    "open /bin/init");

	test_pipe(fds);
	test_expect_errno(sys_mmap(0, P, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0),
	    EINVAL, "both MAP_PRIVATE and MAP_SHARED");
	test_expect_errno(sys_mmap(0, P, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | 0x40000000, -1, 0),
	    EINVAL, "an unknown flag bit");
	test_expect_errno(sys_mmap(0, P, PROT_READ | 0x100,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	    EINVAL, "an unknown prot bit");
	/* Files map now (fstests mmap_*); a pipe is Linux's ENODEV. */
	munmap((void *)test_expect_ok(
		   sys_mmap(0, P, PROT_READ, MAP_PRIVATE, fd, 0),
		   "mmap an initrd file"),
	    P);
	test_expect_errno(sys_mmap(0, P, PROT_READ, MAP_SHARED, fds[0], 0),
	    ENODEV, "mmap a pipe");
	close(fd);
}

/* A MAP_FIXED request that leaves user memory must fail (EINVAL here). */
static void
expect_fixed_fails(unsigned long addr, size_t len, const char *what)
{
	long r = sys_mmap(addr, len, ANON_RW | MAP_FIXED, -1, 0);

	if (test_native) {
		test_expect_errno(r, EINVAL, what);
	} else {
		/* Linux says ENOMEM or EPERM. */
		test_assert_msg(r == -1, "%s: expected failure, got %lx", what,
		    (unsigned long)r);
	}
}

/* The top page, and anything above it, is never mappable. */
static void
t_mmap_bounds(void)
{
	long r;

	expect_fixed_fails(VM_MAX_USER_ADDRESS, P, "MAP_FIXED at the top page");
	expect_fixed_fails(VM_MAX_USER_ADDRESS - P, 2 * P,
	    "MAP_FIXED reaching into the top page");
	expect_fixed_fails(TEST_NONCANON_LO, P, "MAP_FIXED non-canonical");
	expect_fixed_fails(TEST_DIRECT_MAP, P, "MAP_FIXED in the kernel");
	expect_fixed_fails(-P, P, "MAP_FIXED at the last page of 2^64");

	r = sys_mmap(VM_MAX_USER_ADDRESS, P, ANON_RW, -1, 0);
	test_expect_ok(r, "the top page as a hint");
	test_assert_msg((unsigned long)r + P <= VM_MAX_USER_ADDRESS,
	    "hint at the top page gave %lx", (unsigned long)r);
	munmap((void *)r, P);
}

/* ABI.md: page 0 is never mappable; 0x1000 is the lowest user page. */
static void
t_mmap_page0(void)
{
	expect_fixed_fails(0, P, "MAP_FIXED at page 0");
	expect_fixed_fails(0, 2 * P, "MAP_FIXED over pages 0 and 1");
	test_expect_eq(
	    sys_mmap(VM_MIN_USER_ADDRESS, P, ANON_RW | MAP_FIXED, -1, 0),
	    VM_MIN_USER_ADDRESS, "MAP_FIXED at 0x1000");
	*(volatile char *)VM_MIN_USER_ADDRESS = 1;
	test_expect_eq(munmap((void *)VM_MIN_USER_ADDRESS, P), 0,
	    "munmap 0x1000");
	expect_fault((void *)0, 0, "read page 0");
}

/* madvise: DONTNEED reads back zeros; the rest keep data or are EINVAL. */
static void
t_madvise(void)
{
	const int keep[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL,
		MADV_WILLNEED };
	unsigned char *p = test_map(4 * P);
	char what[48];

	memset(p, 0x5a, 4 * P);
	test_expect_eq(madvise(p, 4 * P, MADV_DONTNEED), 0, "MADV_DONTNEED");
	expect_bytes(p, 4 * P, 0, "after MADV_DONTNEED");
	memset(p, 0x5a, 4 * P);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		snprintf(what, sizeof(what), "madvise %d", keep[i]);
		test_expect_eq(madvise(p, 4 * P, keep[i]), 0, what);
		expect_bytes(p, 4 * P, 0x5a, what);
	}
	test_expect_eq(madvise(p, 4 * P, MADV_FREE), 0, "MADV_FREE");
	for (int i = 0; i < 4; i++)
		test_assert_msg(p[i * P] == 0x5a || p[i * P] == 0,
		    "page %d after MADV_FREE holds 0x%02x", i, p[i * P]);
	test_expect_eq(madvise(p, 0, MADV_DONTNEED), 0, "madvise length 0");
	test_expect_errno(madvise(p, P, 7), EINVAL, "advice 7");
	test_expect_errno(madvise(p, P, 1000), EINVAL, "advice 1000");
	test_expect_errno(madvise(p, P, -1), EINVAL, "advice -1");
	test_expect_errno(madvise(p + 1, P, MADV_NORMAL), EINVAL,
	    "madvise unaligned");
	munmap(p + 3 * P, P);
	test_expect_errno(madvise(p + 3 * P, P, MADV_NORMAL), ENOMEM,
	    "madvise an unmapped page");
	munmap(p, 3 * P);
}

/* MAP_SHARED anonymous memory is shared with a child, both ways. */
static void
t_mmap_shared_fork(void)
{
	volatile unsigned char *p = (void *)sys_mmap(0, P,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int go[2];
	pid_t pid;
	char c;

	test_assert_msg(p != MAP_FAILED, "mmap MAP_SHARED: %s",
	    test_errname(errno));
	test_pipe(go);
	p[0] = 1;
	pid = test_fork();
	if (pid == 0) {
		p[0] = 2;
		p[100] = 7;
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(p[1] == 9 ? 0 : 2);
	}
	p[1] = 9;
	test_expect_eq(write(go[1], "g", 1), 1, "write go");
	test_expect_exit(pid, 0, "child seeing the parent's write");
	test_expect_eq(p[0], 2, "parent sees the child's write");
	test_expect_eq(p[100], 7, "parent sees the child's second write");
	munmap((void *)p, P);
}

static int cow_global = 1;

/* Child and parent each write memory after fork; neither sees the other. */
static void
t_cow(void)
{
	int stack = 1, go[2];
	int *heap = malloc(sizeof(int));
	unsigned char *m = test_map(64 * P);
	pid_t pid;

	test_assert(heap != NULL);
	*heap = 1;
	memset(m, 1, 64 * P);
	test_pipe(go);

	pid = test_fork();
	if (pid == 0) {
		cow_global = stack = *heap = 2;
		memset(m, 2, 64 * P);
		_exit(cow_global == 2 && stack == 2 && *heap == 2 &&
			    m[64 * P - 1] == 2 ?
			0 :
			1);
	}
	test_expect_exit(pid, 0, "child writing its copy");
	test_expect_eq(cow_global, 1, "global after the child wrote");
	test_expect_eq(stack, 1, "stack variable after the child wrote");
	test_expect_eq(*heap, 1, "heap after the child wrote");
	expect_bytes(m, 64 * P, 1, "mapping after the child wrote");

	pid = test_fork();
	if (pid == 0) {
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (size_t i = 0; i < 64 * P; i += P)
			if (m[i] != 1)
				_exit(2);
		_exit(cow_global == 1 && *heap == 1 ? 0 : 3);
	}
	cow_global = *heap = 3;
	memset(m, 3, 64 * P);
	test_expect_eq(write(go[1], "g", 1), 1, "write go");
	test_expect_exit(pid, 0, "child reading after the parent wrote");
	munmap(m, 64 * P);
	free(heap);
}

/* Code runs from a PROT_EXEC page and faults in a non-executable one. */
static const unsigned char ret42[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };
static int (*nx_code)(void);

static void
call_nx_code(void *arg)
{
	(void)arg;
	nx_code();
}

static void
t_exec_memory(void)
{
	unsigned char *p = test_map(P), *q = test_map(P);
	int (*fn)(void);

	memcpy(p, ret42, sizeof(ret42));
	test_expect_eq(sys_mprotect(p, P, PROT_READ | PROT_EXEC), 0,
	    "mprotect PROT_READ|PROT_EXEC");
	fn = (int (*)(void))(uintptr_t)p;
	test_expect_eq(fn(), 42, "code in an executable page");

	memcpy(q, ret42, sizeof(ret42));
	nx_code = (int (*)(void))(uintptr_t)q;
	test_expect_child_signal(call_nx_code, NULL, SIGSEGV,
	    "jump into a read-write page");
	munmap(p, P);
	munmap(q, P);
}

/* Touch 8 MiB page by page and give it back; on our kernel watch kstat. */
static void
t_touch_many(void)
{
	enum {
		SIZE = 8 * 1024 * 1024
	};
	struct kstat before, during, after;
	unsigned char *p;

	if (test_native)
		test_expect_eq(test_kstat(&before), 0, "kstat");
	p = test_map(SIZE);
	for (size_t i = 0; i < SIZE; i += P)
		p[i] = (unsigned char)(i >> 12);
	for (size_t i = 0; i < SIZE; i += P)
		test_assert(p[i] == (unsigned char)(i >> 12));
	if (test_native) {
		test_kstat(&during);
		test_assert_msg(before.ks_pages_free - during.ks_pages_free >=
			SIZE / P,
		    "touching %d pages took only %lld free pages",
		    (int)(SIZE / P),
		    (long long)(before.ks_pages_free - during.ks_pages_free));
	}
	test_expect_eq(munmap(p, SIZE), 0, "munmap 8 MiB");
	if (test_native) {
		test_kstat(&after);
		/* A few page-table pages may stay with the process. */
		test_assert_msg(after.ks_pages_free + 8 >= before.ks_pages_free,
		    "free pages %llu before, %llu after munmap",
		    (unsigned long long)before.ks_pages_free,
		    (unsigned long long)after.ks_pages_free);
	}
}

/* One write at one rip, so that every fault it takes looks the same. */
static __attribute__((noinline)) void
touch_once(volatile unsigned char *p, unsigned char v)
{
	*p = v;
}

/*
 * The same fault (rip and address) again and again is not a loop when
 * system calls come between: a page given back with MADV_DONTNEED and
 * written again, 1500 times (more than the kernel's fault-loop limit of
 * 1000 resolved faults in a row), and a pipe write from such a page, 20
 * times (more than the limit of 8 retries of one user copy).
 */
static void
t_fault_again(void)
{
	unsigned char *p = test_map(P), c;
	int fds[2];

	for (int i = 0; i < 1500; i++) {
		touch_once(p, (unsigned char)i);
		test_assert(p[0] == (unsigned char)i);
		test_expect_eq(madvise(p, P, MADV_DONTNEED), 0,
		    "MADV_DONTNEED");
	}
	test_expect_ok(pipe(fds), "pipe");
	for (int i = 0; i < 20; i++) {
		test_expect_eq(madvise(p, P, MADV_DONTNEED), 0,
		    "MADV_DONTNEED");
		test_expect_eq(write(fds[1], p, 1), 1, "write from the page");
		test_expect_eq(read(fds[0], &c, 1), 1, "read");
		test_assert(c == 0);
	}
	close(fds[0]);
	close(fds[1]);
	test_expect_eq(munmap(p, P), 0, "munmap");
}

const struct test ut_mem_tests[] = {
	{ "mem_brk", t_brk, NULL },
	{ "mem_mmap_anon", t_mmap_anon, NULL },
	{ "mem_mmap_fixed", t_mmap_fixed, NULL },
	{ "mem_mmap_hint", t_mmap_hint, NULL },
	{ "mem_munmap_holes", t_munmap_holes, NULL },
	{ "mem_munmap_errors", t_munmap_errors, NULL },
	{ "mem_mprotect", t_mprotect, NULL },
	{ "mem_mprotect_errors", t_mprotect_errors, NULL },
	{ "mem_mmap_einval", t_mmap_einval, NULL },
	{ "mem_mmap_native_einval", t_mmap_native_einval,
	    "Linux maps files and ignores unknown bits" },
	{ "mem_mmap_bounds", t_mmap_bounds, NULL },
	{ "mem_mmap_page0", t_mmap_page0, "the host lets root map page 0" },
	{ "mem_madvise", t_madvise, NULL },
	{ "mem_mmap_shared_fork", t_mmap_shared_fork, NULL },
	{ "mem_cow", t_cow, NULL },
	{ "mem_exec_memory", t_exec_memory, NULL },
	{ "mem_touch_many", t_touch_many, NULL },
	{ "mem_fault_again", t_fault_again, NULL },
	{ NULL, NULL, NULL },
};
