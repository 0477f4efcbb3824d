build/kernel/arch/x86_64/machdep.o: kernel/arch/x86_64/machdep.c \
 kernel/include/systm.h kernel/include/types.h \
 kernel/arch/x86_64/include/arch/acpi.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpu.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/arch/x86_64/include/arch/acpi.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
