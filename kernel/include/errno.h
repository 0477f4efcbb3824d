/*
 * Error numbers: Linux's own (ABI.md section 2), from its uapi headers
 * (linux-libc-dev), so user programs built against a Linux libc read
 * them unchanged.  Syscalls return them negated.
 */
#ifndef _ERRNO_H_
#define _ERRNO_H_

#include <asm-generic/errno.h>

/* Kernel-internal: never seen by user space. */
#define EJUSTRETURN 512 /* the syscall set the whole frame; leave rax */

#endif /* !_ERRNO_H_ */
