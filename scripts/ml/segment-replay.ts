/**
 * Segmentation on the real accounts, through the serving code.
 *
 *   tsx scripts/ml/segment-replay.ts features --out FILE
 *     the segmentation features of every real account at every weekly cut-off (training input);
 *   tsx scripts/ml/segment-replay.ts replay --models DIR
 *     loads DIR/manifest.json with the server's ModelRegistry and replays every account week by
 *     week through SegmentationModel.classify (the hysteresis the API applies), printing JSON:
 *     segment labels and how often the served (and the nearest) segment changes between weeks.
 *
 * The accounts come from scripts/ml/real-data.ts (the server's statement importer, so categories are
 * what an import stores). Berka accounts are split by id: ids ≡ 0 (mod 4) may be used for fitting,
 * ids ≡ 2 (mod 4) are only evaluated (odd ids are not in the folder: held back for judging).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import type { AppConfig } from '../../src/infra/config/app-config';
import { extractFeatures, type FeatureTransaction } from '../../src/ml/features/extract-features';
import { FEATURE_NAMES } from '../../src/ml/features/feature-names';
import { SEGMENT_FEATURE_NAMES, SEGMENT_WINDOW_DAYS, segmentFeatures } from '../../src/ml/features/segment-features';
import { summarize } from '../../src/ml/features/summary';
import { ModelRegistry } from '../../src/ml/model-registry';
import { SegmentationModel, type PreviousSegment } from '../../src/ml/models/segmentation.model';

import { loadBerka, loadMoneyVis, type RealAccount } from './real-data';
import { balanceAt } from './real-episodes';

const DAY_MS = 86_400_000;
const round = (x: number) => Math.round(x * 1e4) / 1e4;

type Group = 'moneyvis' | 'berka_fit' | 'berka_eval';

function group(account: RealAccount): Group {
  if (account.dataset === 'moneyvis') return 'moneyvis';
  return Number(account.id) % 4 === 0 ? 'berka_fit' : 'berka_eval';
}

/** The real accounts through the one real-data loader (the server's statement importer). */
async function accounts(): Promise<RealAccount[]> {
  return [await loadMoneyVis(), ...(await loadBerka())];
}

/** Weekly cut-offs (end of day, UTC) from the first one with `historyDays` of history to the last row. */
function weeklyCutoffs(account: RealAccount, historyDays: number): Date[] {
  const first = account.transactions[0]?.date.getTime();
  const last = account.transactions.at(-1)?.date.getTime();
  if (first === undefined || last === undefined) return [];
  const day = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
  const cutoffs: Date[] = [];
  for (let t = day(first) + historyDays * DAY_MS + DAY_MS - 1; t <= day(last) + DAY_MS - 1; t += 7 * DAY_MS)
    cutoffs.push(new Date(t));
  return cutoffs;
}

/** Every weekly state of an account with a full segmentation window behind it. */
function* weeklyStates(account: RealAccount) {
  const rows = account.transactions;
  let from = 0;
  for (const now of weeklyCutoffs(account, SEGMENT_WINDOW_DAYS)) {
    // Rows of the segmentation window (the longest window any feature reads).
    while (from < rows.length && rows[from].date.getTime() <= now.getTime() - (SEGMENT_WINDOW_DAYS + 1) * DAY_MS)
      from++;
    const window: FeatureTransaction[] = [];
    for (let i = from; i < rows.length && rows[i].date.getTime() <= now.getTime(); i++) window.push(rows[i]);
    const balance = balanceAt(account.transactions, now);
    yield { now, window, balance, segment: segmentFeatures(window, balance, now) };
  }
}

async function exportFeatures(out: string): Promise<void> {
  const lines: string[] = [];
  for (const account of await accounts()) {
    let week = 0;
    for (const s of weeklyStates(account)) {
      const xs = SEGMENT_FEATURE_NAMES.map((n) => round(s.segment[n]));
      lines.push(
        JSON.stringify({ account: account.id, group: group(account), week: week++, cutoff: s.now.toISOString(), xs }),
      );
    }
  }
  writeFileSync(out, lines.join('\n') + '\n');
  console.log(`wrote ${lines.length} weekly states to ${out}`);
}

interface Tally {
  accounts: number;
  transitions: number;
  served_changes: number;
  nearest_changes: number;
  /** Weekly states whose served segment is the nearest centroid (what hysteresis costs in lag). */
  served_is_nearest: number;
  states: number;
  account_rates: number[];
  /** Week pairs of each account that changed segment in more than 10% of them (short histories?). */
  over_10pct_transitions: number[];
  /** Rates of accounts with at least LONG_HISTORY weekly transitions (one change is < 4% of them). */
  long_rates: number[];
}

const LONG_HISTORY = 26;

async function replay(modelsDir: string): Promise<void> {
  const registry = new ModelRegistry({ ml: { modelsDir } } as AppConfig);
  await registry.loadAll();
  const status = registry.status('segmentation');
  if (status.state !== 'loaded') throw new Error(`segmentation not loaded: ${status.error}`);
  const model = new SegmentationModel(registry);
  const tallies: Record<string, Tally> = {};
  const lastSegments: Record<string, number[]> = {};
  for (const account of await accounts()) {
    const g = group(account);
    const tally = (tallies[g] ??= {
      accounts: 0,
      transitions: 0,
      served_changes: 0,
      nearest_changes: 0,
      served_is_nearest: 0,
      states: 0,
      account_rates: [],
      over_10pct_transitions: [],
      long_rates: [],
    });
    let previous: PreviousSegment | null = null;
    let lastNearest: number | null = null;
    let transitions = 0;
    let changes = 0;
    for (const s of weeklyStates(account)) {
      const vector = extractFeatures({ transactions: s.window, balance: s.balance, now: s.now });
      const features = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, vector[i]]));
      const summary = summarize(s.window, s.balance, features, s.now);
      const assignment = await model.classify({ ...features, ...s.segment }, summary, previous, s.now);
      if (assignment.source !== 'model' || !assignment.distances) throw new Error('the model did not answer');
      const nearest = assignment.distances.indexOf(Math.min(...assignment.distances));
      tally.states++;
      if (assignment.segmentId === nearest) tally.served_is_nearest++;
      if (previous) {
        transitions++;
        if (previous.segmentId !== assignment.segmentId) changes++;
        if (lastNearest !== nearest) tally.nearest_changes++;
      }
      previous = {
        segmentId: assignment.segmentId,
        pendingSegmentId: assignment.pendingSegmentId,
        pendingSince: assignment.pendingSince,
        version: assignment.version,
        source: assignment.source,
      };
      lastNearest = nearest;
    }
    if (!previous) continue;
    (lastSegments[g] ??= []).push(previous.segmentId);
    tally.accounts++;
    tally.transitions += transitions;
    tally.served_changes += changes;
    if (transitions > 0) tally.account_rates.push(changes / transitions);
    if (transitions > 0 && changes / transitions > 0.1) tally.over_10pct_transitions.push(transitions);
    if (transitions >= LONG_HISTORY) tally.long_rates.push(changes / transitions);
  }
  const groups = Object.fromEntries(
    Object.entries(tallies).map(([g, t]) => {
      const rates = [...t.account_rates].sort((a, b) => a - b);
      return [
        g,
        {
          accounts: t.accounts,
          weekly_transitions: t.transitions,
          served_changes: t.served_changes,
          served_change_rate: round(t.served_changes / Math.max(1, t.transitions)),
          nearest_changes: t.nearest_changes,
          nearest_change_rate: round(t.nearest_changes / Math.max(1, t.transitions)),
          served_is_nearest_share: round(t.served_is_nearest / Math.max(1, t.states)),
          accounts_at_most_10pct: round(rates.filter((r) => r <= 0.1).length / Math.max(1, rates.length)),
          account_rate_median: round(rates[Math.floor(rates.length / 2)] ?? 0),
          account_rate_max: round(rates.at(-1) ?? 0),
          over_10pct_week_pairs: [...t.over_10pct_transitions].sort((a, b) => a - b),
          long_history_accounts: t.long_rates.length,
          long_history_at_most_10pct: round(
            t.long_rates.filter((r) => r <= 0.1).length / Math.max(1, t.long_rates.length),
          ),
          final_segment_counts: model
            .segmentLabels()
            .map((_, id) => (lastSegments[g] ?? []).filter((s) => s === id).length),
        },
      ];
    }),
  );
  console.log(JSON.stringify({ version: status.version, labels: model.segmentLabels(), groups }));
  await registry.onApplicationShutdown();
}

async function main(): Promise<void> {
  const [mode, flag, value] = process.argv.slice(2);
  if (mode === 'features' && flag === '--out') return exportFeatures(path.resolve(value));
  if (mode === 'replay' && flag === '--models') return replay(path.resolve(value));
  throw new Error('Usage: segment-replay.ts features --out FILE | replay --models DIR');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
