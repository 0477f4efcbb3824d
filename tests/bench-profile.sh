#!/usr/bin/env bash
# Where one benchmark's kernel instructions go: run it on our kernel under
# `-icount shift=0` with QEMU logging every translation block it runs in
# the kernel (`-d nochain,in_asm,exec`, filtered to the kernel's
# addresses), then count the instructions per function and per CPU, per
# entry of a function called once per operation (tests/bench-profile.py).
# The log is large (about 1 GB for futex_pingpong) and is deleted after.
#
#   bash tests/bench-profile.sh BENCH PER_FUNCTION [CPUS]
#   bash tests/bench-profile.sh futex_pingpong sys_futex 4
set -u -o pipefail
bench=${1:?usage: bench-profile.sh BENCH PER_FUNCTION [CPUS]}
per=${2:?usage: bench-profile.sh BENCH PER_FUNCTION [CPUS]}
cpus=${3:-1}
build=${BUILD:-build}
log=$build/profile/qemu.log
mkdir -p "$build/profile"
rm -f "$log"
# sleep=off as bench.sh's 4-CPU run: idle CPUs do not stretch the run.
ISO=$build/os.iso CPUS=$cpus QEMU_TIMEOUT=900 \
	QEMU_ARGS="-icount shift=0,sleep=off -d nochain,in_asm,exec -dfilter 0xffffffff80000000..0xffffffffffffffff -D $log" \
	CMDLINE="init=/bench/bench witness=off -- $bench" \
	bash boot/qemu.sh batch | grep "^bench $bench"
python3 tests/bench-profile.py "$log" "$build/kernel.elf" "$per"
status=$?
rm -f "$log"
exit $status
