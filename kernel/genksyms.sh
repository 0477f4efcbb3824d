#!/usr/bin/env bash
# Make the kernel's symbol table from a linked image.
#
#   genksyms.sh KERNEL.elf > ksyms.S     assembly for the .ksyms section
#   genksyms.sh --check PASS1.elf FINAL.elf
#                                        fail if any text symbol moved
#                                        between the two link passes
set -euo pipefail

text_symbols() {
	nm -n --defined-only "$1" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }'
}

if [ "${1:-}" = "--check" ]; then
	if ! diff <(text_symbols "$2") <(text_symbols "$3") >/dev/null; then
		echo "genksyms: text symbols moved between link passes ($2, $3)" >&2
		exit 1
	fi
	exit 0
fi

text_symbols "$1" | awk '
{
	addr[n] = $1; name[n] = $2; n++
}
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksyms_count"
	printf "ksyms_count:\n\t.quad %d\n", n
	print "\t.globl ksyms_table"
	print "ksyms_table:"
	off = 0
	for (i = 0; i < n; i++) {
		printf "\t.quad 0x%s, %d\n", addr[i], off
		off += length(name[i]) + 1
	}
	print "\t.globl ksyms_names"
	print "ksyms_names:"
	for (i = 0; i < n; i++)
		printf "\t.asciz \"%s\"\n", name[i]
}'
