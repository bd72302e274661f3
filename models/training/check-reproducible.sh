#!/usr/bin/env bash
# Trains everything twice from scratch (export + training, each into its own fresh folders)
# and compares the two runs: every manifest number within 1e-3, model files' sha256 reported.
# Arguments go to the export (e.g. --users 500 for a quicker check). Exit code 1 if they differ.
set -euo pipefail
cd "$(dirname "$0")/../.."
# REPRO_WORK keeps both runs (logs, manifests, models) in that folder for inspection.
if [ -n "${REPRO_WORK:-}" ]; then
  work=$REPRO_WORK
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
for run in a b; do
  echo "==> run $run"
  rm -rf "$work/$run/cache" "$work/$run/out"
  mkdir -p "$work/$run/out"
  TRAIN_OUT="$work/$run/out" TRAIN_CACHE="$work/$run/cache" bash models/training/run.sh "$@"
done
models/training/.venv/bin/python models/training/compare_runs.py "$work/a/out" "$work/b/out"
