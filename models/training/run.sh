#!/usr/bin/env bash
# Regenerates every model from scratch: venv + pinned packages, synthetic data export
# through the server's own feature code (TypeScript), then training (Python).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=models/training/.venv
PYTHON=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
echo "==> installing models/training/requirements.txt"
# --retries 0 --timeout 2: fail fast on unreachable indexes and use the configured mirror.
"$VENV/bin/pip" install --disable-pip-version-check -q --retries 0 --timeout 2 -r models/training/requirements.txt
echo "==> exporting training data (synthetic users calibrated on MoneyVis)"
npx tsx scripts/ml/export-training-data.ts "$@"
echo "==> exporting real-data examples (moneyvis + berka even accounts; REAL_DATA_DIR or ../shared/data)"
npx tsx scripts/ml/export-real-examples.ts
echo "==> training"
"$VENV/bin/python" models/training/train.py
echo "==> done: models/manifest.json, models/reports/README.md"
