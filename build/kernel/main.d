build/kernel/main.o: kernel/main.c kernel/include/systm.h \
 kernel/include/types.h kernel/include/bootinfo.h kernel/include/clock.h \
 kernel/include/cons.h kernel/include/cpio.h kernel/include/ktest.h \
 kernel/arch/x86_64/include/arch/acpi.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpu.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h \
 kernel/arch/x86_64/include/arch/intr.h \
 kernel/arch/x86_64/include/arch/pmap.h kernel/include/spinlock.h \
 kernel/vm/vm.h kernel/vm/vm_page.h kernel/vm/vm_phys.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/bootinfo.h:
kernel/include/clock.h:
kernel/include/cons.h:
kernel/include/cpio.h:
kernel/include/ktest.h:
kernel/arch/x86_64/include/arch/acpi.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
kernel/arch/x86_64/include/arch/intr.h:
kernel/arch/x86_64/include/arch/pmap.h:
kernel/include/spinlock.h:
kernel/vm/vm.h:
kernel/vm/vm_page.h:
kernel/vm/vm_phys.h:
