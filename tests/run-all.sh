#!/usr/bin/env bash
# `make test`: every check (tests/check.sh) in every configuration the
# project promises, $JOBS at a time, then one closing line summing them.
#
#   bash tests/run-all.sh        (make test builds what it needs first)
#
# Each check runs in the background with its output going to a file, and
# that output is printed whole when the check ends, so the boots running
# side by side never interleave their lines.  The results are in
# build/test-results: ID.tap and ID.log for every check and boot,
# ID.result ("PASSED FAILED"), and summary.txt (one line per check with
# its counts and seconds, then the closing line).  JOBS (default: the
# number of CPUs) is how many checks run at once; each boot has its own
# time limit (QEMU_TIMEOUT, 300 s).  A check that fails is run once
# more, alone, at the end (below).  Exit status: 0 only if nothing failed.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1
export RESULTS_DIR=build/test-results
jobs_max=${JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs_max" -ge 1 ] 2>/dev/null || jobs_max=1
rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

# The checks: ID, TEST, "MACHINE CPU MEM [CPUS]" ("-" for none) and the title
# printed above the output.  The longest come first (by their times on a
# 2-core machine), so that none of them starts last.
#
# The in-kernel tests and a boot into a musl program run in every
# combination of machine, CPU model and memory size the kernel promises
# to boot in; the user test suites (run by /bin/init, whose exit status,
# the failure count, becomes QEMU's) at 256 MiB and at 64 MiB, where fork
# and page faults run out of memory; the panic path with each crash_
# self test, which must end its boot in a described panic.
checks=()
add() {
	checks+=("$1|$2|$3|$4")
}
# The model check starts with three spin searches at once (then mostly
# one), so the host tests, not a boot, start beside it.
add model model - "the vmspace entry protocol, model-checked with spin"
add host host - "host unit tests"
add ktest-q35-qemu64-4G ktest "q35 qemu64 4G" "in-kernel tests: -machine q35 -cpu qemu64 -m 4G"
add usertests-q35-max-256M usertests "q35 max 256M" "usertests: -machine q35 -cpu max -m 256M"
add usertests-pc-qemu64-64M usertests "pc qemu64 64M" "usertests: -machine pc -cpu qemu64 -m 64M"
add ktest-pc-max-4G ktest "pc max 4G" "in-kernel tests: -machine pc -cpu max -m 4G"
add readme readme - "README.md's examples"
add vmspacetests-q35-max-256M vmspacetests "q35 max 256M" "vmspacetests: -machine q35 -cpu max -m 256M"
add vmspacetests-pc-qemu64-64M vmspacetests "pc qemu64 64M" "vmspacetests: -machine pc -cpu qemu64 -m 64M"
add vmtests-q35-max-256M vmtests "q35 max 256M" "vmtests: -machine q35 -cpu max -m 256M"
add vmtests-pc-qemu64-64M vmtests "pc qemu64 64M" "vmtests: -machine pc -cpu qemu64 -m 64M"
add vkernel vkernel "q35 max 256M" "the vkernel (user/bin/vkernel) running musl programs as guests"
add ktest-q35-max-256M ktest "q35 max 256M" "in-kernel tests: -machine q35 -cpu max -m 256M"
add ktest-q35-max-256M-4cpu ktest "q35 max 256M 4" "in-kernel tests: -machine q35 -cpu max -m 256M -smp 4"
add ktest-pc-qemu64-256M ktest "pc qemu64 256M" "in-kernel tests: -machine pc -cpu qemu64 -m 256M"
add ktest-pc-qemu64-64M ktest "pc qemu64 64M" "in-kernel tests: -machine pc -cpu qemu64 -m 64M"
add ktest-q35-max-64M ktest "q35 max 64M" "in-kernel tests: -machine q35 -cpu max -m 64M"
add boot-q35-qemu64-4G boot "q35 qemu64 4G" "boot into a musl program: -machine q35 -cpu qemu64 -m 4G"
add boot-pc-max-4G boot "pc max 4G" "boot into a musl program: -machine pc -cpu max -m 4G"
add boot-q35-max-256M boot "q35 max 256M" "boot into a musl program: -machine q35 -cpu max -m 256M"
add boot-pc-qemu64-256M boot "pc qemu64 256M" "boot into a musl program: -machine pc -cpu qemu64 -m 256M"
add boot-pc-qemu64-64M boot "pc qemu64 64M" "boot into a musl program: -machine pc -cpu qemu64 -m 64M"
add boot-q35-max-64M boot "q35 max 64M" "boot into a musl program: -machine q35 -cpu max -m 64M"
add crash_page_fault crash_page_fault "q35 max 256M" "panic path: ktest=crash_page_fault"
add crash_assert crash_assert "q35 max 256M" "panic path: ktest=crash_assert"
add abi abi - "the syscall table against ABI.md"
add format format - "the format of every C file (clang-format)"

# "ID TEST MACHINE CPU MEM" of every check, for tests/readme-test.sh.
RUN_ALL_CHECKS=$(for c in "${checks[@]}"; do
	IFS='|' read -r id tst cfg _ <<< "$c"
	[ "$cfg" != - ] || cfg="q35 max 256M"
	echo "$id $tst $cfg"
done)
export RUN_ALL_CHECKS

# Job control gives each check its own process group, away from the
# terminal's Ctrl-C: stop_all then stops them all, in order.
set -m
declare -A running=()   # pid -> index into checks
declare -A started=()   # index -> $SECONDS at the start
declare -A took=()      # index -> seconds

# descendants PID: every process below PID, parents first.
descendants() {
	local child
	for child in $(ps -o pid= --ppid "$1"); do
		echo "$child"
		descendants "$child"
	done
}

# Interrupted: stop every process the checks started, by pid (some, such
# as the model check's `timeout`, make process groups of their own).
stop_all() {
	local pids
	pids=$(descendants $$)
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill -TERM $pids 2>/dev/null
	echo "make test: interrupted" >&2
	exit 130
}
trap stop_all INT TERM

start() {
	local i=$1 id tst cfg
	IFS='|' read -r id tst cfg _ <<< "${checks[$i]}"
	[ "$cfg" != - ] || cfg="q35 max 256M"
	set -- $cfg
	MACHINE=$1 CPU=$2 MEM=$3 CPUS=${4:-1} SEED='' SUMMARY='' \
		bash tests/check.sh "$tst" "$id" > "$RESULTS_DIR/$id.out" 2>&1 < /dev/null &
	running[$!]=$i
	started[$i]=$SECONDS
}

# finish [TITLE]: wait for one check to end and print its output whole,
# under its title (or TITLE).
finish() {
	local pid i id title
	wait -n -p pid "${!running[@]}"
	i=${running[$pid]}
	unset "running[$pid]"
	took[$i]=$((SECONDS - started[$i]))
	IFS='|' read -r id _ _ title <<< "${checks[$i]}"
	echo "# ---- ${1:-$title} (${took[$i]} s)"
	cat "$RESULTS_DIR/$id.out"
}

begin=$SECONDS
for i in "${!checks[@]}"; do
	while [ "${#running[@]}" -ge "$jobs_max" ]; do
		finish
	done
	start "$i"
done
while [ "${#running[@]}" -gt 0 ]; do
	finish
done

# A check that failed beside others runs once more, alone, after all the
# rest: some checks depend on timing that a loaded machine upsets (the
# kernel's clock calibration wants no host stall over 27 ms in a 1 ms
# window; a guest timeout of 2 ms must land in a loop).  If it passes
# alone, it counts by that run and is named as flaky on the closing lines;
# its first output stays in ID.first.tap and ID.first.log.  RERUN=0 turns
# this off.
flaky=""
if [ "${RERUN:-1}" != 0 ]; then
	for i in "${!checks[@]}"; do
		IFS='|' read -r id _ _ title <<< "${checks[$i]}"
		read -r p f < "$RESULTS_DIR/$id.result" 2>/dev/null || f=1
		[ "$f" -ne 0 ] || continue
		for ext in tap log result; do
			[ ! -e "$RESULTS_DIR/$id.$ext" ] ||
				mv "$RESULTS_DIR/$id.$ext" "$RESULTS_DIR/$id.first.$ext"
		done
		start "$i"
		finish "$title, again alone (it failed beside the others)"
		if read -r p f < "$RESULTS_DIR/$id.result" 2>/dev/null && [ "$f" -eq 0 ]; then
			flaky="$flaky $id"
		fi
	done
fi

# Sum the results in the order of the list; a check without a result
# (its script died) counts as one failure.
passed=0 failed=0 failures=""
{
	printf '%-32s %7s %7s %5s\n' "# check" passed failed secs
	for i in "${!checks[@]}"; do
		IFS='|' read -r id _ _ _ <<< "${checks[$i]}"
		if ! read -r p f < "$RESULTS_DIR/$id.result" 2>/dev/null; then
			p=0 f=1
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		[ "$f" -eq 0 ] || failures="$failures $id"
		printf '%-32s %7d %7d %5d\n' "$id" "$p" "$f" "${took[$i]}"
	done
	echo "# $jobs_max at a time, $((SECONDS - begin)) s"
	[ -z "$flaky" ] || echo "# flaky (failed beside others, passed alone):$flaky"
	echo "$passed passed, $failed failed"
} > "$RESULTS_DIR/summary.txt"
rm -f "$RESULTS_DIR"/*.out
[ -z "$flaky" ] || echo "# flaky (failed beside others, passed alone):$flaky; see ID.first.tap in $RESULTS_DIR"
[ -z "$failures" ] || echo "# failed:$failures (build/test-results/summary.txt)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
