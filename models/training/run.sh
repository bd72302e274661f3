#!/usr/bin/env bash
# Regenerates every model from scratch: venv from the hash-pinned lock, synthetic data export
# through the server's own feature code (TypeScript), then training (Python).
# TRAIN_OUT (default models) and TRAIN_CACHE (default models/training/.cache) redirect a run,
# e.g. for the reproducibility check; TRAIN_ARGS adds train.py options; "$@" goes to the export.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-models/training/.venv}
OUT=${TRAIN_OUT:-models}
CACHE=${TRAIN_CACHE:-models/training/.cache}
bash models/training/setup-venv.sh
echo "==> exporting training data (synthetic users calibrated on MoneyVis)"
npx tsx scripts/ml/export-training-data.ts --out "$CACHE" "$@"
echo "==> exporting real-data examples (moneyvis + berka even accounts; REAL_DATA_DIR or ../shared/data)"
npx tsx scripts/ml/export-real-examples.ts --out "$CACHE/real"
echo "==> training"
# One thread and a fixed hash seed: the same inputs give the same floating-point sums.
PYTHONHASHSEED=0 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$VENV/bin/python" models/training/train.py --cache "$CACHE" --real-cache "$CACHE/real" --out "$OUT" ${TRAIN_ARGS:-}
echo "==> done: $OUT/manifest.json, $OUT/reports/README.md"
