build/kernel/arch/x86_64/vector.o: kernel/arch/x86_64/vector.S \
 kernel/arch/x86_64/include/arch/frame.h \
 kernel/arch/x86_64/include/arch/segments.h
kernel/arch/x86_64/include/arch/frame.h:
kernel/arch/x86_64/include/arch/segments.h:
