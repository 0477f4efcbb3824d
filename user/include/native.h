/*
 * The native system calls (ABI.md section 4): vmspaces, LWPs, kernel
 * counters and rfork, for user programs built with musl-gcc -static.
 *
 * Each function is a stub in native_stubs.S, generated from
 * kernel/syscalls.master like native_syscall.h (both under build/user/),
 * and linked with user/lib/native.c.  Like libc's wrappers they return -1
 * and set errno on failure; vmspace_mmap returns MAP_FAILED ((void *)-1).
 * docs/syscalls.md describes every call and its errors.
 */
#ifndef _NATIVE_H_
#define _NATIVE_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "native_syscall.h"

/*
 * A guest's registers, for vmspace_ctl and vmspace_spawn (ABI.md 4.3).
 * Fields marked "out" are written by vmspace_ctl when the guest traps.
 */
struct trapframe {
	uint64_t tf_rdi;
	uint64_t tf_rsi;
	uint64_t tf_rdx;
	uint64_t tf_rcx;
	uint64_t tf_r8;
	uint64_t tf_r9;
	uint64_t tf_rax;
	uint64_t tf_rbx;
	uint64_t tf_rbp;
	uint64_t tf_r10;
	uint64_t tf_r11;
	uint64_t tf_r12;
	uint64_t tf_r13;
	uint64_t tf_r14;
	uint64_t tf_r15;
	uint64_t tf_trapno; /* out: T_* below */
	uint64_t tf_addr;   /* out: fault address on T_PAGEFLT */
	uint64_t tf_err;    /* out: hardware error code */
	uint64_t tf_rip;
	uint64_t tf_cs;     /* overwritten with the user selector */
	uint64_t tf_rflags; /* masked to the user-changeable bits, IF on */
	uint64_t tf_rsp;
	uint64_t tf_ss;     /* overwritten with the user selector */
};
_Static_assert(sizeof(struct trapframe) == 184, "struct trapframe size");
_Static_assert(offsetof(struct trapframe, tf_rax) == 48, "tf_rax offset");
_Static_assert(offsetof(struct trapframe, tf_r10) == 72, "tf_r10 offset");
_Static_assert(offsetof(struct trapframe, tf_trapno) == 120, "tf_trapno offset");
_Static_assert(offsetof(struct trapframe, tf_addr) == 128, "tf_addr offset");
_Static_assert(offsetof(struct trapframe, tf_rip) == 144, "tf_rip offset");
_Static_assert(offsetof(struct trapframe, tf_rsp) == 168, "tf_rsp offset");
_Static_assert(offsetof(struct trapframe, tf_ss) == 176, "tf_ss offset");

/* A guest's state beyond the registers (ABI.md 4.3). */
struct vextframe {
	uint64_t vx_fsbase;     /* guest FS base */
	uint64_t vx_gsbase;     /* guest GS base */
	uint64_t vx_timeout_ns; /* run time limit; 0 = no limit */
};
_Static_assert(sizeof(struct vextframe) == 24, "struct vextframe size");
_Static_assert(offsetof(struct vextframe, vx_timeout_ns) == 16,
    "vx_timeout_ns offset");

/* Where a new LWP starts (DragonFly's layout; see lwp_create). */
struct lwp_params {
	void (*lwp_func)(void *); /* entry point, called with lwp_arg */
	void *lwp_arg;
	void *lwp_stack;          /* 16-byte aligned stack top minus 8 */
	int *lwp_tid1;            /* if not NULL, receives the new LWP's id */
	int *lwp_tid2;            /* likewise */
};
_Static_assert(sizeof(struct lwp_params) == 40, "struct lwp_params size");

/* Kernel counters (ABI.md 4.3), filled by kstat. */
struct kstat {
	uint64_t ks_pages_total;      /* usable physical pages */
	uint64_t ks_pages_free;
	uint64_t ks_kheap_used;       /* bytes allocated in the kernel heap */
	uint64_t ks_nprocs;           /* live processes, zombies included */
	uint64_t ks_nlwps;
	uint64_t ks_nvmspaces;        /* live address spaces of every kind */
	uint64_t ks_nvmspace_entries; /* live vmspace entries, cached deleted ones included */
	uint64_t ks_uptime_ns;
};
_Static_assert(sizeof(struct kstat) == 64, "struct kstat size");
_Static_assert(offsetof(struct kstat, ks_uptime_ns) == 56,
    "ks_uptime_ns offset");

/* tf_trapno after vmspace_ctl returns: an x86 vector, or one of the last two. */
#define T_DIVIDE 0     /* divide error */
#define T_BPTFLT 3     /* breakpoint (int3) */
#define T_PRIVINFLT 6  /* invalid opcode */
#define T_PROTFLT 13   /* general protection */
#define T_PAGEFLT 14   /* page fault; tf_addr holds the address */
#define T_ALIGNFLT 17  /* alignment check */
#define T_SYSCALL 256  /* the guest executed syscall; tf_rip is past it */
#define T_TIMEOUT 257  /* vx_timeout_ns ran out; tf_rip is the next instruction */

/* vmspace_ctl commands. */
#define VMSPACE_CTL_RUN 1

/* Descriptor table policy of rfork and vmspace_spawn (0 shares it). */
#define RFFDG 4     /* the child gets a copy */
#define RFCFDG 4096 /* the child gets a clean table */

/*
 * vmspace_mcontrol behaviours: DragonFly's values, which differ from
 * Linux's madvise from MADV_FREE on (Linux's <sys/mman.h> defines
 * MADV_FREE as 8).  MADV_INVAL, MADV_SETMAP and MADV_CONTROL_END do not
 * exist on Linux and keep DragonFly's names.
 */
#define VMSPACE_MADV_NORMAL 0
#define VMSPACE_MADV_RANDOM 1
#define VMSPACE_MADV_SEQUENTIAL 2
#define VMSPACE_MADV_WILLNEED 3 /* populate now */
#define VMSPACE_MADV_DONTNEED 4 /* anonymous pages read back as zeros */
#define VMSPACE_MADV_FREE 5     /* likewise */
#define MADV_INVAL 10           /* drop hardware mappings, keep contents */
#define MADV_SETMAP 11          /* not supported: EOPNOTSUPP */
#define MADV_CONTROL_END 11     /* the largest behaviour */

/* User addresses are [VM_MIN_USER_ADDRESS, VM_MAX_USER_ADDRESS). */
#define VM_MIN_USER_ADDRESS 0x1000UL
#define VM_MAX_USER_ADDRESS 0x00007ffffffff000UL

/*
 * Create an empty vmspace named id (not NULL); type 0, data NULL.
 * EEXIST if id exists, ENOMEM at the per-process limit.
 */
int vmspace_create(void *id, int type, void *data);

/* Destroy the vmspace id and free its memory; EBUSY while an LWP runs in it. */
int vmspace_destroy(void *id);

/*
 * Run the guest of *tf and *vf in the vmspace id (cmd VMSPACE_CTL_RUN) until
 * it traps; returns 0 with the guest's registers and tf_trapno in *tf.
 */
int vmspace_ctl(void *id, int cmd, struct trapframe *tf, struct vextframe *vf);

/*
 * mmap in the vmspace id, with Linux's prot and flags: anonymous or a memfd.
 * Returns the address in the vmspace, or MAP_FAILED.
 */
void *vmspace_mmap(void *id, void *addr, size_t len, int prot, int flags,
    int fd, off_t offset);

/* Unmap a range of the vmspace id; the range must be fully mapped. */
int vmspace_munmap(void *id, void *addr, size_t len);

/* madvise in the vmspace id, with DragonFly's behaviours (VMSPACE_MADV_*). */
int vmspace_mcontrol(void *id, void *addr, size_t len, int behav,
    off_t value);

/*
 * Copy nbyte bytes at address offset of the vmspace id to buf (flags 0).
 * Returns the count copied, which stops at the first unmapped byte.
 */
ssize_t vmspace_pread(void *id, void *buf, size_t nbyte, int flags,
    off_t offset);

/*
 * Copy nbyte bytes from buf to address offset of the vmspace id (flags 0),
 * whatever the pages' protection.  Returns the count, as vmspace_pread.
 */
ssize_t vmspace_pwrite(void *id, const void *buf, size_t nbyte, int flags,
    off_t offset);

/*
 * Start an LWP in this process at p->lwp_func(p->lwp_arg) on p->lwp_stack;
 * its id is stored through p->lwp_tid1 and p->lwp_tid2 when not NULL.
 */
int lwp_create(struct lwp_params *p);

/* The calling LWP's id (the same as gettid). */
int lwp_gettid(void);

/* End the calling LWP; the process ends (status 0) with its last LWP. */
void lwp_exit(void) __attribute__((__noreturn__));

/* Wait for LWP lid of this process to end and free it; ESRCH, EDEADLK. */
int lwp_wait(int lid);

/*
 * Make the vmspace id the address space of a new child process, started
 * with *tf and the FS base of *vf; flags 0, RFFDG or RFCFDG.  Returns its pid.
 */
int vmspace_spawn(void *id, const struct trapframe *tf,
    const struct vextframe *vf, int flags);

/* Copy min(size, sizeof(struct kstat)) bytes of counters; returns the count. */
int kstat(struct kstat *buf, size_t size);

/* fork with the descriptor table policy of flags (0, RFFDG or RFCFDG). */
int rfork(int flags);

#endif /* !_NATIVE_H_ */
