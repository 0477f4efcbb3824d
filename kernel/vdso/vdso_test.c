/*
 * Self tests of the vDSO's kernel side: what the vvar page publishes
 * (ktest=vdso_vvar) and how exec maps the two objects (ktest=vdso_map).
 * user/tests/systests/vdso.c checks the vDSO itself from user mode.
 */
#include <systm.h>
#include <clock.h>
#include <errno.h>
#include <ktest.h>
#include <arch/cpu.h>
#include <vm/addrspace.h>
#include <vm/vm_map.h>
#include <vdso/vdso.h>
#include <vdso/vdso_data.h>
#include <linux/time.h>

/*
 * The vvar page holds nanouptime()'s line, each uptime clock at its
 * base and each real-time clock at its base plus the epoch, every other
 * id sent to the system call, and the coarse clocks marked; publishing
 * again changes nothing but the sequence count, which stays even.
 */
KTEST(vdso_vvar)
{
	const struct vdso_data *vd = vdso_data_page();
	uint64_t rt = clock_realtime_offset(), seq, before, line;
	struct vclock vc;

	if (!KT_CHECK(vd != NULL))
		return;
	KT_CHECK(clock_vclock(&vc));
	for (int round = 0; round < 2; round++) {
		seq = vd->vd_seq;
		KT_EQ(seq & 1, 0);
		KT_EQ(vd->vd_mult, vc.vc_mult);
		KT_EQ(vd->vd_tick_ns, 1000000000UL / HZ);
		for (int c = 0; c < VDSO_NCLOCKS; c++) {
			uint64_t want = VDSO_CLOCK_SYSCALL;

			if (c == CLOCK_MONOTONIC || c == CLOCK_MONOTONIC_RAW ||
			    c == CLOCK_MONOTONIC_COARSE || c == CLOCK_BOOTTIME)
				want = vc.vc_ns_base;
			if (c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE ||
			    c == CLOCK_TAI)
				want = vc.vc_ns_base + rt;
			KT_CHECKF(vd->vd_base[c] == want,
			    "clock %d: base 0x%lx, want 0x%lx", c,
			    vd->vd_base[c], want);
			KT_EQ(vd->vd_read >> c & 1, want != VDSO_CLOCK_SYSCALL);
		}
		KT_EQ(vd->vd_coarse,
		    1U << CLOCK_REALTIME_COARSE | 1U << CLOCK_MONOTONIC_COARSE |
			1U << CLOCK_PROCESS_CPUTIME_ID |
			1U << CLOCK_THREAD_CPUTIME_ID);
		clock_vdso_update();
		KT_EQ(vd->vd_seq, seq + 2);
	}

	/*
	 * The sign test the vDSO makes: clear for a clock it reads, set
	 * for one it does not.
	 */
	KT_EQ(vclock_ns(rdtsc(), vd->vd_base[CLOCK_REALTIME], vc.vc_mult) &
		VDSO_CLOCK_SYSCALL,
	    0);
	KT_CHECK(vclock_ns(rdtsc(), vd->vd_base[CLOCK_PROCESS_CPUTIME_ID],
		     vc.vc_mult) &
	    VDSO_CLOCK_SYSCALL);

	/* The line is nanouptime()'s: a read between two of its reads. */
	before = nanouptime();
	line = vclock_ns(rdtsc(), vc.vc_ns_base, vc.vc_mult);
	KT_CHECKF(before <= line && line <= nanouptime(),
	    "nanouptime %lu, the line %lu", before, line);
}

/*
 * A write of the vvar page marks every split (vd_sec_base) before the
 * odd count and stores the new ones only after the even count: the
 * order the vDSO's fast path relies on, as it does not test the count
 * for oddness (vdso_data.h; tests/model/vvar_seq.pml checks the
 * protocol itself).
 */
KTEST(vdso_write_marks)
{
	uint64_t sec_base[VDSO_NCLOCKS], seq;
	struct vdso_data *vd;
	bool masked;

	if (!KT_CHECK(vdso_data_page() != NULL))
		return;
	/* The only other writer is the boot CPU's tick: this one, masked. */
	masked = intr_disable();
	KT_EQ(curcpu()->ci_index, 0);
	seq = vdso_data_page()->vd_seq;
	for (int c = 0; c < VDSO_NCLOCKS; c++)
		sec_base[c] = vdso_data_page()->vd_sec_base[c];
	vd = vdso_write_begin();
	KT_EQ(vd->vd_seq, seq + 1);
	for (int c = 0; c < VDSO_NCLOCKS; c++)
		KT_CHECKF(vd->vd_sec_base[c] == VDSO_CLOCK_SYSCALL,
		    "clock %d: split 0x%lx while the count is odd", c,
		    vd->vd_sec_base[c]);
	vdso_write_end(vd, sec_base);
	intr_restore(masked);
	KT_EQ(vdso_data_page()->vd_seq, seq + 2);
	for (int c = 0; c < VDSO_NCLOCKS; c++)
		KT_EQ(vdso_data_page()->vd_sec_base[c], sec_base[c]);
}

/*
 * The split the vDSO reads without dividing (vd_sec, vd_sec_base): for
 * each clock it reads, the split's second and the rest add up to
 * vd_base exactly, and the second is one the clock has reached and, once
 * the tick's clock_vdso_tick has run, the one it is in (or the one just
 * before, if a second began in between); a clock it does not read has
 * VDSO_CLOCK_SYSCALL as its rest.
 */
KTEST(vdso_seconds)
{
	const struct vdso_data *vd = vdso_data_page();

	if (!KT_CHECK(vd != NULL))
		return;
	for (int round = 0; round < 2; round++) {
		bool masked = intr_disable();

		if (round == 0)
			clock_vdso_update();
		else
			clock_vdso_tick();
		intr_restore(masked);
		for (int c = 0; c < VDSO_NCLOCKS; c++) {
			uint64_t base = vd->vd_base[c], sec = vd->vd_sec[c];
			uint64_t now;

			if ((vd->vd_read >> c & 1) == 0) {
				KT_EQ(vd->vd_sec_base[c], VDSO_CLOCK_SYSCALL);
				continue;
			}
			KT_CHECKF(vd->vd_sec_base[c] + sec * 1000000000UL ==
				base,
			    "clock %d: second %lu, rest 0x%lx, base 0x%lx", c,
			    sec, vd->vd_sec_base[c], base);
			now = (c == CLOCK_REALTIME ||
					  c == CLOCK_REALTIME_COARSE ||
					  c == CLOCK_TAI ?
				      clock_realtime_ns() :
				      nanouptime()) /
			    1000000000UL;
			KT_CHECKF(sec == now || sec + 1 == now,
			    "clock %d: split at second %lu, now %lu", c, sec,
			    now);
		}
	}
}

/*
 * vdso_map puts the vvar page, read-only and never writable, right
 * below the vDSO, a private read-execute view, right above the stack
 * (USTACK_TOP), inside the stack's last page table; even a
 * forced write (as the ELF loader makes) cannot reach the vvar page.
 */
KTEST(vdso_map)
{
	struct vmspace *vm = vmspace_alloc();
	struct vm_map_entry *e;
	vaddr_t ehdr = 0;
	uint8_t byte = 0x5a;

	if (!KT_CHECK(vm != NULL))
		return;
	KT_EQ(vdso_map(vm, &ehdr), 0);
	if (!KT_CHECK(ehdr != 0)) {
		vmspace_rel(vm);
		return;
	}
	KT_EQ(ehdr & PAGE_MASK, 0);
	KT_EQ(ehdr, USTACK_TOP + PAGE_SIZE);
	KT_EQ(ehdr >> 21, (USTACK_TOP - 1) >> 21);

	spin_lock(&vm->vm_lock);
	e = vm_map_lookup(&vm->vm_map, ehdr - PAGE_SIZE);
	if (KT_CHECK(e != NULL)) {
		KT_EQ(e->e_start, ehdr - PAGE_SIZE);
		KT_EQ(e->e_end, ehdr);
		KT_EQ(e->e_prot, VM_PROT_READ);
		KT_EQ(e->e_flags, VM_ENTRY_NOWRITE);
		KT_CHECK(strcmp(vdso_object_name(e->e_object), "[vvar]") == 0);
	}
	e = vm_map_lookup(&vm->vm_map, ehdr);
	if (KT_CHECK(e != NULL)) {
		KT_EQ(e->e_start, ehdr);
		KT_EQ(e->e_prot, VM_PROT_READ | VM_PROT_EXECUTE);
		KT_EQ(e->e_flags, 0);
		KT_CHECK(strcmp(vdso_object_name(e->e_object), "[vdso]") == 0);
	}
	spin_unlock(&vm->vm_lock);

	KT_EQ(vm_write(vm, ehdr - PAGE_SIZE, &byte, 1), -EACCES);
	KT_EQ(vm_write(vm, ehdr + 9, &byte, 1), 0); /* a private copy */
	KT_CHECK(vdso_object_name(NULL) == NULL);
	vmspace_rel(vm);
}
