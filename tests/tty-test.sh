#!/usr/bin/env bash
# The terminal as a person uses it: boot with init running /bin/ttyprobe
# (user/bin/ttyprobe.c, a tiny job-control shell), the serial console on
# a unix socket (boot/qemu.sh socket), and type at it from
# tests/tty-test.py: canonical editing, ^U, ^W, ^D, ^C, ^\, ^Z then fg,
# raw mode and VTIME.
#
#   bash tests/tty-test.sh [ID [SESSION]]   (make check TEST=tty, TEST=ash)
#
# SESSION is tests/tty-test.py's: probe (the default) or ash, BusyBox's
# shell as `make run` starts it: line editing, history, tab completion,
# ^C, ^Z and fg.
#
# Prints TAP, then "N passed, N failed"; the exit status is the number of
# failures.  The boot uses MACHINE, CPU, MEM, CPUS (default q35, max,
# 256M, 1), MTTCG and QEMU_TIMEOUT; the console is saved in
# $RESULTS_DIR/ID.log (default build/test-results/check/tty.log).
set -u
cd "$(dirname "$0")/.." || exit 1
id=${1:-tty}
dir=${RESULTS_DIR:-build/test-results/check}
mkdir -p "$dir"
sockdir=$(mktemp -d "${TMPDIR:-/tmp}/tty-test.XXXXXX") || exit 1
trap 'rm -rf "$sockdir"' EXIT
SERIAL_SOCK=$sockdir/serial.sock QEMU_TIMEOUT=${QEMU_TIMEOUT:-300} \
	python3 tests/tty-test.py "$dir/$id.log" "${2:-probe}"
