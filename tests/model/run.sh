#!/usr/bin/env bash
# Model-check the vmspace_entry reference protocol (tests/model/
# vmspace_entry.pml) and the vDSO's read of the vvar page (tests/model/
# vvar_seq.pml) with spin, and check that the models catch seeded bugs
# and are not vacuous.  Prints TAP and a closing "N passed, N failed"
# line; the exit status is the number of failures (capped at 126).
#
#   bash tests/model/run.sh            everything (about a minute on 2 idle cores)
#   KEEP=1 bash tests/model/run.sh     keep the work directory
#
# Each check builds pan in its own directory under a mktemp -d, so nothing
# is written into the repository.  On a failure the directory is kept and
# the command replaying pan's counterexample is printed.  The two complete
# searches run in parallel with the rest.
set -u

here=$(cd "$(dirname "$0")" && pwd)
# The model the functions below check; a call may set another first
# (model=$here/vvar_seq.pml must_pass ...).
model=$here/vmspace_entry.pml

for tool in spin gcc timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "not ok 1 - $tool is installed (apt-get install spin gcc)"
		echo "#   reproduce: make check TEST=model"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vmspace-model.XXXXXX") || exit 1
[ -z "${KEEP:-}" ] || touch "$work/KEEP"
trap '[ -e "$work/KEEP" ] || rm -rf "$work"' EXIT

# Each check below prints one "PASS description" or "FAIL description"
# line, then any comment lines; the end of the script numbers them as TAP.

# build NAME [spin -D flags...]: spin -a and gcc in $work/NAME, printing
# the directory.  Safety mode: assertions and invalid end states.
# COLLAPSE compresses stored states.  OPT (default -O0): pan runs at half
# the speed of -O2 but builds in 1 s instead of 7, a gain for every check
# but the complete searches (about 20 million states), built with -O2.
build() {
	local dir=$work/$1; shift
	mkdir -p "$dir"
	cp "$model" "$dir/"
	if (cd "$dir" &&
		spin "$@" -a "$(basename "$model")" >spin.log 2>&1 &&
		gcc "${OPT:--O0}" -w -DSAFETY -DCOLLAPSE -o pan pan.c >gcc.log 2>&1); then
		echo "$dir"
	else
		cat "$dir/spin.log" "$dir/gcc.log" 2>/dev/null | head -n 20 >&2
		return 1
	fi
}

# verify DIR: runs pan (depth bound far above the model's ~370), for at
# most PAN_TIMEOUT seconds (default 900: a complete search takes about a
# minute on an idle core); its output is left in DIR/pan.out.
verify() {
	(cd "$1" && timeout "${PAN_TIMEOUT:-900}" ./pan -m100000 >pan.out 2>&1)
}

errors_of() {
	sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$1/pan.out" | tail -n 1
}

states_of() {
	awk '/states, stored/ {print $1; exit}' "$1/pan.out"
}

# replay_hint DIR FLAGS: keep DIR, and say how to see the counterexample.
replay_hint() {
	touch "$work/KEEP"
	echo "#   pan output: $1/pan.out"
	local pml
	pml=$(basename "$model")
	if [ -e "$1/$pml.trail" ]; then
		echo "#   trail: cd $1 && spin $2 -t -p -g -l $pml"
	fi
}

# must_pass NAME DESCRIPTION [flags]: no error, and a complete search.
must_pass() {
	local name=$1 desc=$2; shift 2
	local dir errs
	if ! dir=$(OPT=-O2 build "$name" "$@" 2>"$work/$name.err"); then
		echo "FAIL $desc: spin/gcc failed"
		sed 's/^/#   /' "$work/$name.err"
		return
	fi
	verify "$dir"
	errs=$(errors_of "$dir")
	if [ "$errs" = 0 ] &&
		! grep -qE 'Search not completed|max search depth too small|out of memory' "$dir/pan.out"; then
		echo "PASS $desc: no errors in $(states_of "$dir") states"
	else
		echo "FAIL $desc: pan reports ${errs:-no result}"
		grep -E '^pan:[0-9]+:|max search depth|out of memory' \
			"$dir/pan.out" | head -n 3 | sed 's/^/#   /'
		replay_hint "$dir" "$*"
	fi
}

# must_fail NAME DESCRIPTION PATTERN [flags]: pan finds an error, and the
# violation it reports matches PATTERN (the property meant to catch it).
must_fail() {
	local name=$1 desc=$2 pattern=$3; shift 3
	local dir errs what
	if ! dir=$(build "$name" "$@" 2>"$work/$name.err"); then
		echo "FAIL $desc: spin/gcc failed"
		sed 's/^/#   /' "$work/$name.err"
		return
	fi
	verify "$dir"
	errs=$(errors_of "$dir")
	what=$(grep -m 1 -E '^pan:[0-9]+:' "$dir/pan.out" | sed 's/ (at depth.*//')
	if [ "${errs:-0}" -ge 1 ] && echo "$what" | grep -qE "$pattern"; then
		echo "PASS $desc is caught"
		echo "#   $what"
		echo "#   trail (kept only with KEEP=1): spin $* -t -p -g -l $(basename "$model")"
	else
		echo "FAIL $desc is caught: pan reports ${errs:-no} errors${what:+ ($what)}"
		echo "#   expected a violation matching: $pattern"
		replay_hint "$dir" "$*"
	fi
}

# coverage: the model is not vacuous.  One build; with COVER=k in the
# environment, reaching mark k is an assertion failure, which pan must find
# for every k (the C_* marks of vmspace_entry.pml).
coverage() {
	local dir ncover k missed=""
	if ! dir=$(build coverage -DCOVERAGE 2>"$work/coverage.err"); then
		echo "FAIL every marked protocol path is reachable: spin/gcc failed"
		sed 's/^/#   /' "$work/coverage.err"
		return
	fi
	ncover=$(sed -n 's/^#define NCOVER[[:space:]]*\([0-9]*\).*/\1/p' "$model")
	for k in $(seq 1 "$ncover"); do
		(cd "$dir" && COVER=$k timeout "${PAN_TIMEOUT:-900}" ./pan -m100000 >"pan.$k.out" 2>&1)
		grep -q "assertion violated (cover_target!=$k)" "$dir/pan.$k.out" ||
			missed="$missed $k"
	done
	if [ -n "$ncover" ] && [ -z "$missed" ]; then
		echo "PASS every marked protocol path is reachable ($ncover of $ncover)"
	else
		echo "FAIL every marked protocol path is reachable: never reached:${missed:- (no NCOVER)}"
		touch "$work/KEEP"
		echo "#   pan output: $dir/pan.<mark>.out"
	fi
}

start=$(date +%s)

# 1. The protocol as this kernel implements it (the seed's, with the
#    lookup's ref dropped on EBUSY, the guest FPU contexts' cache refs and
#    the teardown after the token), three operations per runner LWP.
must_pass correct "vmspace entry protocol" >"$work/r1" &

# 5. The seed's order, the teardown under DragonFly's LWKT token, which is
#    let go while its holder blocks in it.
must_pass lwkt "vmspace entry protocol with an LWKT token (let go while blocked)" \
	-DLWKT_TOKEN >"$work/r5" &

# 2. The required seeded bug: free on the 1->0 transition of refs instead
#    of on the last cache_refs drop; the first error is a use after free.
must_fail bug_refs "seeded bug (free on refs 1->0)" '!\(kfreed\[' \
	-DBUG_FREE_ON_REFS_ZERO >"$work/r2"

# 3. The seed's own destroy never drops its lookup's active ref on EBUSY:
#    the entry keeps refs 1 after every LWP is gone (a leak, and
#    vkernel_exit would panic), or a later destroy gets EBUSY with nobody
#    active.
must_fail seed_ebusy "seed's EBUSY path (lookup ref never dropped)" \
	'refs\[[0-9]\]==0|holders|busy' -DSEED_EBUSY_NODROP >"$work/r3"

# 4. The older revision's test-then-set of "deleted" (no CAS) against the
#    token-free cache lookup: a lost increment (refs underflow), or a guest
#    or lookup using torn-down pages.
must_fail bug_cas "seeded bug (VKE_REF_DELETED set by test-then-store, not CAS)" \
	'16383|pages|holders|kfreed' -DBUG_NONATOMIC_CAS >"$work/r4"

# 6. Every marked path reachable.
coverage >"$work/r6"

# 7. The guest FPU contexts of an LWP (struct vkernel_fpu) without their
#    cache references: an entry is freed while a context still points at
#    it, and letting the context go uses freed memory.
must_fail bug_fpu "seeded bug (an LWP's FPU context without a cache reference)" \
	'kfreed' -DBUG_FPU_NO_REF >"$work/r7"

# 8-13. The vDSO's read of the vvar page, with no odd test: correct as
#    the kernel writes and the vDSO reads, and with either the mark after
#    the odd count or the split read first (not both); the seeded bugs
#    are caught.  Seconds each.
vvar=$here/vvar_seq.pml
model=$vvar must_pass vvar "vvar page read without an odd test" >"$work/r8"
model=$vvar must_pass vvar_first "vvar page read, the split read first" \
	-DREAD_SPLIT_FIRST >"$work/r9"
model=$vvar must_pass vvar_late "vvar page read, the mark after the odd count" \
	-DMARK_AFTER_ODD >"$work/r10"
model=$vvar must_fail vvar_even "seeded bug (the new split before the even count)" \
	'assertion violated' -DBUG_SPLIT_BEFORE_EVEN >"$work/r11"
model=$vvar must_fail vvar_nomark "seeded bug (no mark)" \
	'assertion violated' -DBUG_NO_MARK >"$work/r12"
model=$vvar must_fail vvar_both "seeded bug (the mark after the odd count, the split read first)" \
	'assertion violated' -DMARK_AFTER_ODD -DREAD_SPLIT_FIRST >"$work/r13"

wait

n=0 passed=0 failed=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
	n=$((n + 1))
	line=$(head -n 1 "$work/r$i" 2>/dev/null)
	case $line in
	"PASS "*)
		passed=$((passed + 1))
		echo "ok $n - ${line#PASS }"
		tail -n +2 "$work/r$i"
		;;
	*)
		failed=$((failed + 1))
		echo "not ok $n - ${line#FAIL }"
		tail -n +2 "$work/r$i"
		echo "#   reproduce: make check TEST=model (KEEP=1 make check TEST=model keeps the pan directories)"
		;;
	esac
done
echo "# model checking took $(($(date +%s) - start)) s; work directory $work$([ -e "$work/KEEP" ] && echo " (kept)" || echo " (removed)")"
echo "$passed passed, $failed failed"
[ "$failed" -le 126 ] || failed=126
exit "$failed"
