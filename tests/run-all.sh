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

# The checks: ID, TEST, "MACHINE CPU MEM [CPUS]" ("-" for none), the
# seconds it takes on a 2-core machine (a guess until a run has measured
# it) and the title printed above the output.
#
# The in-kernel tests and a boot into a musl program run in every
# combination of machine, CPU model and memory size the kernel promises
# to boot in; the user test suites (run by /bin/init, whose exit status,
# the failure count, becomes QEMU's) at 256 MiB with 1, 2 and 4 CPUs and
# at 64 MiB, where fork and page faults run out of memory; the thread
# suite, the signal suite and the terminal suite with 1 and 4 CPUs; the SMP stress
# suite with 2 and 4 CPUs; the in-kernel tests and the musl boot with 8
# CPUs on both machines; the panic path with each crash_ self test, which
# must end its boot in a described panic.  Every boot is under
# multi-threaded TCG (boot/qemu.sh), so several CPUs really run at once.
checks=()
add() {
	checks+=("$1|$2|$3|$4|$5")
}
smp() {
	add "$1-q35-max-256M-${2}cpu" "$1" "q35 max 256M $2" "$3" \
		"$1: -machine q35 -cpu max -m 256M -smp $2"
}
# The model check starts with three spin searches at once (then mostly
# one), so the host tests, not a boot, start beside it: these two stay
# first, the others are started longest first (below).
add model model - 40 "the vmspace entry protocol and the vvar page's read, model-checked with spin"
add host host - 16 "host unit tests"
add ktest-q35-qemu64-4G ktest "q35 qemu64 4G" 42 "in-kernel tests: -machine q35 -cpu qemu64 -m 4G"
add ktest-pc-max-4G ktest "pc max 4G" 25 "in-kernel tests: -machine pc -cpu max -m 4G"
add ktest-q35-max-256M ktest "q35 max 256M" 4 "in-kernel tests: -machine q35 -cpu max -m 256M"
smp ktest 2 4
smp ktest 4 4
smp ktest 8 6
add ktest-pc-qemu64-256M-8cpu ktest "pc qemu64 256M 8" 6 "in-kernel tests: -machine pc -cpu qemu64 -m 256M -smp 8"
add ktest-pc-qemu64-256M ktest "pc qemu64 256M" 4 "in-kernel tests: -machine pc -cpu qemu64 -m 256M"
add ktest-pc-qemu64-64M ktest "pc qemu64 64M" 1 "in-kernel tests: -machine pc -cpu qemu64 -m 64M"
add ktest-q35-max-64M ktest "q35 max 64M" 2 "in-kernel tests: -machine q35 -cpu max -m 64M"
add usertests-q35-max-256M usertests "q35 max 256M" 23 "usertests: -machine q35 -cpu max -m 256M"
smp usertests 2 25
smp usertests 4 25
add usertests-nowitness-q35-max-256M-2cpu nowitness/usertests "q35 max 256M 2" 23 "usertests with witness=off (the fast syscall exit make bench takes)"
add sigtests-nowitness-q35-max-256M-2cpu nowitness/sigtests "q35 max 256M 2" 10 "sigtests with witness=off (the fast syscall exit make bench takes)"
add usertests-pc-qemu64-64M usertests "pc qemu64 64M" 23 "usertests: -machine pc -cpu qemu64 -m 64M"
add vmtests-q35-max-256M vmtests "q35 max 256M" 17 "vmtests: -machine q35 -cpu max -m 256M"
smp vmtests 2 17
smp vmtests 4 17
add vmtests-pc-qemu64-64M vmtests "pc qemu64 64M" 6 "vmtests: -machine pc -cpu qemu64 -m 64M"
add vmspacetests-q35-max-256M vmspacetests "q35 max 256M" 8 "vmspacetests: -machine q35 -cpu max -m 256M"
smp vmspacetests 2 8
smp vmspacetests 4 8
add vmspacetests-pc-qemu64-64M vmspacetests "pc qemu64 64M" 8 "vmspacetests: -machine pc -cpu qemu64 -m 64M"
smp smptests 2 12
smp smptests 4 12
add threadtests-q35-max-256M threadtests "q35 max 256M" 10 "threadtests: -machine q35 -cpu max -m 256M"
smp threadtests 4 10
add systests-q35-max-256M systests "q35 max 256M" 8 "systests: -machine q35 -cpu max -m 256M"
smp systests 4 8
add systests-pc-qemu64-64M systests "pc qemu64 64M" 8 "systests: -machine pc -cpu qemu64 -m 64M (no RDRAND: getrandom seeds from TSC jitter)"
add sigtests-q35-max-256M sigtests "q35 max 256M" 10 "sigtests: -machine q35 -cpu max -m 256M"
smp sigtests 4 10
add ttytests-q35-max-256M ttytests "q35 max 256M" 8 "ttytests: -machine q35 -cpu max -m 256M"
smp ttytests 4 8
add tty tty "q35 max 256M" 30 "the terminal driven by typing over the serial console (tests/tty-test.sh)"
add fstests-q35-max-256M fstests "q35 max 256M" 10 "fstests: -machine q35 -cpu max -m 256M"
smp fstests 4 10
add ash ash "q35 max 256M" 30 "BusyBox's ash driven by typing over the serial console (tests/tty-test.sh)"
add ash-4cpu ash "q35 max 256M 4" 30 "BusyBox's ash driven by typing, -smp 4"
add shutdown-q35-max-256M shutdown "q35 max 256M" 8 "poweroff, reboot and init's shutdown (tests/shutdown-test.sh)"
add shutdown-pc-max-256M-2cpu shutdown "pc max 256M 2" 8 "poweroff, reboot and init's shutdown: -machine pc, -smp 2"
add diff-q35-max-256M diff "q35 max 256M" 40 "BusyBox scripts against Linux 6.1 (tests/diff-test.sh)"
add diff-q35-max-256M-4cpu diff "q35 max 256M 4" 40 "BusyBox scripts against Linux 6.1, -smp 4"
add vkdiff-q35-max-256M vkdiff "q35 max 256M" 20 "BusyBox scripts under the vkernel against Linux 6.1"
add vkdiff-q35-max-256M-4cpu vkdiff "q35 max 256M 4" 20 "BusyBox scripts under the vkernel against Linux 6.1, -smp 4"
add vkernel vkernel "q35 max 256M" 6 "the vkernel (user/bin/vkernel) running musl programs as guests"
add vkernel-2cpu vkernel "q35 max 256M 2" 6 "the vkernel with -smp 2"
add vkernel-4cpu vkernel "q35 max 256M 4" 6 "the vkernel with -smp 4"
add readme readme - 11 "README.md's examples"
add boot-q35-qemu64-4G boot "q35 qemu64 4G" 1 "boot into a musl program: -machine q35 -cpu qemu64 -m 4G"
add boot-pc-max-4G boot "pc max 4G" 2 "boot into a musl program: -machine pc -cpu max -m 4G"
add boot-q35-max-256M boot "q35 max 256M" 1 "boot into a musl program: -machine q35 -cpu max -m 256M"
add boot-pc-qemu64-256M boot "pc qemu64 256M" 1 "boot into a musl program: -machine pc -cpu qemu64 -m 256M"
add boot-pc-qemu64-64M boot "pc qemu64 64M" 1 "boot into a musl program: -machine pc -cpu qemu64 -m 64M"
add boot-q35-max-64M boot "q35 max 64M" 2 "boot into a musl program: -machine q35 -cpu max -m 64M"
add boot-q35-max-256M-8cpu boot "q35 max 256M 8" 3 "boot into a musl program: -machine q35 -cpu max -m 256M -smp 8"
add boot-pc-qemu64-256M-8cpu boot "pc qemu64 256M 8" 3 "boot into a musl program: -machine pc -cpu qemu64 -m 256M -smp 8"
add crash_page_fault crash_page_fault "q35 max 256M" 2 "panic path: ktest=crash_page_fault"
add crash_assert crash_assert "q35 max 256M" 1 "panic path: ktest=crash_assert"
add crash_witness crash_witness "q35 max 256M" 1 "panic path: ktest=crash_witness (the lock checker's report panics)"
add abi abi - 1 "the syscall table against ABI.md"
add format format - 7 "the format of every C file (clang-format)"

# The order: model and host first, then the longest first, by the
# seconds of the last run (build/test-results/summary.txt) or else the
# guess above, so that no long check starts last.
declare -A last_secs=()
if [ -f "$RESULTS_DIR/summary.txt" ]; then
	while read -r id p f secs; do
		[[ $secs =~ ^[0-9]+$ ]] && last_secs[$id]=$secs
	done < "$RESULTS_DIR/summary.txt"
fi
sorted=$(for i in "${!checks[@]}"; do
	IFS='|' read -r id _ _ guess _ <<< "${checks[$i]}"
	case $id in
	model | host) continue ;;
	esac
	echo "${last_secs[$id]:-$guess} $i"
done | sort -k1,1nr -k2,2n | awk '{ print $2 }')
ordered=("${checks[0]}" "${checks[1]}")
for i in $sorted; do
	ordered+=("${checks[$i]}")
done
checks=("${ordered[@]}")
rm -rf "$RESULTS_DIR"
mkdir -p "$RESULTS_DIR"

# "ID TEST MACHINE CPU MEM" of every check with one CPU (the checks a
# make check without CPUS= repeats), for tests/readme-test.sh.
RUN_ALL_CHECKS=$(for c in "${checks[@]}"; do
	IFS='|' read -r id tst cfg _ <<< "$c"
	[ "$cfg" != - ] || cfg="q35 max 256M"
	set -- $cfg
	[ "${4:-1}" = 1 ] || continue
	echo "$id $tst $1 $2 $3"
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
	IFS='|' read -r id _ _ _ title <<< "${checks[$i]}"
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
		IFS='|' read -r id _ _ _ title <<< "${checks[$i]}"
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
