#!/usr/bin/env bash
# Run one check by name: what `make check TEST=...` runs, and the unit
# that `make test` (tests/run-all.sh) runs several of at once.
#
#   bash tests/check.sh TEST [ID]
#   bash tests/check.sh --list          the names TEST takes
#
# TEST is one of
#   ktest                  every in-kernel self test (ktest=all)
#   ktest/NAME[,NAME...]   those self tests (ktest=NAME seed=$SEED); a test
#                          named crash_* must end in its described panic
#   boot                   a boot into a musl program (/bin/init -- /bin/hello)
#   usertests, vmtests, vmspacetests, smptests, threadtests, systests,
#   sigtests, ttytests
#                          a user test suite, run by /bin/init (-s $SEED
#                          when SEED is set)
#   usertests/NAME, vmtests/NAME, vmspacetests/NAME, smptests/NAME,
#   threadtests/NAME, systests/NAME, sigtests/NAME, ttytests/NAME
#                          one test of a suite (-s $SEED when SEED is set)
#   nowitness/SUITE        a suite with witness=off: with the lock checker
#                          on, every fast system call leaves through the
#                          checker's call (syscall.S); this runs the exit
#                          make bench measures
#   vkernel                the virtual kernel's three boots (tests/vkernel-test.sh)
#   tty                    the terminal driven by typing (tests/tty-test.sh)
#   ash                    BusyBox's shell driven by typing (tests/tty-test.sh)
#   shutdown               poweroff, reboot and init's shutdown (tests/shutdown-test.sh)
#   diff, diff/FILE[/CASE] BusyBox scripts on our kernel and on Linux 6.1,
#                          compared case by case (tests/diff-test.sh)
#   vkdiff, vkdiff/FILE[/CASE]  the same, our side run under the vkernel
#   host, host/NAME        the host unit tests, or build/host/test_NAME
#   abi                    the syscall table against ABI.md, and docs/syscalls.md
#   model                  the Promela model (tests/model/run.sh)
#   readme                 README.md's examples (tests/readme-test.sh)
#   format                 every C file as clang-format writes it
#                          (tests/check-format.sh)
# The boots use MACHINE, CPU, MEM, CPUS (default q35, max, 256M, 1), MTTCG
# (default 1: multi-threaded TCG, boot/qemu.sh), QEMU_TIMEOUT (default
# 300 s; a boot still running then fails) and QEMU_ARGS.
#
# The results go to $RESULTS_DIR (default build/test-results/check) as
# ID.tap (the TAP), ID.log (a boot's console), ID.result ("PASSED
# FAILED"); ID defaults to TEST with "/" made "-", plus the configuration
# for a boot (usertests-pipe_epipe_ignored-q35-max-256M, or
# smptests-q35-max-256M-4cpu with CPUS=4).  The output is
# printed too, with SUMMARY=1 (as make check sets it) a closing "N passed,
# N failed".  Every failure prints the make check command reproducing it.
# Exit status: 0 if nothing failed.  It never runs make: make check and
# make test build everything first.
set -u
cd "$(dirname "$0")/.." || exit 1

export MACHINE=${MACHINE:-q35} CPU=${CPU:-max} MEM=${MEM:-256M} CPUS=${CPUS:-1}
export MTTCG=${MTTCG:-1}
export RESULTS_DIR=${RESULTS_DIR:-build/test-results/check}
seed=${SEED:-}
# The configuration as make check takes it, for the reproduce lines.
config="MACHINE=$MACHINE CPU=$CPU MEM=$MEM CPUS=$CPUS"
[ "$MTTCG" != 0 ] || config="$config MTTCG=0"

# The panics the crash_ self tests must end in (the text after "panic: ").
declare -A panic_text=(
	[crash_page_fault]="kernel page fault (vector 14): write to unmapped address 0x10"
	[crash_assert]="assertion"
	[crash_witness]="witness: lock order reversal"
)

# The user test suites: every directory of user/tests with a suite.c.
user_suites=$(for d in user/tests/*/suite.c; do
	d=${d%/suite.c}
	echo "${d##*/}"
done)

list() {
	local s
	echo "ktest boot" $user_suites "vkernel tty ash shutdown diff host abi model readme format"
	echo "ktest/NAME:"
	nm -n build/kernel.elf 2>/dev/null | sed -n 's/.* ktest_desc_/  ktest\//p'
	echo "host/NAME:"
	for s in ${HOST_BINS:-$(ls build/host/test_* 2>/dev/null)}; do
		echo "  host/${s##*/test_}"
	done
	echo "diff/FILE/CASE:"
	for s in user/root/tests/diff/*.cases; do
		sed -n "s|^## \([^ ]*\).*|  diff/${s##*/}/\1|p" "$s"
	done
	for s in $user_suites; do
		echo "$s/NAME:"
		CMDLINE="init=/bin/init -- /tests/$s -l" bash boot/qemu.sh batch | tr -d '\r' |
			sed -n '/^kernel: ready for init/,/^init: exit status/p' |
			sed '1d;$d' | awk -v s="$s" 'NF { print "  " s "/" $1 }'
	done
}

# script_check CMD...: run a script that prints TAP ending in "N passed, N
# failed", and write those counts to $RESULTS_DIR/$id.result.  It fails
# as a whole if that line is missing, or if it exits non-zero while
# claiming no failure.
script_check() {
	local out rc line p f
	out=$(mktemp "${TMPDIR:-/tmp}/check.XXXXXX") || return 1
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	p=$(echo "$line" | awk '{print $1}')
	f=$(echo "$line" | awk '{print $3}')
	if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "not ok - $test: $* exited with status $rc${line:+ after '$line'}"
		echo "#   reproduce: make check TEST=$test${script_config:+ $script_config}"
		p=${p:-0}
		f=$((${f:-0} + 1))
	fi
	echo "$p $f" > "$RESULTS_DIR/$id.result"
}

abi_check() {
	local out line p f
	out=$(bash tests/check-abi.sh 2>&1)
	echo "$out" | grep -v '^ok '
	line=$(echo "$out" | tail -n 1)
	p=$(echo "$line" | awk '{print $1}')
	f=$(echo "$line" | awk '{print $3}')
	if ! [[ $line =~ ^[0-9]+\ passed,\ [0-9]+\ failed ]]; then
		p=0 f=1
		echo "not ok - tests/check-abi.sh printed no summary"
	fi
	[ "$f" -eq 0 ] || echo "#   reproduce: make check TEST=abi"
	if [ -f build/test/syscalls.md ] && cmp -s build/test/syscalls.md docs/syscalls.md; then
		echo "ok - docs/syscalls.md matches kernel/syscalls.master"
		p=$((p + 1))
	else
		echo "not ok - docs/syscalls.md is stale (run make syscalls-doc)"
		echo "#   reproduce: make check TEST=abi"
		f=$((f + 1))
	fi
	echo "$p passed, $f failed"
}

if [ "${1:-}" = --list ]; then
	list
	exit 0
fi
test=${1:-}
if [ -z "$test" ]; then
	echo "check.sh: say which test: make check TEST=NAME (make help-tests lists them)" >&2
	exit 2
fi
cfg_id="$MACHINE-$CPU-$MEM"
[ "$CPUS" = 1 ] || cfg_id="$cfg_id-${CPUS}cpu"
[ "$MTTCG" != 0 ] || cfg_id="$cfg_id-single"
script_config=
mkdir -p "$RESULTS_DIR"

passed=0 failed=0
kind=boot
case $test in
ktest)
	id=${2:-ktest-$cfg_id}
	cmdline="ktest=all${seed:+ seed=$seed}"
	expect=ktest ;;
ktest/*)
	name=${test#ktest/}
	id=${2:-ktest-${name//,/-}-$cfg_id}
	cmdline="ktest=$name${seed:+ seed=$seed}"
	expect=ktest
	if [[ $name == crash_* ]]; then
		expect="panic:${panic_text[$name]:-}"
	fi ;;
crash_*)
	# The names make test gives the panic checks.
	id=${2:-$test}
	cmdline="ktest=$test"
	expect="panic:${panic_text[$test]:-}"
	test=ktest/$test ;;
boot)
	id=${2:-boot-$cfg_id}
	cmdline="init=/bin/init -- /bin/hello"
	expect=boot ;;
vkernel)
	kind=script id=${2:-vkernel}
	script_config=$config
	cmd=(bash tests/vkernel-test.sh "$id") ;;
tty)
	kind=script id=${2:-tty}
	script_config=$config
	cmd=(bash tests/tty-test.sh "$id") ;;
shutdown)
	kind=script id=${2:-shutdown-$cfg_id}
	script_config=$config
	cmd=(bash tests/shutdown-test.sh "$id") ;;
ash)
	kind=script id=${2:-ash}
	script_config=$config
	cmd=(bash tests/tty-test.sh "$id" ash) ;;
diff)
	kind=script id=${2:-diff-$cfg_id}
	script_config=$config
	cmd=(bash tests/diff-test.sh "$id") ;;
diff/*)
	kind=script id=${2:-diff-${test//\//-}-$cfg_id}
	id=${id//diff-diff-/diff-}
	script_config=$config
	cmd=(bash tests/diff-test.sh "$id" "${test#diff/}") ;;
vkdiff)
	kind=script id=${2:-vkdiff-$cfg_id}
	script_config=$config
	cmd=(env UNDER=vkernel bash tests/diff-test.sh "$id") ;;
vkdiff/*)
	kind=script id=${2:-vkdiff-${test#vkdiff/}-$cfg_id}
	id=${id//\//-}
	script_config=$config
	cmd=(env UNDER=vkernel bash tests/diff-test.sh "$id" "${test#vkdiff/}") ;;
host)
	kind=script id=${2:-host}
	# shellcheck disable=SC2206
	bins=(${HOST_BINS:-$(ls build/host/test_* 2>/dev/null)})
	cmd=(bash tests/run-host.sh "${bins[@]}") ;;
host/*)
	kind=script id=${2:-host-${test#host/}}
	cmd=(bash tests/run-host.sh "build/host/test_${test#host/}") ;;
abi)
	kind=script id=${2:-abi}
	cmd=(abi_check) ;;
model)
	kind=script id=${2:-model}
	cmd=(bash tests/model/run.sh) ;;
readme)
	kind=script id=${2:-readme}
	cmd=(bash tests/readme-test.sh) ;;
format)
	kind=script id=${2:-format}
	cmd=(bash tests/check-format.sh) ;;
nowitness/*)
	suite=${test#nowitness/}
	[ -f "user/tests/$suite/suite.c" ] || {
		echo "check.sh: no test suite named '$suite' (make help-tests lists them)" >&2
		exit 2
	}
	id=${2:-$suite-nowitness-$cfg_id}
	cmdline="witness=off init=/bin/init -- /tests/$suite${seed:+ -s $seed}"
	expect=ktest ;;
*/*)
	suite=${test%%/*} name=${test#*/}
	[ -f "user/tests/$suite/suite.c" ] || {
		echo "check.sh: no test named '$test' (make help-tests lists them)" >&2
		exit 2
	}
	id=${2:-$suite-$name-$cfg_id}
	cmdline="init=/bin/init -- /tests/$suite${seed:+ -s $seed} $name"
	expect=ktest ;;
*)
	[ -f "user/tests/$test/suite.c" ] || {
		echo "check.sh: no test named '$test' (make help-tests lists them)" >&2
		exit 2
	}
	# A user test suite (user/tests/NAME).
	id=${2:-$test-$cfg_id}
	cmdline="init=/bin/init -- /tests/$test${seed:+ -s $seed}"
	expect=ktest ;;
esac

rm -f "$RESULTS_DIR/$id.result"
if [ "$kind" = boot ]; then
	repro="make check TEST=$test${seed:+ SEED=$seed} $config"
	bash tests/run-qemu.sh "$id" "$cmdline" "$expect" "$repro"
else
	script_check "${cmd[@]}" | tee "$RESULTS_DIR/$id.tap"
fi
read -r passed failed < "$RESULTS_DIR/$id.result" 2>/dev/null || passed=0 failed=1
[ "${SUMMARY:-}" != 1 ] || echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
