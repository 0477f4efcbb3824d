/*
 * cow.c: copy-on-write after fork.  A write by either side after fork
 * is invisible to the other, in every kind of private memory (data, bss,
 * stack, heap, brk, anonymous mappings, touched or not), across three
 * generations and between siblings, after parts of the space were
 * unmapped or protected, when the kernel itself writes (read() into a
 * shared page), and when one side discards pages with MADV_DONTNEED.
 */

#include "vt.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define P TEST_PAGE

/* Pattern tags: the original contents and each process's own. */
#define TAG_ORIG 0xa0a0
#define TAG_PARENT 0xb0b0
#define TAG_CHILD 0xc0c0

/* ---------------------------------------------------------------------
 * Both directions, in every kind of private memory.
 */

/* Memory in the program image (data and bss): two pages and a bit each. */
static uint64_t cow_data[3 * P / 8] = { 1 };
static uint64_t cow_bss[3 * P / 8];

/*
 * The private regions of one process: filled with one tag, or zero if
 * the process never touched them.
 */
struct regions {
	void *data, *bss, *stack, *heap, *anon, *brk;
	unsigned char *untouched; /* never touched before fork */
	unsigned char *read_only; /* only read before fork */
	unsigned long brk_start;  /* the break before the test */
};

#define STACK_PAGES 4
#define HEAP_PAGES 8
#define ANON_PAGES 64
#define BRK_PAGES 16
#define ZERO_PAGES 16

/* Fill every region that is meant to be written with `tag`. */
static void
fill_regions(struct regions *r, uint32_t tag)
{
	vt_fill(r->data, 2, tag);
	vt_fill(r->bss, 2, tag);
	vt_fill(r->stack, STACK_PAGES, tag);
	vt_fill(r->heap, HEAP_PAGES, tag);
	vt_fill(r->anon, ANON_PAGES, tag);
	vt_fill(r->brk, BRK_PAGES, tag);
}

/*
 * Check every region: the written ones hold `tag`; the untouched and
 * read-only ones hold `zero_tag`, or zeros if it is 0.
 */
static void
check_regions(const struct regions *r, uint32_t tag, uint32_t zero_tag,
    const char *who)
{
	const struct {
		const char *name;
		const void *p;
		size_t n;
	} written[] = {
		{ "data", r->data, 2 },
		{ "bss", r->bss, 2 },
		{ "stack", r->stack, STACK_PAGES },
		{ "heap", r->heap, HEAP_PAGES },
		{ "anonymous mapping", r->anon, ANON_PAGES },
		{ "brk", r->brk, BRK_PAGES },
	};
	char what[96];

	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++) {
		snprintf(what, sizeof(what), "%s: %s", who, written[i].name);
		vt_expect_pages(written[i].p, written[i].n, tag, what);
	}
	snprintf(what, sizeof(what), "%s: pages untouched before fork", who);
	if (zero_tag == 0)
		test_expect_bytes(r->untouched, ZERO_PAGES * P, 0, what);
	else
		vt_expect_pages(r->untouched, ZERO_PAGES, zero_tag, what);
	snprintf(what, sizeof(what), "%s: pages only read before fork", who);
	if (zero_tag == 0)
		test_expect_bytes(r->read_only, ZERO_PAGES * P, 0, what);
	else
		vt_expect_pages(r->read_only, ZERO_PAGES, zero_tag, what);
}

/* Write `tag` into everything, the untouched pages included. */
static void
write_all(struct regions *r, uint32_t tag)
{
	fill_regions(r, tag);
	vt_fill(r->untouched, ZERO_PAGES, tag);
	vt_fill(r->read_only, ZERO_PAGES, tag);
}

/* Set up the regions (the stack one is the caller's) filled with `tag`. */
static void
make_regions(struct regions *r, void *stack, uint32_t tag)
{
	volatile unsigned char sum = 0;

	r->data = (void *)(((uintptr_t)cow_data + P - 1) & ~(P - 1));
	r->bss = (void *)(((uintptr_t)cow_bss + P - 1) & ~(P - 1));
	r->stack = stack;
	r->heap = malloc(HEAP_PAGES * P + P);
	test_assert(r->heap != NULL);
	r->heap = (void *)(((uintptr_t)r->heap + P - 1) & ~(P - 1));
	r->anon = test_map(ANON_PAGES * P);
	r->untouched = test_map(ZERO_PAGES * P);
	r->read_only = test_map(ZERO_PAGES * P);
	for (size_t i = 0; i < ZERO_PAGES * P; i += P)
		sum += r->read_only[i];
	(void)sum;
	/* The break last: nothing may call malloc after it moves. */
	r->brk_start = syscall(SYS_brk, 0);
	r->brk = (void *)((r->brk_start + P - 1) & ~(P - 1));
	test_expect_eq(syscall(SYS_brk, (unsigned long)r->brk + BRK_PAGES * P),
	    (unsigned long)r->brk + BRK_PAGES * P, "grow the break");
	fill_regions(r, tag);
}

/* The parent writes after fork: the child still sees the old contents. */
static void
t_parent_writes(void)
{
	uint64_t stack[STACK_PAGES * P / 8 + P / 8];
	struct regions r;
	int go[2];
	pid_t pid;

	make_regions(&r, (void *)(((uintptr_t)stack + P - 1) & ~(P - 1)),
	    TAG_ORIG);
	test_pipe(go);
	pid = test_fork();
	if (pid == 0) {
		close(go[1]);
		test_recv(go[0]);
		check_regions(&r, TAG_ORIG, 0, "child after the parent wrote");
		_exit(0);
	}
	close(go[0]);
	write_all(&r, TAG_PARENT);
	test_send(go[1]);
	test_expect_exit(pid, 0, "child checking its old contents");
	check_regions(&r, TAG_PARENT, TAG_PARENT, "parent");
	syscall(SYS_brk, r.brk_start);
}

/* The child writes: the parent still sees the old contents. */
static void
t_child_writes(void)
{
	uint64_t stack[STACK_PAGES * P / 8 + P / 8];
	struct regions r;
	pid_t pid;

	make_regions(&r, (void *)(((uintptr_t)stack + P - 1) & ~(P - 1)),
	    TAG_ORIG);
	pid = test_fork();
	if (pid == 0) {
		write_all(&r, TAG_CHILD);
		check_regions(&r, TAG_CHILD, TAG_CHILD, "child");
		_exit(0);
	}
	test_expect_exit(pid, 0, "child writing its copy");
	check_regions(&r, TAG_ORIG, 0, "parent after the child wrote");
	/* Now the only user of its pages, the parent writes them again. */
	write_all(&r, TAG_PARENT);
	check_regions(&r, TAG_PARENT, TAG_PARENT, "parent after its own write");
	syscall(SYS_brk, r.brk_start);
}

/* ---------------------------------------------------------------------
 * Three generations.
 */

#define GEN_PAGES 256 /* 1 MiB */

enum {
	GRANDPARENT,
	PARENT,
	CHILD,
	NGEN
};

static const char *const gen_names[] = { "grandparent", "parent", "child" };

/*
 * What each generation sees: `own` written by this process in the first
 * round on its third of the pages (page i belongs to generation i % 3),
 * the original contents elsewhere; or, after the second round, `all`
 * everywhere.
 */
struct gen {
	int self;
	unsigned char *r; /* the 1 MiB region every generation writes */
	unsigned char *u; /* 1 MiB nobody writes after fork */
	int in, out;      /* token pipes: from the previous, to the next */
};

static uint32_t
gen_tag(int gen, int round)
{
	return 0x1000 * (round + 1) + gen;
}

/*
 * Check the regions as generation g->self should see them after it has
 * done `rounds` (0, 1 or 2) rounds of writing.
 */
static void
gen_check(const struct gen *g, int rounds, const char *when)
{
	char what[128];

	for (size_t i = 0; i < GEN_PAGES; i++) {
		uint32_t tag = TAG_ORIG;
		if (rounds == 2)
			tag = gen_tag(g->self, 1);
		else if (rounds == 1 && (int)(i % NGEN) == g->self)
			tag = gen_tag(g->self, 0);
		snprintf(what, sizeof(what), "%s %s: the shared region",
		    gen_names[g->self], when);
		vt_expect_page(g->r, i, tag, what);
	}
	/* The first half was written before the forks, the rest never. */
	snprintf(what, sizeof(what), "%s %s: written before fork",
	    gen_names[g->self], when);
	vt_expect_pages(g->u, GEN_PAGES / 2, TAG_ORIG, what);
	snprintf(what, sizeof(what), "%s %s: never touched", gen_names[g->self],
	    when);
	test_expect_bytes(g->u + GEN_PAGES / 2 * P, GEN_PAGES / 2 * P, 0, what);
}

/*
 * One generation's part.  The token goes child -> parent -> grandparent
 * -> child -> parent -> grandparent; with it, each checks that the
 * others' writes left its view alone, writes, and checks again.  Round 1
 * writes the generation's third of the pages, round 2 all of them.
 */
static void
gen_run(struct gen *g)
{
	for (int round = 0; round < 2; round++) {
		if (!(g->self == CHILD && round == 0))
			test_recv(g->in);
		gen_check(g, round,
		    round ? "before round 2" : "before round 1");
		for (size_t i = 0; i < GEN_PAGES; i++)
			if (round == 1 || (int)(i % NGEN) == g->self)
				vt_fill_page(g->r, i, gen_tag(g->self, round));
		gen_check(g, round + 1,
		    round ? "after round 2" : "after round 1");
		if (!(g->self == GRANDPARENT && round == 1))
			test_send(g->out);
	}
}

static void
t_three_generations(void)
{
	/* to[g]: the pipe that generation g reads its token from. */
	int to[NGEN][2];
	struct gen g = { .self = GRANDPARENT };
	pid_t parent, child;

	g.r = test_map(GEN_PAGES * P);
	g.u = test_map(GEN_PAGES * P);
	vt_fill(g.r, GEN_PAGES, TAG_ORIG);
	vt_fill(g.u, GEN_PAGES / 2, TAG_ORIG);
	for (int i = 0; i < NGEN; i++)
		test_pipe(to[i]);

	parent = test_fork();
	if (parent == 0) {
		child = test_fork();
		if (child == 0) {
			g.self = CHILD;
			g.in = to[CHILD][0];
			g.out = to[PARENT][1];
			close(to[CHILD][1]);
			close(to[PARENT][0]);
			close(to[GRANDPARENT][0]);
			close(to[GRANDPARENT][1]);
			gen_run(&g);
			gen_check(&g, 2, "at exit");
			_exit(0);
		}
		g.self = PARENT;
		g.in = to[PARENT][0];
		g.out = to[GRANDPARENT][1];
		close(to[PARENT][1]);
		close(to[GRANDPARENT][0]);
		close(to[CHILD][0]);
		close(to[CHILD][1]);
		gen_run(&g);
		test_expect_exit(child, 0, "the child");
		gen_check(&g, 2, "after the child exited");
		_exit(0);
	}
	g.in = to[GRANDPARENT][0];
	g.out = to[CHILD][1];
	close(to[GRANDPARENT][1]);
	close(to[CHILD][0]);
	close(to[PARENT][0]);
	close(to[PARENT][1]);
	gen_run(&g);
	test_expect_exit(parent, 0, "the parent (and through it the child)");
	gen_check(&g, 2, "after the parent exited");
	munmap(g.r, GEN_PAGES * P);
	munmap(g.u, GEN_PAGES * P);
}

/* ---------------------------------------------------------------------
 * Siblings.
 */

#define SIBLINGS 4

/*
 * Four children at once, each writing its quarter of a region the
 * parent keeps overwriting; everyone sees only its own writes.
 */
static void
t_siblings(void)
{
	unsigned char *r = test_map(GEN_PAGES * P);
	pid_t pids[SIBLINGS];

	vt_fill(r, GEN_PAGES, TAG_ORIG);
	for (int s = 0; s < SIBLINGS; s++) {
		pids[s] = test_fork();
		if (pids[s] != 0)
			continue;
		for (int pass = 0; pass < 3; pass++) {
			for (size_t i = s; i < GEN_PAGES; i += SIBLINGS)
				vt_fill_page(r, i, TAG_CHILD + s + pass);
			sched_yield();
			for (size_t i = 0; i < GEN_PAGES; i++)
				vt_expect_page(r, i,
				    (int)(i % SIBLINGS) == s ?
					TAG_CHILD + s + pass :
					TAG_ORIG,
				    "a sibling's view");
		}
		_exit(0);
	}
	for (int pass = 0; pass < 3; pass++) {
		vt_fill(r, GEN_PAGES, TAG_PARENT + pass);
		sched_yield();
	}
	for (int s = 0; s < SIBLINGS; s++)
		test_expect_exit(pids[s], 0, "a sibling");
	vt_expect_pages(r, GEN_PAGES, TAG_PARENT + 2, "the parent's view");
	munmap(r, GEN_PAGES * P);
}

/* ---------------------------------------------------------------------
 * Fork after munmap and mprotect of parts.
 */

static void
t_after_munmap_mprotect(void)
{
	enum {
		N = 16
	};
	unsigned char *r = test_map(N * P);
	pid_t pid;

	vt_fill(r, N, TAG_ORIG);
	test_expect_eq(munmap(r + 3 * P, 2 * P), 0, "munmap pages 3-4");
	test_expect_eq(syscall(SYS_mprotect, r + 8 * P, 2 * P, PROT_READ), 0,
	    "mprotect pages 8-9 read-only");
	test_expect_eq(syscall(SYS_mprotect, r + 12 * P, P, PROT_NONE), 0,
	    "mprotect page 12 PROT_NONE");

	pid = test_fork();
	if (pid == 0) {
		test_expect_fault(r + 3 * P, 0,
		    "child: read the unmapped page 3");
		test_expect_fault(r + 4 * P + 8, 1,
		    "child: write the unmapped page 4");
		vt_expect_page(r, 8, TAG_ORIG, "child: read-only page 8");
		vt_expect_page(r, 9, TAG_ORIG, "child: read-only page 9");
		test_expect_fault(r + 9 * P, 1,
		    "child: write read-only page 9");
		test_expect_fault(r + 12 * P, 0,
		    "child: read PROT_NONE page 12");
		for (size_t i = 0; i < N; i++)
			if (i < 3 || (i > 4 && i < 8) || i == 10 || i == 11 ||
			    i > 12)
				vt_fill_page(r, i, TAG_CHILD);
		/* The child maps its own page into the hole. */
		test_expect_eq(test_mmap((unsigned long)r + 3 * P, P,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				   0),
		    (long)r + 3 * P, "child: MAP_FIXED into the hole");
		vt_fill_page(r, 3, TAG_CHILD);
		test_expect_eq(syscall(SYS_mprotect, r + 12 * P, P,
				   PROT_READ | PROT_WRITE),
		    0, "child: make page 12 writable");
		vt_expect_page(r, 12, TAG_ORIG, "child: page 12 kept");
		vt_fill_page(r, 12, TAG_CHILD);
		_exit(0);
	}
	test_expect_exit(pid, 0, "child");
	for (size_t i = 0; i < N; i++)
		if (i != 3 && i != 4 && i != 12)
			vt_expect_page(r, i, TAG_ORIG,
			    "parent after the child");
	test_expect_fault(r + 3 * P, 0, "parent: page 3 is still a hole");
	test_expect_fault(r + 12 * P, 0, "parent: page 12 is still PROT_NONE");
	test_expect_fault(r + 8 * P, 1, "parent: page 8 is still read-only");
	test_expect_eq(
	    syscall(SYS_mprotect, r + 8 * P, 5 * P, PROT_READ | PROT_WRITE), 0,
	    "parent: pages 8-12 writable");
	vt_expect_page(r, 12, TAG_ORIG, "parent: page 12");
	vt_fill(r + 8 * P, 5, TAG_PARENT);
	test_expect_eq(munmap(r, N * P), 0, "munmap with a hole");
}

/* ---------------------------------------------------------------------
 * The kernel writes into shared pages.
 */

#define KW_LEN 512 /* bytes read() into the buffer, across a page edge */

/* read() exactly KW_LEN bytes from `fd` into `buf`, or fail. */
static void
read_into(int fd, unsigned char *buf, const char *what)
{
	size_t done = 0;

	while (done < KW_LEN) {
		long r = read(fd, buf + done, KW_LEN - done);
		if (r <= 0)
			test_fail("%s: read gave %ld (%s)", what, r,
			    r < 0 ? test_errname(errno) : "end of file");
		done += r;
	}
}

/*
 * read() into a buffer that fork left shared: the kernel's write must
 * copy the page as a user write would, and never reach the other
 * process's copy.  Also into pages nobody touched yet, and errors for
 * pages the protection forbids.
 */
static void
t_kernel_writes(void)
{
	unsigned char *b = test_map(4 * P);
	unsigned char *fresh = test_map(2 * P);
	unsigned char data[KW_LEN];
	int p[2], go[2];
	pid_t pid;

	memset(data, 0x5c, sizeof(data));
	vt_fill(b, 4, TAG_ORIG);
	test_pipe(p);
	test_pipe(go);

	/* The child's read() writes its copy. */
	test_expect_eq(write(p[1], data, KW_LEN), KW_LEN, "fill the pipe");
	pid = test_fork();
	if (pid == 0) {
		read_into(p[0], b + P - KW_LEN / 2, "child");
		test_expect_bytes(b + P - KW_LEN / 2, KW_LEN, 0x5c,
		    "child: what read() wrote");
		read_into(p[0], fresh + P - KW_LEN / 2, "child, fresh pages");
		test_expect_bytes(fresh + P - KW_LEN / 2, KW_LEN, 0x5c,
		    "child: read() into untouched pages");
		_exit(0);
	}
	test_expect_eq(write(p[1], data, KW_LEN), KW_LEN, "fill the pipe");
	test_expect_exit(pid, 0, "child reading into shared pages");
	vt_expect_pages(b, 4, TAG_ORIG, "parent after the child's read()");
	test_expect_bytes(fresh, 2 * P, 0, "parent's untouched pages");

	/* The parent's read() writes its copy; the child checks its own. */
	pid = test_fork();
	if (pid == 0) {
		test_recv(go[0]);
		vt_expect_pages(b, 4, TAG_ORIG,
		    "child after the parent's read()");
		test_expect_bytes(fresh, 2 * P, 0, "child's untouched pages");
		_exit(0);
	}
	test_expect_eq(write(p[1], data, KW_LEN), KW_LEN, "fill the pipe");
	read_into(p[0], b + 2 * P - KW_LEN / 2, "parent");
	test_expect_eq(write(p[1], data, KW_LEN), KW_LEN, "fill the pipe");
	read_into(p[0], fresh + P - KW_LEN / 2, "parent, fresh pages");
	test_send(go[1]);
	test_expect_exit(pid, 0, "child");
	test_expect_bytes(b + 2 * P - KW_LEN / 2, KW_LEN, 0x5c,
	    "parent: what read() wrote");

	/* Copies into and out of forbidden pages fail with EFAULT. */
	test_expect_eq(syscall(SYS_mprotect, b, P, PROT_READ), 0,
	    "mprotect page 0 read-only");
	test_expect_eq(write(p[1], data, KW_LEN), KW_LEN, "fill the pipe");
	test_expect_errno(read(p[0], b, KW_LEN), EFAULT,
	    "read() into a read-only page");
	test_expect_eq(syscall(SYS_mprotect, b, P, PROT_NONE), 0,
	    "mprotect page 0 PROT_NONE");
	test_expect_errno(write(p[1], b, KW_LEN), EFAULT,
	    "write() from a PROT_NONE page");
	munmap(b, 4 * P);
	munmap(fresh, 2 * P);
}

/* ---------------------------------------------------------------------
 * MADV_DONTNEED on pages fork left shared.
 */

static void
t_dontneed(void)
{
	unsigned char *r = test_map(8 * P);
	pid_t pid;

	vt_fill(r, 8, TAG_ORIG);
	pid = test_fork();
	if (pid == 0) {
		test_expect_eq(madvise(r, 4 * P, MADV_DONTNEED), 0,
		    "child: MADV_DONTNEED pages 0-3");
		test_expect_bytes(r, 4 * P, 0, "child: discarded pages");
		vt_expect_page_range(r, 4, 4, TAG_ORIG, "child: pages 4-7");
		vt_fill(r, 2, TAG_CHILD);
		vt_expect_pages(r, 2, TAG_CHILD, "child: rewritten pages");
		_exit(0);
	}
	test_expect_exit(pid, 0, "child discarding its pages");
	vt_expect_pages(r, 8, TAG_ORIG, "parent after the child's DONTNEED");

	pid = test_fork();
	if (pid == 0) {
		vt_expect_pages(r, 8, TAG_ORIG, "child before the parent's");
		_exit(0);
	}
	test_expect_eq(madvise(r + 4 * P, 4 * P, MADV_DONTNEED), 0,
	    "parent: MADV_DONTNEED pages 4-7");
	test_expect_bytes(r + 4 * P, 4 * P, 0, "parent: discarded pages");
	test_expect_exit(pid, 0, "child reading its copy");
	munmap(r, 8 * P);
}

/* ---------------------------------------------------------------------
 * Sharing, counted (our kernel only).
 */

#define SHARE_PAGES 1024 /* 4 MiB */

/*
 * fork shares the parent's pages instead of copying them: it costs far
 * fewer free pages than the parent has touched; the child's writes then
 * take one page each.
 */
static void
t_shares_pages(void)
{
	unsigned char *r = test_map(SHARE_PAGES * P);
	struct kstat before;
	pid_t pid;

	vt_fill_edges(r, SHARE_PAGES, TAG_ORIG);
	test_expect_eq(test_kstat(&before), 0, "kstat");
	pid = test_fork();
	if (pid == 0) {
		struct kstat mid, after;
		long forked, written;

		test_expect_eq(test_kstat(&mid), 0, "kstat");
		for (size_t i = 0; i < SHARE_PAGES; i++)
			r[i * P] = 1;
		test_expect_eq(test_kstat(&after), 0, "kstat");
		forked = (long)(before.ks_pages_free - mid.ks_pages_free);
		written = (long)(mid.ks_pages_free - after.ks_pages_free);
		test_note(
		    "fork took %ld pages; writing %d shared pages took %ld",
		    forked, SHARE_PAGES, written);
		test_assert_msg(forked < SHARE_PAGES / 4,
		    "fork of a process "
		    "with %d touched pages took %ld free pages: they were "
		    "copied, not shared",
		    SHARE_PAGES, forked);
		test_assert_msg(written >= SHARE_PAGES,
		    "writing %d shared "
		    "pages took only %ld free pages",
		    SHARE_PAGES, written);
		_exit(0);
	}
	test_expect_exit(pid, 0, "child counting pages");
	for (size_t i = 0; i < SHARE_PAGES; i++)
		test_assert_msg(vt_edges_ok(r, i, TAG_ORIG),
		    "parent: page %zu "
		    "changed",
		    i);
	munmap(r, SHARE_PAGES * P);
}

const struct test vt_cow_tests[] = {
	{ "cow_parent_writes", t_parent_writes, NULL },
	{ "cow_child_writes", t_child_writes, NULL },
	{ "cow_three_generations", t_three_generations, NULL },
	{ "cow_siblings", t_siblings, NULL },
	{ "cow_after_munmap_mprotect", t_after_munmap_mprotect, NULL },
	{ "cow_kernel_writes", t_kernel_writes, NULL },
	{ "cow_dontneed", t_dontneed, NULL },
	{ "cow_shares_pages", t_shares_pages, "counts free pages with kstat" },
	{ NULL, NULL, NULL },
};
