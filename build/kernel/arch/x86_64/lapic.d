build/kernel/arch/x86_64/lapic.o: kernel/arch/x86_64/lapic.c \
 kernel/include/systm.h kernel/include/types.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/apic.h \
 kernel/arch/x86_64/include/arch/cpu.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h \
 kernel/arch/x86_64/include/arch/intr.h \
 kernel/arch/x86_64/include/arch/pmap.h kernel/include/spinlock.h \
 kernel/vm/vm.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/apic.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
kernel/arch/x86_64/include/arch/intr.h:
kernel/arch/x86_64/include/arch/pmap.h:
kernel/include/spinlock.h:
kernel/vm/vm.h:
