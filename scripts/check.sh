#!/usr/bin/env bash
# Runs each suite (a make target), counts its tests and prints one summary
# line "N passed, N failed". A suite reports its counts either as GoogleTest
# does ("[  PASSED  ] N tests", "[  FAILED  ] N tests") or with its own line
# "RESULT: N passed, M failed" (several such lines add up); otherwise it
# counts as one test by exit status.
# A suite that exits non-zero always counts at least one failure.
set -uo pipefail
mkdir -p build/logs
total_pass=0 total_fail=0 failed_suites=()
for suite in "$@"; do
	log=build/logs/$suite.log
	printf '== %s\n' "$suite"
	make --no-print-directory "$suite" 2>&1 | tee "$log" | grep -E '^(RESULT:|\[  (PASSED|FAILED)  \] [0-9]+ test|FAIL|==)' | head -40
	rc=${PIPESTATUS[0]}
	p=0 f=0
	if grep -qE '^RESULT: [0-9]+ passed, [0-9]+ failed' "$log"; then
		# A suite may print one RESULT line per part: they add up.
		p=$(sed -nE 's/^RESULT: ([0-9]+) passed, ([0-9]+) failed.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		f=$(sed -nE 's/^RESULT: ([0-9]+) passed, ([0-9]+) failed.*/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
	elif grep -qE '^\[  PASSED  \] [0-9]+ test' "$log"; then
		p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
		f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
	elif [ "$rc" -eq 0 ]; then
		p=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	[ "$f" -gt 0 ] && failed_suites+=("$suite (log: $log)")
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
done
for s in "${failed_suites[@]}"; do echo "failed suite: $s"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
