build/kernel/vm/vm_page.o: kernel/vm/vm_page.c kernel/include/types.h \
 kernel/include/param.h kernel/include/systm.h kernel/include/spinlock.h \
 kernel/include/bootinfo.h kernel/arch/x86_64/include/arch/pmap.h \
 kernel/vm/vm.h kernel/vm/vm_page.h kernel/vm/vm_phys.h
kernel/include/types.h:
kernel/include/param.h:
kernel/include/systm.h:
kernel/include/spinlock.h:
kernel/include/bootinfo.h:
kernel/arch/x86_64/include/arch/pmap.h:
kernel/vm/vm.h:
kernel/vm/vm_page.h:
kernel/vm/vm_phys.h:
