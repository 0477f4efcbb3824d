/*
 * Error numbers.  The values are Linux's (ABI.md section 2): user programs
 * built against a Linux libc read them unchanged.
 */
#ifndef _ERRNO_H_
#define _ERRNO_H_

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define ENOTTY 25
#define ESPIPE 29
#define EROFS 30
#define EPIPE 32
#define EDEADLK 35
#define ENAMETOOLONG 36
#define ENOSYS 38
#define EOPNOTSUPP 95
#define ETIMEDOUT 110 /* internal: a timed sleep ran out */
#define EJUSTRETURN 512 /* internal: the syscall set the whole frame */

#endif /* !_ERRNO_H_ */
