#!/usr/bin/env bash
# The retraining job's pipeline (src/ml/retraining, RETRAIN_PIPELINE): from the job's export of
# consenting users (EXPORT_DIR/accounts.jsonl) and the public real data sets (REAL_DATA_DIR or
# ../shared/data, those present), builds examples through the server's feature code into
# WORK_DIR/examples, then trains the real-data challengers into WORK_DIR/challenger.
# Usage: bash models/training/retrain-real.sh EXPORT_DIR WORK_DIR
set -euo pipefail
export_dir=$(realpath "$1")
work=$(realpath -m "$2")
cd "$(dirname "$0")/../.."
VENV=${VENV:-models/training/.venv}
bash models/training/setup-venv.sh
mkdir -p "$work"
npx tsx scripts/ml/export-real-examples.ts --accounts "$export_dir/accounts.jsonl" --out "$work/examples"
PYTHONHASHSEED=0 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 "$VENV/bin/python" models/training/train_real.py \
  --examples "$work/examples" --out "$work/challenger"
