build/kernel/vm/vm_phys.o: kernel/vm/vm_phys.c kernel/include/types.h \
 kernel/include/systm.h kernel/vm/vm_phys.h
kernel/include/types.h:
kernel/include/systm.h:
kernel/vm/vm_phys.h:
