/**
 * `npm run eval:models`: the rolling-origin evaluation of shared/docs/ml-evaluation.md for the
 * spending forecast and the goal probability, on the real data (MoneyVis, berka even accounts)
 * and on held-out synthetic users. The served numbers come from the server's own model wrappers
 * (SpendingForecastModel, GoalModel over the same ModelRegistry and models/manifest.json) fed by
 * the server's feature code; nothing is re-implemented here.
 *
 * Then the advice replay over every real week of both data sets (scripts/ml/advice-replay.ts,
 * models/reports/advice-replay.md); its contradiction count is in evaluation.md too.
 *
 * Writes models/reports/evaluation.md, evaluation.json and PNG plots (plots through the training
 * venv's matplotlib when it exists; the markdown is complete without them).
 * Usage: npm run eval:models [-- --data-dir DIR --models models --bootstrap 1000 --synthetic-users 60
 *   --only forecast-goal|advice --berka-accounts N (advice replay on the first N berka accounts only)]
 * (plain Node with scripts/swc-register.cjs: the replay runs the NestJS app, which needs decorator metadata)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { AppConfig } from '../../src/infra/config/app-config';
import { goalRule } from '../../src/ml/fallback-rules';
import { extractFeatures, type FeatureTransaction } from '../../src/ml/features/extract-features';
import { FEATURE_NAMES } from '../../src/ml/features/feature-names';
import { goalModelFeatures, paceRuleScore } from '../../src/ml/features/goal-history-features';
import {
  FORECAST_HORIZONS,
  forecastBaselines,
  forecastFeatures,
  type ForecastHorizon,
} from '../../src/ml/features/spending-history';
import { summarize } from '../../src/ml/features/summary';
import { ModelRegistry } from '../../src/ml/model-registry';
import { GoalModel } from '../../src/ml/models/goal.model';
import { SpendingForecastModel } from '../../src/ml/models/spending-forecast.model';
import { seededRandom, type Random } from '../../src/ml/random';
import { calibrate } from '../../src/ml/synthetic/calibration';
import { PERSONAS, SyntheticUser } from '../../src/ml/synthetic/generator';

import { runAdviceReplay, type AdviceReplayResult } from './advice-replay';
import { loadBerka, loadMoneyVis, realDataDir } from './real-data';
import {
  GOAL_MIN_HISTORY_DAYS,
  MIN_HISTORY_DAYS,
  TIME_CUT,
  balanceAt,
  dataEnd,
  goalEpisodes,
  historyAt,
  roleOf,
  servedHistoryAt,
  spendingAfter,
  weeklyOrigins,
} from './real-episodes';

type DatasetName = 'moneyvis' | 'berka' | 'synthetic';
interface Account {
  dataset: DatasetName;
  id: string;
  currency: string;
  transactions: FeatureTransaction[];
}

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const REPO = path.resolve(__dirname, '../..');
const MODELS_DIR = path.resolve(arg('models', path.join(REPO, 'models')));
const REPORTS = path.join(MODELS_DIR, 'reports');
const BOOTSTRAP = Number(arg('bootstrap', '1000'));
const SYNTHETIC_USERS = Number(arg('synthetic-users', '60'));
const SEED = 20261201;
const ONLY = arg('only', 'all');
const REPLAY_BERKA_ACCOUNTS = Number(arg('berka-accounts', 'Infinity'));

// ─── Data ────────────────────────────────────────────────────────────────────

/** Held-out simulated users (never trained on by the real-data models), 60 weeks each. */
function syntheticAccounts(n: number): Account[] {
  const cal = calibrate(path.join(REPO, 'data/moneyvis/transactions_categorized.csv'));
  const start = new Date(Date.UTC(2024, 0, 1));
  return Array.from({ length: n }, (_, u) => {
    const user = new SyntheticUser(u, PERSONAS[u % PERSONAS.length], cal, start, SEED * 31 + u);
    const transactions: FeatureTransaction[] = [];
    for (let week = 0; week < 60; week++) transactions.push(...user.generateWeek(week));
    return { dataset: 'synthetic' as const, id: `synthetic-${u}`, currency: 'simulated GBP', transactions };
  });
}

// ─── Forecast evaluation ─────────────────────────────────────────────────────

interface ForecastRecord {
  dataset: DatasetName;
  account: string;
  origin: string;
  horizon: ForecastHorizon;
  role: string;
  served: number;
  source: string;
  method: string;
  categorySum: number;
  baselines: Record<string, number>;
  truth: number;
  /** The balance above its 13-week mean, in 4-week spending at the 13-week mean (the 28-day model's balance input, relative). */
  balanceGap: number;
}

async function forecastRecords(accounts: Account[], forecaster: SpendingForecastModel): Promise<ForecastRecord[]> {
  const end = dataEnd(accounts);
  const out: ForecastRecord[] = [];
  for (const a of accounts) {
    for (const origin of weeklyOrigins(a.transactions, end, 7, MIN_HISTORY_DAYS)) {
      // The protocol's baselines read the history at the origin; the served forecast what the API reads.
      const h = historyAt(a.transactions, origin);
      const servedHistory = servedHistoryAt(a.transactions, origin);
      const served = await forecaster.forecast(servedHistory);
      const inputs = forecastFeatures(servedHistory, 28);
      const balanceGap = inputs.balance_above_13w_mean / Math.max(inputs.mean_13w, 1);
      for (const horizon of FORECAST_HORIZONS) {
        if (origin.getTime() + horizon * 86_400_000 > end.getTime()) continue;
        const f = served[horizon];
        out.push({
          dataset: a.dataset,
          account: a.id,
          origin: origin.toISOString().slice(0, 10),
          horizon,
          role: roleOf(a.dataset, a.id, origin, horizon),
          served: f.total,
          source: f.source,
          method: f.method,
          categorySum: Object.values(f.byCategory).reduce((x, y) => x + y, 0),
          baselines: forecastBaselines(h, horizon),
          truth: spendingAfter(a.transactions, origin, horizon),
          balanceGap,
        });
      }
    }
  }
  return out;
}

interface Aggregate {
  n: number;
  se: number;
  e: number;
  ae: number;
}
const emptyAgg = (): Aggregate => ({ n: 0, se: 0, e: 0, ae: 0 });

/**
 * Bootstrap groups: whole accounts when there are many, else 13-week blocks of one account's
 * origins (shared/docs/ml-evaluation.md).
 */
function groupOf(records: ForecastRecord[]): string[] {
  const accounts = new Set(records.map((r) => r.account));
  if (accounts.size > 1) return records.map((r) => r.account);
  const origins = [...new Set(records.map((r) => r.origin))].sort();
  const index = new Map(origins.map((o, i) => [o, Math.floor(i / 13)]));
  return records.map((r) => `${r.account}#${index.get(r.origin)}`);
}

interface MethodScore {
  rmse: number;
  rmse_ci: [number, number];
  bias: number;
  bias_ci: [number, number];
  mae: number;
  mae_ci: [number, number];
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

/** Scores of every method with 95% bootstrap intervals, and the served total's RMSE difference to each baseline. */
function scoreForecasts(records: ForecastRecord[], random: Random) {
  const methods = ['served', ...Object.keys(records[0].baselines), 'zero'];
  const value = (r: ForecastRecord, m: string) => (m === 'served' ? r.served : m === 'zero' ? 0 : r.baselines[m]);
  const groups = groupOf(records);
  const keys = [...new Set(groups)];
  const keyIndex = new Map(keys.map((k, i) => [k, i]));
  const agg = keys.map(() => Object.fromEntries(methods.map((m) => [m, emptyAgg()])) as Record<string, Aggregate>);
  records.forEach((r, i) => {
    const g = agg[keyIndex.get(groups[i])!];
    for (const m of methods) {
      const e = value(r, m) - r.truth;
      g[m].n++;
      g[m].se += e * e;
      g[m].e += e;
      g[m].ae += Math.abs(e);
    }
  });
  const total = (sample: number[]) => {
    const t = Object.fromEntries(methods.map((m) => [m, emptyAgg()])) as Record<string, Aggregate>;
    for (const gi of sample)
      for (const m of methods) {
        t[m].n += agg[gi][m].n;
        t[m].se += agg[gi][m].se;
        t[m].e += agg[gi][m].e;
        t[m].ae += agg[gi][m].ae;
      }
    return t;
  };
  const stats = (t: Record<string, Aggregate>, m: string) => ({
    rmse: Math.sqrt(t[m].se / t[m].n),
    bias: t[m].e / t[m].n,
    mae: t[m].ae / t[m].n,
  });
  const full = total(keys.map((_, i) => i));
  const boots = Array.from({ length: BOOTSTRAP }, () =>
    total(Array.from({ length: keys.length }, () => Math.floor(random() * keys.length))),
  );
  const scores: Record<string, MethodScore> = {};
  for (const m of methods) {
    const s = stats(full, m);
    const b = boots.map((t) => stats(t, m));
    scores[m] = {
      ...s,
      rmse_ci: [
        quantile(
          b.map((x) => x.rmse),
          0.025,
        ),
        quantile(
          b.map((x) => x.rmse),
          0.975,
        ),
      ],
      bias_ci: [
        quantile(
          b.map((x) => x.bias),
          0.025,
        ),
        quantile(
          b.map((x) => x.bias),
          0.975,
        ),
      ],
      mae_ci: [
        quantile(
          b.map((x) => x.mae),
          0.025,
        ),
        quantile(
          b.map((x) => x.mae),
          0.975,
        ),
      ],
    };
  }
  const baselines = Object.keys(records[0].baselines);
  const best = baselines.reduce((a, b) => (scores[b].rmse < scores[a].rmse ? b : a));
  const diffs = boots.map((t) => stats(t, 'served').rmse - stats(t, best).rmse);
  const meanTruth = records.reduce((a, r) => a + r.truth, 0) / records.length;
  const ci: [number, number] = [quantile(diffs, 0.025), quantile(diffs, 0.975)];
  return {
    n: records.length,
    accounts: new Set(records.map((r) => r.account)).size,
    bootstrap_groups: keys.length,
    mean_truth: meanTruth,
    scores,
    best_baseline: best,
    rmse_difference_to_best: scores.served.rmse - scores[best].rmse,
    rmse_difference_ci: ci,
    sources: count(records.map((r) => `${r.source}:${r.method}`)),
    targets: {
      rmse_below_best_baseline_ci_excludes_0: ci[1] < 0,
      abs_bias_within_10pct: Math.abs(scores.served.bias) <= 0.1 * meanTruth,
    },
    categories_sum_to_total: records.every((r) => Math.abs(r.categorySum - r.served) < 0.005),
  };
}

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

// ─── Goal evaluation ─────────────────────────────────────────────────────────

interface GoalRecord {
  dataset: DatasetName;
  account: string;
  role: string;
  horizon: number;
  multiple: number;
  served: number;
  source: string;
  fallback: number;
  pace: number;
  y: number;
}

async function goalRecords(accounts: Account[], goals: GoalModel): Promise<GoalRecord[]> {
  const end = dataEnd(accounts);
  const out: GoalRecord[] = [];
  for (const a of accounts) {
    for (const origin of weeklyOrigins(a.transactions, end, 30, GOAL_MIN_HISTORY_DAYS)) {
      const h = historyAt(a.transactions, origin);
      const episodes = goalEpisodes(a.transactions, h, end);
      if (episodes.length === 0) continue;
      // The episodes and the pace rule read the history at the origin; the served answers what the API reads.
      const servedHistory = servedHistoryAt(a.transactions, origin);
      const balance = balanceAt(a.transactions, servedHistory.now);
      const vector = extractFeatures({ transactions: a.transactions, balance, now: servedHistory.now });
      const features = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, vector[i]]));
      const summary = summarize(a.transactions, balance, features, servedHistory.now);
      for (const e of episodes) {
        const served = await goals.predict(
          goalModelFeatures(servedHistory, e.goal, e.horizon),
          summary,
          e.goal,
          e.horizon,
        );
        out.push({
          dataset: a.dataset,
          account: a.id,
          role: roleOf(a.dataset, a.id, origin, e.horizon),
          horizon: e.horizon,
          multiple: e.multiple,
          served: served.probability,
          source: served.source,
          fallback: goalRule(summary, e.goal, e.horizon).probability,
          pace: paceRuleScore(h, e.goal, e.horizon),
          y: e.achieved ? 1 : 0,
        });
      }
    }
  }
  return out;
}

/** ROC AUC with ties counted half (Mann–Whitney). */
export function rocAuc(scores: number[], labels: number[]): number {
  const idx = scores.map((s, i) => [s, labels[i]] as const).sort((a, b) => a[0] - b[0]);
  let rank = 0;
  let positiveRanks = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j < idx.length && idx[j][0] === idx[i][0]) j++;
    const avg = (rank + 1 + rank + (j - i)) / 2;
    for (let k = i; k < j; k++) if (idx[k][1] === 1) positiveRanks += avg;
    rank += j - i;
    i = j;
  }
  const pos = labels.filter((l) => l === 1).length;
  const neg = labels.length - pos;
  return pos && neg ? (positiveRanks - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

export function expectedCalibrationError(p: number[], y: number[], bins = 10) {
  const table = Array.from({ length: bins }, () => ({ n: 0, p: 0, y: 0 }));
  p.forEach((v, i) => {
    const b = Math.min(bins - 1, Math.floor(v * bins));
    table[b].n++;
    table[b].p += v;
    table[b].y += y[i];
  });
  const ece = table.reduce((a, t) => a + (t.n ? (t.n / p.length) * Math.abs(t.p / t.n - t.y / t.n) : 0), 0);
  return { ece, bins: table.map((t) => ({ n: t.n, mean_p: t.n ? t.p / t.n : null, rate: t.n ? t.y / t.n : null })) };
}

function brier(p: number[], y: number[]): number {
  return p.reduce((a, v, i) => a + (v - y[i]) ** 2, 0) / p.length;
}

function scoreGoals(records: GoalRecord[], baseRate: number, random: Random) {
  const y = records.map((r) => r.y);
  const p = records.map((r) => r.served);
  const calibration = expectedCalibrationError(p, y);
  const auc = rocAuc(p, y);
  const pace = rocAuc(
    records.map((r) => r.pace),
    y,
  );
  const paceRule = rocAuc(
    records.map((r) => (r.pace >= 1 ? 1 : 0)),
    y,
  );
  const fallback = rocAuc(
    records.map((r) => r.fallback),
    y,
  );
  const brierModel = brier(p, y);
  const brierBase = brier(
    records.map(() => baseRate),
    y,
  );
  // Whole accounts resampled (one account: its episodes) for the Brier difference.
  const byAccount = new Map<string, GoalRecord[]>();
  for (const r of records) byAccount.set(r.account, [...(byAccount.get(r.account) ?? []), r]);
  const accounts = [...byAccount.keys()];
  const diffs: number[] = [];
  for (let b = 0; b < Math.min(BOOTSTRAP, 400); b++) {
    const sample =
      accounts.length > 1 ? accounts.map(() => accounts[Math.floor(random() * accounts.length)]) : accounts;
    const rs = sample.flatMap((a) => byAccount.get(a)!);
    const pick = accounts.length > 1 ? rs : rs.map(() => rs[Math.floor(random() * rs.length)]);
    const yy = pick.map((r) => r.y);
    diffs.push(
      brier(
        pick.map((r) => r.served),
        yy,
      ) -
        brier(
          pick.map(() => baseRate),
          yy,
        ),
    );
  }
  return {
    episodes: records.length,
    accounts: accounts.length,
    positive_rate: y.reduce((a, b) => a + b, 0) / y.length,
    brier: brierModel,
    brier_base_rate: brierBase,
    brier_difference_ci: [quantile(diffs, 0.025), quantile(diffs, 0.975)],
    ece: calibration.ece,
    calibration_bins: calibration.bins,
    auc,
    auc_pace_score: pace,
    auc_pace_rule: paceRule,
    auc_served_fallback: fallback,
    sources: count(records.map((r) => r.source)),
    targets: {
      brier_below_base_rate: brierModel < brierBase,
      ece_at_most_0_05: calibration.ece <= 0.05,
      auc_at_least_pace_rule_plus_0_05: auc >= paceRule + 0.05,
      auc_at_least_pace_score_plus_0_05: auc >= pace + 0.05,
      auc_above_served_fallback: auc > fallback,
    },
  };
}

// ─── Report ──────────────────────────────────────────────────────────────────

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const ci = (c: [number, number], f = f0) => `[${f(c[0])}, ${f(c[1])}]`;
const yes = (b: boolean) => (b ? 'yes' : '**NO**');

type ForecastScore = ReturnType<typeof scoreForecasts>;
type GoalScore = ReturnType<typeof scoreGoals>;

function forecastTable(title: string, s: ForecastScore, unit: string): string[] {
  const lines = [
    `#### ${title}`,
    '',
    `${s.n} origins, ${s.accounts} accounts, ${s.bootstrap_groups} bootstrap groups; mean actual spending ${f0(s.mean_truth)} ${unit}. ` +
      `Served: ${Object.entries(s.sources)
        .map(([k, v]) => `${k} (${v})`)
        .join(', ')}.`,
    '',
    '| forecast | RMSE [95% CI] | bias [95% CI] | MAE [95% CI] |',
    '|---|---|---|---|',
  ];
  for (const [m, v] of Object.entries(s.scores)) {
    const label = m === 'served' ? '**served total**' : m === 'zero' ? 'zero (MAE reference)' : m;
    lines.push(
      `| ${label} | ${f0(v.rmse)} ${ci(v.rmse_ci)} | ${f0(v.bias)} ${ci(v.bias_ci)} | ${f0(v.mae)} ${ci(v.mae_ci)} |`,
    );
  }
  lines.push(
    '',
    `Best baseline: ${s.best_baseline}. Served − best RMSE: ${f0(s.rmse_difference_to_best)} ${ci(s.rmse_difference_ci)}; ` +
      `below it with the interval excluding 0: ${yes(s.targets.rmse_below_best_baseline_ci_excludes_0)}; ` +
      `|bias| ≤ 10% of mean spending (${f0(Math.abs(s.scores.served.bias))} vs ${f0(0.1 * s.mean_truth)}): ${yes(s.targets.abs_bias_within_10pct)}; ` +
      `categories sum to the total: ${yes(s.categories_sum_to_total)}.`,
    '',
  );
  return lines;
}

const BALANCE_GAP_GROUPS: [string, (gap: number) => boolean][] = [
  ['none', (g) => g === 0],
  ['up to ½ × 4 weeks of spending', (g) => g > 0 && g <= 0.5],
  ['½ to 1 ×', (g) => g > 0.5 && g <= 1],
  ['over 1 ×', (g) => g > 1],
];

/**
 * The 28-day forecast's bias and RMSE by how far the balance stands above its 13-week mean: the
 * model adds part of that gap to the forecast (money that came in and is usually spent), which
 * would over-forecast an account whose balance only climbs because its owner saves.
 */
function balanceGapScores(records: ForecastRecord[]) {
  return BALANCE_GAP_GROUPS.map(([group, inGroup]) => {
    const rs = records.filter((r) => inGroup(r.balanceGap));
    const mean = (f: (r: ForecastRecord) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const truth = mean((r) => r.truth);
    return {
      group,
      origins: rs.length,
      accounts: new Set(rs.map((r) => r.account)).size,
      mean_truth: truth,
      bias_share: rs.length ? mean((r) => r.served - r.truth) / truth : NaN,
      rmse: Math.sqrt(mean((r) => (r.served - r.truth) ** 2)),
      rmse_mean_3_periods: Math.sqrt(mean((r) => (r.baselines.mean_3_periods - r.truth) ** 2)),
    };
  });
}

function balanceGapTable(byDataset: [DatasetName, ReturnType<typeof balanceGapScores>][]): string[] {
  return [
    '### Next 28 days by balance gap',
    '',
    'The 28-day forecast adds part of the balance above its 13-week mean (money that came in and is usually spent in the ' +
      'following weeks). An account whose balance climbs because its owner saves would be over-forecast by it. Test rows ' +
      '(synthetic: held-out users), grouped by that gap in units of 4 weeks of spending at the 13-week mean; bias as a share ' +
      'of mean actual spending.',
    '',
    '| data set | balance gap | origins | accounts | bias | served RMSE | mean of 3 × 28 days RMSE |',
    '|---|---|---|---|---|---|---|',
    ...byDataset.flatMap(([name, groups]) =>
      groups
        .filter((g) => g.origins > 0)
        .map(
          (g) =>
            `| ${name} | ${g.group} | ${g.origins} | ${g.accounts} | ${(g.bias_share * 100).toFixed(1)}% | ${f0(g.rmse)} | ${f0(g.rmse_mean_3_periods)} |`,
        ),
    ),
    '',
  ];
}

function goalTable(title: string, g: GoalScore): string[] {
  return [
    `#### ${title}`,
    '',
    `${g.episodes} episodes, ${g.accounts} accounts, achieved in ${(g.positive_rate * 100).toFixed(1)}%. Served: ${Object.entries(
      g.sources,
    )
      .map(([k, v]) => `${k} (${v})`)
      .join(', ')}.`,
    '',
    '| metric | served | reference | target met |',
    '|---|---|---|---|',
    `| Brier | ${f3(g.brier)} | constant base rate ${f3(g.brier_base_rate)} (difference ${ci(g.brier_difference_ci as [number, number], f3)}) | ${yes(g.targets.brier_below_base_rate)} |`,
    `| ECE (10 bins) | ${f3(g.ece)} | ≤ 0.05 | ${yes(g.targets.ece_at_most_0_05)} |`,
    `| ROC AUC vs pace rule | ${f3(g.auc)} | pace rule (binary) ${f3(g.auc_pace_rule)} + 0.05 | ${yes(g.targets.auc_at_least_pace_rule_plus_0_05)} |`,
    `| ROC AUC vs pace score | ${f3(g.auc)} | pace as a continuous score ${f3(g.auc_pace_score)} + 0.05 | ${yes(g.targets.auc_at_least_pace_score_plus_0_05)} |`,
    `| ROC AUC vs served fallback | ${f3(g.auc)} | rule fallback ${f3(g.auc_served_fallback)} | ${yes(g.targets.auc_above_served_fallback)} |`,
    '',
  ];
}

async function main(): Promise<void> {
  if (!['all', 'forecast-goal', 'advice'].includes(ONLY)) throw new Error('--only is forecast-goal or advice');
  const advice = ONLY === 'forecast-goal' ? undefined : () => replayAdvice();
  if (ONLY === 'advice') {
    const replay = await advice!();
    if (replay.contradictions > 0) process.exitCode = 1;
    return;
  }
  const started = Date.now();
  const dir = realDataDir();
  const registry = new ModelRegistry({ ml: { modelsDir: MODELS_DIR } } as AppConfig);
  await registry.loadAll();
  const forecaster = new SpendingForecastModel(registry);
  const goals = new GoalModel(registry);
  const baseRate = Number((registry.entry('goal') as { base_rate?: number } | undefined)?.base_rate ?? NaN);

  const datasets: Record<DatasetName, Account[]> = {
    moneyvis: [await loadMoneyVis(dir)],
    berka: await loadBerka(dir),
    synthetic: syntheticAccounts(SYNTHETIC_USERS),
  };
  const currency: Record<DatasetName, string> = { moneyvis: 'GBP', berka: 'CZK', synthetic: 'simulated GBP' };
  const random = seededRandom(SEED);
  const result: Record<string, unknown> = {};
  const md: string[] = [
    '# Forecast and goal-probability evaluation on real accounts',
    '',
    `Generated by \`npm run eval:models\` (${new Date().toISOString().slice(0, 10)}), protocol: shared/docs/ml-evaluation.md. ` +
      "Every served number below comes from the server's own model wrappers (SpendingForecastModel, GoalModel) over " +
      "models/manifest.json, fed by the server's feature code (src/ml/features) from the history up to each origin.",
    '',
    '- Data: MoneyVis (one real UK account, GBP, 2015–2022) and berka (591 real Czech accounts with even ids, CZK, 1993–94; ' +
      "amounts are kept in CZK and every figure is in the data set's own currency), plus held-out synthetic users " +
      `(${SYNTHETIC_USERS} simulated users, 60 weeks, never trained on by these models).`,
    "- Both data sets are read by the server's own statement importer (scripts/ml/real-data.ts → readStatement + categorise), " +
      "so categories are what an import would store. Berka's k_symbols are mapped explicitly there: household payments (SIPO), " +
      'loans (UVER), insurance (POJISTNE) and penalty interest are bills; pensions (DUCHOD) and interest (UROK) income; other ' +
      'credits income, other debits (cash withdrawals, remittances) other. Spending = debits except transfers to own savings (money-flows.ts).',
    `- Origins: every Monday with ≥ 8 weeks of history; truth: the next 7 / 28 days' spending. Held out by account AND time: ` +
      `**test** rows are berka's test accounts (40% by a fixed hash of the id) from ${TIME_CUT.berka.toISOString().slice(0, 10)}, ` +
      `MoneyVis from ${TIME_CUT.moneyvis.toISOString().slice(0, 10)}; the models were fitted on the other accounts' origins whose ` +
      'targets end before those dates. **All origins** also shows every origin (training periods included) for context.',
    `- Intervals: 95% bootstrap (${BOOTSTRAP} resamples): whole accounts resampled for berka and synthetic users, 13-week blocks for MoneyVis.`,
    '',
    '## Spending forecast: the served total',
    '',
  ];
  const plotData: Record<string, unknown> = { forecast: {}, goal: {} };
  const balanceGaps: [DatasetName, ReturnType<typeof balanceGapScores>][] = [];
  for (const name of ['moneyvis', 'berka', 'synthetic'] as DatasetName[]) {
    const records = await forecastRecords(datasets[name], forecaster);
    balanceGaps.push([
      name,
      balanceGapScores(records.filter((r) => r.horizon === 28 && (name === 'synthetic' || r.role === 'test'))),
    ]);
    process.stdout.write(
      `forecast ${name}: ${records.length} records (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
    md.push(`### ${name} (${currency[name]})`, '');
    const byDataset: Record<string, unknown> = {};
    for (const horizon of FORECAST_HORIZONS) {
      const all = records.filter((r) => r.horizon === horizon);
      const test = name === 'synthetic' ? all : all.filter((r) => r.role === 'test');
      const sTest = scoreForecasts(test, random);
      const sAll = scoreForecasts(all, random);
      byDataset[`${horizon}d`] = { test: sTest, all_origins: sAll };
      md.push(
        ...forecastTable(
          `next ${horizon} days — ${name === 'synthetic' ? 'held-out users' : 'test (held-out accounts and time)'}`,
          sTest,
          currency[name],
        ),
      );
      if (name !== 'synthetic') md.push(...forecastTable(`next ${horizon} days — all origins`, sAll, currency[name]));
      (plotData.forecast as Record<string, unknown>)[`${name}_${horizon}`] = {
        scores: sTest.scores,
        series:
          name === 'moneyvis'
            ? all.map((r) => ({
                origin: r.origin,
                served: r.served,
                truth: r.truth,
                best: r.baselines[sTest.best_baseline],
                role: r.role,
              }))
            : aggregateByOrigin(test, sTest.best_baseline),
        best: sTest.best_baseline,
      };
    }
    result[`forecast_${name}`] = byDataset;
    md.push(
      `![forecast vs truth, ${name}](forecast_${name}.png)`,
      '',
      `![RMSE and MAE with intervals, ${name}](forecast_scores_${name}.png)`,
      '',
    );
  }

  md.push(...balanceGapTable(balanceGaps));
  result.forecast_28d_by_balance_gap = Object.fromEntries(balanceGaps);

  md.push(
    '## Goal probability',
    '',
    `Constant base rate from the training episodes: ${f3(baseRate)}. Goals 0.25/0.5/1/2 × the mean monthly income of the previous 90 days; horizons 30/60/90 days; achieved = the real balance rose by at least the goal.`,
    '',
  );
  for (const name of ['moneyvis', 'berka', 'synthetic'] as DatasetName[]) {
    const records = await goalRecords(datasets[name], goals);
    process.stdout.write(
      `goal ${name}: ${records.length} episodes (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
    if (records.length === 0) continue;
    const test = name === 'synthetic' ? records : records.filter((r) => r.role === 'test');
    const sTest = scoreGoals(test, baseRate, random);
    const sAll = scoreGoals(records, baseRate, random);
    result[`goal_${name}`] = { test: sTest, all_episodes: sAll };
    md.push(`### ${name}`, '');
    md.push(...goalTable(name === 'synthetic' ? 'held-out users' : 'test (held-out accounts and time)', sTest));
    if (name !== 'synthetic') md.push(...goalTable('all episodes', sAll));
    (plotData.goal as Record<string, unknown>)[name] = sTest.calibration_bins;
  }
  md.push('![calibration](goal_calibration_real.png)', '');

  const replay = advice ? await advice() : undefined;
  if (replay) {
    result.advice_replay = {
      contradictions: replay.contradictions,
      accounts_limit: Number.isFinite(REPLAY_BERKA_ACCOUNTS) ? REPLAY_BERKA_ACCOUNTS : null,
      datasets: replay.tallies.map((t) => ({
        dataset: t.dataset,
        accounts: t.accounts,
        weeks: t.weeks,
        responses: t.responses,
        contradictions: t.contradictions,
      })),
    };
    md.push(
      '## Advice replay',
      '',
      `Every real week of ${Number.isFinite(REPLAY_BERKA_ACCOUNTS) ? `MoneyVis and the first ${REPLAY_BERKA_ACCOUNTS} berka accounts` : 'every real account (MoneyVis and all berka accounts)'} through the served coaching ` +
        '(details, action shares and segment changes: [advice-replay.md](advice-replay.md)).',
      '',
      '| data set | accounts | weeks | responses | contradictions |',
      '|---|---|---|---|---|',
      ...replay.tallies.map(
        (t) => `| ${t.dataset} | ${t.accounts} | ${t.weeks} | ${t.responses} | **${t.contradictions}** |`,
      ),
      '',
    );
  }

  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(path.join(REPORTS, 'evaluation.json'), JSON.stringify(result, null, 1) + '\n');
  writeFileSync(path.join(REPORTS, 'evaluation.md'), md.join('\n') + '\n');
  const plotInput = path.join(tmpdir(), `fincoach-evaluation-plots-${process.pid}.json`);
  writeFileSync(plotInput, JSON.stringify(plotData));
  const python = path.join(REPO, 'models/training/.venv/bin/python');
  if (existsSync(python)) {
    const run = spawnSync(python, [path.join(__dirname, 'plot_evaluation.py'), plotInput, REPORTS], {
      stdio: 'inherit',
    });
    if (run.status !== 0) process.stdout.write('plots failed (see above); the markdown report is complete\n');
  } else
    process.stdout.write(
      `no ${python}: run \`npm run train:models\` once for the plots; the markdown report is complete\n`,
    );
  rmSync(plotInput, { force: true });
  await registry.onApplicationShutdown();
  process.stdout.write(
    `wrote ${path.join(REPORTS, 'evaluation.md')} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  // A contradiction is a defect, not a statistic.
  if (replay && replay.contradictions > 0) process.exitCode = 1;
}

function replayAdvice(): Promise<AdviceReplayResult> {
  return runAdviceReplay({
    modelsDir: MODELS_DIR,
    out: path.join(REPORTS, 'advice-replay.md'),
    dataDir: realDataDir(),
    berkaAccounts: REPLAY_BERKA_ACCOUNTS,
  });
}

/** Many accounts: per origin date, the mean served, truth and best baseline (one line each in the plot). */
function aggregateByOrigin(records: ForecastRecord[], best: string) {
  const by = new Map<string, { n: number; served: number; truth: number; best: number }>();
  for (const r of records) {
    const a = by.get(r.origin) ?? { n: 0, served: 0, truth: 0, best: 0 };
    a.n++;
    a.served += r.served;
    a.truth += r.truth;
    a.best += r.baselines[best];
    by.set(r.origin, a);
  }
  return [...by.entries()]
    .sort()
    .map(([origin, a]) => ({ origin, served: a.served / a.n, truth: a.truth / a.n, best: a.best / a.n, role: 'test' }));
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
