/*
 * fault.c: every forbidden access ends the process with SIGSEGV (ABI.md
 * section 3): NULL and page 0, the top page below the canonical hole,
 * kernel addresses, non-canonical addresses, PROT_NONE pages, writes to
 * read-only memory, execution from non-executable memory (NX), and
 * pages that were unmapped or write-protected a moment ago while the
 * TLB still held them.  Each access happens in a child of the test.
 */

#include "vt.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define P TEST_PAGE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* mov $42, %eax; ret */
static const unsigned char ret42[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };

static void
do_read(void *addr)
{
	(void)*(volatile unsigned char *)addr;
}

static void
do_write(void *addr)
{
	*(volatile unsigned char *)addr = 1;
}

static void
do_call(void *addr)
{
	((int (*)(void))(uintptr_t)addr)();
}

/* Reading, writing and calling `addr` each end a child with SIGSEGV. */
static void
expect_no_access(unsigned long addr, const char *what)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "read %s (0x%lx)", what, addr);
	test_expect_child_signal(do_read, (void *)addr, SIGSEGV, buf);
	snprintf(buf, sizeof(buf), "write %s (0x%lx)", what, addr);
	test_expect_child_signal(do_write, (void *)addr, SIGSEGV, buf);
	snprintf(buf, sizeof(buf), "call %s (0x%lx)", what, addr);
	test_expect_child_signal(do_call, (void *)addr, SIGSEGV, buf);
}

/*
 * A MAP_FIXED mapping at `addr` must fail with EINVAL (syscalls.master:
 * a MAP_FIXED range outside the user addresses).  Our kernel only.
 */
static void
expect_fixed_fails(unsigned long addr, size_t len, const char *what)
{
	test_expect_errno(test_mmap(addr, len, RW, ANON | MAP_FIXED, -1, 0),
	    EINVAL, what);
}

/* ---------------------------------------------------------------------
 * Places that are never user memory.
 */

static void
t_null(void)
{
	expect_no_access(0, "NULL");
	expect_no_access(8, "NULL + 8");
	expect_no_access(P - 1, "the last byte of page 0");
}

/* ABI.md: page 0 is never mappable (Linux lets root map it). */
static void
t_page0_fixed(void)
{
	expect_fixed_fails(0, P, "MAP_FIXED at page 0");
	expect_fixed_fails(0, 2 * P, "MAP_FIXED over pages 0 and 1");
	test_expect_errno(
	    test_mmap(0, P, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EINVAL,
	    "MAP_FIXED_NOREPLACE at page 0");
	expect_no_access(0, "NULL after the failed mmap");
}

/*
 * The page below the canonical hole, 0x00007ffffffff000.  ABI.md makes
 * it unmappable; Linux agrees only with 4-level paging (with 5-level
 * paging, as under QEMU's -cpu max, MAP_FIXED there succeeds), so the
 * mmap is checked on our kernel only.
 */
static void
t_top_page(void)
{
	expect_no_access(VM_MAX_USER_ADDRESS, "the top page");
	expect_no_access(VM_MAX_USER_ADDRESS + P - 1,
	    "the last canonical user byte");
	if (!test_native)
		return;
	expect_fixed_fails(VM_MAX_USER_ADDRESS, P, "MAP_FIXED at the top page");
	expect_fixed_fails(VM_MAX_USER_ADDRESS - P, 2 * P,
	    "MAP_FIXED reaching into the top page");
	expect_no_access(VM_MAX_USER_ADDRESS,
	    "the top page after the failed mmap");
}

static void
t_kernel(void)
{
	expect_no_access(TEST_KERNEL_TEXT, "kernel text");
	expect_no_access(TEST_KERNEL_TEXT + 0x100000, "kernel text + 1 MiB");
	expect_no_access(TEST_DIRECT_MAP, "the direct map");
	expect_no_access(TEST_DIRECT_MAP + 0x100000, "the direct map + 1 MiB");
	expect_no_access(0xfffffffffffff000UL, "the last page of 2^64");
}

static void
t_noncanonical(void)
{
	expect_no_access(TEST_NONCANON_LO, "the first non-canonical address");
	expect_no_access(TEST_NONCANON_HI, "0x8000000000000000");
	expect_no_access(0x0000fffffffff000UL, "2^48 - 4096");
	expect_no_access(0xffff7ffffffff000UL, "the last non-canonical page");
}

/* ---------------------------------------------------------------------
 * Mapped pages that forbid the access.
 */

static void
t_prot_none(void)
{
	unsigned char *a = test_map(3 * P);

	memset(a, 0x5a, 3 * P);
	memcpy(a + P, ret42, sizeof(ret42));
	test_expect_eq(syscall(SYS_mprotect, a + P, P, PROT_NONE), 0,
	    "mprotect PROT_NONE");
	expect_no_access((unsigned long)a + P, "a PROT_NONE page");
	test_expect_bytes(a, P, 0x5a, "the page below");
	test_expect_bytes(a + 2 * P, P, 0x5a, "the page above");
	munmap(a, 3 * P);

	a = (unsigned char *)test_mmap(0, P, PROT_NONE, ANON, -1, 0);
	test_assert_msg(a != MAP_FAILED, "mmap PROT_NONE: %s",
	    test_errname(errno));
	expect_no_access((unsigned long)a, "a page mapped PROT_NONE");
	munmap(a, P);
}

static const char rodata_string[] = "read-only data";

static void
t_read_only(void)
{
	unsigned char *a = test_map(P);

	a[0] = 1;
	test_expect_eq(syscall(SYS_mprotect, a, P, PROT_READ), 0,
	    "mprotect PROT_READ");
	test_expect_child_signal(do_write, a, SIGSEGV,
	    "write a read-only page");
	test_expect_eq(a[0], 1, "read a read-only page");
	munmap(a, P);

	a = (unsigned char *)test_mmap(0, P, PROT_READ, ANON, -1, 0);
	test_assert_msg(a != MAP_FAILED, "mmap PROT_READ: %s",
	    test_errname(errno));
	test_expect_child_signal(do_write, a, SIGSEGV,
	    "write an untouched read-only page");
	test_expect_eq(a[0], 0, "read an untouched read-only page");
	munmap(a, P);

	test_expect_child_signal(do_write, (void *)(uintptr_t)do_write, SIGSEGV,
	    "write the program's text");
	test_expect_child_signal(do_write, (void *)rodata_string, SIGSEGV,
	    "write the program's read-only data");
}

/* ---------------------------------------------------------------------
 * Execution.
 */

static unsigned char nx_data[2 * P] = { 1 };

/*
 * Code copied into a page runs once the page is PROT_EXEC and faults in
 * a page without it: an anonymous read-write or read-only mapping, the
 * stack, the heap and the program's data.
 */
static void
t_nx(void)
{
	unsigned char *a = test_map(P), *ro;
	unsigned char stack[64];
	unsigned char *heap = malloc(64);
	unsigned char *data =
	    (unsigned char *)(((uintptr_t)nx_data + P - 1) & ~(P - 1));

	memcpy(a, ret42, sizeof(ret42));
	test_expect_eq(syscall(SYS_mprotect, a, P, PROT_READ | PROT_EXEC), 0,
	    "mprotect PROT_READ|PROT_EXEC");
	test_expect_eq(((int (*)(void))(uintptr_t)a)(), 42,
	    "call code in an executable page");
	test_expect_eq(syscall(SYS_mprotect, a, P, PROT_READ | PROT_WRITE), 0,
	    "mprotect read-write again");
	test_expect_child_signal(do_call, a, SIGSEGV,
	    "call code in a read-write page");
	test_expect_eq(syscall(SYS_mprotect, a, P, PROT_READ), 0,
	    "mprotect PROT_READ");
	test_expect_child_signal(do_call, a, SIGSEGV,
	    "call code in a read-only page");

	ro = (unsigned char *)test_mmap(0, P, PROT_READ | PROT_WRITE, ANON, -1,
	    0);
	test_assert(ro != MAP_FAILED);
	memcpy(ro, ret42, sizeof(ret42));
	test_expect_child_signal(do_call, ro, SIGSEGV,
	    "call code in a fresh read-write mapping");

	test_assert(heap != NULL);
	memcpy(stack, ret42, sizeof(ret42));
	memcpy(heap, ret42, sizeof(ret42));
	memcpy(data, ret42, sizeof(ret42));
	test_expect_child_signal(do_call, stack, SIGSEGV,
	    "call code on the stack");
	test_expect_child_signal(do_call, heap, SIGSEGV,
	    "call code in the heap");
	test_expect_child_signal(do_call, data, SIGSEGV,
	    "call code in the program's data");
	free(heap);
	munmap(a, P);
	munmap(ro, P);
}

/* ---------------------------------------------------------------------
 * Stale translations.  Each child touches the memory (so the TLB holds
 * it), takes the access away, and touches it again in the same process:
 * the kernel must have invalidated the translation.
 */

static void
touch_unmap_touch(void *arg)
{
	size_t n = (size_t)arg;
	unsigned char *a = test_map(n * P);

	for (size_t i = 0; i < n; i++)
		a[i * P] = 1;
	test_expect_eq(munmap(a, n * P), 0, "munmap");
	(void)*(volatile unsigned char *)(a + (n - 1) * P);
}

static void
touch_protect_write(void *arg)
{
	size_t n = (size_t)arg;
	unsigned char *a = test_map(n * P);

	for (size_t i = 0; i < n; i++)
		a[i * P] = 1;
	test_expect_eq(syscall(SYS_mprotect, a, n * P, PROT_READ), 0,
	    "mprotect PROT_READ");
	test_expect_eq(a[(n - 1) * P], 1, "read after mprotect");
	*(volatile unsigned char *)(a + (n - 1) * P) = 2;
}

static void
touch_none_read(void *arg)
{
	size_t n = (size_t)arg;
	unsigned char *a = test_map(n * P);

	for (size_t i = 0; i < n; i++)
		a[i * P] = 1;
	test_expect_eq(syscall(SYS_mprotect, a, n * P, PROT_NONE), 0,
	    "mprotect PROT_NONE");
	(void)*(volatile unsigned char *)(a + (n - 1) * P);
}

static void
touch_fixed_replace(void *arg)
{
	size_t n = (size_t)arg;
	unsigned char *a = test_map(n * P);

	for (size_t i = 0; i < n; i++)
		a[i * P] = 1;
	test_expect_eq(test_mmap((unsigned long)a, n * P, PROT_READ,
			   ANON | MAP_FIXED, -1, 0),
	    (long)a, "MAP_FIXED read-only");
	test_expect_eq(a[(n - 1) * P], 0, "read the replacement");
	*(volatile unsigned char *)(a + (n - 1) * P) = 2;
}

/* A few pages (invlpg each) and many (a whole flush, perhaps). */
static void
t_after_munmap(void)
{
	const size_t sizes[] = { 1, 4, 64, 1024 };
	char what[80];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *n = (void *)sizes[i];
		snprintf(what, sizeof(what), "touch %zu pages, munmap, read",
		    sizes[i]);
		test_expect_child_signal(touch_unmap_touch, n, SIGSEGV, what);
		snprintf(what, sizeof(what),
		    "touch %zu pages, make them "
		    "read-only, write",
		    sizes[i]);
		test_expect_child_signal(touch_protect_write, n, SIGSEGV, what);
		snprintf(what, sizeof(what),
		    "touch %zu pages, make them "
		    "PROT_NONE, read",
		    sizes[i]);
		test_expect_child_signal(touch_none_read, n, SIGSEGV, what);
		snprintf(what, sizeof(what),
		    "touch %zu pages, MAP_FIXED "
		    "read-only over them, write",
		    sizes[i]);
		test_expect_child_signal(touch_fixed_replace, n, SIGSEGV, what);
	}
}

const struct test vt_fault_tests[] = {
	{ "fault_null", t_null, NULL },
	{ "fault_page0_fixed", t_page0_fixed,
	    "Linux lets root (CAP_SYS_RAWIO) map page 0" },
	{ "fault_top_page", t_top_page, NULL },
	{ "fault_kernel", t_kernel, NULL },
	{ "fault_noncanonical", t_noncanonical, NULL },
	{ "fault_prot_none", t_prot_none, NULL },
	{ "fault_read_only", t_read_only, NULL },
	{ "fault_nx", t_nx, NULL },
	{ "fault_after_munmap", t_after_munmap, NULL },
	{ NULL, NULL, NULL },
};
