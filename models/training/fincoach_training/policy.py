"""Discrete CQL coaching policy over weekly states, valued by rollouts in the simulator itself.

The true value of every policy comes from scripts/ml/evaluate-policies.ts, which rolls each one
out in the TypeScript simulator that made the training data (paired seeds, ≥ 500 held-out users,
response parameters × 0.5 / × 1 / × 1.5). CQL's α is chosen on validation users by that value;
fitted Q evaluation is reported beside it with its error, and never chooses anything.
"""
from __future__ import annotations

import copy
import json
import math
import shutil
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from .common import ModelResult, SignedLogStandardize, export_onnx, fit_standardizer, read_jsonl, sha256, write_golden

ACTIONS = ["continue_current_behavior", "spending_alert", "budget_suggestion", "savings_nudge", "positive_reinforcement"]
GAMMA = 0.9  # REWARD_DISCOUNT of src/ml/synthetic/coaching-episode.ts
# Conservative weights tried; the one with the best true value on validation users is kept.
CQL_ALPHAS = (0.05, 0.2, 1.0, 3.0)
SCALES = ("1", "0.5", "1.5")  # the simulator's response parameters × these
SHORT = ["continue", "alert", "budget", "nudge", "praise"]
CONSTANTS = [f"always_{a}" for a in SHORT]
SIMPLE = ["rule", *CONSTANTS]  # what a learned policy must beat
REPO = Path(__file__).resolve().parents[3]


def mlp(n_in: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n_in, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, n_out))


class QNetwork(nn.Module):
    def __init__(self, mean, scale, n_in: int):
        super().__init__()
        self.transform = SignedLogStandardize(mean, scale)
        self.net = mlp(n_in, len(ACTIONS))

    def forward(self, state):
        return self.net(self.transform(state))


def load(cache: Path):
    rows = read_jsonl(cache / "rl.jsonl")
    arr = lambda k, dt=np.float32: np.array([r[k] for r in rows], dtype=dt)
    return {
        "s": arr("s"),
        "a": arr("a", np.int64),
        "p": arr("p"),
        "rule": arr("rule", np.int64),
        "r": arr("r"),
        "s2": arr("s2"),
        "done": arr("done"),
        "test": np.array([r["split"] == "test" for r in rows]),
        "persona": np.array([r["persona"] for r in rows]),
        "user": arr("user", np.int64),
    }


def batches(n: int, size: int, steps: int, gen: torch.Generator):
    for _ in range(steps):
        yield torch.randint(0, n, (size,), generator=gen)


def train_cql(d, mean, scale, seed: int, steps: int, alpha: float) -> tuple[QNetwork, list[float]]:
    torch.manual_seed(seed)
    q = QNetwork(mean, scale, d["s"].shape[1])
    target = copy.deepcopy(q)
    opt = torch.optim.Adam(q.parameters(), lr=3e-4)
    s, a, r, s2, done = (torch.tensor(d[k]) for k in ("s", "a", "r", "s2", "done"))
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for i, b in enumerate(tqdm(batches(len(s), 512, steps, gen), total=steps, desc="cql", leave=False)):
        qs = q(s[b])
        q_sa = qs.gather(1, a[b].unsqueeze(1)).squeeze(1)
        with torch.no_grad():
            # Double DQN target: the online network picks, the target network values.
            next_a = q(s2[b]).argmax(1, keepdim=True)
            y = r[b] + GAMMA * (1 - done[b]) * target(s2[b]).gather(1, next_a).squeeze(1)
        td = nn.functional.smooth_l1_loss(q_sa, y)
        # CQL regulariser: push down Q on all actions, up on the logged ones (stay where the data is).
        conservative = (torch.logsumexp(qs, dim=1) - q_sa).mean()
        loss = td + alpha * conservative
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for p_t, p in zip(target.parameters(), q.parameters()):
                p_t.mul_(0.995).add_(0.005 * p)
        if i % 50 == 0:
            losses.append(loss.item())
    return q.eval(), losses


def fqe(d, policy_probs_next: np.ndarray, policy_probs_now: np.ndarray, mean, scale, seed: int, iterations: int = 40, steps: int = 150) -> float:
    """Fitted Q evaluation on held-out transitions: V(π) = mean over states of Σ_a π(a|s) Q^π(s, a)."""
    torch.manual_seed(seed)
    q = QNetwork(mean, scale, d["s"].shape[1])
    opt = torch.optim.Adam(q.parameters(), lr=1e-3)
    s, a, r, s2, done = (torch.tensor(d[k]) for k in ("s", "a", "r", "s2", "done"))
    pi_next = torch.tensor(policy_probs_next, dtype=torch.float32)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(iterations):
        frozen = copy.deepcopy(q).eval()
        with torch.no_grad():
            target_all = r + GAMMA * (1 - done) * (frozen(s2) * pi_next).sum(1)
        for b in batches(len(s), 512, steps, gen):
            loss = nn.functional.mse_loss(q(s[b]).gather(1, a[b].unsqueeze(1)).squeeze(1), target_all[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        return float((q(s) * torch.tensor(policy_probs_now, dtype=torch.float32)).sum(1).mean())


def one_hot(actions: np.ndarray) -> np.ndarray:
    return np.eye(len(ACTIONS), dtype=np.float32)[actions]


def simple_specs() -> list[dict]:
    return [{"name": "rule", "kind": "rule"}] + [{"name": c, "kind": "constant", "action": i} for i, c in enumerate(CONSTANTS)]


def rollouts(specs: list[dict], work: Path, name: str, meta: dict, extra: list[str], scales: tuple[str, ...], log) -> dict:
    """True values in the simulator: scripts/ml/evaluate-policies.ts (the simulator is TypeScript), one process per setting."""
    spec_file = work / f"{name}_policies.json"
    spec_file.write_text(json.dumps(specs))
    procs = []
    for sc in scales:
        out_file = work / f"{name}_values_x{sc}.json"
        cmd = ["npx", "--no-install", "tsx", "scripts/ml/evaluate-policies.ts", "--policies", str(spec_file), "--out", str(out_file),
               "--users", str(meta["users"]), "--weeks", str(meta["weeks"]), "--seed", str(meta["seed"]), "--scales", sc, *extra]
        # Reuse a finished run of exactly these policies and arguments (the ONNX files' hashes included).
        key = json.dumps([cmd, specs, [sha256(Path(p["file"])) for p in specs if p.get("file")]])
        stamp = out_file.with_suffix(".key")
        if out_file.exists() and stamp.exists() and stamp.read_text() == key:
            log(f"policy: rollouts ({name}, ×{sc}) reused from {out_file}")
            procs.append((out_file, None, None))
            continue
        log(f"policy: rollouts ({name}, ×{sc}): {' '.join(cmd[3:])}")
        stamp.unlink(missing_ok=True)
        procs.append((out_file, subprocess.Popen(cmd, cwd=REPO), lambda stamp=stamp, key=key: stamp.write_text(key)))
    merged: dict = {}
    for out_file, proc, done in procs:
        if proc is not None:
            if proc.wait() != 0:
                raise RuntimeError(f"policy rollouts failed ({out_file.name})")
            done()
        part = json.loads(out_file.read_text())
        merged.setdefault("users", part["users"])
        merged.setdefault("results", {}).update(part["results"])
    return merged


def summarize_values(values: list[float]) -> tuple[float, float]:
    x = np.asarray(values, dtype=np.float64)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else 0.0


def paired(a: list[float], b: list[float]) -> tuple[float, float]:
    """Mean of a − b over the same users and its standard error (paired seeds)."""
    return summarize_values((np.asarray(a) - np.asarray(b)).tolist())


def train(cache: Path, out: Path, feature_names: list[str], seed: int, log, steps: int = 6000,
          validation_users: int = 300, max_test_users: int | None = None, fqe_iterations: int = 20, fqe_steps: int = 150,
          alphas: tuple[float, ...] = CQL_ALPHAS) -> ModelResult:
    meta = json.loads((cache / "meta.json").read_text())
    d_all = load(cache)
    train_d = {k: v[~d_all["test"]] for k, v in d_all.items()}
    test_d = {k: v[d_all["test"]] for k, v in d_all.items()}
    mean, scale = fit_standardizer(train_d["s"])
    work = cache / "policy"
    work.mkdir(parents=True, exist_ok=True)

    # 1. Candidates: one CQL network per α, trained on the training users' logged transitions.
    candidates, losses = {}, {}
    for alpha in alphas:
        q, losses[alpha] = train_cql(train_d, mean, scale, seed, steps, alpha)
        path = work / f"cql_alpha_{alpha}.onnx"
        export_onnx(q, torch.zeros(1, len(feature_names)), path, "state", ["q_values"], {"state": {0: "batch"}, "q_values": {0: "batch"}})
        candidates[alpha] = (q, path)
        log(f"policy: trained CQL α={alpha}")

    # 2. Validation users (ids the export never simulated): α and the best simple policy, by true value.
    val_specs = [{"name": f"cql_alpha_{a}", "kind": "onnx", "file": str(p.resolve())} for a, (_, p) in candidates.items()] + simple_specs()
    val = rollouts(val_specs, work, "validation", meta, ["--split", "validation", "--validation-users", str(validation_users)], ("1",), log)
    val_values = {k: summarize_values(v["values"]) for k, v in val["results"]["1"].items()}
    alpha = max(alphas, key=lambda a: val_values[f"cql_alpha_{a}"][0])
    best_simple_val = max(SIMPLE, key=lambda k: val_values[k][0])
    q, _ = candidates[alpha]
    log(f"policy: validation picks α={alpha}; best simple policy on validation: {best_simple_val}")

    # 3. Held-out users (the export's test split), nominal and robustness settings, paired seeds.
    test_specs = [{"name": "cql", "kind": "onnx", "file": str(candidates[alpha][1].resolve())}, *simple_specs(),
                  {"name": "logging", "kind": "logging"}, {"name": "random", "kind": "random"}]
    extra = ["--split", "test"] + (["--max-users", str(max_test_users)] if max_test_users else [])
    test = rollouts(test_specs, work, "test", meta, extra, SCALES, log)
    n_test = len(test["users"])
    table = {sc: {k: summarize_values(v["values"]) for k, v in test["results"][sc].items()} for sc in SCALES}
    best_simple = {sc: max(SIMPLE, key=lambda k: table[sc][k][0]) for sc in SCALES}
    margin = {sc: paired(test["results"][sc]["cql"]["values"], test["results"][sc][best_simple[sc]]["values"]) for sc in SCALES}
    cql_wins = all(m >= 2 * se and m > 0 for m, se in margin.values())
    served = "cql" if cql_wins else best_simple_val
    served_margin = {sc: paired(test["results"][sc][served]["values"], test["results"][sc][best_simple[sc]]["values"]) if served != best_simple[sc] else (0.0, 0.0) for sc in SCALES}
    log(f"policy: CQL − best simple (paired): " + ", ".join(f"×{sc}: {m:+.4f} ± {se:.4f}" for sc, (m, se) in margin.items()) + f"; serving {served}")

    # 4. FQE on the held-out users' logged transitions (nominal simulator), beside the truth.
    with torch.no_grad():
        greedy = lambda x: q(torch.tensor(x)).argmax(1).numpy()
        cql_now, cql_next = greedy(test_d["s"]), greedy(test_d["s2"])
        q_train = q(torch.tensor(train_d["s"])).numpy()
    rule_now, rule_next = test_d["rule"], np.roll(test_d["rule"], -1)  # the next transition of the same user (done masks the last)
    uniform = np.full((len(rule_now), len(ACTIONS)), 1 / len(ACTIONS), dtype=np.float32)
    eps = meta.get("epsilon", 0.3)
    fqe_policies = {
        "cql": (one_hot(cql_next), one_hot(cql_now)),
        "rule": (one_hot(rule_next), one_hot(rule_now)),
        "logging": ((1 - eps) * one_hot(rule_next) + eps / len(ACTIONS), (1 - eps) * one_hot(rule_now) + eps / len(ACTIONS)),
        "random": (uniform, uniform),
        **{c: (one_hot(np.full_like(rule_now, i)), one_hot(np.full_like(rule_now, i))) for i, c in enumerate(CONSTANTS)},
    }
    fqe_values = {k: fqe(test_d, nxt, now, mean, scale, seed, iterations=fqe_iterations, steps=fqe_steps) for k, (nxt, now) in fqe_policies.items()}
    fqe_error = {k: (fqe_values[k] - table["1"][k][0]) / abs(table["1"][k][0]) for k in fqe_values}
    log("policy: FQE relative error " + ", ".join(f"{k} {v:+.1%}" for k, v in fqe_error.items()))

    cql_dist = np.bincount(cql_now, minlength=5) / len(cql_now)
    logged_dist = np.bincount(test_d["a"], minlength=5) / len(test_d["a"])
    by_persona = {p: (np.bincount(cql_now[test_d["persona"] == p], minlength=5) / max((test_d["persona"] == p).sum(), 1)).round(3).tolist() for p in sorted(set(test_d["persona"]))}
    # Softmax temperature for the served confidence: the typical gap between the best and second-best action.
    top2 = np.sort(q_train, axis=1)[:, -2:]
    temperature = float(max(np.median(top2[:, 1] - top2[:, 0]), 1e-3))

    path = out / "cql_policy.onnx"
    shutil.copyfile(candidates[alpha][1], path)
    write_golden(out / "golden" / "policy.json", path, test_d["s"][:20])
    plot(out / "reports" / "cql_policy.png", table, fqe_values, losses[alpha], n_test)

    order = ["cql", "rule", "logging", *CONSTANTS, "random"]
    served_entry = {"name": served, "kind": "model" if served == "cql" else ("rule" if served == "rule" else "constant")}
    if served in CONSTANTS:
        served_entry["action"] = CONSTANTS.index(served)
    served_entry["reason"] = (
        f"CQL (α={alpha}) beats the best of rule and constants by ≥ 2 paired s.e. on {n_test} held-out users in all three settings"
        if cql_wins else
        f"CQL (α={alpha}) does not beat the best of rule and constants by ≥ 2 paired s.e. in all three settings on {n_test} held-out users; "
        f"{served}, the best simple policy on {validation_users} validation users, is served"
    )
    r4 = lambda x: round(float(x), 4)
    metrics = {
        "true_value": {sc: {k: {"mean": r4(m), "se": r4(se)} for k, (m, se) in table[sc].items()} for sc in SCALES},
        "fqe_value": {k: r4(v) for k, v in fqe_values.items()},
        "fqe_relative_error": {k: r4(v) for k, v in fqe_error.items()},
        "cql_minus_best_simple": {sc: {"best_simple": best_simple[sc], "mean": r4(m), "se": r4(se)} for sc, (m, se) in margin.items()},
        "served_minus_best_simple": {sc: {"mean": r4(m), "se": r4(se)} for sc, (m, se) in served_margin.items()},
        "held_out_users": n_test,
        "validation_users": validation_users,
        "gamma": GAMMA,
        "cql_alpha": alpha,
        "cql_alpha_validation_value": {str(a): r4(val_values[f"cql_alpha_{a}"][0]) for a in alphas},
        "cql_steps": steps,
        "fqe_iterations": fqe_iterations,
        "fqe_steps_per_iteration": fqe_steps,
        "simple_validation_value": {k: r4(val_values[k][0]) for k in SIMPLE},
        "action_distribution_cql": dict(zip(ACTIONS, cql_dist.round(4).tolist())),
        "action_distribution_logged": dict(zip(ACTIONS, logged_dist.round(4).tolist())),
        "cql_actions_by_persona": by_persona,
        "transitions_train": int(len(train_d["s"])),
        "transitions_test": int(len(test_d["s"])),
    }
    fmt = lambda m, se: f"{m:.3f} ± {se:.3f}"
    report = "\n".join(
        [
            "# Coaching policy: true value in the simulator",
            "",
            "Offline data: weekly states (the 35 features of `src/ml/features/extract-features.ts`) of simulated users coached by the logging policy "
            "(the documented rule with 30% uniform exploration). Reward of an action = financial health of the following week: "
            "`clip((weekly income − spending) / weekly income, −1, 1) + 0.5·min(1, saved / weekly income) − 0.5·[balance < 0]`.",
            f"Q-network 35→128→128→5 (signed-log standardisation in the graph), Double-DQN targets, γ = {GAMMA}, {steps} steps of 512.",
            "",
            "**How policies are valued.** Every policy is rolled out in the simulator itself (`scripts/ml/evaluate-policies.ts`, the same "
            "TypeScript simulator, state and reward code as the training export) on the same users with the same seeds. "
            "A user's value is the mean over the coaching weeks of the discounted return (γ = 0.9) from that week on; the table shows the "
            f"mean over users ± its standard error. Held-out users: the export's {n_test} test-split users, never trained on. "
            f"Validation users: {validation_users} further users the export never simulated.",
            "",
            f"**Choices made on validation users only.** CQL α among {list(alphas)} by true value: "
            + ", ".join(f"α={a}: {val_values[f'cql_alpha_{a}'][0]:.3f}" for a in alphas)
            + f" → α = {alpha}. Best simple policy (rule or a constant): {best_simple_val} ({val_values[best_simple_val][0]:.3f}).",
            "",
            f"## True value on {n_test} held-out users (mean ± s.e.) and FQE",
            "",
            "| policy | ×1 (nominal) | ×0.5 responses | ×1.5 responses | FQE (×1) | FQE error |",
            "|---|---|---|---|---|---|",
            *[f"| {k} | {fmt(*table['1'][k])} | {fmt(*table['0.5'][k])} | {fmt(*table['1.5'][k])} | {fqe_values[k]:.3f} | {fqe_error[k]:+.1%} |" for k in order],
            "",
            "CQL minus the best of rule and constants in each setting, paired over the same users (mean ± s.e. of the difference):",
            "",
            "| setting | best simple policy | CQL − best simple | ≥ 2 s.e.? |",
            "|---|---|---|---|",
            *[f"| ×{sc} | {best_simple[sc]} | {margin[sc][0]:+.4f} ± {margin[sc][1]:.4f} | {'yes' if margin[sc][0] >= 2 * margin[sc][1] and margin[sc][0] > 0 else 'no'} |" for sc in SCALES],
            "",
            f"**Served: `{served}`.** {served_entry['reason']}. "
            + ("" if cql_wins else "The API says so: `decision_source: \"baseline\"` on recommendations and `served_policy` in `/coaching/enhanced-health`. "
               f"On the held-out users, {served} minus the best simple policy of each setting (paired; 0 where it is that policy): "
               + ", ".join(f"×{sc} {served_margin[sc][0]:+.4f} ± {served_margin[sc][1]:.4f}" for sc in SCALES)
               + ". The choice is made on validation users, never on these, so the two sets may rank the simple policies differently."),
            "",
            f"FQE (fitted Q evaluation on the held-out users' logged transitions, {fqe_iterations} rounds × {fqe_steps} steps of 512) values each policy on the logging policy's state "
            "distribution, the truth on the policy's own; an estimator off by more than 10% on any policy must not choose anything, "
            f"and here its largest error is {max(abs(v) for v in fqe_error.values()):.1%}. Nothing above was chosen by FQE.",
            "",
            "Serving explores around the served policy (`src/ml/bandit/exploration.ts`): every action keeps probability ≥ 0.02, and "
            "the exact probability of the action drawn is logged with every recommendation.",
            "",
            "| action | logged | CQL (held-out states) |\n|---|---|---|",
            *[f"| {a} | {logged_dist[i]:.3f} | {cql_dist[i]:.3f} |" for i, a in enumerate(ACTIONS)],
            "",
            "![policy values](cql_policy.png)",
        ]
    )
    return ModelResult(
        name="policy",
        file=path.name,
        inputs={"state": [None, len(feature_names)]},
        outputs={"q_values": [None, len(ACTIONS)]},
        entry={
            "feature_names": feature_names,
            "actions": ACTIONS,
            "scaler": {"mean": mean.tolist(), "scale": scale.tolist()},
            "confidence_temperature": round(temperature, 6),
            "served_policy": served_entry,
            "metrics": metrics,
            "targets_met": {"cql_beats_best_simple_by_2se_in_all_settings": cql_wins, "held_out_users_at_least_500": n_test >= 500},
        },
        report=report,
    )


def plot(path: Path, table: dict, fqe_values: dict, losses: list[float], n_test: int) -> None:
    names = ["cql", "rule", "logging", *CONSTANTS, "random"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [3, 1]})
    width = 0.26
    for j, sc in enumerate(SCALES):
        means = [table[sc][k][0] for k in names]
        errs = [2 * table[sc][k][1] for k in names]
        axes[0].bar(np.arange(len(names)) + (j - 1) * width, means, width, yerr=errs, capsize=2, label=f"true, responses ×{sc}")
    axes[0].scatter(np.arange(len(names)) - width, [fqe_values[k] for k in names], marker="x", color="black", zorder=3, label="FQE (×1)")
    axes[0].set_xticks(range(len(names)), [n.replace("always_", "") for n in names], fontsize=7)
    axes[0].set_title(f"value on {n_test} held-out users (±2 s.e.)")
    lo = min(min(table[sc][k][0] for k in names) for sc in SCALES)
    axes[0].set_ylim(lo - 0.5, None)
    axes[0].legend(fontsize=6)
    axes[1].plot(np.arange(len(losses)) * 50, losses)
    axes[1].set_title("CQL loss (chosen α)")
    axes[1].set_xlabel("step")
    plt.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
