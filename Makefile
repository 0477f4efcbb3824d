# Build and test the kernel.  See README.md for the commands a user needs
# and docs/architecture.md for what is built from what.
#
#   make          build/kernel.elf, build/initrd.cpio, build/os.iso
#   make run      boot the ISO in QEMU, serial console on this terminal
#   make test     host unit tests, then every in-QEMU suite; one summary line
#   make debug    boot QEMU stopped, waiting for gdb (see boot/kernel.gdb)
#   make clean
#
# Variables: MEM= (QEMU memory, default 256M), CPUS= (default 1),
# MACHINE= (q35 or pc), CPU= (QEMU -cpu, default max), QEMU_ARGS= (more
# QEMU arguments), CMDLINE= (kernel command line for run/debug).

MEM ?= 256M
CPUS ?= 1
MACHINE ?= q35
CPU ?= max
QEMU_ARGS ?=
CMDLINE ?=

BUILD := build
SHELL := /bin/bash

# ---------------------------------------------------------------------------
# Tools.  When one is missing, tests/deps.sh installs it with apt-get (as
# root) or prints the exact apt-get command to run.

DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP): tests/deps.sh
	@mkdir -p $(BUILD)
	@bash tests/deps.sh
	@touch $@

# ---------------------------------------------------------------------------
# The kernel.

CC := gcc
LD := ld
OBJCOPY := objcopy
NM := nm

KERNEL_DIRS := kernel kernel/lib kernel/fs kernel/vm kernel/proc kernel/arch/x86_64
KERNEL_C := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c))
KERNEL_S := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.S))
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) \
	$(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S))

KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-mno-red-zone -mcmodel=kernel -mno-mmx -mno-sse -mno-sse2 -mno-avx \
	-fno-common -fno-strict-aliasing \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Ikernel/include -Ikernel -Ikernel/arch/x86_64/include \
	-idirafter /usr/include \
	-idirafter /usr/include/$(shell $(CC) -print-multiarch) -MMD -MP
KERNEL_LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T linker.ld

include kernel/syscalls.mk
KERNEL_CFLAGS += -I$(BUILD)/gen
$(KERNEL_OBJS): | $(SYSCALL_GEN_H)

$(BUILD)/kernel/%.o: kernel/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: kernel/%.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# Two link passes: the first links an empty symbol table, the table made
# from its symbols is linked into the second.  The .ksyms section is the
# last thing in the image, so no other address moves between the passes.
$(BUILD)/ksyms0.S:
	@mkdir -p $(BUILD)
	printf '\t.section .ksyms, "a"\n\t.globl ksyms_count\nksyms_count: .quad 0\n\t.globl ksyms_table\nksyms_table:\n\t.globl ksyms_names\nksyms_names: .byte 0\n' > $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(SYSCALL_GEN_O) $(BUILD)/ksyms0.o linker.ld
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(SYSCALL_GEN_O) $(BUILD)/ksyms0.o

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf kernel/genksyms.sh
	@bash kernel/genksyms.sh $< > $@

$(BUILD)/%.o: $(BUILD)/%.S
	@echo "  AS      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(SYSCALL_GEN_O) $(BUILD)/ksyms.o linker.ld
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(SYSCALL_GEN_O) $(BUILD)/ksyms.o
	@bash kernel/genksyms.sh --check $(BUILD)/kernel.pass1.elf $@

-include $(KERNEL_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# The initrd: user programs (user/user.mk) and the static files of user/root.

include user/user.mk

# ---------------------------------------------------------------------------
# The ISO.

# iso_image(iso, grub.cfg): an ISO with the kernel, the initrd and a config.
define iso_image
	rm -rf $(1).d && mkdir -p $(1).d/boot/grub
	cp $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(1).d/boot/
	cp $(2) $(1).d/boot/grub/grub.cfg
	grub-mkrescue -o $(1) $(1).d 2>$(1).log || { cat $(1).log; exit 1; }
	rm -rf $(1).d
endef

$(BUILD)/os.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio boot/grub.cfg
	$(call iso_image,$@,boot/grub.cfg)

# An ISO whose kernel command line is $(CMDLINE), for run, debug and tests.
# The file name carries a hash of the line so each line gets its own ISO.
cmdline_iso = $(BUILD)/cmdline-$(shell printf '%s' '$(1)' | md5sum | cut -c1-12).iso
$(BUILD)/cmdline-%.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio boot/grub.cfg
	sed 's|^\(\s*multiboot2 /boot/kernel.elf\).*|\1 $(CMDLINE_FOR_ISO)|' boot/grub.cfg > $@.cfg
	$(call iso_image,$@,$@.cfg)

ifeq ($(strip $(CMDLINE)),)
RUN_ISO := $(BUILD)/os.iso
else
RUN_ISO := $(call cmdline_iso,$(CMDLINE))
$(RUN_ISO): CMDLINE_FOR_ISO := $(CMDLINE)
endif

# Build the ISO for $(CMDLINE) and print its path (used by the tests).
iso-path: $(RUN_ISO)
	@echo $(RUN_ISO)

all: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BUILD)/os.iso

QEMU := qemu-system-x86_64
QEMU_BASE = -machine $(MACHINE) -cpu $(CPU) -m $(MEM) -smp $(CPUS) \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04

# QEMU leaves with 2*s+1 when the kernel exits with status s
# (isa-debug-exit): report s, so a clean halt is success.
run: $(RUN_ISO)
	@$(QEMU) $(QEMU_BASE) -cdrom $(RUN_ISO) -serial mon:stdio -display none $(QEMU_ARGS); \
	st=$$?; exit $$(( st % 2 ? (st - 1) / 2 : st ))

debug: $(RUN_ISO)
	@echo "QEMU waits for gdb on localhost:1234. In another terminal:"
	@echo "    gdb -x boot/kernel.gdb"
	$(QEMU) $(QEMU_BASE) -cdrom $(RUN_ISO) -serial mon:stdio -display none -s -S $(QEMU_ARGS)

# ---------------------------------------------------------------------------
# Tests.

include tests/host/host.mk

HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Ikernel/include -Ikernel -Itests/host -DHOST_TEST

.SECONDEXPANSION:
$(BUILD)/host/test_%: tests/host/test_%.c tests/host/hostcompat.c tests/host/tap.h $$($$*_SRCS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< tests/host/hostcompat.c $($*_SRCS)

HOST_BINS := $(patsubst %,$(BUILD)/host/test_%,$(HOST_TESTS))

host-test: $(HOST_BINS)
	@bash tests/run-host.sh $(HOST_BINS)

test: all $(HOST_BINS)
	@bash tests/run-all.sh

# Benchmarks (instruction counts under -icount shift=0, never timed tests).
# The boot cost, then user/bench/bench on our kernel and on Debian's
# Linux 6.1 in the same QEMU (tests/bench.sh fetches it with apt-get).
# The boot count uses an init that exits at once (/bin/true).
bench: all
	@bash tests/bench.sh "$$($(MAKE) -s iso-path CMDLINE='init=/bin/true' | tail -n 1)" $(BUILD)/root/bench/bench

clean:
	rm -rf $(BUILD)

.PHONY: all run debug test host-test clean iso-path bench
.DEFAULT_GOAL := all
