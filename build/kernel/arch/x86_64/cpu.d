build/kernel/arch/x86_64/cpu.o: kernel/arch/x86_64/cpu.c \
 kernel/include/systm.h kernel/include/types.h \
 kernel/arch/x86_64/include/arch/cpu.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h \
 kernel/arch/x86_64/include/arch/frame.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
kernel/arch/x86_64/include/arch/frame.h:
