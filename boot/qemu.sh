#!/usr/bin/env bash
# Boot build/os.iso in QEMU with a kernel command line.  Every boot the
# project makes (make run, debug, gdb, check, test, bench) comes through
# here, so the machine is described once.
#
#   bash boot/qemu.sh MODE
#
# MODE is one of
#   run    the serial console and QEMU's monitor on this terminal (Ctrl-a x
#          quits, Ctrl-a c is the monitor), the console also copied to
#          $LOG; afterwards one line says how init ended ("init exited
#          with status 3", "init was killed by SIGSEGV") and the script
#          exits with init's status;
#   debug  as run, but QEMU waits for gdb on localhost:$GDB_PORT before
#          the first instruction;
#   gdb    QEMU stopped in the background (console to $LOG), and gdb in
#          the foreground with the kernel's symbols (boot/kernel.gdb);
#          QEMU is stopped when gdb exits;
#   batch  for the tests: the console on stdout, input from /dev/null, no
#          monitor; QEMU is killed after $QEMU_TIMEOUT seconds (status
#          124).  The exit status is QEMU's.
#   socket for the terminal tests (tests/tty-test.sh): as batch, but the
#          serial console is a unix socket, $SERIAL_SOCK, that QEMU
#          listens on and waits for a client before the machine starts.
#
# The environment gives the make variables of the same names: ISO
# (default build/os.iso), CMDLINE, MACHINE (q35), CPU (max), MEM (256M),
# CPUS (1), MTTCG (1), QEMU_ARGS, GDB_PORT (1234), QEMU_TIMEOUT (300), and
# LOG (the console copy; default build/logs/run.log, or gdb.log).
#
# The CPUs are emulated by multi-threaded TCG (-accel tcg,thread=multi):
# each virtual CPU is a host thread, so with CPUS > 1 they really run at
# the same time and races can happen as on hardware.  (It is QEMU's own
# default for an x86 guest on an x86 host; it is written out so that the
# tests do not depend on it.)  MTTCG=0 gives thread=single, one host
# thread taking the CPUs in turn.  -icount, which needs one thread, and
# an -accel or -enable-kvm of QEMU_ARGS leave the accelerator to QEMU_ARGS.
#
# The command line reaches GRUB as the machine's one SMBIOS OEM string
# (-smbios type=11,value=...), which boot/grub.cfg reads; so one ISO
# serves every command line.
set -u

mode=${1:?usage: boot/qemu.sh run|debug|gdb|batch|socket}
iso=${ISO:-build/os.iso}
cmdline=${CMDLINE:-}
machine=${MACHINE:-q35}
cpu=${CPU:-max}
mem=${MEM:-256M}
cpus=${CPUS:-1}
mttcg=${MTTCG:-1}
gdb_port=${GDB_PORT:-1234}
timeout_s=${QEMU_TIMEOUT:-300}
if [ "$mode" = gdb ]; then
	log=${LOG:-build/logs/gdb.log}
else
	log=${LOG:-build/logs/run.log}
fi

# check_cmdline LINE: fail, saying why, unless GRUB can pass LINE on.
check_cmdline() {
	if [ ${#1} -gt 1023 ]; then
		echo "qemu.sh: the command line is ${#1} bytes; the kernel takes 1023" >&2
		return 1
	fi
	case $1 in
	*[$'\n\r']*)
		echo "qemu.sh: the command line has a line break" >&2
		return 1 ;;
	esac
}

# signal_name N: SIGSEGV for 11, or "signal N".
signal_name() {
	local n
	n=$(kill -l "$1" 2>/dev/null) && echo "SIG$n" || echo "signal $1"
}

# report RC: say how the boot ended from QEMU's status RC and the console
# log, and exit with init's status (or the kernel's, or QEMU's).  The
# kernel prints "init: exit status s" (s = 128 + n when a signal n ended
# init) and leaves QEMU with 2*(s & 0x7f)+1 (ABI.md section 1); a fault
# that kills a process prints "pid P (NAME): ... killed by SIGxxx", and
# /bin/init says "init: PATH killed by signal n" when its child dies so.
report() {
	local rc=$1 line s sig child
	line=$(tr -d '\r' < "$log" 2>/dev/null | grep -a '^init: exit status [0-9]*$' | tail -n 1)
	s=${line##* }
	if [ -n "$line" ]; then
		sig=$(tr -d '\r' < "$log" | sed -n 's/^pid 1 ([^)]*): .*killed by \(SIG[A-Z0-9]*\)$/\1/p' | tail -n 1)
		child=$(tr -d '\r' < "$log" | sed -n 's/^init: \(.*\) killed by signal \([0-9]*\)$/\1 \2/p' | tail -n 1)
		if [ -n "$sig" ]; then
			echo "init was killed by $sig (exit status $s)"
		elif [ -n "$child" ] && [ "$s" -eq $((128 + ${child##* })) ]; then
			echo "init exited with status $s: ${child% *} was killed by $(signal_name "${child##* }")"
		elif [ "$s" -gt 128 ] && [ "$s" -lt 193 ]; then
			echo "init was killed by $(signal_name $((s - 128))) (exit status $s)"
		else
			echo "init exited with status $s"
		fi
		exit "$s"
	fi
	case $rc in
	255)
		echo "the kernel panicked (QEMU exit status 255)"
		exit 255 ;;
	124)
		echo "QEMU was stopped after ${timeout_s}s"
		exit 124 ;;
	0)
		echo "QEMU was quit (status 0)"
		exit 0 ;;
	esac
	if [ $((rc % 2)) -eq 1 ]; then
		echo "the kernel exited with status $(((rc - 1) / 2))"
		exit $(((rc - 1) / 2))
	fi
	echo "QEMU exited with status $rc"
	exit "$rc"
}

if [ ! -f "$iso" ]; then
	echo "qemu.sh: no $iso (run make first)" >&2
	exit 1
fi
check_cmdline "$cmdline" || exit 1

qemu=(qemu-system-x86_64 -machine "$machine" -cpu "$cpu" -m "$mem"
	-smp "$cpus" -no-reboot -display none
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso")
# QEMU's option syntax doubles a comma inside a value.
[ -z "$cmdline" ] || qemu+=(-smbios "type=11,value=${cmdline//,/,,}")
# QEMU_ARGS is split into words on purpose: it holds options.
# shellcheck disable=SC2206
extra=(${QEMU_ARGS:-})
case " ${QEMU_ARGS:-} " in
*" -icount "* | *" -accel "* | *" -enable-kvm "*) ;;
*)
	if [ "$mttcg" = 0 ]; then
		qemu+=(-accel tcg,thread=single)
	else
		qemu+=(-accel tcg,thread=multi)
	fi ;;
esac

case $mode in
batch)
	exec timeout --foreground "$timeout_s" "${qemu[@]}" -serial stdio \
		-monitor none "${extra[@]}" </dev/null 2>&1
	;;
socket)
	exec timeout --foreground "$timeout_s" "${qemu[@]}" \
		-serial "unix:${SERIAL_SOCK:?socket mode needs SERIAL_SOCK},server=on,wait=on" \
		-monitor none "${extra[@]}" </dev/null 2>&1
	;;
run | debug)
	mkdir -p "$(dirname "$log")"
	: > "$log"
	stop=()
	if [ "$mode" = debug ]; then
		echo "QEMU waits for gdb on localhost:$gdb_port.  In another terminal:"
		echo "    gdb -ex 'set \$port = $gdb_port' -x boot/kernel.gdb"
		stop=(-S -gdb "tcp:localhost:$gdb_port")
	fi
	"${qemu[@]}" -chardev "stdio,id=con,mux=on,logfile=$log" \
		-serial chardev:con -mon chardev=con,mode=readline \
		"${stop[@]}" "${extra[@]}"
	report $?
	;;
gdb)
	mkdir -p "$(dirname "$log")"
	: > "$log"
	"${qemu[@]}" -serial "file:$log" -monitor none -S \
		-gdb "tcp:localhost:$gdb_port" "${extra[@]}" </dev/null &
	qemu_pid=$!
	echo "QEMU (pid $qemu_pid) is stopped before the first instruction;"
	echo "its console goes to $log (tail -f it in another terminal)."
	echo "For a user program's symbols, in gdb:"
	echo "    add-symbol-file build/user/obj/bin/NAME.elf"
	gdb -q -ex "set \$port = $gdb_port" -x boot/kernel.gdb
	kill "$qemu_pid" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
	exit 0
	;;
*)
	echo "usage: boot/qemu.sh run|debug|gdb|batch|socket" >&2
	exit 2
	;;
esac
