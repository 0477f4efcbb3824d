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

# Path lookup and tmpfs's directories (kernel/fs/vfs.c, tmpfs.c), built
# unchanged: tests/host/vfs_host.h is included first (the file-type bits
# glibc's headers hide, and curlwp), and the arch headers are on the
# path for proc.h.  Its own rule for those two flags.
HOST_TESTS += vfs
vfs_SRCS := kernel/fs/vfs.c kernel/fs/tmpfs.c kernel/vm/vm_object.c tests/host/vfs_host.c \
	tests/host/kmem_host.c tests/host/vm_page_host.c kernel/vm/vm_phys.c

$(BUILD)/host/test_vfs: tests/host/test_vfs.c tests/host/hostcompat.c \
		tests/host/tap.h tests/host/vfs_host.h $(vfs_SRCS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -include tests/host/vfs_host.h \
		-Ikernel/arch/x86_64/include -o $@ $< tests/host/hostcompat.c \
		$(vfs_SRCS)
