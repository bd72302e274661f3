"""Plots for models/reports/evaluation.md, from the data eval-models.ts writes.
Usage: python scripts/ml/plot_evaluation.py <plots.json> <reports dir>"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

data = json.loads(Path(sys.argv[1]).read_text())
out = Path(sys.argv[2])

for name in ("moneyvis", "berka", "synthetic"):
    keys = [k for k in data["forecast"] if k.startswith(name + "_")]
    if not keys:
        continue
    fig, axes = plt.subplots(len(keys), 1, figsize=(11, 3.2 * len(keys)), squeeze=False)
    for ax, key in zip(axes[:, 0], sorted(keys, key=lambda k: int(k.split("_")[1]))):
        d = data["forecast"][key]
        s = d["series"]
        x = list(range(len(s)))
        ax.plot(x, [r["truth"] for r in s], color="black", lw=0.8, label="actual spending")
        ax.plot(x, [r["served"] for r in s], color="tab:blue", lw=1.2, label="served forecast")
        ax.plot(x, [r["best"] for r in s], color="tab:orange", lw=1.0, ls="--", label=f"best baseline ({d['best']})")
        test = [i for i, r in enumerate(s) if r["role"] == "test"]
        if test and len(test) < len(s):
            ax.axvspan(test[0], test[-1], color="tab:green", alpha=0.08, label="test period")
        step = max(1, len(s) // 10)
        ax.set_xticks(x[::step])
        ax.set_xticklabels([r["origin"] for r in s][::step], rotation=30, fontsize=7)
        horizon = key.split("_")[1]
        title = "mean over test accounts per origin" if name != "moneyvis" else "every weekly origin"
        ax.set_title(f"{name}: next {horizon} days' spending ({title})", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(out / f"forecast_{name}.png", dpi=90)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(keys) * 2, figsize=(5 * len(keys) * 2, 3.6), squeeze=False)
    col = 0
    for key in sorted(keys, key=lambda k: int(k.split("_")[1])):
        scores = data["forecast"][key]["scores"]
        for metric in ("rmse", "mae"):
            ax = axes[0, col]
            col += 1
            names = list(scores)
            vals = [scores[n][metric] for n in names]
            lo = [scores[n][metric] - scores[n][metric + "_ci"][0] for n in names]
            hi = [scores[n][metric + "_ci"][1] - scores[n][metric] for n in names]
            colors = ["tab:blue" if n == "served" else "tab:gray" for n in names]
            ax.barh(names, vals, xerr=[lo, hi], color=colors, capsize=3)
            ax.set_title(f"{name} {key.split('_')[1]} days: {metric.upper()} (95% CI)", fontsize=9)
            ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(out / f"forecast_scores_{name}.png", dpi=90)
    plt.close(fig)

fig, ax = plt.subplots(figsize=(5, 5))
ax.plot([0, 1], [0, 1], color="gray", ls=":", lw=1)
for name, bins in data["goal"].items():
    pts = [(b["mean_p"], b["rate"], b["n"]) for b in bins if b["n"]]
    ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=f"{name} (test)")
ax.set_xlabel("served probability (bin mean)")
ax.set_ylabel("share of goals achieved")
ax.set_title("Goal probability calibration, 10 bins", fontsize=9)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(out / "goal_calibration_real.png", dpi=90)
plt.close(fig)
print(f"plots written to {out}")
