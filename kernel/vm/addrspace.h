/*
 * Address spaces: a reference-counted struct vmspace (the BSD name) is a
 * map of entries
 * (vm_map.h: a balanced tree with clipping and merging) over a pmap.
 *
 * Memory comes in two kinds (see vm_object.h):
 *   - private (an entry without VM_ENTRY_SHARED): anonymous memory, or a
 *     private view of a memfd.  Pages are reference counted; fork shares
 *     the resident ones read-only (pmap_copy_range) and the first write
 *     to a page still shared copies it (vm_fault_locked).  A page only
 *     one mapping holds is made writable in place.
 *   - shared (VM_ENTRY_SHARED): the pages belong to the entry's object
 *     (a memfd, or the object MAP_SHARED|MAP_ANONYMOUS makes); every
 *     mapping maps the object's page itself.
 *
 * Locking.  vm_lock is a spinlock: nothing here sleeps, and no user
 * memory is touched under it.  Lock order: vmspace_list_lock, vm_lock,
 * an object's vo_lock, the pmap's pm_lock, ptshare_lock.  Two vm_locks
 * are held at once only by vmspace_fork: the parent's, then that of the
 * new child, which nobody else can reach yet.
 *   (L)  vmspace_list_lock (addrspace.c), which guards the list of every
 *        vmspace
 *   (m)  vm_lock: the map, the break, and what the pmap maps as the map
 *        sees it (the map and the pmap assert it; the pmap also takes
 *        its own pm_lock inside)
 *   (a)  atomic
 */
#ifndef _VM_ADDRSPACE_H_
#define _VM_ADDRSPACE_H_

#include <types.h>
#include <spinlock.h>
#include <bsd/sys/queue.h>
#include <arch/pmap.h>
#include <vm/vm.h>
#include <vm/vm_map.h>

struct vm_object;

struct vmspace {
	/* (L) */
	LIST_ENTRY(vmspace) vm_list;

	/* (a) */
	int vm_refcnt;

	struct spinlock vm_lock;

	/* (m) */
	struct vm_map vm_map; /* its m_lock is vm_lock */
	vaddr_t vm_brk_start; /* the heap starts here ... */
	vaddr_t vm_brk;       /* ... and ends here */
	struct pmap vm_pmap;  /* its pm_owner_lock is vm_lock */

	/*
	 * The object of the program file exec mapped, or NULL: one reference
	 * and one write denial (vm_object_deny_write: the file cannot be
	 * opened for writing while a program runs from it, ETXTBSY), both
	 * dropped with the vmspace.  Set by exec before the vmspace runs,
	 * copied by fork, then constant.
	 */
	struct vm_object *vm_exe;
};

/*
 * The top of a program's address space, as Linux 6.1 lays it out: the
 * stack, then right above it the vvar page and the vDSO (VDSO_AREA bytes,
 * vdso_map).  The vDSO thus shares the last page table of the stack, so a
 * program that used it costs fork and exit no page table more.
 */
#define VDSO_AREA (4 * PAGE_SIZE)
#define USTACK_TOP (VM_MAX_USER_ADDRESS - VDSO_AREA)
#define USTACK_SIZE (8UL << 20)
#define MMAP_TOP (USTACK_TOP - USTACK_SIZE - (1UL << 30))

/*
 * A new empty address space with one reference, the caller's (dropped
 * with vmspace_rel), or NULL.  No requirements.
 */
struct vmspace *vmspace_alloc(void);
/* One more reference to vm, which the caller holds one to.  No requirements. */
void vmspace_ref(struct vmspace *vm);
/*
 * Drop a reference; the last one frees every page and page table (vm
 * must then be active on no CPU).  The caller may hold a vkernel's token
 * (vmspace_entry_delete does), but no other lock.
 */
void vmspace_rel(struct vmspace *vm);
/*
 * Make obj the program file of vm, a new vmspace no one runs yet:
 * vm_object_deny_write, and a reference that vm keeps (vm_exe).  0, or
 * -ETXTBSY (obj is open for writing).  No requirements.
 */
int vmspace_set_exe(struct vmspace *vm, struct vm_object *obj);
/* Load vm's page tables on this CPU.  No requirements. */
void vmspace_activate(struct vmspace *vm);

/* vmspace_activate with interrupts masked (a guest's round trip). */
static inline __attribute__((always_inline)) void
vmspace_activate_masked(struct vmspace *vm)
{
	pmap_activate_masked(&vm->vm_pmap);
}

/*
 * The running LWP's user mode moves from vmspace from (loaded here) to
 * to, two different user vmspaces: a guest's round trip.  Interrupts
 * masked.
 */
static inline __attribute__((always_inline)) void
vmspace_switch_masked(struct vmspace *from, struct vmspace *to)
{
	pmap_switch_user(&from->vm_pmap, &to->vm_pmap);
}

/* Live vmspaces, for kstat.  No requirements. */
uint64_t vmspace_count(void);

/*
 * Map [start, end) (page-aligned, inside the user range) with prot and
 * flags (VM_ENTRY_*), backed by obj from byte offset off (obj NULL for
 * anonymous private memory; the caller's reference passes to the map on
 * success).  Returns 0, -EEXIST if anything is mapped there, or -ENOMEM.
 * No locks held.
 */
int vmspace_insert(struct vmspace *vm, vaddr_t start, vaddr_t end,
    vm_prot_t prot, int flags, struct vm_object *obj, uint64_t off);

/*
 * Unmap [start, end) and drop its pages; holes are fine.  0, or -ENOMEM
 * (no memory, or the map-entry limit) with nothing changed.  No locks
 * held.
 */
int vmspace_remove(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * Set the protection of [start, end).  -ENOMEM if part of the range is
 * unmapped (Linux), or on no memory or the map-entry limit, -EACCES for
 * write access to a shared mapping of a file not open for writing
 * (VM_ENTRY_NOWRITE), and nothing is changed then.  No locks held.
 */
int vmspace_protect(struct vmspace *vm, vaddr_t start, vaddr_t end,
    vm_prot_t prot);

/*
 * Drop the hardware mappings of [start, end): private pages read back as
 * zeros (or the memfd's contents), shared ones keep their contents.
 * 0, or -ENOMEM if part of the range is unmapped or no memory is left
 * (nothing changed then).  No locks held.
 */
int vmspace_dontneed(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * vmspace_dontneed without the coverage check (holes are skipped).  No
 * locks held.
 */
int vmspace_drop_pages(struct vmspace *vm, vaddr_t start, vaddr_t end);

/* vmspace_map's ways of placing a mapping. */
#define VMSPACE_MAP_HINT 0      /* addr is a hint: free space near it */
#define VMSPACE_MAP_FIXED 1     /* at addr, replacing what is there */
#define VMSPACE_MAP_NOREPLACE 2 /* at addr, or -EEXIST if anything is */

/*
 * Map len bytes (page aligned, not 0) with prot and flags (VM_ENTRY_*),
 * backed by obj from byte offset off (as vmspace_insert), placed as how
 * says: VMSPACE_MAP_HINT at addr if it is free and usable, else in the
 * highest free range below MMAP_TOP; VMSPACE_MAP_FIXED at addr after
 * unmapping what is there; VMSPACE_MAP_NOREPLACE at addr only if nothing
 * is there.  addr is page aligned, and for the last two [addr, addr +
 * len) lies in the user range.  The choice of place, the unmapping and
 * the new entry are one vm_lock section, so LWPs mapping at once never
 * get overlapping mappings or lose one to another's unmapping.  Returns 0
 * and the address in *vap, -EEXIST (VMSPACE_MAP_NOREPLACE) or -ENOMEM
 * (no room, no memory, or the entry limit), with nothing changed on
 * failure (VMSPACE_MAP_FIXED included: vm_map_replace); the caller then
 * keeps its reference to obj.  No locks held.
 */
int vmspace_map(struct vmspace *vm, vaddr_t addr, vsize_t len, int how,
    vm_prot_t prot, int flags, struct vm_object *obj, uint64_t off,
    vaddr_t *vap);

/* True if entries cover all of [start, end).  No locks held. */
bool vmspace_check_range(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * True if entries allowing access cover all of [start, end) (an empty
 * range is fine).  No locks held.
 */
bool vmspace_check_prot(struct vmspace *vm, vaddr_t start, vaddr_t end,
    vm_prot_t access);

/*
 * Make the pages of [start, end) resident now (MADV_WILLNEED,
 * MAP_POPULATE).  PROT_NONE entries are skipped whole, so the cost is
 * O(entries + pages made or already resident), not O(range); the lock is
 * dropped at a preemption point every VM_BATCH_PAGES pages, and the
 * loop stops if the caller is told to exit.  0, -ENOMEM (part unmapped,
 * or no memory: what was made stays) or -EINTR.  No locks held.
 */
int vmspace_populate(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * Set obj's size to size bytes (vm_object_truncate) and remove every
 * mapping of its pages past the new end, in every vmspace (processes'
 * and the vmspace service's), private copies included (as Linux does),
 * so later accesses there fault with SIGBUS.  Returns 0, or -ENOMEM with
 * nothing changed.  No locks held.
 */
int vmspace_truncate_object(struct vm_object *obj, uint64_t size);

/*
 * mmap in vm with Linux's arguments and errors (sys_mmap, and
 * vmspace_mmap for a vmspace a process controls).  fd is looked up in the
 * calling process.  Returns the address or -errno.  No locks held.
 */
long kern_mmap(struct vmspace *vm, void *addr, size_t len, int prot, int flags,
    int fd, off_t offset);

/*
 * vmspace_pread / vmspace_pwrite (and a pipe's direct read, from the
 * writer's space): copy n bytes between vm at va and the calling
 * process's buffer ubuf, stopping at the first unmapped byte of vm.
 * Reads do not make untouched pages (they read as zeros); writes make
 * them whatever the protection, so vm is not the caller's own space for
 * a write.  Return the count, or -EFAULT if ubuf is bad before anything
 * was copied.  No locks held.
 */
ssize_t vmspace_read_user(struct vmspace *vm, vaddr_t va, void *ubuf, size_t n);
ssize_t vmspace_write_user(struct vmspace *vm, vaddr_t va, const void *ubuf,
    size_t n);

/*
 * A copy-on-write copy of vm for fork, with one reference (the caller's),
 * or NULL (no memory).  No locks held.
 */
struct vmspace *vmspace_fork(struct vmspace *vm);

/*
 * Move the end of vm's heap to brk (the brk syscall): the heap grows
 * into free space or shrinks, its pages going with it.  Returns the new
 * break, or the old one when brk is below the heap's start or above
 * MMAP_TOP, would overlap another mapping, or memory runs out.  No locks
 * held.
 */
vaddr_t vmspace_brk(struct vmspace *vm, vaddr_t brk);

/*
 * Start vm's heap, empty, at brk: the end of a new program image (exec).
 * No locks held.
 */
void vmspace_brk_init(struct vmspace *vm, vaddr_t brk);

/*
 * Write len bytes of buf into vm at va whatever the protection, making
 * pages and breaking copy-on-write sharing as needed (the ELF loader and
 * exec's stack).  0, -EFAULT when part of the range is unmapped, -ENOMEM.
 * No locks held.
 */
int vm_write(struct vmspace *vm, vaddr_t va, const void *buf, size_t len);

#endif /* !_VM_ADDRSPACE_H_ */
