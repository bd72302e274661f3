"""Trains the real-data challengers for the retraining job (src/ml/retraining): the spending
forecaster and the goal model, by the same code as the full training (fincoach_training/real_models.py),
from examples built by scripts/ml/export-real-examples.ts --accounts (public real data sets plus the
system's consenting users). Writes OUT/manifest.json ({"models": {name: manifest entry}}), the ONNX
files and golden inputs; the job evaluates and promotes them, not this script.

Usage: python models/training/train_real.py --examples DIR --out DIR [--seed 20261124]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fincoach_training import real_models  # noqa: E402
from fincoach_training.common import MANIFEST_VERSION, manifest_entry, seed_everything  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", required=True, help="export-real-examples.ts output")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args()
    examples, out = Path(args.examples), Path(args.out)
    (out / "golden").mkdir(parents=True, exist_ok=True)
    started = time.time()

    def log(message: str) -> None:
        print(f"[{time.time() - started:6.1f}s] {message}", flush=True)

    models = {}
    for name, train in (("spending_forecast", real_models.train_forecaster), ("goal", real_models.train_goal)):
        seed_everything(args.seed)
        models[name] = manifest_entry(train(examples, out, log), out)
    meta = json.loads((examples / "meta.json").read_text())
    (out / "manifest.json").write_text(json.dumps({"version": MANIFEST_VERSION, "examples": meta, "models": models}, indent=2) + "\n")
    log(f"done: {out / 'manifest.json'}")


if __name__ == "__main__":
    main()
