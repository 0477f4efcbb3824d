# Generate the system call files from kernel/syscalls.master.
#
#   awk -v out=MODE -f kernel/gensyscalls.awk kernel/syscalls.master > FILE
#
# MODE names the file written to standard output:
#
#   sysproto.h        SYS_<name> for every call, SYS_MAXSYSCALL, and the
#                     prototype long sys_<name>(...) of every STD call
#   sysent.c          the kernel's dispatch table sysent[] and, for every STD
#                     call, the wrapper that takes its arguments from the
#                     trap frame
#   native_syscall.h  SYS_<name> for the NATIVE calls (user programs)
#   native_stubs.S    the user stub of every NATIVE call
#   syscalls.md       the reference page (docs/syscalls.md)
#
# The format of the master is described at its top.  The whole file is
# read and checked before anything is written: on any error the script
# prints "FILE:LINE: message" lines on standard error, writes nothing and
# exits with status 1.  POSIX awk only (mawk, gawk, the one true awk).

BEGIN {
	FS = "\t"
	GENERATED = "Generated from kernel/syscalls.master by kernel/gensyscalls.awk"
	modes = " sysproto.h sysent.c native_syscall.h native_stubs.S syscalls.md "
	if (out == "" || index(modes, " " out " ") == 0) {
		print "gensyscalls.awk: -v out= must be one of:" modes | "cat 1>&2"
		badmode = 1
		exit 1
	}

	# The registers that carry arguments 1 to 6 (ABI.md section 2).
	split("tf->tf_rdi tf->tf_rsi tf->tf_rdx tf->tf_r10 tf->tf_r8 tf->tf_r9", reg, " ")

	# Every errno a call may document: Linux's values (ABI.md section 2).
	add_errno("EPERM", 1, "operation not permitted")
	add_errno("ENOENT", 2, "no such file or directory; no such vmspace")
	add_errno("ESRCH", 3, "no such process or LWP")
	add_errno("EINTR", 4, "interrupted")
	add_errno("EIO", 5, "input/output error; a background read of the terminal")
	add_errno("ENXIO", 6, "no such device: no controlling terminal")
	add_errno("E2BIG", 7, "argument list too long")
	add_errno("ENOEXEC", 8, "not an executable this kernel runs")
	add_errno("EBADF", 9, "bad file descriptor")
	add_errno("ECHILD", 10, "no such child process")
	add_errno("EAGAIN", 11, "a limit is reached; try again later")
	add_errno("ENOMEM", 12, "out of memory or address space")
	add_errno("EACCES", 13, "permission denied")
	add_errno("EFAULT", 14, "bad user address")
	add_errno("EBUSY", 16, "in use")
	add_errno("EEXIST", 17, "already exists")
	add_errno("EXDEV", 18, "a link across file systems")
	add_errno("ENODEV", 19, "no such device: an unknown file system type; the operation does not apply to this kind of file; a file that cannot be mapped")
	add_errno("ENOTDIR", 20, "not a directory")
	add_errno("EISDIR", 21, "is a directory")
	add_errno("EINVAL", 22, "invalid argument")
	add_errno("EMFILE", 24, "too many open files in the process")
	add_errno("ENOTTY", 25, "not a terminal; unknown ioctl request")
	add_errno("ETXTBSY", 26, "a running program's file: not writable")
	add_errno("EFBIG", 27, "file too large")
	add_errno("ENOSPC", 28, "no space left on the file system")
	add_errno("ESPIPE", 29, "not seekable")
	add_errno("EROFS", 30, "read-only file system")
	add_errno("EPIPE", 32, "pipe has no reader")
	add_errno("ERANGE", 34, "result does not fit")
	add_errno("EDEADLK", 35, "would wait for itself")
	add_errno("ENAMETOOLONG", 36, "path name too long")
	add_errno("ENOLCK", 37, "no locks available")
	add_errno("ENOSYS", 38, "no such system call, or not implemented")
	add_errno("ENOTEMPTY", 39, "directory not empty")
	add_errno("ELOOP", 40, "too many symbolic links")
	add_errno("EOVERFLOW", 75, "value too large for its type")
	add_errno("EOPNOTSUPP", 95, "operation not supported")
	add_errno("ETIMEDOUT", 110, "the time limit passed")
}

function add_errno(e, value, meaning)
{
	errno_value[e] = value
	errno_meaning[e] = meaning
	errno_name[++nerrno] = e
}

# Report an error at line `line` of the master.
function fail_at(line, msg)
{
	printf "%s:%d: %s\n", FILENAME, line, msg | "cat 1>&2"
	failed = 1
}

function fail(msg)
{
	fail_at(FNR, msg)
}

function trim(s)
{
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# ---------------------------------------------------------------------------
# Reading the master.

/^;/ || /^[ \t]*$/ {
	next
}

/^[0-9]/ {
	parse_declaration()
	next
}

/^\t/ {
	parse_doc_line()
	next
}

{
	fail("neither a declaration, a documentation line nor a comment")
}

# A declaration: nr, name and class separated by TABs (empty fields from
# extra TABs are skipped), then the C declaration in braces.
function parse_declaration(    field, nf, k, decl)
{
	nf = 0
	decl = ""
	for (k = 1; k <= NF; k++) {
		if ($k == "")
			continue
		if (nf < 3)
			field[++nf] = $k
		else
			decl = decl " " $k
	}
	decl = trim(decl)
	if (nf < 3 || decl == "") {
		fail("a declaration is: nr TAB name TAB class TAB { declaration; }")
		return
	}

	n++
	line_of[n] = FNR
	nr[n] = field[1]
	name[n] = field[2]
	parse_class(n, field[3])
	last_kind = ""

	if (nr[n] !~ /^[0-9]+$/)
		fail("the number must be decimal: " nr[n])
	nr[n] += 0
	if (n > 1 && nr[n] <= nr[n - 1])
		fail("number " nr[n] " does not follow " nr[n - 1] ": keep the table in increasing order")
	if (name[n] !~ /^[a-z_][a-z0-9_]*$/)
		fail("bad name: " name[n])
	if (name[n] in index_of)
		fail(name[n] " is declared twice")
	index_of[name[n]] = n

	parse_prototype(n, decl)
	if (light[n] && nargs[n] != 0)
		fail("a LIGHT call takes no arguments: " name[n])
}

function parse_class(i, class,    part, np, k)
{
	np = split(class, part, "|")
	if (part[1] == "STD")
		unimpl[i] = 0
	else if (part[1] == "UNIMPL")
		unimpl[i] = 1
	else
		fail("the class must start with STD or UNIMPL: " class)
	native[i] = 0
	light[i] = 0
	for (k = 2; k <= np; k++) {
		if (part[k] == "NATIVE")
			native[i] = 1
		else if (part[k] == "LIGHT")
			light[i] = 1
		else
			fail("unknown class flag " part[k])
	}
	if (light[i] && unimpl[i])
		fail("a LIGHT call must be STD")
}

# "{ rettype name(type arg, ...); }": sets rettype[i], nargs[i], and for
# each argument j argtype[i, j] and argname[i, j].
function parse_prototype(i, decl,    open, head, args, a, k, t)
{
	if (decl !~ /^\{.*\}$/) {
		fail("the declaration must be in braces: " decl)
		return
	}
	decl = trim(substr(decl, 2, length(decl) - 2))
	sub(/;$/, "", decl)
	decl = trim(decl)
	open = index(decl, "(")
	if (open == 0 || decl !~ /\)$/) {
		fail("not a function declaration: " decl)
		return
	}
	head = trim(substr(decl, 1, open - 1))
	args = trim(substr(decl, open + 1, length(decl) - open - 1))

	if (!match(head, /[A-Za-z_][A-Za-z0-9_]*$/) || substr(head, RSTART) != name[i]) {
		fail("the declaration does not declare " name[i] ": " decl)
		return
	}
	rettype[i] = trim(substr(head, 1, RSTART - 1))
	if (rettype[i] == "")
		fail("no return type: " decl)

	nargs[i] = 0
	if (args == "void")
		return
	nargs[i] = split(args, a, ",")
	if (nargs[i] > 7)
		fail(name[i] " has " nargs[i] " arguments; at most 7 can be passed")
	for (k = 1; k <= nargs[i]; k++) {
		t = trim(a[k])
		if (!match(t, /[A-Za-z_][A-Za-z0-9_]*$/) || RSTART == 1) {
			fail("argument " k " needs a type and a name: " t)
			continue
		}
		argname[i, k] = substr(t, RSTART)
		argtype[i, k] = trim(substr(t, 1, RSTART - 1))
		if (argtype[i, k] ~ /[\[\]()]/)
			fail("argument " k ": only plain and pointer types: " t)
	}
}

# A documentation line: TAB keyword: text, or TAB TAB continuation.
function parse_doc_line(    line, key, kw, kname, text, k)
{
	if (n == 0) {
		fail("documentation before the first declaration")
		return
	}
	if ($0 ~ /^\t\t/) {
		text = trim($0)
		if (last_kind == "")
			fail("a continuation line (two TABs) with nothing to continue")
		else
			append_text(last_kind, last_key, text)
		return
	}

	line = substr($0, 2)
	if (!match(line, /^[a-z]+( [A-Za-z0-9_]+)?:/)) {
		fail("a documentation line is TAB keyword: text")
		return
	}
	key = substr(line, 1, RLENGTH - 1)
	text = trim(substr(line, RLENGTH + 1))
	kw = key
	kname = ""
	if (index(key, " ") > 0) {
		kw = substr(key, 1, index(key, " ") - 1)
		kname = substr(key, index(key, " ") + 1)
	}

	if (kw == "doc" && kname == "") {
		if (text == "") {
			# An empty doc line ends the paragraph.
			if (doc[n] != "" && doc[n] !~ /\n$/)
				doc[n] = doc[n] "\n"
			last_kind = ""
			return
		}
		last_kind = "doc"
		last_key = n
	} else if (kw == "status" && kname == "") {
		# Optional: "partial: what is missing" for a call that does only
		# part of what Linux's does (the contents table shows it).
		if (n in partial_doc)
			fail("status: given twice")
		if (text !~ /^partial: ./) {
			fail("status: the text is \"partial: \" and what is missing")
			return
		}
		if (unimpl[n])
			fail("status: an UNIMPL call is not partial")
		partial_doc[n] = substr(text, 10)
		last_kind = "status"
		last_key = n
		return
	} else if (kw == "returns" && kname == "") {
		if (n in returns_doc)
			fail("returns: given twice")
		last_kind = "returns"
		last_key = n
	} else if (kw == "arg" && kname != "") {
		for (k = 1; k <= nargs[n]; k++)
			if (argname[n, k] == kname)
				break
		if (k > nargs[n]) {
			fail(name[n] " has no argument " kname)
			return
		}
		if ((n, k) in arg_doc)
			fail("argument " kname " documented twice")
		last_kind = "arg"
		last_key = n SUBSEP k
	} else if (kw == "error" && kname != "") {
		if (!(kname in errno_value)) {
			fail("unknown errno " kname " (known ones are listed in gensyscalls.awk)")
			return
		}
		for (k = 1; k <= nerr[n]; k++)
			if (err_name[n, k] == kname)
				fail(kname " documented twice: give all its cases in one line")
		k = ++nerr[n]
		err_name[n, k] = kname
		last_kind = "error"
		last_key = n SUBSEP k
	} else {
		fail("unknown documentation keyword: " key)
		return
	}
	if (text == "")
		fail(key ": the text is missing")
	append_text(last_kind, last_key, text)
}

# Add text to one item; words are joined with a space, paragraphs of the
# description with a newline.
function append_text(kind, key, text)
{
	if (kind == "doc") {
		if (doc[key] == "" || doc[key] ~ /\n$/)
			doc[key] = doc[key] text
		else
			doc[key] = doc[key] " " text
	} else if (kind == "returns") {
		returns_doc[key] = join_words(returns_doc[key], text)
	} else if (kind == "status") {
		partial_doc[key] = join_words(partial_doc[key], text)
	} else if (kind == "arg") {
		arg_doc[key] = join_words(arg_doc[key], text)
	} else {
		err_text[key] = join_words(err_text[key], text)
	}
}

function join_words(a, b)
{
	return a == "" ? b : a " " b
}

# Every entry must be fully documented.
function check_entries(    i, k, has_enosys)
{
	if (n == 0)
		fail_at(FNR, "no system calls")
	for (i = 1; i <= n; i++) {
		if (doc[i] == "")
			fail_at(line_of[i], name[i] ": no doc: line")
		for (k = 1; k <= nargs[i]; k++)
			if (!((i, k) in arg_doc))
				fail_at(line_of[i], name[i] ": argument " argname[i, k] " is not documented")
		if (!(i in returns_doc))
			fail_at(line_of[i], name[i] ": no returns: line")
		has_enosys = 0
		for (k = 1; k <= nerr[i]; k++)
			if (err_name[i, k] == "ENOSYS")
				has_enosys = 1
		if (unimpl[i] && !has_enosys)
			fail_at(line_of[i], name[i] ": an UNIMPL call must document ENOSYS")
	}
}

# ---------------------------------------------------------------------------
# Helpers for the outputs.

# "type name" as C writes it: no space between a '*' and the name.
function c_arg(i, k)
{
	if (argtype[i, k] ~ /\*$/)
		return argtype[i, k] argname[i, k]
	return argtype[i, k] " " argname[i, k]
}

function c_args(i,    k, s)
{
	if (nargs[i] == 0)
		return "void"
	s = c_arg(i, 1)
	for (k = 2; k <= nargs[i]; k++)
		s = s ", " c_arg(i, k)
	return s
}

# The user's view of the call, as declared in the master.
function c_declaration(i,    r)
{
	r = rettype[i]
	return r (r ~ /\*$/ ? "" : " ") name[i] "(" c_args(i) ")"
}

# Print `head` followed by the comma-separated words piece[1..np] and
# `tail`, wrapped before 80 columns with a 4-space continuation (style(9)).
function print_wrapped(head, piece, np, tail,    line, k, word, width)
{
	line = head
	for (k = 1; k <= np; k++) {
		word = piece[k] (k < np ? "," : tail)
		# A leading tab counts as 8 columns.
		width = length(line) + (line ~ /^\t/ ? 7 : 0) + 1 + length(word)
		if (k > 1 && width > 79) {
			print line
			line = (head ~ /^\t/ ? "\t    " : "    ") word
		} else {
			line = line (k > 1 ? " " : "") word
		}
	}
	if (np == 0)
		line = line tail
	print line
}

# Wrap Markdown text to 76 columns; `first` starts the first line and
# `rest` the others.
function print_text(text, first, rest,    word, nw, k, line, lead)
{
	nw = split(text, word, " ")
	line = ""
	lead = first
	for (k = 1; k <= nw; k++) {
		if (line != "" && length(lead line " " word[k]) > 76) {
			print lead line
			lead = rest
			line = ""
		}
		line = line == "" ? word[k] : line " " word[k]
	}
	print lead line
}

function capitalize(s)
{
	return toupper(substr(s, 1, 1)) substr(s, 2)
}

# A Markdown table cell: single spaces, the column separator escaped.
function cell(s,    r, k, c)
{
	gsub(/  +/, " ", s)
	r = ""
	for (k = 1; k <= length(s); k++) {
		c = substr(s, k, 1)
		r = r (c == "|" ? "\\|" : c)
	}
	return r
}

# ---------------------------------------------------------------------------
# Outputs.

function gen_sysproto(    i, k, t, seen, nstruct, sname, s, piece)
{
	print "/* " GENERATED ": do not edit. */"
	print ""
	print "/*"
	print " * System call numbers and the kernel's handlers.  The handler of call"
	print " * <name> is sys_<name>: it takes the arguments as the table declares them"
	print " * and returns the result or -errno.  Calls marked UNIMPL in the table have"
	print " * a number but no handler yet."
	print " */"
	print "#ifndef _SYSPROTO_H_"
	print "#define _SYSPROTO_H_"
	print ""
	print "#include <syscall.h> /* SYSCALL_LIGHT */"
	print ""

	# Forward declarations of every struct the arguments name.
	nstruct = 0
	for (i = 1; i <= n; i++) {
		for (k = 1; k <= nargs[i]; k++) {
			t = argtype[i, k]
			while (match(t, /struct[ \t]+[A-Za-z_][A-Za-z0-9_]*/)) {
				s = substr(t, RSTART, RLENGTH)
				sub(/^struct[ \t]+/, "", s)
				if (!(s in seen)) {
					seen[s] = 1
					sname[++nstruct] = s
				}
				t = substr(t, RSTART + RLENGTH)
			}
		}
	}
	for (k = 1; k <= nstruct; k++)
		print "struct " sname[k] ";"
	if (nstruct > 0)
		print ""

	for (i = 1; i <= n; i++)
		print "#define SYS_" name[i] " " nr[i]
	print "#define SYS_MAXSYSCALL " (nr[n] + 1)
	print ""

	for (i = 1; i <= n; i++) {
		if (unimpl[i])
			continue
		if (nargs[i] == 0)
			piece[1] = "void"
		for (k = 1; k <= nargs[i]; k++)
			piece[k] = c_arg(i, k)
		print_wrapped("long sys_" name[i] "(", piece, nargs[i] > 0 ? nargs[i] : 1,
		    light[i] ? ") SYSCALL_LIGHT;" : ");")
	}
	print ""
	print "#endif /* !_SYSPROTO_H_ */"
}

# The C expression for argument k of call i: register k, or the 7th
# argument fetched into a7, converted to the declared type.
function arg_from_frame(i, k,    src, t)
{
	src = k <= 6 ? reg[k] : "a7"
	t = argtype[i, k]
	if (t ~ /\*$/)
		return "(" t ")(uintptr_t)" src
	return "(" t ")" src
}

function gen_sysent(    i, k, piece)
{
	print "/* " GENERATED ": do not edit. */"
	print ""
	print "/*"
	print " * The system call table.  sysent[nr] names call nr; its sy_call takes the"
	print " * arguments from the trap frame (rdi, rsi, rdx, r10, r8, r9, then the 7th"
	print " * from the user stack at 8(%rsp)), converts them to the declared types and"
	print " * calls sys_<name>.  A NULL sy_call marks a call that is in the table but"
	print " * not implemented: the dispatcher returns -ENOSYS for it, as for a number"
	print " * beyond the table or with no entry."
	print " */"
	print "#include <syscall.h>"
	print ""
	print "#include \"sysproto.h\""

	for (i = 1; i <= n; i++) {
		if (unimpl[i])
			continue
		print ""
		print "static long"
		print "sysent_" name[i] "(struct trapframe *tf)"
		print "{"
		if (nargs[i] == 0) {
			print "\t(void)tf;"
		} else if (nargs[i] == 7) {
			print "\tuint64_t a7;"
			print "\tint error;"
			print ""
			print "\terror = syscall_arg7(tf, &a7);"
			print "\tif (error != 0)"
			print "\t\treturn error;"
		}
		for (k = 1; k <= nargs[i]; k++)
			piece[k] = arg_from_frame(i, k)
		print_wrapped("\treturn sys_" name[i] "(", piece, nargs[i], ");")
		print "}"
	}

	print ""
	print "const struct sysent sysent[SYS_MAXSYSCALL] = {"
	for (i = 1; i <= n; i++)
		printf "\t[SYS_%s] = { \"%s\", %d, %s, %s },\n", name[i], name[i],
		    nargs[i], unimpl[i] ? "NULL" : "sysent_" name[i],
		    light[i] ? "sys_" name[i] : "NULL"
	print "};"
	print ""
	print "const unsigned nsysent = SYS_MAXSYSCALL;"
}

function gen_native_h(    i)
{
	print "/* " GENERATED ": do not edit. */"
	print ""
	print "/*"
	print " * Numbers of the native system calls (ABI.md section 4).  The numbers of"
	print " * the Linux-compatible calls come from musl's <sys/syscall.h>."
	print " */"
	print "#ifndef _NATIVE_SYSCALL_H_"
	print "#define _NATIVE_SYSCALL_H_"
	print ""
	for (i = 1; i <= n; i++)
		if (native[i])
			print "#define SYS_" name[i] " " nr[i]
	print ""
	print "#endif /* !_NATIVE_SYSCALL_H_ */"
}

function gen_native_s(    i)
{
	print "/* " GENERATED ": do not edit. */"
	print ""
	print "/*"
	print " * User stubs of the native system calls, declared in user/include/native.h."
	print " * Each is called as a C function: the arguments arrive in rdi, rsi, rdx,"
	print " * rcx, r8, r9, and a 7th at 8(%rsp).  The stub moves rcx to r10 (syscall"
	print " * overwrites rcx), traps, and tail-jumps with the result in rdi to"
	print " * __native_ret (user/lib/native.c), which sets errno; the stack is never"
	print " * touched, so the kernel finds the 7th argument at 8(%rsp) (ABI.md"
	print " * section 2)."
	print " */"
	print ""
	print "\t.text"
	for (i = 1; i <= n; i++) {
		if (!native[i])
			continue
		print ""
		print "\t.globl " name[i]
		print "\t.type " name[i] ", @function"
		print "\t.p2align 4"
		print name[i] ":"
		print "\t.cfi_startproc"
		print "\tmovq %rcx, %r10"
		print "\tmovl $" nr[i] ", %eax"
		print "\tsyscall"
		print "\tmovq %rax, %rdi"
		print "\tjmp __native_ret"
		print "\t.cfi_endproc"
		print "\t.size " name[i] ", . - " name[i]
	}
	print ""
	print "\t.section .note.GNU-stack,\"\",@progbits"
}

function status_of(i)
{
	if (unimpl[i])
		return "not yet implemented: returns `-ENOSYS`"
	if (i in partial_doc)
		return "partly implemented: " partial_doc[i]
	return "implemented"
}

# The status column of the contents table.
function status_cell(i)
{
	if (unimpl[i])
		return "not yet implemented (`ENOSYS`)"
	if (i in partial_doc)
		return "partial: " cell(partial_doc[i])
	return "implemented"
}

function gen_doc(    i, k, p, np, para, e, nimpl, npart, nun)
{
	print "<!-- " GENERATED "; edit those and run `make syscalls-doc`. -->"
	print ""
	print "# System calls"
	print ""
	print_text("This page is the reference for every system call of the kernel. It is generated from `kernel/syscalls.master`, the one table that also gives the kernel its dispatch table and user programs the native calls' numbers and stubs. `ABI.md` is the contract; this page follows it call by call.", "", "")
	print ""
	print "## Calling convention"
	print ""
	print_text("A program executes `syscall` with the call's number in `rax` and the arguments in `rdi`, `rsi`, `rdx`, `r10`, `r8` and `r9`. The one call with a 7th argument, `vmspace_mmap`, passes it on the caller's stack at `8(%rsp)`, as in the BSD x86_64 convention: the system call stub is a called function, so `0(%rsp)` holds its return address.", "", "")
	print ""
	print_text("The result comes back in `rax`: a value in `[-4095, -1]` is `-errno`, anything else is success. `rcx` and `r11` are clobbered; every other register is preserved. An unknown number, and a call that is in the table but not implemented yet, returns `-ENOSYS`. A bad user pointer returns `-EFAULT` and changes nothing else.", "", "")
	print ""
	print_text("The Linux-compatible calls have Linux x86_64's numbers, arguments, flags, errno values and structure layouts, so that programs built with `musl-gcc -static` run unmodified; musl's `<sys/syscall.h>` names them. The native calls have DragonFly BSD's numbers and semantics, or private numbers from 1000 up. User programs reach them through `user/include/native.h`, whose functions return -1 and set `errno` on failure like libc's; `SYS_<name>` for them is in the generated `native_syscall.h`.", "", "")
	print ""
	print "## Contents"
	print ""
	nimpl = npart = nun = 0
	for (i = 1; i <= n; i++) {
		if (unimpl[i])
			nun++
		else if (i in partial_doc)
			npart++
		else
			nimpl++
	}
	print_text(n " calls: " nimpl " implemented, " npart " partly implemented (the status says what is missing), " nun " in the table but not implemented yet (they return `-ENOSYS`). Any other number returns `-ENOSYS` too.", "", "")
	print ""
	print "| nr | call | family | status |"
	print "| ---: | --- | --- | --- |"
	for (i = 1; i <= n; i++)
		printf "| %d | [`%s`](#%s) | %s | %s |\n", nr[i], name[i], name[i],
		    native[i] ? "native" : "Linux", status_cell(i)
	print ""
	print "## Error numbers"
	print ""
	print "| errno | value | meaning |"
	print "| --- | ---: | --- |"
	for (k = 1; k <= nerrno; k++) {
		e = errno_name[k]
		printf "| `%s` | %d | %s |\n", e, errno_value[e], cell(errno_meaning[e])
	}

	for (i = 1; i <= n; i++) {
		print ""
		print "## " name[i]
		print ""
		print "```c"
		print c_declaration(i) ";"
		print "```"
		print ""
		print "Number " nr[i] ", " (native[i] ? "native (ABI.md section 4)" : "Linux-compatible (ABI.md section 3)") "; " status_of(i) "."
		np = split(doc[i], para, "\n")
		for (p = 1; p <= np; p++) {
			if (para[p] == "")
				continue
			print ""
			print_text(para[p], "", "")
		}
		if (nargs[i] > 0) {
			print ""
			print "**Arguments**"
			print ""
			for (k = 1; k <= nargs[i]; k++)
				print_text(arg_doc[i, k], "- `" argname[i, k] "`: ", "  ")
		}
		print ""
		print "**Result**"
		print ""
		print_text(capitalize(returns_doc[i]), "", "")
		print ""
		print "**Errors**"
		print ""
		if (nerr[i] == 0) {
			print "None."
			continue
		}
		print "| errno | value | when |"
		print "| --- | ---: | --- |"
		for (k = 1; k <= nerr[i]; k++) {
			e = err_name[i, k]
			printf "| `%s` | %d | %s |\n", e, errno_value[e], cell(err_text[i, k])
		}
	}
}

END {
	if (badmode) {
		close("cat 1>&2")
		exit 1
	}
	check_entries()
	if (failed) {
		close("cat 1>&2")
		exit 1
	}
	if (out == "sysproto.h")
		gen_sysproto()
	else if (out == "sysent.c")
		gen_sysent()
	else if (out == "native_syscall.h")
		gen_native_h()
	else if (out == "native_stubs.S")
		gen_native_s()
	else
		gen_doc()
}
