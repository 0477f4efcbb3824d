/*
 * The native ABI (ABI.md section 4): the structures and numbers of the
 * native calls, defined once for both sides.  The kernel includes it as
 * <uapi/native_abi.h>; user programs get it through <native.h> (the
 * user build puts this folder on the include path).  Everything the
 * kernel shares with user space that Linux also defines comes from
 * Linux's own uapi headers instead (linux-libc-dev).
 *
 * Only standard C headers may be included here: it is compiled both
 * freestanding and against musl, and its numbers in assembly too.
 */
#ifndef _UAPI_NATIVE_ABI_H_
#define _UAPI_NATIVE_ABI_H_

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>
#endif

/*
 * A register context (ABI.md 4.3), as the kernel saves it on a trap and
 * as vmspace_ctl and vmspace_spawn take and return a guest's.  Fields
 * marked "out" are written by vmspace_ctl when the guest traps.  The
 * x86_64 layout; assembly uses the offsets (arch/frame.h's TF_*).
 */
#ifndef __ASSEMBLY__
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
	/* pushed by the CPU */
	uint64_t tf_rip;
	uint64_t tf_cs;     /* overwritten with the user selector */
	uint64_t tf_rflags; /* masked to the user-changeable bits, IF on */
	uint64_t tf_rsp;
	uint64_t tf_ss; /* overwritten with the user selector */
};
_Static_assert(sizeof(struct trapframe) == 184, "struct trapframe size");
_Static_assert(offsetof(struct trapframe, tf_rax) == 48, "tf_rax offset");
_Static_assert(offsetof(struct trapframe, tf_r10) == 72, "tf_r10 offset");
_Static_assert(offsetof(struct trapframe, tf_trapno) == 120,
    "tf_trapno offset");
_Static_assert(offsetof(struct trapframe, tf_addr) == 128, "tf_addr offset");
_Static_assert(offsetof(struct trapframe, tf_rip) == 144, "tf_rip offset");
_Static_assert(offsetof(struct trapframe, tf_rsp) == 168, "tf_rsp offset");
_Static_assert(offsetof(struct trapframe, tf_ss) == 176, "tf_ss offset");
#endif /* !__ASSEMBLY__ */

/* What vmspace_ctl reports in tf_trapno (ABI.md 4.3). */
#define T_DIVIDE 0    /* divide error */
#define T_DEBUG 1     /* debug exception (single step) */
#define T_BPTFLT 3    /* breakpoint (int3) */
#define T_PRIVINFLT 6 /* invalid opcode */
#define T_PROTFLT 13  /* general protection */
#define T_PAGEFLT 14  /* page fault; tf_addr holds the address */
#define T_ALIGNFLT 17 /* alignment check */
#define T_SYSCALL 256 /* the guest executed syscall; tf_rip is past it */
#define T_TIMEOUT \
	257 /* vx_timeout_ns ran out; tf_rip is the next instruction */
#define T_SIGNAL \
	258 /* a signal for the controller; tf_rip is the next instruction */

/* The bits of tf_err after a T_PAGEFLT (the x86 page-fault error code). */
#define PGEX_P 0x01   /* the page was present: a protection violation */
#define PGEX_W 0x02   /* a write */
#define PGEX_U 0x04   /* from user mode */
#define PGEX_RSV 0x08 /* a reserved bit was set in a page-table entry */
#define PGEX_I 0x10   /* an instruction fetch */

/* A guest's state beyond its registers (ABI.md 4.1, vmspace_ctl). */
#ifndef __ASSEMBLY__
struct vextframe {
	uint64_t vx_fsbase;     /* guest FS base */
	uint64_t vx_gsbase;     /* guest GS base */
	uint64_t vx_timeout_ns; /* run time limit; 0 = no limit */
};
_Static_assert(sizeof(struct vextframe) == 24, "struct vextframe size");
_Static_assert(offsetof(struct vextframe, vx_timeout_ns) == 16,
    "vx_timeout_ns offset");
#endif /* !__ASSEMBLY__ */

/* The user selectors a sanitized guest frame carries (ABI.md 4.4). */
#define USER_CS_SEL 0x23
#define USER_DS_SEL 0x1b

/* vmspace_ctl commands. */
#define VMSPACE_CTL_RUN 1

/*
 * vmspace_mcontrol behaviours: DragonFly's values, which differ from
 * Linux's madvise numbers (MADV_FREE is 5 here, 8 on Linux).
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

/* lwp_create's argument (ABI.md 4.2). */
#ifndef __ASSEMBLY__
struct lwp_params {
	void (*lwp_func)(void *); /* entry point, called with lwp_arg */
	void *lwp_arg;
	void *lwp_stack; /* 16-byte aligned stack top minus 8 */
	int *lwp_tid1;   /* if not NULL, receives the new LWP's id */
	int *lwp_tid2;   /* likewise */
};
_Static_assert(sizeof(struct lwp_params) == 40, "struct lwp_params size");
#endif /* !__ASSEMBLY__ */

/* The kernel's counters, for kstat (ABI.md 4.2 and 4.3). */
#ifndef __ASSEMBLY__
struct kstat {
	uint64_t ks_pages_total; /* usable physical pages */
	uint64_t ks_pages_free;
	uint64_t ks_kheap_used; /* bytes allocated in the kernel heap */
	uint64_t ks_nprocs;     /* live processes, zombies included */
	uint64_t ks_nlwps;
	uint64_t ks_nvmspaces; /* live address spaces of every kind */
	uint64_t
	    ks_nvmspace_entries; /* live vmspace entries, cached deleted ones included */
	uint64_t ks_uptime_ns;
};
_Static_assert(sizeof(struct kstat) == 64, "struct kstat size");
_Static_assert(offsetof(struct kstat, ks_uptime_ns) == 56,
    "ks_uptime_ns offset");
#endif /* !__ASSEMBLY__ */

/* rfork flags (ABI.md 4.2). */
#define RFFDG 4     /* the child gets a copy of the fd table */
#define RFCFDG 4096 /* the child gets a clean table */

/* The user address range: page 0 and the top page are never mapped. */
#define VM_MIN_USER_ADDRESS 0x1000UL
#define VM_MAX_USER_ADDRESS 0x00007ffffffff000UL

#endif /* !_UAPI_NATIVE_ABI_H_ */
