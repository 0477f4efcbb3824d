build/kernel/arch/x86_64/pmap.o: kernel/arch/x86_64/pmap.c \
 kernel/include/systm.h kernel/include/types.h kernel/include/bootinfo.h \
 kernel/include/errno.h kernel/arch/x86_64/include/arch/cpu.h \
 kernel/include/param.h kernel/arch/x86_64/include/arch/cpufunc.h \
 kernel/arch/x86_64/include/arch/segments.h \
 kernel/arch/x86_64/include/arch/pmap.h kernel/include/spinlock.h \
 kernel/vm/vm.h kernel/vm/kmem.h kernel/vm/vm_page.h kernel/vm/vm_phys.h
kernel/include/systm.h:
kernel/include/types.h:
kernel/include/bootinfo.h:
kernel/include/errno.h:
kernel/arch/x86_64/include/arch/cpu.h:
kernel/include/param.h:
kernel/arch/x86_64/include/arch/cpufunc.h:
kernel/arch/x86_64/include/arch/segments.h:
kernel/arch/x86_64/include/arch/pmap.h:
kernel/include/spinlock.h:
kernel/vm/vm.h:
kernel/vm/kmem.h:
kernel/vm/vm_page.h:
kernel/vm/vm_phys.h:
