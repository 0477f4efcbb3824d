build/ksyms0.o: build/ksyms0.S
