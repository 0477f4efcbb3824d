build/kernel/ksyms.o: kernel/ksyms.c kernel/include/systm.h \
 kernel/include/types.h kernel/include/ksyms.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/ksyms.h:
