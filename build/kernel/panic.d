build/kernel/panic.o: kernel/panic.c kernel/include/systm.h \
 kernel/include/types.h kernel/include/cons.h kernel/include/ksyms.h \
 kernel/arch/x86_64/include/arch/cpu.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h \
 kernel/arch/x86_64/include/arch/db.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/cons.h:
kernel/include/ksyms.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
kernel/arch/x86_64/include/arch/db.h:
