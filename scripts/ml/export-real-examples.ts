/**
 * Training and validation examples from the REAL data (moneyvis + berka even accounts),
 * through the server's own feature code: per account and weekly origin, the forecaster's
 * inputs, the protocol's baselines and the truth for 7 and 28 days; and the goal episodes
 * with the goal model's inputs. Every row carries its role (train / test / unused, see
 * real-episodes.ts); training reads only `train` rows.
 * Usage: tsx scripts/ml/export-real-examples.ts [--data-dir DIR] [--out models/training/.cache/real]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  GOAL_MODEL_FEATURE_NAMES,
  goalModelFeatures,
  paceRuleScore,
} from '../../src/ml/features/goal-history-features';
import {
  FORECAST_FEATURE_NAMES,
  FORECAST_HORIZONS,
  forecastBaselines,
  forecastFeatures,
} from '../../src/ml/features/spending-history';

import { loadBerka, loadMoneyVis, realDataDir, type RealAccount } from './real-data';
import {
  GOAL_MIN_HISTORY_DAYS,
  MIN_HISTORY_DAYS,
  dataEnd,
  goalEpisodes,
  historyAt,
  roleOf,
  spendingAfter,
  weeklyOrigins,
} from './real-episodes';

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** `accounts` of one data set (its last day ends every account's origins). */
export function forecastRows(accounts: RealAccount[]) {
  const end = dataEnd(accounts);
  const rows: string[] = [];
  for (const a of accounts) {
    for (const origin of weeklyOrigins(a.transactions, end, 7, MIN_HISTORY_DAYS)) {
      const h = historyAt(a.transactions, origin);
      for (const horizon of FORECAST_HORIZONS) {
        if (origin.getTime() + horizon * 86_400_000 > end.getTime()) continue;
        const f = forecastFeatures(h, horizon);
        rows.push(
          JSON.stringify({
            dataset: a.dataset,
            account: a.id,
            origin: origin.toISOString().slice(0, 10),
            horizon,
            role: roleOf(a.dataset, a.id, origin, horizon),
            x: FORECAST_FEATURE_NAMES.map((n) => round(f[n])),
            baselines: Object.fromEntries(Object.entries(forecastBaselines(h, horizon)).map(([k, v]) => [k, round(v)])),
            y: round(spendingAfter(a.transactions, origin, horizon)),
          }),
        );
      }
    }
  }
  return rows;
}

export function goalRows(accounts: RealAccount[]) {
  const end = dataEnd(accounts);
  const rows: string[] = [];
  for (const a of accounts) {
    for (const origin of weeklyOrigins(a.transactions, end, 30, GOAL_MIN_HISTORY_DAYS)) {
      const h = historyAt(a.transactions, origin);
      for (const e of goalEpisodes(a.transactions, h, end)) {
        const f = goalModelFeatures(h, e.goal, e.horizon);
        rows.push(
          JSON.stringify({
            dataset: a.dataset,
            account: a.id,
            origin: origin.toISOString().slice(0, 10),
            horizon: e.horizon,
            multiple: e.multiple,
            role: roleOf(a.dataset, a.id, origin, e.horizon),
            x: GOAL_MODEL_FEATURE_NAMES.map((n) => round(f[n])),
            pace: round(paceRuleScore(h, e.goal, e.horizon)),
            y: e.achieved ? 1 : 0,
          }),
        );
      }
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const outFlag = process.argv.indexOf('--out');
  const out = path.resolve(outFlag >= 0 ? process.argv[outFlag + 1] : 'models/training/.cache/real');
  mkdirSync(out, { recursive: true });
  const dir = realDataDir();
  const moneyvis = [await loadMoneyVis(dir)];
  const berka = await loadBerka(dir);
  const accounts = [...moneyvis, ...berka];
  // Each data set ends on its own last day.
  const forecast = [...forecastRows(moneyvis), ...forecastRows(berka)];
  const goal = [...goalRows(moneyvis), ...goalRows(berka)];
  writeFileSync(path.join(out, 'forecast.jsonl'), forecast.join('\n') + '\n');
  writeFileSync(path.join(out, 'goal.jsonl'), goal.join('\n') + '\n');
  writeFileSync(
    path.join(out, 'meta.json'),
    JSON.stringify(
      {
        data_dir: dir,
        forecast_feature_names: FORECAST_FEATURE_NAMES,
        goal_feature_names: GOAL_MODEL_FEATURE_NAMES,
        accounts: accounts.length,
        forecast_rows: forecast.length,
        goal_rows: goal.length,
      },
      null,
      2,
    ),
  );
  console.log(
    `real examples: ${accounts.length} accounts, ${forecast.length} forecast rows, ${goal.length} goal rows → ${out}`,
  );
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
