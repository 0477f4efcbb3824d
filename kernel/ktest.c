/*
 * The in-kernel test runner (see <ktest.h>).  Tests are found in the
 * .ktests section, where KTEST() places their descriptors.
 */
#include <systm.h>
#include <bootinfo.h>
#include <ktest.h>
#include <arch/cpu.h>

extern const struct ktest ktests_start[], ktests_end[];
extern struct bootinfo bootinfo;

static const struct ktest *ktest_current;
static int ktest_failed_checks;
static const char *ktest_skipped; /* why the running test skipped, or NULL */
static uint64_t ktest_seed, ktest_state;

static void
ktest_report_failure(const char *file, int line)
{
	kprintf("#   at %s:%d\n", file, line);
}

bool
ktest_check(bool cond, const char *expr, const char *file, int line)
{
	if (!cond) {
		ktest_failed_checks++;
		kprintf("#   %s: check failed: %s\n", ktest_current->kt_name,
		    expr);
		ktest_report_failure(file, line);
	}
	return cond;
}

bool
ktest_checkf(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!cond) {
		ktest_failed_checks++;
		kprintf("#   %s: check failed: ", ktest_current->kt_name);
		va_start(ap, fmt);
		kvprintf(fmt, ap);
		va_end(ap);
		kprintf("\n");
		ktest_report_failure(file, line);
	}
	return cond;
}

void
ktest_skip(const char *why)
{
	ktest_skipped = why;
}

uint64_t
ktest_random(void)
{
	/* xorshift64*: never zero with a non-zero state. */
	ktest_state ^= ktest_state >> 12;
	ktest_state ^= ktest_state << 25;
	ktest_state ^= ktest_state >> 27;
	return ktest_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t
parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

/* True if name is "all" or one of the comma-separated words in list. */
static bool
ktest_selected(const char *list, const char *name)
{
	size_t n = strlen(name);

	/* "all" leaves out the crash_ tests, which end the run with a panic. */
	if (strcmp(list, "all") == 0)
		return strncmp(name, "crash_", 6) != 0;
	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* Words of list that name no test: each is reported as a failure. */
static int
ktest_unknown(const char *list, int n)
{
	int failed = 0;

	if (strcmp(list, "all") == 0)
		return 0;
	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
		bool found = false;

		for (const struct ktest *t = ktests_start; t < ktests_end; t++)
			if (strlen(t->kt_name) == len &&
			    strncmp(t->kt_name, p, len) == 0)
				found = true;
		if (!found && len > 0) {
			kprintf("not ok %d - %.*s # no such test\n", ++n,
			    (int)len, p);
			failed++;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return failed;
}

void
ktest_main(void)
{
	char list[256], seedarg[32];
	int n = 0, passed = 0, failed = 0;

	if (!bootinfo_getarg(&bootinfo, "ktest", list, sizeof(list)))
		return;
	ktest_seed = 1;
	if (bootinfo_getarg(&bootinfo, "seed", seedarg, sizeof(seedarg)))
		ktest_seed = parse_u64(seedarg);
	if (ktest_seed == 0)
		ktest_seed = 1;

	kprintf("# ktest=%s seed=%lu\n", list, ktest_seed);
	for (const struct ktest *t = ktests_start; t < ktests_end; t++) {
		if (!ktest_selected(list, t->kt_name))
			continue;
		ktest_current = t;
		ktest_failed_checks = 0;
		ktest_skipped = NULL;
		ktest_state = ktest_seed;
		t->kt_func();
		KASSERT(
		    intr_enabled()); /* a test must leave interrupts as it found them */
		n++;
		if (ktest_failed_checks == 0 && ktest_skipped != NULL) {
			kprintf("ok %d - %s # SKIP %s\n", n, t->kt_name,
			    ktest_skipped);
			passed++;
		} else if (ktest_failed_checks == 0) {
			kprintf("ok %d - %s\n", n, t->kt_name);
			passed++;
		} else {
			kprintf("not ok %d - %s\n", n, t->kt_name);
			kprintf(
			    "#   reproduce: make run CMDLINE='ktest=%s seed=%lu'"
			    " (with the same MEM, MACHINE and CPU)\n",
			    t->kt_name, ktest_seed);
			failed++;
		}
	}
	failed += ktest_unknown(list, n);
	kprintf("%d passed, %d failed\n", passed, failed);
	machine_exit(failed > 126 ? 126 : failed);
}
