build/kernel/cpio.o: kernel/cpio.c kernel/include/types.h \
 kernel/include/systm.h kernel/include/errno.h kernel/include/cpio.h
kernel/include/types.h:
kernel/include/systm.h:
kernel/include/errno.h:
kernel/include/cpio.h:
