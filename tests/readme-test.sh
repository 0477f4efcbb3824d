#!/usr/bin/env bash
# README.md's examples, run as the README shows them (make check
# TEST=readme; part of make test).
#
#   bash tests/readme-test.sh            the checks below
#   bash tests/readme-test.sh --program README.md
#                                        print the README's first program
#                                        (user/user.mk builds it)
#
# 1. Every `make ...` the README mentions names a target and variables
#    that `make help` lists, and every target `make help` lists (and
#    every .PHONY target of the makefiles) is one make knows (make -n).
# 2. Every README code block that starts with "$ make run ..." is a
#    session: it is run through boot/qemu.sh run (what make run runs),
#    its lines that start with a prompt ("$ " or ash's "/tmp # ") typed
#    into the console once the shell prompts, and
#    the lines it shows must come out in that order.  Digits may differ
#    (pids, counts); "..." stands for any lines.  /bin/greet, the README's
#    first program, is run from /tests/readme/greet, where the build puts
#    the copy cut out of the README (the program itself is the first
#    "```c" block, built with the same flags as user/bin).
# 3. Every line of a code block that is a `make check ...` command, with
#    no placeholder (an upper-case word such as NAME), passes
#    (tests/check.sh); under make test, one that is also one of make
#    test's checks counts as that check.
# Prints TAP and "N passed, N failed".  It runs no make that builds: make
# test and make check build the README's program first.
set -u
cd "$(dirname "$0")/.." || exit 1
readme=README.md

# program FILE: the first ```c block of FILE.
program() {
	awk '/^```c$/ { inside = 1; next } inside && /^```/ { exit } inside { print }' "$1"
}

if [ "${1:-}" = --program ]; then
	out=$(program "${2:-$readme}")
	if [ -z "$out" ]; then
		echo "readme-test.sh: no \`\`\`c block in ${2:-$readme}" >&2
		exit 1
	fi
	printf '%s\n' "$out"
	exit 0
fi

dir=${RESULTS_DIR:-build/test-results/check}/readme
mkdir -p "$dir"
n=0 passed=0 failed=0

# check STATUS DESCRIPTION [WHY...]: one TAP line.
check() {
	local st=$1 what=$2
	shift 2
	n=$((n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $n - $what"
		passed=$((passed + 1))
	else
		echo "not ok $n - $what"
		for why in "$@"; do
			echo "#   $why"
		done
		echo "#   reproduce: make check TEST=readme"
		failed=$((failed + 1))
	fi
}

# A make that is not a child of the make running the tests: no jobserver,
# no inherited flags.  Only ever with -n.
query_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make "$@"
}

# ---------------------------------------------------------------------------
# 1. Targets and variables.

help=$(sed -n 's/^## \{0,1\}//p' Makefile)
help_targets=$(echo "$help" | sed -n '/^Targets/,/^Variables/p' | awk '/^  [a-z]/ { print $1 }')
help_vars=$(echo "$help" | sed -n '/^Variables/,$p' | sed -n 's/^  \([A-Z_]*\)=.*/\1/p')

# Every make command in the README, one a line: in code blocks (after an
# optional "$ ") and in `backticks`.
commands=$(
	{
		awk '/^```/ { inside = !inside; next } inside' "$readme" | sed -n 's/^\$ //; /^make\( \|$\)/p'
		grep -o '`make[^`]*`' "$readme" | tr -d '`'
	} | sed 's/ *#.*//' | sort -u)
bad=()
while IFS= read -r cmd; do
	[ -n "$cmd" ] || continue
	target=$(echo "$cmd" | awk '$2 ~ /^[a-z]/ { print $2 }')
	if [ -n "$target" ] && ! echo "$help_targets" | grep -qxF "$target"; then
		bad+=("'$cmd': make help lists no target $target")
	fi
	for v in $(echo "$cmd" | grep -oE ' [A-Z_]+=' | tr -d ' ='); do
		echo "$help_vars" | grep -qxF "$v" ||
			bad+=("'$cmd': make help lists no variable $v")
	done
done <<< "$commands"
check ${#bad[@]} "every make command in README.md uses targets and variables make help lists ($(echo "$commands" | wc -l) commands)" "${bad[@]}"

bad=()
phony=$(sed -n 's/^\.PHONY: *//p' Makefile user/user.mk kernel/syscalls.mk tests/host/host.mk | tr ' ' '\n' | sed '/^$/d' | sort -u)
for t in $phony; do
	echo "$help_targets" | grep -qxF "$t" || bad+=("make help does not list the target $t")
done
for t in $help_targets; do
	query_make -n "$t" >/dev/null 2>"$dir/make-n.err" ||
		bad+=("make -n $t fails: $(head -n 1 "$dir/make-n.err")")
done
check ${#bad[@]} "make help lists every .PHONY target, and make knows every target it lists" "${bad[@]}"

# ---------------------------------------------------------------------------
# 2. Sessions.

# normalize: no carriage returns, runs of digits as N.
normalize() {
	tr -d '\r' | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' -e 's/[0-9][0-9]*/N/g'
}

# The shell's prompts at the start of a README session line: "$ " (a
# shell of the host, or ours) and ash's "/tmp # " (/etc/profile's PS1).
prompt_re='^(\$|/[^ ]* #) '


# session K LINES...: run one "$ make run" block and compare.
session() {
	local k=$1 cmd words w fifo out log i line want pos got c
	shift
	cmd=${1#\$ }
	shift
	local -a inputs=() expected=()
	for line in "$@"; do
		case $line in
		'...') ;;
		*)
			if [[ $line =~ $prompt_re ]]; then
				inputs+=("${line#"${BASH_REMATCH[0]}"}")
			fi
			expected+=("$line") ;;
		esac
	done
	# The variables of the make command, as make would take them.
	local CMDLINE='' MACHINE=q35 CPU=max MEM=256M
	eval "words=(${cmd#make run})"
	for w in "${words[@]}"; do
		case $w in
		CMDLINE=* | MACHINE=* | CPU=* | MEM=*) local "$w" ;;
		*) check 1 "README session '$cmd'" "cannot run '$w'"; return ;;
		esac
	done
	CMDLINE=${CMDLINE//\/bin\/greet/\/tests\/readme\/greet}
	out=$dir/session-$k.out
	log=$dir/session-$k.console
	fifo=$dir/session-$k.in
	rm -f "$fifo" "$log" && mkfifo "$fifo"
	CMDLINE=$CMDLINE MACHINE=$MACHINE CPU=$CPU MEM=$MEM LOG=$log \
		timeout "${QEMU_TIMEOUT:-300}" bash boot/qemu.sh run < "$fifo" > "$out" 2>&1 &
	local pid=$!
	exec 3> "$fifo"
	# Type each line once the shell prompts for it, as a person does:
	# input that arrives during the boot is lost, and the terminal
	# echoes what is typed when it arrives.
	local n=0 input
	for input in "${inputs[@]}"; do
		n=$((n + 1))
		for i in $(seq 600); do
			c=$(grep -cE "$prompt_re" "$log" 2>/dev/null)
			[ "${c:-0}" -ge "$n" ] && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		printf '%s\n' "$input" >&3
	done
	exec 3>&-
	wait "$pid"
	rm -f "$fifo"
	# Every expected line in order (digits aside).
	pos=0 got=""
	mapfile -t got < <(normalize < "$out")
	for want in "${expected[@]}"; do
		want=$(printf '%s\n' "$want" | normalize)
		while [ "$pos" -lt "${#got[@]}" ] && [ "${got[$pos]}" != "$want" ]; do
			pos=$((pos + 1))
		done
		if [ "$pos" -ge "${#got[@]}" ]; then
			check 1 "README session '$cmd'" "no line '$want' (digits as N) in order in $out"
			return
		fi
		pos=$((pos + 1))
	done
	check 0 "README session '$cmd' shows what the README shows"
}

# Cut the README's code blocks into sessions: a block whose first line is
# "$ make run".
k=0
block=() inside=0
while IFS= read -r line; do
	if [[ $line == '```'* ]]; then
		if [ "$inside" = 1 ]; then
			if [ ${#block[@]} -gt 0 ] && [[ ${block[0]} == '$ make run'* ]]; then
				k=$((k + 1))
				session "$k" "${block[@]}"
			fi
			inside=0
		else
			inside=1 block=()
		fi
		continue
	fi
	[ "$inside" = 0 ] || block+=("$line")
done < "$readme"
[ "$k" -gt 0 ] || check 1 "README.md has sessions ('\$ make run' blocks)"

# ---------------------------------------------------------------------------
# 3. make check commands.

while IFS= read -r cmd; do
	[ -n "$cmd" ] || continue
	# Placeholders (TEST=usertests/NAME, SEED=N) are not run.
	if echo "$cmd" | grep -qE '(=|/)[A-Z]+( |$)'; then
		continue
	fi
	env_words=()
	eval "words=(${cmd#make check})"
	ok=1
	for w in "${words[@]}"; do
		case $w in
		TEST=* | MACHINE=* | CPU=* | MEM=* | SEED=*) env_words+=("$w") ;;
		*) ok=0 ;;
		esac
	done
	if [ "$ok" = 0 ]; then
		check 1 "README's '$cmd'" "only TEST, MACHINE, CPU, MEM and SEED are understood here"
		continue
	fi
	id=check-$(echo "$cmd" | md5sum | cut -c1-8)
	t="" m=q35 c=max mem=256M
	for w in "${env_words[@]}"; do
		case $w in
		TEST=*) t=${w#TEST=} ;;
		MACHINE=*) m=${w#MACHINE=} ;;
		CPU=*) c=${w#CPU=} ;;
		MEM=*) mem=${w#MEM=} ;;
		esac
	done
	# Under make test, a command that is one of make test's own checks
	# (tests/run-all.sh lists them in RUN_ALL_CHECKS) is not run twice.
	same=$(echo "${RUN_ALL_CHECKS:-}" | awk -v k="$t $m $c $mem" '$2 " " $3 " " $4 " " $5 == k { print $1; exit }')
	if [ -n "$same" ] && [[ $cmd != *SEED=* ]]; then
		check 0 "README's '$cmd' is make test's check $same"
		continue
	fi
	env MACHINE=q35 CPU=max MEM=256M SEED= "${env_words[@]}" RESULTS_DIR="$dir" \
		bash tests/check.sh "$t" "$id" > "$dir/$id.out" 2>&1
	check $? "README's '$cmd' passes" "its output: $dir/$id.out"
done < <(awk '/^```/ { inside = !inside; next } inside' "$readme" | sed 's/ *#.*//' | grep '^make check ' | sort -u)

echo "$passed passed, $failed failed"
exit $((failed > 126 ? 126 : failed))
