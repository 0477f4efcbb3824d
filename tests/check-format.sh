#!/usr/bin/env bash
# The format check of `make test`: every C file git tracks must be as
# clang-format (Debian's clang-format package, with the tree's
# .clang-format: KNF) would write it.  One TAP line per file that is
# not, or one line saying all are; then "1 passed, 0 failed" or "0
# passed, N failed" for N files to format.
#
#   tests/check-format.sh          check
#   tests/check-format.sh --fix    rewrite the files that differ
set -u
cd "$(dirname "$0")/.."
fix=0
[ "${1:-}" = --fix ] && fix=1
if ! command -v clang-format >/dev/null 2>&1; then
	echo "not ok - clang-format is not installed (bash tests/deps.sh)"
	echo "0 passed, 1 failed"
	exit 1
fi
passed=0 failed=0
while IFS= read -r f; do
	if [ "$fix" -eq 1 ]; then
		clang-format -i "$f"
		continue
	fi
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "not ok - $f is not formatted"
		echo "#   reproduce: clang-format --dry-run $f; fix: bash tests/check-format.sh --fix"
	fi
done < <(git ls-files '*.c' '*.h')
[ "$fix" -eq 1 ] && exit 0
if [ "$failed" -eq 0 ]; then
	echo "ok - every C file is formatted ($passed files)"
	echo "1 passed, 0 failed"
else
	echo "0 passed, $failed failed"
fi
[ "$failed" -eq 0 ]
