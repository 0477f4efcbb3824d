build/kernel/ktest.o: kernel/ktest.c kernel/include/systm.h \
 kernel/include/types.h kernel/include/bootinfo.h kernel/include/ktest.h \
 kernel/arch/x86_64/include/arch/cpu.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/bootinfo.h:
kernel/include/ktest.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
