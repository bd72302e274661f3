/**
 * True value of coaching policies in the simulator itself: every policy is rolled out on
 * the same users with the same seeds (paired: each user's income, habits and random
 * streams start identical under every policy), reward and state exactly as in the
 * training export (src/ml/synthetic/coaching-episode.ts). Value of a user = mean over the
 * coaching weeks of the discounted return from that week on; the mean over users and its
 * standard error are what models/reports/policy.md shows.
 *
 * Usage: tsx scripts/ml/evaluate-policies.ts --policies spec.json --out results.json
 *   [--split test|validation] [--users 2500] [--validation-users 300] [--weeks 60] [--seed S]
 *   [--scales 1,0.5,1.5] [--max-users N]
 * spec.json: [{"name": "cql", "kind": "onnx", "file": "…/cql.onnx"}, {"name": "rule", "kind": "rule"},
 *   {"name": "logging", "kind": "logging"}, {"name": "always_alert", "kind": "constant", "action": 1},
 *   {"name": "random", "kind": "random"}]; any entry may add "epsilon": ε-floor exploration around it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import * as ort from 'onnxruntime-node';

import { basicPolicyRule } from '../../src/ml/fallback-rules';
import type { FeatureTransaction } from '../../src/ml/features/extract-features';
import { seededRandom, type Random } from '../../src/ml/random';
import { calibrate } from '../../src/ml/synthetic/calibration';
import {
  coachingReward,
  coachingState,
  loggingAction,
  meanDiscountedReturn,
  SIMULATION_START,
  WARMUP_WEEKS,
  weekFlows,
} from '../../src/ml/synthetic/coaching-episode';
import { PERSONAS, SyntheticUser } from '../../src/ml/synthetic/generator';

interface PolicySpec {
  name: string;
  kind: 'onnx' | 'rule' | 'logging' | 'constant' | 'random';
  file?: string;
  action?: number;
  epsilon?: number;
}
type Choose = (vector: number[], ruleAction: number, random: Random) => Promise<number>;

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const USERS = Number(args.get('users') ?? 2500);
const VALIDATION_USERS = Number(args.get('validation-users') ?? 300);
const WEEKS = Number(args.get('weeks') ?? 60);
const SEED = Number(args.get('seed') ?? 20261124);
const SPLIT = args.get('split') ?? 'test';
const SCALES = (args.get('scales') ?? '1').split(',').map(Number);
const MAX_USERS = Number(args.get('max-users') ?? Infinity);
const CSV = path.resolve(args.get('csv') ?? 'data/moneyvis/transactions_categorized.csv');
const DAY_MS = 86_400_000;

/** Held-out users are the export's test split (same draw); validation users are ids the export never made. */
function evaluationUsers(): number[] {
  if (SPLIT === 'validation') return Array.from({ length: VALIDATION_USERS }, (_, i) => USERS + i);
  const splitRandom = seededRandom(SEED ^ 0x5eed);
  const ids: number[] = [];
  for (let u = 0; u < USERS; u++) if (splitRandom() < 0.2) ids.push(u);
  return ids.slice(0, MAX_USERS);
}

async function policyOf(spec: PolicySpec): Promise<Choose> {
  let base: Choose;
  if (spec.kind === 'onnx') {
    const session = await ort.InferenceSession.create(spec.file!);
    const input = session.inputNames[0];
    const output = session.outputNames[0];
    base = async (vector) => {
      const out = await session.run({
        [input]: new ort.Tensor('float32', Float32Array.from(vector), [1, vector.length]),
      });
      const q = Array.from(out[output].data as Float32Array);
      return q.indexOf(Math.max(...q));
    };
  } else if (spec.kind === 'rule') base = async (_v, rule) => rule;
  else if (spec.kind === 'logging') base = async (_v, rule, random) => loggingAction(rule, random).action;
  else if (spec.kind === 'constant') base = async () => spec.action!;
  else if (spec.kind === 'random') base = async (_v, _r, random) => Math.floor(random() * 5);
  else throw new Error(`unknown policy kind ${String(spec.kind)}`);
  const epsilon = spec.epsilon ?? 0;
  if (epsilon === 0) return base;
  return async (vector, rule, random) => (random() < epsilon ? Math.floor(random() * 5) : base(vector, rule, random));
}

async function rollout(
  u: number,
  choose: Choose,
  cal: ReturnType<typeof calibrate>,
  scale: number,
): Promise<{ value: number; meanReward: number }> {
  const user = new SyntheticUser(u, PERSONAS[u % PERSONAS.length], cal, SIMULATION_START, SEED * 7919 + u, scale);
  const policyRandom = seededRandom(SEED * 104729 + u);
  const history: FeatureTransaction[] = [];
  const rewards: number[] = [];
  let acted = false;
  for (let week = 0; week < WEEKS; week++) {
    const txs = user.generateWeek(week);
    history.push(...txs);
    const { spending, saved } = weekFlows(txs);
    if (week < WARMUP_WEEKS) continue;
    if (acted) rewards.push(coachingReward(user.weeklyIncome, spending, saved, user.balance));
    if (week === WEEKS - 1) break;
    const end = new Date(SIMULATION_START.getTime() + (week + 1) * 7 * DAY_MS - 1);
    const { vector, summary } = coachingState(history, user.balance, end);
    // Features as exported (rounded to 4 decimals), so a network sees what it was trained on.
    const action = await choose(
      vector.map((x) => Math.round(x * 1e4) / 1e4),
      basicPolicyRule(summary).actionId,
      policyRandom,
    );
    user.applyAction(action, (user.weeklyIncome - spending) / user.weeklyIncome);
    acted = true;
  }
  return { value: meanDiscountedReturn(rewards), meanReward: rewards.reduce((a, b) => a + b, 0) / rewards.length };
}

async function main(): Promise<void> {
  const specs = JSON.parse(readFileSync(args.get('policies')!, 'utf8')) as PolicySpec[];
  const out = args.get('out')!;
  const cal = calibrate(CSV);
  const users = evaluationUsers();
  const results: Record<string, Record<string, { values: number[]; mean_rewards: number[] }>> = {};
  const started = Date.now();
  for (const scale of SCALES) {
    results[String(scale)] = {};
    for (const spec of specs) {
      const choose = await policyOf(spec);
      const values: number[] = [];
      const meanRewards: number[] = [];
      for (const u of users) {
        const r = await rollout(u, choose, cal, scale);
        values.push(Math.round(r.value * 1e6) / 1e6);
        meanRewards.push(Math.round(r.meanReward * 1e6) / 1e6);
      }
      results[String(scale)][spec.name] = { values, mean_rewards: meanRewards };
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      process.stdout.write(
        `  ${SPLIT} ×${scale} ${spec.name}: ${mean.toFixed(4)} over ${values.length} users (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
      );
    }
  }
  writeFileSync(
    out,
    JSON.stringify({
      split: SPLIT,
      seed: SEED,
      weeks: WEEKS,
      users,
      personas: users.map((u) => PERSONAS[u % PERSONAS.length]),
      results,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
