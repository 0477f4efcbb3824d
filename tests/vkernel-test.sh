#!/usr/bin/env bash
# The virtual kernel in user space (user/bin/vkernel): boot our kernel
# with init running /bin/vkernel and judge the serial output.
#
#   bash tests/vkernel-test.sh [ID]      (make check TEST=vkernel)
#
# Three boots:
#   1. the vkernel running three guests at once, round robin: /bin/echo
#      (the musl hello world), /tests/vkguest (computes long enough to be
#      preempted, over memory given from page faults) and /bin/echo again.
#      Every guest's output and its stats line with "exited 0", at least
#      one timeout and one fault for vkguest, and QEMU status 1 (init's
#      exit status 0: every guest exited 0);
#   2. /tests/vkguest natively, without the vkernel: the same binary must
#      print the same sum;
#   3. with -v (a trace line on every syscall, fault and timeout: much
#      work for the vkernel between guest runs), vkguest again, which then
#      writes where it has no memory: its sum is still right (its SSE
#      registers survived the vkernel's printf), the vkernel kills it
#      ("segmentation fault"), the other guest still runs, and the vkernel
#      exits 1 (QEMU status 3);
#   4. BusyBox (Debian's static glibc binary) as two guests at once:
#      `busybox echo` and `busybox cat` of a file;
#   5. the issue's example, `busybox sh -c 'echo hi | cat; ls /bin | wc
#      -l'` (as the script /tests/vk/pipe.sh: the kernel command line
#      cannot carry quotes): a shell guest forking a guest per command,
#      connected by pipes;
#   6. /tests/vk/cases.sh natively with BusyBox's sh, and
#   7. the same under the vkernel: fork and wait, exec, pipes bigger
#      than a pipe's buffer, signals (trap, kill), redirections, cd...;
#      the two outputs must be the same, line by line;
#   8. /tests/vk/forks.sh: 100 forks and execs under the vkernel, each a
#      new guest whose descriptors and vmspace must be given back.
# Prints TAP, then "N passed, N failed"; the exit status is the number of
# failures.  The boots use MACHINE, CPU, MEM, CPUS (default q35, max, 256M,
# 1), MTTCG and QEMU_TIMEOUT; the serial logs are $RESULTS_DIR/ID-NAME.log (default
# build/test-results/check/vkernel-guests.log, ...).
set -u
cd "$(dirname "$0")/.." || exit 1
id=${1:-vkernel}
dir=${RESULTS_DIR:-build/test-results/check}
mkdir -p "$dir"

passed=0 failed=0 n=0
config="MACHINE=${MACHINE:-q35} CPU=${CPU:-max} MEM=${MEM:-256M} CPUS=${CPUS:-1}"
[ "${MTTCG:-1}" != 0 ] || config="$config MTTCG=0"

# check STATUS NAME [WHY]: one TAP line, "ok" if STATUS is 0.
check() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
		passed=$((passed + 1))
	else
		echo "not ok $n - $2${3:+: $3}"
		echo "#   reproduce: make check TEST=vkernel $config"
		failed=$((failed + 1))
	fi
}

# boot NAME CMDLINE: boot for CMDLINE; the serial output (without
# carriage returns) goes to $dir/$id-NAME.log, QEMU's status to $rc, the
# log's path to $log.
boot() {
	log=$dir/$id-$1.log
	CMDLINE=$2 bash boot/qemu.sh batch |
		tr -d '\r' > "$log"
	rc=${PIPESTATUS[0]}
	echo "# boot '$2': QEMU status $rc, log $log"
}

# stats N PROG: read guest N's line "vkernel: guest N (PROG) exited S:
# A syscalls, B faults, C timeouts" into st=S sc=A fa=B to=C and its text
# after "exited " into line; st is "none" if there is no such line.
stats() {
	local s
	s=$(sed -n "s|^vkernel: guest $1 ($2) exited \([0-9]*\): \([0-9]*\) syscalls, \([0-9]*\) faults, \([0-9]*\) timeouts\$|\1 \2 \3 \4|p" "$log" | head -n 1)
	read -r st sc fa to <<< "${s:-none 0 0 0}"
	line="exited $st ($sc syscalls, $fa faults, $to timeouts)"
	[ "$st" != none ] || line="no stats line"
}

# has TEXT: the log has a line that is exactly TEXT.
has() {
	grep -qxF -- "$1" "$log"
}

# ---- 1. three guests at once
boot guests "init=/bin/init -- /bin/vkernel /bin/echo hello from a guest -- /tests/vkguest -- /bin/echo second"
[ "$rc" -eq 1 ]
check $? "vkernel runs three guests; QEMU exits 1 (init exit status 0)" \
	"QEMU status $rc"
has "hello from a guest" && has "second" && grep -qE '^vkguest: sum [0-9]+$' "$log"
check $? "guest output: 'hello from a guest', 'vkguest: sum N', 'second'"
guest_sum=$(sed -n 's/^vkguest: sum \([0-9]*\)$/\1/p' "$log" | head -n 1)

stats 1 /bin/echo
[ "$st" = 0 ] && [ "$sc" -ge 1 ]
check $? "guest 1 (/bin/echo) exits 0: $line"

stats 2 /tests/vkguest
[ "$st" = 0 ] && [ "$sc" -ge 1 ] && [ "$fa" -ge 1 ] && [ "$to" -ge 1 ]
check $? "guest 2 (/tests/vkguest) exits 0 after at least 1 fault and 1 timeout: $line"

stats 3 /bin/echo
[ "$st" = 0 ] && [ "$sc" -ge 1 ]
check $? "guest 3 (/bin/echo) exits 0: $line"

# ---- 2. the same vkguest binary natively
boot native "init=/bin/init -- /tests/vkguest"
native_sum=$(sed -n 's/^vkguest: sum \([0-9]*\)$/\1/p' "$log" | head -n 1)
[ "$rc" -eq 1 ] && [ -n "$native_sum" ] && [ "$native_sum" = "$guest_sum" ]
check $? "vkguest natively prints the same sum as under the vkernel" \
	"native '${native_sum}', guest '${guest_sum}', QEMU status $rc"

# ---- 3. a guest touching memory it does not have
boot segv "init=/bin/init -- /bin/vkernel -v /tests/vkguest segv -- /bin/echo bystander"
traced_sum=$(sed -n 's/^vkguest: sum \([0-9]*\)$/\1/p' "$log" | head -n 1)
grep -q '^vkernel: guest 1: page fault at ' "$log" && [ -n "$traced_sum" ] &&
	[ "$traced_sum" = "$native_sum" ]
check $? "traced with -v, vkguest still prints the native sum (its SSE registers survive)" \
	"traced '${traced_sum}', native '${native_sum}'"
grep -qE '^vkernel: guest 1 \(/tests/vkguest\) killed \(segmentation fault at 0x1000, rip 0x[0-9a-f]+\): [0-9]+ syscalls, [0-9]+ faults, [0-9]+ timeouts$' "$log"
check $? "a guest writing to an address with no memory is killed: segmentation fault"
stats 2 /bin/echo
has "bystander" && [ "$st" = 0 ]
check $? "the other guest runs on and exits 0: $line"
[ "$rc" -eq 3 ]
check $? "vkernel exits 1 when a guest was killed (QEMU status 3)" "QEMU status $rc"

# output: the lines the programs printed in the last boot (after the
# kernel's "ready for init", before init's "exit status" line), without
# the vkernel's own lines.
output() {
	sed -n '/^kernel: ready for init/,/^init: exit status/p' "$log" |
		sed '1d;$d' | grep -v '^vkernel: '
}

# ---- 4. BusyBox applets as guests
boot bb "init=/bin/init -- /bin/vkernel /bin/busybox echo hello from busybox -- /bin/busybox cat /tests/vk/data.txt"
has "hello from busybox"
check $? "busybox echo under the vkernel prints 'hello from busybox'"
missing=0
while IFS= read -r l; do has "$l" || missing=1; done < user/root/tests/vk/data.txt
[ "$missing" = 0 ]
check $? "busybox cat under the vkernel prints the file's lines"
stats 1 /bin/busybox
s1=$st
stats 2 /bin/busybox
[ "$s1" = 0 ] && [ "$st" = 0 ] && [ "$rc" -eq 1 ]
check $? "both busybox guests exit 0 (QEMU status $rc)"

# ---- 5. the issue's pipeline: sh -c 'echo hi | cat; ls /bin | wc -l'
boot bb-pipe "init=/bin/init -- /bin/vkernel /bin/busybox sh /tests/vk/pipe.sh"
pipe_out=$(output | tr '\n' ' ')
stats 1 /bin/busybox
[ "$st" = 0 ] && [ "$rc" -eq 1 ]
check $? "busybox sh runs 'echo hi | cat; ls /bin | wc -l' under the vkernel: $line"

# ---- 6, 7. a shell script natively and under the vkernel
boot bb-native "init=/bin/init -- /bin/busybox sh /tests/vk/cases.sh"
native=$(output)
native_rc=$rc
boot bb-cases "init=/bin/init -- /bin/vkernel /bin/busybox sh /tests/vk/cases.sh"
guest=$(output)
[ "$native_rc" -eq 1 ] && printf '%s\n' "$native" | grep -q '^47 done$'
check $? "cases.sh runs natively to its end (QEMU status $native_rc)"
nls=$(printf '%s\n' "$native" | sed -n 's/^3 ls \/bin | wc -l: //p')
[ "$pipe_out" = "hi $nls " ]
check $? "the pipeline prints 'hi' and the native count of /bin" \
	"vkernel '$pipe_out', native 'hi $nls '"
stats 1 /bin/busybox
[ "$st" = 0 ] && [ "$rc" -eq 1 ]
check $? "cases.sh under the vkernel exits 0: $line"
if [ "$native" = "$guest" ]; then
	check 0 "cases.sh prints the same $(printf '%s\n' "$native" | wc -l) lines under the vkernel as natively"
else
	check 1 "cases.sh prints the same lines under the vkernel as natively"
	diff <(printf '%s\n' "$native") <(printf '%s\n' "$guest") | sed 's/^/#   /'
fi

# ---- 8. many guests, one after the other
start=$(date +%s)
boot bb-forks "init=/bin/init -- /bin/vkernel /bin/busybox sh /tests/vk/forks.sh"
echo "# 100 forks and execs under the vkernel: boot of $(($(date +%s) - start)) s"
stats 1 /bin/busybox
has "forks: 100" && [ "$st" = 0 ] && ! grep -q '^vkernel: vmspace_destroy' "$log"
check $? "100 guests forked and executed one after the other: $line"

echo "$passed passed, $failed failed"
exit "$failed"
