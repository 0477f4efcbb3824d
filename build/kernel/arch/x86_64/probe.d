build/kernel/arch/x86_64/probe.o: kernel/arch/x86_64/probe.S \
 kernel/include/errno.h kernel/arch/x86_64/include/arch/extable.h
kernel/include/errno.h:
kernel/arch/x86_64/include/arch/extable.h:
