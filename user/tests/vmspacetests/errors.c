/*
 * errors.c: every errno of ABI.md section 4.1, in the documented order.
 *
 * Every call but vmspace_create first fails with EINVAL when the process
 * has no vkernel structure yet, then with ENOENT when the id names no
 * live vmspace, before it looks at anything else.  The tests show the
 * order by passing arguments that would give another error (or success)
 * if the earlier check did not come first.  Then each call's own checks,
 * again in the documented order.
 */

#include "vs.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * A buffer whose first page is read-write and the next one is not
 * accessible (PROT_NONE rather than unmapped: a later mmap could fill a
 * hole).
 */
static char *
page_before_hole(void)
{
	char *p = test_map(2 * TEST_PAGE);

	test_expect_ok(mprotect(p + TEST_PAGE, TEST_PAGE, PROT_NONE),
	    "mprotect the second page PROT_NONE");
	memset(p, 0x5a, TEST_PAGE);
	return p;
}

/*
 * No vkernel yet (a fresh test process): every call except create fails
 * with EINVAL, even with arguments that would give another answer.
 */
static void
no_vkernel_einval(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { 0 };
	struct kstat ks;
	char buf[16];

	vs_kstat(&ks);
	guest_frame(&tf);
	test_expect_errno(vmspace_destroy(id), EINVAL, "destroy");
	test_expect_errno(vmspace_destroy(NULL), EINVAL, "destroy(NULL)");
	test_expect_errno(vmspace_ctl(id, VMSPACE_CTL_RUN, &tf, &vx), EINVAL,
	    "ctl RUN");
	test_expect_errno(vmspace_ctl(id, 7, NULL, NULL), EINVAL,
	    "ctl with a bad cmd and NULL frames (not EOPNOTSUPP or EFAULT)");
	test_expect_errno((long)vmspace_mmap(id, NULL, TEST_PAGE, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	    EINVAL, "mmap");
	test_expect_errno((long)vmspace_mmap(id, NULL, TEST_PAGE, PROT_READ,
			      MAP_SHARED, 999, 0),
	    EINVAL, "mmap of a bad fd (not EBADF)");
	test_expect_errno(vmspace_munmap(id, (void *)G_DATA, TEST_PAGE), EINVAL,
	    "munmap");
	test_expect_errno(vmspace_munmap(id, (void *)G_DATA, 0), EINVAL,
	    "munmap of length 0 (not 0)");
	test_expect_errno(vmspace_mcontrol(id, (void *)G_DATA, TEST_PAGE,
			      VMSPACE_MADV_NORMAL, 0),
	    EINVAL, "mcontrol");
	test_expect_errno(
	    vmspace_mcontrol(id, (void *)G_DATA, TEST_PAGE, MADV_SETMAP, 0),
	    EINVAL, "mcontrol MADV_SETMAP (not EOPNOTSUPP)");
	test_expect_errno(vmspace_pread(id, buf, 8, 0, G_DATA), EINVAL,
	    "pread");
	test_expect_errno(vmspace_pread(id, NULL, 8, 0, G_DATA), EINVAL,
	    "pread to NULL (not EFAULT)");
	test_expect_errno(vmspace_pwrite(id, buf, 8, 0, G_DATA), EINVAL,
	    "pwrite");
	test_expect_errno(vmspace_pwrite(id, NULL, 0, 0, G_DATA), EINVAL,
	    "pwrite of 0 bytes (not 0)");
	test_expect_errno(vmspace_spawn(id, &tf, &vx, RFFDG), EINVAL, "spawn");
	test_expect_errno(vmspace_spawn(id, NULL, NULL, RFFDG), EINVAL,
	    "spawn of NULL frames (not EFAULT)");
	/* None of that made an entry. */
	vs_expect_entries(ks.ks_nvmspace_entries, "after the failed calls");
}

/*
 * With a vkernel, an id that names no live vmspace gives ENOENT before
 * any other check; so does an id after its vmspace was destroyed.
 */
static void
unknown_id_enoent(void)
{
	void *a = VS_ID(1), *b = VS_ID(2);
	void *ids[] = { b, NULL, (void *)-1L, a };
	struct trapframe tf;
	struct vextframe vx = { 0 };
	char buf[16];

	guest_new(a);
	guest_frame(&tf);
	/* ids[3] (a) is destroyed before the last round. */
	for (int i = 0; i < 4; i++) {
		void *id = ids[i];

		if (id == a)
			test_expect_ok(vmspace_destroy(a), "destroy a");
		test_expect_errno(vmspace_destroy(id), ENOENT, "destroy");
		test_expect_errno(vmspace_ctl(id, VMSPACE_CTL_RUN, &tf, &vx),
		    ENOENT, "ctl RUN");
		test_expect_errno(vmspace_ctl(id, 7, NULL, NULL), ENOENT,
		    "ctl with a bad cmd and NULL frames");
		test_expect_errno((long)vmspace_mmap(id, NULL, TEST_PAGE,
				      PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
				      -1, 0),
		    ENOENT, "mmap");
		test_expect_errno((long)vmspace_mmap(id, NULL, 0, PROT_READ,
				      MAP_SHARED, 999, 0),
		    ENOENT, "mmap of length 0 with a bad fd");
		test_expect_errno(vmspace_munmap(id, (void *)G_DATA, TEST_PAGE),
		    ENOENT, "munmap");
		test_expect_errno(vmspace_munmap(id, (void *)G_DATA, 0), ENOENT,
		    "munmap of length 0");
		test_expect_errno(vmspace_munmap(id, NULL, ~0UL), ENOENT,
		    "munmap of a wrapping range");
		test_expect_errno(vmspace_mcontrol(id, (void *)G_DATA,
				      TEST_PAGE, MADV_SETMAP, 0),
		    ENOENT, "mcontrol MADV_SETMAP");
		test_expect_errno(
		    vmspace_mcontrol(id, (void *)G_DATA, TEST_PAGE, -1, 0),
		    ENOENT, "mcontrol behav -1");
		test_expect_errno(vmspace_pread(id, buf, 8, 0, G_DATA), ENOENT,
		    "pread");
		test_expect_errno(vmspace_pread(id, NULL, 8, 1, -1), ENOENT,
		    "pread with bad flags, buf and offset");
		test_expect_errno(vmspace_pwrite(id, buf, 8, 0, G_DATA), ENOENT,
		    "pwrite");
		test_expect_errno(vmspace_pwrite(id, NULL, 8, 1, -1), ENOENT,
		    "pwrite with bad flags, buf and offset");
		test_expect_errno(vmspace_spawn(id, &tf, &vx, RFFDG), ENOENT,
		    "spawn");
		test_expect_errno(vmspace_spawn(id, NULL, NULL, ~0), ENOENT,
		    "spawn with bad flags and NULL frames");
	}
}

/*
 * vmspace_create: NULL id, type != 0, data != NULL: EINVAL; an existing
 * id: EEXIST.  Ids are keys, never dereferenced; a destroyed id can be
 * used again.
 */
static void
create_errors(void)
{
	void *a = VS_ID(1), *b = VS_ID(2);
	void *keys[] = { (void *)1, (void *)-1L, (void *)TEST_KERNEL_TEXT,
		(void *)TEST_NONCANON_LO };
	struct kstat ks;
	char buf[8];
	int x;

	vs_kstat(&ks);
	test_expect_errno(vmspace_create(NULL, 0, NULL), EINVAL,
	    "create(NULL)");
	test_expect_ok(vmspace_create(b, 0, NULL), "create b");
	test_expect_errno(vmspace_create(NULL, 0, NULL), EINVAL,
	    "create(NULL) with a vkernel");
	test_expect_errno(vmspace_create(a, 1, NULL), EINVAL, "create type 1");
	test_expect_errno(vmspace_create(a, -1, NULL), EINVAL,
	    "create type -1");
	test_expect_errno(vmspace_create(a, 0, &x), EINVAL, "create with data");
	test_expect_errno(vmspace_create(a, 0, (void *)1), EINVAL,
	    "create with data 1");
	/* None of those made a. */
	test_expect_errno(vmspace_pread(a, buf, 8, 0, G_DATA), ENOENT,
	    "pread a after the failed creates");
	vs_expect_entries(ks.ks_nvmspace_entries + 1, "b only");

	test_expect_ok(vmspace_create(a, 0, NULL), "create a");
	test_expect_errno(vmspace_create(a, 0, NULL), EEXIST, "create a again");
	test_expect_errno(vmspace_create(b, 0, NULL), EEXIST, "create b again");
	test_expect_errno(vmspace_create(a, 1, NULL), EINVAL,
	    "create a again with type 1 (EINVAL comes first)");
	vs_expect_entries(ks.ks_nvmspace_entries + 2, "a and b");

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		test_expect_ok(vmspace_create(keys[i], 0, NULL),
		    "create with an id that is no user address");
	vs_expect_entries(ks.ks_nvmspace_entries + 6, "a, b and 4 more");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		test_expect_ok(vmspace_destroy(keys[i]), "destroy those");

	test_expect_ok(vmspace_destroy(a), "destroy a");
	test_expect_errno(vmspace_destroy(a), ENOENT, "destroy a twice");
	test_expect_ok(vmspace_create(a, 0, NULL), "create a once more");
	test_expect_ok(vmspace_destroy(a), "destroy a");
	test_expect_ok(vmspace_destroy(b), "destroy b");
	vs_expect_entries(ks.ks_nvmspace_entries, "all destroyed");
}

/*
 * vmspace_create: the per-process limit gives ENOMEM; destroying one
 * makes room for one more.
 */
static void
create_enomem_at_limit(void)
{
	const int most = 20000;
	struct kstat ks;
	int n, err = 0;

	vs_kstat(&ks);
	for (n = 0; n < most; n++)
		if (vmspace_create(VS_ID(n), 0, NULL) != 0) {
			err = errno;
			break;
		}
	test_assert_msg(n < most, "%d vmspaces created, no limit reached", n);
	test_assert_msg(err == ENOMEM,
	    "create number %d failed with %s, "
	    "expected ENOMEM",
	    n + 1, test_errname(err));
	test_assert_msg(n >= 16, "only %d vmspaces could be created", n);
	test_note("%d vmspaces created before ENOMEM", n);
	test_expect_errno(vmspace_create(VS_ID(n), 0, NULL), ENOMEM,
	    "create past the limit again");
	test_expect_ok(vmspace_destroy(VS_ID(0)), "destroy the first");
	test_expect_ok(vmspace_create(VS_ID(n), 0, NULL), "create one more");
	test_expect_ok(vmspace_destroy(VS_ID(n)), "destroy it");
	for (int i = 1; i < n; i++)
		if (vmspace_destroy(VS_ID(i)) != 0)
			test_fail("destroy vmspace %d of %d: -1 (%s)", i, n,
			    test_errname(errno));
	vs_expect_entries(ks.ks_nvmspace_entries, "all destroyed");
}

/* vmspace_ctl: cmd != VMSPACE_CTL_RUN is EOPNOTSUPP, before the frames. */
static void
ctl_bad_cmd_eopnotsupp(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { 0 };
	const int cmds[] = { 0, 2, -1, 0x101, (int)0x80000001 };

	guest_new(id);
	guest_frame(&tf);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		test_expect_errno(vmspace_ctl(id, cmds[i], &tf, &vx),
		    EOPNOTSUPP, "ctl with a bad cmd");
		test_expect_errno(vmspace_ctl(id, cmds[i], NULL, NULL),
		    EOPNOTSUPP, "ctl with a bad cmd and NULL frames");
	}
	tf.tf_rip = TEST_KERNEL_TEXT;
	test_expect_errno(vmspace_ctl(id, 0, &tf, &vx), EOPNOTSUPP,
	    "ctl with a bad cmd and a bad frame");
}

/*
 * One raw vmspace_ctl through vs_regs_syscall with every other register
 * set: it must fail with `err`, keep every register but rax, rcx and r11,
 * and leave *tf as it was.
 */
static void
ctl_fails_keeping_context(void *id, struct trapframe *tf, struct vextframe *vx,
    int err, const char *what)
{
	struct vs_regs in, out;
	struct trapframe copy;
	/* Only a whole frame in our memory can be compared afterwards. */
	int tf_readable = (uintptr_t)tf > 0x1000 &&
	    (uintptr_t)tf < TEST_NONCANON_LO &&
	    ((uintptr_t)tf & (TEST_PAGE - 1)) <= TEST_PAGE - sizeof(*tf);

	if (tf_readable)
		copy = *tf;
	vs_regs_fill(&in, 0x5eed0000 + err);
	in.rax = SYS_vmspace_ctl;
	in.rdi = (uint64_t)id;
	in.rsi = VMSPACE_CTL_RUN;
	in.rdx = (uint64_t)tf;
	in.r10 = (uint64_t)vx;
	vs_regs_syscall(&in, &out);
	test_expect_raw_errno((long)out.rax, err, what);
	vs_expect_regs_kept(&in, &out, what);
	if (tf_readable)
		test_assert_msg(memcmp(&copy, tf, sizeof(copy)) == 0,
		    "%s: *tframe changed", what);
}

/*
 * vmspace_ctl: tframe or vframe not readable: EFAULT, with the caller's
 * registers, TLS and frame unchanged.
 */
static void
ctl_bad_pointers_efault(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { 0 };
	char *edge = page_before_hole();
	struct trapframe *tf_edge =
	    (struct trapframe *)(edge + TEST_PAGE - 100);
	struct vextframe *vx_edge = (struct vextframe *)(edge + TEST_PAGE - 8);
	unsigned long fs_before = 0, fs_after = 0;
	char *ro = test_map(TEST_PAGE);

	guest_new(id);
	guest_frame(&tf);
	memcpy(tf_edge, &tf, 100);
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_before);

	ctl_fails_keeping_context(id, NULL, &vx, EFAULT, "NULL tframe");
	ctl_fails_keeping_context(id, &tf, NULL, EFAULT, "NULL vframe");
	ctl_fails_keeping_context(id, (void *)TEST_KERNEL_TEXT, &vx, EFAULT,
	    "tframe in the kernel");
	ctl_fails_keeping_context(id, &tf, (void *)TEST_DIRECT_MAP, EFAULT,
	    "vframe in the kernel");
	ctl_fails_keeping_context(id, (void *)TEST_NONCANON_LO, &vx, EFAULT,
	    "non-canonical tframe");
	ctl_fails_keeping_context(id, tf_edge, &vx, EFAULT,
	    "tframe running into an inaccessible page");
	ctl_fails_keeping_context(id, &tf, vx_edge, EFAULT,
	    "vframe running into an inaccessible page");
	/* A frame the kernel can read but not write back: EFAULT too. */
	memcpy(ro, &tf, sizeof(tf));
	test_expect_ok(mprotect(ro, TEST_PAGE, PROT_READ),
	    "mprotect PROT_READ");
	ctl_fails_keeping_context(id, (struct trapframe *)ro, &vx, EFAULT,
	    "read-only tframe");

	/* The caller's TLS is intact: errno (at %fs) still works. */
	errno = 0;
	test_expect_errno(vmspace_ctl(id, VMSPACE_CTL_RUN, NULL, &vx), EFAULT,
	    "ctl with NULL tframe through libc's errno");
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_after);
	test_expect_hex(fs_after, fs_before, "the caller's fs base");
}

/*
 * vmspace_munmap: DragonFly's checks in order: wrap EINVAL; length 0
 * returns 0 (before the bounds and hole checks); end above
 * VM_MAX_USER_ADDRESS or start below VM_MIN_USER_ADDRESS EINVAL; any
 * hole EINVAL (nothing unmapped).
 */
static void
munmap_checks_in_order(void)
{
	void *id = VS_ID(1);
	char buf[8];

	guest_new(id);
	/* Wraps. */
	test_expect_errno(
	    vmspace_munmap(id, (void *)(G_DATA + 0x800), ~0UL - 0x100), EINVAL,
	    "length + page offset wraps");
	test_expect_errno(vmspace_munmap(id, (void *)G_DATA, ~0UL - 10), EINVAL,
	    "length rounded up to pages wraps");
	test_expect_errno(
	    vmspace_munmap(id, (void *)0xfffffffffffff000UL, 0x2000), EINVAL,
	    "address + length wraps");
	/* Length 0: 0, wherever it is. */
	test_expect_eq(vmspace_munmap(id, NULL, 0), 0, "length 0 at 0");
	test_expect_eq(vmspace_munmap(id, (void *)TEST_KERNEL_TEXT, 0), 0,
	    "length 0 in the kernel");
	test_expect_eq(vmspace_munmap(id, (void *)G_UNMAPPED, 0), 0,
	    "length 0 where nothing is mapped");
	test_expect_eq(vmspace_munmap(id, (void *)G_DATA, 0), 0,
	    "length 0 on a mapping");
	/* Bounds. */
	test_expect_errno(vmspace_munmap(id, NULL, TEST_PAGE), EINVAL,
	    "start below VM_MIN_USER_ADDRESS");
	test_expect_errno(vmspace_munmap(id, (void *)0x800, TEST_PAGE), EINVAL,
	    "start rounded down below VM_MIN_USER_ADDRESS");
	test_expect_errno(vmspace_munmap(id,
			      (void *)(VM_MAX_USER_ADDRESS - TEST_PAGE),
			      2 * TEST_PAGE),
	    EINVAL, "end above VM_MAX_USER_ADDRESS");
	test_expect_errno(
	    vmspace_munmap(id, (void *)VM_MAX_USER_ADDRESS, TEST_PAGE), EINVAL,
	    "start at VM_MAX_USER_ADDRESS");
	test_expect_errno(
	    vmspace_munmap(id, (void *)TEST_NONCANON_LO, TEST_PAGE), EINVAL,
	    "non-canonical");
	test_expect_errno(
	    vmspace_munmap(id, (void *)TEST_KERNEL_TEXT, TEST_PAGE), EINVAL,
	    "kernel text");
	/* Holes. */
	test_expect_errno(vmspace_munmap(id, (void *)G_UNMAPPED, TEST_PAGE),
	    EINVAL, "nothing mapped");
	test_expect_errno(vmspace_munmap(id,
			      (void *)(VM_MAX_USER_ADDRESS - TEST_PAGE),
			      TEST_PAGE),
	    EINVAL, "the last user page, not mapped");
	test_expect_errno(
	    vmspace_munmap(id, (void *)G_DATA, (G_DATA_PAGES + 1) * TEST_PAGE),
	    EINVAL, "past the mapping's end");
	test_expect_errno(
	    vmspace_munmap(id, (void *)(G_DATA - TEST_PAGE), 2 * TEST_PAGE),
	    EINVAL, "before the mapping's start");
	/* The failures unmapped nothing. */
	test_expect_eq(vmspace_pread(id, buf, 8, 0, G_DATA), 8,
	    "pread the first data page");
	test_expect_eq(vmspace_pread(id, buf, 8, 0,
			   G_DATA + (G_DATA_PAGES - 1) * TEST_PAGE),
	    8, "pread the last data page");
	/* A hole in the middle. */
	test_expect_eq(
	    vmspace_munmap(id, (void *)(G_DATA + TEST_PAGE), TEST_PAGE), 0,
	    "munmap the second data page");
	test_expect_errno(vmspace_munmap(id, (void *)G_DATA, 3 * TEST_PAGE),
	    EINVAL, "munmap across the hole");
	test_expect_eq(vmspace_pread(id, buf, 8, 0, G_DATA), 8,
	    "the first data page is still there");
	test_expect_eq(vmspace_pread(id, buf, 8, 0, G_DATA + 2 * TEST_PAGE), 8,
	    "the third data page is still there");
}

/*
 * vmspace_mcontrol: behav < 0 or > MADV_CONTROL_END EINVAL; addr + len
 * wraps, ends above the maximum or starts below the minimum EINVAL;
 * MADV_SETMAP EOPNOTSUPP (after the range checks).
 */
static void
mcontrol_checks(void)
{
	void *id = VS_ID(1);
	const int bad[] = { -1, MADV_CONTROL_END + 1, 100, INT32_MIN };
	void *data = (void *)G_DATA;

	guest_new(id);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		test_expect_errno(
		    vmspace_mcontrol(id, data, TEST_PAGE, bad[i], 0), EINVAL,
		    "a behaviour out of range");
	test_expect_errno(
	    vmspace_mcontrol(id, data, ~0UL, VMSPACE_MADV_NORMAL, 0), EINVAL,
	    "addr + len wraps");
	test_expect_errno(vmspace_mcontrol(id, (void *)TEST_KERNEL_TEXT,
			      TEST_PAGE, VMSPACE_MADV_NORMAL, 0),
	    EINVAL, "in the kernel");
	test_expect_errno(vmspace_mcontrol(id,
			      (void *)(VM_MAX_USER_ADDRESS - TEST_PAGE),
			      2 * TEST_PAGE, VMSPACE_MADV_NORMAL, 0),
	    EINVAL, "end above VM_MAX_USER_ADDRESS");
	test_expect_errno(
	    vmspace_mcontrol(id, NULL, TEST_PAGE, VMSPACE_MADV_NORMAL, 0),
	    EINVAL, "start below VM_MIN_USER_ADDRESS");
	test_expect_errno(vmspace_mcontrol(id, NULL, TEST_PAGE, MADV_SETMAP, 0),
	    EINVAL, "MADV_SETMAP on a bad range");
	test_expect_errno(vmspace_mcontrol(id, data, TEST_PAGE, MADV_SETMAP, 0),
	    EOPNOTSUPP, "MADV_SETMAP");
	/* The edges themselves are fine. */
	test_expect_eq(vmspace_mcontrol(id,
			   (void *)(VM_MAX_USER_ADDRESS - TEST_PAGE), TEST_PAGE,
			   VMSPACE_MADV_NORMAL, 0),
	    0, "the last user page");
	test_expect_eq(vmspace_mcontrol(id, (void *)VM_MIN_USER_ADDRESS,
			   TEST_PAGE, VMSPACE_MADV_NORMAL, 0),
	    0, "the first user page");
	test_expect_eq(vmspace_mcontrol(id, data, TEST_PAGE, MADV_INVAL, 0), 0,
	    "MADV_INVAL");
}

/*
 * vmspace_pread and vmspace_pwrite: flags != 0 EINVAL; offset + nbyte
 * wraps EINVAL; a bad buffer EFAULT; in that order.  A buffer only
 * partly valid is bad, and then nothing is copied.
 */
static void
pread_pwrite_checks(void)
{
	void *id = VS_ID(1);
	char buf[16] = "0123456789abcde";
	char *ro = test_map(TEST_PAGE), *none = test_map(TEST_PAGE);
	char *edge = page_before_hole();
	const int flags[] = { 1, -1, (int)0x80000000 };
	const void *bad[] = { NULL, (void *)1, (void *)TEST_KERNEL_TEXT,
		(void *)TEST_NONCANON_LO };

	guest_new(id);
	test_expect_ok(mprotect(ro, TEST_PAGE, PROT_READ),
	    "mprotect PROT_READ");
	test_expect_ok(mprotect(none, TEST_PAGE, PROT_NONE),
	    "mprotect PROT_NONE");

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		test_expect_errno(vmspace_pread(id, buf, 8, flags[i], G_DATA),
		    EINVAL, "pread with flags");
		test_expect_errno(vmspace_pwrite(id, buf, 8, flags[i], G_DATA),
		    EINVAL, "pwrite with flags");
	}
	test_expect_errno(vmspace_pread(id, NULL, 8, 1, -8), EINVAL,
	    "pread: flags come before wrap and buf");
	test_expect_errno(vmspace_pwrite(id, NULL, 8, 1, -8), EINVAL,
	    "pwrite: flags come before wrap and buf");

	test_expect_errno(
	    vmspace_pread(id, buf, 0x2000, 0, (off_t)0xfffffffffffff000UL),
	    EINVAL, "pread: offset + nbyte wraps");
	test_expect_errno(vmspace_pwrite(id, buf, 2, 0, -1), EINVAL,
	    "pwrite: offset + nbyte wraps");
	test_expect_errno(vmspace_pread(id, NULL, ~0UL, 0, G_DATA), EINVAL,
	    "pread: wrap comes before buf");
	test_expect_errno(vmspace_pwrite(id, NULL, ~0UL, 0, G_DATA), EINVAL,
	    "pwrite: wrap comes before buf");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_expect_errno(
		    vmspace_pread(id, (void *)bad[i], 8, 0, G_DATA), EFAULT,
		    "pread to a bad buffer");
		test_expect_errno(vmspace_pwrite(id, bad[i], 8, 0, G_DATA),
		    EFAULT, "pwrite from a bad buffer");
	}
	test_expect_errno(vmspace_pread(id, NULL, 8, 0, G_UNMAPPED), EFAULT,
	    "pread from an unmapped address to a bad buffer (not 0)");
	test_expect_errno(vmspace_pread(id, ro, 8, 0, G_DATA), EFAULT,
	    "pread to a read-only buffer");
	test_expect_errno(vmspace_pread(id, none, 8, 0, G_DATA), EFAULT,
	    "pread to a PROT_NONE buffer");
	test_expect_errno(vmspace_pwrite(id, none, 8, 0, G_DATA), EFAULT,
	    "pwrite from a PROT_NONE buffer");
	test_expect_eq(vmspace_pwrite(id, ro, 8, 0, G_DATA), 8,
	    "pwrite from a read-only buffer");

	/* Partly valid buffers: EFAULT, and nothing copied either way. */
	guest_write64(id, G_DATA + TEST_PAGE - 8, 0x1122334455667788UL);
	test_expect_errno(vmspace_pread(id, edge + TEST_PAGE - 8, 16, 0,
			      G_DATA + TEST_PAGE - 8),
	    EFAULT,
	    "pread into a buffer that runs "
	    "into an inaccessible page");
	test_expect_hex(*(uint64_t *)(edge + TEST_PAGE - 8),
	    0x5a5a5a5a5a5a5a5aUL,
	    "the valid part of the buffer after the failed pread");
	test_expect_errno(vmspace_pwrite(id, edge + TEST_PAGE - 8, 16, 0,
			      G_DATA + TEST_PAGE - 8),
	    EFAULT,
	    "pwrite from a buffer that runs "
	    "into an inaccessible page");
	test_expect_hex(guest_read64(id, G_DATA + TEST_PAGE - 8),
	    0x1122334455667788UL, "the vmspace after the failed pwrite");

	/* nbyte 0 is fine anywhere. */
	test_expect_eq(vmspace_pread(id, buf, 0, 0, G_UNMAPPED), 0, "pread 0");
	test_expect_eq(vmspace_pwrite(id, buf, 0, 0, G_DATA), 0, "pwrite 0");
}

/*
 * vmspace_mmap: its arguments are checked as mmap's (EINVAL, EBADF);
 * the 7th argument comes from 8(%rsp) (EFAULT if unreadable); the
 * mapping is made in the vmspace and not in the caller.
 */
static void
mmap_checks(void)
{
	void *id = VS_ID(1);
	int fd = test_memfd(2 * TEST_PAGE), fds[2];
	char *edge = page_before_hole();
	uint64_t top = (uint64_t)edge + TEST_PAGE;
	void *p;
	long r, m;

	test_expect_ok(vmspace_create(id, 0, NULL), "create");
	test_expect_errno((long)vmspace_mmap(id, NULL, 0, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
	    EINVAL, "length 0");
	test_expect_errno((long)vmspace_mmap(id, NULL, TEST_PAGE, PROT_READ,
			      MAP_SHARED, 999, 0),
	    EBADF, "a bad fd");
	test_expect_errno((long)vmspace_mmap(id, (void *)(G_EXTRA + 1),
			      TEST_PAGE, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
	    EINVAL, "MAP_FIXED at an address that is not page aligned");
	test_expect_errno((long)vmspace_mmap(id, NULL, TEST_PAGE, PROT_READ,
			      MAP_ANONYMOUS, -1, 0),
	    EINVAL, "neither private nor shared");
	test_expect_errno((long)vmspace_mmap(id, NULL, TEST_PAGE, PROT_READ,
			      MAP_SHARED, fd, 100),
	    EINVAL, "a memfd offset not page aligned");
	/* Only memfds can be mapped (ABI.md 3): a pipe cannot. */
	test_pipe(fds);
	p = vmspace_mmap(id, NULL, TEST_PAGE, PROT_READ, MAP_SHARED, fds[0], 0);
	test_assert_msg(p == MAP_FAILED, "vmspace_mmap of a pipe gave %p", p);
	close(fds[0]);
	close(fds[1]);

	/* The 7th argument, offset, is read at 8(%rsp) of the stub. */
	m = test_mmap(0, 2 * TEST_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0);
	test_assert_msg(m != -1, "mmap the memfd: -1 (%s)",
	    test_errname(errno));
	memcpy((char *)m + TEST_PAGE, "second", 7);
	*(uint64_t *)(top - 8) = TEST_PAGE; /* the offset, at rsp + 8 */
	r = vs_mmap7_on_stack(id, G_EXTRA, TEST_PAGE, PROT_READ,
	    MAP_SHARED | MAP_FIXED, fd, top - 16);
	test_expect_hex(r, G_EXTRA, "mmap with its offset at 8(%rsp)");
	test_expect_hex(guest_read64(id, G_EXTRA), *(uint64_t *)"second\0",
	    "the memfd's second page is mapped");
	r = vs_mmap7_on_stack(id, G_EXTRA + TEST_PAGE, TEST_PAGE, PROT_READ,
	    MAP_SHARED | MAP_FIXED, fd, top - 8);
	test_expect_raw_errno(r, EFAULT, "mmap with 8(%rsp) inaccessible");

	/* In the vmspace, not in the caller. */
	p = vmspace_mmap(id, NULL, TEST_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_assert_msg(p != MAP_FAILED, "mmap with no address: -1 (%s)",
	    test_errname(errno));
	test_assert_msg((uint64_t)p >= VM_MIN_USER_ADDRESS &&
		(uint64_t)p < VM_MAX_USER_ADDRESS && ((uint64_t)p & 4095) == 0,
	    "mmap returned %p", p);
	guest_write64(id, (uint64_t)p, 42);
	test_pipe(fds);
	test_expect_errno(write(fds[1], (void *)G_EXTRA, 1), EFAULT,
	    "the caller has nothing at the vmspace's fixed address");
}

/* vmspace_spawn: flags with another bit, or both: EINVAL; bad frames. */
static void
spawn_checks(void)
{
	void *id = VS_ID(1);
	const int bad[] = { 1, 2, 8, RFFDG | RFCFDG, RFFDG | 1, -1 };
	struct trapframe tf;
	struct vextframe vx = { 0 };
	struct kstat ks;

	guest_new(id);
	guest_frame(&tf);
	vs_kstat(&ks);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		test_expect_errno(vmspace_spawn(id, &tf, &vx, bad[i]), EINVAL,
		    "spawn with bad flags");
	test_expect_errno(vmspace_spawn(id, NULL, &vx, RFFDG), EFAULT,
	    "spawn with a NULL tframe");
	test_expect_errno(
	    vmspace_spawn(id, &tf, (void *)TEST_KERNEL_TEXT, RFFDG), EFAULT,
	    "spawn with a vframe in the kernel");
	tf.tf_rip = TEST_KERNEL_TEXT;
	test_expect_errno(vmspace_spawn(id, &tf, &vx, RFFDG), EINVAL,
	    "spawn with rip in the kernel");
	guest_frame(&tf);
	tf.tf_rsp = TEST_NONCANON_LO;
	test_expect_errno(vmspace_spawn(id, &tf, &vx, 0), EINVAL,
	    "spawn with a non-canonical rsp");
	guest_frame(&tf);
	vx.vx_fsbase = TEST_DIRECT_MAP;
	test_expect_errno(vmspace_spawn(id, &tf, &vx, RFCFDG), EINVAL,
	    "spawn with an fs base in the kernel");
	vx.vx_fsbase = 0;
	vx.vx_gsbase = TEST_NONCANON_LO;
	test_expect_errno(vmspace_spawn(id, &tf, &vx, RFFDG), EINVAL,
	    "spawn with a non-canonical gs base (ABI.md 4.4)");
	vx.vx_gsbase = 0;
	/* Nothing happened: the vmspace is still ours, no process was made. */
	guest_write64(id, G_DATA, 1);
	vs_expect_entries(ks.ks_nvmspace_entries, "after the failed spawns");
	{
		struct kstat now;

		vs_kstat(&now);
		test_expect_eq(now.ks_nprocs, ks.ks_nprocs, "processes");
	}
}

const struct test vs_error_tests[] = {
	{ "no_vkernel_einval", no_vkernel_einval, NULL },
	{ "unknown_id_enoent", unknown_id_enoent, NULL },
	{ "create_errors", create_errors, NULL },
	{ "create_enomem_at_limit", create_enomem_at_limit, NULL },
	{ "ctl_bad_cmd_eopnotsupp", ctl_bad_cmd_eopnotsupp, NULL },
	{ "ctl_bad_pointers_efault", ctl_bad_pointers_efault, NULL },
	{ "munmap_checks_in_order", munmap_checks_in_order, NULL },
	{ "mcontrol_checks", mcontrol_checks, NULL },
	{ "pread_pwrite_checks", pread_pwrite_checks, NULL },
	{ "mmap_checks", mmap_checks, NULL },
	{ "spawn_checks", spawn_checks, NULL },
	{ NULL, NULL, NULL },
};
