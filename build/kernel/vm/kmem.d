build/kernel/vm/kmem.o: kernel/vm/kmem.c kernel/include/types.h \
 kernel/include/param.h kernel/include/systm.h kernel/include/spinlock.h \
 kernel/vm/vm_page.h kernel/vm/vm_phys.h kernel/vm/kmem.h
kernel/include/types.h:
kernel/include/param.h:
kernel/include/systm.h:
kernel/include/spinlock.h:
kernel/vm/vm_page.h:
kernel/vm/vm_phys.h:
kernel/vm/kmem.h:
