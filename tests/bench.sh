#!/usr/bin/env bash
# Benchmarks for `make bench`: instruction counts under `-icount shift=0`,
# where the TSC counts guest instructions.  The counts do not depend on
# the host; they vary by about 0.5% from run to run (timer interrupts
# land at different points), so a difference smaller than 1% is noise.
#
#   bash tests/bench.sh ISO BENCH_BINARY
#
# ISO is build/os.iso, booted through boot/qemu.sh, which hands it the
# kernel command line; BENCH_BINARY is the static user/bench/bench.c
# program (build/root/bench/bench).  Steps:
#
#   1. tests/bench-boot.sh ISO: boot instructions at several memory sizes.
#   2. Our kernel: boot with the command line init=/bench/bench
#      witness=off (the lock checker costs instructions; tests run with
#      it) and collect the `bench NAME VALUE` lines; then the same with
#      4 CPUs (BENCH_CPUS4=0 skips it; it takes seconds).
#   3. Linux: the same binary as /init of an initramfs, booted with
#      Debian's Linux 6.1 kernel in the same QEMU.  The kernel is fetched
#      once with `apt-get download` and kept in build/linux/; the results
#      are kept in build/linux/results-HASH.txt, HASH naming the binary
#      and the QEMU options, so later runs only boot our kernel.
#   4. A table: every benchmark with Linux's figure, ours, the ratio,
#      its goal (the targets below: issue 14's rows first) and whether
#      it is met, and ours with 4 CPUs against ours with 1 (issue 14:
#      no row more than 10% worse); "N of M goals met" closes section 5.
#   5. The scaling of the fault and mmap costs with the number of
#      existing mappings: ours with 10,000 against ours with 10, and a
#      text chart of ours and Linux's against the mapping count.
#   6. The scaling with CPUs (tests/bench-scale.sh): throughput of 2
#      processes at once against 1, with 2 CPUs under multi-threaded
#      TCG, for ours and Linux booted the same way in the same run.
#
# Always exits 0 when it could run at all: a missed goal is reported,
# it is not a test failure.
set -u -o pipefail

# ---------------------------------------------------------------------------
# Goals: benchmark name (as bench.c prints it), its goal, the Linux 6.1
# figure the project was given (instructions per operation; the
# baseline when Linux's own run gives no number for that benchmark, and
# shown with a `*` then), and ours "today" or `-`.  Add a row per new
# benchmark.  The goal is one of
#
#   R          ours / Linux at most R;
#   flat:BASE  ours at most flat_limit times ours of the row BASE (the
#              same operation without what this row adds);
#   scale      judged in section 5 against the other rows of the same
#              operation: the cost of a fault and of an mmap with 10,
#              1,000 and 10,000 existing mappings;
#
# and a row with a "today" figure must also stay at most today_limit
# times it: issue 14's goal for every row it does not name ("no worse
# than today"; today is ours when its rows were added).
targets=(
	# name                 goal                 reference  today
	# Issue 14's rows, in its order.
	"getppid               0.15                 332        -"
	# Linux measured here with -cpu max (as the issue's getppid).
	"getpid                0.15                 312        -"
	# Through musl, which takes clock_gettime from the vDSO when there is
	# one, and answers gettimeofday and time with clock_gettime.  Linux
	# measured here; clock_gettime is the issue's figure.
	"clock_gettime         0.6                  79         -"
	"gettimeofday          0.6                  109        -"
	"time                  0.6                  98         -"
	# Per yield, each a switch to the other process (bench.c checks that
	# they take turns): Linux measured here, with -cpu max and qemu64
	# alike.  The issue gives 900, which matches no switching yield.
	"sched_yield_pingpong  0.4                  2065       -"
	# Files (issue 12): 64 KiB through a pipe, Linux measured here with
	# -cpu max (the issue's 53,877 is with -cpu qemu64).
	"pipe_64k              0.4                  221700     -"
	# fork + execve of a 1 MiB static binary (/bench/big1m) + exit + wait:
	# the reference is the issue's Linux figure (Linux 6.1 measured here
	# with -cpu max: about 425,000; ours was 802,000 when exec copied
	# every page of the file, 70,000 since it maps them).
	"fork_exec_1m          0.25                 347052     -"
	# fork+exit+wait beside 100 children blocked in read; Linux's figure
	# is the issue's (qemu64); Linux itself is not flat (about +8%).
	"fork_exit_wait_100    flat:fork_exit_wait  123213     -"
	# The vmspace service against the nearest Linux tools, which bench.c
	# runs on Linux: a guest system call round trip against a
	# PTRACE_SYSEMU round trip (ptrace and waitpid) to a traced child;
	# the same to 1,000 vmspaces in turn against 1,000 traced children in
	# turn; 64 KiB copied out of and into a vmspace against
	# process_vm_readv and process_vm_writev with a child.  References:
	# measured here with -cpu max (with qemu64 the copies are about
	# 23,300: Linux copies with `rep movsb` when the CPU has ERMS).
	"vmspace_roundtrip     0.05                 10200      -"
	"vmspace_switch_1000   0.06                 8640       -"
	"vmspace_pread_64k     0.5                  80500      -"
	"vmspace_pwrite_64k    0.5                  80400      -"
	# The other rows: their own goals, and no worse than today.
	"fork_exit_wait        0.5                  108000     36990"
	"pipe_roundtrip        0.5                  11400      4676"
	"anon_fault            0.6                  3200       1761"
	"mmap_touch_munmap     0.3                  21800      5988"
	# Linux measured here with BENCH_CPU=qemu64 (as the figures above);
	# with -cpu max it is about 308,000.
	"fork_1m               0.3                  216600     40200"
	"fault_with_10         scale                -          -"
	"fault_with_1000       scale                -          -"
	"fault_with_10000      scale                -          -"
	"mmap_with_10          scale                -          -"
	"mmap_with_1000        scale                -          -"
	"mmap_with_10000       scale                -          -"
	# The nearest Linux tool measured under -icount: fork of a child that
	# populates 16 pages and exits.
	"vmspace_lifecycle     0.2                  186000     33095"
	# Threads (Linux 6.1 measured here with -cpu max; ours was 3,100,
	# 13,500 and 28,700 when they were added).
	"futex_pingpong        0.5                  7760       3209"
	"thread_create_join    0.3                  114400     14483"
	"clone_fork            0.5                  173400     33351"
	# Signals: Linux 6.1 measured here with -cpu max.
	"signal_self           0.5                  4240       1895"
	# File-system calls on tmpfs (issue 12): Linux 6.1 measured here with
	# -cpu max on a tmpfs mounted at /tmp (bench.c mounts it as init).
	"open_close            0.3                  10398      3009"
	"stat                  0.5                  7752       2059"
	"create_write_unlink   0.5                  39687      9469"
	"getdents_1000         0.5                  321535     153204"
)

# flat: within 1%; today: within 2% (counts of fork and exec move by up
# to about 1% from run to run, the others by less).
flat_limit=1.01
today_limit=1.02
# CPUS=4 (a second run of ours, BENCH_CPUS4=0 skips it): issue 14 asks
# that no row be more than 10% worse than with one CPU.
cpus4_limit=1.10

# Scaling checks: for each operation OP of scale_ops, bench.c prints
# OP_with_N for each N of mapping_counts (fewest first); ours with the
# most mappings must cost at most scale_limit times ours with the fewest.
mapping_counts="10 1000 10000"
scale_limit=2
scale_ops="fault mmap"

iso=${1:?usage: bench.sh ISO BENCH_BINARY}
bin=${2:?usage: bench.sh ISO BENCH_BINARY}
build=${BUILD:-build}
linuxdir=$build/linux
machine=${MACHINE:-q35}
cpu=${BENCH_CPU:-max}
timeout_s=${BENCH_TIMEOUT:-600}
linux_append='console=ttyS0 rdinit=/init quiet panic=-1'

# The QEMU both kernels run in; only the boot medium differs.
#
# The CPU model matters to the counts: under icount each iteration of a
# `rep movs`/`rep stos` counts as one instruction, and with -cpu max
# (which has ERMS) Linux clears pages with `rep stosb`, 4096
# "instructions" a page, and copies to and from user space with
# `rep movsb`.  Linux's fork_exit_wait is about 188,000 with -cpu max but
# 110,000 with the default qemu64 model (or -cpu max,-erms,-fsrm);
# getppid and pipe_roundtrip do not change.
# BENCH_CPU=qemu64 runs both kernels with the default model.
qemu=(qemu-system-x86_64 -machine "$machine" -cpu "$cpu" -m 256M -icount shift=0
	-serial stdio -display none -monitor none -no-reboot)

# bench_lines: the `bench NAME VALUE` and `bench done` lines of a console
# log on stdin, carriage returns removed, anything before `bench ` dropped.
bench_lines() {
	tr -d '\r' | sed -n 's/^.*\(bench [A-Za-z0-9_.-]* [0-9][0-9.]*\)$/\1/p; s/^.*\(bench done\)$/\1/p'
}

# ---------------------------------------------------------------------------
# 1. Boot time.

echo "== boot"
bash tests/bench-boot.sh "$iso"
echo

# ---------------------------------------------------------------------------
# 2. Our kernel.

echo "== system calls"
mkdir -p "$build"

# run_ours CPUS ICOUNT FILE LOG: boot our kernel with CPUS CPUs under
# -icount ICOUNT and bench as init; put its bench lines into FILE (empty
# when it could not run).
run_ours() {
	local ncpus=$1 icount=$2 file=$3 log=$4 start
	: >"$file"
	if [ ! -f "$bin" ]; then
		echo "ours: no bench binary at $bin"
		return 1
	fi
	if [ ! -f "$iso" ]; then
		echo "ours: no $iso (run make first)"
		return 1
	fi
	echo "ours: booting $iso with init=/bench/bench, CPUS=$ncpus (log: $log)"
	start=$SECONDS
	echo "boot/qemu.sh batch, MACHINE=$machine CPU=$cpu MEM=256M CPUS=$ncpus QEMU_ARGS='-icount $icount' CMDLINE='init=/bench/bench witness=off'" >"$log"
	ISO=$iso MACHINE=$machine CPU=$cpu MEM=256M CPUS=$ncpus \
		QEMU_ARGS="-icount $icount" CMDLINE='init=/bench/bench witness=off' \
		QEMU_TIMEOUT=$timeout_s \
		bash boot/qemu.sh batch >>"$log" 2>&1
	bench_lines <"$log" >"$file"
	if grep -q '^bench done$' "$file"; then
		echo "ours: done in $((SECONDS - start)) s"
	else
		echo "ours: no complete result after $((SECONDS - start)) s; last lines of the log:"
		tail -n 5 "$log" | sed 's/^/    /'
	fi
}

ours_file=$build/bench-ours.txt
run_ours 1 shift=0 "$ours_file" "$build/bench-ours.log"
# The same with 4 CPUs.  Under -icount QEMU runs them in turn on one
# host thread, so this measures the kernel's SMP paths (locks, wakeups
# of another CPU, IPIs), not parallelism.  sleep=off: while every CPU
# is halted the clock jumps to the next timer instead of following the
# host's clock, which on a loaded host put milliseconds of host time
# into a pipe round trip; with one CPU a timed part never leaves the
# CPU idle, so both runs count the same work.
ours4_file=
if [ "${BENCH_CPUS4:-1}" != 0 ]; then
	ours4_file=$build/bench-ours-cpus4.txt
	run_ours 4 shift=0,sleep=off "$ours4_file" "$build/bench-ours-cpus4.log"
fi

# ---------------------------------------------------------------------------
# 3. Linux (fetch_linux and linux_initramfs are in tests/bench-linux.sh).

# shellcheck source=tests/bench-linux.sh
. tests/bench-linux.sh

# run_linux: boot vmlinuz with the bench binary as /init; put its bench
# lines into $1.
run_linux() {
	local out=$1 vmlinuz=$2 hash=$3 cpio log start
	cpio=$linuxdir/bench-$hash.cpio
	log=$linuxdir/linux-$hash.log
	linux_initramfs "$bin" "$cpio" "${bench_files[@]}" || return 1
	echo "linux: booting $(basename "$vmlinuz") (log: $log)"
	start=$SECONDS
	echo "${qemu[*]} -kernel $vmlinuz -initrd $cpio -append '$linux_append'" >"$log"
	timeout "$timeout_s" "${qemu[@]}" -kernel "$vmlinuz" -initrd "$cpio" \
		-append "$linux_append" </dev/null >>"$log" 2>&1
	bench_lines <"$log" >"$out.tmp"
	if grep -q '^bench done$' "$out.tmp"; then
		mv "$out.tmp" "$out"
		echo "linux: done in $((SECONDS - start)) s"
	else
		rm -f "$out.tmp"
		echo "linux: no complete result after $((SECONDS - start)) s; last lines of the log:"
		tail -n 5 "$log" | sed 's/^/    /'
		return 1
	fi
}

# The programs benchmarks exec, beside the bench binary (/bench/ in
# both kernels' file systems).
bench_files=()
for f in "$(dirname "$bin")/big1m"; do
	[ -f "$f" ] && bench_files+=("$f")
done

linux_file=
if [ -f "$bin" ]; then
	# The cache key covers the binaries and how Linux is booted.
	hash=$({ cat "$bin" "${bench_files[@]}"; echo "${qemu[*]} $linux_append"; } | sha256sum | cut -c1-16)
	cached=$linuxdir/results-$hash.txt
	if [ -f "$cached" ]; then
		echo "linux: cached results $cached"
		linux_file=$cached
	elif vmlinuz=$(fetch_linux); then
		run_linux "$cached" "$vmlinuz" "$hash" && linux_file=$cached
	else
		echo "linux: no Linux kernel; showing our numbers only"
	fi
	if vmlinuz=$(fetch_linux 2>/dev/null); then
		echo "linux: kernel from $(cat "${vmlinuz%/boot/*}/package.txt")"
	fi
fi
echo

# ---------------------------------------------------------------------------
# 4. The table.

# value FILE NAME: the number bench printed for NAME, or nothing.
value() {
	[ -n "$1" ] && [ -f "$1" ] && awk -v n="$2" '$1 == "bench" && $2 == n { print $3 }' "$1"
}

# le A B: whether A <= B (numbers awk reads).
le() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'
}

names=()
for row in "${targets[@]}"; do
	read -r name _ <<<"$row"
	names+=("$name")
done
# Benchmarks without a goal row are shown too.
for f in "$ours_file" ${linux_file:+"$linux_file"}; do
	for name in $(awk '$1 == "bench" && $2 != "done" { print $2 }' "$f"); do
		[[ " ${names[*]} " == *" $name "* ]] || names+=("$name")
	done
done

fmt='%-21s %9s %9s %7s  %-20s %-8s %9s %6s\n'
# shellcheck disable=SC2059
printf "$fmt" benchmark Linux ours ratio goal result CPUS=4 4/1
met=0 missed=0 ntargets=0 n4=0 ok4=0 worse4=
for name in "${names[@]}"; do
	goal=- ref=- today=-
	for row in "${targets[@]}"; do
		read -r n g r t <<<"$row"
		[ "$n" = "$name" ] && goal=$g ref=$r today=$t
	done
	ours=$(value "$ours_file" "$name")
	lin=$(value "$linux_file" "$name")
	# The baseline is Linux as measured here, else the given reference.
	base=${lin:-$ref} shown=${lin:-$ref}
	[ "$base" = - ] && base=
	[ -z "$lin" ] && [ -n "$base" ] && shown="$ref*"
	ratio=-
	[ -n "$ours" ] && [ -n "$base" ] &&
		ratio=$(awk -v o="$ours" -v b="$base" 'BEGIN { printf "%.3f", o / b }')

	# The goal as shown, and whether it is met (ok: 1, 0, or empty when
	# the row has no goal or is judged elsewhere).
	ok='' text=''
	case $goal in
	scale)
		text="scaling (below)" ;;
	flat:*)
		ntargets=$((ntargets + 1))
		other=$(value "$ours_file" "${goal#flat:}")
		if [ -n "$other" ]; then
			bound=$(awk -v o="$other" -v l="$flat_limit" 'BEGIN { printf "%.0f", o * l }')
			text="flat: <= $bound"
			ok=0
			[ -n "$ours" ] && le "$ours" "$bound" && ok=1
		else
			text="flat (no ${goal#flat:})"
			ok=0
		fi ;;
	-)
		text="(none)" ;;
	*)
		ntargets=$((ntargets + 1))
		text="<= $goal"
		ok=0
		[ "$ratio" != - ] && le "$ratio" "$goal" && ok=1 ;;
	esac
	if [ "$today" != - ]; then
		if [ -z "$ok" ]; then
			ntargets=$((ntargets + 1))
			ok=1
		fi
		bound=$(awk -v t="$today" -v l="$today_limit" 'BEGIN { printf "%.0f", t * l }')
		text="$text, <= $bound"
		[ -n "$ours" ] && le "$ours" "$bound" || ok=0
	fi
	if [ -z "$ours" ]; then
		result="no result"
	elif [ -z "$ok" ]; then
		result=
	elif [ "$ok" = 1 ]; then
		result=met
	else
		result="NOT met"
	fi
	case $ok in
	1) met=$((met + 1)) ;;
	0) missed=$((missed + 1)) ;;
	esac

	# With 4 CPUs: ours there against ours with 1.
	o4='' r4=''
	if [ -n "$ours4_file" ]; then
		o4=$(value "$ours4_file" "$name")
		if [ -n "$o4" ] && [ -n "$ours" ]; then
			r4=$(awk -v a="$o4" -v b="$ours" 'BEGIN { printf "%.2f", a / b }')
			n4=$((n4 + 1))
			if le "$r4" "$cpus4_limit"; then
				ok4=$((ok4 + 1))
			else
				worse4="$worse4 $name"
				r4="$r4!"
			fi
		fi
	fi
	# shellcheck disable=SC2059
	printf "$fmt" "$name" "$shown" "${ours:--}" "$ratio" "$text" \
		"$result" "${o4:--}" "${r4:--}"
done
echo
echo "ratio: ours / Linux instructions per operation (lower is better);" \
	"Linux*: the reference of tests/bench.sh, this Linux gave no figure"
echo "goal: <= R: ratio at most R; flat: ours at most $flat_limit times" \
	"the row without the extra children; <= N after a comma: at most" \
	"$today_limit times ours when the row's goal was set (no worse than today)"
if [ -n "$ours4_file" ]; then
	echo "CPUS=4: ours booted with 4 CPUs; 4/1: against 1 CPU, ! when more" \
		"than $cpus4_limit"
fi
echo
# Say so when this Linux is far from the figure the targets were set
# against (a different CPU model, say): the ratios use this Linux.
for row in "${targets[@]}"; do
	read -r n g r _ <<<"$row"
	[ "$r" = - ] && continue
	lin=$(value "$linux_file" "$n")
	[ -n "$lin" ] && awk -v l="$lin" -v r="$r" 'BEGIN { exit !(l > 1.25 * r || l < 0.8 * r) }' &&
		echo "note: Linux $n measured $lin here, reference $r (cpu $cpu)"
done

# ---------------------------------------------------------------------------
# 5. Scaling with the number of mappings.

echo
echo "== cost against existing mappings (instructions per operation)"
counts=($mapping_counts)
fewest=${counts[0]} most=${counts[${#counts[@]} - 1]}
for op in $scale_ops; do
	low=$(value "$ours_file" "${op}_with_$fewest")
	high=$(value "$ours_file" "${op}_with_$most")
	ntargets=$((ntargets + 1))
	if [ -z "$low" ] || [ -z "$high" ]; then
		echo "$op: ours has no result for ${op}_with_$fewest or ${op}_with_$most: NOT met"
		missed=$((missed + 1))
		continue
	fi
	ratio=$(awk -v h="$high" -v l="$low" 'BEGIN { printf "%.2f", h / l }')
	if awk -v r="$ratio" -v t="$scale_limit" 'BEGIN { exit !(r <= t) }'; then
		result=met
		met=$((met + 1))
	else
		result="NOT met"
		missed=$((missed + 1))
	fi
	echo "$op: ours with $most mappings / with $fewest = $ratio (target <= $scale_limit): $result"
done

# The chart: one bar per kernel and mapping count, scaled to the largest
# value of its operation.
for op in $scale_ops; do
	echo
	echo "$op"
	for n in "${counts[@]}"; do
		o=$(value "$ours_file" "${op}_with_$n")
		l=$(value "$linux_file" "${op}_with_$n")
		echo "$n ${o:--} ${l:--}"
	done | awk '
		{ n[NR] = $1; o[NR] = $2; l[NR] = $3
		  if ($2 != "-" && $2 + 0 > max) max = $2 + 0
		  if ($3 != "-" && $3 + 0 > max) max = $3 + 0 }
		function bar(label, who, v,    w, s, i) {
			if (v == "-") {
				printf "%8s  %-5s |%-40s| %10s\n", label, who, "", "no result"
				return
			}
			w = max > 0 ? int(40 * v / max + 0.5) : 0
			s = ""
			for (i = 0; i < w; i++)
				s = s "#"
			printf "%8s  %-5s |%-40s| %10.0f\n", label, who, s, v
		}
		END {
			for (i = 1; i <= NR; i++) {
				bar(n[i], "ours", o[i])
				bar("", "Linux", l[i])
			}
		}'
done
echo
echo "$met of $ntargets goals met (ratio = ours / Linux instructions per operation; lower is better)"
if [ -n "$ours4_file" ]; then
	if [ "$n4" -gt 0 ]; then
		echo "CPUS=4: $ok4 of $n4 rows no more than $cpus4_limit times their CPUS=1 figure${worse4:+; more:$worse4}"
	else
		echo "CPUS=4: no result"
	fi
fi

# ---------------------------------------------------------------------------
# 6. Scaling with CPUs.

echo
bash tests/bench-scale.sh "$iso" "$bin"
exit 0
