#!/usr/bin/env bash
# Boot-time benchmark: boot ISO (build/os.iso, through boot/qemu.sh) under
# `-icount shift=0`, where the TSC counts guest instructions, at several
# memory sizes, with an init that exits at once (init=/bin/true) and the
# lock checker off (witness=off, as bench.sh boots), and
# print the kernel's own count from entry to "ready for init".
# Repeatable: the same image gives the same counts on any host.
#
#   bash tests/bench-boot.sh ISO
set -u -o pipefail
iso=$1
machine=${MACHINE:-q35}
linux_insns=6200000000 # Linux 6.1 in the same QEMU, measured by the project
printf '%-8s %14s %14s\n' memory instructions "vs Linux 6.1"
for mem in 64M 256M 1G 4G; do
	n=$(ISO=$iso MACHINE=$machine CPU=max MEM=$mem CPUS=1 \
		QEMU_ARGS="-icount shift=0" CMDLINE='init=/bin/true witness=off' \
		QEMU_TIMEOUT=300 \
		bash boot/qemu.sh batch |
		sed -n 's/.*ready for init after \([0-9]*\) instructions.*/\1/p')
	if [ -z "$n" ]; then
		printf '%-8s %14s\n' "$mem" "no 'ready for init' line"
		continue
	fi
	printf '%-8s %14d %13.5fx\n' "$mem" "$n" "$(awk -v n="$n" -v l="$linux_insns" 'BEGIN { print n / l }')"
done
