/*
 * The vDSO (vdso.c): a small shared object the kernel maps into every
 * program at exec, with the vvar page below it, so that the C library
 * reads the clocks without a system call, as on Linux.  The C library
 * finds it through the auxiliary vector's AT_SYSINFO_EHDR.
 */
#ifndef _VDSO_VDSO_H_
#define _VDSO_VDSO_H_

#include <types.h>
#include <vdso/vdso_data.h>

struct vdso_data;
struct vm_object;
struct vmspace;

/*
 * Make the vDSO's pages from the image built into the kernel and the
 * vvar page, then have the clocks fill it (clock_vdso_update).  If memory
 * runs out, says so and programs get no vDSO.  Boot CPU, once, after
 * clock_startup and rtc_startup, before the first exec.
 */
void vdso_init(void);

/*
 * Map the vvar page and, right above it, the vDSO into vm, a new
 * address space exec is building: at USTACK_TOP, right above the stack
 * (the top VDSO_AREA bytes of user space are theirs).  Returns 0 with the
 * address of the vDSO's ELF header in *ehdrp (0 when there is no vDSO),
 * or -ENOMEM; on failure vm may hold part of it, and the caller drops vm
 * whole.  No locks held.
 */
int vdso_map(struct vmspace *vm, vaddr_t *ehdrp);

/*
 * The name /proc/PID/maps gives a mapping of obj: "[vvar]", "[vdso]", or
 * NULL for any other object.  No requirements.
 */
const char *vdso_object_name(const struct vm_object *obj);

/*
 * The vvar page as the kernel sees it, or NULL when there is no vDSO:
 * for the self tests, which read it as the vDSO does.  No requirements.
 */
const struct vdso_data *vdso_data_page(void);

/*
 * Begin a change of the vvar page: returns it, writable, with its
 * sequence count odd, every vd_sec_base VDSO_CLOCK_SYSCALL and
 * vdso_lock held, or NULL when there is no vDSO.  The caller changes
 * the other fields and calls vdso_write_end with the new vd_sec_base.
 * No locks held; nothing may sleep or touch user memory until
 * vdso_write_end.
 */
struct vdso_data *vdso_write_begin(void);

/*
 * End the change vdso_write_begin began: the sequence count even again,
 * then vd_sec_base set to sec_base (vdso_data.h), and vdso_lock
 * dropped.  The caller holds vdso_lock (vdso_write_begin).
 */
void vdso_write_end(struct vdso_data *vd,
    const uint64_t sec_base[VDSO_NCLOCKS]);

#endif /* !_VDSO_VDSO_H_ */
