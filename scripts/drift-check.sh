#!/usr/bin/env bash
# CI drift check for a configuration that uses the carp provider.
#
#   scripts/drift-check.sh [directory]
#
# Runs `terraform plan -json` (TERRAFORM may name another CLI, such as
# tofu: OpenTofu writes the same machine-readable stream) and prints a short
# table of the CARP pitfalls the plan warns about (code, severity, object,
# remedy), then the resources the plan changes with their changed
# attributes (hazards shows the codes a repair removes) and what changed
# outside Terraform. With GITHUB_STEP_SUMMARY set, the same goes there as
# Markdown. Needs jq.
#
# Exit 0: vSphere matches the configuration and the audit check passes.
# Exit 2: drift (the plan has changes) or a failing carp_audit check; the
#         CARPnnn codes found in the plan are listed.
# Exit 1: the plan itself failed.
set -uo pipefail
dir=${1:-.}
tf=${TERRAFORM:-terraform}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v jq >/dev/null || { echo "::error::drift-check.sh needs jq"; exit 1; }

"$tf" -chdir="$dir" plan -json -input=false -detailed-exitcode -lock=false -out="$work/plan" >"$work/stream.json" 2>"$work/stderr"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
  cat "$work/stderr"
  jq -r 'select(.type == "diagnostic" and .diagnostic.severity == "error") | "Error: \(.diagnostic.summary)\n\(.diagnostic.detail // "")"' "$work/stream.json" 2>/dev/null
  echo "::error::terraform plan failed (exit $rc)"
  exit 1
fi
"$tf" -chdir="$dir" show -json "$work/plan" >"$work/plan.json" 2>"$work/stderr" || { cat "$work/stderr"; echo "::error::terraform show -json failed"; exit 1; }

# One row per pitfall warning: code, severity, object, remedy (the finding's
# text is "CODE <object>: <what was read>. <remedy>").
jq -r 'select(.type == "diagnostic") | .diagnostic
  | select(.summary | test("^CARP[0-9]{3} "))
  | (.detail // "") as $d
  | ($d | capture("^CARP[0-9]{3} (?<obj>[^:]+): (?<rest>.*)$"; "s") // {obj: (.address // ""), rest: $d}) as $m
  | [(.summary | split(" ")[0]), .severity, $m.obj,
     ($m.rest | gsub("\n"; " ") | (capture("^.*?\\. (?<r>.*)$") .r) // .)] | @tsv' "$work/stream.json" | sort -u >"$work/findings.tsv"
# Other warnings (a failing check block, a re-toggle): summary only.
jq -r 'select(.type == "diagnostic") | .diagnostic | select(.summary | test("^CARP[0-9]{3} ") | not)
  | select(.summary != "Provider development overrides are in effect") | "\(.severity)\t\(.summary)"' "$work/stream.json" | sort -u >"$work/other.tsv"
# Changed attributes of each planned change and of each drift.
changes='def show: if type == "string" then . else (tojson | if length > 60 then "{...}" else . end) end;
  def attrs: . as $c | [(($c.before // {}) + ($c.after // {})) | keys[] as $k
    | select(($c.before // {})[$k] != ($c.after // {})[$k]) | select(($c.after_unknown // {})[$k] != true)
    | "\($k) = \(($c.before // {})[$k] | show) -> \(($c.after // {})[$k] | show)"] | join("; ");'
jq -r "$changes"' (.resource_changes // [])[] | select(.change.actions != ["no-op"] and .change.actions != ["read"])
  | "\(.address)\t\(.change.actions | join(","))\t\(.change | attrs)"' "$work/plan.json" >"$work/changes.tsv"
jq -r "$changes"' (.resource_drift // [])[] | "\(.address)\tchanged outside Terraform\t\(.change | attrs)"' "$work/plan.json" >"$work/drift.tsv"

codes=$( { cut -f1 "$work/findings.tsv"; cat "$work/changes.tsv" "$work/drift.tsv" "$work/other.tsv"; } | grep -oE 'CARP0[0-9]{2}' | sort -u | tr '\n' ' ')
check_failed=$(grep -c 'Check block assertion failed' "$work/other.tsv")

text() {
  if [ -s "$work/findings.tsv" ]; then
    printf '%-8s %-8s %-60s %s\n' CODE SEVERITY OBJECT REMEDY
    while IFS=$'\t' read -r c s o r; do printf '%-8s %-8s %-60s %s\n' "$c" "$s" "$o" "$r"; done <"$work/findings.tsv"
  else
    echo "No CARP pitfall warnings."
  fi
  while IFS=$'\t' read -r s m; do echo "$s: $m"; done <"$work/other.tsv"
  if [ -s "$work/changes.tsv" ] || [ -s "$work/drift.tsv" ]; then
    echo; echo "Changes:"
    while IFS=$'\t' read -r a act at; do echo "  $a ($act)"; [ -n "$at" ] && echo "    ${at//; /$'\n'    }"; done < <(cat "$work/drift.tsv" "$work/changes.tsv")
  fi
}
markdown() {
  echo "### carp drift check"
  echo
  if [ -s "$work/findings.tsv" ]; then
    echo "| Code | Severity | Object | Remedy |"; echo "|---|---|---|---|"
    while IFS=$'\t' read -r c s o r; do echo "| $c | $s | ${o//|/\\|} | ${r//|/\\|} |"; done <"$work/findings.tsv"
  else
    echo "No CARP pitfall warnings."
  fi
  while IFS=$'\t' read -r s m; do echo; echo "- $s: $m"; done <"$work/other.tsv"
  if [ -s "$work/changes.tsv" ] || [ -s "$work/drift.tsv" ]; then
    echo; echo "| Resource | Change | Attributes |"; echo "|---|---|---|"
    while IFS=$'\t' read -r a act at; do echo "| \`$a\` | $act | ${at//|/\\|} |"; done < <(cat "$work/drift.tsv" "$work/changes.tsv")
  fi
}
text
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then markdown >>"$GITHUB_STEP_SUMMARY"; fi

if [ "$rc" -eq 2 ]; then echo "::error::drift: the plan has changes. Codes seen: ${codes:-none}"; fi
if [ "${check_failed:-0}" -gt 0 ]; then
  echo "::error::the carp_audit check failed. Codes seen: ${codes:-none}"
  rc=2
fi
exit "$rc"
