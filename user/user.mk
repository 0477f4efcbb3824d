# User programs and the initrd.  Included by the main Makefile, which
# defines BUILD (and DEPS_STAMP, the tools check) before including it.
#
#   user/bin/NAME.c    -> $(BUILD)/root/bin/NAME
#   user/tests/NAME.c  -> $(BUILD)/root/tests/NAME
#   user/bench/NAME.c  -> $(BUILD)/root/bench/NAME
#   user/root/PATH     -> $(BUILD)/root/PATH        (copied as it is)
#   README.md's first program -> $(BUILD)/root/tests/readme/greet
#
# A directory user/bin/NAME/ (or tests/NAME/, bench/NAME/) makes one
# program NAME of all its .c files, and wins over a file NAME.c beside it.
# Programs are ordinary static Linux programs built with musl-gcc and
# linked with libnative.a (the native-call library: user/lib/*.c plus the
# generated $(USER_NATIVE_S)).  The linked programs, with debug
# information, stay in $(BUILD)/user/obj/DIR/NAME.elf for gdb; the copies
# in $(BUILD)/root, and so in the initrd, are stripped.
#
# Defines: USER_ROOT_FILES (every file placed in $(BUILD)/root), the rule
# for $(BUILD)/initrd.cpio, and the phony target `user`.
# Uses: BUILD; DEPS_STAMP if set; USER_NATIVE_S (the generated stub file,
# default $(BUILD)/user/lib/native_stubs.S; some other rule makes it).

USER_CC := musl-gcc
USER_AR := ar
USER_STRIP := strip
# Warnings are errors, as in the kernel (README.md, "Writing a program"):
# `make USER_WERROR=` leaves them warnings while you experiment.
USER_WERROR ?= -Werror
USER_CFLAGS := -static -O2 -g -Wall -Wextra $(USER_WERROR) \
	-Iuser/include -Ikernel/include/uapi -I$(BUILD)/user/include \
	-idirafter /usr/include/$(shell gcc -print-multiarch) -idirafter /usr/include
USER_NATIVE_S ?= $(BUILD)/user/lib/native_stubs.S

USER_OBJ := $(BUILD)/user/obj
USER_PROGRAM_DIRS := bin tests bench

# ---------------------------------------------------------------------------
# Which programs there are and what they are made of.

# user_programs(dir): the program names in user/<dir>: one for each .c
# file and one for each subdirectory holding .c files, except
# user/tests/lib, the test library.
user_programs = $(filter-out $(if $(filter tests,$(1)),lib),$(sort \
	$(patsubst user/$(1)/%.c,%,$(wildcard user/$(1)/*.c)) \
	$(patsubst user/$(1)/%/,%,$(dir $(wildcard user/$(1)/*/*.c)))))

# user_sources(dir, name): the .c files of program <name> in user/<dir>.
user_sources = $(or $(wildcard user/$(1)/$(2)/*.c),user/$(1)/$(2).c)

# user_objects(dir, name): the object files of that program.
user_objects = $(patsubst user/%.c,$(USER_OBJ)/%.o,$(call user_sources,$(1),$(2)))

USER_LIB := $(BUILD)/user/lib/libnative.a
USER_LIB_OBJS := $(patsubst user/%.c,$(USER_OBJ)/%.o,$(wildcard user/lib/*.c)) \
	$(USER_OBJ)/lib/$(notdir $(USER_NATIVE_S:.S=.o))

# The test library (user/tests/lib: the runner, checks, leak accounting),
# linked into every test program; their sources include its test.h.
USER_TEST_LIB := $(BUILD)/user/lib/libtest.a
USER_TEST_LIB_OBJS := $(patsubst user/%.c,$(USER_OBJ)/%.o,$(wildcard user/tests/lib/*.c))
$(USER_OBJ)/tests/%.o: USER_CFLAGS += -Iuser/tests/lib

# The installed (stripped) programs, e.g. $(BUILD)/root/bin/sh.
USER_BINS := $(foreach d,$(USER_PROGRAM_DIRS), \
	$(patsubst %,$(BUILD)/root/$(d)/%,$(call user_programs,$(d))))

# The static files, e.g. $(BUILD)/root/README.
USER_STATIC_FILES := $(patsubst user/root/%,$(BUILD)/root/%, \
	$(shell find user/root -type f 2>/dev/null))

# Programs for the loader's own tests: hello again as a static PIE
# (ET_DYN), and damaged ELF files that execve must refuse with ENOEXEC.
USER_PIE := $(BUILD)/root/bin/hello-pie
USER_BAD_ELF := $(patsubst %,$(BUILD)/root/tests/elf/%,truncated-header \
	truncated-phdrs bad-machine bad-class dynamic)

# The README's first program (README.md, "Your first program"), cut out
# of the README by tests/readme-test.sh and built as the README says a
# program in user/bin is built, so that make test runs it as shown there.
USER_README := $(BUILD)/root/tests/readme/greet

USER_ROOT_FILES := $(USER_BINS) $(USER_STATIC_FILES) $(USER_PIE) $(USER_BAD_ELF) \
	$(USER_README)

USER_ALL_OBJS := $(USER_LIB_OBJS) $(USER_TEST_LIB_OBJS) $(foreach d,$(USER_PROGRAM_DIRS), \
	$(foreach p,$(call user_programs,$(d)),$(call user_objects,$(d),$(p))))

# ---------------------------------------------------------------------------
# Compiling and linking.

# Fails with a clear message when musl-gcc is missing.  Every user object
# waits for it (order-only, so it never forces a rebuild).
user-cc-check: | $(DEPS_STAMP)
	@command -v $(USER_CC) >/dev/null 2>&1 || { \
		echo "user.mk: $(USER_CC) not found: the user programs need it." >&2; \
		echo "user.mk: it is in the Debian package musl-tools; run" >&2; \
		echo "    bash tests/deps.sh    (or: sudo apt-get install -y musl-tools)" >&2; \
		exit 1; }

# The generated stubs are order-only prerequisites of every object, so
# whatever generates them (and the headers in $(BUILD)/user/include with
# them) runs before the first compile; the .d files track the headers
# after that.
$(USER_OBJ)/%.o: user/%.c | user-cc-check $(USER_NATIVE_S)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(USER_CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(USER_OBJ)/lib/$(notdir $(USER_NATIVE_S:.S=.o)): $(USER_NATIVE_S) | user-cc-check
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(USER_CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(USER_LIB): $(USER_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	@rm -f $@ && $(USER_AR) rcs $@ $^

$(USER_TEST_LIB): $(USER_TEST_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	@rm -f $@ && $(USER_AR) rcs $@ $^

# user_link_rule(dir, name): the rule linking program <name> of user/<dir>
# into $(USER_OBJ)/<dir>/<name>.elf.
# Test programs link the test library too.
define user_link_rule
$(USER_OBJ)/$(1)/$(2).elf: $(call user_objects,$(1),$(2)) $(if $(filter tests,$(1)),$(USER_TEST_LIB)) $(USER_LIB)
	@echo "  LD      $$@"
	@$(USER_CC) $(USER_CFLAGS) -o $$@ $(call user_objects,$(1),$(2)) $(if $(filter tests,$(1)),$(USER_TEST_LIB)) $(USER_LIB)
endef
$(foreach d,$(USER_PROGRAM_DIRS),$(foreach p,$(call user_programs,$(d)), \
	$(eval $(call user_link_rule,$(d),$(p)))))

# Install a stripped copy into the root tree.  (The guards keep an empty
# list from making a rule without targets.)
ifneq ($(USER_BINS),)
$(USER_BINS): $(BUILD)/root/%: $(USER_OBJ)/%.elf
	@mkdir -p $(dir $@)
	@$(USER_STRIP) -o $@ $<
endif

ifneq ($(USER_STATIC_FILES),)
$(USER_STATIC_FILES): $(BUILD)/root/%: user/root/%
	@mkdir -p $(dir $@)
	@cp $< $@
endif

# musl-gcc's -static-pie picks the wrong start file, so link by hand
# with musl's rcrt1.o (the self-relocating start of a static PIE).
USER_MUSL_DIR = $(dir $(shell sed -n 's/.*-specs "*\([^" ]*musl-gcc.specs\).*/\1/p' $$(command -v $(USER_CC))))
$(USER_OBJ)/pie/hello.o: user/bin/hello.c | user-cc-check $(USER_NATIVE_S)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (PIE)"
	@$(USER_CC) $(USER_CFLAGS) -fPIE -c $< -o $@
$(USER_OBJ)/pie/hello-pie.elf: $(USER_OBJ)/pie/hello.o
	@echo "  LD      $@"
	@gcc -static-pie -nostdlib -o $@ $(USER_MUSL_DIR)rcrt1.o \
		$(USER_MUSL_DIR)crti.o $< $(USER_MUSL_DIR)libc.a \
		$$(gcc -print-libgcc-file-name) $(USER_MUSL_DIR)crtn.o
$(USER_PIE): $(USER_OBJ)/pie/hello-pie.elf
	@mkdir -p $(dir $@)
	@$(USER_STRIP) -o $@ $<

# Damaged copies of /bin/hello, executable (else exec is EACCES before
# it reads them).  Offsets are the ELF64 header's: e_ident
# class at 4, e_machine at 18, e_phoff at 32 (program headers at 64).
USER_ELF_BASE := $(BUILD)/root/bin/hello
$(BUILD)/root/tests/elf/truncated-header: $(USER_ELF_BASE)
	@mkdir -p $(dir $@) && head -c 40 $< > $@ && chmod 755 $@
$(BUILD)/root/tests/elf/truncated-phdrs: $(USER_ELF_BASE)
	@mkdir -p $(dir $@) && head -c 100 $< > $@ && chmod 755 $@
$(BUILD)/root/tests/elf/bad-machine: $(USER_ELF_BASE)
	@mkdir -p $(dir $@) && cp $< $@ && \
		printf '\003\000' | dd of=$@ bs=1 seek=18 conv=notrunc status=none
$(BUILD)/root/tests/elf/bad-class: $(USER_ELF_BASE)
	@mkdir -p $(dir $@) && cp $< $@ && \
		printf '\001' | dd of=$@ bs=1 seek=4 conv=notrunc status=none
# A dynamically linked program (it has PT_INTERP), which we do not run.
$(BUILD)/root/tests/elf/dynamic: $(USER_OBJ)/bin/hello.o $(USER_LIB)
	@mkdir -p $(dir $@)
	@$(USER_CC) -O2 -o $@ $< $(USER_LIB)

$(BUILD)/readme/greet.c: README.md tests/readme-test.sh
	@mkdir -p $(dir $@)
	@bash tests/readme-test.sh --program README.md > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@  # README edits elsewhere rebuild nothing
$(USER_OBJ)/readme/greet.elf: $(BUILD)/readme/greet.c $(USER_LIB) | user-cc-check $(USER_NATIVE_S)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (from README.md)"
	@$(USER_CC) $(USER_CFLAGS) -o $@ $< $(USER_LIB)
$(USER_README): $(USER_OBJ)/readme/greet.elf
	@mkdir -p $(dir $@)
	@$(USER_STRIP) -o $@ $<

-include $(USER_ALL_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# The initrd: a newc cpio of exactly USER_ROOT_FILES and their
# directories, names sorted, owned by root.  The files are staged in a
# fresh directory so that a program deleted since the last build (still
# lying in $(BUILD)/root) does not end up in the archive.

USER_STAGE := $(BUILD)/initrd.d

# BusyBox (user/busybox.sh): /bin/busybox and a link for each of its
# applets that has no program of ours at its path.
USER_BUSYBOX := $(BUILD)/busybox/busybox

$(USER_BUSYBOX): user/busybox.sh tests/debpkg.sh | $(DEPS_STAMP)
	@echo "  FETCH   $@"
	@bash user/busybox.sh fetch $@

$(BUILD)/initrd.cpio: $(USER_ROOT_FILES) $(USER_BUSYBOX) user/busybox.sh | $(DEPS_STAMP)
	@echo "  CPIO    $@"
	@rm -rf $(USER_STAGE) && mkdir -p $(USER_STAGE)
	@cd $(BUILD)/root && cp --parents \
		$(patsubst $(BUILD)/root/%,%,$(USER_ROOT_FILES)) $(abspath $(USER_STAGE))
	@mkdir -p $(USER_STAGE)/bin && cp $(USER_BUSYBOX) $(USER_STAGE)/bin/busybox
	@bash user/busybox.sh links $(USER_BUSYBOX) $(USER_STAGE)
	@cd $(USER_STAGE) && find . -mindepth 1 | LC_ALL=C sort | \
		cpio --quiet -o -H newc --owner=0:0 > $(abspath $@).tmp
	@mv $@.tmp $@
	@rm -rf $(USER_STAGE)

user: $(USER_ROOT_FILES)

.PHONY: user user-cc-check
