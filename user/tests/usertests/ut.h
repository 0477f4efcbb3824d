/*
 * ut.h: what the files of usertests share.
 *
 * usertests is one program made of several files: the test library
 * (user/tests/lib/test.h) runs the tests and prints TAP; suite.c lists
 * the tables; helper.c runs programs for the exec tests, and is the
 * helper program they run; fs.c, pipe.c, mem.c, proc.c, lwp.c, races.c,
 * seg.c, elf.c, fpu.c, badptr.c and fuzz.c each hold the tests of one
 * area and export a table of them.
 *
 * Every test is a function that runs in a child process of its own, and
 * checks with test.h's test_expect_* and test_assert.  Returning from
 * the test function is a pass.
 *
 * Tests use musl's syscall() for the calls they examine, so that libc
 * adds nothing of its own (it returns -1 and sets errno).  Code that runs
 * in an LWP the test made with lwp_create must not touch errno or any
 * other libc state (musl does not know about such LWPs, and they share
 * the creator's thread pointer): it uses test.h's raw calls (test_raw*),
 * which return -errno directly.
 */

#ifndef UT_H
#define UT_H

#include "test.h"

/* Each area's table, ending with an entry whose name is NULL. */
extern const struct test ut_fs_tests[];
extern const struct test ut_pipe_tests[];
extern const struct test ut_mem_tests[];
extern const struct test ut_proc_tests[];
extern const struct test ut_lwp_tests[];
extern const struct test ut_races_tests[];
extern const struct test ut_seg_tests[];
extern const struct test ut_elf_tests[];
extern const struct test ut_fpu_tests[];
extern const struct test ut_badptr_tests[];
extern const struct test ut_fuzz_tests[];
extern const struct test ut_stress_tests[];

/*
 * The fuzzer's number of calls in all (usertests -n CALLS; 0: its
 * default), and the suite option that sets it.
 */
extern long ut_fuzz_calls;
int ut_fuzz_option(int c, const char *arg);

/* 8 bytes at %fs:p or %gs:p (with base 0, at p itself). */
static inline uint64_t
ut_fs_read64(const volatile void *p)
{
	uint64_t v;

	__asm__ volatile("movq %%fs:(%1), %0" : "=r"(v) : "r"(p) : "memory");
	return v;
}

static inline uint64_t
ut_gs_read64(const volatile void *p)
{
	uint64_t v;

	__asm__ volatile("movq %%gs:(%1), %0" : "=r"(v) : "r"(p) : "memory");
	return v;
}

/*
 * Tests that need a helper program run this one again: test_self with
 * argv[1] = "--helper" (see ut_helper_main in helper.c for the commands).
 */
#define UT_HELPER "--helper"

/* The helper program: argv[0] is the command.  Returns the exit status. */
int ut_helper_main(int argc, char **argv);

/* The helper's "fpu-clean" (fpu.c): 0 if the FPU state is a fresh one. */
int ut_fpu_clean_main(void);

/*
 * Run `path` with argv and envp in a child process whose standard output
 * goes into `out` (at most size - 1 bytes, NUL-terminated); returns the
 * child's wait status.  If execve fails the child exits with 127.
 */
int ut_run_program(const char *path, char *const argv[], char *const envp[],
    char *out, size_t size);

/* Run this program's helper with up to 3 arguments. */
int ut_run_helper(const char *cmd, const char *a1, const char *a2, char *out,
    size_t size);

/* Read a whole file into a malloc'ed buffer; fails the test if it can't. */
char *ut_read_file(const char *path, size_t *size);

#endif /* UT_H */
