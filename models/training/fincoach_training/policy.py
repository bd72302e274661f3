"""Discrete CQL coaching policy over weekly states, valued by fitted Q evaluation against baselines."""
from __future__ import annotations

import copy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from .common import ModelResult, SignedLogStandardize, export_onnx, fit_standardizer, read_jsonl, write_golden

ACTIONS = ["continue_current_behavior", "spending_alert", "budget_suggestion", "savings_nudge", "positive_reinforcement"]
GAMMA = 0.9
# Conservative weights tried; the one with the best FQE value on validation users (part of the training split) is kept.
CQL_ALPHAS = (0.05, 0.2, 1.0)


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


def train_bc(d, mean, scale, seed: int, steps: int) -> nn.Module:
    torch.manual_seed(seed)
    model = QNetwork(mean, scale, d["s"].shape[1])  # same shape; outputs are action logits
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    s, a = torch.tensor(d["s"]), torch.tensor(d["a"])
    gen = torch.Generator().manual_seed(seed)
    for b in tqdm(batches(len(s), 512, steps, gen), total=steps, desc="bc", leave=False):
        loss = nn.functional.cross_entropy(model(s[b]), a[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


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


def users_of(d) -> np.ndarray:
    return d["user"]


def one_hot(actions: np.ndarray) -> np.ndarray:
    return np.eye(len(ACTIONS), dtype=np.float32)[actions]


def train(cache: Path, out: Path, feature_names: list[str], seed: int, log, steps: int = 6000) -> ModelResult:
    d_all = load(cache)
    train_d = {k: v[~d_all["test"]] for k, v in d_all.items()}
    test_d = {k: v[d_all["test"]] for k, v in d_all.items()}
    mean, scale = fit_standardizer(train_d["s"])
    # Choose α on validation users carved from the training split; the test users stay untouched.
    is_val = users_of(train_d) % 5 == 0
    fit_d = {k: v[~is_val] for k, v in train_d.items()}
    val_d = {k: v[is_val] for k, v in train_d.items()}
    selection = {}
    for alpha in CQL_ALPHAS:
        candidate, _ = train_cql(fit_d, mean, scale, seed, steps, alpha)
        with torch.no_grad():
            now = candidate(torch.tensor(val_d["s"])).argmax(1).numpy()
            nxt = candidate(torch.tensor(val_d["s2"])).argmax(1).numpy()
        selection[alpha] = fqe(val_d, one_hot(nxt), one_hot(now), mean, scale, seed, iterations=20)
        log(f"cql: α={alpha} validation FQE {selection[alpha]:.3f}")
    alpha = max(selection, key=selection.get)
    q, losses = train_cql(train_d, mean, scale, seed, steps, alpha)
    bc = train_bc(train_d, mean, scale, seed + 1, steps // 2)

    with torch.no_grad():
        greedy = lambda m, x: m(torch.tensor(x)).argmax(1).numpy()
        cql_now, cql_next = greedy(q, test_d["s"]), greedy(q, test_d["s2"])
        bc_now, bc_next = greedy(bc, test_d["s"]), greedy(bc, test_d["s2"])
        q_train = q(torch.tensor(train_d["s"])).numpy()
    # The rule's action on the next state is the logged rule action of the next transition of the same user.
    rule_now = test_d["rule"]
    rule_next = np.roll(test_d["rule"], -1)
    eps = 0.3
    behaviour = lambda rule: (1 - eps) * one_hot(rule) + eps / len(ACTIONS)
    values = {
        "cql": fqe(test_d, one_hot(cql_next), one_hot(cql_now), mean, scale, seed),
        "behaviour_cloning": fqe(test_d, one_hot(bc_next), one_hot(bc_now), mean, scale, seed),
        "rule_policy": fqe(test_d, one_hot(rule_next), one_hot(rule_now), mean, scale, seed),
        "behaviour_policy": fqe(test_d, behaviour(rule_next), behaviour(rule_now), mean, scale, seed),
    }
    log("cql: FQE " + ", ".join(f"{k} {v:.3f}" for k, v in values.items()))

    # Support: how often the logged data contains the action CQL picks, for the same persona.
    counts = {}
    for persona in sorted(set(train_d["persona"])):
        sel = train_d["persona"] == persona
        counts[persona] = np.bincount(train_d["a"][sel], minlength=5).tolist()
    cql_dist = np.bincount(cql_now, minlength=5) / len(cql_now)
    logged_dist = np.bincount(test_d["a"], minlength=5) / len(test_d["a"])
    support = []
    for i, act in enumerate(cql_now):
        support.append(counts[test_d["persona"][i]][act] / max(sum(counts[test_d["persona"][i]]), 1))
    min_support = float(np.min(support))
    by_persona = {p: (np.bincount(cql_now[test_d["persona"] == p], minlength=5) / max((test_d["persona"] == p).sum(), 1)).round(3).tolist() for p in sorted(set(test_d["persona"]))}
    # Softmax temperature for the served confidence: the typical gap between the best and second-best action.
    top2 = np.sort(q_train, axis=1)[:, -2:]
    temperature = float(max(np.median(top2[:, 1] - top2[:, 0]), 1e-3))

    path = out / "cql_policy.onnx"
    export_onnx(q, torch.zeros(1, len(feature_names)), path, "state", ["q_values"], {"state": {0: "batch"}, "q_values": {0: "batch"}})
    write_golden(out / "golden" / "policy.json", path, test_d["s"][:20])

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].plot(np.arange(len(losses)) * 50, losses)
    axes[0].set_title("CQL loss")
    axes[0].set_xlabel("step")
    width = 0.4
    axes[1].bar(np.arange(5) - width / 2, logged_dist, width, label="logged (behaviour)")
    axes[1].bar(np.arange(5) + width / 2, cql_dist, width, label="CQL")
    axes[1].set_xticks(range(5), ["cont.", "alert", "budget", "nudge", "praise"])
    axes[1].legend(fontsize=7)
    axes[1].set_title("action distribution (held-out)")
    plt.tight_layout()
    fig.savefig(out / "reports" / "cql_policy.png", dpi=80)
    plt.close(fig)

    metrics = {
        "fqe_value": {k: round(v, 4) for k, v in values.items()},
        "gamma": GAMMA,
        "cql_alpha": alpha,
        "cql_alpha_validation_fqe": {str(k): round(v, 4) for k, v in selection.items()},
        "action_distribution_cql": dict(zip(ACTIONS, cql_dist.round(4).tolist())),
        "action_distribution_logged": dict(zip(ACTIONS, logged_dist.round(4).tolist())),
        "cql_actions_by_persona": by_persona,
        "min_logged_share_of_chosen_action": round(min_support, 4),
        "transitions_train": int(len(train_d["s"])),
        "transitions_test": int(len(test_d["s"])),
    }
    report = "\n".join(
        [
            "# Coaching policy (discrete CQL)",
            "",
            "Offline data: weekly states (the 35 features of `src/ml/features/extract-features.ts`) of simulated users coached by a logging policy "
            "(the documented rule with 30% uniform exploration; propensities logged). Reward of an action = financial health of the following week: "
            "`clip((weekly income − spending) / weekly income, −1, 1) + 0.5·min(1, saved / weekly income) − 0.5·[balance < 0]`.",
            f"Q-network 35→128→128→5 (signed-log standardisation in the graph), Double-DQN targets, γ = {GAMMA}, {steps} steps of 512. "
            f"CQL α = {alpha}, chosen among {list(CQL_ALPHAS)} by FQE on validation users (a fifth of the training users): "
            + ", ".join(f"α={k}: {v:.3f}" for k, v in selection.items()) + ".",
            "",
            "Fitted Q evaluation on held-out users (higher is better):",
            "",
            "| policy | FQE value |\n|---|---|",
            *[f"| {k.replace('_', ' ')} | {v:.3f} |" for k, v in values.items()],
            "",
            f"CQL ≥ behaviour policy: {values['cql'] >= values['behaviour_policy']}. Every action CQL picks for a persona was logged for that persona in at least {min_support * 100:.1f}% of its transitions.",
            "",
            "| action | logged | CQL |\n|---|---|---|",
            *[f"| {a} | {logged_dist[i]:.3f} | {cql_dist[i]:.3f} |" for i, a in enumerate(ACTIONS)],
            "",
            "CQL's actions by persona (continue, alert, budget, nudge, praise): " + "; ".join(f"{p}: {v}" for p, v in by_persona.items()),
            "",
            "![cql](cql_policy.png)",
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
            "metrics": metrics,
            "targets_met": {"fqe_at_least_behaviour_policy": values["cql"] >= values["behaviour_policy"], "actions_supported_by_data": min_support >= 0.01},
        },
        report=report,
    )
