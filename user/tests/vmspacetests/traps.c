/*
 * traps.c: running guests with vmspace_ctl (ABI.md 4.3 and 4.4).
 *
 * Every trap kind comes back with the right tf_trapno, tf_err, tf_addr
 * and tf_rip; every register survives a round trip both ways; hostile
 * frames are sanitized or refused (EINVAL) with the caller's context
 * unchanged; the FS and GS bases reach the guest, and the bases a guest
 * sets with segment loads come back in the vframe and stay its own;
 * vx_timeout_ns ends a run with T_TIMEOUT and running again resumes
 * exactly.
 *
 * Each guest is a few instructions assembled by GUEST() (vs.h) and
 * copied to G_CODE of a vmspace made by guest_new().
 */

#include "vs.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MS 1000000ULL

/* ---------------------------------------------------------------------
 * Trap kinds.
 */

/* The guest's answer: the word at G_DATA, in rax. */
GUEST(g_read_data, "movq " VS_STR(G_DATA) ", %rax\n syscall\n");

#define MANY_IDS 300

/*
 * One LWP runs 300 vmspaces in turn (past the first size of its chains
 * of guest registers, which then grow), every id answering with its
 * own word; then every other one is destroyed and made again under the
 * same id with another word, while the LWP still holds references to
 * the deleted ones: each run must reach the live vmspace of its id.
 */
static void
run_many_ids_in_turn(void)
{
	struct trapframe tf;

	for (long i = 0; i < MANY_IDS; i++) {
		guest_new(VS_ID(100 + i));
		guest_load(VS_ID(100 + i), g_read_data);
		guest_write64(VS_ID(100 + i), G_DATA, (uint64_t)i);
	}
	for (int round = 0; round < 2; round++) {
		for (long i = 0; i < MANY_IDS; i++) {
			guest_frame(&tf);
			guest_run(VS_ID(100 + i), &tf, NULL);
			vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_read_data),
			    "a guest among many");
			test_expect_eq(tf.tf_rax, (uint64_t)i,
			    "the answer of guest i (first round)");
		}
	}
	for (long i = 1; i < MANY_IDS; i += 2) {
		test_expect_ok(vmspace_destroy(VS_ID(100 + i)),
		    "destroy an odd guest");
		guest_new(VS_ID(100 + i));
		guest_load(VS_ID(100 + i), g_read_data);
		guest_write64(VS_ID(100 + i), G_DATA, (uint64_t)(i + 1000));
	}
	for (long i = MANY_IDS - 1; i >= 0; i--) {
		uint64_t want = (i & 1) ? (uint64_t)(i + 1000) : (uint64_t)i;

		guest_frame(&tf);
		guest_run(VS_ID(100 + i), &tf, NULL);
		vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_read_data),
		    "a guest among many, after half were made again");
		test_expect_eq(tf.tf_rax, want,
		    "the answer of guest i: the live vmspace of its id");
	}
	for (long i = 0; i < MANY_IDS; i++)
		test_expect_ok(vmspace_destroy(VS_ID(100 + i)), "destroy");
	test_expect_errno(vmspace_ctl(VS_ID(100), VMSPACE_CTL_RUN, &tf, NULL),
	    ENOENT, "run a destroyed id");
}

/* syscall: T_SYSCALL, rip past it, rcx = that rip, r11 = rflags. */
GUEST(g_syscall,
    "movl $0x1234, %eax\n"
    "stc\n"
    "syscall\n");

/* A guest's system calls are never executed: exit_group, destroy. */
GUEST(g_exit_destroy,
    "movl $231, %eax\n"
    "movl $9, %edi\n"
    "syscall\n"
    "g_exit_destroy_2: movl $487, %eax\n"	/* vmspace_destroy(rdi) */
    "movq %rbx, %rdi\n"
    "syscall\n");
GUEST_LABEL(g_exit_destroy_2);

static void
trap_syscall(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_syscall);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_syscall), "syscall");
	test_expect_hex(tf.tf_rcx, GUEST_END(g_syscall),
	    "rcx holds the return rip");
	test_expect_hex(tf.tf_r11, tf.tf_rflags, "r11 holds rflags");
	test_assert_msg((tf.tf_r11 & (PSL_C | PSL_I)) == (PSL_C | PSL_I),
	    "r11 = 0x%llx: expected CF (set by the guest) and IF",
	    (unsigned long long)tf.tf_r11);
	test_expect_hex(tf.tf_rax, 0x1234, "rax as the guest set it");
	test_expect_hex(tf.tf_cs, USER_CS_SEL, "tf_cs");
	test_expect_hex(tf.tf_ss, USER_DS_SEL, "tf_ss");
	test_expect_hex(tf.tf_rsp, G_STACK_TOP, "tf_rsp");

	/* exit_group(9) and vmspace_destroy(id) come to us, unexecuted. */
	guest_load(id, g_exit_destroy);
	guest_frame(&tf);
	tf.tf_rbx = (uint64_t)id;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL,
	    GUEST_AT(g_exit_destroy, g_exit_destroy_2),
	    "the guest's exit_group");
	test_expect_eq(tf.tf_rax, 231, "rax: the guest's call number");
	test_expect_eq(tf.tf_rdi, 9, "rdi: its argument");
	tf.tf_rax = (uint64_t)-38; /* the controller's answer: ENOSYS */
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_exit_destroy),
	    "the guest's vmspace_destroy");
	test_expect_eq(tf.tf_rax, 487, "rax: the guest's call number");
	guest_write64(id, G_DATA, 1); /* the vmspace is still there */
}

/* ud2: T_PRIVINFLT (6) at the instruction. */
GUEST(g_ud2, "nop\n g_ud2_at: ud2\n");
GUEST_LABEL(g_ud2_at);

static void
trap_invalid_opcode(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_ud2);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PRIVINFLT, GUEST_AT(g_ud2, g_ud2_at), "ud2");
	test_expect_hex(tf.tf_err, 0, "tf_err");
	/* It stays where it is: running again traps again. */
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PRIVINFLT, GUEST_AT(g_ud2, g_ud2_at),
	    "ud2 again");
}

/* int3: T_BPTFLT (3) with rip after it; running again goes on. */
GUEST(g_int3, "nop\n int3\n g_int3_after: nop\n syscall\n");
GUEST_LABEL(g_int3_after);

static void
trap_breakpoint(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_int3);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_BPTFLT, GUEST_AT(g_int3, g_int3_after), "int3");
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_int3), "after int3");
}

/* div by zero: T_DIVIDE (0) at the instruction. */
GUEST(g_divide,
    "xorl %ecx, %ecx\n"
    "movl $1, %eax\n"
    "xorl %edx, %edx\n"
    "g_divide_at: divl %ecx\n"
    "syscall\n");
GUEST_LABEL(g_divide_at);

static void
trap_divide(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_divide);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_DIVIDE, GUEST_AT(g_divide, g_divide_at),
	    "divide by zero");
	/* The controller fixes the divisor and resumes at the div. */
	tf.tf_rcx = 1;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_divide), "after the fix");
	test_expect_eq(tf.tf_rax, 1, "1 / 1");
}

/* Privileged instructions: T_PROTFLT (13), err 0, at the instruction. */
GUEST(g_hlt, "hlt\n");
GUEST(g_cli, "cli\n");
GUEST(g_sti, "sti\n");
GUEST(g_mov_cr3, "movq %cr3, %rax\n");
GUEST(g_wrmsr, "xorl %eax, %eax\n xorl %edx, %edx\n movl $0xc0000080, %ecx\n"
    "g_wrmsr_at: wrmsr\n");
GUEST_LABEL(g_wrmsr_at);
GUEST(g_inb, "inb $0x80, %al\n");
GUEST(g_outb, "outb %al, $0x80\n");
GUEST(g_lgdt, "lgdt " VS_STR(G_DATA) "\n");
GUEST(g_swapgs, "swapgs\n");
GUEST(g_iretq_cpl0, /* an iretq frame for cs 0x08: must not reach ring 0 */
    "pushq $0x10\n pushq %rsp\n pushq $0x2\n pushq $0x08\n"
    "leaq 1f(%rip), %rax\n pushq %rax\n"
    "g_iretq_at: iretq\n"
    "1: syscall\n");
GUEST_LABEL(g_iretq_at);

static void
trap_privileged(void)
{
	static const struct {
		const char *name;
		const unsigned char *code, *end;
		uint64_t off; /* of the faulting instruction */
	} insns[] = {
		{ "hlt", g_hlt, g_hlt_end, 0 },
		{ "cli", g_cli, g_cli_end, 0 },
		{ "sti", g_sti, g_sti_end, 0 },
		{ "mov %cr3", g_mov_cr3, g_mov_cr3_end, 0 },
		{ "wrmsr", g_wrmsr, g_wrmsr_end, 0 },
		{ "inb", g_inb, g_inb_end, 0 },
		{ "outb", g_outb, g_outb_end, 0 },
		{ "lgdt", g_lgdt, g_lgdt_end, 0 },
		{ "swapgs", g_swapgs, g_swapgs_end, 0 },
		{ "iretq to cs 0x08", g_iretq_cpl0, g_iretq_cpl0_end, 0 },
	};
	/*
	 * QEMU 7.2's TCG pops an iretq's frame at CPL 3 with supervisor
	 * accesses: with SMAP on, every user-mode iretq page-faults (error
	 * 1, not a user access) on its own present stack, the kernel finds
	 * the page mapped and retries, forever.  No kernel can tell that
	 * apart, so the iretq case runs only on CPUs without SMAP.
	 */
	size_t n =
	    sizeof(insns) / sizeof(insns[0]) - (vs_cpu_has_smap() ? 1 : 0);
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	if (vs_cpu_has_smap())
		test_note("SMAP: the iretq case is left out (see the comment)");
	for (size_t i = 0; i < n; i++) {
		uint64_t off = insns[i].off;
		char what[64];

		if (insns[i].code == g_wrmsr)
			off = g_wrmsr_at - g_wrmsr;
		if (insns[i].code == g_iretq_cpl0)
			off = g_iretq_at - g_iretq_cpl0;
		guest_code(id, insns[i].code, insns[i].end - insns[i].code);
		guest_frame(&tf);
		guest_run(id, &tf, NULL);
		snprintf(what, sizeof(what), "%s in the guest", insns[i].name);
		vs_expect_trap(&tf, T_PROTFLT, G_CODE + off, what);
		if (insns[i].code != g_iretq_cpl0)
			test_expect_hex(tf.tf_err, 0, what);
		test_expect_hex(tf.tf_cs, USER_CS_SEL, what);
	}
}

/*
 * int $N: only vector 3 may be raised by user code; any other vector
 * (the system call vectors of other systems, IRQs, exceptions) gives
 * T_PROTFLT with the IDT error code N * 8 + 2, and the handler never
 * runs.
 */
GUEST(g_int_n, "g_int_n_at: int $0x80\n syscall\n");
GUEST_LABEL(g_int_n_at);

static void
trap_int_n(void)
{
	static const unsigned char vec[] = {
		0x80,
		0x20,
		0x21,
		0x30,
		0xef,
		0xff,
		0x0e,
		0x0d,
		0x08,
		0x02,
		0x01,
		0x00,
		0x12,
	};
	void *id = VS_ID(1);
	unsigned char code[16];
	struct trapframe tf;
	size_t len = g_int_n_end - g_int_n;

	guest_new(id);
	memcpy(code, g_int_n, len);
	for (size_t i = 0; i < sizeof(vec); i++) {
		char what[48];

		code[g_int_n_at - g_int_n + 1] = vec[i]; /* CD ib */
		guest_code(id, code, len);
		guest_frame(&tf);
		guest_run(id, &tf, NULL);
		snprintf(what, sizeof(what), "int $0x%x in the guest", vec[i]);
		vs_expect_trap(&tf, T_PROTFLT, G_CODE, what);
		/*
		 * The CPU's error code is vector * 8 + 2 (IDT); QEMU 7.2's
		 * TCG gives vector * 16 + 2 in long mode.  Either is the
		 * CPU's, passed through.
		 */
		test_assert_msg(tf.tf_err == vec[i] * 8U + 2 ||
			tf.tf_err == vec[i] * 16U + 2,
		    "%s: tf_err 0x%llx, "
		    "expected 0x%x",
		    what, (unsigned long long)tf.tf_err, vec[i] * 8 + 2);
	}
	code[g_int_n_at - g_int_n + 1] = 3;
	guest_code(id, code, len);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_BPTFLT, G_CODE + 2, "int $3 (two bytes)");
}

/* Page faults on unmapped memory: T_PAGEFLT, tf_addr, the err bits. */
GUEST(g_read_unmapped, "movq " VS_STR(G_UNMAPPED) " + 0x123, %rax\n");
GUEST(g_write_unmapped, "movq %rax, " VS_STR(G_UNMAPPED) " + 0x456\n");
GUEST(g_fetch_unmapped, "movq $" VS_STR(G_UNMAPPED) " + 0x10, %rax\n"
    "jmp *%rax\n");
GUEST(g_push_unmapped, "pushq %rax\n");

static void
trap_page_fault_unmapped(void)
{
	void *id = VS_ID(1);
	uint64_t fetch_err = vs_cpu_has_nx() ? PGEX_U | PGEX_I : PGEX_U;
	struct trapframe tf;

	guest_new(id);

	guest_load(id, g_read_unmapped);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "read of unmapped memory");
	test_expect_hex(tf.tf_addr, G_UNMAPPED + 0x123, "tf_addr of the read");
	test_expect_hex(tf.tf_err, PGEX_U, "tf_err of the read");

	guest_load(id, g_write_unmapped);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "write to unmapped memory");
	test_expect_hex(tf.tf_addr, G_UNMAPPED + 0x456, "tf_addr of the write");
	test_expect_hex(tf.tf_err, PGEX_U | PGEX_W, "tf_err of the write");

	guest_load(id, g_fetch_unmapped);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_UNMAPPED + 0x10,
	    "instruction fetch from unmapped memory");
	test_expect_hex(tf.tf_addr, G_UNMAPPED + 0x10, "tf_addr of the fetch");
	test_expect_hex(tf.tf_err, fetch_err, "tf_err of the fetch");

	guest_load(id, g_push_unmapped);
	guest_frame(&tf);
	tf.tf_rsp = G_UNMAPPED + 0x1000;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "push onto an unmapped stack");
	test_expect_hex(tf.tf_addr, G_UNMAPPED + 0xff8, "tf_addr of the push");
	test_expect_hex(tf.tf_err, PGEX_U | PGEX_W, "tf_err of the push");
	test_expect_hex(tf.tf_rsp, G_UNMAPPED + 0x1000,
	    "rsp is unchanged by the faulting push");
}

/*
 * Page faults on mapped memory without the access: write to read-only
 * (protection bit), fetch from a no-exec page (with NX), any access to
 * the kernel half, and a non-canonical access (T_PROTFLT).
 */
GUEST(g_write_code, "movq %rax, " VS_STR(G_CODE) " + 8\n");
GUEST(g_fetch_data, "movq $" VS_STR(G_DATA) ", %rax\n jmp *%rax\n");
GUEST(g_read_kernel, "movabs 0xffffffff80000000, %rax\n");
GUEST(g_read_none, "movq " VS_STR(G_EXTRA) " + 8, %rax\n");
GUEST(g_write_ro, "movq $7, " VS_STR(G_EXTRA) " + 4096 + 16\n");
GUEST(g_write_kernel, "movabs %rax, 0xffff800000001000\n");
GUEST(g_read_noncanonical, "movabs 0x0000800000000000, %rax\n");

static void
trap_page_fault_protection(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);

	guest_load(id, g_write_code);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "write to read-only code");
	test_expect_hex(tf.tf_addr, G_CODE + 8, "tf_addr of the write");
	test_expect_hex(tf.tf_err, PGEX_P | PGEX_W | PGEX_U,
	    "tf_err of the write (protection, write, user)");

	guest_write64(id, G_DATA, 0x90909090c3c3c3c3UL);
	guest_load(id, g_fetch_data);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	if (vs_cpu_has_nx()) {
		vs_expect_trap(&tf, T_PAGEFLT, G_DATA,
		    "execute a read-write page without PROT_EXEC");
		test_expect_hex(tf.tf_addr, G_DATA, "tf_addr of the fetch");
		test_expect_hex(tf.tf_err, PGEX_P | PGEX_U | PGEX_I,
		    "tf_err of the fetch (protection, user, fetch)");
	} else {
		test_note("no NX on this CPU: executing data is allowed");
	}

	/* A PROT_NONE page, and a write to an untouched read-only page. */
	guest_map(id, G_EXTRA, TEST_PAGE, PROT_NONE);
	guest_map(id, G_EXTRA + TEST_PAGE, TEST_PAGE, PROT_READ);
	guest_load(id, g_read_none);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "read of a PROT_NONE page");
	test_expect_hex(tf.tf_addr, G_EXTRA + 8, "tf_addr of the read");
	test_assert_msg((tf.tf_err & (PGEX_U | PGEX_W | PGEX_I)) == PGEX_U,
	    "tf_err 0x%llx: expected a user read",
	    (unsigned long long)tf.tf_err);
	guest_load(id, g_write_ro);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE,
	    "write to an untouched PROT_READ page");
	test_expect_hex(tf.tf_addr, G_EXTRA + TEST_PAGE + 16,
	    "tf_addr of the write");
	test_assert_msg((tf.tf_err & (PGEX_U | PGEX_W)) == (PGEX_U | PGEX_W),
	    "tf_err 0x%llx: expected a user write",
	    (unsigned long long)tf.tf_err);
	test_expect_hex(guest_read64(id, G_EXTRA + TEST_PAGE + 16), 0,
	    "the read-only page after the refused write");

	guest_load(id, g_read_kernel);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "read of kernel text");
	test_expect_hex(tf.tf_addr, TEST_KERNEL_TEXT, "tf_addr of the read");
	test_assert_msg((tf.tf_err & (PGEX_U | PGEX_W | PGEX_I)) == PGEX_U,
	    "tf_err 0x%llx: expected a user read",
	    (unsigned long long)tf.tf_err);

	guest_load(id, g_write_kernel);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "write to the direct map");
	test_expect_hex(tf.tf_addr, TEST_DIRECT_MAP + 0x1000,
	    "tf_addr of the write");
	test_assert_msg((tf.tf_err & (PGEX_U | PGEX_W)) == (PGEX_U | PGEX_W),
	    "tf_err 0x%llx: expected a user write",
	    (unsigned long long)tf.tf_err);

	guest_load(id, g_read_noncanonical);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PROTFLT, G_CODE, "non-canonical read");
}

/*
 * A page fault the controller resolves: it maps the page and runs the
 * same frame again, and the faulting instruction completes.
 */
GUEST(g_load_extra, "movq " VS_STR(G_EXTRA) " + 16, %rax\n syscall\n");

static void
trap_page_fault_then_map(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_load_extra);
	guest_frame(&tf);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, G_CODE, "read of unmapped G_EXTRA");
	test_expect_hex(tf.tf_addr, G_EXTRA + 16, "tf_addr");
	guest_map(id, G_EXTRA, TEST_PAGE, PROT_READ);
	guest_write64(id, G_EXTRA + 16, 0xfeedfacecafebeefUL);
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_load_extra),
	    "after mapping it");
	test_expect_hex(tf.tf_rax, 0xfeedfacecafebeefUL, "what the guest read");
}

/* ---------------------------------------------------------------------
 * Registers.
 */

/* Every register in, unchanged by a guest that only makes a syscall. */
GUEST(g_syscall_store,
    "syscall\n"
    "g_syscall_store_after: movabs %rax, " VS_STR(G_DATA) "\n"
    "syscall\n");
GUEST_LABEL(g_syscall_store_after);

static void
regs_round_trip(void)
{
	void *id = VS_ID(1);
	const uint64_t flags = PSL_C | PSL_PF | PSL_AF | PSL_Z | PSL_N | PSL_D |
	    PSL_V | PSL_I | PSL_RESERVED1;
	struct trapframe tf, in;

	guest_new(id);
	guest_load(id, g_syscall_store);
	guest_frame(&tf);
	tf.tf_rdi = 0x1111111111111101UL;
	tf.tf_rsi = 0x2222222222222202UL;
	tf.tf_rdx = 0x3333333333333303UL;
	tf.tf_rcx = 0x4444444444444404UL;
	tf.tf_r8 = 0x5555555555555505UL;
	tf.tf_r9 = 0x6666666666666606UL;
	tf.tf_rax = 0x7777777777777707UL;
	tf.tf_rbx = 0x8888888888888808UL;
	tf.tf_rbp = 0x9999999999999909UL;
	tf.tf_r10 = 0xaaaaaaaaaaaaaa0aUL;
	tf.tf_r11 = 0xbbbbbbbbbbbbbb0bUL;
	tf.tf_r12 = 0xcccccccccccccc0cUL;
	tf.tf_r13 = 0xdddddddddddddd0dUL;
	tf.tf_r14 = 0xeeeeeeeeeeeeee0eUL;
	tf.tf_r15 = 0xffffffffffffff0fUL;
	tf.tf_rsp = 0x00007fff12345670UL; /* any value: unused */
	tf.tf_rflags = flags;
	in = tf;
	guest_run(id, &tf, NULL);

	vs_expect_trap(&tf, T_SYSCALL,
	    GUEST_AT(g_syscall_store, g_syscall_store_after), "syscall");
#define SAME(r) test_expect_hex(tf.r, in.r, #r " after the round trip")
	SAME(tf_rdi);
	SAME(tf_rsi);
	SAME(tf_rdx);
	SAME(tf_r8);
	SAME(tf_r9);
	SAME(tf_rax);
	SAME(tf_rbx);
	SAME(tf_rbp);
	SAME(tf_r10);
	SAME(tf_r12);
	SAME(tf_r13);
	SAME(tf_r14);
	SAME(tf_r15);
	SAME(tf_rsp);
	SAME(tf_rflags);
	test_expect_hex(tf.tf_rcx, tf.tf_rip, "rcx: the return rip");
	test_expect_hex(tf.tf_r11, flags, "r11: the guest's rflags");

	/* The controller's result goes in rax; the guest stores it. */
	tf.tf_rax = 0x0123456789abcdefUL;
	in = tf;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_syscall_store),
	    "second syscall");
	test_expect_hex(guest_read64(id, G_DATA), 0x0123456789abcdefUL,
	    "rax as the guest saw it");
	SAME(tf_rdi);
	SAME(tf_rsi);
	SAME(tf_rdx);
	SAME(tf_r8);
	SAME(tf_r9);
	SAME(tf_rax);
	SAME(tf_rbx);
	SAME(tf_rbp);
	SAME(tf_r10);
	SAME(tf_r12);
	SAME(tf_r13);
	SAME(tf_r14);
	SAME(tf_r15);
	SAME(tf_rsp);
#undef SAME
}

/* Every register out: what the guest sets reaches the controller. */
GUEST(g_set_regs,
    "movabs $0x0101010101010101, %rax\n"
    "movabs $0x0202020202020202, %rbx\n"
    "movabs $0x0303030303030303, %rdx\n"
    "movabs $0x0404040404040404, %rsi\n"
    "movabs $0x0505050505050505, %rdi\n"
    "movabs $0x0606060606060606, %rbp\n"
    "movabs $0x0808080808080808, %r8\n"
    "movabs $0x0909090909090909, %r9\n"
    "movabs $0x1010101010101010, %r10\n"
    "movabs $0x1212121212121212, %r12\n"
    "movabs $0x1313131313131313, %r13\n"
    "movabs $0x1414141414141414, %r14\n"
    "movabs $0x1515151515151515, %r15\n"
    "movabs $0x00001234567890a8, %rsp\n"
    "xorl %ecx, %ecx\n"			/* ZF set, CF clear */
    "syscall\n");

static void
regs_guest_sets(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_set_regs);
	guest_frame(&tf);
	tf.tf_rflags |= PSL_C;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_set_regs), "syscall");
	test_expect_hex(tf.tf_rax, 0x0101010101010101UL, "rax");
	test_expect_hex(tf.tf_rbx, 0x0202020202020202UL, "rbx");
	test_expect_hex(tf.tf_rdx, 0x0303030303030303UL, "rdx");
	test_expect_hex(tf.tf_rsi, 0x0404040404040404UL, "rsi");
	test_expect_hex(tf.tf_rdi, 0x0505050505050505UL, "rdi");
	test_expect_hex(tf.tf_rbp, 0x0606060606060606UL, "rbp");
	test_expect_hex(tf.tf_r8, 0x0808080808080808UL, "r8");
	test_expect_hex(tf.tf_r9, 0x0909090909090909UL, "r9");
	test_expect_hex(tf.tf_r10, 0x1010101010101010UL, "r10");
	test_expect_hex(tf.tf_r12, 0x1212121212121212UL, "r12");
	test_expect_hex(tf.tf_r13, 0x1313131313131313UL, "r13");
	test_expect_hex(tf.tf_r14, 0x1414141414141414UL, "r14");
	test_expect_hex(tf.tf_r15, 0x1515151515151515UL, "r15");
	test_expect_hex(tf.tf_rsp, 0x00001234567890a8UL, "rsp");
	test_expect_hex(tf.tf_rflags & (PSL_Z | PSL_C), PSL_Z,
	    "rflags ZF and CF as the guest's xor left them");
}

/*
 * The controller's own registers come back from a successful RUN as from
 * any system call (all but rax = 0, rcx and r11), however the guest left
 * its registers.
 */
static void
ctl_keeps_caller_registers(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { .vx_timeout_ns = 5000 * MS };
	struct vs_regs in, out;
	unsigned long fs_before = 0, fs_after = 0;

	guest_new(id);
	guest_load(id, g_set_regs);
	guest_frame(&tf);
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_before);
	vs_regs_fill(&in, 0x600df00d);
	in.rax = SYS_vmspace_ctl;
	in.rdi = (uint64_t)id;
	in.rsi = VMSPACE_CTL_RUN;
	in.rdx = (uint64_t)&tf;
	in.r10 = (uint64_t)&vx;
	vs_regs_syscall(&in, &out);
	test_expect_hex(out.rax, 0, "vmspace_ctl's result");
	vs_expect_regs_kept(&in, &out, "vmspace_ctl RUN");
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_set_regs), "the guest");
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_after);
	test_expect_hex(fs_after, fs_before, "the caller's fs base");
	errno = 0;
	test_expect_errno(vmspace_destroy(VS_ID(99)), ENOENT,
	    "errno (at %fs) still works");
}

/* ---------------------------------------------------------------------
 * Hostile frames.
 */

/* Kernel selectors are replaced by the user ones; the guest runs. */
GUEST(g_read_segs, "movl %cs, %eax\n movl %ss, %ebx\n syscall\n");

static void
hostile_selectors(void)
{
	static const uint64_t sel[][2] = {
		{ 0x08, 0x10 },
		{ 0, 0 },
		{ 0x10, 0x08 },
		{ 0x1b, 0x23 },
		{ 0x2b, 0x2b },
		{ 0xffff, 0xffff },
		{ ~0UL, ~0UL },
	};
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_read_segs);
	for (size_t i = 0; i < sizeof(sel) / sizeof(sel[0]); i++) {
		guest_frame(&tf);
		tf.tf_cs = sel[i][0];
		tf.tf_ss = sel[i][1];
		guest_run(id, &tf, NULL);
		vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_read_segs),
		    "a guest given other selectors");
		test_expect_hex(tf.tf_rax & 0xffff, USER_CS_SEL,
		    "%cs in the guest");
		test_expect_hex(tf.tf_rbx & 0xffff, USER_DS_SEL,
		    "%ss in the guest");
		test_expect_hex(tf.tf_cs, USER_CS_SEL, "tf_cs");
		test_expect_hex(tf.tf_ss, USER_DS_SEL, "tf_ss");
	}
}

/*
 * rflags with IOPL 3, NT, VM, VIF, VIP, ID and IF clear: the guest runs
 * with IOPL 0, those clear and IF on; the user-changeable bits stay.
 */
GUEST(g_pushf, "pushfq\n popq %rax\n syscall\n");

static void
hostile_rflags(void)
{
	const uint64_t keep =
	    PSL_C | PSL_PF | PSL_AF | PSL_Z | PSL_N | PSL_D | PSL_V | PSL_AC;
	const uint64_t never = PSL_IOPL | PSL_NT | PSL_VM | PSL_VIF | PSL_VIP |
	    PSL_ID | ~0x3fffffUL;
	const uint64_t in[] = {
		PSL_IOPL | PSL_NT | PSL_VM,
		PSL_IOPL | PSL_NT | PSL_VM | PSL_VIF | PSL_VIP | PSL_ID | keep,
		~PSL_T, /* everything, except single-stepping */
		0,
	};
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_pushf);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		uint64_t seen;

		guest_frame(&tf);
		tf.tf_rflags = in[i];
		guest_run(id, &tf, NULL);
		vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_pushf),
		    "a guest given hostile rflags");
		seen = tf.tf_rax;
		test_assert_msg((seen & never) == 0,
		    "rflags 0x%llx given, the "
		    "guest runs with 0x%llx (IOPL, NT, VM, VIF, VIP, ID or "
		    "reserved bits set)",
		    (unsigned long long)in[i], (unsigned long long)seen);
		test_assert_msg(seen & PSL_I,
		    "rflags 0x%llx given, the guest "
		    "runs with 0x%llx: IF is off",
		    (unsigned long long)in[i], (unsigned long long)seen);
		test_expect_hex(seen & keep, in[i] & keep,
		    "the user-changeable flags the guest sees");
		test_assert_msg((tf.tf_rflags & never) == 0 &&
			(tf.tf_rflags & PSL_I),
		    "tf_rflags 0x%llx on return",
		    (unsigned long long)tf.tf_rflags);
	}
}

/*
 * tf_trapno, tf_err and tf_addr are the kernel's answers, not inputs:
 * whatever the caller leaves there (0x201 is what the kernel's own
 * system call entry writes into a frame it has not completed), the
 * guest runs and comes back with its trap's values.
 */
static void
hostile_trap_fields(void)
{
	static const uint64_t junk[] = { 0x201, 0x100, ~0UL, 14 };
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_syscall);
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		guest_frame(&tf);
		tf.tf_trapno = junk[i];
		tf.tf_err = junk[i];
		tf.tf_addr = junk[i];
		guest_run(id, &tf, NULL);
		vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_syscall),
		    "a guest given a frame with junk in its trap fields");
		test_expect_hex(tf.tf_err, 0, "tf_err");
		test_expect_hex(tf.tf_addr, 0, "tf_addr");
	}
}

/* With IOPL 3 asked for, cli and in still fault: IOPL is 0. */
static void
hostile_iopl_no_io(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_cli);
	guest_frame(&tf);
	tf.tf_rflags |= PSL_IOPL;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PROTFLT, G_CODE, "cli with IOPL 3 asked for");
	guest_load(id, g_inb);
	guest_frame(&tf);
	tf.tf_rflags |= PSL_IOPL;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PROTFLT, G_CODE, "inb with IOPL 3 asked for");
}

/*
 * TF (single-step) is user-changeable: the guest traps with T_DEBUG after
 * one instruction, and the controller is not single-stepped.
 */
GUEST(g_two_nops, "nop\n nop\n syscall\n");

static void
hostile_trap_flag(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;

	guest_new(id);
	guest_load(id, g_two_nops);
	guest_frame(&tf);
	tf.tf_rflags |= PSL_T;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_DEBUG, G_CODE + 1, "single step of a nop");
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_DEBUG, G_CODE + 2, "single step again");
	tf.tf_rflags &= ~PSL_T;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_two_nops),
	    "without TF: the syscall");
}

/*
 * rip or rsp outside [0, VM_MAX_USER_ADDRESS): EINVAL, with the caller's
 * registers and *tframe unchanged.
 */
static void
frame_bad_rip_rsp_einval(void)
{
	static const uint64_t bad[] = {
		VM_MAX_USER_ADDRESS,
		VM_MAX_USER_ADDRESS + 0xfff,
		TEST_NONCANON_LO,
		0x0000800000001000UL,
		0x8000000000000000UL,
		TEST_DIRECT_MAP,
		TEST_KERNEL_TEXT,
		~0UL,
	};
	void *id = VS_ID(1);
	struct trapframe tf, copy;
	struct vextframe vx = { 0 };
	struct vs_regs in, out;

	guest_new(id);
	guest_load(id, g_syscall);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int which = 0; which < 2; which++) {
			guest_frame(&tf);
			if (which == 0)
				tf.tf_rip = bad[i];
			else
				tf.tf_rsp = bad[i];
			copy = tf;
			vs_regs_fill(&in, bad[i] + which);
			in.rax = SYS_vmspace_ctl;
			in.rdi = (uint64_t)id;
			in.rsi = VMSPACE_CTL_RUN;
			in.rdx = (uint64_t)&tf;
			in.r10 = (uint64_t)&vx;
			vs_regs_syscall(&in, &out);
			if ((long)out.rax != -EINVAL)
				test_fail(
				    "%s 0x%llx: expected -EINVAL, got %lld "
				    "(trap %llu at 0x%llx)",
				    which ? "rsp" : "rip",
				    (unsigned long long)bad[i],
				    (long long)out.rax,
				    (unsigned long long)tf.tf_trapno,
				    (unsigned long long)tf.tf_rip);
			vs_expect_regs_kept(&in, &out, "ctl with a bad frame");
			test_assert_msg(memcmp(&tf, &copy, sizeof(tf)) == 0,
			    "ctl with a bad frame changed *tframe");
		}
	}
	/* The same frames are refused by spawn. */
	guest_frame(&tf);
	tf.tf_rip = TEST_KERNEL_TEXT;
	test_expect_errno(vmspace_spawn(id, &tf, &vx, RFFDG), EINVAL,
	    "spawn with rip in the kernel");
}

/*
 * The edges that pass: rip just below VM_MAX_USER_ADDRESS, a syscall in
 * the last two bytes of user space (its return rip is
 * VM_MAX_USER_ADDRESS itself, which a RUN then refuses), rsp 0 and just
 * below the maximum.
 */
static void
frame_edges(void)
{
	void *id = VS_ID(1);
	const uint64_t last = VM_MAX_USER_ADDRESS - TEST_PAGE;
	const unsigned char syscall_insn[] = { 0x0f, 0x05 };
	struct trapframe tf;
	struct vextframe vx = { 0 };

	guest_new(id);
	guest_load(id, g_syscall);

	guest_frame(&tf);
	tf.tf_rip = VM_MAX_USER_ADDRESS - 1;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_PAGEFLT, VM_MAX_USER_ADDRESS - 1,
	    "rip at the last user byte (unmapped)");
	test_expect_hex(tf.tf_addr, VM_MAX_USER_ADDRESS - 1, "tf_addr");

	guest_map(id, last, TEST_PAGE, PROT_READ | PROT_EXEC);
	test_expect_eq(
	    vmspace_pwrite(id, syscall_insn, 2, 0, VM_MAX_USER_ADDRESS - 2), 2,
	    "pwrite a syscall at the very end");
	guest_frame(&tf);
	tf.tf_rip = VM_MAX_USER_ADDRESS - 2;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, VM_MAX_USER_ADDRESS,
	    "syscall in the last two bytes");
	test_expect_errno(vmspace_ctl(id, VMSPACE_CTL_RUN, &tf, &vx), EINVAL,
	    "RUN at rip VM_MAX_USER_ADDRESS");

	/* Falling off the end of user space. */
	test_expect_eq(
	    vmspace_pwrite(id, "\x90", 1, 0, VM_MAX_USER_ADDRESS - 1), 1,
	    "pwrite a nop at the last byte");
	guest_frame(&tf);
	tf.tf_rip = VM_MAX_USER_ADDRESS - 1;
	guest_run(id, &tf, NULL);
	test_assert_msg(tf.tf_trapno == T_PAGEFLT || tf.tf_trapno == T_PROTFLT,
	    "a nop at the last user byte: trap %llu (%s) at 0x%llx",
	    (unsigned long long)tf.tf_trapno, vs_trapname(tf.tf_trapno),
	    (unsigned long long)tf.tf_rip);
	test_expect_hex(tf.tf_rip, VM_MAX_USER_ADDRESS,
	    "rip after the nop at the last user byte");

	guest_frame(&tf);
	tf.tf_rsp = 0;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_syscall), "rsp 0");
	test_expect_hex(tf.tf_rsp, 0, "tf_rsp");

	guest_frame(&tf);
	tf.tf_rsp = VM_MAX_USER_ADDRESS - 8;
	guest_run(id, &tf, NULL);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_syscall),
	    "rsp just below the maximum");
	test_expect_hex(tf.tf_rsp, VM_MAX_USER_ADDRESS - 8, "tf_rsp");
}

/* ---------------------------------------------------------------------
 * TLS bases.
 */

/* FS or GS base not a canonical user address: EINVAL, nothing changed. */
static void
tls_bad_base_einval(void)
{
	static const uint64_t bad[] = {
		TEST_NONCANON_LO,
		0x8000000000000000UL,
		TEST_DIRECT_MAP,
		TEST_KERNEL_TEXT,
		~0UL,
	};
	void *id = VS_ID(1);
	struct trapframe tf, copy;
	struct vextframe vx;
	struct vs_regs in, out;

	guest_new(id);
	guest_load(id, g_syscall);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int which = 0; which < 2; which++) {
			memset(&vx, 0, sizeof(vx));
			if (which == 0)
				vx.vx_fsbase = bad[i];
			else
				vx.vx_gsbase = bad[i];
			guest_frame(&tf);
			copy = tf;
			vs_regs_fill(&in, bad[i] ^ which);
			in.rax = SYS_vmspace_ctl;
			in.rdi = (uint64_t)id;
			in.rsi = VMSPACE_CTL_RUN;
			in.rdx = (uint64_t)&tf;
			in.r10 = (uint64_t)&vx;
			vs_regs_syscall(&in, &out);
			if ((long)out.rax != -EINVAL)
				test_fail(
				    "%s base 0x%llx: expected -EINVAL, got "
				    "%lld",
				    which ? "gs" : "fs",
				    (unsigned long long)bad[i],
				    (long long)out.rax);
			vs_expect_regs_kept(&in, &out, "ctl with a bad base");
			test_assert_msg(memcmp(&tf, &copy, sizeof(tf)) == 0,
			    "ctl with a bad base changed *tframe");
		}
	}
	errno = 0;
	test_expect_errno(vmspace_destroy(VS_ID(99)), ENOENT,
	    "the caller's errno (at %fs) still works");
}

/*
 * The guest reads through %fs and %gs with the bases of *vframe; the
 * controller's own fs base is back afterwards.
 */
GUEST(g_tls_read, "movq %fs:0, %rax\n movq %fs:8, %rbx\n"
    "movq %gs:0, %rdx\n syscall\n");

static void
tls_bases_reach_guest(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = {
		.vx_fsbase = G_TLS + 0x100,
		.vx_gsbase = G_TLS + 0x800,
		.vx_timeout_ns = 5000 * MS,
	};
	unsigned long fs_before = 0, fs_after = 0;

	guest_new(id);
	guest_load(id, g_tls_read);
	guest_write64(id, G_TLS + 0x100, 0xf5f5f5f5f5f50000UL);
	guest_write64(id, G_TLS + 0x108, 0xf5f5f5f5f5f50008UL);
	guest_write64(id, G_TLS + 0x800, 0x6565656565650000UL);
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_before);
	guest_frame(&tf);
	guest_run(id, &tf, &vx);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_tls_read), "TLS reads");
	test_expect_hex(tf.tf_rax, 0xf5f5f5f5f5f50000UL, "%fs:0");
	test_expect_hex(tf.tf_rbx, 0xf5f5f5f5f5f50008UL, "%fs:8");
	test_expect_hex(tf.tf_rdx, 0x6565656565650000UL, "%gs:0");
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_after);
	test_expect_hex(fs_after, fs_before, "the controller's fs base");

	/* Another base on the next run. */
	vx.vx_fsbase = G_TLS + 0x800;
	guest_frame(&tf);
	guest_run(id, &tf, &vx);
	test_expect_hex(tf.tf_rax, 0x6565656565650000UL,
	    "%fs:0 with a new base");
}

/*
 * Segment loads inside a guest (issue 15, item 3).  `mov %ss, %fs` and
 * `mov %ss, %gs` give the guest bases 0 (the flat user descriptor's).
 * A trap hands the bases the guest has back in *vframe, as its registers
 * in *tframe; running again with that vframe keeps them; and nothing of
 * it reaches the controller, whose selectors stay null and whose FS base
 * (musl's thread pointer, behind errno) stays its own.
 */
#define G_FS_VAL 0xf5f5f5f5f5f50100UL /* at G_TLS + 0x100 */
#define G_GS_VAL 0x6565656565650800UL /* at G_TLS + 0x800 */

GUEST(g_seg_load,
    "movl %ss, %eax\n"
    "movl %eax, %fs\n"
    "movl %eax, %gs\n"
    "syscall\n"
    "g_seg_load_2: movq %fs:" VS_STR(G_TLS) "+0x100, %rax\n"
    "movq %gs:" VS_STR(G_TLS) "+0x800, %rbx\n"
    "syscall\n");
GUEST_LABEL(g_seg_load_2);

/*
 * Load both selectors, spin until the word at G_SHM is set (by another
 * process), then read through %fs and %gs (base 0: the addresses
 * themselves) and the selectors, into rax, rbx, rsi and rdi.
 */
GUEST(g_seg_spin,
    "movl %ss, %eax\n"
    "movl %eax, %fs\n"
    "movl %eax, %gs\n"
    "1: cmpq $0, " VS_STR(G_SHM) "\n"
    "je 1b\n"
    "movq %fs:" VS_STR(G_TLS) "+0x100, %rax\n"
    "movq %gs:" VS_STR(G_TLS) "+0x800, %rbx\n"
    "movl %fs, %esi\n"
    "movl %gs, %edi\n"
    "syscall\n");

/* The controller's FS and GS are its own: null selectors, same FS base. */
static void
expect_controller_segs(unsigned long fs_before, const char *when)
{
	unsigned long fs_now = 0;
	uint16_t fs = test_fs_sel(), gs = test_gs_sel();

	test_assert_msg(fs == 0 && gs == 0,
	    "%s: the controller's selectors are "
	    "fs 0x%x gs 0x%x; expected 0 and 0",
	    when, fs, gs);
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_now);
	test_expect_hex(fs_now, fs_before, "the controller's fs base");
	errno = 0;
	test_expect_errno(vmspace_destroy(VS_ID(99)), ENOENT,
	    "errno (at %fs) still works");
}

static void
tls_guest_segment_loads(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = {
		.vx_fsbase = G_TLS + 0x100,
		.vx_gsbase = G_TLS + 0x800,
		.vx_timeout_ns = 5000 * MS,
	};
	unsigned long fs_before = 0;

	guest_new(id);
	guest_load(id, g_seg_load);
	guest_write64(id, G_TLS + 0x100, G_FS_VAL);
	guest_write64(id, G_TLS + 0x800, G_GS_VAL);
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_before);
	guest_frame(&tf);
	guest_run(id, &tf, &vx);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_AT(g_seg_load, g_seg_load_2),
	    "the guest's segment loads, then syscall");
	test_expect_hex(vx.vx_fsbase, 0,
	    "vx_fsbase after the trap (the guest "
	    "loaded %fs)");
	test_expect_hex(vx.vx_gsbase, 0,
	    "vx_gsbase after the trap (the guest "
	    "loaded %gs)");
	test_expect_hex(vx.vx_timeout_ns, 5000 * MS, "vx_timeout_ns");
	expect_controller_segs(fs_before, "after the first run");

	/* Running again with the returned frames keeps the bases at 0. */
	guest_run(id, &tf, &vx);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_seg_load),
	    "reads through %fs and %gs on the second run");
	test_expect_hex(tf.tf_rax, G_FS_VAL, "%fs:G_TLS+0x100 with fs base 0");
	test_expect_hex(tf.tf_rbx, G_GS_VAL, "%gs:G_TLS+0x800 with gs base 0");
	test_expect_hex(vx.vx_fsbase, 0, "vx_fsbase after the second run");
	test_expect_hex(vx.vx_gsbase, 0, "vx_gsbase after the second run");
	expect_controller_segs(fs_before, "after the second run");
}

/*
 * A process that uses TLS (errno) runs while a guest spins with its
 * segments loaded, switching with it both ways many times; then it sets
 * *flag to let the guest go.  It sets the flag whatever it found, so the
 * guest never waits for a dead process.  Never returns.
 */
static _Noreturn void
tls_process_beside_guest(volatile uint64_t *flag, unsigned long fsbase)
{
	unsigned long fs_now = 0;
	int bad = 0;

	for (int i = 0; i < 60 && !bad; i++) {
		if (test_fs_sel() != 0 || test_gs_sel() != 0)
			bad = 2;
		fs_now = 0;
		syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_now);
		if (fs_now != fsbase)
			bad = 3;
		errno = 0;
		if (close(-1) != -1 || errno != EBADF)
			bad = 4;
		if (i % 10 == 3)
			test_sleep_ns(5 * MS);
		else
			sched_yield();
	}
	*flag = 1;
	if (bad)
		test_fail("the process beside the guest found %s",
		    bad == 2     ? "selectors in its %fs or %gs" :
			bad == 3 ? "another fs base" :
				   "errno broken");
	_exit(0);
}

/*
 * The guest's loaded segments survive its LWP being switched out and in
 * inside one run (selectors included), and T_TIMEOUT slices in between
 * (the bases come back in the vframe each time).
 */
static void
tls_guest_segments_preempted(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx;
	volatile uint64_t *flag;
	unsigned long fs_before = 0;
	uint64_t end;
	int runs;
	pid_t pid;

	guest_new(id);
	guest_load(id, g_seg_spin);
	guest_write64(id, G_TLS + 0x100, G_FS_VAL);
	guest_write64(id, G_TLS + 0x800, G_GS_VAL);
	flag = vs_shared_page(id, G_SHM);
	syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_before);

	/* One run, preempted by the timer and by the other process. */
	*flag = 0;
	pid = test_fork();
	if (pid == 0)
		tls_process_beside_guest(flag, fs_before);
	vx = (struct vextframe) { .vx_fsbase = G_TLS + 0x100,
		.vx_gsbase = G_TLS + 0x800,
		.vx_timeout_ns = 10000 * MS };
	guest_frame(&tf);
	guest_run(id, &tf, &vx);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_seg_spin),
	    "the end of the spin (one run)");
	test_expect_hex(tf.tf_rax, G_FS_VAL, "%fs:G_TLS+0x100 after switches");
	test_expect_hex(tf.tf_rbx, G_GS_VAL, "%gs:G_TLS+0x800 after switches");
	test_expect_hex(tf.tf_rsi, USER_DS_SEL, "the guest's %fs, switched");
	test_expect_hex(tf.tf_rdi, USER_DS_SEL, "the guest's %gs, switched");
	test_expect_hex(vx.vx_fsbase, 0, "vx_fsbase");
	test_expect_hex(vx.vx_gsbase, 0, "vx_gsbase");
	test_expect_exit(pid, 0, "the process beside the guest");
	expect_controller_segs(fs_before, "after the preempted run");

	/* 2 ms slices: each run starts from the vframe the last returned. */
	*flag = 0;
	pid = test_fork();
	if (pid == 0)
		tls_process_beside_guest(flag, fs_before);
	vx = (struct vextframe) { .vx_fsbase = G_TLS + 0x100,
		.vx_gsbase = G_TLS + 0x800,
		.vx_timeout_ns = 2 * MS };
	guest_frame(&tf);
	end = test_now_ns() + 10000 * MS;
	for (runs = 1;; runs++) {
		guest_run(id, &tf, &vx);
		if (tf.tf_trapno != T_TIMEOUT || test_now_ns() > end)
			break;
		expect_controller_segs(fs_before, "between slices");
	}
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_seg_spin),
	    "the end of the spin (in slices)");
	test_assert_msg(runs > 1, "no T_TIMEOUT: the test proves nothing");
	test_expect_hex(tf.tf_rax, G_FS_VAL, "%fs:G_TLS+0x100 after slices");
	test_expect_hex(tf.tf_rbx, G_GS_VAL, "%gs:G_TLS+0x800 after slices");
	test_expect_exit(pid, 0, "the process beside the guest");
	expect_controller_segs(fs_before, "after the runs in slices");
	test_note("%d runs in 2 ms slices", runs);
}

/* ---------------------------------------------------------------------
 * Timeouts.
 */

/* jmp . with a 20 ms limit: T_TIMEOUT at the jmp, again and again. */
GUEST(g_spin, "jmp .\n syscall\n");

static void
timeout_spin(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { .vx_timeout_ns = 20 * MS };
	uint64_t t0, dt;

	guest_new(id);
	guest_load(id, g_spin);
	guest_frame(&tf);
	for (int i = 0; i < 3; i++) {
		t0 = test_now_ns();
		guest_run(id, &tf, &vx);
		dt = test_now_ns() - t0;
		vs_expect_trap(&tf, T_TIMEOUT, G_CODE, "jmp . with 20 ms");
		test_assert_msg(dt >= 19 * MS && dt < 2000 * MS,
		    "the 20 ms run took %llu us",
		    (unsigned long long)dt / 1000);
	}
	/* The controller moves it past the loop. */
	tf.tf_rip += 2;
	guest_run(id, &tf, &vx);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_spin), "past the jmp");
	/* A limit that is not reached changes nothing. */
	guest_load(id, g_syscall);
	guest_frame(&tf);
	guest_run(id, &tf, &vx);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_syscall),
	    "a syscall well inside the limit");
	/* Nor does the largest limit there is. */
	vx.vx_timeout_ns = ~0ULL;
	guest_frame(&tf);
	guest_run(id, &tf, &vx);
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_syscall),
	    "a syscall with vx_timeout_ns = 2^64 - 1");
}

/*
 * A counted loop run in 2 ms slices: every T_TIMEOUT resumes exactly,
 * so the final count is exact and the untouched registers survive.
 */
GUEST(g_count,
    "1: incq %rax\n"
    "cmpq %rbx, %rax\n"
    "jne 1b\n"
    "syscall\n");

static void
timeout_counted_loop(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { .vx_timeout_ns = 2 * MS };
	uint64_t n = 4000000;
	int timeouts = 0, runs = 0;

	guest_new(id);
	guest_load(id, g_count);
	/* Grow the loop until it spans several slices on this machine. */
	for (int attempt = 0; attempt < 6 && timeouts < 3; attempt++, n *= 4) {
		guest_frame(&tf);
		tf.tf_rbx = n;
		tf.tf_r12 = 0x1212121212121212UL;
		tf.tf_r15 = 0x1515151515151515UL;
		timeouts = runs = 0;
		for (;;) {
			runs++;
			guest_run(id, &tf, &vx);
			if (tf.tf_trapno != T_TIMEOUT)
				break;
			timeouts++;
			/* In the loop, or after it, before its syscall ran. */
			test_assert_msg(tf.tf_rip >= G_CODE &&
				tf.tf_rip <= GUEST_END(g_count) - 2,
			    "T_TIMEOUT at rip 0x%llx, outside the loop",
			    (unsigned long long)tf.tf_rip);
			test_assert_msg(tf.tf_rax <= n, "count %llu > %llu",
			    (unsigned long long)tf.tf_rax,
			    (unsigned long long)n);
		}
		vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_count),
		    "the end of the loop");
		test_expect_eq(tf.tf_rax, n, "the final count");
		test_expect_hex(tf.tf_r12, 0x1212121212121212UL, "r12");
		test_expect_hex(tf.tf_r15, 0x1515151515151515UL, "r15");
	}
	test_assert_msg(timeouts >= 3, "only %d timeouts for %llu iterations",
	    timeouts, (unsigned long long)(n / 4));
	test_note("%llu iterations in %d runs (%d timeouts)",
	    (unsigned long long)(n / 4), runs, timeouts);
}

/*
 * No limit: the same loop, long enough for many timer interrupts, comes
 * back only at its syscall (interrupts are transparent).
 */
static void
no_timeout_interrupts_transparent(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { 0 };
	uint64_t n = 4000000, t0, dt = 0;

	guest_new(id);
	guest_load(id, g_count);
	for (int attempt = 0; attempt < 6 && dt < 60 * MS; attempt++, n *= 4) {
		guest_frame(&tf);
		tf.tf_rbx = n;
		t0 = test_now_ns();
		guest_run(id, &tf, &vx);
		dt = test_now_ns() - t0;
		vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_count),
		    "a long loop without a limit");
		test_expect_eq(tf.tf_rax, n, "the final count");
	}
	test_assert_msg(dt >= 60 * MS, "the loop never took 60 ms");
}

/* ---------------------------------------------------------------------
 * FPU and SSE state.
 */

/*
 * A counted loop kept in %xmm1, run in 2 ms T_TIMEOUT slices while the
 * controller clobbers %xmm1 and %xmm2 between the runs: "running again
 * resumes exactly" needs the guest's SSE state kept for it.
 */
GUEST(g_count_xmm,
    "movl $1, %ecx\n"
    "movq %rcx, %xmm2\n"
    "pxor %xmm1, %xmm1\n"
    "1: paddq %xmm2, %xmm1\n"
    "incq %rax\n"
    "cmpq %rbx, %rax\n"
    "jne 1b\n"
    "movq %xmm1, %rdx\n"
    "syscall\n");

static void
fpu_guest_state_resumes(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { .vx_timeout_ns = 2 * MS };
	uint64_t n = 16000000;
	int timeouts = 0;

	guest_new(id);
	guest_load(id, g_count_xmm);
	guest_frame(&tf);
	tf.tf_rbx = n;
	for (;;) {
		guest_run(id, &tf, &vx);
		if (tf.tf_trapno != T_TIMEOUT)
			break;
		timeouts++;
		/* The controller uses SSE between runs, as compiled code does. */
		__asm__ volatile("pcmpeqd %%xmm1, %%xmm1\n"
				 "pcmpeqd %%xmm2, %%xmm2\n"
				 :
				 :
				 : "xmm1", "xmm2");
	}
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_count_xmm),
	    "the loop's end");
	test_expect_eq(tf.tf_rax, n, "the count in rax");
	test_assert_msg(timeouts >= 1, "no timeout: the test proves nothing");
	test_expect_eq(tf.tf_rdx, n,
	    "the count the guest kept in %xmm1 across "
	    "timeouts");
}

/*
 * The controller's FPU control state (MXCSR and the x87 control word,
 * callee-saved in the SysV ABI) and its SSE registers come back from a
 * RUN whose guest changed them, as from any system call (ABI.md 2).
 */
GUEST(g_fpu_trash,
    "pcmpeqd %xmm6, %xmm6\n"
    "subq $8, %rsp\n"
    "movl $0x1f80, (%rsp)\n"
    "ldmxcsr (%rsp)\n"
    "fninit\n"
    "syscall\n");

static void
fpu_caller_state_kept(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { .vx_timeout_ns = 5000 * MS };
	uint32_t mx_in = 0x7f80, mx_out = 0, mx_dflt = 0x1f80;
	uint16_t cw_in = 0x27f, cw_out = 0, cw_dflt = 0x37f;
	uint64_t pat = 0x6d6d6d6d12345678UL, x6 = 0;
	long ret;

	guest_new(id);
	guest_load(id, g_fpu_trash);
	guest_frame(&tf);
	/* Set just before the asm: a call in between could change r10. */
	register long r10 __asm__("r10") = (long)&vx;
	__asm__ volatile(
	    "ldmxcsr %[mxin]\n"
	    "fldcw %[cwin]\n"
	    "movq %[pat], %%xmm6\n"
	    "syscall\n"
	    "stmxcsr %[mxout]\n"
	    "fnstcw %[cwout]\n"
	    "movq %%xmm6, %[x6]\n"
	    "ldmxcsr %[mxdflt]\n"
	    "fldcw %[cwdflt]\n"
	    : "=a"(ret), [mxout] "=m"(mx_out), [cwout] "=m"(cw_out),
	    [x6] "=r"(x6)
	    : "a"((long)SYS_vmspace_ctl), "D"(id), "S"((long)VMSPACE_CTL_RUN),
	    "d"(&tf), "r"(r10), [mxin] "m"(mx_in), [cwin] "m"(cw_in),
	    [pat] "r"(pat), [mxdflt] "m"(mx_dflt), [cwdflt] "m"(cw_dflt)
	    : "rcx", "r11", "memory", "xmm6");
	test_expect_eq(ret, 0, "vmspace_ctl");
	vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_fpu_trash), "the guest");
	test_expect_hex(mx_out, mx_in, "the controller's MXCSR after the run");
	test_expect_hex(cw_out, cw_in,
	    "the controller's x87 control word after the run");
	test_expect_hex(x6, pat, "the controller's %xmm6 after the run");
}

/*
 * A guest that never touches the FPU runs while the controller's FPU
 * state stays in the registers (fpu.c, ci_fpu_unsaved).  Here the guest
 * counts long enough to be preempted by a child pinned to the same CPU,
 * which fills %xmm6 with its own pattern and checks that it keeps it:
 * both keep their registers, through switches away from the unsaved
 * state.
 */
static void
fpu_caller_state_preempted(void)
{
	void *id = VS_ID(1);
	struct trapframe tf;
	struct vextframe vx = { 0 };
	uint64_t pat = 0x0123456789abcdefUL, x6 = 0, n = 1000000, before;
	volatile uint64_t *shared;
	cpu_set_t cpus, all;
	long ret;
	pid_t pid, parent;

	test_assert(sched_getaffinity(0, sizeof(all), &all) == 0);
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	test_assert(sched_setaffinity(0, sizeof(cpus), &cpus) == 0);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	test_assert(shared != MAP_FAILED);
	shared[0] = shared[1] = 0; /* [0]: the child's rounds, [1]: stop */
	parent = getpid();
	pid = test_fork();
	if (pid == 0) {
		/*
		 * Same CPU (inherited affinity): its own %xmm6, checked.  It
		 * stops when told, or when a failed check ended the parent.
		 */
		uint64_t mine = 0x5a5a5a5a00c0ffeeUL, got;

		while (!shared[1] && getppid() == parent) {
			__asm__ volatile("movq %1, %%xmm6\n"
					 "pause\n"
					 "movq %%xmm6, %0\n"
					 : "=r"(got)
					 : "r"(mine)
					 : "xmm6");
			if (got != mine)
				_exit(2);
			shared[0]++;
		}
		_exit(0);
	}
	guest_new(id);
	guest_load(id, g_count);
	for (int attempt = 0; attempt < 8; attempt++, n *= 4) {
		guest_frame(&tf);
		tf.tf_rbx = n;
		before = shared[0];
		/* Set just before the asm: a call in between could change r10. */
		register long r10 __asm__("r10") = (long)&vx;
		__asm__ volatile("movq %[pat], %%xmm6\n"
				 "syscall\n"
				 "movq %%xmm6, %[x6]\n"
				 : "=a"(ret), [x6] "=r"(x6)
				 : "a"((long)SYS_vmspace_ctl), "D"(id),
				 "S"((long)VMSPACE_CTL_RUN), "d"(&tf),
				 "r"(r10), [pat] "r"(pat)
				 : "rcx", "r11", "memory", "xmm6");
		test_expect_eq(ret, 0, "vmspace_ctl");
		vs_expect_trap(&tf, T_SYSCALL, GUEST_END(g_count), "the count");
		test_expect_hex(x6, pat,
		    "the controller's %xmm6 after the run");
		if (shared[0] - before >= 1000)
			break; /* the child ran while the guest did */
	}
	shared[1] = 1;
	test_expect_exit(pid, 0, "the child on the same CPU (2: lost %xmm6)");
	test_assert(sched_setaffinity(0, sizeof(all), &all) == 0);
	test_assert_msg(shared[0] >= 1000,
	    "the child never ran: the test proves nothing");
	munmap((void *)shared, 4096);
}

const struct test vs_trap_tests[] = {
	{ "trap_syscall", trap_syscall, NULL },
	{ "run_many_ids_in_turn", run_many_ids_in_turn, NULL },
	{ "trap_invalid_opcode", trap_invalid_opcode, NULL },
	{ "trap_breakpoint", trap_breakpoint, NULL },
	{ "trap_divide", trap_divide, NULL },
	{ "trap_privileged", trap_privileged, NULL },
	{ "trap_int_n", trap_int_n, NULL },
	{ "trap_page_fault_unmapped", trap_page_fault_unmapped, NULL },
	{ "trap_page_fault_protection", trap_page_fault_protection, NULL },
	{ "trap_page_fault_then_map", trap_page_fault_then_map, NULL },
	{ "regs_round_trip", regs_round_trip, NULL },
	{ "regs_guest_sets", regs_guest_sets, NULL },
	{ "ctl_keeps_caller_registers", ctl_keeps_caller_registers, NULL },
	{ "hostile_selectors", hostile_selectors, NULL },
	{ "hostile_rflags", hostile_rflags, NULL },
	{ "hostile_iopl_no_io", hostile_iopl_no_io, NULL },
	{ "hostile_trap_fields", hostile_trap_fields, NULL },
	{ "hostile_trap_flag", hostile_trap_flag, NULL },
	{ "frame_bad_rip_rsp_einval", frame_bad_rip_rsp_einval, NULL },
	{ "frame_edges", frame_edges, NULL },
	{ "tls_bad_base_einval", tls_bad_base_einval, NULL },
	{ "tls_bases_reach_guest", tls_bases_reach_guest, NULL },
	{ "tls_guest_segment_loads", tls_guest_segment_loads, NULL },
	{ "tls_guest_segments_preempted", tls_guest_segments_preempted, NULL },
	{ "timeout_spin", timeout_spin, NULL },
	{ "timeout_counted_loop", timeout_counted_loop, NULL },
	{ "no_timeout_interrupts_transparent",
	    no_timeout_interrupts_transparent, NULL },
	{ "fpu_guest_state_resumes", fpu_guest_state_resumes, NULL },
	{ "fpu_caller_state_kept", fpu_caller_state_kept, NULL },
	{ "fpu_caller_state_preempted", fpu_caller_state_preempted, NULL },
	{ NULL, NULL, NULL },
};
