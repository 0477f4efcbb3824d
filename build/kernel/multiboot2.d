build/kernel/multiboot2.o: kernel/multiboot2.c kernel/include/types.h \
 kernel/include/systm.h kernel/include/bootinfo.h
kernel/include/types.h:
kernel/include/systm.h:
kernel/include/bootinfo.h:
