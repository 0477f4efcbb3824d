#!/usr/bin/env bash
# A user test suite on Linux 6.1 instead of our kernel: the same static
# binary as /init of an initramfs, booted in the same QEMU (the kernel is
# the one make bench uses, fetched once into build/linux).  Tests marked
# native skip themselves there; the others check that our expectations
# are Linux's behaviour (smptests' affinity tests, for instance).
#
#   bash tests/linux-suite.sh SUITE [NAME...]     (make check-linux TEST=SUITE[/NAME])
#
# MACHINE, CPU and CPUS (default q35, max, 2) choose the machine, SEED
# the seed.  When the suite ends, Linux panics on init's exit and QEMU,
# told not to reboot, exits.  Prints the suite's TAP; the exit status is
# 0 if its summary says nothing failed.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1
suite=${1:?usage: linux-suite.sh SUITE [NAME...]}
shift
build=${BUILD:-build}
linuxdir=$build/linux
bin=$build/root/tests/$suite
log=$linuxdir/linux-$suite.log

# shellcheck source=tests/bench-linux.sh
. tests/bench-linux.sh

if [ ! -f "$bin" ]; then
	echo "linux-suite.sh: no $bin (run make first)" >&2
	exit 2
fi
vmlinuz=$(fetch_linux) || exit 2
linux_initramfs "$bin" "$linuxdir/$suite.cpio" || exit 2
append="console=ttyS0 rdinit=/init quiet panic=-1 -- ${SEED:+-s $SEED }$*"
timeout "${QEMU_TIMEOUT:-300}" qemu-system-x86_64 -machine "${MACHINE:-q35}" \
	-cpu "${CPU:-max}" -m 256M -smp "${CPUS:-2}" -accel tcg,thread=multi \
	-serial stdio -display none -monitor none -no-reboot \
	-kernel "$vmlinuz" -initrd "$linuxdir/$suite.cpio" -append "$append" \
	</dev/null 2>&1 | tr -d '\r' > "$log"
grep -aE '^(ok|not ok)( |$)|^#|^[0-9]+\.\.[0-9]+|^[0-9]+ passed, [0-9]+ failed' "$log"
echo "# Linux's console: $log"
grep -aqE '^[0-9]+ passed, 0 failed' "$log"
