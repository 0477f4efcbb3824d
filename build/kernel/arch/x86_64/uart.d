build/kernel/arch/x86_64/uart.o: kernel/arch/x86_64/uart.c \
 kernel/include/systm.h kernel/include/types.h \
 kernel/arch/x86_64/include/arch/cons_md.h \
 kernel/arch/x86_64/include/arch/cpufunc.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/arch/x86_64/include/arch/cons_md.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
