/*
 * memory.c: what the memory calls do (ABI.md 4.1): vmspace_munmap,
 * vmspace_mcontrol's behaviours, vmspace_pread and vmspace_pwrite (short
 * counts, zeros without allocation, any protection), memfd memory shared
 * between the controller and a guest, and demand-zero and copy-on-write
 * faults inside a guest, which the controller never sees.
 */

#include "vs.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The pattern word for guest address addr: tag, then the word's index. */
static uint64_t
pattern_word(uint32_t tag, uint64_t addr)
{
	return (uint64_t)tag << 32 | (uint32_t)(addr / 8);
}

/* Fill [addr, addr + len) of the vmspace with pattern words, by pwrite. */
static void
fill_guest(void *id, uint64_t addr, size_t len, uint32_t tag)
{
	uint64_t *buf = malloc(len);

	test_assert(buf != NULL);
	for (size_t i = 0; i < len / 8; i++)
		buf[i] = pattern_word(tag, addr + i * 8);
	test_expect_eq(vmspace_pwrite(id, buf, len, 0, addr), (long)len,
	    "pwrite a pattern");
	free(buf);
}

/*
 * [addr, addr + len) of the vmspace holds fill_guest's pattern (tag) or,
 * with tag 0, zeros; otherwise fail naming the first wrong word.
 */
static void
expect_guest(void *id, uint64_t addr, size_t len, uint32_t tag,
    const char *what)
{
	uint64_t *buf = malloc(len);

	test_assert(buf != NULL);
	memset(buf, 0xee, len);
	test_expect_eq(vmspace_pread(id, buf, len, 0, addr), (long)len, what);
	for (size_t i = 0; i < len / 8; i++) {
		uint64_t want = tag ? pattern_word(tag, addr + i * 8) : 0;
		if (buf[i] != want)
			test_fail("%s: the word at 0x%llx is 0x%llx, expected "
				  "0x%llx",
			    what, (unsigned long long)(addr + i * 8),
			    (unsigned long long)buf[i],
			    (unsigned long long)want);
	}
	free(buf);
}

static uint64_t
free_pages(void)
{
	struct kstat ks;

	vs_kstat(&ks);
	return ks.ks_pages_free;
}

/*
 * munmap rounds the address down and the length up to pages and removes
 * exactly those pages; a range over two mappings with no hole is fine.
 */
static void
munmap_removes_pages(void)
{
	void *id = VS_ID(1);
	char buf[8];

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, G_EXTRA, 4 * TEST_PAGE, PROT_READ | PROT_WRITE);
	fill_guest(id, G_EXTRA, 4 * TEST_PAGE, 0xa1);
	/* [G_EXTRA + page 1 + 100, + 1 page) covers pages 1 and 2. */
	test_expect_eq(
	    vmspace_munmap(id, (void *)(G_EXTRA + TEST_PAGE + 100), TEST_PAGE),
	    0, "munmap from the middle of page 1, one page long");
	test_expect_eq(vmspace_pread(id, buf, 8, 0, G_EXTRA + TEST_PAGE), 0,
	    "pread page 1");
	test_expect_eq(vmspace_pread(id, buf, 8, 0, G_EXTRA + 2 * TEST_PAGE), 0,
	    "pread page 2");
	expect_guest(id, G_EXTRA, 8, 0xa1, "page 0 is kept");
	test_expect_eq(vmspace_pread(id, buf, 8, 0, G_EXTRA + 3 * TEST_PAGE), 8,
	    "page 3 is kept");

	/* Two adjacent mappings, unmapped by one call. */
	guest_map(id, G_EXTRA + 16 * TEST_PAGE, TEST_PAGE, PROT_READ);
	guest_map(id, G_EXTRA + 17 * TEST_PAGE, TEST_PAGE,
	    PROT_READ | PROT_WRITE);
	test_expect_eq(vmspace_munmap(id, (void *)(G_EXTRA + 16 * TEST_PAGE),
			   2 * TEST_PAGE),
	    0, "munmap two adjacent mappings");
	test_expect_eq(vmspace_pread(id, buf, 8, 0, G_EXTRA + 16 * TEST_PAGE),
	    0, "the first is gone");
	test_expect_eq(vmspace_pread(id, buf, 8, 0, G_EXTRA + 17 * TEST_PAGE),
	    0, "the second is gone");
	/* Unmapping gives the pages back. */
	{
		uint64_t before = free_pages();

		test_expect_eq(vmspace_munmap(id, (void *)G_EXTRA, TEST_PAGE),
		    0, "munmap page 0");
		test_assert_msg(free_pages() >= before + 1,
		    "free pages %llu -> "
		    "%llu after unmapping a resident page",
		    (unsigned long long)before,
		    (unsigned long long)free_pages());
	}
}

/*
 * MADV_DONTNEED (4) and MADV_FREE (5): anonymous pages read back as
 * zeros, their memory is freed, the pages around are untouched; the
 * mapping stays.
 */
static void
mcontrol_discards(int behav)
{
	void *id = VS_ID(1);
	uint64_t before;

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, G_EXTRA, 8 * TEST_PAGE, PROT_READ | PROT_WRITE);
	fill_guest(id, G_EXTRA, 8 * TEST_PAGE, 0xb2);
	before = free_pages();
	test_expect_eq(vmspace_mcontrol(id, (void *)(G_EXTRA + 2 * TEST_PAGE),
			   4 * TEST_PAGE, behav, 0),
	    0, "mcontrol pages 2-5");
	test_assert_msg(free_pages() >= before + 4,
	    "free pages %llu -> %llu: "
	    "expected at least 4 back",
	    (unsigned long long)before, (unsigned long long)free_pages());
	expect_guest(id, G_EXTRA, 2 * TEST_PAGE, 0xb2, "pages 0-1 are kept");
	expect_guest(id, G_EXTRA + 2 * TEST_PAGE, 4 * TEST_PAGE, 0,
	    "pages 2-5 read as zeros");
	expect_guest(id, G_EXTRA + 6 * TEST_PAGE, 2 * TEST_PAGE, 0xb2,
	    "pages 6-7 are kept");
	/* Still mapped: writable again. */
	fill_guest(id, G_EXTRA + 2 * TEST_PAGE, TEST_PAGE, 0xb3);
	expect_guest(id, G_EXTRA + 2 * TEST_PAGE, TEST_PAGE, 0xb3,
	    "page 2 written again");
}

static void
mcontrol_dontneed_zeros(void)
{
	mcontrol_discards(VMSPACE_MADV_DONTNEED);
}

static void
mcontrol_free_zeros(void)
{
	mcontrol_discards(VMSPACE_MADV_FREE);
}

/* MADV_WILLNEED (3) populates the pages now: free pages drop. */
static void
mcontrol_willneed_populates(void)
{
	void *id = VS_ID(1);
	uint64_t before, after;

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, G_EXTRA, 16 * TEST_PAGE, PROT_READ | PROT_WRITE);
	before = free_pages();
	test_expect_eq(vmspace_mcontrol(id, (void *)G_EXTRA, 16 * TEST_PAGE,
			   VMSPACE_MADV_WILLNEED, 0),
	    0, "MADV_WILLNEED on 16 pages");
	after = free_pages();
	test_assert_msg(after + 16 <= before,
	    "free pages %llu -> %llu: "
	    "expected 16 or more to be used",
	    (unsigned long long)before, (unsigned long long)after);
	expect_guest(id, G_EXTRA, 16 * TEST_PAGE, 0,
	    "populated pages are zero");
	/* Writing them now allocates nothing more. */
	before = free_pages();
	fill_guest(id, G_EXTRA, 16 * TEST_PAGE, 0xc3);
	test_expect_eq(free_pages(), before,
	    "free pages after writing the "
	    "populated pages");
}

/*
 * MADV_NORMAL, RANDOM, SEQUENTIAL and INVAL keep the contents; a guest
 * reads them after MADV_INVAL.
 */
GUEST(g_load_data, "movabs " VS_STR(G_DATA) ", %rax\n syscall\n");

static void
mcontrol_keeps_contents(void)
{
	void *id = VS_ID(1);
	const int behav[] = { VMSPACE_MADV_NORMAL, VMSPACE_MADV_RANDOM,
		VMSPACE_MADV_SEQUENTIAL, MADV_INVAL };
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_load_data);
	fill_guest(id, G_DATA, G_DATA_PAGES * TEST_PAGE, 0xd4);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_load_data),
	    "the guest's syscall");
	for (size_t i = 0; i < sizeof(behav) / sizeof(behav[0]); i++) {
		test_expect_eq(vmspace_mcontrol(id, (void *)G_DATA,
				   G_DATA_PAGES * TEST_PAGE, behav[i], 0),
		    0, "mcontrol");
		expect_guest(id, G_DATA, G_DATA_PAGES * TEST_PAGE, 0xd4,
		    "contents after mcontrol");
	}
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_load_data),
	    "the guest's syscall");
	test_expect_hex(tf.tf_rax, pattern_word(0xd4, G_DATA),
	    "what the guest reads after MADV_INVAL");
}

/*
 * pread and pwrite stop at the first unmapped byte and return the count
 * so far: 0 if the first byte is unmapped.
 */
static void
pread_pwrite_short_counts(void)
{
	void *id = VS_ID(1);
	char *buf = test_map(4 * TEST_PAGE);
	const uint64_t a = G_EXTRA;

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	/* Pages a and a + 1 mapped, a + 2 not, a + 3 mapped. */
	guest_map(id, a, 2 * TEST_PAGE, PROT_READ | PROT_WRITE);
	guest_map(id, a + 3 * TEST_PAGE, TEST_PAGE, PROT_READ | PROT_WRITE);
	memset(buf, 0x77, 4 * TEST_PAGE);

	test_expect_eq(vmspace_pwrite(id, buf, 300, 0, a + 2 * TEST_PAGE - 100),
	    100, "pwrite of 300 bytes, 100 before the hole");
	test_expect_eq(vmspace_pread(id, buf, 300, 0, a + 2 * TEST_PAGE - 100),
	    100, "pread of 300 bytes, 100 before the hole");
	test_expect_eq(vmspace_pwrite(id, buf, 4 * TEST_PAGE, 0, a),
	    2 * TEST_PAGE, "pwrite of 4 pages over the hole");
	test_expect_eq(vmspace_pread(id, buf, 4 * TEST_PAGE, 0, a),
	    2 * TEST_PAGE, "pread of 4 pages over the hole");
	test_expect_eq(vmspace_pwrite(id, buf, 10, 0, a + 2 * TEST_PAGE), 0,
	    "pwrite starting in the hole");
	test_expect_eq(vmspace_pread(id, buf, 10, 0, a + 2 * TEST_PAGE + 5), 0,
	    "pread starting in the hole");
	test_expect_eq(vmspace_pread(id, buf, 10, 0, G_UNMAPPED), 0,
	    "pread where nothing is mapped");
	test_expect_eq(
	    vmspace_pread(id, buf, TEST_PAGE, 0, a + 4 * TEST_PAGE - 1), 1,
	    "pread of the last byte of page a + 3");
	/* The bytes that were copied are the ones before the hole. */
	memset(buf, 0, 4 * TEST_PAGE);
	test_expect_eq(vmspace_pread(id, buf, 300, 0, a + 2 * TEST_PAGE - 100),
	    100, "pread again");
	test_assert(buf[0] == 0x77 && buf[99] == 0x77 && buf[100] == 0);
}

/*
 * Addresses that no vmspace maps, the kernel's included, read and write
 * nothing: 0 bytes.
 */
static void
pread_pwrite_kernel_addresses(void)
{
	void *id = VS_ID(1);
	const uint64_t where[] = { VM_MAX_USER_ADDRESS, TEST_NONCANON_LO,
		TEST_DIRECT_MAP, TEST_KERNEL_TEXT, 0 };
	char buf[64];

	guest_new(id);
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		memset(buf, 0x3c, sizeof(buf));
		test_expect_eq(
		    vmspace_pread(id, buf, sizeof(buf), 0, (off_t)where[i]), 0,
		    "pread at an address never mapped");
		test_assert_msg(buf[0] == 0x3c && buf[63] == 0x3c,
		    "pread at 0x%llx changed the buffer",
		    (unsigned long long)where[i]);
		test_expect_eq(
		    vmspace_pwrite(id, buf, sizeof(buf), 0, (off_t)where[i]), 0,
		    "pwrite at an address never mapped");
	}
	/* Up to the last mapped byte below VM_MAX_USER_ADDRESS. */
	guest_map(id, VM_MAX_USER_ADDRESS - TEST_PAGE, TEST_PAGE,
	    PROT_READ | PROT_WRITE);
	test_expect_eq(
	    vmspace_pwrite(id, buf, sizeof(buf), 0, VM_MAX_USER_ADDRESS - 8), 8,
	    "pwrite across VM_MAX_USER_ADDRESS");
	test_expect_eq(
	    vmspace_pread(id, buf, sizeof(buf), 0, VM_MAX_USER_ADDRESS - 8), 8,
	    "pread across VM_MAX_USER_ADDRESS");
}

/*
 * Untouched anonymous pages read as zeros and are not allocated by the
 * read: free pages do not move.
 */
static void
pread_untouched_zero_unallocated(void)
{
	void *id = VS_ID(1);
	const size_t len = 64 * TEST_PAGE;
	char *buf = test_map(len);
	uint64_t before, after;

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, G_EXTRA, len, PROT_READ | PROT_WRITE);
	memset(buf, 0xff, len); /* our buffer is resident first */
	before = free_pages();
	test_expect_eq(vmspace_pread(id, buf, len, 0, G_EXTRA), (long)len,
	    "pread 64 untouched pages");
	after = free_pages();
	for (size_t i = 0; i < len; i++)
		if (buf[i] != 0)
			test_fail("byte %zu of untouched memory is 0x%02x", i,
			    (unsigned char)buf[i]);
	test_expect_eq(after, before,
	    "free pages after reading 64 untouched "
	    "pages (nothing allocated)");
}

/* pwrite allocates pages on demand; pread reads back exactly. */
static void
pwrite_allocates_on_demand(void)
{
	void *id = VS_ID(1);
	uint64_t before, after;

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, G_EXTRA, 32 * TEST_PAGE, PROT_READ | PROT_WRITE);
	before = free_pages();
	fill_guest(id, G_EXTRA + 8 * TEST_PAGE, 16 * TEST_PAGE, 0xe5);
	after = free_pages();
	test_assert_msg(after + 16 <= before,
	    "free pages %llu -> %llu after "
	    "writing 16 pages",
	    (unsigned long long)before, (unsigned long long)after);
	expect_guest(id, G_EXTRA + 8 * TEST_PAGE, 16 * TEST_PAGE, 0xe5,
	    "pread what pwrite wrote");
	expect_guest(id, G_EXTRA, 8 * TEST_PAGE, 0, "the pages before");
	expect_guest(id, G_EXTRA + 24 * TEST_PAGE, 8 * TEST_PAGE, 0,
	    "the pages after");
}

/*
 * pwrite and pread work whatever the mapping's protection: read-only,
 * read + exec (a loader filling text), and none.
 */
static void
pwrite_any_protection(void)
{
	void *id = VS_ID(1);
	const int prot[] = { PROT_READ, PROT_READ | PROT_EXEC, PROT_EXEC,
		PROT_NONE };

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	for (size_t i = 0; i < sizeof(prot) / sizeof(prot[0]); i++) {
		uint64_t a = G_EXTRA + i * 4 * TEST_PAGE;

		guest_map(id, a, 2 * TEST_PAGE, prot[i]);
		fill_guest(id, a, 2 * TEST_PAGE, 0xf0 + i);
		expect_guest(id, a, 2 * TEST_PAGE, 0xf0 + i,
		    "pread of what pwrite put in a protected mapping");
	}
}

/* Odd offsets and sizes across page boundaries come back byte for byte. */
static void
pread_pwrite_unaligned(void)
{
	void *id = VS_ID(1);
	const size_t len = 3 * TEST_PAGE;
	unsigned char *in = test_map(len), *out = test_map(len);

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, G_EXTRA, 4 * TEST_PAGE, PROT_READ | PROT_WRITE);
	for (size_t i = 0; i < len; i++)
		in[i] = (unsigned char)(i * 7 + 3);
	test_expect_eq(vmspace_pwrite(id, in + 1, len - 5, 0, G_EXTRA + 4093),
	    (long)(len - 5), "pwrite of 3 pages - 5 bytes at offset 4093");
	test_expect_eq(vmspace_pread(id, out, len - 5, 0, G_EXTRA + 4093),
	    (long)(len - 5), "pread them back");
	test_assert_msg(memcmp(in + 1, out, len - 5) == 0,
	    "what pread returned differs from what pwrite wrote");
	test_expect_eq(vmspace_pread(id, out, 1, 0, G_EXTRA + 4092), 1,
	    "pread the byte before");
	test_expect_eq(out[0], 0, "the byte before");
}

/*
 * The caller's buffer need not be resident: untouched pages of a fresh
 * mapping, or copy-on-write pages after fork, are faulted in.
 */
static void
pread_pwrite_buffer_faults(void)
{
	void *id = VS_ID(1);
	const size_t len = 16 * TEST_PAGE;
	unsigned char *fresh = test_map(len), *fresh2 = test_map(len);
	unsigned char *cow = test_map(len);
	pid_t pid;

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, G_EXTRA, len, PROT_READ | PROT_WRITE);
	fill_guest(id, G_EXTRA, len, 0x17);
	test_expect_eq(vmspace_pread(id, fresh, len, 0, G_EXTRA), (long)len,
	    "pread into an untouched buffer");
	test_expect_hex(((uint64_t *)fresh)[len / 8 - 1],
	    pattern_word(0x17, G_EXTRA + len - 8), "the last word read");
	test_expect_eq(vmspace_pwrite(id, fresh2, len, 0, G_EXTRA), (long)len,
	    "pwrite from an untouched buffer");
	expect_guest(id, G_EXTRA, len, 0, "zeros from the untouched buffer");

	memset(cow, 0x99, len);
	pid = test_fork();
	if (pid == 0) {
		/* cow is shared copy-on-write with the parent now. */
		test_expect_eq(vmspace_pread(id, cow, len, 0, G_EXTRA),
		    (long)len, "pread into a copy-on-write buffer");
		test_assert(cow[0] == 0 && cow[len - 1] == 0);
		_exit(0);
	}
	test_expect_exit(pid, 0, "the child");
	test_assert_msg(cow[0] == 0x99 && cow[len - 1] == 0x99,
	    "the child's pread changed the parent's copy");
}

/* Fill buf with a byte pattern that differs for each seed and offset. */
static void
fill_bytes(unsigned char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 13 + i / 4096 + seed);
}

/* got holds len bytes of fill_bytes(seed) from offset from, or fail. */
static void
expect_bytes(const unsigned char *got, size_t from, size_t len, unsigned seed,
    const char *what)
{
	for (size_t i = from; i < from + len; i++) {
		unsigned char want = (unsigned char)(i * 13 + i / 4096 + seed);

		if (got[i - from] != want)
			test_fail("%s: byte %zu is 0x%02x, expected 0x%02x",
			    what, i, got[i - from], want);
	}
}

/*
 * A transfer of more than 64 KiB (so more than one batch of held pages)
 * over two map entries (different protections keep them apart), at
 * unaligned ends, comes back byte for byte, and the bytes around it are
 * untouched.
 */
static void
pread_pwrite_two_entries(void)
{
	void *id = VS_ID(1);
	const uint64_t a = G_EXTRA;
	const size_t len = 20 * TEST_PAGE + 1234, at = 3 * TEST_PAGE + 100;
	unsigned char *in = test_map(len), *out = test_map(len + 2);

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, a, 12 * TEST_PAGE, PROT_READ | PROT_WRITE);
	guest_map(id, a + 12 * TEST_PAGE, 16 * TEST_PAGE, PROT_READ);
	fill_bytes(in, len, 0x21);
	test_expect_eq(vmspace_pwrite(id, in, len, 0, a + at), (long)len,
	    "pwrite over two entries");
	memset(out, 0xaa, len + 2);
	test_expect_eq(vmspace_pread(id, out, len + 2, 0, a + at - 1),
	    (long)(len + 2), "pread it back with a byte either side");
	test_expect_eq(out[0], 0, "the byte before");
	expect_bytes(out + 1, 0, len, 0x21, "pread over two entries");
	test_expect_eq(out[len + 1], 0, "the byte after");
}

/*
 * A transfer across a 2 MiB boundary (two page tables, so two walks in
 * one batch), starting and ending inside pages, half of it written
 * before (resident) and half not.
 */
static void
pread_pwrite_across_page_tables(void)
{
	void *id = VS_ID(1);
	const uint64_t b = G_EXTRA + (2UL << 20); /* 2 MiB aligned */
	const uint64_t at = b - 9 * TEST_PAGE + 77;
	const size_t len = 18 * TEST_PAGE;
	unsigned char *in = test_map(len), *out = test_map(len);

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, b - 16 * TEST_PAGE, 32 * TEST_PAGE,
	    PROT_READ | PROT_WRITE);
	/* Pages below b resident (written once), those above untouched. */
	fill_guest(id, b - 16 * TEST_PAGE, 16 * TEST_PAGE, 0x61);
	memset(out, 0xaa, len);
	test_expect_eq(vmspace_pread(id, out, len, 0, at), (long)len,
	    "pread across 2 MiB, resident then untouched");
	for (size_t i = 0; i < len; i++) {
		uint64_t va = at + i, w;
		unsigned char want;

		w = va < b ? pattern_word(0x61, va & ~7UL) : 0;
		want = (unsigned char)(w >> (8 * (va & 7)));
		if (out[i] != want)
			test_fail("byte at 0x%llx is 0x%02x, expected 0x%02x",
			    (unsigned long long)va, out[i], want);
	}
	fill_bytes(in, len, 0x62);
	test_expect_eq(vmspace_pwrite(id, in, len, 0, at), (long)len,
	    "pwrite across 2 MiB");
	memset(out, 0xaa, len);
	test_expect_eq(vmspace_pread(id, out, len, 0, at), (long)len,
	    "pread it back");
	expect_bytes(out, 0, len, 0x62, "pread across 2 MiB");
}

/*
 * One transfer over pages of every kind: a private memfd mapping with
 * pages the guest's view maps from the memfd (resident, shared
 * copy-on-write with the memfd), pages already private (resident, ours
 * alone), pages never touched (not resident: the memfd's page is read,
 * a copy written), then untouched anonymous pages (zeros).  Writes go to
 * private copies only: the memfd keeps its bytes.
 */
static void
pread_pwrite_mixed_pages(void)
{
	void *id = VS_ID(1);
	const size_t fpages = 16, len = 20 * TEST_PAGE - 300;
	const uint64_t a = G_EXTRA, at = a + 1 * TEST_PAGE + 300;
	int fd = test_memfd(fpages * TEST_PAGE);
	unsigned char *file, *in = test_map(len), *out = test_map(len);
	unsigned char *mine = test_map(2 * TEST_PAGE);
	void *g;

	file = mmap(NULL, fpages * TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	test_assert(file != MAP_FAILED);
	fill_bytes(file, fpages * TEST_PAGE, 0x31);
	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	g = vmspace_mmap(id, (void *)a, fpages * TEST_PAGE,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
	test_assert(g == (void *)a);
	guest_map(id, a + fpages * TEST_PAGE, 8 * TEST_PAGE,
	    PROT_READ | PROT_WRITE);
	/* Pages 2..5: the memfd's own pages, mapped read-only. */
	test_expect_eq(vmspace_mcontrol(id, (void *)(a + 2 * TEST_PAGE),
			   4 * TEST_PAGE, VMSPACE_MADV_WILLNEED, 0),
	    0, "MADV_WILLNEED pages 2..5");
	/* Pages 6..7: private copies, written. */
	fill_bytes(mine, 2 * TEST_PAGE, 0x32);
	test_expect_eq(
	    vmspace_pwrite(id, mine, 2 * TEST_PAGE, 0, a + 6 * TEST_PAGE),
	    (long)(2 * TEST_PAGE), "pwrite pages 6..7");

	/* Read all of it: memfd, private, memfd again, zeros. */
	memset(out, 0xaa, len);
	test_expect_eq(vmspace_pread(id, out, len, 0, at), (long)len,
	    "pread over every kind of page");
	for (size_t i = 0; i < len; i++) {
		uint64_t off = at + i - a;
		unsigned char want;

		if (off >= fpages * TEST_PAGE)
			want = 0;
		else if (off >= 6 * TEST_PAGE && off < 8 * TEST_PAGE)
			want = (unsigned char)((off - 6 * TEST_PAGE) * 13 +
			    (off - 6 * TEST_PAGE) / 4096 + 0x32);
		else
			want = (unsigned char)(off * 13 + off / 4096 + 0x31);
		if (out[i] != want)
			test_fail("pread: guest offset 0x%llx is 0x%02x, "
				  "expected 0x%02x",
			    (unsigned long long)off, out[i], want);
	}

	/* Write all of it: every memfd page becomes a private copy. */
	fill_bytes(in, len, 0x33);
	test_expect_eq(vmspace_pwrite(id, in, len, 0, at), (long)len,
	    "pwrite over every kind of page");
	memset(out, 0xaa, len);
	test_expect_eq(vmspace_pread(id, out, len, 0, at), (long)len,
	    "pread it back");
	expect_bytes(out, 0, len, 0x33, "pread after pwrite over every kind");
	/* The bytes before the write, in page 1, are still the memfd's. */
	test_expect_eq(vmspace_pread(id, out, 300, 0, a + TEST_PAGE), 300,
	    "pread the start of page 1");
	expect_bytes(out, TEST_PAGE, 300, 0x31, "the start of page 1");
	/* The memfd itself is unchanged. */
	expect_bytes(file, 0, fpages * TEST_PAGE, 0x31,
	    "the memfd after private writes");
	munmap(file, fpages * TEST_PAGE);
	close(fd);
}

/*
 * A read of 32 pages over 20 mapped ones and a hole stops at the hole
 * with a short count (after more than one batch), leaving the rest of
 * the buffer alone; a write the same.
 */
static void
pread_pwrite_stop_at_hole(void)
{
	void *id = VS_ID(1);
	const uint64_t a = G_EXTRA;
	const size_t len = 32 * TEST_PAGE, mapped = 20 * TEST_PAGE - 1000;
	unsigned char *in = test_map(len), *out = test_map(len);

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	guest_map(id, a, 20 * TEST_PAGE, PROT_READ | PROT_WRITE);
	guest_map(id, a + 21 * TEST_PAGE, 4 * TEST_PAGE,
	    PROT_READ | PROT_WRITE);
	fill_bytes(in, len, 0x41);
	test_expect_eq(vmspace_pwrite(id, in, len, 0, a + 1000), (long)mapped,
	    "pwrite of 32 pages stops at the hole");
	memset(out, 0xaa, len);
	test_expect_eq(vmspace_pread(id, out, len, 0, a + 1000), (long)mapped,
	    "pread of 32 pages stops at the hole");
	expect_bytes(out, 0, mapped, 0x41, "pread before the hole");
	for (size_t i = mapped; i < len; i++)
		if (out[i] != 0xaa)
			test_fail("pread wrote byte %zu, past the hole", i);
	test_expect_eq(vmspace_pread(id, out, TEST_PAGE, 0, a + 21 * TEST_PAGE),
	    TEST_PAGE, "the pages after the hole");
	test_expect_eq(out[0], 0, "the pages after the hole are untouched");
}

/*
 * pread into (and pwrite from) the caller's view of a memfd page that
 * the vmspace maps too, with the caller's view not yet faulted in.
 */
static void
pread_pwrite_memfd_aliases(void)
{
	void *id = VS_ID(1);
	int fd = test_memfd(4 * TEST_PAGE);
	char *m = (char *)test_mmap(0, 4 * TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	void *g;

	test_assert(m != (char *)-1);
	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	g = vmspace_mmap(id, (void *)G_EXTRA, 4 * TEST_PAGE,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	test_assert(g == (void *)G_EXTRA);
	test_expect_eq(vmspace_pwrite(id, "abcdefgh", 8, 0, G_EXTRA), 8,
	    "pwrite into the memfd through the vmspace");
	/* Our page 1 of the memfd is untouched: pread faults it in. */
	test_expect_eq(vmspace_pread(id, m + TEST_PAGE, 8, 0, G_EXTRA), 8,
	    "pread page 0 into our view of page 1");
	test_assert(memcmp(m, "abcdefgh", 8) == 0);
	test_assert(memcmp(m + TEST_PAGE, "abcdefgh", 8) == 0);
	test_expect_hex(guest_read64(id, G_EXTRA + TEST_PAGE),
	    *(uint64_t *)"abcdefgh", "page 1 through the vmspace");
	/* Our page 3 is untouched too: pwrite from it reads zeros. */
	test_expect_eq(vmspace_pwrite(id, m + 3 * TEST_PAGE, 8, 0,
			   G_EXTRA + 2 * TEST_PAGE),
	    8, "pwrite from our view of page 3");
	test_expect_hex(*(uint64_t *)(m + 2 * TEST_PAGE), 0, "page 2");
}

/*
 * The vmspace holds the last reference to a memfd's pages: destroying it
 * gives them back.
 */
static void
destroy_frees_last_memfd_ref(void)
{
	void *id = VS_ID(1);
	uint64_t before;
	int fd;
	void *g;

	before = free_pages();
	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	fd = test_memfd(16 * TEST_PAGE);
	g = vmspace_mmap(id, (void *)G_EXTRA, 16 * TEST_PAGE,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	test_assert(g == (void *)G_EXTRA);
	test_expect_ok(close(fd), "close the memfd");
	fill_guest(id, G_EXTRA, 16 * TEST_PAGE, 0x4d);
	test_assert_msg(free_pages() + 16 <= before,
	    "the memfd's pages were "
	    "not allocated");
	test_expect_ok(vmspace_destroy(id), "destroy");
	test_assert_msg(free_pages() + 4 >= before,
	    "free pages %llu before, "
	    "%llu after destroying the memfd's last user",
	    (unsigned long long)before, (unsigned long long)free_pages());
}

/*
 * A memfd mapped MAP_SHARED in the controller and in the vmspace: the
 * same pages both ways, for pread/pwrite and for a running guest.
 */
GUEST(g_shm_rw,
    "movq " VS_STR(G_SHM) ", %rax\n"		/* read word 0 */
    "movabs $0xabcd0001abcd0001, %rbx\n"
    "movq %rbx, " VS_STR(G_SHM) " + 8\n"	/* write word 1 */
    "syscall\n"
    "movq " VS_STR(G_SHM) " + 16, %rax\n"	/* read word 2 */
    "syscall\n");

static void
memfd_shared_with_guest(void)
{
	void *id = VS_ID(1);
	volatile uint64_t *shm;
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_shm_rw);
	shm = vs_shared_page(id, G_SHM);
	shm[0] = 0x1111222233334444UL;
	shm[2] = 0;

	guest_frame(&tf);
	test_expect_eq(guest_run(id, &tf, NULL), T_SYSCALL, "first run");
	test_expect_hex(tf.tf_rax, 0x1111222233334444UL,
	    "the guest read what the controller wrote");
	test_expect_hex(shm[1], 0xabcd0001abcd0001UL,
	    "the controller reads what the guest wrote");
	shm[2] = 0x5555666677778888UL;
	test_expect_eq(guest_run(id, &tf, NULL), T_SYSCALL, "second run");
	test_expect_hex(tf.tf_rax, 0x5555666677778888UL,
	    "the guest read the controller's second write");

	/* pread and pwrite of the vmspace see the same page. */
	test_expect_hex(guest_read64(id, G_SHM + 8), 0xabcd0001abcd0001UL,
	    "pread of the shared page");
	guest_write64(id, G_SHM + 24, 0x0102030405060708UL);
	test_expect_hex(shm[3], 0x0102030405060708UL,
	    "the controller sees a pwrite to the shared page");
}

/*
 * Demand-zero faults inside a guest are resolved by the kernel: a guest
 * touching 16 fresh anonymous pages (and pushing onto a fresh stack)
 * traps only at its final syscall.
 */
GUEST(g_touch_pages,
    "movq $" VS_STR(G_EXTRA) ", %rdi\n"
    "movl $16, %ecx\n"
    "1: movq (%rdi), %rax\n"		/* read first: a zero page */
    "addq %rcx, %rax\n"
    "movq %rax, (%rdi)\n"		/* then write */
    "addq $4096, %rdi\n"
    "decl %ecx\n"
    "jnz 1b\n"
    "pushq $0x77\n"
    "syscall\n");

static void
guest_demand_zero_unseen(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_touch_pages);
	guest_map(id, G_EXTRA, 16 * TEST_PAGE, PROT_READ | PROT_WRITE);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_touch_pages),
	    "the first trap is the final syscall");
	for (int i = 0; i < 16; i++)
		test_expect_eq(guest_read64(id, G_EXTRA + i * TEST_PAGE),
		    16 - i, "what the guest wrote to a fresh page");
	test_expect_eq(guest_read64(id, G_STACK_TOP - 8), 0x77,
	    "what the guest pushed");
}

/*
 * Copy-on-write faults inside a guest are resolved by the kernel: a
 * MAP_PRIVATE view of a memfd is read, then written; the guest sees its
 * copy, the memfd keeps its contents.
 */
GUEST(g_cow_write,
    "movq " VS_STR(G_EXTRA) ", %rax\n"
    "movabs $0x0c0c0c0c0c0c0c0c, %rbx\n"
    "movq %rbx, " VS_STR(G_EXTRA) "\n"
    "movq " VS_STR(G_EXTRA) ", %rdx\n"
    "syscall\n");

static void
guest_cow_unseen(void)
{
	void *id = VS_ID(1);
	int fd = test_memfd(TEST_PAGE);
	uint64_t *m = (uint64_t *)test_mmap(0, TEST_PAGE,
	    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	struct trapframe tf;
	void *g;

	test_assert(m != (uint64_t *)-1);
	m[0] = 0x5151515151515151UL;
	guest_new(id);
	guest_load(id, g_cow_write);
	g = vmspace_mmap(id, (void *)G_EXTRA, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_FIXED, fd, 0);
	test_assert_msg(g == (void *)G_EXTRA,
	    "vmspace_mmap MAP_PRIVATE memfd: "
	    "%p (%s)",
	    g, test_errname(errno));
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_cow_write),
	    "the first trap is the final syscall");
	test_expect_hex(tf.tf_rax, 0x5151515151515151UL,
	    "the guest read the memfd's contents");
	test_expect_hex(tf.tf_rdx, 0x0c0c0c0c0c0c0c0cUL,
	    "the guest reads its private copy");
	test_expect_hex(m[0], 0x5151515151515151UL,
	    "the memfd is unchanged by the guest's write");
	test_expect_hex(guest_read64(id, G_EXTRA), 0x0c0c0c0c0c0c0c0cUL,
	    "pread sees the guest's copy");
}

/*
 * A memfd mapped MAP_SHARED by the controller and by a guest, then cut
 * to one page: the guest's access to the cut page faults (it no longer
 * reads the old page), and once the memfd grows again the guest and the
 * controller share the new page (ABI.md 4.1).
 */
GUEST(g_read_page1,
    "movq " VS_STR(G_EXTRA) " + 4096, %rax\n"
    "syscall\n");

static void
memfd_truncate_reaches_guest(void)
{
	void *id = VS_ID(1);
	int fd = test_memfd(2 * TEST_PAGE);
	volatile uint64_t *m = (volatile uint64_t *)test_mmap(0, 2 * TEST_PAGE,
	    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	struct trapframe tf;
	void *g;

	test_assert(m != (volatile uint64_t *)-1);
	guest_new(id);
	guest_load(id, g_read_page1);
	g = vmspace_mmap(id, (void *)G_EXTRA, 2 * TEST_PAGE,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	test_assert_msg(g == (void *)G_EXTRA, "vmspace_mmap the memfd: %p (%s)",
	    g, test_errname(errno));
	m[TEST_PAGE / 8] = 0x1111111111111111UL;
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_read_page1),
	    "the guest reads page 1");
	test_expect_hex(tf.tf_rax, 0x1111111111111111UL, "page 1, shared");

	test_expect_ok(ftruncate(fd, TEST_PAGE), "cut the memfd to one page");
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "the guest reads the cut page");
	test_expect_hex(tf.tf_addr, G_EXTRA + TEST_PAGE, "the fault's address");

	test_expect_ok(ftruncate(fd, 2 * TEST_PAGE), "grow the memfd again");
	m[TEST_PAGE / 8] = 0x2222222222222222UL;
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_read_page1),
	    "the guest reads the new page 1");
	test_expect_hex(tf.tf_rax, 0x2222222222222222UL,
	    "the guest and the controller share the new page");
	guest_write64(id, G_EXTRA + TEST_PAGE + 8, 0x3333333333333333UL);
	test_expect_hex(m[TEST_PAGE / 8 + 1], 0x3333333333333333UL,
	    "and the other way");
	close(fd);
}

/*
 * MADV_WILLNEED through vmspace_mcontrol, and MAP_POPULATE through
 * vmspace_mmap, over 2^44 bytes of PROT_NONE: nothing can be made, so
 * both return at once (they once walked every page with interrupts
 * masked, freezing the machine), and no page is used.
 */
#define HUGE_NONE_AT (1UL << 44)
#define HUGE_NONE_LEN (1UL << 44)

static void
willneed_huge_none(void)
{
	void *id = VS_ID(1);
	struct kstat before, after;
	void *g;

	guest_new(id);
	vs_kstat(&before);
	g = vmspace_mmap(id, (void *)HUGE_NONE_AT, HUGE_NONE_LEN, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
	test_assert_msg(g == (void *)HUGE_NONE_AT,
	    "vmspace_mmap 2^44 bytes "
	    "PROT_NONE with MAP_POPULATE: %p (%s)",
	    g, test_errname(errno));
	test_expect_eq(vmspace_mcontrol(id, (void *)HUGE_NONE_AT, HUGE_NONE_LEN,
			   VMSPACE_MADV_WILLNEED, 0),
	    0, "MADV_WILLNEED over all of it");
	vs_kstat(&after);
	test_assert_msg(after.ks_pages_free + 8 >= before.ks_pages_free,
	    "populating PROT_NONE used %lld pages",
	    (long long)(before.ks_pages_free - after.ks_pages_free));
}

const struct test vs_memory_tests[] = {
	{ "munmap_removes_pages", munmap_removes_pages, NULL },
	{ "mcontrol_dontneed_zeros", mcontrol_dontneed_zeros, NULL },
	{ "mcontrol_free_zeros", mcontrol_free_zeros, NULL },
	{ "mcontrol_willneed_populates", mcontrol_willneed_populates, NULL },
	{ "mcontrol_keeps_contents", mcontrol_keeps_contents, NULL },
	{ "pread_pwrite_short_counts", pread_pwrite_short_counts, NULL },
	{ "pread_pwrite_kernel_addresses", pread_pwrite_kernel_addresses,
	    NULL },
	{ "pread_untouched_zero_unallocated", pread_untouched_zero_unallocated,
	    NULL },
	{ "pwrite_allocates_on_demand", pwrite_allocates_on_demand, NULL },
	{ "pwrite_any_protection", pwrite_any_protection, NULL },
	{ "pread_pwrite_unaligned", pread_pwrite_unaligned, NULL },
	{ "pread_pwrite_buffer_faults", pread_pwrite_buffer_faults, NULL },
	{ "pread_pwrite_two_entries", pread_pwrite_two_entries, NULL },
	{ "pread_pwrite_across_page_tables", pread_pwrite_across_page_tables,
	    NULL },
	{ "pread_pwrite_mixed_pages", pread_pwrite_mixed_pages, NULL },
	{ "pread_pwrite_stop_at_hole", pread_pwrite_stop_at_hole, NULL },
	{ "pread_pwrite_memfd_aliases", pread_pwrite_memfd_aliases, NULL },
	{ "destroy_frees_last_memfd_ref", destroy_frees_last_memfd_ref, NULL },
	{ "memfd_shared_with_guest", memfd_shared_with_guest, NULL },
	{ "guest_demand_zero_unseen", guest_demand_zero_unseen, NULL },
	{ "guest_cow_unseen", guest_cow_unseen, NULL },
	{ "memfd_truncate_reaches_guest", memfd_truncate_reaches_guest, NULL },
	{ "willneed_huge_none", willneed_huge_none, NULL },
	{ NULL, NULL, NULL },
};
