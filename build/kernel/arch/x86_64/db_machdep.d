build/kernel/arch/x86_64/db_machdep.o: kernel/arch/x86_64/db_machdep.c \
 kernel/include/systm.h kernel/include/types.h \
 kernel/arch/x86_64/include/arch/cpu.h kernel/include/param.h \
 kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h \
 kernel/arch/x86_64/include/arch/db.h \
 kernel/arch/x86_64/include/arch/frame.h \
 kernel/arch/x86_64/include/arch/pmap.h kernel/include/spinlock.h \
 kernel/vm/vm.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
kernel/arch/x86_64/include/arch/db.h:
kernel/arch/x86_64/include/arch/frame.h:
kernel/arch/x86_64/include/arch/pmap.h:
kernel/include/spinlock.h:
kernel/vm/vm.h:
