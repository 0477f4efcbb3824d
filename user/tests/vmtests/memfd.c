/*
 * memfd.c: shareable memory objects.  memfd_create (319) and ftruncate
 * make one; MAP_SHARED mappings of it, in one process or in a parent and
 * child after fork, see each other's writes both ways; a MAP_PRIVATE
 * mapping is a copy-on-write view whose writes stay private; ftruncate
 * shrinks and grows it; MADV_DONTNEED keeps its contents.
 *
 * Where ABI.md does not fix the answer, Linux's is expected on Linux and
 * the test says what our kernel may do instead: an access past the end
 * of the object (SIGBUS on Linux; ABI.md names only SIGSEGV for page
 * faults, so either is accepted here) and read()/write() of a memfd
 * (syscalls.master: EINVAL).
 */

#include "vt.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define P TEST_PAGE
#define RW (PROT_READ | PROT_WRITE)

#define TAG_A 0xa1a1
#define TAG_B 0xb2b2
#define TAG_C 0xc3c3
#define TAG_CHILD 0xcccc
#define TAG_PARENT 0xdddd

/* A MAP_SHARED read-write mapping of `len` bytes of memfd `fd`, or fail. */
static unsigned char *
map_shared(int fd, size_t len, long off)
{
	long p = test_mmap(0, len, RW, MAP_SHARED, fd, off);

	if (p == -1)
		test_fail(
		    "mmap(MAP_SHARED memfd, %zu bytes at %ld): got -1 (%s)",
		    len, off, test_errname(errno));
	return (unsigned char *)p;
}

/* The size fstat reports for `fd`; fails unless it is a regular file. */
static long
memfd_size(int fd)
{
	struct stat st;

	test_expect_eq(syscall(SYS_fstat, fd, &st), 0, "fstat memfd");
	test_assert_msg(S_ISREG(st.st_mode),
	    "fstat memfd: st_mode 0%o is not "
	    "S_IFREG",
	    (unsigned)st.st_mode);
	return (long)st.st_size;
}

static void
read_byte(void *addr)
{
	(void)*(volatile unsigned char *)addr;
}

/*
 * A child reading `addr`, past the end of the memfd it maps, must die:
 * by SIGBUS, as on Linux, or on our kernel by SIGBUS or SIGSEGV.  It must
 * never read data.
 */
static void
expect_beyond_end(void *addr, const char *what)
{
	int status = test_child_status(read_byte, addr);
	char how[80];

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		return;
	if (test_native && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) {
		test_note("%s: SIGSEGV (Linux sends SIGBUS)", what);
		return;
	}
	test_status_str(status, how, sizeof(how));
	test_fail("%s: expected the child to be killed by SIGBUS%s; it %s",
	    what, test_native ? " or SIGSEGV" : "", how);
}

/* ---------------------------------------------------------------------
 * One process.
 */

/*
 * Create, size, map twice: both mappings are the same memory.  The
 * object lives on through its mappings after the descriptor is closed.
 */
static void
t_basic(void)
{
	long fd = test_memfd_create("x", 0), fd2;
	unsigned char *a, *b, *c;

	test_expect_ok(fd, "memfd_create(\"x\", 0)");
	test_expect_eq(memfd_size(fd), 0, "size of a new memfd");
	test_expect_eq(syscall(SYS_ftruncate, fd, 4 * P), 0,
	    "ftruncate 4 pages");
	test_expect_eq(memfd_size(fd), 4 * P, "size after ftruncate");

	a = map_shared(fd, 4 * P, 0);
	test_expect_bytes(a, 4 * P, 0, "a new memfd");
	vt_fill(a, 4, TAG_A);
	b = map_shared(fd, 4 * P, 0);
	test_assert_msg(a != b, "two mappings at the same address %p", a);
	vt_expect_pages(b, 4, TAG_A, "second mapping");
	vt_fill_page(b, 2, TAG_B);
	vt_expect_page(a, 2, TAG_B,
	    "first mapping after a write to the second");

	/* An offset maps the pages from there on. */
	c = (unsigned char *)test_mmap(0, 2 * P, PROT_READ, MAP_SHARED, fd,
	    2 * P);
	test_assert_msg(c != MAP_FAILED, "mmap at offset 2 pages: %s",
	    test_errname(errno));
	test_assert(vt_edges_ok(c - 2 * P, 2, TAG_B));
	test_assert(vt_edges_ok(c - 2 * P, 3, TAG_A));
	test_expect_fault(c, 1, "write a read-only shared mapping");
	test_expect_eq(munmap(c, 2 * P), 0, "munmap the offset mapping");

	/* Closing the descriptor or one mapping leaves the other working. */
	test_expect_eq(munmap(a, 4 * P), 0, "munmap the first mapping");
	test_expect_eq(close(fd), 0, "close the memfd");
	vt_expect_page(b, 2, TAG_B, "second mapping after close");
	vt_fill(b, 4, TAG_C);
	vt_expect_pages(b, 4, TAG_C, "second mapping written after close");
	test_expect_eq(munmap(b, 4 * P), 0, "munmap the second mapping");

	fd2 = test_memfd_create("with-cloexec", MFD_CLOEXEC);
	test_expect_ok(fd2, "memfd_create with MFD_CLOEXEC");
	close(fd2);
}

/*
 * A MAP_PRIVATE mapping starts as the object's contents; its writes are
 * copies nobody else sees, and later writes to the object do not reach
 * a page it has copied.
 */
static void
t_private(void)
{
	int fd = test_memfd(4 * P);
	unsigned char *s = map_shared(fd, 4 * P, 0), *v, *n;
	pid_t pid;

	vt_fill(s, 4, TAG_A);
	v = (unsigned char *)test_mmap(0, 4 * P, RW, MAP_PRIVATE, fd, 0);
	test_assert_msg(v != MAP_FAILED, "mmap MAP_PRIVATE memfd: %s",
	    test_errname(errno));
	vt_expect_pages(v, 4, TAG_A, "private view of the memfd");

	vt_fill_page(v, 1, TAG_B);
	vt_expect_page(v, 1, TAG_B, "private page after its write");
	vt_expect_page(s, 1, TAG_A, "shared mapping after a private write");
	n = map_shared(fd, 4 * P, 0);
	vt_expect_pages(n, 4, TAG_A, "new mapping after a private write");
	vt_fill_page(s, 1, TAG_C);
	vt_expect_page(v, 1, TAG_B, "private copy after a shared write");

	/* A child's private writes reach neither the object nor the parent. */
	pid = test_fork();
	if (pid == 0) {
		vt_fill_page(v, 2, TAG_CHILD);
		vt_fill_page(v, 1, TAG_CHILD);
		vt_expect_page(v, 2, TAG_CHILD, "child's private write");
		_exit(0);
	}
	test_expect_exit(pid, 0, "child writing its private view");
	vt_expect_page(s, 2, TAG_A, "the object after the child's write");
	vt_expect_page(v, 2, TAG_A, "parent's private view of page 2");
	vt_expect_page(v, 1, TAG_B, "parent's private copy of page 1");
	munmap(v, 4 * P);
	munmap(n, 4 * P);
	munmap(s, 4 * P);
	close(fd);
}

/* ---------------------------------------------------------------------
 * Parent and child.
 */

/*
 * A mapping inherited through fork and mappings made after it, from the
 * inherited descriptor, all share the object: writes are seen both ways.
 */
static void
t_fork_shared(void)
{
	int fd = test_memfd(8 * P), to_child[2], to_parent[2];
	unsigned char *a = map_shared(fd, 8 * P, 0), *later;
	pid_t pid;

	vt_fill(a, 8, TAG_A);
	test_pipe(to_child);
	test_pipe(to_parent);
	pid = test_fork();
	if (pid == 0) {
		unsigned char *mine = map_shared(fd, 8 * P, 0);

		close(to_child[1]);
		close(to_parent[0]);
		vt_expect_pages(a, 8, TAG_A, "child: inherited mapping");
		vt_expect_pages(mine, 8, TAG_A, "child: its own mapping");
		vt_fill(a, 2, TAG_CHILD);
		vt_fill_page(mine, 2, TAG_CHILD);
		vt_fill_page(mine, 3, TAG_CHILD);
		test_send(to_parent[1]);
		test_recv(to_child[0]);
		vt_expect_page_range(a, 4, 4, TAG_PARENT,
		    "child: the parent's writes, inherited mapping");
		vt_expect_page_range(mine, 4, 4, TAG_PARENT,
		    "child: the parent's writes, its own mapping");
		munmap(mine, 8 * P);
		/* A last write after the parent stopped looking. */
		vt_fill_page(a, 7, TAG_CHILD);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	test_recv(to_parent[0]);
	vt_expect_page_range(a, 0, 4, TAG_CHILD, "parent: the child's writes");
	later = map_shared(fd, 8 * P, 0);
	vt_expect_page_range(later, 0, 4, TAG_CHILD,
	    "parent: the child's writes in a new mapping");
	for (size_t i = 4; i < 8; i++)
		vt_fill_page(a, i, TAG_PARENT);
	test_send(to_child[1]);
	test_expect_exit(pid, 0, "child sharing the memfd");
	vt_expect_page(later, 7, TAG_CHILD, "parent: the child's last write");
	vt_expect_page(a, 7, TAG_CHILD, "parent: the child's last write");
	munmap(a, 8 * P);
	munmap(later, 8 * P);
	close(fd);
}

/*
 * The object outlives the process that wrote it: the child maps and
 * fills it and exits; the parent, which never mapped it, maps it then.
 */
static void
t_outlives_writer(void)
{
	int fd = test_memfd(16 * P);
	unsigned char *a;
	pid_t pid;

	pid = test_fork();
	if (pid == 0) {
		a = map_shared(fd, 16 * P, 0);
		vt_fill(a, 16, TAG_CHILD);
		_exit(0);
	}
	test_expect_exit(pid, 0, "child filling the memfd");
	a = map_shared(fd, 16 * P, 0);
	vt_expect_pages(a, 16, TAG_CHILD, "parent maps what the child wrote");
	munmap(a, 16 * P);
	close(fd);
}

/* ---------------------------------------------------------------------
 * Size changes.
 */

/*
 * Shrinking discards the pages past the new end in every mapping (an
 * access there is a fault); growing again brings zeros, never the old
 * contents, down to the byte where the object had ended.
 */
static void
t_truncate(void)
{
	int fd = test_memfd(4 * P);
	unsigned char *a = map_shared(fd, 4 * P, 0), *b;

	vt_fill(a, 4, TAG_A);
	test_expect_eq(syscall(SYS_ftruncate, fd, 2 * P), 0,
	    "shrink to 2 pages");
	test_expect_eq(memfd_size(fd), 2 * P, "size after shrinking");
	vt_expect_pages(a, 2, TAG_A, "pages below the new end");
	expect_beyond_end(a + 2 * P, "read page 2 after shrinking");
	expect_beyond_end(a + 4 * P - 1, "read page 3 after shrinking");

	test_expect_eq(syscall(SYS_ftruncate, fd, 4 * P), 0, "grow to 4 pages");
	vt_expect_pages(a, 2, TAG_A, "pages kept through shrink and grow");
	test_expect_bytes(a + 2 * P, 2 * P, 0, "pages regrown");

	/* A size inside a page: the tail of that page is zero when regrown. */
	vt_fill(a, 4, TAG_B);
	test_expect_eq(syscall(SYS_ftruncate, fd, P + 100), 0,
	    "shrink to a page and 100 bytes");
	test_expect_eq(memfd_size(fd), P + 100, "size inside a page");
	test_expect_eq(syscall(SYS_ftruncate, fd, 3 * P), 0, "grow to 3 pages");
	vt_expect_pages(a, 1, TAG_B, "page 0");
	test_expect_bytes(a + P + 100, 2 * P - 100, 0,
	    "bytes past the old end, regrown");
	expect_beyond_end(a + 3 * P, "read page 3, past the end");

	/* A mapping longer than the object: the pages past the end fault. */
	test_expect_eq(syscall(SYS_ftruncate, fd, P), 0, "shrink to 1 page");
	b = map_shared(fd, 4 * P, 0);
	vt_expect_pages(b, 1, TAG_B, "page 0 of a mapping past the end");
	expect_beyond_end(b + P, "read page 1 of a mapping past the end");
	test_expect_eq(syscall(SYS_ftruncate, fd, 0), 0, "shrink to 0");
	expect_beyond_end(b, "read page 0 of an empty memfd");
	munmap(a, 4 * P);
	munmap(b, 4 * P);
	close(fd);
}

/* ---------------------------------------------------------------------
 * Other calls on memfd mappings.
 */

/* MADV_DONTNEED on a shared mapping drops nothing from the object. */
static void
t_dontneed(void)
{
	int fd = test_memfd(4 * P);
	unsigned char *a = map_shared(fd, 4 * P, 0);
	unsigned char *b = map_shared(fd, 4 * P, 0);

	vt_fill(a, 4, TAG_A);
	test_expect_eq(madvise(a, 4 * P, MADV_DONTNEED), 0, "MADV_DONTNEED");
	vt_expect_pages(a, 4, TAG_A, "shared mapping after MADV_DONTNEED");
	vt_expect_pages(b, 4, TAG_A, "other mapping after MADV_DONTNEED");
	vt_fill_page(a, 1, TAG_B);
	vt_expect_page(b, 1, TAG_B, "still shared after MADV_DONTNEED");
	munmap(a, 4 * P);
	munmap(b, 4 * P);
	close(fd);
}

/*
 * MAP_FIXED over part of a shared mapping and munmap in its middle
 * change that mapping only: the object keeps its pages and the rest
 * stays shared.
 */
static void
t_fixed_and_munmap(void)
{
	int fd = test_memfd(4 * P);
	unsigned char *a = map_shared(fd, 4 * P, 0);
	unsigned char *b = map_shared(fd, 4 * P, 0);

	vt_fill(a, 4, TAG_A);
	test_expect_eq(test_mmap((unsigned long)a + P, P, RW,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
	    (long)a + P, "MAP_FIXED anonymous over page 1");
	test_expect_bytes(a + P, P, 0, "the anonymous page");
	vt_fill_page(a, 1, TAG_B);
	vt_expect_page(b, 1, TAG_A, "the object's page 1");
	test_expect_eq(munmap(a + 2 * P, P), 0, "munmap page 2");
	test_expect_fault(a + 2 * P, 0, "read the unmapped page 2");
	vt_expect_page(b, 2, TAG_A, "the object's page 2");
	vt_fill_page(a, 3, TAG_C);
	vt_expect_page(b, 3, TAG_C, "page 3 still shared");
	munmap(a, 4 * P);
	munmap(b, 4 * P);
	close(fd);
}

/*
 * read() and write() on a memfd: Linux reads and writes the object at
 * the file offset.  syscalls.master makes them EINVAL on our kernel;
 * either is accepted there, nothing else.
 */
static void
t_read_write(void)
{
	int fd = test_memfd(P);
	unsigned char *a = map_shared(fd, P, 0);
	unsigned char buf[100];
	long r;

	memset(a, 0x22, P);
	memset(buf, 0x11, sizeof(buf));
	r = write(fd, buf, sizeof(buf));
	if (test_native && r == -1 && errno == EINVAL) {
		test_expect_errno(read(fd, buf, 50), EINVAL, "read a memfd");
		test_expect_bytes(a, P, 0x22,
		    "the memfd after a refused write");
		test_note("read()/write() of a memfd: EINVAL (Linux supports "
			  "them)");
	} else {
		test_expect_eq(r, sizeof(buf), "write 100 bytes to a memfd");
		test_expect_bytes(a, 100, 0x11,
		    "what write() put in the memfd");
		test_expect_bytes(a + 100, P - 100, 0x22,
		    "the rest of the page");
		test_expect_eq(read(fd, buf, 50), 50, "read 50 bytes at 100");
		test_expect_bytes(buf, 50, 0x22, "what read() got");
	}
	munmap(a, P);
	close(fd);
}

/* The errors Linux and syscalls.master agree on. */
static void
t_errors(void)
{
	char name[256];
	int fd = test_memfd(P), p[2];
	long named;

	test_pipe(p);
	test_expect_errno(test_memfd_create("x", 0x100), EINVAL,
	    "memfd_create with an unknown flag");
	test_expect_errno(test_memfd_create(NULL, 0), EFAULT,
	    "memfd_create with a NULL name");
	test_expect_errno(test_memfd_create((const char *)TEST_KERNEL_TEXT, 0),
	    EFAULT, "memfd_create with a kernel name");
	memset(name, 'n', sizeof(name));
	name[250] = '\0';
	test_expect_errno(test_memfd_create(name, 0), EINVAL,
	    "memfd_create with a 250-byte name");
	name[249] = '\0';
	named = test_memfd_create(name, 0);
	test_expect_ok(named, "memfd_create with a 249-byte name");
	close(named);

	test_expect_errno(syscall(SYS_ftruncate, fd, -1L), EINVAL,
	    "ftruncate to a negative size");
	test_expect_errno(syscall(SYS_ftruncate, p[1], P), EINVAL,
	    "ftruncate a pipe");
	test_expect_errno(syscall(SYS_ftruncate, -1, P), EBADF,
	    "ftruncate fd -1");
	test_expect_errno(test_mmap(0, P, RW, MAP_SHARED, fd, 1), EINVAL,
	    "mmap a memfd at an unaligned offset");
	test_expect_eq(close(fd), 0, "close the memfd");
	test_expect_errno(test_mmap(0, P, RW, MAP_SHARED, fd, 0), EBADF,
	    "mmap a closed memfd");
	test_expect_errno(syscall(SYS_ftruncate, fd, P), EBADF,
	    "ftruncate a closed memfd");
	close(p[0]);
	close(p[1]);
}

const struct test vt_memfd_tests[] = {
	{ "memfd_basic", t_basic, NULL },
	{ "memfd_private", t_private, NULL },
	{ "memfd_fork_shared", t_fork_shared, NULL },
	{ "memfd_outlives_writer", t_outlives_writer, NULL },
	{ "memfd_truncate", t_truncate, NULL },
	{ "memfd_dontneed", t_dontneed, NULL },
	{ "memfd_fixed_and_munmap", t_fixed_and_munmap, NULL },
	{ "memfd_read_write", t_read_write, NULL },
	{ "memfd_errors", t_errors, NULL },
	{ NULL, NULL, NULL },
};
