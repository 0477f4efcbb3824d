/*
 * The system's names, as uname(2) reports them (sys_info.c): the host
 * and domain names can change (sethostname, setdomainname,
 * /proc/sys/kernel/hostname and domainname); the rest is constant.
 */
#ifndef _UTS_H_
#define _UTS_H_

#include <types.h>
#include <linux/utsname.h>

#define UTS_NAME_MAX 64 /* Linux's __NEW_UTS_LEN */

/* All the names, NUL-terminated.  No spinlock held. */
void uts_get(struct new_utsname *u);

/*
 * Set the domain name (domain) or the host name to the len bytes at name
 * (kernel memory): 0, -EPERM (not root) or -EINVAL (len above
 * UTS_NAME_MAX).  No spinlock held.
 */
int uts_set(bool domain, const char *name, size_t len);

#endif /* _UTS_H_ */
