/*
 * Self tests of the lock checker (witness.c).  Each test makes its
 * mistakes on locks of its own classes ("witness_test_*") with reports
 * captured, so they are counted instead of panicking, and then makes the
 * checker forget those classes.  With witness=off they check nothing.
 * crash_witness, run alone, checks that a report not captured panics.
 */
#include <systm.h>
#include <copy.h>
#include <errno.h>
#include <ktest.h>
#include <mutex.h>
#include <spinlock.h>
#include <witness.h>
#include <uapi/native_abi.h>

#ifdef WITNESS

/* Forget every test class, so that a test leaves no order behind. */
static void
witness_test_forget(void)
{
	witness_forget("witness_test_a");
	witness_forget("witness_test_b");
	witness_forget("witness_test_c");
	witness_forget("witness_test_m1");
	witness_forget("witness_test_m2");
}

/* True if the checker runs; says why the test checks nothing if not. */
static bool
witness_test_on(void)
{
	if (witness_on)
		return true;
	kprintf("#   witness=off: nothing to check\n");
	return false;
}

/* A then B, then B then A: the second order is one report. */
KTEST(witness_reversal)
{
	struct spinlock a, b;

	if (!witness_test_on())
		return;
	spinlock_init(&a, "witness_test_a");
	spinlock_init(&b, "witness_test_b");
	witness_capture_begin();
	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	KT_EQ(witness_capture_end(), 0);

	witness_capture_begin();
	spin_lock(&b);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	/* The same reversal again is not reported twice. */
	spin_lock(&b);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&b);
	KT_EQ(witness_capture_end(), 1);
	witness_test_forget();
}

/* A -> B and B -> C seen: C then A closes a cycle of three. */
KTEST(witness_cycle)
{
	struct spinlock a, b, c;

	if (!witness_test_on())
		return;
	spinlock_init(&a, "witness_test_a");
	spinlock_init(&b, "witness_test_b");
	spinlock_init(&c, "witness_test_c");
	witness_capture_begin();
	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	spin_lock(&b);
	spin_lock(&c);
	spin_unlock(&c);
	spin_unlock(&b);
	KT_EQ(witness_capture_end(), 0);

	witness_capture_begin();
	spin_lock(&c);
	spin_lock(&a);
	spin_unlock(&a);
	spin_unlock(&c);
	KT_EQ(witness_capture_end(), 1);
	witness_test_forget();
}

/*
 * Two locks of one class: reported when nested plainly, not when the
 * second names a higher subclass.
 */
KTEST(witness_nested)
{
	struct spinlock a1, a2;

	if (!witness_test_on())
		return;
	spinlock_init(&a1, "witness_test_a");
	spinlock_init(&a2, "witness_test_a");
	witness_capture_begin();
	spin_lock(&a1);
	spin_lock_nested(&a2, 1);
	spin_unlock(&a2);
	spin_unlock(&a1);
	KT_EQ(witness_capture_end(), 0);

	witness_capture_begin();
	spin_lock(&a1);
	spin_lock(&a2);
	spin_unlock(&a2);
	spin_unlock(&a1);
	KT_EQ(witness_capture_end(), 1);
	witness_test_forget();
}

/* Mutexes: orders are per LWP, and reversed ones reported too. */
KTEST(witness_mutex_reversal)
{
	struct mutex m1, m2;

	if (!witness_test_on())
		return;
	mutex_init(&m1, "witness_test_m1");
	mutex_init(&m2, "witness_test_m2");
	witness_capture_begin();
	mutex_lock(&m1);
	mutex_lock(&m2);
	mutex_unlock(&m2);
	mutex_unlock(&m1);
	KT_EQ(witness_capture_end(), 0);

	witness_capture_begin();
	mutex_lock(&m2);
	mutex_lock(&m1);
	mutex_unlock(&m1);
	mutex_unlock(&m2);
	KT_EQ(witness_capture_end(), 1);
	witness_test_forget();
}

/*
 * Going to sleep with a spinlock held other than the interlock that
 * sleep() drops is reported; with only the interlock it is not.  The
 * check is called directly: the test must not really sleep.
 */
KTEST(witness_sleep_spinlock)
{
	struct spinlock a, b;

	if (!witness_test_on())
		return;
	spinlock_init(&a, "witness_test_a");
	spinlock_init(&b, "witness_test_b");
	witness_capture_begin();
	spin_lock(&a);
	witness_sleep_check(&a);
	KT_EQ(witness_capture_end(), 0);

	witness_capture_begin();
	spin_lock(&b);
	witness_sleep_check(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	KT_EQ(witness_capture_end(), 1);
	witness_test_forget();
}

/*
 * A copy from user memory with a spinlock held is reported before the
 * range is even checked (this one is outside user space: EFAULT).
 */
KTEST(witness_copyin_spinlock)
{
	struct spinlock a;
	uint64_t v;

	if (!witness_test_on())
		return;
	spinlock_init(&a, "witness_test_a");
	witness_capture_begin();
	spin_lock(&a);
	KT_EQ(copyin((const void *)VM_MAX_USER_ADDRESS, &v, sizeof(v)),
	    -EFAULT);
	spin_unlock(&a);
	KT_EQ(witness_capture_end(), 1);

	witness_capture_begin();
	KT_EQ(copyin((const void *)VM_MAX_USER_ADDRESS, &v, sizeof(v)),
	    -EFAULT);
	KT_EQ(witness_capture_end(), 0);
	witness_test_forget();
}

/*
 * The test kernels' default (witness=panic): a reversal not captured
 * ends the run with "panic: witness: lock order reversal".
 */
KTEST(crash_witness)
{
	struct spinlock a, b;

	spinlock_init(&a, "witness_test_a");
	spinlock_init(&b, "witness_test_b");
	spin_lock(&a);
	spin_lock(&b);
	spin_unlock(&b);
	spin_unlock(&a);
	spin_lock(&b);
	spin_lock(&a);
	KT_CHECKF(false, "the reversal did not panic (witness=%s)",
	    witness_on ? "report" : "off");
	spin_unlock(&a);
	spin_unlock(&b);
}

#endif /* WITNESS */
