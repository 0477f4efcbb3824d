/*
 * vmspace.c: the vmspace service (ABI.md 4.1) under concurrency.
 *
 *   - vmspace_race: workers of this process and of a forked child (which
 *     shares the tree) create, destroy, map, unmap, write, read and run
 *     the same few ids at random: every result must be one that some
 *     order of the calls allows, a read never shows bytes that were not
 *     written, and once all is destroyed every entry is freed;
 *   - vmspace_same_id: workers run guests in one vmspace at once (each
 *     with its own registers), while another keeps destroying it and
 *     making it again.
 *
 * Workers use raw calls only (smp.h).
 */

#include "smp.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define G_CODE 0x400000UL
#define G_DATA 0x600000UL
#define G_STACK_TOP 0x602000UL

/* syscall */
static const unsigned char guest_syscall[] = { 0x0f, 0x05 };

/*
 * add %rdi, %rax ; syscall : the result tells whose registers the guest
 * ran with (the controller sets rax and rdi).
 */
static const unsigned char guest_add[] = { 0x48, 0x01, 0xf8, 0x0f, 0x05 };

static void
frame(struct trapframe *tf)
{
	memset(tf, 0, sizeof(*tf));
	tf->tf_rip = G_CODE;
	tf->tf_rsp = G_STACK_TOP;
	tf->tf_rflags = 0x202;
	tf->tf_cs = USER_CS_SEL;
	tf->tf_ss = USER_DS_SEL;
}

/* ---------------------------------------------------------------------
 * vmspace_race
 */

enum {
	VR_IDS = 4,
	VR_WORKERS = 6,
	VR_CHILD_WORKERS = 3,
	VR_OPS = 600
};

static char vr_ids[VR_IDS];

/* Whether r is one of the n values that follow. */
static int
one_of(long r, int n, ...)
{
	__builtin_va_list ap;
	int found = 0;

	__builtin_va_start(ap, n);
	for (int i = 0; i < n; i++)
		if (__builtin_va_arg(ap, long) == r)
			found = 1;
	__builtin_va_end(ap);
	return found;
}

static void
vr_worker(struct smp_group *g, int w)
{
	uint64_t rs = smp_rand_state(g, w);

	if (smp_barrier(g, w) != 0)
		return;
	for (long it = 0; it < VR_OPS && !smp_failed(g); it++) {
		void *id = &vr_ids[smp_rand_below(&rs, VR_IDS)];
		struct vextframe vx = { 0, 0, 2 * SMP_MS };
		struct trapframe tf;
		unsigned char buf[2];
		long r;

		smp_doing(g, w, "a vmspace call", it);
		switch (smp_rand_below(&rs, 8)) {
		case 0:
			r = test_raw3(SYS_vmspace_create, id, 0, 0);
			if (!one_of(r, 2, 0L, (long)-EEXIST))
				return (void)smp_fail(g, w, it,
				    "vmspace_create: 0 or EEXIST", r, 0, 0);
			break;
		case 1:
			r = test_raw1(SYS_vmspace_destroy, id);
			if (!one_of(r, 3, 0L, (long)-ENOENT, (long)-EBUSY))
				return (void)smp_fail(g, w, it,
				    "vmspace_destroy: 0, ENOENT or EBUSY", r, 0,
				    0);
			break;
		case 2:
			r = smp_vmspace_map(id, G_CODE, TEST_PAGE,
			    PROT_READ | PROT_EXEC);
			if (!one_of(r, 2, (long)G_CODE, (long)-ENOENT))
				return (void)smp_fail(g, w, it,
				    "vmspace_mmap: the address or ENOENT", r,
				    (long)G_CODE, 0);
			break;
		case 3:
			r = test_raw5(SYS_vmspace_pwrite, id, guest_syscall,
			    sizeof(guest_syscall), 0, G_CODE);
			if (!one_of(r, 3, 0L, (long)sizeof(guest_syscall),
				(long)-ENOENT))
				return (void)smp_fail(g, w, it,
				    "vmspace_pwrite: 0, 2 or ENOENT", r, 2, 0);
			break;
		case 4:
			buf[0] = buf[1] = 0xcc;
			r = test_raw5(SYS_vmspace_pread, id, buf, sizeof(buf),
			    0, G_CODE);
			if (!one_of(r, 3, 0L, (long)sizeof(buf), (long)-ENOENT))
				return (void)smp_fail(g, w, it,
				    "vmspace_pread: 0, 2 or ENOENT", r, 2, 0);
			for (long i = 0; i < r; i++)
				if (buf[i] != 0 && buf[i] != guest_syscall[i])
					return (void)smp_fail(g, w, it,
					    "a byte vmspace_pread read: 0 or "
					    "the code's",
					    buf[i], guest_syscall[i], G_CODE);
			break;
		case 5:
			r = test_raw3(SYS_vmspace_munmap, id, G_CODE,
			    TEST_PAGE);
			if (!one_of(r, 3, 0L, (long)-EINVAL, (long)-ENOENT))
				return (void)smp_fail(g, w, it,
				    "vmspace_munmap: 0, EINVAL or ENOENT", r, 0,
				    0);
			break;
		default:
			frame(&tf);
			r = test_raw4(SYS_vmspace_ctl, id, VMSPACE_CTL_RUN, &tf,
			    &vx);
			if (!one_of(r, 2, 0L, (long)-ENOENT))
				return (void)smp_fail(g, w, it,
				    "vmspace_ctl: 0 or ENOENT", r, 0, 0);
			/*
			 * A run racing a vmspace_pwrite of the code may see
			 * its first byte without its second: "0f 00 00" is
			 * SLDT, a general protection fault in user mode
			 * under UMIP, at the code's first byte.
			 */
			if (r == 0 && tf.tf_trapno == T_PROTFLT &&
			    tf.tf_rip == G_CODE)
				break;
			if (r == 0 &&
			    !one_of((long)tf.tf_trapno, 3, (long)T_SYSCALL,
				(long)T_PAGEFLT, (long)T_TIMEOUT))
				return (void)smp_fail(g, w, it,
				    "the guest's trap: T_SYSCALL, T_PAGEFLT or "
				    "T_TIMEOUT",
				    (long)tf.tf_trapno, T_SYSCALL, tf.tf_rip);
			break;
		}
	}
}

/*
 * The same ids from VR_WORKERS LWPs here and VR_CHILD_WORKERS in a child
 * sharing the tree; then everything destroyed and freed.
 */
static void
t_vmspace_race(void)
{
	struct smp_counts base;
	struct smp_group g;
	pid_t pid;

	smp_counts(&base);
	/* The first create makes the tree that the child then shares. */
	test_expect_ok(vmspace_create(&vr_ids[0], 0, NULL), "vmspace_create");
	pid = test_fork();
	if (pid == 0) {
		smp_run(&g, VR_CHILD_WORKERS, vr_worker, NULL, 31);
		_exit(0);
	}
	smp_run(&g, VR_WORKERS, vr_worker, NULL, 30);
	test_expect_exit(pid, 0, "the child's workers");
	for (int i = 0; i < VR_IDS; i++) {
		long r = test_raw1(SYS_vmspace_destroy, &vr_ids[i]);

		test_assert_msg(r == 0 || r == -ENOENT,
		    "seed %llu: vmspace_destroy of id %d after the race: %ld",
		    (unsigned long long)test_seed, i, r);
	}
	/* The workers that cached entries have exited: all are freed. */
	smp_expect_counts(&base, "after every id was destroyed");
}

/* ---------------------------------------------------------------------
 * vmspace_same_id
 */

enum {
	VS_RUNNERS = 5,
	VS_RUNS = 300
};

static char vs_id;

/* Create vs_id with code and stack; 0 or the raw error. */
static long
vs_make(void)
{
	long r = test_raw3(SYS_vmspace_create, &vs_id, 0, 0);

	if (r != 0)
		return r;
	r = smp_vmspace_map(&vs_id, G_CODE, TEST_PAGE, PROT_READ | PROT_EXEC);
	if (r != (long)G_CODE)
		return r;
	r = smp_vmspace_map(&vs_id, G_DATA, 2 * TEST_PAGE,
	    PROT_READ | PROT_WRITE);
	if (r != (long)G_DATA)
		return r;
	r = test_raw5(SYS_vmspace_pwrite, &vs_id, guest_add, sizeof(guest_add),
	    0, G_CODE);
	return r == (long)sizeof(guest_add) ? 0 : r;
}

/*
 * Workers 0 .. VS_RUNNERS-1 run the guest with registers of their own;
 * the last worker destroys and re-creates the vmspace.
 */
static void
vs_worker(struct smp_group *g, int w)
{
	uint64_t rs = smp_rand_state(g, w);

	if (smp_barrier(g, w) != 0)
		return;
	for (long it = 0; it < VS_RUNS && !smp_failed(g); it++) {
		struct vextframe vx = { 0, 0, 5 * SMP_MS };
		struct trapframe tf;
		uint64_t rax;
		long r;

		if (w == VS_RUNNERS) {
			smp_doing(g, w, "vmspace_destroy and create", it);
			r = test_raw1(SYS_vmspace_destroy, &vs_id);
			if (!one_of(r, 2, 0L, (long)-EBUSY))
				return (void)smp_fail(g, w, it,
				    "vmspace_destroy: 0 or EBUSY", r, 0, 0);
			if (r == 0 && (r = vs_make()) != 0)
				return (void)smp_fail(g, w, it,
				    "making the vmspace again", r, 0, 0);
			smp_yield();
			continue;
		}
		smp_doing(g, w, "vmspace_ctl", it);
		frame(&tf);
		rax = test_rand(&rs) >> 2;
		tf.tf_rax = rax;
		tf.tf_rdi = ((uint64_t)w << 40) | (uint64_t)it;
		r = test_raw4(SYS_vmspace_ctl, &vs_id, VMSPACE_CTL_RUN, &tf,
		    &vx);
		if (r == -ENOENT)
			continue; /* between destroy and create */
		if (r != 0)
			return (void)smp_fail(g, w, it,
			    "vmspace_ctl: 0 or ENOENT", r, 0, 0);
		if (tf.tf_trapno == T_TIMEOUT || tf.tf_trapno == T_PAGEFLT)
			continue; /* stopped early, or the code not yet there */
		/*
		 * Run between vs_make's map and its write, the guest executes
		 * zeros: "add %al, (%rax)" with our random rax, a general
		 * protection fault at its first byte when rax is not canonical.
		 */
		if (tf.tf_trapno == T_PROTFLT && tf.tf_rip == G_CODE)
			continue;
		if (tf.tf_trapno != T_SYSCALL)
			return (void)smp_fail(g, w, it, "the guest's trap",
			    (long)tf.tf_trapno, T_SYSCALL, tf.tf_rip);
		if (tf.tf_rip != G_CODE + sizeof(guest_add))
			return (void)smp_fail(g, w, it, "the guest's rip",
			    (long)tf.tf_rip, (long)(G_CODE + sizeof(guest_add)),
			    0);
		if (tf.tf_rdi != (((uint64_t)w << 40) | (uint64_t)it))
			return (void)smp_fail(g, w, it,
			    "the guest's rdi (another LWP's registers?)",
			    (long)tf.tf_rdi, (long)(((uint64_t)w << 40) | it),
			    0);
		if (tf.tf_rax != rax + tf.tf_rdi)
			return (void)smp_fail(g, w, it,
			    "the guest's rax (rax + rdi)", (long)tf.tf_rax,
			    (long)(rax + tf.tf_rdi), 0);
	}
}

/* Guests of one id run by several LWPs while it is destroyed and made. */
static void
t_vmspace_same_id(void)
{
	struct smp_counts base;
	struct smp_group g;
	long r;

	smp_counts(&base);
	r = vs_make();
	test_assert_msg(r == 0, "making the vmspace: %ld", r);
	smp_run(&g, VS_RUNNERS + 1, vs_worker, NULL, 40);
	r = test_raw1(SYS_vmspace_destroy, &vs_id);
	test_assert_msg(r == 0, "vmspace_destroy at the end: %ld", r);
	smp_expect_counts(&base, "after the vmspace was destroyed");
}

const struct test smp_vmspace_tests[] = {
	{ "vmspace_race", t_vmspace_race, "the vmspace service is native" },
	{ "vmspace_same_id", t_vmspace_same_id,
	    "the vmspace service is native" },
	{ NULL, NULL, NULL },
};
