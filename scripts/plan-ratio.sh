#!/usr/bin/env bash
# Times `terraform plan` against `terraform plan -refresh=false` on the same
# 100-policy configuration, in one run, against the simulator with a
# per-call delay (CARP_BENCH_DELAY, default 20ms): the refresh's overhead as
# a ratio. Needs a Terraform CLI (TF_ACC_TERRAFORM_PATH or terraform on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
TF_ACC=1 TF_ACC_PROVIDER_NAMESPACE=carpsafe CHECKPOINT_DISABLE=1 \
  go test ./internal/e2e/ -run '^$' -bench 'PlanVsNoRefresh' -benchtime 1x -count 1 | grep -E '^BENCH|ratio'
