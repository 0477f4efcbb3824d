build/kernel/arch/x86_64/boot.o: kernel/arch/x86_64/boot.S \
 kernel/include/param.h kernel/arch/x86_64/include/arch/segments.h
kernel/include/param.h:
kernel/arch/x86_64/include/arch/segments.h:
