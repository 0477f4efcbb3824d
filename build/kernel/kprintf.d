build/kernel/kprintf.o: kernel/kprintf.c kernel/include/systm.h \
 kernel/include/types.h kernel/include/cons.h kernel/lib/kformat.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/cons.h:
kernel/lib/kformat.h:
