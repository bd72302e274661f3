/**
 * Simulates a calibrated synthetic population and writes the training data for
 * all four models through the SAME feature code the server uses
 * (src/ml/features), so training never sees features computed differently
 * from serving. Usage: tsx scripts/ml/export-training-data.ts [--users N] [--weeks W] [--seed S] [--out DIR]
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { CATEGORIES } from '../../src/common/categories';
import { basicPolicyRule } from '../../src/ml/fallback-rules';
import { extractFeatures, type FeatureTransaction } from '../../src/ml/features/extract-features';
import { FEATURE_NAMES } from '../../src/ml/features/feature-names';
import { GOAL_FEATURE_NAMES, goalFeatures } from '../../src/ml/features/goal-features';
import { SEGMENT_FEATURE_NAMES, segmentFeatureVector } from '../../src/ml/features/segment-features';
import { summarize, weeklyIncome } from '../../src/ml/features/summary';
import { weeklyCategorySpend } from '../../src/ml/features/weekly';
import { seededRandom } from '../../src/ml/random';
import { calibrate } from '../../src/ml/synthetic/calibration';
import { PERSONAS, SyntheticUser } from '../../src/ml/synthetic/generator';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const USERS = Number(args.get('users') ?? 2500);
const WEEKS = Number(args.get('weeks') ?? 60);
const SEED = Number(args.get('seed') ?? 20261124);
const round = (x: number) => Math.round(x * 1e4) / 1e4;
const OUT = path.resolve(args.get('out') ?? 'models/training/.cache');
const CSV = path.resolve(args.get('csv') ?? 'data/moneyvis/transactions_categorized.csv');

export const WINDOW_WEEKS = 8; // LSTM history
const WARMUP_WEEKS = 9; // 8 weeks of history + the 30-day feature window before coaching starts
const EPSILON = 0.3; // logging policy: the rule with 30% uniform exploration
const DAY_MS = 86_400_000;
const START = new Date(Date.UTC(2024, 0, 1));

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const cal = calibrate(CSV);
  const files = {
    rl: createWriteStream(path.join(OUT, 'rl.jsonl')),
    lstm: createWriteStream(path.join(OUT, 'lstm.jsonl')),
    goal: createWriteStream(path.join(OUT, 'goal.jsonl')),
    seg: createWriteStream(path.join(OUT, 'segmentation.jsonl')),
  };
  const splitRandom = seededRandom(SEED ^ 0x5eed);
  const counts = { rl: 0, lstm: 0, goal: 0, seg: 0, transactions: 0 };
  const started = Date.now();

  for (let u = 0; u < USERS; u++) {
    const persona = PERSONAS[u % PERSONAS.length];
    const split = splitRandom() < 0.2 ? 'test' : 'train';
    const user = new SyntheticUser(u, persona, cal, START, SEED * 7919 + u);
    const policyRandom = seededRandom(SEED * 104729 + u);
    const history: FeatureTransaction[] = [];
    const weekly: Array<{ spending: number; saved: number; balance: number }> = [];
    let pending: { s: number[]; a: number; p: number; rule: number; week: number } | undefined;
    const goalExamples: Array<{ week: number; horizonWeeks: number; goalAmount: number; x: number[] }> = [];

    for (let week = 0; week < WEEKS; week++) {
      const txs = user.generateWeek(week);
      history.push(...txs);
      counts.transactions += txs.length;
      const end = new Date(START.getTime() + (week + 1) * 7 * DAY_MS - 1);
      const spending = txs
        .filter((t) => t.type === 'debit' && t.category !== 'savings')
        .reduce((a, t) => a + t.amount, 0);
      const saved = txs.filter((t) => t.type === 'debit' && t.category === 'savings').reduce((a, t) => a + t.amount, 0);
      weekly.push({ spending, saved, balance: user.balance });

      // LSTM: the 8 weeks before this one → this week's per-category spend.
      if (week >= WINDOW_WEEKS) {
        const before = new Date(end.getTime() - 7 * DAY_MS);
        const x = weeklyCategorySpend(history, before, WINDOW_WEEKS);
        const y = weeklyCategorySpend(history, end, 1)[0];
        files.lstm.write(`${JSON.stringify({ user: u, split, persona, week, x, y })}\n`);
        counts.lstm++;
      }
      if (week < WARMUP_WEEKS) continue;

      const recent = history.filter((t) => t.date.getTime() > end.getTime() - 63 * DAY_MS);
      const vector = extractFeatures({ transactions: recent, balance: user.balance, now: end });
      const features = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, vector[i]]));

      // Reward of the previous action = financial health of the week that followed it:
      // spending well below income, money moved to savings, never overdrawn (docs/ml/cql-policy.md).
      if (pending) {
        const reward =
          Math.max(-1, Math.min(1, (user.weeklyIncome - spending) / user.weeklyIncome)) +
          0.5 * Math.min(1, saved / user.weeklyIncome) -
          (user.balance < 0 ? 0.5 : 0);
        files.rl.write(
          `${JSON.stringify({ user: u, split, persona, week: pending.week, s: pending.s, a: pending.a, p: pending.p, rule: pending.rule, r: round(reward), s2: vector.map(round), done: week === WEEKS - 1 ? 1 : 0 })}\n`,
        );
        counts.rl++;
      }

      // Logging (behaviour) policy: the documented rule on the 7-day summary, with ε-exploration.
      if (week < WEEKS - 1) {
        const summary = summarize(recent, user.balance, features, end);
        const ruleAction = basicPolicyRule(summary).actionId;
        const explore = policyRandom() < EPSILON;
        const action = explore ? Math.floor(policyRandom() * 5) : ruleAction;
        const propensity = (action === ruleAction ? 1 - EPSILON : 0) + EPSILON / 5;
        user.applyAction(action, (user.weeklyIncome - spending) / user.weeklyIncome);
        pending = { s: vector.map(round), a: action, p: round(propensity), rule: ruleAction, week };
      }

      // Goal examples every 4 weeks: save G within H weeks; label = whether the user actually did.
      if (week % 4 === 1) {
        for (const horizonWeeks of [4, 8, 13, 26]) {
          if (week + horizonWeeks >= WEEKS) continue;
          const pace = Math.max(
            user.weeklyIncome * 0.05,
            ((features.total_income - features.total_spending) / (30 / 7)) * horizonWeeks,
          );
          const goalAmount = Math.round(pace * Math.exp(0.9 * (policyRandom() * 2 - 1) + 0.2) * 100) / 100;
          const named = goalFeatures(features, weeklyIncome(recent, end), goalAmount, horizonWeeks * 7);
          goalExamples.push({ week, horizonWeeks, goalAmount, x: GOAL_FEATURE_NAMES.map((n) => round(named[n])) });
        }
      }
      if (week === 24 || week === WEEKS - 1) {
        const xs = segmentFeatureVector(history, user.balance, end).map(round);
        files.seg.write(`${JSON.stringify({ user: u, split, persona, week, x: vector.map(round), xs })}\n`);
        counts.seg++;
      }
    }

    // Goal labels need the future: money kept (balance change) plus money moved to savings over the horizon.
    for (const g of goalExamples) {
      let achieved = weekly[g.week + g.horizonWeeks].balance - weekly[g.week].balance;
      for (let w = g.week + 1; w <= g.week + g.horizonWeeks; w++) achieved += weekly[w].saved;
      const y = achieved >= g.goalAmount ? 1 : 0;
      files.goal.write(
        `${JSON.stringify({ user: u, split, persona, week: g.week, horizon_weeks: g.horizonWeeks, x: g.x, y })}\n`,
      );
      counts.goal++;
    }

    if ((u + 1) % 250 === 0)
      process.stdout.write(`  users ${u + 1}/${USERS} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }

  await Promise.all(Object.values(files).map((f) => new Promise((resolve) => f.end(resolve))));
  writeFileSync(
    path.join(OUT, 'meta.json'),
    JSON.stringify(
      {
        seed: SEED,
        users: USERS,
        weeks: WEEKS,
        window_weeks: WINDOW_WEEKS,
        epsilon: EPSILON,
        personas: PERSONAS,
        feature_names: FEATURE_NAMES,
        goal_feature_names: GOAL_FEATURE_NAMES,
        segment_feature_names: SEGMENT_FEATURE_NAMES,
        categories: CATEGORIES,
        counts,
        calibration: {
          rows: cal.rows,
          span_days: cal.spanDays,
          debit: cal.debit,
          month_factor: cal.monthFactor,
          weekday_share: cal.weekdayShare,
        },
      },
      null,
      2,
    ),
  );
  console.log(`exported ${JSON.stringify(counts)} to ${OUT} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
