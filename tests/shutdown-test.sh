#!/usr/bin/env bash
# Leaving the machine from user space: reboot(2) through BusyBox's
# poweroff -f and reboot -f, our init's shutdown when BusyBox's
# poweroff (no -f) signals it, and init exiting (ABI.md section 1).
#
#   bash tests/shutdown-test.sh [ID]       (make check TEST=shutdown)
#
# Each boot must print the kernel's line and leave QEMU with the status
# ABI.md section 1 gives (isa-debug-exit 0: QEMU's 1) or, for a restart
# under -no-reboot, 0.  MACHINE, CPU, MEM and CPUS are boot/qemu.sh's;
# the consoles go to $RESULTS_DIR/ID-N.log.  Prints TAP and "N passed, N
# failed".
set -u
cd "$(dirname "$0")/.." || exit 1
id=${1:-shutdown}
dir=${RESULTS_DIR:-build/test-results/check}
mkdir -p "$dir"
cfg="MACHINE=${MACHINE:-q35} CPU=${CPU:-max} MEM=${MEM:-256M} CPUS=${CPUS:-1}"
passed=0 failed=0 n=0

# boot WHAT CMDLINE STATUS LINE [ABSENT]: boot; want QEMU's STATUS, the
# console line LINE, and no line ABSENT.
boot() {
	local what=$1 cmdline=$2 want=$3 line=$4 absent=${5:-} log rc why=
	n=$((n + 1))
	log=$dir/$id-$n.log
	CMDLINE=$cmdline QEMU_TIMEOUT=${QEMU_TIMEOUT:-120} bash boot/qemu.sh batch \
		</dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" != "$want" ]; then
		why="QEMU's status $rc, not $want"
	elif ! grep -qxF "$line" "$log"; then
		why="no line '$line'"
	elif [ -n "$absent" ] && grep -qxF "$absent" "$log"; then
		why="a line '$absent'"
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "ok $n - $what"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what"
		echo "#   $why; the console: $log"
		tail -n 5 "$log" | sed 's/^/#   | /'
		echo "#   reproduce: make check TEST=shutdown $cfg"
	fi
}

boot "poweroff -f: reboot(POWER_OFF) prints 'reboot: Power down', QEMU exits 1" \
	"init=/bin/busybox -- poweroff -f" 1 "reboot: Power down"
boot "reboot -f: reboot(RESTART) resets the machine; QEMU (-no-reboot) exits 0" \
	"init=/bin/busybox -- reboot -f" 0 "reboot: Restarting system"
boot "poweroff from a shell: init ends every process and powers off" \
	"init=/bin/init -- /bin/sh /tests/shutdown/poweroff.sh" 1 "reboot: Power down" \
	"not reached"
boot "init exits with children of its own running: 'init: exit status 3', QEMU exits 7" \
	"init=/bin/sh -- /tests/shutdown/orphans.sh" 7 "init: exit status 3"
echo "1..$n"
echo "$passed passed, $failed failed"
exit "$failed"
