/*
 * vmspace_entry.pml: a Promela model of the vmspace_entry reference
 * protocol of DragonFly's sys/vm/vm_vmspace.c, newer revision (3a48e5e1,
 * shared/seeds/dragonfly-vm_vmspace.c), which this kernel implements
 * (docs/ABI.md section 4.1; issue 5, "Proof and tests").
 *
 * Run all the checks with `bash tests/model/run.sh`, or by hand:
 *
 *	spin -a vmspace_entry.pml
 *	gcc -O2 -DSAFETY -DCOLLAPSE -o pan pan.c && ./pan -m10000
 *	spin -t -p -g -l vmspace_entry.pml	(replay a trail pan wrote)
 *
 * ---------------------------------------------------------------------
 * The protocol (from the seed)
 *
 * An entry has two counters.  refs counts active references: lookups in
 * flight and guests running; its high bit VKE_REF_DELETED is set by an
 * atomic compare-and-swap that succeeds only when the count is exactly
 * the caller's own, so "delete" and "take a reference" exclude each other
 * without a lock.  cache_refs counts one reference for "on the tree and
 * live" plus one for each LWP whose vklp->ve_cache points at the entry;
 * the deleter inherits the tree's reference and drops it, and whoever
 * drops the last cache reference frees the entry.  A deleted entry is
 * thus off the tree and without pages at once, but its structure lives
 * until every LWP caching it has let go: when it exits
 * (vkernel_lwp_exit), runs another vmspace (vmspace_ctl replaces its
 * cache), or looks the same id up again and finds the cached entry
 * DELETED (vkernel_find_vmspace's stale path).
 *
 * This kernel adds two things to the seed's protocol, both modelled:
 *   - guest FPU contexts (struct vkernel_fpu): an LWP keeps one per entry
 *     it ran, each holding a cache reference; it lets those of DELETED
 *     entries go where the seed lets a stale cache go (a lookup finding
 *     its cached entry DELETED, a RUN replacing the cached entry: both
 *     test each context's entry with an atomic load of refs) and all of
 *     them at exit.  So cache_refs counts the tree, the LWP caches and
 *     the FPU contexts;
 *   - the token is a spinlock held only for the tree and the CAS: the
 *     deleter tears the pages down and drops the tree's cache reference
 *     after releasing it (the seed does both under its token).
 *
 * The older revision (dragonfly-vm_vmspace-old.c) had one counter and
 * did every lookup, the refs test in destroy and the kfree under
 * vkp->token.  The newer one added the per-LWP cache, looked up without
 * the token; that is why the test in destroy became a CAS, and why the
 * entry can no longer be freed by destroy, nor on any refs transition.
 *
 * ---------------------------------------------------------------------
 * What is modelled
 *
 * One process whose vkernel tree holds two ids, A and B, and three LWPs:
 *
 * Promela interleaves the three LWPs' steps arbitrarily: they stand for
 * three LWPs on three CPUs, any of which may be running, destroying or
 * looking up the same entry at once.
 *
 *   Runner(0), Runner(1)	ITER operations each, on id A or B:
 *				vmspace_ctl(RUN) (copyin/sanitize may fail
 *				after the cache is updated; the guest may
 *				trap back, or the LWP may be killed in the
 *				guest, which ends it) or vmspace_mmap (which
 *				stands for every call that looks the entry
 *				up, uses ve->vmspace and drops: munmap,
 *				mcontrol, pread, pwrite).  Then
 *				vkernel_lwp_exit().
 *   Destroyer(2)		maybe vmspace_ctl(RUN, A) first (then its
 *				own lookups go through its cache), then
 *				vmspace_destroy(A), vmspace_create(A) (a new
 *				entry with the same id, which no stale cache
 *				may confuse with the old one), and
 *				vmspace_destroy(A) again; vkernel_lwp_exit().
 *   init			creates A and B, starts the LWPs, waits for
 *				them all to exit, checks for leaks, then
 *				runs vkernel_exit() (the last process exit:
 *				rb_vmspace_delete() on what is left) and
 *				checks every entry was freed exactly once.
 *   monitor			checks the invariants (P5) in every state.
 *
 * Every path of the protocol is reached: lookups through a live cache,
 * through a stale cache whose drop frees the entry, through the tree;
 * RUN caching an entry and dropping the one cached before (other id);
 * destroy through the caller's own cache and through the tree; EBUSY
 * against a running guest and against a lookup in flight; kill inside a
 * guest; vkernel_exit.  An entry may be freed by any of the three LWPs.
 *
 * ---------------------------------------------------------------------
 * Atomicity: what one Promela step may contain
 *
 * Each atomic instruction of the C code is its own step, and any other
 * LWP may run between two of them: atomic_fetchadd_int / atomic_add_int
 * on refs or on cache_refs, atomic_cmpset_int on refs, and the uses of
 * ve->vmspace.  A step may in addition contain:
 *   - accesses to data private to the LWP (its struct vkernel_lwp:
 *     ve_cache and ve, which are proctype locals here), and ghost
 *     variables describing the step;
 *   - plain reads of immutable fields (ve->id) just before the atomic
 *     instruction, and the KKASSERTs on the value an atomic returned
 *     (KKASSERT(ve->refs > 0) before a drop is the drop's own
 *     no-underflow assertion);
 *   - the read of ve->vmspace right after the atomic that made the
 *     caller an active holder (KKASSERT(ve->vmspace) in the cache path,
 *     pmap_setlwpvm after atomic_add_int in RUN): ve->vmspace changes
 *     only after a successful CAS, which that reference excludes.  The
 *     later uses (kern_mmap, the guest touching its memory) are steps
 *     of their own, so a bug that breaks this exclusion is still seen;
 *   - accesses to data protected by vkp->token (the tree: RB_FIND,
 *     RB_INSERT, RB_REMOVE) together with acquiring the token before them
 *     and releasing it after: Lipton's reduction (acquire moves right,
 *     release moves left, protected accesses commute) makes a critical
 *     section with at most one unprotected atomic in it one step.  This
 *     merges the tree lookup of vkernel_find_vmspace (token, RB_FIND,
 *     fetchadd, release) and vmspace_create.  vmspace_destroy holds the
 *     token across several atomics, so it takes and releases it in
 *     steps of its own.
 * vkp->token is a reader/writer lock: lwkt_gettoken_shared() for
 * lookups, lwkt_gettoken() for destroy, create and vkernel_exit.  This
 * kernel makes it a real lock (issue 5: "the seed's token rules as real
 * locks"); -DLWKT_TOKEN checks DragonFly's weaker token as well, which
 * is let go while its holder blocks (in the teardown of the pages).
 *
 * ---------------------------------------------------------------------
 * Properties (pan, safety mode)
 *
 *   P1 no use after free: every access to an entry asserts !kfreed[e]
 *      (ACCESS); no lookup returns, and no guest or mmap uses, an entry
 *      whose pages were torn down (ve->vmspace == NULL).
 *   P2 no double free: kfree() asserts the entry was never freed.
 *   P3 no leak: once every LWP has exited, an entry is freed iff it was
 *      deleted, and one still on the tree has refs == 0, cache_refs == 1
 *      and its pages; after vkernel_exit() every entry ever created has
 *      been freed exactly once.
 *   P4 EBUSY exactly when an active reference exists: at the CAS of
 *      vmspace_entry_delete() the swap fails iff the ghost count of
 *      active references owned by LWPs (lookups in flight, guests
 *      running) exceeds the caller's own; vkernel_exit's
 *      rb_vmspace_delete() never fails (the seed panics there).  ENOENT
 *      only when the id is not on the tree.
 *   P5 in every state (monitor): cache_refs >= 0 and equals the tree's
 *      reference plus the LWP caches' and FPU contexts' references
 *      (cachers); refs >= 0; an entry
 *      not DELETED is on the tree, owns the tree's reference and its
 *      refs equal its active holders; the tree never holds a freed entry;
 *      a running guest's entry is neither freed nor torn down.
 *   and pan's own end-state check: no deadlock (every LWP ends).
 *
 * ---------------------------------------------------------------------
 * Variants (spin runs the model through cpp: spin -DNAME -a ...)
 *
 *   BUG_FREE_ON_REFS_ZERO  seeded bug: vmspace_entry_drop() frees the
 *			    entry on the 1->0 transition of refs and
 *			    cache_drop never frees (one counter's
 *			    thinking).  Must fail: use after free.
 *   SEED_EBUSY_NODROP	    vmspace_destroy's EBUSY path exactly as in the
 *			    seed, which never drops the active ref its
 *			    vkernel_find_vmspace() took.  Must fail: the
 *			    ref leaks, a later destroy gets EBUSY with no
 *			    active user, vkernel_exit would panic.  This
 *			    kernel drops it (see vmspace_destroy below).
 *   BUG_NONATOMIC_CAS	    seeded bug: vmspace_entry_delete() tests refs
 *			    and then stores VKE_REF_DELETED in two steps
 *			    (the older revision's "if (ve->refs) EBUSY",
 *			    now racing with the token-free cache lookup).
 *			    Must fail.
 *   LWKT_TOKEN		    the seed's order: the teardown under the
 *			    token, which is let go during it.  Must pass.
 *   BUG_FPU_NO_REF	    seeded bug: an LWP's FPU context points at its
 *			    entry without a cache reference.  Must fail:
 *			    the entry is freed while the context still
 *			    points at it (use after free in the prune).
 */

/* ---------------------------------------------------------------- sizes */

#ifndef ITER
#define ITER	3		/* operations per Runner */
#endif
#define NLWP	3		/* Runner(0), Runner(1), Destroyer(2) */
#define NSLOT	3		/* entries ever allocated: A, B, and A again */
#define NID	2
#define ID_A	0
#define ID_B	1
#define NONE	255		/* a NULL entry pointer */

/*
 * refs holds the active count in its low bits and VKE_REF_DELETED in a
 * high bit, in one word as in the seed: a fetchadd on a deleted entry
 * still returns the flag, and the CAS compares flag and count at once.
 */
#define VKE_REF_DELETED	16384
#define REFS_MASK	16383
#define COUNT(r)	((r) & REFS_MASK)
#define IS_DELETED(r)	(((r) & VKE_REF_DELETED) != 0)

/* which cache reference a cache_drop gives up (ghost bookkeeping) */
#define TREEREF	0		/* "on the tree and live", owned by the deleter */
#define LWPREF	1		/* one LWP's vklp->ve_cache or FPU context */
#define BIT(e)	(1 << (e))	/* an entry in an LWP's set of FPU contexts */

/* ------------------------------------------- struct vmspace_entry ve[e] */

short refs[NSLOT];		/* ve->refs */
short cache_refs[NSLOT];	/* ve->cache_refs */
byte  ve_id[NSLOT];		/* ve->id, immutable */
bool  pages[NSLOT];		/* ve->vmspace != NULL: pages, page tables */

/* --------------------------------------------- struct vkernel_proc *vkp */

byte tree[NID] = NONE;		/* vkp->root: id -> entry */
bool tok_excl;			/* vkp->token held exclusively; shared holders
				   never hold it across a step (see
				   vkernel_find_vmspace), so need no count */

/*
 * Each LWP's struct vkernel_lwp (vklp->ve_cache, vklp->ve, the list of
 * FPU contexts) is private to it: locals ve_cache, vklp_ve and fpus (a
 * set of entries, BIT(e)) of its proctype.
 */

/* -------------------------------------------------------- ghost state */

byte nslots;			/* entries allocated so far */
bool allocated[NSLOT];		/* kmalloc'd, ever */
bool kfreed[NSLOT];		/* kfree'd */
byte nkfree[NSLOT];		/* times kfree'd */
byte holders[NSLOT];		/* active refs owned by LWPs */
byte treeref[NSLOT];		/* the tree's cache ref is still counted */
byte cachers[NSLOT];		/* cache refs owned by LWP caches */
byte running[NLWP] = NONE;	/* the entry this LWP's guest runs in */
byte lwps_done;

/* --------------------------------------------------------- coverage */

/*
 * REACHED(k) marks a path of the protocol.  Built with -DCOVERAGE and run
 * with COVER=k in the environment, pan must find a path to mark k (an
 * "error" naming cover_target): the check that the model is not vacuous,
 * that the interleavings the properties are about really happen.
 */
#define C_CACHE_HIT	1	/* a lookup hits a live cached entry */
#define C_STALE		2	/* a lookup finds its cached entry DELETED */
#define C_FREE_STALE	3	/* ... and its cache_drop frees the entry */
#define C_REPLACE	4	/* RUN replaces the cached entry (other id) */
#define C_FREE_REPLACE	5	/* ... and that cache_drop frees it */
#define C_FREE_EXIT	6	/* vkernel_lwp_exit's cache_drop frees */
#define C_FREE_DESTROY	7	/* destroy's own cache_drop frees */
#define C_DESTROY_OK	8	/* destroy deletes the entry */
#define C_DESTROY_CACHE	9	/* destroy's lookup hits its own cache */
#define C_EBUSY_GUEST	10	/* EBUSY: a guest runs in the entry */
#define C_EBUSY_LOOKUP	11	/* EBUSY: only a lookup in flight */
#define C_KILLED	12	/* vkernel_lwp_exit drops a running guest's ref */
#define C_RECREATE	13	/* create makes a new entry for a destroyed id */
#define C_NEW_AFTER_STALE 14	/* stale cache, then the tree gives the new entry */
#define C_ENOENT	15	/* a lookup finds nothing (destroyed id) */
#define C_FREE_VKEXIT	16	/* vkernel_exit frees what is left */
#define C_FREE_FPU	17	/* letting an FPU context go frees the entry */
#define NCOVER		17

#ifdef COVERAGE
hidden byte cover_target;
#define REACHED(k)	assert(cover_target != (k))
#else
#define REACHED(k)	skip
#endif

/* ------------------------------------------------------------ primitives */

/* P1: any access to a field of entry e */
#define ACCESS(e)	assert(!kfreed[e])

/* kfree(ve, M_VKERNEL) */
#define KFREE(e) \
	assert(nkfree[e] == 0);		/* P2: no double free */ \
	nkfree[e]++; \
	kfreed[e] = true

/* lwkt_gettoken(&vkp->token) / lwkt_reltoken(&vkp->token), exclusive */
inline gettoken()
{
	atomic { !tok_excl -> tok_excl = true }
}

inline reltoken()
{
	tok_excl = false
}

/*
 * vmspace_entry_drop(ve): atomic_fetchadd_int(&ve->refs, -1).  "The ve
 * cannot be freed on the 1->0 transition" -- except in the seeded bug.
 * held: the reference was an active one owned by this LWP (ghost); the
 * bump a lookup makes on a DELETED entry before backing off is not.
 * The KKASSERT(ve->refs > 0) some callers make first is the no-underflow
 * assertion here, on the value the fetchadd returns.
 */
inline vmspace_entry_drop(e, held)
{
	atomic {
		ACCESS(e);
		n = refs[e];
		refs[e] = n - 1;
		assert(COUNT(n) > 0);		/* no underflow */
		if
		:: held -> holders[e]--
		:: else
		fi;
#ifdef BUG_FREE_ON_REFS_ZERO
		if
		:: n == 1 -> KFREE(e)		/* the seeded bug */
		:: else
		fi;
#endif
		n = 0
	}
}

/* vmspace_entry_cache_ref(ve): atomic_add_int(&ve->cache_refs, 1) */
inline vmspace_entry_cache_ref(e)
{
	atomic {
		ACCESS(e);
		cache_refs[e]++;
		cachers[e]++
	}
}

/*
 * vmspace_entry_cache_drop(ve), "the final word for a ve":
 *	if (atomic_fetchadd_int(&ve->cache_refs, -1) == 1) {
 *		KKASSERT(ve->refs & VKE_REF_DELETED);
 *		kfree(ve, M_VKERNEL);
 *	}
 * The KKASSERT and kfree are one step: the dropper of the last reference
 * owns the entry.  kind: TREEREF or LWPREF, the reference given up;
 * site: the coverage mark of a free here.
 */
inline vmspace_entry_cache_drop(e, kind, site)
{
	atomic {
		ACCESS(e);
		n = cache_refs[e];
		cache_refs[e] = n - 1;
		assert(cache_refs[e] >= 0);	/* never negative */
		if
		:: kind == TREEREF -> assert(treeref[e] == 1); treeref[e] = 0
		:: else -> assert(cachers[e] > 0); cachers[e]--
		fi
	};
#ifndef BUG_FREE_ON_REFS_ZERO
	if
	:: n == 1 ->
		atomic {
			ACCESS(e);
			assert(IS_DELETED(refs[e]));	/* KKASSERT */
			REACHED(site);
			KFREE(e);
			n = 0
		}
	:: else -> n = 0
	fi
#else
	n = 0
#endif
}

/*
 * vmspace_entry_delete(ve, vkp, expect), the caller holding vkp->token
 * exclusively and, if expect == 1, the active ref of its own lookup:
 *
 *	if (atomic_cmpset_int(&ve->refs, refs, VKE_REF_DELETED) == 0) {
 *		KKASSERT(ve->refs >= refs);
 *		return EBUSY;
 *	}
 *	RB_REMOVE(vmspace_rb_tree, &vkp->root, ve);
 *	pmap_remove_pages(...); vm_map_remove(...);
 *	vmspace_rel(ve->vmspace); ve->vmspace = NULL;
 *	return 0;
 *
 * The swap consumes the caller's active ref; the caller now owns the
 * tree's cache ref and must drop it.  Sets busy (EBUSY).  This kernel
 * hands the vmspace to the caller, who releases it after the token.
 */
inline vmspace_entry_delete(e, expect)
{
#ifndef BUG_NONATOMIC_CAS
	atomic {
		ACCESS(e);
		busy = (refs[e] != expect);
		/* P4: the swap fails iff someone besides the caller is active */
		assert(busy == (holders[e] > expect));
		if
		:: busy ->
			assert(COUNT(refs[e]) >= expect)	/* KKASSERT */
		:: else ->
			refs[e] = VKE_REF_DELETED;
			holders[e] = holders[e] - expect;
			tree[ve_id[e]] = NONE			/* RB_REMOVE */
		fi
	};
#else
	/* the seeded bug: test, then set, as two steps */
	atomic { ACCESS(e); busy = (refs[e] != expect) };
	if
	:: !busy ->
		atomic {
			ACCESS(e);
			refs[e] = VKE_REF_DELETED;
			holders[e] = holders[e] - expect;
			tree[ve_id[e]] = NONE
		}
	:: else
	fi;
#endif
#ifdef LWKT_TOKEN
	if
	:: !busy ->
		/* vm_map_remove() blocks: an LWKT token is let go meanwhile */
		if
		:: true -> reltoken(); gettoken()
		:: true
		fi;
		teardown(e)
	:: else
	fi
#else
	skip	/* the caller tears down after releasing the token */
#endif
}

/*
 * pmap_remove_pages, vm_map_remove, vmspace_rel: the pages go.  The seed
 * (LWKT_TOKEN) does it in vmspace_entry_delete, this kernel after
 * releasing the token (teardown_after_token).
 */
inline teardown(e)
{
	atomic { ACCESS(e); pages[e] = false }
}

inline teardown_after_token(e)
{
#ifndef LWKT_TOKEN
	teardown(e)
#else
	skip
#endif
}

/*
 * vkernel_lwp_prune(vklp, false), the FPU contexts' part: each context
 * of a DELETED entry goes.  In C each test of refs is an atomic load and
 * each drop a cache_drop; here the whole scan is one step, a reduction
 * that keeps every outcome: VKE_REF_DELETED never goes away once set, so
 * a load moves right to the end of the scan and sees the same; and the
 * scan's drops are of references this LWP owns, which no other step can
 * observe except through the count reaching zero, and only the last
 * drop of an entry can free it, in the step where it happens.
 */
inline prune_fpu(e)
{
	if
	:: (fpus & BIT(e)) && IS_DELETED(refs[e]) ->
		ACCESS(e);
		fpus = fpus & ~BIT(e);
#ifndef BUG_FPU_NO_REF
		vmspace_entry_cache_drop(e, LWPREF, C_FREE_FPU)
#else
		skip
#endif
	:: else
	fi
}

inline prune_fpus()
{
	atomic {
		prune_fpu(0);
		prune_fpu(1);
		prune_fpu(2)
	}
}

/*
 * vkernel_cache_set's FPU part: the context for ve, made with a cache
 * reference on the LWP's first RUN of ve (struct vkernel_fpu).
 */
inline fpu_get(e)
{
	if
	:: !(fpus & BIT(e)) ->
#ifndef BUG_FPU_NO_REF
		vmspace_entry_cache_ref(e);
#endif
		fpus = fpus | BIT(e)
	:: else
	fi
}

/*
 * vkernel_find_vmspace(vkp, id, excl): leaves in ve the entry, with an
 * active ref taken, or NONE.  excl: the caller holds vkp->token
 * exclusively (destroy); otherwise the tree search takes it shared.
 */
inline vkernel_find_vmspace(id, excl)
{
	/*
	 * Cache check, no token: "since we already hold a ref on the cache
	 * entry the ve cannot be ripped out from under us".
	 *	if (ve && ve->id == id) { n = atomic_fetchadd_int(&ve->refs, 1);
	 */
	if
	:: ve_cache != NONE ->
		atomic {
			ve = ve_cache;
			ACCESS(ve);
			if
			:: ve_id[ve] == id ->
				n = refs[ve];
				refs[ve] = n + 1;
				if
				:: !IS_DELETED(n) ->
					holders[ve]++;
					/* KKASSERT(ve->vmspace); return ve */
					assert(pages[ve]);
					if
					:: excl -> REACHED(C_DESTROY_CACHE)
					:: else -> REACHED(C_CACHE_HIT)
					fi;
					found = true
				:: else ->
					/* stale: clean out the cache, fall through */
					ve_cache = NONE;
					REACHED(C_STALE);
					stale = true
				fi
			:: else -> ve = NONE
			fi
		};
		if
		:: stale ->
			vmspace_entry_drop(ve, false);
			/* vkernel_lwp_prune: the contexts, then the cache */
			prune_fpus();
			vmspace_entry_cache_drop(ve, LWPREF, C_FREE_STALE);
			ve = NONE
		:: else
		fi
	:: else
	fi;
	/*
	 * Normal search, protected by vkp->token (shared unless excl):
	 * "no new ve's can be marked DELETED while we hold the token".
	 *	ve = RB_FIND(...);
	 *	if (ve && atomic_fetchadd_int(&ve->refs, 1) & VKE_REF_DELETED) {
	 *		vmspace_entry_drop(ve); ve = NULL; }
	 * One step: lwkt_gettoken_shared, RB_FIND, the fetchadd,
	 * lwkt_reltoken (Lipton, see Atomicity).  The DELETED branch is kept
	 * as in the seed; it cannot be taken, since VKE_REF_DELETED is set
	 * and RB_REMOVE done in one critical section of the exclusive token.
	 */
	if
	:: found -> found = false
	:: else ->
		atomic {
			(excl || !tok_excl) ->
			ve = tree[id];
			if
			:: ve != NONE ->
				ACCESS(ve);
				n = refs[ve];
				refs[ve] = n + 1;
				if
				:: !IS_DELETED(n) -> holders[ve]++
				:: else -> refs[ve] = n; ve = NONE	/* the drop */
				fi;
				n = 0
			:: else
			fi;
			if
			:: stale && ve != NONE -> REACHED(C_NEW_AFTER_STALE)
			:: else
			fi;
			stale = false
		}
	fi
}

/*
 * sys_vmspace_ctl(id, VMSPACE_CTL_RUN, tframe, vframe), then the guest.
 * cankill: the LWP may be killed while its guest runs (sets killed).
 */
inline vmspace_ctl_run(id, cankill)
{
	vkernel_find_vmspace(id, false);
	if
	:: ve == NONE -> REACHED(C_ENOENT)		/* ENOENT */
	:: else ->
		/*
		 * if (ve && vklp->ve_cache != ve) {
		 *	vmspace_entry_cache_ref(ve);
		 *	if (vklp->ve_cache)
		 *		vmspace_entry_cache_drop(vklp->ve_cache);
		 *	vklp->ve_cache = ve;
		 * }
		 */
		/*
		 * The context's cache ref and ve_cache's are one step: an LWP
		 * holding an active ref adds cache refs to a live entry, which
		 * commutes with every other LWP's step.  ve_cache == ve means
		 * this LWP ran ve before, so its context exists already.
		 */
		if
		:: ve_cache != ve ->
			atomic { fpu_get(ve); vmspace_entry_cache_ref(ve) };
			/* the new cache, the contexts of deleted entries go,
			 * then the old cache */
			atomic { vold = ve_cache; ve_cache = ve; prune_fpus() };
			if
			:: vold != NONE ->
				REACHED(C_REPLACE);
				vmspace_entry_cache_drop(vold, LWPREF, C_FREE_REPLACE);
				vold = NONE
			:: else
			fi
		:: else -> assert(fpus & BIT(ve))
		fi;
		if
		:: true		/* copyin or cpu_sanitize_* failed: no RUN */
		:: true ->
			/*
			 * vklp->ve = ve; atomic_add_int(&ve->refs, 1);
			 * pmap_setlwpvm(lp, ve->vmspace);
			 */
			atomic {
				vklp_ve = ve;
				ACCESS(ve);
				refs[ve]++;
				holders[ve]++;
				assert(pages[ve]);
				running[me] = ve
			}
		fi;
		vmspace_entry_drop(ve, true);	/* done: the lookup's ref */
		ve = NONE;
		/* EJUSTRETURN: in user mode, in the guest if RUN went ahead */
		if
		:: vklp_ve != NONE ->
			/* the guest touches its memory */
			atomic { ACCESS(vklp_ve); assert(pages[vklp_ve]) };
			if
			:: true ->
				/*
				 * vkernel_trap(): vklp->ve = NULL;
				 * pmap_setlwpvm(lp, p->p_vmspace);
				 * KKASSERT(ve->refs > 0); vmspace_entry_drop(ve);
				 */
				atomic { ve = vklp_ve; vklp_ve = NONE; running[me] = NONE };
				vmspace_entry_drop(ve, true);
				ve = NONE
			:: cankill -> killed = true	/* killed in the guest */
			fi
		:: else
		fi
	fi
}

/*
 * sys_vmspace_mmap, and alike munmap, mcontrol, pread, pwrite:
 *	ve = vkernel_find_vmspace(vkp, id, 0);
 *	kern_mmap(ve->vmspace, ...); vmspace_entry_drop(ve);
 */
inline vmspace_mmap(id)
{
	vkernel_find_vmspace(id, false);
	if
	:: ve == NONE -> REACHED(C_ENOENT)		/* ENOENT */
	:: else ->
		atomic { ACCESS(ve); assert(pages[ve]) };	/* kern_mmap */
		vmspace_entry_drop(ve, true);
		ve = NONE
	fi
}

/*
 * sys_vmspace_destroy(id):
 *	lwkt_gettoken(&vkp->token);
 *	error = ENOENT;
 *	if ((ve = vkernel_find_vmspace(vkp, uap->id, 1)) != NULL) {
 *		error = vmspace_entry_delete(ve, vkp, 1);
 *		if (error == 0)
 *			vmspace_entry_cache_drop(ve);
 *		else				this kernel, not the seed:
 *			vmspace_entry_drop(ve);	the lookup's ref
 *	}
 *	lwkt_reltoken(&vkp->token);
 */
inline vmspace_destroy(id)
{
	gettoken();
	vkernel_find_vmspace(id, true);
	if
	:: ve == NONE ->
		assert(tree[id] == NONE);		/* P4: ENOENT */
		reltoken()
	:: else ->
		vmspace_entry_delete(ve, 1);
		if
		:: !busy ->
			REACHED(C_DESTROY_OK);
#ifdef LWKT_TOKEN
			vmspace_entry_cache_drop(ve, TREEREF, C_FREE_DESTROY);
			reltoken()
#else
			/* this kernel: both after the token */
			reltoken();
			teardown_after_token(ve);
			vmspace_entry_cache_drop(ve, TREEREF, C_FREE_DESTROY)
#endif
		:: else ->				/* EBUSY */
			if
			:: running[0] == ve || running[1] == ve -> REACHED(C_EBUSY_GUEST)
			:: else -> REACHED(C_EBUSY_LOOKUP)
			fi;
#ifndef SEED_EBUSY_NODROP
			vmspace_entry_drop(ve, true);
#else
			holders[ve]--;	/* the seed returns, its ref forgotten */
#endif
			reltoken()
		fi;
		busy = false;
		ve = NONE
	fi
}

/*
 * sys_vmspace_create(id): the entry is filled in privately (refs 0,
 * cache_refs 1, "on-tree, not deleted (prevent kfree)"), then RB_INSERT
 * under the token publishes it; EEXIST if the id is taken (that private
 * copy is freed unseen: not modelled).  One step (Lipton).
 */
inline vmspace_create(id)
{
	atomic {
		!tok_excl ->
		if
		:: tree[id] == NONE ->
			assert(nslots < NSLOT);
			allocated[nslots] = true;
			ve_id[nslots] = id;
			refs[nslots] = 0;
			cache_refs[nslots] = 1;
			treeref[nslots] = 1;
			pages[nslots] = true;
			tree[id] = nslots;
			if
			:: nslots == 2 -> REACHED(C_RECREATE)
			:: else
			fi;
			nslots++
		:: else				/* EEXIST */
		fi
	}
}

/* vkernel_lwp_prune(vklp, true) for the context of entry e, if any. */
inline drop_fpu(e)
{
	if
	:: fpus & BIT(e) ->
		fpus = fpus & ~BIT(e);
#ifndef BUG_FPU_NO_REF
		vmspace_entry_cache_drop(e, LWPREF, C_FREE_EXIT)
#else
		atomic { ACCESS(e) }
#endif
	:: else
	fi
}

/*
 * vkernel_lwp_exit(lp), on every way out of an LWP:
 *	if ((ve = vklp->ve) != NULL) {	killed with an active VC
 *		pmap_setlwpvm(lp, lp->lwp_proc->p_vmspace); vklp->ve = NULL;
 *		KKASSERT(ve->refs > 0); vmspace_entry_drop(ve);
 *	}
 *	if ((ve = vklp->ve_cache) != NULL) {
 *		vklp->ve_cache = NULL; vmspace_entry_cache_drop(ve);
 *	}
 * and this kernel's FPU contexts, each with its cache reference.
 */
inline vkernel_lwp_exit()
{
	if
	:: vklp_ve != NONE ->
		REACHED(C_KILLED);
		atomic { ve = vklp_ve; vklp_ve = NONE; running[me] = NONE };
		vmspace_entry_drop(ve, true);
		ve = NONE
	:: else
	fi;
	/* vkernel_lwp_prune(vklp, true): every FPU context goes (one step,
	 * as prune_fpus), then the cache */
	atomic {
		drop_fpu(0);
		drop_fpu(1);
		drop_fpu(2)
	};
	if
	:: ve_cache != NONE ->
		ve = ve_cache;
		ve_cache = NONE;
		vmspace_entry_cache_drop(ve, LWPREF, C_FREE_EXIT);
		ve = NONE
	:: else
	fi
}

/* ------------------------------------------------------------- the LWPs */

proctype Runner(byte me)
{
	byte ve_cache = NONE, vklp_ve = NONE, fpus;	/* struct vkernel_lwp */
	byte vold = NONE;
	byte ve = NONE, i, op;
	short n;
	bool found, stale, killed;

	do
	:: i < ITER && !killed ->
		i++;
		if
		:: op = 1
		:: op = 2
		:: op = 3
		fi;
		if
		:: op == 1 -> vmspace_ctl_run(ID_A, true)
		:: op == 2 -> vmspace_ctl_run(ID_B, true)
		:: op == 3 -> vmspace_mmap(ID_A)
		fi;
		op = 0
	:: else -> break
	od;
	vkernel_lwp_exit();
	lwps_done++
}

proctype Destroyer(byte me)
{
	byte ve_cache = NONE, vklp_ve = NONE, fpus;	/* struct vkernel_lwp */
	byte vold = NONE;
	byte ve = NONE;
	short n;
	bool found, stale, killed, busy;

	if
	:: vmspace_ctl_run(ID_A, false)
	:: skip
	fi;
	vmspace_destroy(ID_A);
	vmspace_create(ID_A);
	vmspace_destroy(ID_A);
	vkernel_lwp_exit();
	lwps_done++
}

/* ------------------------------------------------ P5, in every state */

#define SLOT_OK(e) \
	((!allocated[e] || kfreed[e] || \
	  (cache_refs[e] >= 0 && \
	   cache_refs[e] == treeref[e] + cachers[e] && \
	   refs[e] >= 0 && \
	   (IS_DELETED(refs[e]) || \
	    (refs[e] == holders[e] && tree[ve_id[e]] == e && treeref[e] == 1)))) && \
	 (!allocated[e] || tree[ve_id[e]] != e || !kfreed[e]))

#define LWP_OK(p) \
	(running[p] == NONE || (!kfreed[running[p]] && pages[running[p]]))

#define INVARIANT \
	(SLOT_OK(0) && SLOT_OK(1) && SLOT_OK(2) && \
	 LWP_OK(0) && LWP_OK(1) && LWP_OK(2))

active proctype monitor()
{
end:	do
	:: !INVARIANT -> assert(INVARIANT)
	od
}

/* ----------------------------------- the process: start, exit, check */

/* P3, once every LWP has exited: freed iff deleted; live ones intact */
#define LEAK_CHECK(e) \
	if \
	:: allocated[e] && tree[ve_id[e]] == e -> \
		assert(!kfreed[e] && refs[e] == 0 && cache_refs[e] == 1 && \
		       pages[e] && holders[e] == 0) \
	:: allocated[e] && tree[ve_id[e]] != e -> \
		assert(kfreed[e] && nkfree[e] == 1) \
	:: else \
	fi

init
{
	byte e, id, dead;
	short n;
	bool busy;

#ifdef COVERAGE
	c_code { cover_target = getenv("COVER") ? atoi(getenv("COVER")) : 0; };
#endif
	/* the process makes A and B before it starts its LWPs */
	vmspace_create(ID_A);
	vmspace_create(ID_B);
	atomic {
		run Runner(0);
		run Runner(1);
		run Destroyer(2)
	};

	lwps_done == NLWP;

	LEAK_CHECK(0);
	LEAK_CHECK(1);
	LEAK_CHECK(2);

	/*
	 * vkernel_exit(): the last reference to vkp goes; under the token,
	 * RB_SCAN(..., rb_vmspace_delete, vkp):
	 *	if (vmspace_entry_delete(ve, vkp, 0) == 0)
	 *		vmspace_entry_cache_drop(ve);
	 *	else
	 *		panic("rb_vmspace_delete: invalid refs %d", ve->refs);
	 * This kernel deletes a batch (here all: NID is below its 32) under
	 * the token, then tears the batch down and drops its cache refs
	 * after it.
	 */
	gettoken();
	do
	:: id < NID ->
		e = tree[id];
		if
		:: e != NONE ->
			vmspace_entry_delete(e, 0);
			assert(!busy);			/* the panic */
#ifdef LWKT_TOKEN
			vmspace_entry_cache_drop(e, TREEREF, C_FREE_VKEXIT)
#else
			dead = dead | BIT(e)
#endif
		:: else
		fi;
		id++
	:: else -> break
	od;
	reltoken();
	e = 0;
	do
	:: e < NSLOT ->
		if
		:: dead & BIT(e) ->
			teardown_after_token(e);
			vmspace_entry_cache_drop(e, TREEREF, C_FREE_VKEXIT)
		:: else
		fi;
		e++
	:: else -> break
	od;

	/* P3: every entry ever created was freed exactly once */
	e = 0;
	do
	:: e < nslots -> assert(kfreed[e] && nkfree[e] == 1); e++
	:: else -> break
	od
}
