/*
 * The lock checker (see <witness.h>).
 *
 * Data:
 *   - classes: one per lock name and kind (spinlock or mutex), found by
 *     name the first time a lock is taken and cached in the lock
 *     (sl_wclass, mtx_wclass), so later acquisitions cost no lookup;
 *   - the order graph: witness_edge_of[a][b] is the record of the first
 *     time b was taken with a held (0: never), with the stack of that
 *     acquisition; witness_adj holds the same edges as bits, for the
 *     cycle search;
 *   - per CPU, the spinlocks it holds (in the order taken), and per LWP
 *     holding a mutex, a slot in witness_lwps with the mutexes it holds.
 *     A slot is claimed and let go only by its own LWP, so finding one's
 *     own slot needs no lock.
 *
 * The fast path of an acquisition reads the graph without a lock: an
 * edge, once recorded, stays (witness_forget, for tests, aside).  Only a
 * new edge takes witness_lock, searches for a path back (which would
 * close a cycle) and records the edge.  Nothing is allocated, and nothing
 * is printed with witness_lock held: a report is gathered under it and
 * printed after, with the CPU marked busy so that the console's own lock
 * is not checked while the checker prints.
 */
#include <systm.h>
#include <bootinfo.h>
#include <mutex.h>
#include <spinlock.h>
#include <witness.h>
#include <arch/cpu.h>
#include <arch/db.h>
#include <arch/frame.h>
#include <arch/pmap.h>

#define WITNESS_MAXCLASS 128 /* class 0 means "not yet looked up" */
#define WITNESS_MAXEDGE 1024
#define WITNESS_MAXHELD 16 /* spinlocks per CPU, mutexes per LWP */
#define WITNESS_MAXLWP 64  /* LWPs holding a mutex at one time */
#define WITNESS_STACK 8    /* return addresses saved with an edge */
#define WITNESS_MAXSITE 256
#define WITNESS_MAXPATH 8 /* edges of a cycle reported */

#define WK_SPIN 0
#define WK_MUTEX 1

/* What a report is about. */
enum witness_kind {
	WR_NONE,
	WR_REVERSAL, /* an order against one seen before */
	WR_RECURSE,  /* a second lock of a held class, not annotated */
	WR_SLEEP,    /* sleeping with a spinlock held */
	WR_USER,     /* a user access with a spinlock held */
	WR_USERRET,  /* back to user mode holding a lock */
};

struct witness_class {
	const char *wc_name;
	int wc_kind; /* WK_* */
};

struct witness_edge {
	uint16_t we_from, we_to;
	unsigned we_cpu;
	void *we_stack[WITNESS_STACK];
};

struct witness_held {
	const void *wh_lock;
	uint16_t wh_class;
	uint16_t wh_subclass;
	void *wh_where; /* the caller of the lock primitive */
};

/* The mutexes one LWP holds. */
struct witness_lwp {
	struct lwp *wl_lwp; /* NULL: a free slot; atomic */
	int wl_n;
	struct witness_held wl_held[WITNESS_MAXHELD];
};

/* A report, gathered under witness_lock and printed after. */
struct witness_report {
	enum witness_kind wr_kind;
	uint16_t wr_held, wr_taken; /* classes: held, being taken */
	int wr_npath;               /* edges of the earlier path */
	uint16_t wr_path[WITNESS_MAXPATH];
	const char *wr_what; /* the access or call */
	void *wr_site;
	uint64_t wr_addr;
};

/* Owned by its CPU; changed with interrupts masked. */
struct witness_cpu {
	int wc_n;
	bool wc_busy; /* printing a report: the checker is off here */
	struct witness_held wc_held[WITNESS_MAXHELD];
};

bool witness_on = true;
int witness_mode = WITNESS_PANIC;

/* witness_lock guards everything below up to witness_sites. */
static volatile uint32_t witness_lock;
static struct witness_class witness_classes[WITNESS_MAXCLASS];
static unsigned witness_nclasses = 1;
static uint16_t witness_edge_of[WITNESS_MAXCLASS][WITNESS_MAXCLASS];
static uint64_t witness_adj[WITNESS_MAXCLASS][WITNESS_MAXCLASS / 64];
static uint64_t witness_reported[WITNESS_MAXCLASS][WITNESS_MAXCLASS / 64];
static struct witness_edge witness_edges[WITNESS_MAXEDGE];
static unsigned witness_nedges = 1;
static void *witness_sites[WITNESS_MAXSITE];
static unsigned witness_nsites;

static struct witness_cpu witness_cpus[MAXCPUS];
static struct witness_lwp witness_lwps[WITNESS_MAXLWP];
static unsigned witness_nlwps; /* slots in use; atomic */

static bool witness_full_class, witness_full_edge, witness_full_held,
    witness_full_lwp, witness_full_site; /* said once; atomic */
static uint64_t witness_nreports;        /* atomic */
static bool witness_capturing;
static uint64_t witness_ncaptured; /* atomic */

static void witness_print_report(struct witness_cpu *wc,
    const struct witness_report *wr);

void
witness_startup(const struct bootinfo *bi)
{
	char mode[16];

	if (!bootinfo_getarg(bi, "witness", mode, sizeof(mode)))
		return;
	if (strcmp(mode, "off") == 0)
		witness_on = false;
	else if (strcmp(mode, "report") == 0)
		witness_mode = WITNESS_REPORT;
	else if (strcmp(mode, "panic") == 0)
		witness_mode = WITNESS_PANIC;
	else
		kprintf("witness: unknown mode \"%s\" (off, report, panic); "
			"panic\n",
		    mode);
}

/*
 * In a hook called by a lock primitive or copy routine, the return
 * address of that primitive: where it was called from.  Every kernel
 * function keeps a frame pointer (-fno-omit-frame-pointer).
 */
#define WITNESS_CALLER_OF_CALLER() \
	((void *)((uint64_t *)*(uint64_t *)__builtin_frame_address(0))[1])

/* Take witness_lock.  Interrupts are masked. */
static void
witness_lock_enter(void)
{
	while (__atomic_exchange_n(&witness_lock, 1, __ATOMIC_ACQUIRE) != 0)
		while (__atomic_load_n(&witness_lock, __ATOMIC_RELAXED) != 0)
			cpu_pause();
}

static void
witness_lock_exit(void)
{
	__atomic_store_n(&witness_lock, 0, __ATOMIC_RELEASE);
}

/* This CPU's state.  Interrupts are masked. */
static struct witness_cpu *
witness_cpu(void)
{
	return &witness_cpus[curcpu()->ci_index];
}

/*
 * Save up to WITNESS_STACK return addresses of the call chain whose
 * innermost frame is rbp (that frame's return address first); the rest
 * of stack is zeroed.  Frames are read with probe_read64, so a chain
 * that leaves the kernel (a frame pointer from user mode) only ends the
 * walk.
 */
static void
witness_save_stack(void **stack, uint64_t rbp)
{
	int n = 0;

	memset(stack, 0, WITNESS_STACK * sizeof(void *));
	while (n < WITNESS_STACK) {
		uint64_t next, ret;

		if (rbp < DMAP_BASE || (rbp & 7) != 0 ||
		    probe_read64((void *)rbp, &next) != 0 ||
		    probe_read64((void *)(rbp + 8), &ret) != 0 || ret == 0)
			break;
		stack[n++] = (void *)ret;
		if (next <= rbp)
			break;
		rbp = next;
	}
}

/* Say once that a table is full: what it stops checking. */
static void
witness_full(bool *flag, const char *what)
{
	struct witness_cpu *wc;
	bool was;

	if (__atomic_exchange_n(flag, true, __ATOMIC_RELAXED))
		return;
	was = intr_disable();
	wc = witness_cpu();
	wc->wc_busy = true;
	kprintf("witness: %s table full; %s\n", what,
	    "from here on the checker sees only part of the locking");
	wc->wc_busy = false;
	intr_restore(was);
}

/*
 * The class of the lock called name of kind, which *slot caches: looked
 * up (or made) the first time.  0 if the class table is full.
 * Interrupts are masked.
 */
static uint16_t
witness_class_of(uint16_t *slot, const char *name, int kind)
{
	uint16_t c = __atomic_load_n(slot, __ATOMIC_RELAXED);
	bool full = false;

	if (__predict_true(c != 0))
		return c;
	if (name == NULL)
		name = "(unnamed)";
	witness_lock_enter();
	for (unsigned i = 1; i < witness_nclasses; i++) {
		if (witness_classes[i].wc_kind == kind &&
		    strcmp(witness_classes[i].wc_name, name) == 0) {
			c = i;
			break;
		}
	}
	if (c == 0 && witness_nclasses < WITNESS_MAXCLASS) {
		c = witness_nclasses++;
		witness_classes[c].wc_name = name;
		witness_classes[c].wc_kind = kind;
	} else if (c == 0) {
		full = true;
	}
	if (c != 0)
		__atomic_store_n(slot, c, __ATOMIC_RELAXED);
	witness_lock_exit();
	if (full)
		witness_full(&witness_full_class, "class");
	return c;
}

static bool
witness_bit(const uint64_t (*set)[WITNESS_MAXCLASS / 64], unsigned a,
    unsigned b)
{
	return (set[a][b / 64] >> (b % 64)) & 1;
}

static void
witness_set_bit(uint64_t (*set)[WITNESS_MAXCLASS / 64], unsigned a, unsigned b,
    bool on)
{
	if (on)
		set[a][b / 64] |= 1UL << (b % 64);
	else
		set[a][b / 64] &= ~(1UL << (b % 64));
}

/*
 * A path from class `from` to class `to` in the graph, breadth first so
 * that it is a shortest one: its edges, up to WITNESS_MAXPATH, go to
 * path.  Returns the number of edges (0: none).  witness_lock is held.
 */
static int
witness_find_path(unsigned from, unsigned to, uint16_t *path)
{
	uint16_t queue[WITNESS_MAXCLASS], parent[WITNESS_MAXCLASS];
	uint64_t seen[WITNESS_MAXCLASS / 64] = { 0 };
	unsigned head = 0, tail = 0;
	int n = 0;

	queue[tail++] = from;
	seen[from / 64] |= 1UL << (from % 64);
	while (head < tail) {
		unsigned c = queue[head++];

		for (unsigned w = 0; w < WITNESS_MAXCLASS / 64; w++) {
			uint64_t bits = witness_adj[c][w] & ~seen[w];

			while (bits != 0) {
				unsigned d = w * 64 + __builtin_ctzl(bits);

				bits &= bits - 1;
				seen[w] |= 1UL << (d % 64);
				parent[d] = c;
				queue[tail++] = d;
				if (d != to)
					continue;
				/* Walk back from `to`, then reverse. */
				for (unsigned x = to;
				     x != from && n < WITNESS_MAXPATH;
				     x = parent[x])
					path[n++] =
					    witness_edge_of[parent[x]][x];
				for (int i = 0; i < n / 2; i++) {
					uint16_t t = path[i];
					path[i] = path[n - 1 - i];
					path[n - 1 - i] = t;
				}
				return n;
			}
		}
	}
	return 0;
}

/*
 * Record that `to` is taken with `from` held, with the stack from frame
 * (the hook's frame: the stack starts in the lock primitive), unless
 * that closes a cycle: then fill *wr (once per pair of classes) and
 * record nothing.  Returns true if *wr was filled.  Interrupts are
 * masked.
 */
static bool
witness_add_order(unsigned from, unsigned to, uint64_t frame,
    struct witness_report *wr)
{
	void *stack[WITNESS_STACK];
	bool reported = false, full = false;
	int n;

	witness_save_stack(stack, frame);
	witness_lock_enter();
	if (witness_edge_of[from][to] != 0)
		goto out;
	n = witness_find_path(to, from, wr->wr_path);
	if (n > 0) {
		if (!witness_bit(witness_reported, from, to)) {
			witness_set_bit(witness_reported, from, to, true);
			wr->wr_kind = WR_REVERSAL;
			wr->wr_held = from;
			wr->wr_taken = to;
			wr->wr_npath = n;
			reported = true;
		}
		goto out;
	}
	if (witness_nedges == WITNESS_MAXEDGE) {
		full = true;
		goto out;
	}
	struct witness_edge *e = &witness_edges[witness_nedges];
	e->we_from = from;
	e->we_to = to;
	e->we_cpu = curcpu()->ci_index;
	memcpy(e->we_stack, stack, sizeof(stack));
	witness_set_bit(witness_adj, from, to, true);
	__atomic_store_n(&witness_edge_of[from][to], witness_nedges,
	    __ATOMIC_RELEASE);
	__atomic_store_n(&witness_nedges, witness_nedges + 1, __ATOMIC_RELEASE);
out:
	witness_lock_exit();
	if (full)
		witness_full(&witness_full_edge, "order");
	return reported;
}

/* True the first time site is reported.  Interrupts are masked. */
static bool
witness_site_first(void *site)
{
	bool first = true, full = false;

	witness_lock_enter();
	for (unsigned i = 0; i < witness_nsites; i++)
		if (witness_sites[i] == site)
			first = false;
	if (first && witness_nsites < WITNESS_MAXSITE)
		witness_sites[witness_nsites++] = site;
	else if (first)
		full = true;
	witness_lock_exit();
	if (full)
		witness_full(&witness_full_site, "report site");
	return first;
}

/* The calling LWP's slot, or NULL if it holds no mutex. */
static struct witness_lwp *
witness_lwp_find(struct lwp *l)
{
	if (l == NULL || __atomic_load_n(&witness_nlwps, __ATOMIC_RELAXED) == 0)
		return NULL;
	for (unsigned i = 0; i < WITNESS_MAXLWP; i++)
		if (__atomic_load_n(&witness_lwps[i].wl_lwp,
			__ATOMIC_RELAXED) == l)
			return &witness_lwps[i];
	return NULL;
}

/* Claim a slot for the calling LWP l; NULL if none is free. */
static struct witness_lwp *
witness_lwp_claim(struct lwp *l)
{
	for (unsigned i = 0; i < WITNESS_MAXLWP; i++) {
		struct lwp *none = NULL;

		if (__atomic_compare_exchange_n(&witness_lwps[i].wl_lwp, &none,
			l, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			witness_lwps[i].wl_n = 0;
			__atomic_fetch_add(&witness_nlwps, 1, __ATOMIC_RELAXED);
			return &witness_lwps[i];
		}
	}
	return NULL;
}

/*
 * The mutexes the code running here holds: none in interrupt context,
 * which runs for no LWP.  Interrupts are masked.
 */
static struct witness_lwp *
witness_lwp_here(void)
{
	if (curcpu()->ci_intr_depth != 0)
		return NULL;
	return witness_lwp_find(curlwp);
}

/*
 * Check taking a lock of class c (subclass sub) against one held lock:
 * a class may nest in itself only with rising subclasses; otherwise the
 * edge held -> c is recorded, or reported if it closes a cycle.  Returns
 * true if *wr was filled.  Interrupts are masked.
 */
static bool
witness_check_one(const struct witness_held *h, uint16_t c, unsigned sub,
    void *ra, uint64_t frame, struct witness_report *wr)
{
	if (h->wh_class == c) {
		if (sub > h->wh_subclass || !witness_site_first(ra))
			return false;
		wr->wr_kind = WR_RECURSE;
		wr->wr_held = c;
		wr->wr_taken = c;
		wr->wr_site = ra;
		return true;
	}
	if (__predict_true(__atomic_load_n(&witness_edge_of[h->wh_class][c],
			       __ATOMIC_RELAXED) != 0) ||
	    witness_full_edge)
		return false;
	return witness_add_order(h->wh_class, c, frame, wr);
}

/*
 * Check taking a lock of class c against every lock held here (this
 * CPU's spinlocks and, outside interrupts, the LWP's mutexes), and print
 * the first report.  Interrupts are masked.
 */
static void
witness_check_order(struct witness_cpu *wc, uint16_t c, unsigned sub, void *ra,
    uint64_t frame)
{
	struct witness_report wr = { .wr_kind = WR_NONE };
	struct witness_lwp *wl = witness_lwp_here();

	for (int i = 0; i < wc->wc_n && wr.wr_kind == WR_NONE; i++)
		witness_check_one(&wc->wc_held[i], c, sub, ra, frame, &wr);
	for (int i = 0; wl != NULL && i < wl->wl_n && wr.wr_kind == WR_NONE;
	     i++)
		witness_check_one(&wl->wl_held[i], c, sub, ra, frame, &wr);
	if (wr.wr_kind != WR_NONE)
		witness_print_report(wc, &wr);
}

/* Add a held lock to a stack of n; says once if it is full. */
static void
witness_push(struct witness_held *held, int *n, const void *lock, uint16_t c,
    unsigned sub, void *where)
{
	if (*n == WITNESS_MAXHELD) {
		witness_full(&witness_full_held, "held-lock");
		return;
	}
	held[*n].wh_lock = lock;
	held[*n].wh_class = c;
	held[*n].wh_subclass = sub;
	held[*n].wh_where = where;
	(*n)++;
}

/* Remove lock from a stack of n, wherever it is; true if it was there. */
static bool
witness_pop(struct witness_held *held, int *n, const void *lock)
{
	for (int i = *n - 1; i >= 0; i--) {
		if (held[i].wh_lock != lock)
			continue;
		memmove(&held[i], &held[i + 1], (*n - 1 - i) * sizeof(held[0]));
		(*n)--;
		return true;
	}
	return false;
}

void
witness_spin_acquire(struct spinlock *sl, unsigned subclass)
{
	struct witness_cpu *wc = witness_cpu();
	void *ra = WITNESS_CALLER_OF_CALLER();
	uint16_t c;

	if ((sl->sl_wflags & WITNESS_SKIP) || wc->wc_busy)
		return;
	c = witness_class_of(&sl->sl_wclass, sl->sl_name, WK_SPIN);
	if (c == 0)
		return;
	if (wc->wc_n != 0 ||
	    __atomic_load_n(&witness_nlwps, __ATOMIC_RELAXED) != 0)
		witness_check_order(wc, c, subclass, ra,
		    (uint64_t)__builtin_frame_address(0));
	witness_push(wc->wc_held, &wc->wc_n, sl, c, subclass, ra);
}

void
witness_spin_tried(struct spinlock *sl)
{
	struct witness_cpu *wc = witness_cpu();
	uint16_t c;

	if ((sl->sl_wflags & WITNESS_SKIP) || wc->wc_busy)
		return;
	c = witness_class_of(&sl->sl_wclass, sl->sl_name, WK_SPIN);
	if (c != 0)
		witness_push(wc->wc_held, &wc->wc_n, sl, c, 0,
		    WITNESS_CALLER_OF_CALLER());
}

void
witness_spin_release(struct spinlock *sl)
{
	struct witness_cpu *wc = witness_cpu();

	if ((sl->sl_wflags & WITNESS_SKIP) || wc->wc_busy)
		return;
	witness_pop(wc->wc_held, &wc->wc_n, sl);
}

/*
 * Report sleeping (what: "sleep", "mutex_lock") at site while this CPU
 * holds a spinlock other than lk.  Interrupts are masked.
 */
static void
witness_check_sleep(const struct spinlock *lk, const char *what, void *site)
{
	struct witness_cpu *wc = witness_cpu();
	struct witness_report wr = { .wr_kind = WR_SLEEP,
		.wr_what = what,
		.wr_site = site };
	int n = 0;

	if (wc->wc_busy)
		return;
	for (int i = 0; i < wc->wc_n; i++)
		if (wc->wc_held[i].wh_lock != lk)
			n++;
	if (n != 0 && witness_site_first(site))
		witness_print_report(wc, &wr);
}

void
witness_mutex_lock(struct mutex *m, void *ra)
{
	bool was = intr_disable();
	struct witness_cpu *wc = witness_cpu();
	uint16_t c;

	witness_check_sleep(NULL, "mutex_lock", ra);
	c = witness_class_of(&m->mtx_wclass, m->mtx_name, WK_MUTEX);
	if (c != 0 && !wc->wc_busy)
		witness_check_order(wc, c, 0, ra,
		    (uint64_t)__builtin_frame_address(0));
	intr_restore(was);
}

void
witness_mutex_locked(struct mutex *m, void *ra)
{
	bool was = intr_disable();
	struct lwp *l = curlwp;
	struct witness_lwp *wl = witness_lwp_find(l);
	uint16_t c = witness_class_of(&m->mtx_wclass, m->mtx_name, WK_MUTEX);

	if (c != 0) {
		if (wl == NULL)
			wl = witness_lwp_claim(l);
		if (wl != NULL)
			witness_push(wl->wl_held, &wl->wl_n, m, c, 0, ra);
		else
			witness_full(&witness_full_lwp, "mutex-holder");
	}
	intr_restore(was);
}

void
witness_mutex_unlock(struct mutex *m)
{
	bool was = intr_disable();
	struct witness_lwp *wl = witness_lwp_find(curlwp);

	if (wl != NULL && witness_pop(wl->wl_held, &wl->wl_n, m) &&
	    wl->wl_n == 0) {
		__atomic_store_n(&wl->wl_lwp, NULL, __ATOMIC_RELEASE);
		__atomic_fetch_sub(&witness_nlwps, 1, __ATOMIC_RELAXED);
	}
	intr_restore(was);
}

void
witness_sleep_check_slow(const struct spinlock *lk)
{
	bool was = intr_disable();

	witness_check_sleep(lk, "sleep", WITNESS_CALLER_OF_CALLER());
	intr_restore(was);
}

/* Report a user access at site with a spinlock held.  Interrupts masked. */
static void
witness_check_user(const char *what, void *site, uint64_t addr)
{
	struct witness_cpu *wc = witness_cpu();
	struct witness_report wr = { .wr_kind = WR_USER,
		.wr_what = what,
		.wr_site = site,
		.wr_addr = addr };

	if (wc->wc_n != 0 && !wc->wc_busy && witness_site_first(site))
		witness_print_report(wc, &wr);
}

void
witness_user_access_slow(const char *what, void *site)
{
	bool was = intr_disable();

	witness_check_user(what, site, 0);
	intr_restore(was);
}

void
witness_user_fault_slow(const struct trapframe *tf)
{
	uint64_t site = tf->tf_rip;
	bool was;

	/*
	 * The copy routines are leaves without a frame: the frame pointer
	 * is still their C caller's (copyin), whose return address names
	 * the code that asked for the copy.
	 */
	if (tf->tf_rbp >= DMAP_BASE && (tf->tf_rbp & 7) == 0)
		(void)probe_read64((void *)(tf->tf_rbp + 8), &site);
	was = intr_disable();
	witness_check_user("page fault", (void *)site, tf->tf_addr);
	intr_restore(was);
}

void
witness_userret_check_slow(void)
{
	struct witness_cpu *wc;
	struct witness_lwp *wl;
	bool was = intr_disable();

	wc = witness_cpu();
	wl = witness_lwp_here();
	if (!wc->wc_busy && (wc->wc_n != 0 || wl != NULL)) {
		struct witness_report wr = { .wr_kind = WR_USERRET,
			.wr_what = "return to user mode" };

		wr.wr_site = wc->wc_n != 0 ? wc->wc_held[0].wh_where :
					     wl->wl_held[0].wh_where;
		if (witness_site_first(wr.wr_site))
			witness_print_report(wc, &wr);
	}
	intr_restore(was);
}

static const char *
witness_name(uint16_t c)
{
	return witness_classes[c].wc_name;
}

static const char *
witness_kind_name(uint16_t c)
{
	return witness_classes[c].wc_kind == WK_SPIN ? "spinlock" : "mutex";
}

static void
witness_print_held(const char *whose, const struct witness_held *held, int n)
{
	for (int i = 0; i < n; i++) {
		kprintf("witness:   %s holds \"%s\" (%s", whose,
		    witness_name(held[i].wh_class),
		    witness_kind_name(held[i].wh_class));
		if (held[i].wh_subclass != 0)
			kprintf(", subclass %u", held[i].wh_subclass);
		kprintf("), taken at ");
		db_print_symbol((uint64_t)held[i].wh_where);
		kprintf("\n");
	}
}

/*
 * Print *wr: what happened, the locks held here and the stacks; then
 * count it, and panic unless the mode is "report" or a test captures
 * reports.  Interrupts are masked.
 */
static void
witness_print_report(struct witness_cpu *wc, const struct witness_report *wr)
{
	struct witness_lwp *wl = witness_lwp_here();
	unsigned cpu = curcpu()->ci_index;
	const char *title = "";

	wc->wc_busy = true;
	switch (wr->wr_kind) {
	case WR_REVERSAL:
		title = "lock order reversal";
		kprintf("witness: lock order reversal on CPU %u: \"%s\" taken "
			"while holding \"%s\"\n",
		    cpu, witness_name(wr->wr_taken), witness_name(wr->wr_held));
		kprintf("witness: but the opposite order was seen before:\n");
		for (int i = 0; i < wr->wr_npath; i++) {
			const struct witness_edge *e =
			    &witness_edges[wr->wr_path[i]];

			kprintf("witness:  \"%s\" then \"%s\", first on CPU "
				"%u at:\n",
			    witness_name(e->we_from), witness_name(e->we_to),
			    e->we_cpu);
			for (int j = 0; j < WITNESS_STACK && e->we_stack[j];
			     j++) {
				kprintf("    #%d ", j);
				db_print_symbol((uint64_t)e->we_stack[j]);
				kprintf("\n");
			}
		}
		break;
	case WR_RECURSE:
		title = "lock of a held class";
		kprintf("witness: on CPU %u, a second \"%s\" taken while one "
			"is held, without a higher subclass "
			"(spin_lock_nested), at ",
		    cpu, witness_name(wr->wr_taken));
		db_print_symbol((uint64_t)wr->wr_site);
		kprintf("\n");
		break;
	case WR_SLEEP:
		title = "sleeping with a spinlock held";
		kprintf("witness: %s with a spinlock held on CPU %u, at ",
		    wr->wr_what, cpu);
		db_print_symbol((uint64_t)wr->wr_site);
		kprintf("\n");
		break;
	case WR_USER:
		title = "spinlock held across a user access";
		kprintf("witness: %s with a spinlock held on CPU %u",
		    wr->wr_what, cpu);
		if (wr->wr_addr != 0)
			kprintf(" (address 0x%lx)", wr->wr_addr);
		kprintf(", at ");
		db_print_symbol((uint64_t)wr->wr_site);
		kprintf("\n");
		break;
	case WR_USERRET:
		title = "lock held on return to user mode";
		kprintf("witness: %s with a lock held on CPU %u\n", wr->wr_what,
		    cpu);
		break;
	default:
		break;
	}
	witness_print_held("CPU", wc->wc_held, wc->wc_n);
	if (wl != NULL)
		witness_print_held("LWP", wl->wl_held, wl->wl_n);
	kprintf("witness: this ");
	db_backtrace((uint64_t)__builtin_frame_address(0));
	__atomic_fetch_add(&witness_nreports, 1, __ATOMIC_RELAXED);
	if (witness_capturing) {
		__atomic_fetch_add(&witness_ncaptured, 1, __ATOMIC_RELAXED);
		kprintf("witness: (captured by a self test)\n");
	} else if (witness_mode == WITNESS_PANIC) {
		panic("witness: %s", title);
	}
	wc->wc_busy = false;
}

uint64_t
witness_report_count(void)
{
	return __atomic_load_n(&witness_nreports, __ATOMIC_RELAXED);
}

void
witness_capture_begin(void)
{
	witness_ncaptured = 0;
	witness_capturing = true;
}

uint64_t
witness_capture_end(void)
{
	witness_capturing = false;
	return witness_ncaptured;
}

void
witness_print_order(void)
{
	struct witness_cpu *wc;
	bool was = intr_disable();
	unsigned n;

	wc = witness_cpu();
	wc->wc_busy = true;
	/* Edges are only added, each filled before it is published. */
	n = __atomic_load_n(&witness_nedges, __ATOMIC_ACQUIRE);
	kprintf("witness: %u classes, %u orders seen:\n", witness_nclasses - 1,
	    n - 1);
	for (unsigned i = 1; i < n; i++) {
		const struct witness_edge *e = &witness_edges[i];

		if (witness_edge_of[e->we_from][e->we_to] != i)
			continue; /* forgotten */
		kprintf("witness:   \"%s\" -> \"%s\" at ",
		    witness_name(e->we_from), witness_name(e->we_to));
		db_print_symbol((uint64_t)e->we_stack[1]);
		kprintf("\n");
	}
	wc->wc_busy = false;
	intr_restore(was);
}

void
witness_forget(const char *name)
{
	bool was = intr_disable();

	witness_lock_enter();
	for (unsigned c = 1; c < witness_nclasses; c++) {
		if (strcmp(witness_classes[c].wc_name, name) != 0)
			continue;
		for (unsigned d = 0; d < WITNESS_MAXCLASS; d++) {
			witness_edge_of[c][d] = 0;
			witness_edge_of[d][c] = 0;
			witness_set_bit(witness_adj, c, d, false);
			witness_set_bit(witness_adj, d, c, false);
			witness_set_bit(witness_reported, c, d, false);
			witness_set_bit(witness_reported, d, c, false);
		}
	}
	witness_lock_exit();
	intr_restore(was);
}
