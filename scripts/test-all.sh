#!/usr/bin/env bash
# THE test command (CI runs it through .ci/run): installs missing packages, builds in <source>/build,
# runs the CUnit programs (make check) and the regress suite against a real PostgreSQL cluster.
# The last line printed is the total: `N passed, M failed` (plus `, K skipped` when tests were
# skipped). Exits non-zero when anything failed or when no test ran at all.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
t0=$SECONDS
passed=0
failed=0
skipped=0

finish()
{
	echo "test-all: took $((SECONDS - t0)) s"
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ] && [ $((passed + failed)) -gt 0 ]
	exit
}

if ! scripts/deps.sh; then
	echo "test-all: installing dependencies failed"
	failed=$((failed + 1))
	finish
fi
if ! scripts/build.sh; then
	echo "test-all: build failed"
	failed=$((failed + 1))
	finish
fi

# Unit tests. Old results are removed first so that only this run's programs are counted.
find build -name '*.trs' -print | while read -r trs; do
	rm -f "$trs" "${trs%.trs}.log"
done
rm -f build/test-suite.log
echo "test-all: make check"
make -C build -j2 check >build/make-check.out 2>&1
check_rc=$?
failed_before_unit=$failed
while read -r trs; do
	log="${trs%.trs}.log"
	line=$(grep -E '^unit [^ ]+: [0-9]+ passed, [0-9]+ failed$' "$log" 2>/dev/null | tail -n 1)
	if [ -n "$line" ]; then
		echo "$line"
		read -r np nf < <(echo "$line" | sed -E 's/^unit [^ ]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
		passed=$((passed + np))
		failed=$((failed + nf))
	fi
	# A program that crashed or printed no summary line still counts, from its automake result.
	result=$(sed -n 's/^:test-result: //p' "$trs" | head -n 1)
	case "$result" in
	PASS) [ -n "$line" ] || passed=$((passed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	*)
		if [ -z "$line" ] || ! echo "$line" | grep -q ' [1-9][0-9]* failed$'; then
			failed=$((failed + 1))
		fi
		echo "test-all: ${trs%.trs}: $result"
		tail -n 30 "$log" 2>/dev/null | sed 's/^/    /'
		;;
	esac
done < <(find build -name '*.trs' | sort)
# make check can also fail without a failing test: a unit program that does not compile.
if [ "$check_rc" -ne 0 ] && [ "$failed" -eq "$failed_before_unit" ]; then
	echo "test-all: make check failed:"
	tail -n 40 build/make-check.out | sed 's/^/    /'
	failed=$((failed + 1))
fi

# Regress suite.
echo "test-all: regress"
regress_out=$(mktemp /tmp/pgng-regress-out.XXXXXX)
PGNG_BIN="$top/build" regress/run.sh | tee "$regress_out"
summary=$(grep -E '^regress: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$regress_out" | tail -n 1)
rm -f "$regress_out"
if [ -n "$summary" ]; then
	read -r np nf ns < <(echo "$summary" |
		sed -E 's/^regress: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
	passed=$((passed + np))
	failed=$((failed + nf))
	skipped=$((skipped + ns))
else
	echo "test-all: the regress driver printed no summary"
	failed=$((failed + 1))
fi
finish
