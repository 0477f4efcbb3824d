build/kernel/cons.o: kernel/cons.c kernel/include/systm.h \
 kernel/include/types.h kernel/include/bootinfo.h kernel/include/cons.h \
 kernel/include/spinlock.h kernel/arch/x86_64/include/arch/cons_md.h \
 kernel/arch/x86_64/include/arch/intr.h \
 kernel/arch/x86_64/include/arch/segments.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/bootinfo.h:
kernel/include/cons.h:
kernel/include/spinlock.h:
kernel/arch/x86_64/include/arch/cons_md.h:
kernel/arch/x86_64/include/arch/intr.h:
kernel/arch/x86_64/include/arch/segments.h:
