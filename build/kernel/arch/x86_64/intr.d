build/kernel/arch/x86_64/intr.o: kernel/arch/x86_64/intr.c \
 kernel/include/systm.h kernel/include/types.h kernel/include/spinlock.h \
 kernel/arch/x86_64/include/arch/acpi.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/apic.h \
 kernel/arch/x86_64/include/arch/cpu.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h \
 kernel/arch/x86_64/include/arch/frame.h \
 kernel/arch/x86_64/include/arch/intr.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/spinlock.h:
kernel/arch/x86_64/include/arch/acpi.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/apic.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
kernel/arch/x86_64/include/arch/frame.h:
kernel/arch/x86_64/include/arch/intr.h:
