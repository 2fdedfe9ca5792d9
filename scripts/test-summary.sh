#!/usr/bin/env bash
# Test counts of a `go test -v` log as a Markdown job summary.
#
#   scripts/test-summary.sh TITLE LOG >> "$GITHUB_STEP_SUMMARY"
#
# Counts the tests and subtests that passed, failed and were skipped
# (their `--- PASS/FAIL/SKIP` lines), the packages that passed or failed,
# and lists the failed and the skipped tests (50 of each at most). Exit 1 when the
# log holds no test result at all (a run that tested nothing).
# The backticks in sed replacements are Markdown, not command substitution.
# shellcheck disable=SC2016
set -euo pipefail
title=$1 log=$2
[ -f "$log" ] || { echo "### $title"; echo; echo "no test log: the run stopped before the tests"; exit 1; }
count() { grep -cE "$1" "$log" || true; }
pass=$(count '^\s*--- PASS: ')
fail=$(count '^\s*--- FAIL: ')
skip=$(count '^\s*--- SKIP: ')
pkg_ok=$(count '^ok\s')
pkg_fail=$(count '^FAIL\s')
echo "### $title"
echo
echo "| passed | failed | skipped | packages ok | packages failed |"
echo "|---:|---:|---:|---:|---:|"
echo "| $pass | $fail | $skip | $pkg_ok | $pkg_fail |"
if [ "$fail" -gt 0 ]; then
  echo
  echo "Failed:"
  grep -E '^\s*--- FAIL: ' "$log" | sed -E 's/^\s*--- FAIL: ([^ ]+).*/- `\1`/' | head -50
fi
if [ "$skip" -gt 0 ]; then
  echo
  echo "<details><summary>Skipped</summary>"
  echo
  grep -E '^\s*--- SKIP: ' "$log" | sed -E 's/^\s*--- SKIP: ([^ ]+).*/- `\1`/' | head -50
  echo
  echo "</details>"
fi
echo
echo "$pass passed, $fail failed, $skip skipped"
[ $((pass + fail + skip)) -gt 0 ] || { echo "no test result in $log" >&2; exit 1; }
