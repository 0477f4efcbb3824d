/*
 * The vmspace service (vm_vmspace.h, ABI.md section 4.1), following
 * DragonFly BSD's sys/vm/vm_vmspace.c (the revision with refs,
 * VKE_REF_DELETED and cache_refs), with the function names of that file.
 *
 * Differences from the seed, each deliberate:
 *   - vmspace_destroy drops the lookup's active reference when the delete
 *     fails with EBUSY (the seed leaks it, and the entry could then never
 *     be destroyed; tests/model finds this);
 *   - vmspace_pread / vmspace_pwrite are implemented (the seed returns
 *     EINVAL), stopping at the first unmapped byte;
 *   - vmspace_spawn turns a vmspace into a new process;
 *   - a trap writes the guest's FS and GS bases back to the vextframe
 *     (the seed keeps the controller's copy: its guests cannot change
 *     their TLS, ours can with segment loads);
 *   - the kernel keeps each guest's x87/SSE registers, per LWP and
 *     vmspace (struct vkernel_fpu; the seed leaves the FPU to the virtual
 *     kernel, which traps its guests' FPU use);
 *   - the token is a spinlock (vm_vmspace.h says why), and the pages of
 *     deleted vmspaces are freed after it is dropped (the seed frees
 *     them under its token, which an LWKT token allows);
 *   - vkernel_exit deletes the tree in batches, each under the token,
 *     and frees each batch without it;
 *   - a lookup tries every entry the LWP holds a cache reference to (its
 *     guests' FPU registers, vkernel_lwp_find), not only its last one,
 *     before the tree under the token;
 *   - the guest's frame is kept on the kernel stack below the
 *     controller's (frame.h), not copied over it, so neither is copied
 *     inside the kernel.
 *
 * Memory orders of the entry protocol.  Taking an active reference
 * (vkernel_find_vmspace) is an acquire, dropping one a release, and the
 * delete's compare-and-swap acquires on success: whatever a holder did
 * with ve->vmspace happens before the deleter tears it down.  A cache
 * reference is taken (relaxed) only by an LWP that already holds a
 * reference keeping the entry alive; dropping one is acquire-release, so
 * the LWP that frees the entry sees every earlier use of it.
 */
#include <systm.h>
#include <clock.h>
#include <copy.h>
#include <errno.h>
#include <file.h>
#include <syscall.h>
#include <sysproto.h>
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <arch/pmap.h>
#include <arch/trap.h>
#include <arch/userret.h>
#include <proc/proc.h>
#include <proc/sched.h>
#include <vm/kmem.h>
#include <vm/vm_vmspace.h>
#include <vm/addrspace.h>

static uint64_t nentries_live; /* (a) */

uint64_t
vmspace_entry_count(void)
{
	return __atomic_load_n(&nentries_live, __ATOMIC_RELAXED);
}

/* The live (not deleted) refs of ve, for assertions.  No requirements. */
static inline uint32_t
vmspace_entry_refs(struct vmspace_entry *ve)
{
	return __atomic_load_n(&ve->refs, __ATOMIC_RELAXED);
}

static int
rb_vmspace_compare(struct vmspace_entry *a, struct vmspace_entry *b)
{
	if ((uintptr_t)a->id < (uintptr_t)b->id)
		return -1;
	return (uintptr_t)a->id > (uintptr_t)b->id;
}

RB_GENERATE_STATIC(vmspace_rb_tree, vmspace_entry, rb_entry, rb_vmspace_compare)

/*
 * Ref a ve for cache purposes.  The caller holds a reference (active, or
 * a cache one) that keeps ve allocated.
 */
static inline __attribute__((always_inline)) void
vmspace_entry_cache_ref(struct vmspace_entry *ve)
{
	KASSERT(__atomic_load_n(&ve->cache_refs, __ATOMIC_RELAXED) > 0);
	__atomic_add_fetch(&ve->cache_refs, 1, __ATOMIC_RELAXED);
}

/*
 * The ve cache_drop is the final word for a ve: the last one frees it.
 * The ref it starts with stands for "on the tree and not deleted";
 * deletion hands that ref to its caller, who drops it.  No requirements.
 */
static void
vmspace_entry_cache_drop(struct vmspace_entry *ve)
{
	if (__atomic_fetch_sub(&ve->cache_refs, 1, __ATOMIC_ACQ_REL) == 1) {
		KASSERT(vmspace_entry_refs(ve) == VKE_REF_DELETED);
		KASSERT(ve->vmspace == NULL);
		kfree(ve);
		__atomic_sub_fetch(&nentries_live, 1, __ATOMIC_RELAXED);
	}
}

/*
 * Drop an active reference.  The ve is never freed on the 1->0
 * transition: deletion interlocks the final kfree through cache_refs.
 * No requirements.
 */
static inline __attribute__((always_inline)) void
vmspace_entry_drop(struct vmspace_entry *ve)
{
	uint32_t n = __atomic_fetch_sub(&ve->refs, 1, __ATOMIC_RELEASE);

	KASSERT((n & ~VKE_REF_DELETED) > 0);
}

/*
 * Remove ve from the tree if its active refs are exactly refs (the
 * caller's own), setting VKE_REF_DELETED in the same compare-and-swap so
 * no one can start using it.  On success the caller's active refs are
 * gone, and the tree's cache ref and the vmspace's reference (in *vmp)
 * are the caller's to drop, after it drops the token (vmspace_rel,
 * vmspace_entry_cache_drop).  Returns 0 or -EBUSY (nothing changed).
 * The caller must hold vkp->token.
 */
static int
vmspace_entry_delete(struct vmspace_entry *ve, struct vkernel_proc *vkp,
    uint32_t refs, struct vmspace **vmp)
{
	uint32_t expect = refs;

	KASSERT(spin_held(&vkp->token));
	if (!__atomic_compare_exchange_n(&ve->refs, &expect, VKE_REF_DELETED,
		false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
		KASSERT((expect & ~VKE_REF_DELETED) >= refs);
		return -EBUSY;
	}
	RB_REMOVE(vmspace_rb_tree, &vkp->root, ve);
	vkp->nentries--;
	/* After the flag: a prune that sees the count sees the flag. */
	__atomic_add_fetch(&vkp->deletions, 1, __ATOMIC_RELEASE);
	*vmp = ve->vmspace;
	ve->vmspace = NULL; /* safety */
	return 0;
}

/*
 * Let go of the LWP's references to deleted entries (all of them if all):
 * the guest FPU registers it keeps for them, then its cached entry.
 * Called where the seed lets a stale cache go (a lookup finding its
 * cached entry deleted, a run of another vmspace) and at exit with all.
 * Without all, nothing is looked at unless an entry of the process's
 * tree was deleted since the last prune (vkp->deletions), so that a
 * controller running many vmspaces in turn does not walk them all on
 * every run.  May free entries.  vklp is curlwp's, or (with all) that
 * of an LWP that is ending; it is not running a guest.  No requirements.
 */
static void
vkernel_lwp_prune(struct vkernel_lwp *vklp, bool all)
{
	struct vkernel_proc *vkp = NULL;
	struct vkernel_fpu *vf, *next;
	struct vmspace_entry *ve;
	uint64_t deletions = 0;

	KASSERT(vklp->ve == NULL);
	if (!all) {
		vkp = __atomic_load_n(&curproc->p_vkernel, __ATOMIC_ACQUIRE);
		if (vkp != NULL) {
			deletions =
			    __atomic_load_n(&vkp->deletions, __ATOMIC_ACQUIRE);
			if (deletions == vklp->pruned)
				return;
		}
	}
	for (unsigned h = 0; h < vklp->nchains; h++) {
		LIST_FOREACH_SAFE(vf, &vklp->fpus[h], vf_link, next)
		{
			if (!all &&
			    !(__atomic_load_n(&vf->vf_ve->refs,
				  __ATOMIC_ACQUIRE) &
				VKE_REF_DELETED))
				continue;
			LIST_REMOVE(vf, vf_link);
			vklp->nfpus--;
			if (vf == vklp->vf_cache)
				vklp->vf_cache = NULL;
			if (vf == vklp->vf_found)
				vklp->vf_found = NULL;
			vmspace_entry_cache_drop(vf->vf_ve);
			cpu_fpu_ctx_free(vf->vf_fpu);
			kfree(vf);
		}
	}
	if ((ve = vklp->ve_cache) != NULL &&
	    (all ||
		(__atomic_load_n(&ve->refs, __ATOMIC_ACQUIRE) &
		    VKE_REF_DELETED))) {
		vklp->ve_cache = NULL;
		vklp->vf_cache = NULL;
		vmspace_entry_cache_drop(ve);
	}
	if (vkp != NULL)
		vklp->pruned = deletions;
}

/*
 * Try to take an active ref on ve, which a reference of the caller's
 * keeps allocated: true, or false if ve was deleted (nothing held).
 * No requirements.
 */
static inline bool
vmspace_entry_try_ref(struct vmspace_entry *ve)
{
	if (__predict_true((__atomic_fetch_add(&ve->refs, 1, __ATOMIC_ACQUIRE) &
			       VKE_REF_DELETED) == 0)) {
		KASSERT(ve->vmspace != NULL);
		return true;
	}
	vmspace_entry_drop(ve);
	return false;
}

static struct vkernel_fpu *vkernel_lwp_find(struct vkernel_lwp *vklp, void *id);
static struct vmspace_entry *vkernel_tree_find(struct vkernel_proc *vkp,
    void *id, bool excl);

/*
 * Locate the ve for id and return it with an active ref, or NULL.  The
 * LWP's own references come first: its cached entry (the seed's
 * cache), then the entries whose guest FPU registers it keeps
 * (vkernel_lwp_find), each held by a cache ref, so that a controller
 * running many vmspaces in turn finds each without the token; a
 * deleted one met there is let go (the stale-cache path, with the
 * LWP's other references to deleted entries), which may free it.
 * Unless the cached entry is the one found, vklp->vf_found is set to
 * the guest FPU registers the LWP keeps for it, or NULL, so that a run
 * needs no second search (vkernel_cache_set).  The caller must hold
 * vkp->token if excl; then the only frees that can happen under it are
 * those of stale entries.
 */
static inline __attribute__((always_inline)) struct vmspace_entry *
vkernel_find_vmspace(struct lwp *l, struct vkernel_proc *vkp, void *id,
    bool excl)
{
	struct vkernel_lwp *vklp = l->l_vkernel;
	struct vmspace_entry *ve;
	struct vkernel_fpu *vf;

	KASSERT(!excl || spin_held(&vkp->token));
	if (vklp != NULL) {
		/* Our cache ref keeps ve allocated while we try it. */
		if ((ve = vklp->ve_cache) != NULL && ve->id == id &&
		    vmspace_entry_try_ref(ve))
			return ve;
		vklp->vf_found = vf = vkernel_lwp_find(vklp, id);
		if (vf != NULL)
			return vf->vf_ve;
	}
	return vkernel_tree_find(vkp, id, excl);
}

/* vkernel_find_vmspace's search of the tree, as it says. */
static struct vmspace_entry *
vkernel_tree_find(struct vkernel_proc *vkp, void *id, bool excl)
{
	struct vmspace_entry *ve, key;

	if (!excl)
		spin_lock(&vkp->token);
	key.id = id;
	ve = RB_FIND(vmspace_rb_tree, &vkp->root, &key);
	/*
	 * The seed's test: it cannot find VKE_REF_DELETED, since the delete's
	 * compare-and-swap and its removal from the tree are one critical
	 * section of the token, which we hold.
	 */
	if (ve != NULL &&
	    (__atomic_fetch_add(&ve->refs, 1, __ATOMIC_ACQUIRE) &
		VKE_REF_DELETED)) {
		vmspace_entry_drop(ve);
		ve = NULL;
	}
	if (!excl)
		spin_unlock(&vkp->token);
	return ve;
}

/*
 * The LWP's vkernel state, made on its first run.  NULL when out of
 * memory.  l is curlwp.  No locks held.
 */
static struct vkernel_lwp *
vkernel_lwp_get(struct lwp *l)
{
	struct vkernel_lwp *vklp = l->l_vkernel;

	if (vklp == NULL) {
		vklp = kmalloc(sizeof(*vklp), KM_ZERO);
		if (vklp == NULL)
			return NULL;
		for (unsigned h = 0; h < VKERNEL_FPU_HASH; h++)
			LIST_INIT(&vklp->fpus_first[h]);
		vklp->fpus = vklp->fpus_first;
		vklp->nchains = VKERNEL_FPU_HASH;
		vklp->chain_shift = 64 - __builtin_ctz(VKERNEL_FPU_HASH);
		l->l_vkernel = vklp;
	}
	return vklp;
}

/* The chain of vklp->fpus that holds id's.  No requirements. */
static inline struct vkernel_fpu_chain *
vkernel_fpu_chain(const struct vkernel_lwp *vklp, const void *id)
{
	/* Fibonacci hashing of the id: the top bits of the product. */
	return &vklp->fpus[((uintptr_t)id * 0x9e3779b97f4a7c15ULL) >>
	    vklp->chain_shift];
}

/*
 * Double vklp's chains (up to VKERNEL_FPU_HASH_MAX), moving every guest's
 * registers to its chain in the new table; out of memory, the chains
 * stay as they are (longer, not wrong).  vklp is curlwp's.  No locks
 * held.
 */
static void
vkernel_fpu_rehash(struct vkernel_lwp *vklp)
{
	struct vkernel_fpu_chain *old = vklp->fpus, *fpus;
	unsigned n = vklp->nchains * 2;
	struct vkernel_fpu *vf;

	KASSERT(vklp->nchains == 1U << (64 - vklp->chain_shift));
	fpus = kmalloc(n * sizeof(*fpus), 0);
	if (fpus == NULL)
		return;
	for (unsigned h = 0; h < n; h++)
		LIST_INIT(&fpus[h]);
	vklp->fpus = fpus;
	vklp->chain_shift--;
	for (unsigned h = 0; h < n / 2; h++) {
		while ((vf = LIST_FIRST(&old[h])) != NULL) {
			LIST_REMOVE(vf, vf_link);
			LIST_INSERT_HEAD(vkernel_fpu_chain(vklp, vf->vf_id), vf,
			    vf_link);
		}
	}
	vklp->nchains = n;
	if (old != vklp->fpus_first)
		kfree(old);
}

/*
 * The guest FPU registers vklp keeps for the live entry of id, whose
 * active ref is taken (vf_ve), or NULL.  Deleted ones met are let go
 * (vkernel_lwp_prune), after the walk.  vklp is curlwp's and runs no
 * guest.  No requirements (see vkernel_find_vmspace for excl).
 */
static __attribute__((noinline)) struct vkernel_fpu *
vkernel_lwp_find(struct vkernel_lwp *vklp, void *id)
{
	struct vkernel_fpu *vf;
	bool stale = false;

	LIST_FOREACH(vf, vkernel_fpu_chain(vklp, id), vf_link)
	{
		if (vf->vf_id != id)
			continue;
		/* vf's cache ref keeps vf_ve allocated. */
		if (vmspace_entry_try_ref(vf->vf_ve))
			return vf;
		stale = true; /* an id may be made again after a destroy */
	}
	/* A deleted ve_cache is met here too: its registers are on a chain. */
	if (__predict_false(stale))
		vkernel_lwp_prune(vklp, false);
	return NULL;
}

/*
 * The guest FPU registers vklp (NULL: none) keeps for ve, or NULL.  The
 * caller is vklp's LWP and holds a reference to ve.
 */
static struct vkernel_fpu *
vkernel_fpu_find(struct vkernel_lwp *vklp, struct vmspace_entry *ve)
{
	struct vkernel_fpu *vf;

	if (vklp == NULL)
		return NULL;
	LIST_FOREACH(vf, vkernel_fpu_chain(vklp, ve->id), vf_link)
	{
		if (vf->vf_ve == ve)
			return vf;
	}
	return NULL;
}

/*
 * Fresh guest FPU registers for ve, with a cache reference, on one of
 * vklp's chains: the LWP's first run of ve.  NULL when out of memory.
 * ve has an active ref from the caller, vklp's LWP.  No locks held.
 */
static __attribute__((noinline)) struct vkernel_fpu *
vkernel_fpu_new(struct vkernel_lwp *vklp, struct vmspace_entry *ve)
{
	struct vkernel_fpu *vf;

	/* vkernel_lwp_find met every vkernel_fpu of ve's id. */
	KASSERT(vkernel_fpu_find(vklp, ve) == NULL);
	vf = kmalloc(sizeof(*vf), 0);
	if (vf == NULL)
		return NULL;
	if ((vf->vf_fpu = cpu_fpu_ctx_alloc()) == NULL) {
		kfree(vf);
		return NULL;
	}
	vmspace_entry_cache_ref(ve);
	vf->vf_ve = ve;
	vf->vf_id = ve->id;
	if (++vklp->nfpus > vklp->nchains &&
	    vklp->nchains < VKERNEL_FPU_HASH_MAX)
		vkernel_fpu_rehash(vklp);
	LIST_INSERT_HEAD(vkernel_fpu_chain(vklp, ve->id), vf, vf_link);
	return vf;
}

/*
 * Make ve, which the caller l (the current LWP, whose vkernel_lwp is
 * vklp) has just looked up, the LWP's cached entry, and return the guest
 * FPU registers the LWP keeps for ve: those the lookup found
 * (vf_found), or, if it found none, fresh ones (vkernel_fpu_new).  The
 * LWP's references to deleted entries go meanwhile.  NULL when out of
 * memory (nothing changed then).  ve has an active ref from l.  No
 * locks held.  Running the cached entry again (a controller's usual
 * round trip) costs two compares.
 */
static inline __attribute__((always_inline)) struct vkernel_fpu *
vkernel_cache_set(struct lwp *l, struct vkernel_lwp *vklp,
    struct vmspace_entry *ve)
{
	struct vmspace_entry *old = vklp->ve_cache;
	struct vkernel_proc *vkp;
	struct vkernel_fpu *vf;

	if (__predict_true(ve == old && vklp->vf_cache != NULL)) {
		KASSERT(vklp->vf_cache->vf_ve == ve);
		return vklp->vf_cache;
	}
	/* The lookup that found ve did not stop at the cached entry. */
	vf = vklp->vf_found;
	vklp->vf_found = NULL;
	if (vf == NULL && (vf = vkernel_fpu_new(vklp, ve)) == NULL)
		return NULL;
	KASSERT(vf->vf_ve == ve);
	if (old != ve) {
		vmspace_entry_cache_ref(ve);
		vklp->ve_cache = ve;
		/* vkernel_lwp_prune(vklp, false)'s own test, inline */
		vkp = __atomic_load_n(&l->l_proc->p_vkernel, __ATOMIC_RELAXED);
		if (__atomic_load_n(&vkp->deletions, __ATOMIC_ACQUIRE) !=
		    vklp->pruned)
			vkernel_lwp_prune(vklp, false);
		if (old != NULL)
			vmspace_entry_cache_drop(old);
	}
	vklp->vf_cache = vf;
	return vf;
}

/*
 * The vkernel of the calling process and the live entry for id with an
 * active ref (the caller drops it), in ABI.md's order: -EINVAL without a
 * vkernel, -ENOENT without a live entry.  No locks held.
 */
static inline int
vkernel_lookup(struct lwp *l, void *id, struct vkernel_proc **vkpp,
    struct vmspace_entry **vep)
{
	struct vkernel_proc *vkp =
	    __atomic_load_n(&l->l_proc->p_vkernel, __ATOMIC_ACQUIRE);

	if (vkp == NULL)
		return -EINVAL;
	*vkpp = vkp;
	*vep = vkernel_find_vmspace(l, vkp, id, false);
	return *vep != NULL ? 0 : -ENOENT;
}

long
sys_vmspace_create(void *id, int type, void *data)
{
	struct proc *p = curproc;
	struct vkernel_proc *vkp, *nvkp;
	struct vmspace_entry *ve;
	int error = 0;

	if (id == NULL || type != 0 || data != NULL)
		return -EINVAL;
	/* Make the process's vkernel on first use (allocate, then publish). */
	if ((vkp = __atomic_load_n(&p->p_vkernel, __ATOMIC_ACQUIRE)) == NULL) {
		nvkp = kmalloc(sizeof(*nvkp), KM_ZERO);
		if (nvkp == NULL)
			return -ENOMEM;
		nvkp->refs = 1;
		spinlock_init(&nvkp->token, "vkernel");
		RB_INIT(&nvkp->root);
		spin_lock(&proc_lock);
		if (p->p_vkernel == NULL) {
			__atomic_store_n(&p->p_vkernel, nvkp, __ATOMIC_RELEASE);
			nvkp = NULL;
		}
		vkp = p->p_vkernel;
		spin_unlock(&proc_lock);
		kfree(nvkp); /* another LWP of p published first */
	}

	ve = kmalloc(sizeof(*ve), KM_ZERO);
	if (ve == NULL)
		return -ENOMEM;
	ve->vmspace = vmspace_alloc();
	if (ve->vmspace == NULL) {
		kfree(ve);
		return -ENOMEM;
	}
	ve->id = id;
	ve->refs = 0;       /* active refs (none) */
	ve->cache_refs = 1; /* on-tree, not deleted (prevents kfree) */
	__atomic_add_fetch(&nentries_live, 1, __ATOMIC_RELAXED);

	/* The token's release publishes ve to later tree searches. */
	spin_lock(&vkp->token);
	if (vkp->nentries >= VKERNEL_MAX_ENTRIES)
		error = -ENOMEM;
	else if (RB_INSERT(vmspace_rb_tree, &vkp->root, ve) != NULL)
		error = -EEXIST;
	else
		vkp->nentries++;
	spin_unlock(&vkp->token);
	if (error != 0) {
		vmspace_rel(ve->vmspace);
		kfree(ve);
		__atomic_sub_fetch(&nentries_live, 1, __ATOMIC_RELAXED);
	}
	return error;
}

long
sys_vmspace_destroy(void *id)
{
	struct vkernel_proc *vkp =
	    __atomic_load_n(&curproc->p_vkernel, __ATOMIC_ACQUIRE);
	struct vmspace_entry *ve;
	struct vmspace *vm;
	int error;

	if (vkp == NULL)
		return -EINVAL;
	/* vkp->token keeps a new tree search from finding ve meanwhile. */
	spin_lock(&vkp->token);
	error = -ENOENT;
	if ((ve = vkernel_find_vmspace(curlwp, vkp, id, true)) != NULL) {
		error = vmspace_entry_delete(ve, vkp, 1, &vm);
		if (error != 0)
			vmspace_entry_drop(ve); /* the seed forgets this */
	}
	spin_unlock(&vkp->token);
	if (error == 0) {
		vmspace_rel(vm); /* the pages and page tables go now */
		vmspace_entry_cache_drop(ve);
	}
	return error;
}

/* Read and check a guest context from user memory (ABI.md 4.4). */
static inline int
vkernel_load_frame(const struct trapframe *utf, const struct vextframe *uvx,
    struct trapframe *tf, struct vextframe *vx)
{
	if (copyin2(utf, tf, sizeof(*tf), uvx, vx, sizeof(*vx)) != 0)
		return -EFAULT;
	if (cpu_sanitize_frame(tf) != 0 || !cpu_tls_base_ok(vx->vx_fsbase) ||
	    !cpu_tls_base_ok(vx->vx_gsbase))
		return -EINVAL;
	return 0;
}

/*
 * VMSPACE_CTL_RUN.  l is curlwp, on the stack below the guest's frame,
 * with interrupts enabled and no locks held.  Returns an error with
 * nothing changed (the caller's frame is as its call left it), or
 * -EJUSTRETURN with the guest entered: its frame is l's user frame, its
 * address space loaded, the active ref on ve held for the run
 * (vkernel_trap drops it), and interrupts masked.  Inline in
 * syscall_vmspace_ctl, the round trip's first half.
 */
static inline __attribute__((always_inline)) long
vmspace_ctl_run(struct lwp *l, void *id, int cmd, struct trapframe *utf,
    struct vextframe *uvx)
{
	struct trapframe *tf = cpu_guest_frame(l);
	struct vkernel_lwp *vklp = l->l_vkernel; /* only l changes it */
	struct vkernel_proc *vkp;
	struct vkernel_fpu *vf;
	struct vmspace_entry *ve;
	struct vextframe vx;
	int error;

	error = vkernel_lookup(l, id, &vkp, &ve);
	if (error != 0)
		return error;
	if (cmd != VMSPACE_CTL_RUN) {
		error = -EOPNOTSUPP;
		goto out;
	}
	if (__predict_false(vklp == NULL) &&
	    (vklp = vkernel_lwp_get(l)) == NULL) {
		error = -ENOMEM;
		goto out;
	}
	/*
	 * The guest's context goes straight to its frame, below ours
	 * (frame.h), which stays as the call left it: a failure changes
	 * nothing there, and the return to us goes through it.
	 */
	KASSERT(l->l_md.md_tf == cpu_own_frame(l));
	error = vkernel_load_frame(utf, uvx, tf, &vx);
	if (error == 0 && (vf = vkernel_cache_set(l, vklp, ve)) == NULL)
		error = -ENOMEM;
	if (error != 0)
		goto out;

	/* Enter the guest. */
	vklp->user_trapframe = utf;
	vklp->user_vextframe = uvx;
	vklp->entry_bases[0] = vx.vx_fsbase;
	vklp->entry_bases[1] = vx.vx_gsbase;
	vklp->deadline_ns = vx.vx_timeout_ns != 0 ?
	    nanouptime() + MIN(vx.vx_timeout_ns, 1UL << 62) :
	    0;
	vklp->ve = ve; /* our active ref now stands for the running guest */
	vklp->vf = vf;
	cpu_fpu_ctx_enter(l, vf->vf_fpu);
	cpu_segs_enter(l, &vklp->save_segs, vx.vx_fsbase, vx.vx_gsbase);
	cli();
	cpu_guest_switch(l, true);
	vmspace_switch_masked(l->l_proc->p_vmspace, ve->vmspace);
	return -EJUSTRETURN;
out:
	vmspace_entry_drop(ve);
	return error;
}

/*
 * The generated system call table's entry, which nothing calls:
 * syscall.S sends vmspace_ctl to syscall_vmspace_ctl, because the run
 * needs the stack below the guest's frame (called from syscall(), its C
 * frames would overlap that frame).
 */
long
sys_vmspace_ctl(void *id, int cmd, struct trapframe *utf, struct vextframe *uvx)
{
	panic("sys_vmspace_ctl(%p, %d, %p, %p): not through syscall.S's "
	      "vmspace_ctl entry",
	    id, cmd, (void *)utf, (void *)uvx);
}

/*
 * vmspace_ctl's C half (contract in arch/trap.h): the run, then the exit
 * checks as trap_userret makes them, knowing that l runs a guest, and
 * out by iretq through the guest's frame; a failed call ends as any
 * other (syscall_finish).  Does not return.
 */
void
syscall_vmspace_ctl(struct trapframe *ctf)
{
	struct lwp *l = curlwp;
	long rv;

	rv = vmspace_ctl_run(l, (void *)ctf->tf_rdi, (int)ctf->tf_rsi,
	    (struct trapframe *)ctf->tf_rdx, (struct vextframe *)ctf->tf_r10);
	if (rv != -EJUSTRETURN) {
		if (syscall_finish(l, ctf, SYS_vmspace_ctl, rv))
			syscall_exit_iret();
		syscall_exit_sysret();
	}
	if (__predict_false(systrace_mode != 0))
		systrace(l, SYS_vmspace_ctl, ctf, rv);
	/* trap_userret, knowing that l runs a guest. */
	if (trap_userret_due(l) || l->l_vkernel->deadline_ns != 0)
		userret(l->l_md.md_tf);
	l->l_md.md_flags &= ~MDL_IRET; /* iretq whatever it says */
	syscall_exit_iret();
}

/* vkernel_trap copies both bases out at once. */
CTASSERT(offsetof(struct vextframe, vx_gsbase) ==
    offsetof(struct vextframe, vx_fsbase) + sizeof(uint64_t));

/*
 * vkernel_trap's work, inline in syscall_guest_trap (the round trip's
 * second half) and out of line for the others.
 */
static inline __attribute__((always_inline)) void
vkernel_trap_inline(struct lwp *l, struct trapframe *tf)
{
	struct vkernel_lwp *vklp = l->l_vkernel;
	struct trapframe *ctf = cpu_own_frame(l);
	struct vmspace_entry *ve = vklp->ve;
	uint64_t fsbase, gsbase;
	bool moved;
	int error;

	/*
	 * l runs a guest: vklp and ve are not NULL (used at once), and tf
	 * is its frame (vkernel_trap asserts it; syscall_guest_trap's is
	 * where cpu_guest_switch sent the entry).
	 */
	KASSERT(vklp->vf != NULL);
	cpu_fpu_ctx_leave(l);
	vklp->vf = NULL;
	vklp->ve = NULL;
	/*
	 * Back to the controller's frame and address space.  The guest's
	 * frame stays where it is until the copy below: nothing else
	 * writes there before the next run.
	 */
	cli();
	cpu_guest_switch(l, false);
	vmspace_switch_masked(ve->vmspace, l->l_proc->p_vmspace);
	sti();
	vmspace_entry_drop(ve); /* ve may be deleted from here on */

	/*
	 * The guest's frame and FS/GS bases to the controller (the bases as
	 * the hardware has them: the guest may have changed them with
	 * segment loads; unchanged ones are already in *vframe, where they
	 * came from, and are not written again), then vmspace_ctl returns
	 * 0, or -EFAULT if they could not be written.
	 */
	moved = cpu_segs_leave(l, &vklp->save_segs, vklp->entry_bases, &fsbase,
	    &gsbase);
	error = copyout_quads(tf, vklp->user_trapframe, sizeof(*tf));
	if (error == 0 && moved) {
		uint64_t bases[2] = { fsbase,
			gsbase }; /* vx_fsbase, vx_gsbase */

		error = copyout_quads(bases, &vklp->user_vextframe->vx_fsbase,
		    sizeof(bases));
	}
	ctf->tf_rax = error != 0 ? (uint64_t)-EFAULT : 0;
}

void
vkernel_trap(struct lwp *l, struct trapframe *tf)
{
	KASSERT(tf == cpu_guest_frame(l));
	vkernel_trap_inline(l, tf);
}

/*
 * A guest's syscall (contract in arch/trap.h): vkernel_trap's work, the
 * exit checks as trap_userret makes them, knowing that l runs no guest
 * now, and out by SYSRET through the controller's frame (iretq if a
 * signal replaced it).  tf is syscall.S's frame, at ci_syscall_frame,
 * which cpu_guest_switch made the guest's.  Does not return.
 */
void
syscall_guest_trap(struct trapframe *tf)
{
	struct lwp *l = curlwp;

	vkernel_trap_inline(l, tf);
	cli();
	/* trap_userret, knowing that l runs no guest now. */
	if (trap_userret_due(l))
		userret(l->l_md.md_tf);
	if (trap_take_iret(l))
		syscall_exit_iret();
	syscall_exit_sysret();
}

bool
vkernel_timeout_expire(struct lwp *l, struct trapframe *tf)
{
	if (nanouptime() < l->l_vkernel->deadline_ns)
		return false;
	tf->tf_trapno = T_TIMEOUT;
	tf->tf_err = 0;
	tf->tf_addr = 0;
	/* vkernel_trap copies to user memory: with interrupts enabled. */
	sti();
	vkernel_trap(l, tf);
	cli();
	return true;
}

long
sys_vmspace_mmap(void *id, void *addr, size_t len, int prot, int flags, int fd,
    off_t offset)
{
	struct vkernel_proc *vkp;
	struct vmspace_entry *ve;
	long rv;

	rv = vkernel_lookup(curlwp, id, &vkp, &ve);
	if (rv != 0)
		return rv;
	rv = kern_mmap(ve->vmspace, addr, len, prot, flags, fd, offset);
	vmspace_entry_drop(ve);
	return rv;
}

long
sys_vmspace_munmap(void *id, void *uaddr, size_t len)
{
	struct vkernel_proc *vkp;
	struct vmspace_entry *ve;
	vaddr_t addr = (vaddr_t)uaddr, pageoff, end;
	size_t size;
	int error;

	error = vkernel_lookup(curlwp, id, &vkp, &ve);
	if (error != 0)
		return error;
	/* DragonFly's checks, in its order. */
	pageoff = addr & PAGE_MASK;
	addr -= pageoff;
	size = len + pageoff;
	if (size < len) {
		error = -EINVAL; /* wrap */
		goto out;
	}
	size = round_page(size);
	if (size < len || addr + size < addr) {
		error = -EINVAL; /* wrap */
		goto out;
	}
	end = addr + size;
	if (size == 0)
		goto out;
	if (end > VM_MAX_USER_ADDRESS || addr < VM_MIN_USER_ADDRESS) {
		error = -EINVAL;
		goto out;
	}
	if (!vmspace_check_range(ve->vmspace, addr, end)) {
		error = -EINVAL; /* a hole: not all of it is mapped */
		goto out;
	}
	error = vmspace_remove(ve->vmspace, addr, end);
out:
	vmspace_entry_drop(ve);
	return error;
}

long
sys_vmspace_mcontrol(void *id, void *uaddr, size_t len, int behav, off_t value)
{
	struct vkernel_proc *vkp;
	struct vmspace_entry *ve;
	vaddr_t addr = (vaddr_t)uaddr, tmpaddr = addr + len, start, end;
	int error;

	(void)value;
	error = vkernel_lookup(curlwp, id, &vkp, &ve);
	if (error != 0)
		return error;
	if (behav < 0 || behav > MADV_CONTROL_END || tmpaddr < addr ||
	    tmpaddr > VM_MAX_USER_ADDRESS || addr < VM_MIN_USER_ADDRESS) {
		error = -EINVAL;
		goto out;
	}
	start = trunc_page(addr);
	end = round_page(tmpaddr);
	switch (behav) {
	case VMSPACE_MADV_WILLNEED:
		(void)vmspace_populate(ve->vmspace, start, end);
		break;
	case VMSPACE_MADV_DONTNEED:
	case VMSPACE_MADV_FREE:
		error = vmspace_drop_pages(ve->vmspace, start, end);
		break;
	case MADV_INVAL:
		/* Contents stay; the next access reloads the TLB anyway. */
		break;
	case MADV_SETMAP:
		error = -EOPNOTSUPP; /* no virtual page tables here */
		break;
	default:
		break; /* NORMAL, RANDOM, SEQUENTIAL and the sync/core hints */
	}
out:
	vmspace_entry_drop(ve);
	return error;
}

/* vmspace_pread and vmspace_pwrite share their checks. */
static long
vmspace_rw(void *id, void *buf, size_t nbyte, int flags, off_t offset,
    bool write)
{
	struct vkernel_proc *vkp;
	struct vmspace_entry *ve;
	long rv;

	rv = vkernel_lookup(curlwp, id, &vkp, &ve);
	if (rv != 0)
		return rv;
	if (flags != 0 || (uint64_t)offset + nbyte < (uint64_t)offset)
		rv = -EINVAL;
	else if (!user_access_ok(buf, nbyte, !write))
		rv = -EFAULT;
	else if (write)
		rv = vmspace_write_user(ve->vmspace, offset, buf, nbyte);
	else
		rv = vmspace_read_user(ve->vmspace, offset, buf, nbyte);
	vmspace_entry_drop(ve);
	return rv;
}

long
sys_vmspace_pread(void *id, void *buf, size_t nbyte, int flags, off_t offset)
{
	return vmspace_rw(id, buf, nbyte, flags, offset, false);
}

long
sys_vmspace_pwrite(void *id, const void *buf, size_t nbyte, int flags,
    off_t offset)
{
	return vmspace_rw(id, (void *)buf, nbyte, flags, offset, true);
}

long
sys_vmspace_spawn(void *id, const struct trapframe *utf,
    const struct vextframe *uvx, int flags)
{
	struct proc *p2;
	struct lwp *l2;
	struct vkernel_proc *vkp;
	struct vmspace_entry *ve;
	struct vkernel_fpu *vf;
	struct vmspace *vm;
	struct trapframe tf;
	struct vextframe vx;
	pid_t pid;
	int error;

	error = vkernel_lookup(curlwp, id, &vkp, &ve);
	if (error != 0)
		return error;
	if ((flags & ~(RFFDG | RFCFDG)) != 0 ||
	    (~flags & (RFFDG | RFCFDG)) == 0) {
		error = -EINVAL;
		goto out;
	}
	error = vkernel_load_frame(utf, uvx, &tf, &vx);
	if (error != 0)
		goto out;
	/* Everything the child needs first, so the delete is the last step. */
	p2 = lwproc_newproc(curproc, NULL, flags, &error);
	if (p2 == NULL)
		goto out;
	l2 = lwproc_makelwp(p2, &error);
	if (l2 == NULL) {
		lwproc_abandon(p2);
		goto out;
	}
	spin_lock(&vkp->token);
	error = vmspace_entry_delete(ve, vkp, 1, &vm);
	spin_unlock(&vkp->token);
	if (error != 0) {
		lwproc_abandon_lwp(l2);
		lwproc_abandon(p2);
		goto out;
	}
	p2->p_vmspace = vm; /* the tree's reference passes to the child */
	cpu_lwp_setup(l2, &tf, NULL);
	/* The FPU registers our guest had there, or fresh ones. */
	if ((vf = vkernel_fpu_find(curlwp->l_vkernel, ve)) != NULL)
		cpu_fpu_ctx_copy(l2, vf->vf_fpu);
	vmspace_entry_cache_drop(ve); /* ve may be freed from here on */
	cpu_set_fsbase(l2, vx.vx_fsbase);
	cpu_set_gsbase(l2, vx.vx_gsbase);
	pid = p2->p_pid;
	sched_setrunnable(l2);
	return pid;
out:
	vmspace_entry_drop(ve);
	return error;
}

void
vkernel_inherit(struct proc *p1, struct proc *p2)
{
	struct vkernel_proc *vkp;

	KASSERT(p1 == curproc);
	/* p1's share keeps vkp: only p1's last LWP, not us, could drop it. */
	vkp = __atomic_load_n(&p1->p_vkernel, __ATOMIC_ACQUIRE);
	if (vkp == NULL)
		return;
	KASSERT(__atomic_load_n(&vkp->refs, __ATOMIC_RELAXED) > 0);
	__atomic_add_fetch(&vkp->refs, 1, __ATOMIC_RELAXED);
	spin_lock(&proc_lock);
	KASSERT(p2->p_vkernel == NULL);
	__atomic_store_n(&p2->p_vkernel, vkp, __ATOMIC_RELEASE);
	spin_unlock(&proc_lock);
}

void
vkernel_lwp_exit(struct lwp *l)
{
	struct vkernel_lwp *vklp = l->l_vkernel;
	struct vmspace_entry *ve;

	if (vklp == NULL)
		return;
	if ((ve = vklp->ve) != NULL) {
		/* Killed inside a guest: leave it before anything else. */
		bool was;

		KASSERT(l == curlwp);
		cpu_fpu_ctx_leave(l);
		vklp->ve = NULL;
		vklp->vf = NULL;
		was = intr_disable();
		cpu_guest_switch(l, false);
		if (l->l_proc->p_vmspace != NULL)
			vmspace_activate_masked(l->l_proc->p_vmspace);
		else
			pmap_activate_masked(pmap_kernel());
		intr_restore(was);
		vmspace_entry_drop(ve);
	}
	vkernel_lwp_prune(vklp, true);
	KASSERT(vklp->nfpus == 0);
	KASSERT(vklp->ve_cache == NULL);
	l->l_vkernel = NULL;
	if (vklp->fpus != vklp->fpus_first)
		kfree(vklp->fpus);
	kfree(vklp);
}

/* Entries vkernel_exit deletes per hold of the token. */
#define VKERNEL_EXIT_BATCH 32

void
vkernel_exit(struct proc *p)
{
	struct vmspace_entry *dead[VKERNEL_EXIT_BATCH], *ve;
	struct vmspace *vms[VKERNEL_EXIT_BATCH];
	struct vkernel_proc *vkp;
	unsigned n, i;

	KASSERT(p == curproc);
	/* Our caches point into the tree: they go first, as in the seed. */
	if (curlwp->l_vkernel != NULL)
		vkernel_lwp_exit(curlwp);
	spin_lock(&proc_lock);
	KASSERT(p->p_nlive == 1);
	vkp = p->p_vkernel;
	__atomic_store_n(&p->p_vkernel, NULL, __ATOMIC_RELAXED);
	spin_unlock(&proc_lock);
	if (vkp == NULL)
		return;
	KASSERT(__atomic_load_n(&vkp->refs, __ATOMIC_RELAXED) > 0);
	if (__atomic_fetch_sub(&vkp->refs, 1, __ATOMIC_ACQ_REL) != 1)
		return;

	/*
	 * The last user: every entry goes (rb_vmspace_delete in the seed).
	 * No process shares vkp any more and no LWP caches its entries, so
	 * every delete succeeds.  A batch is deleted under the token and
	 * freed after it.
	 */
	do {
		n = 0;
		spin_lock(&vkp->token);
		while (n < VKERNEL_EXIT_BATCH &&
		    (ve = RB_MIN(vmspace_rb_tree, &vkp->root)) != NULL) {
			if (vmspace_entry_delete(ve, vkp, 0, &vms[n]) != 0)
				panic(
				    "vkernel_exit: vmspace %p still has refs 0x%x",
				    ve->id, vmspace_entry_refs(ve));
			dead[n++] = ve;
		}
		spin_unlock(&vkp->token);
		for (i = 0; i < n; i++) {
			vmspace_rel(vms[i]);
			vmspace_entry_cache_drop(dead[i]);
		}
	} while (n == VKERNEL_EXIT_BATCH);
	KASSERT(vkp->nentries == 0);
	kfree(vkp);
}
