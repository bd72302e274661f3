"""k-means (k=5) user segmentation, exported so ONNX returns distances to the 5 centroids and the segment."""
from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from torch import nn

from .common import ModelResult, SignedLogStandardize, export_onnx, fit_standardizer, read_jsonl, write_golden

SEGMENT_NAMES = ["Conservative Savers", "Impulse Buyers", "Goal-Oriented", "Budget Conscious", "High Spenders"]
# Behavioural features k-means may use; the best-separating subset is chosen on training users only.
CANDIDATES = [
    "savings_rate",
    "impulse_buying_score",
    "evening_spending_ratio",
    "emergency_fund_ratio",
    "total_spending",
    "total_income",
    "spending_volatility",
    "savings",
    "category_diversity",
    "current_balance",
]
MONEY = {"emergency_fund_ratio", "total_spending", "total_income", "spending_volatility", "savings", "current_balance"}
# How each segment name reads a centroid (standardised units): used to name clusters by profile.
NAME_PROFILES = {
    "Conservative Savers": {"emergency_fund_ratio": 1.0, "current_balance": 1.0, "savings": 0.5, "impulse_buying_score": -0.5},
    "Impulse Buyers": {"impulse_buying_score": 1.0, "evening_spending_ratio": 1.0, "savings_rate": -1.0},
    "Goal-Oriented": {"savings": 1.0, "savings_rate": 0.5, "total_income": 0.3},
    "Budget Conscious": {"total_spending": -1.0, "spending_volatility": -1.0, "impulse_buying_score": -0.3},
    "High Spenders": {"total_spending": 1.0, "spending_volatility": 0.7, "total_income": 0.5},
}


class KMeansGraph(nn.Module):
    def __init__(self, indices, transform: SignedLogStandardize, centroids: np.ndarray):
        super().__init__()
        self.register_buffer("indices", torch.tensor(indices, dtype=torch.long))
        self.transform = transform
        self.register_buffer("centroids", torch.tensor(centroids, dtype=torch.float32))

    def forward(self, features: torch.Tensor):
        z = self.transform(torch.index_select(features, 1, self.indices))
        diff = z.unsqueeze(1) - self.centroids.unsqueeze(0)
        distances = torch.sqrt(torch.clamp((diff * diff).sum(-1), min=0.0))
        return distances, torch.argmin(distances, dim=1)


def train(cache: Path, out: Path, feature_names: list[str], seed: int, log) -> ModelResult:
    rows = read_jsonl(cache / "segmentation.jsonl")
    x_all = np.array([r["x"] for r in rows], dtype=np.float64)
    train_mask = np.array([r["split"] == "train" for r in rows])
    personas = np.array([r["persona"] for r in rows])

    def evaluate(subset, n_init=3, sample_size=1500):
        idx = [feature_names.index(f) for f in subset]
        mask = np.array([f in MONEY for f in subset])
        mean, scale = fit_standardizer(x_all[train_mask][:, idx], mask)
        def z(x):
            t = x[:, idx].copy()
            t[:, mask] = np.sign(t[:, mask]) * np.log1p(np.abs(t[:, mask]))
            return (t - mean) / scale
        km = KMeans(n_clusters=5, n_init=n_init, random_state=seed).fit(z(x_all[train_mask]))
        sample = np.random.default_rng(seed).choice(train_mask.sum(), size=min(sample_size, train_mask.sum()), replace=False)
        score = silhouette_score(z(x_all[train_mask])[sample], km.labels_[sample])
        return score, idx, mask, mean, scale, km, z

    # Subset search on training users: every 4- to 6-feature combination of the candidates.
    best = None
    for size in (4, 5, 6):
        for subset in itertools.combinations(CANDIDATES, size):
            score, *rest = evaluate(subset)
            sizes = np.bincount(rest[4].labels_, minlength=5) / len(rest[4].labels_)
            if sizes.min() < 0.05:
                continue
            if best is None or score > best[0]:
                best = (score, subset, *rest)
    # Refit the chosen subset properly (more restarts, larger silhouette sample).
    train_silhouette, idx, mask, mean, scale, km, z = evaluate(best[1], n_init=20, sample_size=4000)
    subset = best[1]
    log(f"segmentation: chose {list(subset)} (train silhouette {train_silhouette:.3f})")

    # Name clusters by their profiles: members' means of every candidate feature (signed-log,
    # standardised across users) scored against each segment's description, then the
    # Hungarian method assigns names one-to-one (not by cluster index).
    centroids = km.cluster_centers_
    cand_idx = [feature_names.index(f) for f in CANDIDATES]
    train_x = x_all[train_mask][:, cand_idx]
    logged = np.where(np.array([f in MONEY for f in CANDIDATES]), np.sign(train_x) * np.log1p(np.abs(train_x)), train_x)
    profile_z = (logged - logged.mean(0)) / (logged.std(0) + 1e-9)
    score = np.zeros((5, 5))
    for k in range(5):
        member_means = profile_z[km.labels_ == k].mean(0)
        for j, name in enumerate(SEGMENT_NAMES):
            score[k, j] = sum(w * member_means[CANDIDATES.index(f)] for f, w in NAME_PROFILES[name].items())
    rows_, cols = linear_sum_assignment(-score)
    order = np.zeros(5, dtype=int)  # order[segment_id] = cluster index
    for k, j in zip(rows_, cols):
        order[j] = k
    ordered = centroids[order]

    test = ~train_mask
    z_test = z(x_all[test])
    d_test = np.sqrt(((z_test[:, None, :] - ordered[None]) ** 2).sum(-1))
    labels_test = d_test.argmin(1)
    test_silhouette = float(silhouette_score(z_test, labels_test))
    shares = np.bincount(labels_test, minlength=5) / len(labels_test)
    purity = {SEGMENT_NAMES[s]: {p: int(((labels_test == s) & (personas[test] == p)).sum()) for p in sorted(set(personas))} for s in range(5)}

    graph = KMeansGraph(idx, SignedLogStandardize(mean, scale, mask), ordered)
    path = out / "segmentation.onnx"
    export_onnx(graph, torch.zeros(1, len(feature_names)), path, "features", ["distances", "segment"], {"features": {0: "batch"}, "distances": {0: "batch"}, "segment": {0: "batch"}})
    write_golden(out / "golden" / "segmentation.json", path, x_all[test][:20].astype(np.float32))

    # Profile of each segment: feature means of its held-out members (raw units).
    profiles = {}
    for s in range(5):
        members = x_all[test][labels_test == s]
        profiles[str(s)] = {
            "name": SEGMENT_NAMES[s],
            "size": int(len(members)),
            "percentage": round(float(shares[s]) * 100, 1),
            "characteristics": {f: round(float(members[:, feature_names.index(f)].mean()), 4) if len(members) else 0.0 for f in CANDIDATES},
        }

    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(SEGMENT_NAMES, shares * 100)
    ax.set_ylabel("% of held-out users")
    ax.set_title(f"Segments (held-out silhouette {test_silhouette:.3f})")
    plt.xticks(rotation=20, ha="right", fontsize=8)
    plt.tight_layout()
    fig.savefig(out / "reports" / "segmentation_sizes.png", dpi=80)
    plt.close(fig)

    metrics = {
        "silhouette_train": round(float(train_silhouette), 4),
        "silhouette_test": round(test_silhouette, 4),
        "segment_shares_test": {SEGMENT_NAMES[s]: round(float(shares[s]), 4) for s in range(5)},
        "min_segment_share_test": round(float(shares.min()), 4),
        "users_test": int(test.sum()),
        "reference_system_silhouette": 0.164,
    }
    targets = {"silhouette_at_least_0.25": test_silhouette >= 0.25, "every_segment_at_least_5pct": bool(shares.min() >= 0.05)}
    report = "\n".join(
        [
            "# Segmentation (k-means, k = 5)",
            "",
            f"Features (chosen among {len(CANDIDATES)} candidates by training-user silhouette, money features signed-log transformed, then standardised): `{', '.join(subset)}`.",
            "Clusters are named by profile: each centroid is scored against a description of each segment and the names are assigned by the Hungarian method (not by cluster index).",
            "",
            f"| metric | value | target |\n|---|---|---|\n| silhouette (held-out) | {test_silhouette:.3f} | ≥ 0.25 (reference system: 0.164) |\n| smallest segment | {shares.min() * 100:.1f}% | ≥ 5% |",
            "",
            "Segment × simulated persona (held-out users):",
            "",
            "| segment | " + " | ".join(sorted(set(personas))) + " |",
            "|---|" + "---|" * len(set(personas)),
            *[f"| {n} | " + " | ".join(str(v) for v in purity[n].values()) + " |" for n in SEGMENT_NAMES],
            "",
            "![sizes](segmentation_sizes.png)",
        ]
    )
    return ModelResult(
        name="segmentation",
        file=path.name,
        inputs={"features": [None, len(feature_names)]},
        outputs={"distances": [None, 5], "segment": [None]},
        entry={
            "feature_names": feature_names,
            "selected_features": list(subset),
            "scaler": {"mean": mean.tolist(), "scale": scale.tolist(), "log_transformed": mask.tolist()},
            "segment_names": {str(i): n for i, n in enumerate(SEGMENT_NAMES)},
            "profiles": profiles,
            "metrics": metrics,
            "targets_met": targets,
        },
        report=report,
    )
