# Build and test the kernel.  See README.md for the commands a user needs
# and docs/architecture.md for what is built from what.  `make help`
# prints the lines below that start with "##".
#
## Targets (make TARGET [VARIABLE=value ...]):
##   all            (the default) build/kernel.elf, build/initrd.cpio, build/os.iso
##   run            boot in QEMU, console here (Ctrl-a x quits); then say how init ended and exit with its status
##   check          run one test by name: TEST=usertests/NAME, TEST=ktest/NAME, TEST=usertests (`make help-tests` lists the names)
##   check-linux    a user test suite on Linux 6.1 in the same QEMU (TEST=SUITE[/NAME]; CPUS default 2): our expectations against Linux's
##   test           everything (checks, model, host tests, every QEMU suite), JOBS boots at a time; ends "N passed, N failed"
##   fuzz           the usertests fuzzer alone, no time limit: CALLS=N calls (default 1000000) from SEED=N (default: the time)
##   gdb            QEMU stopped before the first instruction, gdb attached with the kernel's symbols (boot/kernel.gdb)
##   debug          QEMU stopped, console here, waiting for gdb on GDB_PORT (attach from another terminal)
##   host-test      only the host unit tests (tests/host/, ASan and UBSan)
##   bench          boot cost and per-operation instruction counts against Linux 6.1 (-icount shift=0), then bench-scale
##   bench-scale    throughput of 2 processes against 1 with 2 CPUs (multi-threaded TCG), ours and Linux 6.1
##   syscalls-doc   regenerate docs/syscalls.md from kernel/syscalls.master
##   check-syscalls-doc  fail if docs/syscalls.md is not what kernel/syscalls.master generates
##   user           only the user programs, in build/root
##   user-cc-check  fail with the package to install if musl-gcc is missing (used by user)
##   help           this list
##   help-tests     the names TEST= takes
##   clean          remove build/
## Variables:
##   MACHINE=q35    QEMU -machine: q35 or pc
##   CPU=max        QEMU -cpu (max, qemu64, ...)
##   MEM=256M       guest memory, 64M to 4G
##   CPUS=1         QEMU -smp
##   MTTCG=1        multi-threaded TCG, a host thread per CPU (-accel tcg,thread=multi); 0: thread=single
##   CMDLINE=       kernel command line for run, debug and gdb (init=PATH, ktest=NAME, seed=N, -- args)
##   QEMU_ARGS=     more QEMU options for every boot
##   TEST=          what check runs (see help-tests)
##   SEED=          seed for TEST=ktest/NAME (seed=N) and TEST=usertests/NAME (-s N), and for fuzz
##   CALLS=         the fuzzer's calls in all for fuzz (usertests -n N)
##   JOBS=          checks (QEMU boots) make test runs at once; default: the number of CPUs
##   QEMU_TIMEOUT=300  seconds a test boot may take before it counts as failed
##   GDB_PORT=1234  TCP port of QEMU's gdb stub for gdb and debug
##   USER_WERROR=-Werror  set it empty to build user programs with warnings as warnings
## Results: build/test-results/ (ID.tap, ID.log per boot or suite, summary.txt);
## a failure prints the make check command that reproduces it.

MEM ?= 256M
CPUS ?= 1
MTTCG ?= 1
MACHINE ?= q35
CPU ?= max
QEMU_ARGS ?=
CMDLINE ?=
TEST ?=
SEED ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
QEMU_TIMEOUT ?= 300
GDB_PORT ?= 1234

# The scripts (boot/qemu.sh, tests/*.sh) read these from the environment.
export MEM CPUS MTTCG MACHINE CPU QEMU_ARGS CMDLINE TEST SEED JOBS QEMU_TIMEOUT GDB_PORT

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
SIZE := size
READELF := readelf

KERNEL_DIRS := kernel kernel/lib kernel/fs kernel/vm kernel/proc kernel/vdso \
	kernel/arch/x86_64
# genassym.c is not linked: it only yields build/gen/assym.h (below).
KERNEL_C := $(filter-out %/genassym.c,$(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c)))
KERNEL_S := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.S))
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) \
	$(patsubst %.S,$(BUILD)/%.o,$(KERNEL_S))

KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-mno-red-zone -mcmodel=kernel -mgeneral-regs-only \
	-fno-common -fno-strict-aliasing \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Ikernel/include -Ikernel -Ikernel/arch/x86_64/include \
	-idirafter /usr/include \
	-idirafter /usr/include/$(shell $(CC) -print-multiarch) -MMD -MP
# The lock checker (kernel/witness.c) is built in; witness=off on the
# command line turns it off at boot (make bench does).
KERNEL_CFLAGS += -DWITNESS
KERNEL_LDFLAGS := -nostdlib -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T linker.ld

include kernel/syscalls.mk
KERNEL_CFLAGS += -I$(BUILD)/gen
$(KERNEL_OBJS): | $(SYSCALL_GEN_H) $(BUILD)/gen/assym.h

# Offsets and flags for the assembly files: each ASSYM NAME VALUE line of
# genassym.c compiled to assembly becomes #define NAME VALUE.  Its .d file
# remakes it when a header it reads changes.
ASSYM_SRC := kernel/arch/x86_64/genassym.c
$(BUILD)/gen/assym.h: $(ASSYM_SRC) | $(SYSCALL_GEN_H) $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  ASSYM   $@"
	@$(CC) $(KERNEL_CFLAGS) -MT $@ -MF $(BUILD)/gen/assym.d -S $< -o $@.s
	@{ echo '/* Generated from $(ASSYM_SRC) by the Makefile. */'; \
	  sed -n 's/^.*ASSYM \([A-Z_0-9]*\) \(-\{0,1\}[0-9][0-9]*\).*$$/#define \1 \2/p' $@.s; } > $@.tmp
	@rm -f $@.s && mv $@.tmp $@
-include $(BUILD)/gen/assym.d

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
# The vDSO (kernel/arch/x86_64/vdso/): user code linked into a shared
# object that the kernel carries (kernel/vdso/vdso_image.S) and maps into
# every program.  It runs wherever it is mapped, so the link fails if it
# needs a relocation or has writable data.

VDSO_DIR := kernel/arch/x86_64/vdso
VDSO_OBJS := $(patsubst $(VDSO_DIR)/%.c,$(BUILD)/vdso/%.o,$(wildcard $(VDSO_DIR)/*.c))
VDSO_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fPIC -fno-stack-protector -fcf-protection=none \
	-fno-common -fno-strict-aliasing \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) -Ikernel \
	-idirafter /usr/include \
	-idirafter /usr/include/$(shell $(CC) -print-multiarch) -MMD -MP
VDSO_LDFLAGS := -nostdlib -shared -Wl,-T,$(VDSO_DIR)/vdso.lds \
	-Wl,-soname=linux-vdso.so.1 -Wl,--hash-style=both -Wl,--eh-frame-hdr \
	-Wl,-Bsymbolic -Wl,--no-undefined -Wl,--build-id=sha1 \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack

$(BUILD)/vdso/%.o: $(VDSO_DIR)/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(VDSO_CFLAGS) -c $< -o $@

# vdso.dbg.so keeps the debug information (gdb: add-symbol-file); the
# kernel carries vdso.so, without it.
$(BUILD)/vdso/vdso.dbg.so: $(VDSO_OBJS) $(VDSO_DIR)/vdso.lds
	@echo "  LD      $@"
	@$(CC) $(VDSO_LDFLAGS) -o $@ $(VDSO_OBJS)
	@if $(READELF) -rW $@ | grep -q "Relocation section"; then \
		echo "vdso: $@ needs relocations:" >&2; $(READELF) -rW $@ >&2; \
		rm -f $@; exit 1; fi
	@if $(SIZE) -A $@ | awk '($$1 == ".data" || $$1 ~ /^\.(got|plt)/) && $$2 > 0 { bad = 1 } END { exit !bad }'; then \
		echo "vdso: $@ has writable data or a GOT/PLT:" >&2; $(SIZE) -A $@ >&2; \
		rm -f $@; exit 1; fi

$(BUILD)/vdso/vdso.so: $(BUILD)/vdso/vdso.dbg.so
	@$(OBJCOPY) -S $< $@

$(BUILD)/kernel/vdso/vdso_image.o: $(BUILD)/vdso/vdso.so
$(BUILD)/kernel/vdso/vdso_image.o: KERNEL_CFLAGS += -DVDSO_IMAGE='"$(BUILD)/vdso/vdso.so"'

-include $(VDSO_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# The initrd: user programs (user/user.mk) and the static files of user/root.

include user/user.mk

# ---------------------------------------------------------------------------
# The ISO.  There is one: boot/grub.cfg takes the kernel command line from
# the SMBIOS OEM string that boot/qemu.sh gives QEMU, so no command line
# needs an ISO of its own.

$(BUILD)/os.iso: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio boot/grub.cfg
	@echo "  ISO     $@"
	@rm -rf $@.d && mkdir -p $@.d/boot/grub
	@cp $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $@.d/boot/
	@cp boot/grub.cfg $@.d/boot/grub/grub.cfg
	@grub-mkrescue -o $@.tmp $@.d 2>$@.log || { cat $@.log; rm -f $@.tmp; exit 1; }
	@mv $@.tmp $@ && rm -rf $@.d
	@rm -f $(BUILD)/cmdline-*.iso $(BUILD)/cmdline-*.iso.cfg # one per command line, before

all: $(BUILD)/kernel.elf $(BUILD)/initrd.cpio $(BUILD)/os.iso

# Booting: boot/qemu.sh, with MACHINE, CPU, MEM, CPUS, QEMU_ARGS, CMDLINE
# and GDB_PORT from the environment.  run exits with init's status, so
# make reports a non-zero status as "Error N" (and exits 2 itself).
run: $(BUILD)/os.iso
	@bash boot/qemu.sh run

debug: $(BUILD)/os.iso
	@bash boot/qemu.sh debug

gdb: $(BUILD)/os.iso
	@bash boot/qemu.sh gdb

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

# docs/syscalls.md as the table generates it, for the abi check.
$(BUILD)/test/syscalls.md: $(SYSCALLS_MASTER) $(SYSCALLS_AWK)
	@$(call gensyscalls,syscalls.md,$@)

# Everything any test needs is a prerequisite here, so the scripts never
# run make themselves.
TEST_NEEDS := all $(HOST_BINS) $(BUILD)/test/syscalls.md
export HOST_BINS

test: $(TEST_NEEDS)
	@bash tests/run-all.sh

# One check needs the ISO, and the host tests or the generated doc only
# when it is one of those.
check: all $(if $(filter host host/%,$(TEST)),$(HOST_BINS)) \
		$(if $(filter abi,$(TEST)),$(BUILD)/test/syscalls.md)
	@SUMMARY=1 bash tests/check.sh "$(TEST)"

# A suite on Linux 6.1 (tests/linux-suite.sh); native tests skip there.
check-linux: all
	@CPUS=$(if $(filter file,$(origin CPUS)),2,$(CPUS)) \
		bash tests/linux-suite.sh $(firstword $(subst /, ,$(TEST))) $(word 2,$(subst /, ,$(TEST)))

help-tests: all
	@bash tests/check.sh --list

# Benchmarks (instruction counts under -icount shift=0, never timed tests).
# The boot cost, then user/bench/bench on our kernel and on Debian's
# Linux 6.1 in the same QEMU (tests/bench.sh fetches it with apt-get).
bench: all
	@bash tests/bench.sh $(BUILD)/os.iso $(BUILD)/root/bench/bench

# The scaling with CPUs alone (the last part of bench): wall time under
# multi-threaded TCG, 1 process against 2, ours and Linux in one run.
bench-scale: all
	@bash tests/bench-scale.sh $(BUILD)/os.iso $(BUILD)/root/bench/bench

help:
	@sed -n 's/^## \{0,1\}//p' Makefile

clean:
	rm -rf $(BUILD)

.PHONY: all run debug gdb check check-linux test help-tests host-test clean bench bench-scale help
.DEFAULT_GOAL := all

# make fuzz [SEED=N] [CALLS=N]: the usertests fuzzer alone, CALLS calls in
# all (default 1000000) from SEED (default: the time; the run prints it),
# with no time limit; as for make run, MEM= and the rest apply.
fuzz: all
	@$(MAKE) -s run CMDLINE='init=/bin/init -- /tests/usertests -t 0 -s $(or $(SEED),$(shell date +%s)) -n $(or $(CALLS),1000000) fuzz'
.PHONY: fuzz
