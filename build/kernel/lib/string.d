build/kernel/lib/string.o: kernel/lib/string.c kernel/include/systm.h \
 kernel/include/types.h
kernel/include/systm.h:
kernel/include/types.h:
