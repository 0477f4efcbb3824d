/*
 * elf.c: the program loader and per-LWP machine state.
 *
 *   - a static PIE (ET_DYN, self-relocating with musl's rcrt1.o) runs;
 *   - damaged ELF files (truncated header, truncated program headers,
 *     wrong machine, 32-bit class, a dynamically linked program) are
 *     refused with ENOEXEC, and the caller goes on with nothing changed;
 *   - the SSE registers belong to each process and each LWP: values left
 *     in xmm0-xmm15 survive many switches to others that use them too.
 */

#include "ut.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A static PIE built from hello.c runs and exits 0. */
static void
t_static_pie(void)
{
	char *const argv[] = { "hello-pie", NULL };
	int status;
	pid_t pid = fork();

	test_assert(pid >= 0);
	if (pid == 0) {
		execve("/bin/hello-pie", argv, NULL);
		_exit(99);
	}
	status = test_wait(pid);
	test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "hello-pie: status 0x%x, wanted exit 0", status);
}

/* Each damaged file: ENOEXEC, and the caller is still itself. */
static void
t_bad_elf(void)
{
	static const char *const files[] = {
		"/tests/elf/truncated-header",
		"/tests/elf/truncated-phdrs",
		"/tests/elf/bad-machine",
		"/tests/elf/bad-class",
		"/tests/elf/dynamic",
	};
	char *const argv[] = { "bad", NULL };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		test_expect_errno(execve(files[i], argv, NULL), ENOEXEC,
		    files[i]);
		test_expect_eq(getpid() > 0, 1,
		    "still running after a refused exec");
	}
}

/*
 * Fill xmm0-xmm15 from vals, yield `rounds` times, and check that the
 * registers still hold vals.  Returns the number of rounds that found a
 * register changed.  Uses only raw syscalls (it also runs in LWPs).
 */
static int
xmm_hold(const uint64_t vals[32], int rounds)
{
	uint64_t out[32] __attribute__((aligned(16)));
	int bad = 0;

	for (int r = 0; r < rounds; r++) {
		__asm__ volatile(
		    "movdqu 0(%0), %%xmm0\n\tmovdqu 16(%0), %%xmm1\n\t"
		    "movdqu 32(%0), %%xmm2\n\tmovdqu 48(%0), %%xmm3\n\t"
		    "movdqu 64(%0), %%xmm4\n\tmovdqu 80(%0), %%xmm5\n\t"
		    "movdqu 96(%0), %%xmm6\n\tmovdqu 112(%0), %%xmm7\n\t"
		    "movdqu 128(%0), %%xmm8\n\tmovdqu 144(%0), %%xmm9\n\t"
		    "movdqu 160(%0), %%xmm10\n\tmovdqu 176(%0), %%xmm11\n\t"
		    "movdqu 192(%0), %%xmm12\n\tmovdqu 208(%0), %%xmm13\n\t"
		    "movdqu 224(%0), %%xmm14\n\tmovdqu 240(%0), %%xmm15\n\t"
		    "movl $24, %%eax\n\tsyscall\n\t" /* sched_yield */
		    "movdqu %%xmm0, 0(%1)\n\tmovdqu %%xmm1, 16(%1)\n\t"
		    "movdqu %%xmm2, 32(%1)\n\tmovdqu %%xmm3, 48(%1)\n\t"
		    "movdqu %%xmm4, 64(%1)\n\tmovdqu %%xmm5, 80(%1)\n\t"
		    "movdqu %%xmm6, 96(%1)\n\tmovdqu %%xmm7, 112(%1)\n\t"
		    "movdqu %%xmm8, 128(%1)\n\tmovdqu %%xmm9, 144(%1)\n\t"
		    "movdqu %%xmm10, 160(%1)\n\tmovdqu %%xmm11, 176(%1)\n\t"
		    "movdqu %%xmm12, 192(%1)\n\tmovdqu %%xmm13, 208(%1)\n\t"
		    "movdqu %%xmm14, 224(%1)\n\tmovdqu %%xmm15, 240(%1)\n\t"
		    :
		    : "r"(vals), "r"(out)
		    : "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2",
		    "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
		    "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
		for (int i = 0; i < 32; i++)
			if (out[i] != vals[i]) {
				bad++;
				break;
			}
	}
	return bad;
}

static void
xmm_values(uint64_t vals[32], uint64_t seed)
{
	for (int i = 0; i < 32; i++)
		vals[i] = (seed + i) * 0x9e3779b97f4a7c15ULL;
}

/* Processes: each child keeps its own xmm values across switches. */
static void
t_fpu_processes(void)
{
	enum {
		N = 4
	};
	pid_t pids[N];

	for (int c = 0; c < N; c++) {
		pids[c] = fork();
		test_assert(pids[c] >= 0);
		if (pids[c] == 0) {
			uint64_t vals[32] __attribute__((aligned(16)));

			xmm_values(vals, 1000 * (c + 1));
			_exit(xmm_hold(vals, 300) == 0 ? 0 : 1);
		}
	}
	for (int c = 0; c < N; c++) {
		int status = test_wait(pids[c]);

		test_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %d saw its xmm registers change (status 0x%x)", c,
		    status);
	}
}

struct fpu_lwp {
	uint64_t vals[32] __attribute__((aligned(16)));
	volatile int bad;
	volatile int done;
};

static void
fpu_lwp_main(void *arg)
{
	struct fpu_lwp *f = arg;

	f->bad = xmm_hold(f->vals, 300);
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	test_raw0(SYS_lwp_exit);
}

/* LWPs of one process: each keeps its own xmm values. */
static void
t_fpu_lwps(void)
{
	enum {
		N = 4,
		STACK = 16384
	};
	static struct fpu_lwp f[N];
	uint64_t mine[32] __attribute__((aligned(16)));
	int tids[N];

	for (int i = 0; i < N; i++) {
		char *stack = malloc(STACK);
		struct lwp_params p = {
			.lwp_func = fpu_lwp_main,
			.lwp_arg = &f[i],
			.lwp_stack = (void *)((((uintptr_t)stack + STACK) &
						  ~(uintptr_t)15) -
			    8),
			.lwp_tid1 = &tids[i],
		};

		test_assert(stack != NULL);
		xmm_values(f[i].vals, 77 * (i + 1));
		test_expect_eq(test_raw1(SYS_lwp_create, (long)&p), 0,
		    "lwp_create");
	}
	xmm_values(mine, 5);
	test_expect_eq(xmm_hold(mine, 300), 0, "the creator's xmm registers");
	for (int i = 0; i < N; i++) {
		test_expect_eq(test_raw1(SYS_lwp_wait, tids[i]), 0, "lwp_wait");
		test_expect_eq(f[i].done, 1, "the LWP finished");
		test_expect_eq(f[i].bad, 0,
		    "rounds where an LWP's xmm changed");
	}
}

const struct test ut_elf_tests[] = {
	{ "elf_static_pie", t_static_pie, "our initrd has /bin/hello-pie" },
	{ "elf_bad_files", t_bad_elf, "our initrd has the damaged files" },
	{ "fpu_processes", t_fpu_processes, NULL },
	{ "fpu_lwps", t_fpu_lwps, "LWPs are native" },
	{ NULL, NULL, NULL },
};
