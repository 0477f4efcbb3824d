#!/usr/bin/env bash
# Boot-time benchmark: boot the plain ISO under `-icount shift=0`, where
# the TSC counts guest instructions, at several memory sizes, and print
# the kernel's own count from entry to "ready for init".  Repeatable: the
# same image gives the same counts on any host.
set -u -o pipefail
iso=$1
machine=${MACHINE:-q35}
linux_insns=6200000000 # Linux 6.1 in the same QEMU, measured by the project
printf '%-8s %14s %14s\n' memory instructions "vs Linux 6.1"
for mem in 64M 256M 1G 4G; do
	n=$(timeout 300 qemu-system-x86_64 -machine "$machine" -cpu max -m "$mem" \
		-icount shift=0 -cdrom "$iso" -serial stdio -display none \
		-monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null 2>&1 |
		sed -n 's/.*ready for init after \([0-9]*\) instructions.*/\1/p')
	if [ -z "$n" ]; then
		printf '%-8s %14s\n' "$mem" "no 'ready for init' line"
		continue
	fi
	printf '%-8s %14d %13.5fx\n' "$mem" "$n" "$(awk -v n="$n" -v l="$linux_insns" 'BEGIN { print n / l }')"
done
