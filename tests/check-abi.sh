#!/usr/bin/env bash
# Check the system call table against the contract.
#
#   tests/check-abi.sh [ABI.md [syscalls.master]]
#
# Defaults: docs/ABI.md (or $ABI_MD) and
# kernel/syscalls.master.  For every row of the call tables of ABI.md
# sections 3, 4.1 and 4.2, each number must name a master entry of the same
# name (rows such as "19, 20 | readv, writev" pair them in order).  For the
# native calls of section 4, whose rows give the C declaration, the master's
# declaration must be the same (spacing aside) and the entry must be
# NATIVE.  Every Linux call of the table must have Linux's number
# (asm/unistd_64.h from linux-libc-dev), and no native call may use one
# of Linux's numbers.  Prints TAP and a closing "N passed, N failed" line; the exit
# status is the number of failures (capped at 126).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
# docs/ABI.md is the project's copy of the contract, so a clone alone can
# run this check; when the shared original sits beside the repository the
# copy must match it.
abi=${1:-${ABI_MD:-$root/docs/ABI.md}}
shared=$root/../shared/ABI.md
if [ -z "${1:-}${ABI_MD:-}" ] && [ -r "$shared" ] && ! cmp -s "$shared" "$abi"; then
	echo "not ok - docs/ABI.md differs from $shared: copy it over"
	echo "0 passed, 1 failed"
	exit 1
fi
master=${2:-$root/kernel/syscalls.master}
# Linux's own numbers (linux-libc-dev): the table's Linux calls must have
# them, and its native calls must use numbers Linux does not.
unistd=/usr/include/$(gcc -print-multiarch 2>/dev/null)/asm/unistd_64.h

for f in "$abi" "$master" "$unistd"; do
	if [ ! -r "$f" ]; then
		echo "not ok 1 - $f is readable"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

awk -v abi="$abi" -v unistd="$unistd" '
function trim(s)
{
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# A C declaration with single spaces and none around "*", "(", ")" and
# before ",", so that spacing differences do not count.
function normalize(s)
{
	gsub(/[ \t]+/, " ", s)
	gsub(/ ?\* ?/, "*", s)
	gsub(/ ?\( ?/, "(", s)
	gsub(/ ?\) ?/, ")", s)
	gsub(/ ?, ?/, ",", s)
	s = trim(s)
	sub(/ ?;$/, "", s)
	return s
}

function report(ok, what)
{
	ntest++
	if (ok) {
		npass++
		printf "ok %d - %s\n", ntest, what
	} else {
		nfail++
		printf "not ok %d - %s\n", ntest, what
	}
}

# Linux: "#define __NR_name number".
FILENAME == unistd {
	if ($1 == "#define" && $2 ~ /^__NR_/ && $3 ~ /^[0-9]+$/) {
		linux_nr[substr($2, 6)] = $3 + 0
		linux_used[$3 + 0] = substr($2, 6)
	}
	next
}

# The master: number -> name, declaration, class.
FILENAME != abi {
	if ($0 !~ /^[0-9]+\t/)
		next
	nf = 0
	decl = ""
	for (k = 1; k <= NF; k++) {
		if ($k == "")
			continue
		if (++nf <= 3)
			field[nf] = $k
		else
			decl = decl " " $k
	}
	decl = trim(decl)
	sub(/^\{/, "", decl)
	sub(/\}$/, "", decl)
	master_name[field[1] + 0] = field[2]
	master_class[field[1] + 0] = field[3]
	master_decl[field[1] + 0] = normalize(decl)
	next
}

# ABI.md: the section decides which tables count.
/^#/ {
	section = ""
	if ($0 ~ /^## 3\./)
		section = "3"
	else if ($0 ~ /^### 4\.1/)
		section = "4.1"
	else if ($0 ~ /^### 4\.2/)
		section = "4.2"
	next
}

section != "" && /^\|/ {
	ncell = split($0, cell, "|")
	if (ncell < 4)
		next
	nrs = trim(cell[2])
	call = trim(cell[3])
	if (nrs !~ /^[0-9][0-9, ]*$/)
		next	# the header and separator rows
	gsub(/`/, "", call)

	nnr = split(nrs, nr, ",")
	proto = ""
	if (index(call, "(") > 0) {
		# A C declaration: the name is the identifier before "(".
		proto = call
		head = substr(call, 1, index(call, "(") - 1)
		match(head, /[A-Za-z_][A-Za-z0-9_]*[ \t]*$/)
		names[1] = trim(substr(head, RSTART))
		nname = 1
	} else {
		nname = split(call, names, ",")
	}
	if (nnr != nname) {
		report(0, "ABI.md " section ": row \"" nrs " | " call "\" pairs its numbers and names")
		next
	}
	for (k = 1; k <= nnr; k++) {
		n = trim(nr[k]) + 0
		want = trim(names[k])
		got = (n in master_name) ? master_name[n] : "(no entry)"
		report(got == want, "ABI.md " section ": " n " is " want)
		if (got != want)
			printf "# syscalls.master has %s for %d\n", got, n
	}
	if (proto != "" && got == want) {
		report(master_decl[n] == normalize(proto),
		    want ": declaration matches ABI.md " section)
		if (master_decl[n] != normalize(proto))
			printf "# ABI.md:  %s\n# master:  %s\n", normalize(proto), master_decl[n]
		report(master_class[n] ~ /(^|\|)NATIVE(\||$)/, want ": class has NATIVE")
	}
}

END {
	if (ntest == 0)
		report(0, "ABI.md has call tables in sections 3, 4.1 and 4.2")
	for (n in master_name) {
		name = master_name[n]
		if (master_class[n] ~ /(^|\|)NATIVE(\||$)/) {
			report(!(n in linux_used), name " (native): number " n \
			    " is unused by Linux")
			if (n in linux_used)
				printf "# Linux has %s for %d\n", linux_used[n], n
		} else {
			report((name in linux_nr) && linux_nr[name] == n + 0,
			    name ": number " n " is Linux'"'"'s (asm/unistd_64.h)")
			if (!(name in linux_nr))
				printf "# Linux has no call named %s\n", name
			else if (linux_nr[name] != n + 0)
				printf "# Linux numbers %s %d\n", name, linux_nr[name]
		}
	}
	printf "%d passed, %d failed\n", npass, nfail
	exit nfail > 126 ? 126 : nfail
}
' FS=' ' "$unistd" FS='\t' "$master" FS='|' "$abi"
