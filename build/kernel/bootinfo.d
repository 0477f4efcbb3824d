build/kernel/bootinfo.o: kernel/bootinfo.c kernel/include/types.h \
 kernel/include/param.h kernel/include/systm.h kernel/include/bootinfo.h
kernel/include/types.h:
kernel/include/param.h:
kernel/include/systm.h:
kernel/include/bootinfo.h:
