build/kernel/spinlock.o: kernel/spinlock.c kernel/include/systm.h \
 kernel/include/types.h kernel/include/spinlock.h \
 kernel/arch/x86_64/include/arch/cpu.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/spinlock.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
