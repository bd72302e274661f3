"""Trains every FinCoach model from the TypeScript export and writes models/*.onnx, manifest.json,
golden/*.json (for the Node parity test) and reports/*.md + PNG.

Usage: python models/training/train.py [--cache models/training/.cache] [--out models] [--seed 20261124]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fincoach_training import policy, real_models, segmentation  # noqa: E402
from fincoach_training.common import MANIFEST_VERSION, manifest_entry, seed_everything  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", default="models/training/.cache")
    parser.add_argument("--real-cache", default="models/training/.cache/real", help="real-data examples (scripts/ml/export-real-examples.ts)")
    parser.add_argument("--out", default="models")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--only", nargs="*", help="train only these models (others keep their manifest entries)")
    parser.add_argument("--policy-steps", type=int, default=6000, help="CQL gradient steps per α (smaller for the smoke test)")
    parser.add_argument("--policy-validation-users", type=int, default=300, help="simulated users that choose α by true value")
    parser.add_argument("--policy-max-test-users", type=int, default=None, help="cap on held-out users rolled out (smoke test only)")
    parser.add_argument("--policy-fqe-iterations", type=int, default=20, help="fitted Q evaluation rounds (150 steps each)")
    parser.add_argument("--policy-fqe-steps", type=int, default=150, help="gradient steps per fitted Q evaluation round")
    parser.add_argument("--policy-alphas", type=float, nargs="+", default=list(policy.CQL_ALPHAS), help="CQL α candidates")
    args = parser.parse_args()
    cache, out = Path(args.cache), Path(args.out)
    (out / "golden").mkdir(parents=True, exist_ok=True)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"models": {}}
    # Retraining only the real-data models (--only spending_forecast goal) needs no synthetic export.
    meta_file = cache / "meta.json"
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else None
    features = meta["feature_names"] if meta else previous["feature_names"]
    started = time.time()

    def log(message: str) -> None:
        print(f"[{time.time() - started:6.1f}s] {message}", flush=True)

    steps = [
        ("segmentation", lambda: segmentation.train(cache, out, features, args.seed, log)),
        # Judged on real accounts, so trained on real ones (shared/docs/ml-evaluation.md).
        ("spending_forecast", lambda: real_models.train_forecaster(Path(args.real_cache), out, log)),
        ("goal", lambda: real_models.train_goal(Path(args.real_cache), out, log)),
        ("policy", lambda: policy.train(cache, out, features, args.seed, log, steps=args.policy_steps,
                                        validation_users=args.policy_validation_users, max_test_users=args.policy_max_test_users,
                                        fqe_iterations=args.policy_fqe_iterations, fqe_steps=args.policy_fqe_steps, alphas=tuple(args.policy_alphas))),
    ]
    models = dict(previous.get("models", {}))
    reports = {}
    for i, (name, run) in enumerate(steps, 1):
        if args.only and name not in args.only:
            continue
        log(f"({i}/{len(steps)}) training {name}")
        seed_everything(args.seed)
        result = run()
        file = out / result.file
        models[name] = manifest_entry(result, out)
        (out / "reports" / f"{name}.md").write_text(result.report + "\n")
        reports[name] = models[name]
        log(f"({i}/{len(steps)}) {name}: {file.stat().st_size / 1024:.0f} KiB, targets {models[name].get('targets_met')}")

    manifest = {
        "version": MANIFEST_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "generator": {"seed": meta["seed"], "users": meta["users"], "weeks": meta["weeks"], "personas": meta["personas"], "calibration_rows": meta["calibration"]["rows"], "training_seed": args.seed} if meta else previous["generator"],
        "feature_names": features,
        "models": models,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    write_summary(out, manifest)
    log(f"done: {manifest_path}")


def served_note(policy: dict) -> str:
    """What serves and, for a simple policy, its own paired margin over the best simple policy on held-out users."""
    name = policy["served_policy"]["name"]
    if name == "cql":
        return "; served: cql"
    margins = "; ".join(f"×{sc}: {d['mean']:+.3f} ± {d['se']:.3f}" for sc, d in policy["metrics"]["served_minus_best_simple"].items())
    return f"; served: {name} (chosen on validation users; {name} − best simple on held-out users {margins})"


def write_summary(out: Path, manifest: dict) -> None:
    m = manifest["models"]
    row = lambda name, metric, value, target, met: f"| {name} | {metric} | {value} | {target} | {'yes' if met else 'NO'} |"
    lines = [
        "# Model reports",
        "",
        f"Generated by `npm run train:models` on {manifest['created_at']} (synthetic population: {manifest['generator']['users']} users × "
        f"{manifest['generator']['weeks']} weeks, calibrated on {manifest['generator']['calibration_rows']} MoneyVis rows; 20% of users held out). "
        "Every figure below is measured on the held-out users.",
        "",
        "| model | metric | value | target | met |",
        "|---|---|---|---|---|",
    ]
    if "segmentation" in m:
        s, t = m["segmentation"]["metrics"], m["segmentation"]["targets_met"]
        worst = max(v["served_change_rate"] for v in s["weekly_change"].values())
        lines.append(row("segmentation", "bootstrap ARI between refits (5th percentile)", s["bootstrap_ari"]["p5"], "≥ 0.8", t["bootstrap_ari_p5_at_least_0.8"]))
        lines.append(row("segmentation", "weekly segment changes, worst real group", worst, "≤ 0.10", t["weekly_change_at_most_10pct_real"]))
    if "spending_forecast" in m:
        e = m["spending_forecast"]
        for h, v in e["metrics"].items():
            lines.append(row("spending forecaster", f"{h} validation RMSE ÷ best baseline (berka, MoneyVis)", ", ".join(f"{k} {r}" for k, r in v["validation_rmse_ratio_to_best_baseline"].items()) + f"; served: {e['serve'][h[:-1]]}", "< 1 on real accounts (full evaluation: evaluation.md)", e["serve"][h[:-1]] == "model"))
    if "goal" in m:
        g = m["goal"]["metrics"]
        lines.append(row("goal probability", "validation Brier (real episodes)", f"{g['validation_brier']} (base rate {g['validation_brier_base_rate']})", "below base rate (full evaluation: evaluation.md)", g["validation_brier"] < g["validation_brier_base_rate"]))
    if "policy" in m:
        p = m["policy"]["metrics"]
        diff = p["cql_minus_best_simple"]
        lines.append(row("CQL policy", "true value in the simulator, CQL − best of rule/constants (paired s.e.)",
                         "; ".join(f"×{sc}: {d['mean']:+.3f} ± {d['se']:.3f}" for sc, d in diff.items()) + served_note(m["policy"]),
                         "≥ 2 s.e. in all 3 settings", m["policy"]["targets_met"]["cql_beats_best_simple_by_2se_in_all_settings"]))
    lines += ["", "Details: " + ", ".join(f"[{n}]({n}.md)" for n in m), ""]
    # Written by hand from `npm run train:check-reproducible`, which a training run cannot measure itself.
    lines += ["Two runs from scratch compared: [reproducibility.md](reproducibility.md).", ""]
    (out / "reports" / "README.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
