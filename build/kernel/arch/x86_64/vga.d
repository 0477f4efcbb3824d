build/kernel/arch/x86_64/vga.o: kernel/arch/x86_64/vga.c \
 kernel/include/systm.h kernel/include/types.h \
 kernel/arch/x86_64/include/arch/cons_md.h \
 kernel/arch/x86_64/include/arch/pmap.h kernel/include/param.h \
 kernel/include/spinlock.h kernel/vm/vm.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/arch/x86_64/include/arch/cons_md.h:
kernel/arch/x86_64/include/arch/pmap.h:
kernel/include/param.h:
kernel/include/spinlock.h:
kernel/vm/vm.h:
