#!/usr/bin/env bash
# The house limits golangci-lint cannot check (CONTRIBUTING.md, "The
# house"): every Go file under 500 lines, tests included. Functions (funlen)
# and the direction of imports (depguard) are in .golangci.yml.
# With -v it also prints each package's lines and files, largest first:
# the room that outgrows its walls is the next one to split.
set -euo pipefail
cd "$(dirname "$0")/.."
max=500
over=$(git ls-files -co --exclude-standard '*.go' | xargs wc -l | awk -v max="$max" '$2 != "total" && $1 >= max')
if [ "${1:-}" = "-v" ]; then
  git ls-files -co --exclude-standard '*.go' | xargs wc -l | awk '$2 != "total" {
    d = $2; sub(/\/[^\/]*$/, "", d); if (d == $2) d = "."; n[d] += $1; f[d]++ }
    END { for (d in n) printf "%6d lines %3d files  %s\n", n[d], f[d], d }' | sort -rn
fi
if [ -n "$over" ]; then
  echo "files of $max lines or more (split them by concern):"
  echo "$over"
  exit 1
fi
echo "house: every Go file under $max lines"
