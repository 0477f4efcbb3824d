/*
 * Syscall dispatch.  kernel/syscalls.master lists every call once; the
 * build generates from it the table sysent[] (build/gen/sysent.c), the
 * prototypes of the handlers sys_NAME (build/gen/sysproto.h), the user
 * stubs and docs/syscalls.md.
 *
 * A handler returns its result or -errno (ABI.md section 2), or
 * -EJUSTRETURN when it has set the whole user frame itself (execve).
 */
#ifndef _SYSCALL_H_
#define _SYSCALL_H_

#include <types.h>
#include <arch/frame.h> /* struct trapframe, read by the generated wrappers */

struct stat;
struct iovec;
struct timespec;
struct utsname;
struct kstat;
struct lwp_params;
struct vextframe;
struct linux_dirent64;

/*
 * A LIGHT call's handler (syscalls.master): it keeps every register but
 * rax, as syscall.S's light path needs, which calls it directly from the
 * entry with the user's registers still loaded.  Its definition carries
 * this attribute too (the prototype in sysproto.h has it as well).
 */
#define SYSCALL_LIGHT __attribute__((no_caller_saved_registers))

struct sysent {
	const char *sy_name;
	int sy_narg;
	long (*sy_call)(struct trapframe *tf);
	long (*sy_light)(void); /* sys_<name> of a LIGHT call (SYSCALL_LIGHT) */
};

extern const struct sysent sysent[];
extern const unsigned nsysent;

/*
 * The 7th argument of a call (ABI.md section 2): the 64-bit word at
 * 8(%rsp) of the caller's stack.  0 or -EFAULT.
 */
int syscall_arg7(const struct trapframe *tf, uint64_t *arg);

#endif /* !_SYSCALL_H_ */
