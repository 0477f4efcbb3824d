/*
 * The system's names, as uname(2) reports them (sys_info.c): the host
 * and domain names can change (sethostname, setdomainname,
 * /proc/sys/kernel/hostname and domainname); the rest is constant.
 * The two names belong to a UTS namespace (struct uts_ns), as Linux's:
 * every process refers to one (p_uts), which fork shares and
 * unshare(CLONE_NEWUTS) replaces with a copy of its own.
 *
 * Locking: uts_lock, a leaf, guards every namespace's names and every
 * process's p_uts pointer; the reference count is atomic, and a
 * namespace is freed by whoever drops its last reference, with no lock
 * held.
 */
#ifndef _UTS_H_
#define _UTS_H_

#include <types.h>
#include <linux/utsname.h>

#define UTS_NAME_MAX 64 /* Linux's __NEW_UTS_LEN */

struct proc;

/* All the names of the caller's namespace, NUL-terminated.  No spinlock held. */
void uts_get(struct new_utsname *u);

/*
 * Set the domain name (domain) or the host name to the len bytes at name
 * (kernel memory): 0, -EPERM (not root) or -EINVAL (len above
 * UTS_NAME_MAX).  No spinlock held.
 */
int uts_set(bool domain, const char *name, size_t len);

/* proc0's namespace: the first, never freed.  At boot. */
void uts_proc0_init(struct proc *p);

/* p shares its parent's namespace (fork).  No spinlock held. */
void uts_fork(struct proc *parent, struct proc *p);

/* p's reference to its namespace goes (p is being freed).  No locks held. */
void uts_proc_free(struct proc *p);

/*
 * unshare(CLONE_NEWUTS): the caller gets a namespace of its own, a copy
 * of its current one.  0, -EPERM (not root) or -ENOMEM.  No locks held.
 */
int uts_unshare(void);

#endif /* _UTS_H_ */
