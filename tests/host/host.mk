# Host unit tests: pure kernel code compiled with the host gcc under
# AddressSanitizer and UndefinedBehaviorSanitizer.  Each test_NAME.c is
# linked with tests/host/hostcompat.c and the kernel sources listed in
# NAME_SRCS; the host C library stands in for kernel/lib/string.c and
# kernel/arch/x86_64/string_md.c.
# Included by the top-level Makefile; `make host-test` runs them all.

HOST_TESTS := kformat multiboot2 bootinfo cpio vm_phys kmem vm_map

kformat_SRCS := kernel/lib/kformat.c
multiboot2_SRCS := kernel/multiboot2.c kernel/bootinfo.c
bootinfo_SRCS := kernel/bootinfo.c
cpio_SRCS := kernel/fs/cpio.c
vm_phys_SRCS := kernel/vm/vm_phys.c
kmem_SRCS := kernel/vm/kmem.c kernel/vm/vm_phys.c tests/host/vm_page_host.c
vm_map_SRCS := kernel/vm/vm_map.c tests/host/kmem_host.c
