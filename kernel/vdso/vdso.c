/*
 * The vDSO and the vvar page (vdso.h), as Linux's x86_64 has them.
 *
 * The vDSO is a shared object built from arch/x86_64/vdso/ (ELF64
 * ET_DYN, linked at 0, no relocations, symbols versioned LINUX_2.6)
 * whose file is linked into the kernel (vdso_image.S).  vdso_init copies
 * it into the pages of a memory object that lives for ever, and makes a
 * second one-page object, the vvar page (vdso_data.h), that the vDSO
 * reads at the page just below its ELF header.
 *
 * Every exec maps both objects (vdso_map), the vvar page then the vDSO
 * as Linux does, as ordinary map entries: the vvar page read-only and
 * never writable (VM_ENTRY_NOWRITE: mprotect refuses write access with
 * EACCES, as Linux's VM_MAYWRITE-less vvar), the vDSO a private
 * read-execute view that a debugger may make writable and copy, as
 * Linux's.  Their pages belong to the objects, which hold one reference
 * each for ever, so unmapping them never frees a page; fork copies the
 * entries as any other, and /proc/PID/maps names them (vdso_object_name).
 *
 * Locking.  vdso_obj, vvar_obj, vdso_vvar and vdso_len are set by
 * vdso_init before the first exec and constant afterwards.  The fields
 * of the vvar page are written only between vdso_write_begin and
 * vdso_write_end, under vdso_lock (a leaf), with the page's sequence
 * count odd and every vd_sec_base marked; vdso_write_end stores the new
 * vd_sec_base after the even count (the order vdso_data.h relies on).
 */
#include <systm.h>
#include <clock.h>
#include <errno.h>
#include <spinlock.h>
#include <vm/addrspace.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vdso/vdso.h>
#include <vdso/vdso_data.h>

/* The vDSO's file, from vdso_image.S. */
extern const uint8_t vdso_image_start[], vdso_image_end[];

static struct vm_object *vdso_obj;  /* the vDSO's pages */
static struct vm_object *vvar_obj;  /* the vvar page */
static struct vdso_data *vdso_vvar; /* the vvar page, in the direct map */
static vsize_t vdso_len;            /* the vDSO's bytes, page aligned */
static struct spinlock vdso_lock = SPINLOCK_INITIALIZER("vdso");

/*
 * Copy len bytes of src into obj from its first page on.  0 or -ENOMEM.
 * No locks held.
 */
static int
vdso_fill(struct vm_object *obj, const uint8_t *src, size_t len)
{
	for (uint64_t idx = 0; idx * PAGE_SIZE < len; idx++) {
		size_t n = MIN(PAGE_SIZE, len - idx * PAGE_SIZE);
		struct vm_page *pg;
		int error;

		error = vm_object_getpage(obj, idx, &pg);
		if (error != 0)
			return error;
		memcpy(vm_page_kva(pg), src + idx * PAGE_SIZE, n);
		vm_page_unref(pg); /* the object keeps its own */
	}
	return 0;
}

void
vdso_init(void)
{
	size_t len = vdso_image_end - vdso_image_start;
	struct vm_object *obj, *vvar;
	struct vm_page *pg;

	KASSERT(vdso_obj == NULL);
	KASSERT(len >= 64 && memcmp(vdso_image_start, "\177ELF", 4) == 0);
	KASSERT(PAGE_SIZE + round_page(len) <= VDSO_AREA);
	obj = vm_object_alloc(round_page(len));
	vvar = vm_object_alloc(PAGE_SIZE);
	if (obj == NULL || vvar == NULL)
		goto fail;
	if (vdso_fill(obj, vdso_image_start, len) != 0 ||
	    vm_object_getpage(vvar, 0, &pg) != 0)
		goto fail;
	vdso_vvar = vm_page_kva(pg);
	vm_page_unref(pg); /* the object keeps its own */
	vdso_len = round_page(len);
	vvar_obj = vvar;
	vdso_obj = obj;
	clock_vdso_update();
	return;
fail:
	kprintf("vdso: out of memory; programs get no vDSO\n");
	if (obj != NULL)
		vm_object_rel(obj);
	if (vvar != NULL)
		vm_object_rel(vvar);
}

int
vdso_map(struct vmspace *vm, vaddr_t *ehdrp)
{
	vaddr_t va;
	int error;

	*ehdrp = 0;
	if (vdso_obj == NULL)
		return 0;
	/* vm is exec's own until it runs: nothing else maps there meanwhile. */
	va = USTACK_TOP;
	vm_object_ref(vvar_obj); /* the mapping's */
	error = vmspace_insert(vm, va, va + PAGE_SIZE, VM_PROT_READ,
	    VM_ENTRY_NOWRITE, vvar_obj, 0);
	if (error != 0) {
		vm_object_rel(vvar_obj);
		return error;
	}
	vm_object_ref(vdso_obj); /* the mapping's */
	error = vmspace_insert(vm, va + PAGE_SIZE, va + PAGE_SIZE + vdso_len,
	    VM_PROT_READ | VM_PROT_EXECUTE, 0, vdso_obj, 0);
	if (error != 0) {
		vm_object_rel(vdso_obj);
		return error;
	}
	*ehdrp = va + PAGE_SIZE;
	return 0;
}

const char *
vdso_object_name(const struct vm_object *obj)
{
	if (obj == NULL)
		return NULL;
	if (obj == vvar_obj)
		return "[vvar]";
	if (obj == vdso_obj)
		return "[vdso]";
	return NULL;
}

const struct vdso_data *
vdso_data_page(void)
{
	return vdso_vvar;
}

struct vdso_data *
vdso_write_begin(void)
{
	struct vdso_data *vd = vdso_vvar;

	if (vd == NULL)
		return NULL;
	spin_lock(&vdso_lock);
	for (int c = 0; c < VDSO_NCLOCKS; c++)
		__atomic_store_n(&vd->vd_sec_base[c], VDSO_CLOCK_SYSCALL,
		    __ATOMIC_RELAXED);
	/* The marks are visible before the odd count (x86: stores in order). */
	__atomic_store_n(&vd->vd_seq, vd->vd_seq + 1, __ATOMIC_RELEASE);
	/* The odd count is visible before any field changes. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return vd;
}

void
vdso_write_end(struct vdso_data *vd, const uint64_t sec_base[VDSO_NCLOCKS])
{
	KASSERT(spin_held(&vdso_lock));
	KASSERT(vd == vdso_vvar && (vd->vd_seq & 1) != 0);
	/* Every field is visible before the even count... */
	__atomic_store_n(&vd->vd_seq, vd->vd_seq + 1, __ATOMIC_RELEASE);
	/* ...and the even count before the new split. */
	for (int c = 0; c < VDSO_NCLOCKS; c++)
		__atomic_store_n(&vd->vd_sec_base[c], sec_base[c],
		    __ATOMIC_RELEASE);
	spin_unlock(&vdso_lock);
}
