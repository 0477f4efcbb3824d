build/kernel/arch/x86_64/acpi.o: kernel/arch/x86_64/acpi.c \
 kernel/include/systm.h kernel/include/types.h kernel/include/bootinfo.h \
 kernel/arch/x86_64/include/arch/acpi.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/pmap.h kernel/include/spinlock.h \
 kernel/vm/vm.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/bootinfo.h:
kernel/arch/x86_64/include/arch/acpi.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/pmap.h:
kernel/include/spinlock.h:
kernel/vm/vm.h:
