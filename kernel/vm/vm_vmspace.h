/*
 * The vmspace service (ABI.md section 4.1), after DragonFly BSD's
 * sys/vm/vm_vmspace.c: a process controls a tree of address spaces keyed
 * by ids it chooses, maps memory into them, reads and writes them, and
 * runs register contexts inside them.
 *
 * A vmspace_entry lives on two counts, as in DragonFly:
 *   refs        active users (a lookup in progress, an LWP running the
 *               guest); VKE_REF_DELETED is set in the same word by a
 *               compare-and-swap that succeeds only when refs is exactly
 *               what the deleter holds, so "destroy while in use" is EBUSY;
 *   cache_refs  one for "on the tree and live", plus one per LWP whose
 *               ve_cache points at the entry, plus one per guest FPU
 *               context an LWP keeps for it (struct vkernel_fpu).  The
 *               last cache drop frees it.  An LWP lets its references to
 *               a deleted entry go when it exits, runs another vmspace,
 *               or looks the same id up again and finds it deleted.
 * tests/model/vmspace_entry.pml checks this protocol with spin.  Every
 * access to refs and cache_refs is an __atomic operation (vm_vmspace.c
 * names the memory order of each and why).
 *
 * Locking.
 *   (t)  vkp->token of the vkernel_proc, a spinlock: the tree and its
 *        count.  Held only for tree operations, the delete's
 *        compare-and-swap, and in vmspace_destroy for what its lookup's
 *        stale-cache path lets go (kfree of an entry, or of an LWP's
 *        vkernel_fpu and its FPU context: small frees, a page only for
 *        AVX-512's FPU state).  No sleep, no user memory, no page-table
 *        work, so a spinlock is right: vmspace_rel of a deleted entry's
 *        vmspace runs after it is dropped.  Lock order: vkp->token ->
 *        kmem's lock (and vm_page_lock); proc_lock and vkp->token are
 *        never held together.
 *   (p)  proc_lock to write p->p_vkernel: set once (NULL -> vkp) by
 *        vmspace_create with a release store, cleared by vkernel_exit
 *        when the process has one LWP left; p's own LWPs read it with an
 *        acquire load and no lock (it changes under them only from NULL
 *        to a fully built vkernel_proc)
 *   (a)  atomic (__atomic builtins)
 *   (c)  constant after creation: set before the entry goes on the tree
 *        (or the vkernel_proc is published in p_vkernel)
 *   (r)  the holders of an active reference (refs): the deleter clears
 *        vmspace under the token, and only when it holds every active
 *        reference itself, so a holder reads it without a lock
 *   (l)  the LWP itself (the scheduler also reads ve of an LWP it is
 *        switching to, which is not running)
 */
#ifndef _VM_VM_VMSPACE_H_
#define _VM_VM_VMSPACE_H_

#include <types.h>
#include <spinlock.h>
#include <bsd/sys/queue.h>
#include <bsd/sys/tree.h>
#include <arch/frame.h>
#include <arch/pcb.h>
#include <proc/proc.h>

struct proc;
struct lwp;
struct vmspace;
struct vextframe;

#define VKE_REF_DELETED 0x80000000U
#define VKERNEL_MAX_ENTRIES 4096 /* vmspaces per vkernel */

struct vmspace_entry {
	RB_ENTRY(vmspace_entry) rb_entry; /* (t) */
	void *id;                         /* (c) the caller's key */
	struct vmspace *vmspace; /* (r) one reference; NULL once deleted */
	uint32_t refs;           /* (a) active refs | VKE_REF_DELETED */
	uint32_t cache_refs;     /* (a) tree + LWP caches + LWPs' guest FPUs */
};

RB_HEAD(vmspace_rb_tree, vmspace_entry);

/* Per-process, shared by fork (vkernel_inherit). */
struct vkernel_proc {
	struct spinlock token;

	/* (t) */
	struct vmspace_rb_tree root;
	unsigned nentries;

	/* (a) */
	int refs;           /* processes sharing it */
	uint64_t deletions; /* entries deleted so far (release, under (t)) */
};

/*
 * The FPU registers (x87, SSE, AVX) of the guest one LWP runs in one
 * vmspace.  A guest's register context belongs to the pair (LWP,
 * vmspace): two LWPs running one vmspace are two guest CPUs, each with
 * its own registers, and one LWP running several vmspaces in turn (a
 * virtual kernel's round robin) keeps each guest's.  Owned by the LWP:
 * every field is (l).
 */
struct vkernel_fpu {
	struct fpu_ctx *vf_fpu;          /* the guest's (cpu_fpu_ctx_alloc) */
	struct vmspace_entry *vf_ve;     /* a cache reference (cache_refs) */
	void *vf_id;                     /* vf_ve->id, for the chain walks */
	LIST_ENTRY(vkernel_fpu) vf_link; /* a chain of vklp->fpus */
};

/*
 * Chains of vkernel_lwp.fpus, hashed by the entry's id: at first
 * VKERNEL_FPU_HASH (in the vkernel_lwp), doubled whenever the LWP keeps
 * more guests' registers than there are chains, up to
 * VKERNEL_FPU_HASH_MAX (a controller running its 4096 vmspaces in turn
 * finds each on a chain of one or two).
 */
#define VKERNEL_FPU_HASH 64
#define VKERNEL_FPU_HASH_MAX 4096

LIST_HEAD(vkernel_fpu_chain, vkernel_fpu);

/* Per-LWP state of an LWP that used vmspace_ctl.  Every field is (l). */
struct vkernel_lwp {
	struct vmspace_entry *ve;       /* the guest running now (active ref) */
	struct vkernel_fpu *vf;         /* its FPU registers, while ve is set */
	struct vmspace_entry *ve_cache; /* last entry used (cache ref) */
	struct vkernel_fpu *vf_cache;   /* ve_cache's FPU registers, or NULL */
	/* What the last lookup that missed ve_cache found on the chains. */
	struct vkernel_fpu *vf_found;
	/* Guest FPU registers, one per vmspace this LWP ran (cache refs). */
	struct vkernel_fpu_chain *fpus; /* fpus_first, or a larger table */
	unsigned nchains;               /* of fpus: a power of two */
	unsigned chain_shift;           /* 64 - log2(nchains), for the hash */
	unsigned nfpus;                 /* on the chains */
	struct vkernel_fpu_chain fpus_first[VKERNEL_FPU_HASH];
	uint64_t pruned;         /* vkp->deletions when the last prune began */
	struct mdsegs save_segs; /* the controller's FS and GS */
	struct trapframe *user_trapframe; /* where the guest frame goes back */
	struct vextframe *user_vextframe; /* where the guest's bases go back */
	uint64_t entry_bases[2]; /* the guest's FS and GS bases at entry */
	uint64_t deadline_ns;    /* vx_timeout_ns ends the run; 0: none */
};

/*
 * fork: the child p2 (not yet running) shares the vkernel of p1, if p1
 * has one.  p1 is curproc.  No requirements.
 */
void vkernel_inherit(struct proc *p1, struct proc *p2);

/*
 * p is exiting or exec'ing and has one LWP left, the caller: drop the
 * caller's vkernel_lwp state and p's share of its vkernel, so p has no
 * vmspace tree any more; the last share deletes every vmspace on the
 * tree.  p is curproc.  No locks held; interrupts enabled.
 */
void vkernel_exit(struct proc *p);

/*
 * l is ending: leave a guest it was running (back to its process's
 * space) and drop its references.  No locks held.
 */
void vkernel_lwp_exit(struct lwp *l);

/*
 * The guest l runs trapped, made a syscall, or ran out of time (tf is
 * its frame, l's user frame, with tf_trapno set): switch back to the
 * controller, whose frame becomes l's user frame again (md_tf), with
 * vmspace_ctl's result 0 in it, and copy the guest frame out to it.
 * l is curlwp and must be running a guest.  No spinlock held and
 * interrupts enabled: it copies to user memory.
 */
void vkernel_trap(struct lwp *l, struct trapframe *tf);

/*
 * True if l is running a guest now.  Inline: on every syscall's path.
 * l is curlwp, or an LWP that is not running.  No requirements.
 */
static inline bool
vkernel_in_guest(const struct lwp *l)
{
	return __predict_false(l->l_vkernel != NULL) &&
	    l->l_vkernel->ve != NULL;
}

/*
 * The address space l runs in: its guest's, or its process's.  As for
 * vkernel_in_guest.  No reference is taken: it lives while l runs there.
 */
static inline struct vmspace *
vkernel_lwp_vmspace(const struct lwp *l)
{
	if (vkernel_in_guest(l))
		return l->l_vkernel->ve->vmspace;
	return l->l_proc->p_vmspace;
}

/*
 * True if l runs a guest with a timeout (vx_timeout_ns), which
 * vkernel_check_timeout then checks.  As for vkernel_in_guest.
 */
static inline bool
vkernel_timeout_armed(const struct lwp *l)
{
	const struct vkernel_lwp *vklp = l->l_vkernel;

	return __predict_false(vklp != NULL) && vklp->ve != NULL &&
	    vklp->deadline_ns != 0;
}

/* vkernel_check_timeout's out-of-line half: the deadline may be due. */
bool vkernel_timeout_expire(struct lwp *l, struct trapframe *tf);

/*
 * Called by userret on every return to user mode: if l runs a guest whose
 * vx_timeout_ns is used up, end the run with T_TIMEOUT (vkernel_trap,
 * with interrupts enabled for its copy, masked again after) and return
 * true, so that userret checks again for a pending switch or exit.  Only
 * an LWP running a guest with a timeout leaves the inline test.  l is
 * curlwp.  Interrupts masked, no spinlock held.
 */
static inline bool
vkernel_check_timeout(struct lwp *l, struct trapframe *tf)
{
	if (!vkernel_timeout_armed(l))
		return false;
	return vkernel_timeout_expire(l, tf);
}

/*
 * Live vmspace_entry structures, deleted ones still cached included.
 * No requirements.
 */
uint64_t vmspace_entry_count(void);

#endif /* !_VM_VM_VMSPACE_H_ */
