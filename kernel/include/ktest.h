/*
 * In-kernel self tests.  A test is a function registered with KTEST(name);
 * the command line selects them: "ktest=all" runs every test, "ktest=NAME"
 * one (a comma-separated list runs several), and "seed=N" fixes the seed
 * that ktest_random() starts from.  Each test is one TAP line; a failed
 * check prints "#" lines saying what failed, where, and how to run that
 * test alone.  After the run the kernel prints "N passed, N failed" and
 * exits QEMU with the failure count (exit code 2*failures+1).
 *
 * Tests named crash_* check the panic path: they end the run with a
 * panic, so "all" leaves them out and they are run one per boot.
 */
#ifndef _KTEST_H_
#define _KTEST_H_

#include <types.h>

struct ktest {
	const char *kt_name;
	void (*kt_func)(void);
};

#define KTEST(name)                                                      \
	static void ktest_fn_##name(void);                               \
	static const struct ktest ktest_desc_##name __section(".ktests") \
	    __used __aligned(8) = { #name, ktest_fn_##name };            \
	static void ktest_fn_##name(void)

/*
 * Record one check of the running test.  On failure the test goes on (so
 * one run shows every broken check) but is reported "not ok".  Returns
 * cond, so a test can stop early when the rest depends on it.
 */
bool ktest_check(bool cond, const char *expr, const char *file, int line);
bool ktest_checkf(bool cond, const char *file, int line, const char *fmt, ...)
    __printflike(4, 5);

#define KT_CHECK(cond) ktest_check((cond), #cond, __FILE__, __LINE__)
#define KT_CHECKF(cond, ...) \
	ktest_checkf((cond), __FILE__, __LINE__, __VA_ARGS__)
/* Check a == b, evaluating each once, and print both values on failure. */
#define KT_EQ(a, b)                                                     \
	({                                                              \
		uint64_t kt_a_ = (uint64_t)(a), kt_b_ = (uint64_t)(b);  \
		ktest_checkf(kt_a_ == kt_b_, __FILE__, __LINE__,        \
		    "%s == %s (0x%lx != 0x%lx)", #a, #b, kt_a_, kt_b_); \
	})

/*
 * Report the running test as skipped ("ok N - name # SKIP why"): what
 * it needs is missing here (a second CPU).  The test returns right
 * after.
 */
void ktest_skip(const char *why);

/* A pseudo-random number from the run's seed (xorshift64*). */
uint64_t ktest_random(void);

/*
 * Run the tests the command line selects, print the summary and leave
 * QEMU with the failure count.  Returns only if the command line has no
 * "ktest=" word.
 */
void ktest_main(void);

#endif /* !_KTEST_H_ */
