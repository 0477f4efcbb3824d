#!/usr/bin/env bash
# `make test`: host unit tests, then the in-kernel self tests booted in
# every supported QEMU configuration, then one closing line summing them.
# Exit status: 0 only if nothing failed.
set -u -o pipefail
cd "$(dirname "$0")/.."
export RESULTS=build/logs/results
mkdir -p build/logs
: > "$RESULTS"

echo "# ---- the syscall table against ABI.md"
out=$(bash tests/check-abi.sh 2>&1)
echo "$out" | grep -v '^ok '
echo "$out" | tail -n 1 | awk '{print $1, $3}' >> "$RESULTS"
if make -s check-syscalls-doc; then
	echo "ok - docs/syscalls.md matches kernel/syscalls.master"
	echo "1 0" >> "$RESULTS"
else
	echo "not ok - docs/syscalls.md is stale"
	echo "#   reproduce: make check-syscalls-doc"
	echo "0 1" >> "$RESULTS"
fi

echo "# ---- the vmspace entry protocol, model-checked with spin"
out=$(bash tests/model/run.sh 2>&1)
echo "$out"
echo "$out" | tail -n 1 | awk '{print $1, $3}' >> "$RESULTS"

echo "# ---- host unit tests"
out=$(bash tests/run-host.sh build/host/test_* 2>&1)
echo "$out"
echo "$out" | tail -n 1 | awk '{print $1, $3}' >> "$RESULTS"

iso_for() {
	make -s iso-path CMDLINE="$1" | tail -n 1
}

# machine cpu memory: every combination the kernel promises to boot in.
configs=(
	"q35 max 256M"
	"pc qemu64 64M"
	"q35 qemu64 4G"
	"pc max 4G"
	"q35 max 64M"
	"pc qemu64 256M"
)
ktest_iso=$(iso_for "ktest=all") || exit 1
boot_cmdline="init=/bin/init -- /bin/hello"
boot_iso=$(iso_for "$boot_cmdline") || exit 1
for c in "${configs[@]}"; do
	set -- $c
	echo "# ---- in-kernel tests: -machine $1 -cpu $2 -m $3"
	bash tests/run-qemu.sh "ktest-$1-$2-$3" "$ktest_iso" "$1" "$2" "$3" "ktest=all" ktest
	echo "# ---- boot into a musl program: -machine $1 -cpu $2 -m $3"
	bash tests/run-qemu.sh "boot-$1-$2-$3" "$boot_iso" "$1" "$2" "$3" "$boot_cmdline" boot
done

# The user test suites, each run by /bin/init as its child: its exit
# status (the failure count) becomes QEMU's.  Small memory exercises fork
# and page faults until memory runs out.
for suite in usertests vmtests vmspacetests; do
	user_cmdline="init=/bin/init -- /tests/$suite"
	user_iso=$(iso_for "$user_cmdline") || exit 1
	for c in "q35 max 256M" "pc qemu64 64M"; do
		set -- $c
		echo "# ---- $suite: -machine $1 -cpu $2 -m $3"
		bash tests/run-qemu.sh "$suite-$1-$2-$3" "$user_iso" "$1" "$2" "$3" "$user_cmdline" ktest
	done
done

# The virtual kernel in user space: guests loaded, run and preempted.
echo "# ---- the vkernel (user/bin/vkernel) running musl programs as guests"
bash tests/vkernel-test.sh

# The panic path: each crash_ test ends its boot with a described panic.
for crash in "crash_page_fault:kernel page fault (vector 14): write to unmapped address 0x10" \
	"crash_assert:assertion"; do
	name=${crash%%:*}
	echo "# ---- panic path: ktest=$name"
	iso=$(iso_for "ktest=$name") || exit 1
	bash tests/run-qemu.sh "$name" "$iso" q35 max 256M "ktest=$name" "panic:${crash#*:}"
done

read -r passed failed < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$RESULTS")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
