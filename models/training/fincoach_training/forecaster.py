"""LSTM forecaster: the last 8 weeks of per-category spend → next week's per-category spend."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from .common import ModelResult, SignedLogStandardize, export_onnx, fit_standardizer, read_jsonl, write_golden


class Forecaster(nn.Module):
    def __init__(self, mean: np.ndarray, scale: np.ndarray, categories: int, hidden: int = 64):
        super().__init__()
        self.transform = SignedLogStandardize(mean, scale)
        self.lstm = nn.LSTM(categories, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden, categories)

    def forward(self, weeks: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(self.transform(weeks))
        # Predict log1p(spend) and map back, so outputs are non-negative currency amounts.
        return torch.exp(torch.clamp(self.head(out[:, -1, :]), min=0.0, max=12.0)) - 1.0


def train(cache: Path, out: Path, categories: list[str], seed: int, log, epochs: int = 8) -> ModelResult:
    rows = read_jsonl(cache / "lstm.jsonl")
    x = np.array([r["x"] for r in rows], dtype=np.float32)
    y = np.array([r["y"] for r in rows], dtype=np.float32)
    is_train = np.array([r["split"] == "train" for r in rows])
    mean, scale = fit_standardizer(x[is_train])
    model = Forecaster(mean, scale, len(categories))
    opt = torch.optim.Adam(model.parameters(), lr=4e-3)
    xt, yt = torch.tensor(x[is_train]), torch.tensor(y[is_train])
    generator = torch.Generator().manual_seed(seed)
    history = []
    for epoch in tqdm(range(epochs), desc="lstm", leave=False):
        model.train()
        perm = torch.randperm(len(xt), generator=generator)
        total = 0.0
        for i in range(0, len(perm), 1024):
            b = perm[i : i + 1024]
            # L1 loss: the forecast minimising mean absolute error is the conditional median.
            loss = torch.mean(torch.abs(model(xt[b]) - yt[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        history.append(total / len(perm))
    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(x[~is_train])).numpy()
    y_test = y[~is_train]
    x_test = x[~is_train]
    mae = lambda p: float(np.mean(np.abs(p - y_test)))
    mae_lstm = mae(pred)
    mae_naive = mae(x_test[:, -1, :])
    mae_ma4 = mae(x_test[:, -4:, :].mean(1))
    best_baseline = min(mae_naive, mae_ma4)
    improvement = 1 - mae_lstm / best_baseline
    per_category = {c: {"lstm": round(float(np.mean(np.abs(pred[:, i] - y_test[:, i]))), 3), "naive": round(float(np.mean(np.abs(x_test[:, -1, i] - y_test[:, i]))), 3), "ma4": round(float(np.mean(np.abs(x_test[:, -4:, i].mean(1) - y_test[:, i]))), 3)} for i, c in enumerate(categories)}
    log(f"lstm: MAE {mae_lstm:.2f} vs naive {mae_naive:.2f}, MA4 {mae_ma4:.2f} ({improvement * 100:.1f}% better than the best baseline)")

    path = out / "spending_lstm.onnx"
    export_onnx(model, torch.zeros(1, x.shape[1], x.shape[2]), path, "weeks", ["next_week"], {"weeks": {0: "batch"}, "next_week": {0: "batch"}})
    write_golden(out / "golden" / "spending_forecast.json", path, x_test[:20])

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(range(1, epochs + 1), history, marker="o")
    ax.set_xlabel("epoch")
    ax.set_ylabel("train MAE (L1)")
    ax.set_title("LSTM training")
    plt.tight_layout()
    fig.savefig(out / "reports" / "lstm_training.png", dpi=80)
    plt.close(fig)

    metrics = {
        "mae_lstm": round(mae_lstm, 4),
        "mae_naive_last_week": round(mae_naive, 4),
        "mae_moving_average_4w": round(mae_ma4, 4),
        "improvement_over_best_baseline": round(improvement, 4),
        "per_category_mae": per_category,
        "samples_test": int((~is_train).sum()),
        "samples_train": int(is_train.sum()),
    }
    report = "\n".join(
        [
            "# Spending forecaster (LSTM)",
            "",
            f"Input: the last {x.shape[1]} weeks of spend per category (11, `src/ml/features/weekly.ts`), signed-log standardised in the graph. "
            "2-layer LSTM (64 units) → linear → expm1: next week's spend per category. Trained with L1 loss (Adam, 8 epochs, batch 1024).",
            "",
            "| model | MAE per (user-week, category) on held-out users |\n|---|---|",
            f"| LSTM | {mae_lstm:.3f} |\n| naive: last week | {mae_naive:.3f} |\n| moving average, 4 weeks | {mae_ma4:.3f} |",
            "",
            f"LSTM MAE is {improvement * 100:.1f}% below the better baseline (target: at least 10%).",
            "",
            "| category | LSTM | naive | MA4 |\n|---|---|---|---|",
            *[f"| {c} | {v['lstm']} | {v['naive']} | {v['ma4']} |" for c, v in per_category.items()],
            "",
            "![training](lstm_training.png)",
        ]
    )
    return ModelResult(
        name="spending_forecast",
        file=path.name,
        inputs={"weeks": [None, int(x.shape[1]), int(x.shape[2])]},
        outputs={"next_week": [None, int(x.shape[2])]},
        entry={
            "window_weeks": int(x.shape[1]),
            "categories": categories,
            "scaler": {"mean": mean.tolist(), "scale": scale.tolist()},
            "metrics": metrics,
            "targets_met": {"mae_10pct_below_best_baseline": improvement >= 0.10},
        },
        report=report,
    )
