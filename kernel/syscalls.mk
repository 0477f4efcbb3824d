# The files generated from the system call table, kernel/syscalls.master,
# by kernel/gensyscalls.awk.  The main Makefile defines BUILD and includes
# this fragment.
#
#   $(SYSCALL_GEN_H)   numbers and sys_<name> prototypes (kernel)
#   $(SYSCALL_GEN_C)   the dispatch table sysent[] (kernel)
#   $(SYSCALL_GEN_O)   sysent.c compiled with $(KERNEL_CFLAGS)
#   $(USER_NATIVE_H)   SYS_<name> of the native calls (user programs)
#   $(USER_NATIVE_S)   the native calls' user stubs (user programs)
#
#   make syscalls-doc         rewrite docs/syscalls.md (it is committed)
#   make check-syscalls-doc   fail if docs/syscalls.md is not what the
#                             table generates

AWK ?= awk

SYSCALLS_MASTER := kernel/syscalls.master
SYSCALLS_AWK := kernel/gensyscalls.awk
SYSCALLS_DOC := docs/syscalls.md

SYSCALL_GEN_H := $(BUILD)/gen/sysproto.h
SYSCALL_GEN_C := $(BUILD)/gen/sysent.c
SYSCALL_GEN_O := $(BUILD)/gen/sysent.o
USER_NATIVE_H := $(BUILD)/user/include/native_syscall.h
USER_NATIVE_S := $(BUILD)/user/lib/native_stubs.S

# gensyscalls(mode, file): write the generator's output for mode to file,
# replacing file only when the generator succeeds.
gensyscalls = mkdir -p $(dir $(2)) && \
	$(AWK) -v out=$(1) -f $(SYSCALLS_AWK) $(SYSCALLS_MASTER) > $(2).tmp && \
	mv $(2).tmp $(2) || { rm -f $(2).tmp; exit 1; }

$(SYSCALL_GEN_H): $(SYSCALLS_MASTER) $(SYSCALLS_AWK)
	@echo "  GEN     $@"
	@$(call gensyscalls,sysproto.h,$@)

$(SYSCALL_GEN_C): $(SYSCALLS_MASTER) $(SYSCALLS_AWK)
	@echo "  GEN     $@"
	@$(call gensyscalls,sysent.c,$@)

$(USER_NATIVE_H): $(SYSCALLS_MASTER) $(SYSCALLS_AWK)
	@echo "  GEN     $@"
	@$(call gensyscalls,native_syscall.h,$@)

# The header is a prerequisite of the stubs so that a rule waiting for the
# stubs (user/user.mk's compiles do) finds the header made as well.
$(USER_NATIVE_S): $(SYSCALLS_MASTER) $(SYSCALLS_AWK) $(USER_NATIVE_H)
	@echo "  GEN     $@"
	@$(call gensyscalls,native_stubs.S,$@)

# sysent.c finds "sysproto.h" beside itself and <syscall.h> through the
# kernel's include path.
$(SYSCALL_GEN_O): $(SYSCALL_GEN_C) $(SYSCALL_GEN_H)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

-include $(SYSCALL_GEN_O:.o=.d)

syscalls-doc:
	@echo "  GEN     $(SYSCALLS_DOC)"
	@$(call gensyscalls,syscalls.md,$(SYSCALLS_DOC))

check-syscalls-doc:
	@$(call gensyscalls,syscalls.md,$(BUILD)/gen/syscalls.md)
	@cmp -s $(BUILD)/gen/syscalls.md $(SYSCALLS_DOC) || { \
		echo "docs/syscalls.md is out of date: run make syscalls-doc" >&2; \
		exit 1; }

.PHONY: syscalls-doc check-syscalls-doc
