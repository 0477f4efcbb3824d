#!/usr/bin/env bash
# Run host unit test binaries, echoing their TAP, and print one closing
# "N passed, N failed" line over all of them.  A binary that dies without
# its closing line, or exits non-zero while claiming no failure (a
# sanitizer report), counts as one failure.  Exit status: 0 if none failed.
set -u
passed=0 failed=0
for t in "$@"; do
	echo "# host: $t"
	out=$("$t" 2>&1)
	rc=$?
	echo "$out"
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(echo "$line" | awk '{print $1}')
	f=$(echo "$line" | awk '{print $3}')
	if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "not ok - $t exited with status $rc (crash or sanitizer report above)"
		p=${p:-0}
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || echo "#   reproduce: make check TEST=host/${t##*/test_}"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
