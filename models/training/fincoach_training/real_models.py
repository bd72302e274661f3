"""The spending forecaster and the goal-probability model, trained on REAL accounts.

Data: models/training/.cache/real/{forecast,goal}.jsonl written by scripts/ml/export-real-examples.ts
through the server's feature code. Only rows with role == "train" are read for fitting and choosing
(berka even accounts of the training 60%, targets ending before the time cut; MoneyVis before 2020).
Validation for choices: berka training accounts split again by account (1 in 4), MoneyVis's 2019.

Forecaster: a linear model without intercept over the history's own money features (recent means,
the last months' same calendar window, bills, a new account's recent level, the balance above its
13-week mean), one weight vector per horizon (7 and 28 days), fitted by non-negative least squares on
the served total with each data set weighted alike and its training bias held within 5%. The balance
input is used at a horizon only where validation chooses it (_choose_inputs). Without an intercept the
forecast scales with the account's currency.
It is served for a horizon only where it beats the best baseline on validation on both data sets;
otherwise the manifest names the baseline the server serves instead.

Goal model: logistic regression on ratio features (goal ÷ income, paces, a drift z-score), which is
a calibrated probability by construction on the data it was fitted to.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from scipy.optimize import nnls
from sklearn.linear_model import LogisticRegression

from .common import ModelResult, write_golden

OPSET = 17
HORIZONS = (7, 28)


def _rows(path: Path) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _is_validation(r: dict) -> bool:
    if r["dataset"] == "moneyvis":
        return r["origin"] >= "2019-01-01"
    if r["dataset"] == "berka":
        return (int(r["account"]) // 2) % 4 == 0
    # The system's own users (retraining): 1 in 4 by a fixed hash of the user id.
    return int(hashlib.sha256(r["account"].encode()).hexdigest()[:8], 16) % 4 == 0


def _rmse(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((pred - y) ** 2)))


MAX_TRAINING_BIAS = 0.05  # half the served number's ±10% bias tolerance, as a margin for unseen accounts


def _fit_linear(x: np.ndarray, y: np.ndarray, row_weight: np.ndarray, ds: np.ndarray) -> np.ndarray:
    """Non-negative least squares on the served total: a weighted blend of the history's own
    money features (every weight ≥ 0, so no feature is subtracted and forecasts stay stable).
    Least squares alone under-forecasts spiky accounts on average (noisy features shrink the fit);
    the served number is an expected amount, so each data set's mean residual is pushed towards 0
    by a penalty row, the smallest penalty that keeps every data set's training bias within 5%."""
    sw = np.sqrt(row_weight)
    w = None
    for penalty in (0, 0.3, 1, 2, 3, 5, 7, 10, 20, 30, 100):
        a, b = [x * sw[:, None]], [y * sw]
        for d in np.unique(ds):
            m = ds == d
            c = penalty * np.sqrt(m.sum()) / np.sqrt(max(float(np.mean(y[m] ** 2)), 1e-9))
            a.append((x[m].mean(0) * c)[None, :])
            b.append(np.array([y[m].mean() * c]))
        w, _ = nnls(np.vstack(a), np.concatenate(b))
        bias = [abs((x[ds == d] @ w - y[ds == d]).mean()) / max(y[ds == d].mean(), 1e-9) for d in np.unique(ds)]
        if max(bias) <= MAX_TRAINING_BIAS:
            break
    return w


def _dataset_weights(y: np.ndarray, ds: np.ndarray) -> np.ndarray:
    """Each data set counts alike (one MoneyVis account against hundreds of berka ones, GBP against CZK):
    a row's weight is 1 ÷ its data set's mean squared target."""
    out = np.zeros(len(y))
    for d in np.unique(ds):
        m = ds == d
        out[m] = 1.0 / max(float(np.mean(y[m] ** 2)), 1e-9)
    return out


def _save(model: onnx.ModelProto, path: Path) -> None:
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())


def _forecaster_graph(weights: np.ndarray) -> onnx.ModelProto:
    n_h, n_f = weights.shape
    w = numpy_helper.from_array(weights.astype(np.float32), "weights")
    axes = numpy_helper.from_array(np.array([2], dtype=np.int64), "axes")
    nodes = [
        helper.make_node("Mul", ["features", "weights"], ["weighted"]),
        helper.make_node("ReduceSum", ["weighted", "axes"], ["raw"], keepdims=0),
        # Spending is never negative.
        helper.make_node("Relu", ["raw"], ["spending"]),
    ]
    graph = helper.make_graph(
        nodes,
        "spending_forecast_linear",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", n_h, n_f])],
        [helper.make_tensor_value_info("spending", TensorProto.FLOAT, ["batch", n_h])],
        [w, axes],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="fincoach", ir_version=8)


# Inputs a horizon may go without: each horizon uses them only where validation says so (_choose_inputs).
OPTIONAL_INPUTS = ("balance_above_13w_mean",)
MAX_VALIDATION_BIAS = 0.10  # the served number's bias target (±10% of mean spending), checked on validation


def _validation_scores(pred, y, val, ds, base) -> tuple[dict, dict, dict]:
    """Per data set on the validation rows: RMSE ÷ the data set's best baseline, bias ÷ mean spending,
    and each baseline's RMSE ratio (for the best single baseline across data sets)."""
    ratios, biases, base_ratios = {}, {}, {b: [] for b in base}
    for d in sorted(set(ds[val].tolist())):  # berka, moneyvis and, when retraining, the system's users
        m = val & (ds == d)
        best_base = min(_rmse(base[b][m], y[m]) for b in base)
        ratios[d] = _rmse(pred[m], y[m]) / best_base
        biases[d] = float((pred[m] - y[m]).mean() / max(y[m].mean(), 1e-9))
        for b in base:
            base_ratios[b].append(_rmse(base[b][m], y[m]) / best_base)
    return ratios, biases, base_ratios


def _choose_inputs(x, y, val, rw, ds, base, names) -> tuple[np.ndarray, list]:
    """The inputs of one horizon: every input, or every input but the optional ones. Fitted on the
    training part, judged on validation: the candidates whose bias is within the target on every data
    set, the lowest mean RMSE ratio among them wins; when none is within it, the plain inputs stay."""
    plain = np.array([n not in OPTIONAL_INPUTS for n in names])
    candidates = [("plain", plain), ("with " + ", ".join(OPTIONAL_INPUTS), np.ones(len(names), dtype=bool))]
    tried, best = [], None
    for label, mask in candidates:
        w = np.zeros(len(names))
        w[mask] = _fit_linear(x[~val][:, mask], y[~val], rw[~val], ds[~val])
        ratios, biases, _ = _validation_scores(x @ w, y, val, ds, base)
        score = float(np.mean(list(ratios.values())))
        within = max(abs(b) for b in biases.values()) <= MAX_VALIDATION_BIAS
        tried.append(
            {
                "inputs": label,
                "validation_rmse_ratio_to_best_baseline": {k: round(v, 4) for k, v in ratios.items()},
                "validation_bias_share": {k: round(v, 4) for k, v in biases.items()},
                "mean_ratio": round(score, 4),
                "bias_within_target": within,
            }
        )
        if within and (best is None or score < best[0]):
            best = (score, mask)
    return (best[1] if best else plain), tried


def train_forecaster(cache: Path, out: Path, log) -> ModelResult:
    meta = json.loads((cache / "meta.json").read_text())
    names = meta["forecast_feature_names"]
    rows = [r for r in _rows(cache / "forecast.jsonl") if r["role"] == "train"]
    weights = np.zeros((len(HORIZONS), len(names)))
    serve, baseline_choice, metrics = {}, {}, {}
    for hi, horizon in enumerate(HORIZONS):
        rs = [r for r in rows if r["horizon"] == horizon]
        x = np.array([r["x"] for r in rs], dtype=np.float64)
        y = np.array([r["y"] for r in rs], dtype=np.float64)
        val = np.array([_is_validation(r) for r in rs])
        ds = np.array([r["dataset"] for r in rs])
        base_names = list(rs[0]["baselines"].keys())
        base = {b: np.array([r["baselines"][b] for r in rs]) for b in base_names}
        rw = _dataset_weights(y, ds)
        mask, tried = _choose_inputs(x, y, val, rw, ds, base, names)
        w = np.zeros(len(names))
        w[mask] = _fit_linear(x[~val][:, mask], y[~val], rw[~val], ds[~val])
        ratios, biases, base_ratios = _validation_scores(x @ w, y, val, ds, base)
        # Both data sets count alike: the model is served if its mean RMSE ratio (to each data set's
        # best baseline) beats the best single baseline's mean ratio; that baseline is served otherwise.
        score = float(np.mean(list(ratios.values())))
        baseline_score = {b: float(np.mean(v)) for b, v in base_ratios.items()}
        chosen = min(baseline_score, key=baseline_score.get)
        baseline_choice[str(horizon)] = chosen
        serve[str(horizon)] = "model" if score < baseline_score[chosen] else "baseline"
        weights[hi, mask] = _fit_linear(x[:, mask], y, rw, ds)  # refit on all training rows
        metrics[f"{horizon}d"] = {
            "validation_rmse_ratio_to_best_baseline": {k: round(v, 4) for k, v in ratios.items()},
            "validation_bias_share": {k: round(v, 4) for k, v in biases.items()},
            "validation_best_single_baseline": {"name": chosen, "mean_ratio": round(baseline_score[chosen], 4)},
            "inputs_tried": tried,
            "weights": dict(zip(names, [round(float(v), 4) for v in weights[hi]])),
            "rows_train": int(len(rs)),
        }
        log(f"forecaster {horizon}d: validation RMSE / best baseline {ratios}, bias {biases} (best single baseline {chosen}: {baseline_score[chosen]:.4f}) → serve {serve[str(horizon)]}")
    file = out / "spending_forecast.onnx"
    _save(_forecaster_graph(weights), file)
    # Golden inputs: real feature rows (both horizons per row) from training rows of both data sets.
    by_origin: dict = {}
    for r in rows:
        by_origin.setdefault((r["dataset"], r["account"], r["origin"]), {})[r["horizon"]] = r["x"]
    complete = [v for v in by_origin.values() if len(v) == len(HORIZONS)]
    rng = np.random.default_rng(20261201)
    pick = rng.choice(len(complete), size=min(24, len(complete)), replace=False)
    golden = np.array([[complete[i][h] for h in HORIZONS] for i in pick], dtype=np.float32)
    write_golden(out / "golden" / "spending_forecast.json", file, golden)
    entry = {
        "feature_names": names,
        "horizons": list(HORIZONS),
        "serve": serve,
        "baseline": baseline_choice,
        "trained_on": "real accounts: berka even ids (training 60% by account, before 1993-11-01) and MoneyVis before 2020",
        "metrics": metrics,
    }
    report = "\n".join(
        [
            "# Spending forecaster (training summary)",
            "",
            "Linear model without intercept over the history's money features, fitted on real training accounts.",
            "The evaluation on held-out accounts and time is in [evaluation.md](evaluation.md) (`npm run eval:models`).",
            "",
            "```json",
            json.dumps(entry, indent=2),
            "```",
        ]
    )
    return ModelResult(
        name="spending_forecast",
        file=file.name,
        inputs={"features": [None, len(HORIZONS), len(names)]},
        outputs={"spending": [None, len(HORIZONS)]},
        entry=entry,
        report=report,
    )


def _goal_graph(mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float) -> onnx.ModelProto:
    n = len(mean)
    init = [
        numpy_helper.from_array(mean.astype(np.float32), "mean"),
        numpy_helper.from_array(scale.astype(np.float32), "scale"),
        numpy_helper.from_array(coef.reshape(n, 1).astype(np.float32), "coef"),
        numpy_helper.from_array(np.array([intercept], dtype=np.float32), "intercept"),
    ]
    nodes = [
        helper.make_node("Sub", ["goal_features", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "scale"], ["standardised"]),
        helper.make_node("MatMul", ["standardised", "coef"], ["linear"]),
        helper.make_node("Add", ["linear", "intercept"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["probability"]),
    ]
    graph = helper.make_graph(
        nodes,
        "goal_logistic",
        [helper.make_tensor_value_info("goal_features", TensorProto.FLOAT, ["batch", n])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch", 1])],
        init,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="fincoach", ir_version=8)


def _ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    idx = np.minimum((p * bins).astype(int), bins - 1)
    return float(sum(abs(p[idx == b].mean() - y[idx == b].mean()) * (idx == b).mean() for b in range(bins) if (idx == b).any()))


def train_goal(cache: Path, out: Path, log) -> ModelResult:
    meta = json.loads((cache / "meta.json").read_text())
    names = meta["goal_feature_names"]
    rows = [r for r in _rows(cache / "goal.jsonl") if r["role"] == "train"]
    x = np.array([r["x"] for r in rows], dtype=np.float64)
    y = np.array([r["y"] for r in rows], dtype=np.float64)
    val = np.array([_is_validation(r) for r in rows])
    mean, scale = x[~val].mean(0), x[~val].std(0)
    scale[scale < 1e-6] = 1.0
    best = None
    for c in (0.01, 0.1, 1.0, 10.0):
        lr = LogisticRegression(C=c, max_iter=2000).fit((x[~val] - mean) / scale, y[~val])
        p = lr.predict_proba((x[val] - mean) / scale)[:, 1]
        brier = float(np.mean((p - y[val]) ** 2))
        if best is None or brier < best[0]:
            best = (brier, c)
    brier_val, c = best
    base_rate = float(y.mean())
    mean, scale = x.mean(0), x.std(0)
    scale[scale < 1e-6] = 1.0
    lr = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y)
    file = out / "goal_classifier.onnx"
    _save(_goal_graph(mean, scale, lr.coef_[0], float(lr.intercept_[0])), file)
    rng = np.random.default_rng(20261201)
    golden = x[rng.choice(len(x), size=min(24, len(x)), replace=False)].astype(np.float32)
    write_golden(out / "golden" / "goal.json", file, golden)
    brier_base_val = float(np.mean((y[~val].mean() - y[val]) ** 2))
    serve = "model" if brier_val < brier_base_val else "baseline"
    log(f"goal: C {c}, validation Brier {brier_val:.4f} vs base rate {brier_base_val:.4f} → serve {serve}")
    entry = {
        "feature_names": names,
        "base_rate": round(base_rate, 4),
        "serve": serve,
        "trained_on": "real goal episodes: berka even ids (training 60% by account, before 1993-11-01) and MoneyVis before 2020",
        "metrics": {
            "C": c,
            "validation_brier": round(brier_val, 4),
            "validation_brier_base_rate": round(brier_base_val, 4),
            "episodes_train": int(len(rows)),
            "coefficients": dict(zip(names, [round(float(v), 4) for v in lr.coef_[0]])),
        },
    }
    report = "\n".join(
        [
            "# Goal probability (training summary)",
            "",
            "Logistic regression on real training episodes. Evaluation on held-out accounts and time:",
            "[evaluation.md](evaluation.md) (`npm run eval:models`).",
            "",
            "```json",
            json.dumps(entry, indent=2),
            "```",
        ]
    )
    return ModelResult(
        name="goal",
        file=file.name,
        inputs={"goal_features": [None, len(names)]},
        outputs={"probability": [None, 1]},
        entry=entry,
        report=report,
    )
