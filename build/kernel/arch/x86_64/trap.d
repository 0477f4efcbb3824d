build/kernel/arch/x86_64/trap.o: kernel/arch/x86_64/trap.c \
 kernel/include/systm.h kernel/include/types.h kernel/include/errno.h \
 kernel/arch/x86_64/include/arch/cpu.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h \
 kernel/arch/x86_64/include/arch/extable.h \
 kernel/arch/x86_64/include/arch/frame.h \
 kernel/arch/x86_64/include/arch/intr.h \
 kernel/arch/x86_64/include/arch/trap.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/errno.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
kernel/arch/x86_64/include/arch/extable.h:
kernel/arch/x86_64/include/arch/frame.h:
kernel/arch/x86_64/include/arch/intr.h:
kernel/arch/x86_64/include/arch/trap.h:
