build/kernel/lib/kformat.o: kernel/lib/kformat.c kernel/include/types.h \
 kernel/lib/kformat.h
kernel/include/types.h:
kernel/lib/kformat.h:
