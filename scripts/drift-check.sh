#!/usr/bin/env bash
# CI drift check for a configuration that uses the carp provider.
#
#   scripts/drift-check.sh [directory]
#
# Exit 0: vSphere matches the configuration and the audit check passes.
# Exit 2: drift (the plan has changes) or a failing carp_audit check; the
#         CARPnnn codes found in the plan are listed.
# Exit 1: the plan itself failed.
set -uo pipefail
dir=${1:-.}
tf=${TERRAFORM:-terraform}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

"$tf" -chdir="$dir" plan -input=false -no-color -detailed-exitcode -lock=false >"$log" 2>&1
rc=$?
cat "$log"

codes=$(grep -oE 'CARP0[0-9]{2}' "$log" | sort -u | tr '\n' ' ')
check_failed=$(grep -cE 'Check block assertion failed|check block assertion' "$log" || true)

case $rc in
  0) ;;
  2) echo "::error::drift: the plan has changes. Codes seen: ${codes:-none}" ;;
  *) echo "::error::terraform plan failed (exit $rc)"; exit 1 ;;
esac
if [ "${check_failed:-0}" -gt 0 ]; then
  echo "::error::the carp_audit check failed. Codes seen: ${codes:-none}"
  rc=2
fi
exit "$rc"
