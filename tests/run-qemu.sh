#!/usr/bin/env bash
# Boot once (boot/qemu.sh batch) and judge the run.
#
#   run-qemu.sh ID CMDLINE EXPECT REPRO
#
# MACHINE, CPU, MEM, CPUS, MTTCG, QEMU_TIMEOUT and QEMU_ARGS come from the
# environment (tests/check.sh sets them).  Prints the console output, then
# one TAP line for the boot itself.  For a ktest run (EXPECT=ktest) it checks the
# kernel's own "N passed, N failed" line against QEMU's exit status
# (2*failures+1); for a plain boot (EXPECT=boot) it wants "ready for
# init", init's "init: exit status 0" line and exit status 1.  A user test
# program run by init (EXPECT=ktest too) reports like the self tests: its
# exit status, the failure count, becomes init's and so QEMU's.  A panic
# (status 255), a timeout or a missing summary is a failure, printed with
# REPRO, the command that reruns it.  EXPECT=panic:TEXT wants a panic
# instead: status 255, a "panic: " line containing TEXT, a register dump,
# and a backtrace naming a function.  With CPUS > 1 every boot but a
# panic must also bring every CPU online ("mp: N CPUs online").
#
# The reproduce lines the kernel and the suites print ("make run
# CMDLINE='ktest=NAME seed=N'", "make check TEST=usertests/NAME") are
# rewritten into the full make check command with this boot's MACHINE,
# CPU, MEM and CPUS (and MTTCG=0 when it ran so).
#
# Writes to $RESULTS_DIR: ID.log (the console, as QEMU wrote it), ID.tap
# (its TAP lines, then the verdict) and ID.result ("PASSED FAILED").
set -u
id=$1 cmdline=$2 expect=$3 repro=$4
machine=${MACHINE:-q35} cpu=${CPU:-max} mem=${MEM:-256M} cpus=${CPUS:-1}
timeout_s=${QEMU_TIMEOUT:-300}
dir=${RESULTS_DIR:-build/test-results/check}
log=$dir/$id.log
tap=$dir/$id.tap
mkdir -p "$dir"

# Rewrite the reproduce lines of the console into make check commands.
cfg="MACHINE=$machine CPU=$cpu MEM=$mem CPUS=$cpus"
[ "${MTTCG:-1}" != 0 ] || cfg="$cfg MTTCG=0"
rewrite() {
	sed -u -e 's/\r$//' \
		-e "s|reproduce: make run CMDLINE='ktest=\([^ ']*\) seed=1'.*\$|reproduce: make check TEST=ktest/\1 $cfg|" \
		-e "s|reproduce: make run CMDLINE='ktest=\([^ ']*\) seed=\([0-9]*\)'.*\$|reproduce: make check TEST=ktest/\1 SEED=\2 $cfg|" \
		-e "s|reproduce: make run CMDLINE='init=/bin/init -- /tests/\([a-z]*\) -s \([0-9]*\) \([^ ']*\)'\$|reproduce: make check TEST=\1/\3 SEED=\2 $cfg|" \
		-e "s|reproduce: make run CMDLINE='init=/bin/init -- /tests/\([a-z]*\) \([^ ']*\)'\$|reproduce: make check TEST=\1/\2 $cfg|" \
		-e "s|reproduce: make run CMDLINE='init=/bin/init -- /tests/\([a-z]*\)'\$|reproduce: make check TEST=\1 $cfg|" \
		-e "s|reproduce: make check SEED=\([0-9]*\) TEST=\([^ ]*\)\$|reproduce: make check TEST=\2 SEED=\1 $cfg|" \
		-e "s|reproduce: make check TEST=\([^ ]*\) SEED=\([0-9]*\)\$|reproduce: make check TEST=\1 SEED=\2 $cfg|" \
		-e "s|reproduce: make check TEST=\([^ ]*\)\$|reproduce: make check TEST=\1 $cfg|"
}

CMDLINE=$cmdline QEMU_TIMEOUT=$timeout_s bash boot/qemu.sh batch | tee "$log" | rewrite
rc=${PIPESTATUS[0]}

passed=0 failed=0 why=""
summary=$(tr -d '\r' < "$log" | grep -aE '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
case "$rc" in
124) why="timed out after ${timeout_s}s" ;;
255) [ "${expect%%:*}" = panic ] || why="kernel panic (see the panic line above)" ;;
esac
if [ -z "$why" ] && [ "$expect" = ktest ]; then
	if [ -z "$summary" ]; then
		why="no 'N passed, N failed' line (QEMU status $rc)"
	else
		passed=$(echo "$summary" | awk '{print $1}')
		failed=$(echo "$summary" | awk '{print $3}')
		if [ $((rc % 2)) -ne 1 ] || [ $(((rc - 1) / 2)) -ne "$failed" ]; then
			why="QEMU status $rc does not match '$summary'"
		fi
	fi
elif [ "${expect%%:*}" = panic ]; then
	why=""
	grep -aq "^panic: .*${expect#panic:}" "$log" || why="no 'panic: ...${expect#panic:}' line"
	grep -aq '^rip=\|^rsp=' "$log" || why="${why:+$why; }no register dump"
	grep -aq '^  #[0-9]* 0x[0-9a-f]* <[a-z_]*+0x' "$log" || why="${why:+$why; }no symbolic backtrace"
	[ "$rc" -eq 255 ] || why="${why:+$why; }QEMU status $rc, expected 255"
	[ -n "$why" ] || passed=1
elif [ -z "$why" ]; then
	grep -aq 'ready for init' "$log" || why="no 'ready for init' line"
	grep -aq '^init: exit status 0' "$log" || why="${why:+$why; }no 'init: exit status 0' line"
	[ "$rc" -eq 1 ] || why="${why:+$why; }QEMU status $rc, expected 1"
	[ -n "$why" ] || passed=1
fi

# Every CPU of the machine came up (a CPU the kernel skips is reported and
# the boot goes on, but a test machine must not lose one).
if [ -z "$why" ] && [ "$cpus" -gt 1 ] && [ "${expect%%:*}" != panic ] &&
	! tr -d '\r' < "$log" | grep -aq "^mp: $cpus CPUs online"; then
	why="not every CPU came online (no 'mp: $cpus CPUs online' line)"
	[ "$expect" = ktest ] || passed=0
fi

# The TAP file: the console's TAP lines (rewritten), then the verdict.
rewrite < "$log" | grep -aE '^(ok|not ok)( |$)|^#|^[0-9]+\.\.[0-9]+|^[0-9]+ passed, [0-9]+ failed|^Bail out!' > "$tap"
{
	if [ -n "$why" ]; then
		echo "not ok - $id: $why"
		echo "#   reproduce: $repro"
	else
		echo "ok - $id"
		[ "$failed" -eq 0 ] || echo "#   reproduce: $repro"
	fi
} | tee -a "$tap"
[ "$why" = "" ] || failed=$((failed + 1))
echo "$passed $failed" > "$dir/$id.result"
