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
 * The structures and numbers (struct trapframe, vextframe, lwp_params,
 * kstat; T_*, VMSPACE_*, RF*, the user address range) are the kernel's
 * own definitions, shared with it.
 */
#include <native_abi.h>

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
int vmspace_mcontrol(void *id, void *addr, size_t len, int behav, off_t value);

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
