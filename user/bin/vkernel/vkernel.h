/*
 * vkernel: a virtual kernel that runs as an ordinary process.
 *
 * It runs unmodified static Linux programs (musl, ET_EXEC) as "guests",
 * using nothing but the vmspace calls of ABI.md section 4: it is the
 * kernel of its guests, and a plain user program of the real kernel.
 *
 *     vkernel [-v] PROG [ARGS...] [-- PROG2 [ARGS...] ...]
 *
 * One guest = one vmspace + register state + memory layout
 *
 *   The vmspace is an address space of its own, created empty by
 *   vmspace_create and named by a pointer the vkernel chooses: here the
 *   address of the guest's struct guest.  The registers are a struct
 *   trapframe and a struct vextframe (FS base, time limit) that live in
 *   the vkernel's memory (the kernel keeps the x87/SSE registers of each
 *   vmspace itself, between runs).  The memory
 *   layout says which guest addresses may have memory: the program's
 *   segments, mapped when it is loaded, and three "areas" that get
 *   memory only when touched: the stack, the heap (brk) and the
 *   anonymous mmap regions.
 *
 * The run loop (main.c)
 *
 *   vmspace_ctl(RUN) loads a guest's registers and runs it in its vmspace
 *   until it traps; then the call returns to the vkernel with the guest's
 *   registers and the reason (tf_trapno):
 *     T_SYSCALL  the guest executed `syscall': emulate it (sys.c), store
 *                the result in tf_rax, run the guest again;
 *     T_PAGEFLT  it touched an address its mappings do not allow: if
 *                nothing is mapped there yet and the address is in one of
 *                its areas, give it the page (mem.c), else kill it
 *                ("segmentation fault");
 *     T_TIMEOUT  its time slice (vx_timeout_ns) ran out: go on with the
 *                next guest (round robin);
 *     anything else (divide error, invalid opcode...): kill it.
 *   The real kernel resolves the faults the vmspace's mappings allow
 *   (demand-zero, copy-on-write), so the vkernel sees only the faults its
 *   own policy must decide.
 *
 * The syscall path (sys.c)
 *
 *   The guest's request is in its registers (rax = number, rdi, rsi, rdx,
 *   r10, r8, r9 = arguments).  Guest pointers are guest addresses: the
 *   vkernel reads and writes guest memory with vmspace_pread and
 *   vmspace_pwrite (guest_read/guest_write in mem.c), never directly.
 *
 * The fault path (mem.c)
 *
 *   Memory is given lazily, one page per fault, with vmspace_mmap at a
 *   fixed address.  The vkernel's own accesses to guest memory take the
 *   same path: a copy that stops at an unmapped byte inside an area maps
 *   that page and goes on, as a real kernel's copyin would fault it in.
 */
#ifndef VKERNEL_H
#define VKERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "native.h"

/* ------------------------------------------------------------------ */
/* The guest memory layout (every guest has the same one).            */

#define VK_PAGE 4096UL
#define page_trunc(a) ((uint64_t)(a) & ~(VK_PAGE - 1))
#define page_round(a) (((uint64_t)(a) + VK_PAGE - 1) & ~(VK_PAGE - 1))

/* The stack: [STACK_TOP - STACK_SIZE, STACK_TOP), growing down. */
#define STACK_TOP 0x00007fff00000000UL
#define STACK_SIZE (8UL << 20)

/* mmap regions are placed upwards from MMAP_BASE, up to MMAP_END. */
#define MMAP_BASE 0x00007f0000000000UL
#define MMAP_END (STACK_TOP - STACK_SIZE - (1UL << 30))

/* The heap starts at the page after the program and may grow this much. */
#define HEAP_MAX (1UL << 30)

/* Programs must load below this address (their heap comes after them). */
#define IMAGE_END_MAX (MMAP_BASE - HEAP_MAX)

/* Guest time slice, nanoseconds of the real kernel's clock.  The kernel
 * notices an expired vx_timeout_ns at its next clock tick (100 Hz here),
 * so a run can last up to 10 ms longer. */
#define SLICE_NS 5000000UL

/* ------------------------------------------------------------------ */
/* A guest.                                                           */

/* A range of guest addresses that gets memory when first touched. */
struct area {
	uint64_t start, end; /* page-aligned; empty when start == end */
	int prot;            /* PROT_* of its pages */
};

#define MAX_MAPS 64 /* mmap regions per guest */

enum guest_state {
	GUEST_RUNNABLE,
	GUEST_EXITED,
	GUEST_KILLED
};

struct guest {
	/* Who it is.  The struct's address is its vmspace id (guest_vms). */
	int id;      /* 1, 2, ... in command-line order; its "pid" */
	char **argv; /* argv[0] is the program's path */

	/* Register state: the integer registers and the FS base, handed to
	 * vmspace_ctl (the kernel keeps the vmspace's x87/SSE registers). */
	struct trapframe tf;
	struct vextframe vx;

	/* Memory layout (mem.c).  The program's own segments are mapped at
	 * load time and are not areas. */
	struct area stack;
	struct area heap;           /* [brk_start, page_round(brk)) */
	uint64_t brk_start, brk;    /* the program break and where it began */
	struct area maps[MAX_MAPS]; /* mmap regions, unsorted, never empty */
	int nmaps;
	uint64_t mmap_next; /* where the next mmap region goes */

	/* Life and death. */
	enum guest_state state;
	int status;   /* exit status (GUEST_EXITED) */
	char why[96]; /* what killed it (GUEST_KILLED) */

	/* Statistics, printed when it ends. */
	unsigned long nsyscalls, nfaults, ntimeouts;
};

/* The vmspace id of a guest: any unique non-NULL pointer will do. */
static inline void *
guest_vms(struct guest *g)
{
	return g;
}

/* ------------------------------------------------------------------ */
/* main.c                                                             */

extern int verbose; /* -v: trace every syscall and fault on stderr */

/* Print "vkernel: guest N: ..." on stderr when verbose. */
void trace(struct guest *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* End g with exit status (its syscall exit or exit_group). */
void guest_exit(struct guest *g, int status);

/* End g for the reason printf(fmt, ...), e.g. "segmentation fault at 0x0". */
void guest_kill(struct guest *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* load.c                                                             */

/*
 * Make g a new guest running argv[0] with argv and envp: create its
 * vmspace, load the ELF file, set up its memory layout, build its initial
 * stack and registers.  Returns 0, or -1 after printing why on stderr
 * (the vmspace, if created, is destroyed again).
 */
int load_guest(struct guest *g, int id, char **argv, char **envp);

/* ------------------------------------------------------------------ */
/* mem.c                                                              */

/* Set up the stack, heap and mmap areas of a guest whose program ends at
 * image_end (the end of its highest segment). */
void mem_init(struct guest *g, uint64_t image_end);

/* Map [start, end) (page-aligned) as fresh anonymous memory with prot,
 * replacing whatever was there.  Returns 0 or -errno. */
int mem_map(struct guest *g, uint64_t start, uint64_t end, int prot);

/*
 * The T_PAGEFLT path: the guest faulted at addr with hardware error code
 * err.  Returns 0 if the page was given (run the guest again), -EFAULT if
 * the access is not allowed (segmentation fault), -ENOMEM if no memory.
 */
int mem_fault(struct guest *g, uint64_t addr, uint64_t err);

/* Copy n bytes from guest address addr to buf / from buf to guest address
 * addr, faulting area pages in as needed.  Returns 0 or -EFAULT. */
int guest_read(struct guest *g, void *buf, uint64_t addr, size_t n);
int guest_write(struct guest *g, uint64_t addr, const void *buf, size_t n);

/* The brk, mmap and munmap system calls; results as Linux's. */
uint64_t mem_brk(struct guest *g, uint64_t want);
long mem_mmap(struct guest *g, uint64_t addr, uint64_t len, int prot, int flags,
    int fd, uint64_t off);
long mem_munmap(struct guest *g, uint64_t addr, uint64_t len);

/* ------------------------------------------------------------------ */
/* sys.c                                                              */

/* The T_SYSCALL path: emulate the syscall in g->tf, leaving the result
 * in g->tf.tf_rax (or ending the guest). */
void sys_dispatch(struct guest *g);

#endif /* VKERNEL_H */
