#!/usr/bin/env bash
# The differential tests: the same BusyBox (Debian's busybox-static) and
# the same scripts (user/root/tests/diff/*.cases, run by
# user/root/tests/diff/run) on our kernel and on Debian's Linux 6.1,
# booted in the same QEMU; the outputs must match case by case, apart
# from the named rules of tests/diff-rules.sh that a case lists.
#
#   bash tests/diff-test.sh [ID [FILE[/CASE]...]]   (make check TEST=diff,
#                                                 TEST=diff/FILE/CASE)
#
# With UNDER=vkernel (make check TEST=vkdiff, TEST=vkdiff/FILE/CASE) our
# side runs the runner as a guest of the vkernel (user/bin/vkernel), and
# leaves out the cases marked !vkernel (what the vkernel does not
# emulate; each says why): Linux's side and its cache are the same.
#
# Linux's outputs are cached outside the tree (tests/debpkg.sh's cache,
# diff-linux/), keyed by BusyBox, the case files, the runner, Linux's
# package and the QEMU command line: Linux boots again only when one of
# them changes.  Prints TAP, one line per case, and "N passed, N
# failed"; a failing case shows both outputs' differences and the
# command reproducing it.  MACHINE, CPU, MEM, CPUS and QEMU_TIMEOUT are
# boot/qemu.sh's; the consoles are saved in $RESULTS_DIR/ID.log and
# ID-linux.log.
set -u
cd "$(dirname "$0")/.." || exit 1
id=${1:-diff}
shift $(($# > 0 ? 1 : 0))
cases=("$@")
dir=${RESULTS_DIR:-build/test-results/check}
build=${BUILD:-build}
linuxdir=$build/linux
mkdir -p "$dir" "$linuxdir"
# shellcheck source=tests/bench-linux.sh
. tests/bench-linux.sh
# shellcheck source=tests/diff-rules.sh
. tests/diff-rules.sh

busybox=$build/busybox/busybox
casedir=user/root/tests/diff
machine=${MACHINE:-q35} cpu=${CPU:-max} mem=${MEM:-256M} cpus=${CPUS:-1}
timeout_s=${QEMU_TIMEOUT:-300}
repro_cfg="MACHINE=$machine CPU=$cpu MEM=$mem CPUS=$cpus"
if [ ! -x "$busybox" ]; then
	echo "diff-test.sh: no $busybox (run make first)" >&2
	exit 2
fi

# 1. Our kernel: init is BusyBox's sh running the runner, or the vkernel
# running it as its guest.
ours=$dir/$id.log
tname=diff
case ${UNDER:-} in
'') init="/bin/sh -- /tests/diff/run" ;;
vkernel)
	init="/bin/vkernel -- /bin/busybox sh /tests/diff/run -x vkernel"
	tname=vkdiff ;;
*)
	echo "diff-test.sh: UNDER=$UNDER: not vkernel" >&2
	exit 2 ;;
esac
CMDLINE="init=$init ${cases[*]}" QEMU_TIMEOUT=$timeout_s \
	bash boot/qemu.sh batch </dev/null 2>&1 | tr -d '\r' >"$ours"

# 2. Linux, from the cache or booted: an initramfs of BusyBox, its links,
# the case files and /dev/console, with the same runner as init.
linux=$dir/$id-linux.log
vmlinuz=$(fetch_linux) || { echo "diff-test.sh: no Linux kernel" >&2; exit 2; }
append="console=ttyS0 rdinit=/bin/sh quiet loglevel=1 panic=-1 -- /tests/diff/run ${cases[*]}"
qemu=(qemu-system-x86_64 -machine "$machine" -cpu "$cpu" -m "$mem"
	-smp "$cpus" -accel tcg,thread=multi -serial stdio -display none
	-monitor none -no-reboot)
key=$({ sha256sum "$busybox" "$casedir"/* | cut -d' ' -f1
	echo "$vmlinuz ${qemu[*]} $append"; } | sha256sum | cut -c1-16)
cache=$debpkg_cache/diff-linux/$key.log
if [ -f "$cache" ]; then
	echo "# Linux's outputs: cached ($cache)"
else
	echo "# Linux's outputs: booting $(basename "$vmlinuz") (cached afterwards)"
	root=$linuxdir/diff-root
	rm -rf "$root" && mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/tests/diff"
	cp "$busybox" "$root/bin/busybox"
	bash user/busybox.sh links "$busybox" "$root"
	cp "$casedir"/* "$root/tests/diff/"
	mknod -m 600 "$root/dev/console" c 5 1
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0) >"$linuxdir/diff.cpio"
	rm -rf "$root"
	timeout "$timeout_s" "${qemu[@]}" -kernel "$vmlinuz" -initrd "$linuxdir/diff.cpio" \
		-append "$append" </dev/null 2>&1 | tr -d '\r' >"$linux.tmp"
	if grep -q '^@@done$' "$linux.tmp"; then
		mkdir -p "$(dirname "$cache")" && cp "$linux.tmp" "$cache"
	fi
	mv "$linux.tmp" "$linux"
fi
[ -f "$cache" ] && cp "$cache" "$linux"

# 3. Compare, case by case.  split LOG OUTDIR: each case's output lines
# (its status line included) into OUTDIR/NAME, with "FILE/NAME RULE..."
# lines in OUTDIR/.list, in the order run, and "!FILE/NAME TAG" for a
# case left out.
split() {
	rm -rf "$2" && mkdir -p "$2"
	awk -v dir="$2" '
		/^@@skip / { print "!" $2, $3 > (dir "/.list"); next }
		/^@@case / {
			name = $2; gsub("/", ":", name)
			out = dir "/" name
			print substr($0, 8) > (dir "/.list")
			printf "" > out
			next
		}
		/^@@done$/ { done = 1; out = ""; next }
		out != "" { print >> out; if ($0 ~ /^@@status /) { close(out); out = "" } }
		END { if (done) print "" > (dir "/.done") }
	' "$1"
}
work=$(mktemp -d "${TMPDIR:-/tmp}/diff-test.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
split "$ours" "$work/ours"
split "$linux" "$work/linux"

passed=0 failed=0 skipped=0 n=0
fail() {
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	printf '%s\n' "$@" | sed 's/^/#   /'
}
for side in ours linux; do
	if [ ! -f "$work/$side/.done" ]; then
		n=$((n + 1))
		log=$ours
		[ $side = ours ] || log=$linux
		fail "the run on $( [ $side = ours ] && echo our kernel || echo Linux) finished" \
			"no @@done line; the end of $log:" \
			"$(tail -n 5 "$log" | sed 's/^/| /')" \
			"reproduce: make check TEST=$tname $repro_cfg"
	fi
done
if [ ! -f "$work/linux/.list" ]; then
	echo "# no case ran on Linux"
	touch "$work/linux/.list"
fi
while read -r name rules; do
	n=$((n + 1))
	if [ "${name#!}" != "$name" ]; then
		skipped=$((skipped + 1))
		echo "ok $n - ${name#!} # SKIP marked !$rules"
		continue
	fi
	f=${name//\//:}
	filter() {
		local r out
		out=$(cat "$1")
		for r in $rules; do
			[ "${r#!}" = "$r" ] || continue
			out=$(printf '%s\n' "$out" | "rule_$r")
		done
		printf '%s\n' "$out"
	}
	if ! grep -q "^$name\( \|$\)" "$work/linux/.list"; then
		fail "$name" "Linux's run has no such case" \
			"reproduce: make check TEST=$tname/$name $repro_cfg"
	elif d=$(diff -u --label linux --label ours <(filter "$work/linux/$f") \
		<(filter "$work/ours/$f")); then
		passed=$((passed + 1))
		echo "ok $n - $name${rules:+ (rules: $rules)}"
	else
		fail "$name${rules:+ (rules: $rules)}" "$(echo "$d" | tail -n +3 | head -n 40 | sed 's/^/| /')" \
			"reproduce: make check TEST=$tname/$name $repro_cfg"
	fi
done <"$work/ours/.list"
echo "1..$n"
echo "$passed passed, $failed failed, $skipped skipped"
exit $((failed > 100 ? 100 : failed))
