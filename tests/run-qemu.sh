#!/usr/bin/env bash
# Boot an ISO in QEMU once and judge the run.
#
#   run-qemu.sh NAME ISO MACHINE CPU MEM CMDLINE [EXPECT]
#
# Prints the serial output as it comes, then one TAP line for the boot
# itself.  For a ktest run (EXPECT=ktest) it checks the kernel's own
# "N passed, N failed" line against QEMU's exit status (2*failures+1);
# for a plain boot (EXPECT=boot) it wants "ready for init", init's
# "init: exit status 0" line and exit status 1.  A user test program run
# by init (EXPECT=ktest too) reports like the self tests: its exit status,
# the failure count, becomes init's and so QEMU's.  A panic (status 255), a
# timeout or a missing summary is a failure with the command to rerun it.
# EXPECT=panic:TEXT wants a panic instead: status 255, a "panic: " line
# containing TEXT, a register dump, and a backtrace naming a function.
# Writes "PASSED FAILED" counts to $RESULTS if set.
set -u
name=$1 iso=$2 machine=$3 cpu=$4 mem=$5 cmdline=$6 expect=${7:-ktest}
timeout_s=${QEMU_TIMEOUT:-300}
log=build/logs/$name.log
mkdir -p build/logs

timeout --foreground "$timeout_s" qemu-system-x86_64 -machine "$machine" \
	-cpu "$cpu" -m "$mem" -cdrom "$iso" -serial stdio -display none \
	-monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	</dev/null 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

repro="make run MACHINE=$machine CPU=$cpu MEM=$mem CMDLINE='$cmdline'"
passed=0 failed=0 why=""
summary=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
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
if [ -n "$why" ]; then
	echo "not ok - $name: $why"
	echo "#   reproduce: $repro"
	failed=$((failed + 1))
else
	echo "ok - $name"
	[ "$failed" -eq 0 ] || echo "#   reproduce: $repro"
fi
[ -z "${RESULTS:-}" ] || echo "$passed $failed" >> "$RESULTS"
