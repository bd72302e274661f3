/**
 * Training and validation examples from the REAL data (moneyvis + berka even accounts),
 * through the server's own feature code: per account and weekly origin, the forecaster's
 * inputs, the protocol's baselines and the truth for 7 and 28 days; and the goal episodes
 * with the goal model's inputs. Every row carries its role (train / test / unused, see
 * real-episodes.ts); training reads only `train` rows.
 * With `--accounts FILE` (the retraining job's export of consenting users, src/ml/retraining), those
 * users are a third data set, `fincoach`, split by user and by time (systemRoleOf); the public data
 * sets are then used where present.
 * Usage: tsx scripts/ml/export-real-examples.ts [--data-dir DIR] [--out models/training/.cache/real] [--accounts FILE]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { FeatureTransaction } from '../../src/ml/features/extract-features';
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

import { loadBerka, loadMoneyVis, realDataDir, type Dataset } from './real-data';
import {
  GOAL_MIN_HISTORY_DAYS,
  MIN_HISTORY_DAYS,
  dataEnd,
  goalEpisodes,
  historyAt,
  roleOf,
  spendingAfter,
  systemRoleOf,
  systemTimeCut,
  weeklyOrigins,
  type Role,
} from './real-episodes';

const round = (x: number) => Math.round(x * 1e4) / 1e4;

interface ExampleAccount {
  dataset: string;
  id: string;
  transactions: FeatureTransaction[];
}
type RoleFor = (account: ExampleAccount, origin: Date, horizonDays: number) => Role;
const publicRole: RoleFor = (a, origin, horizon) => roleOf(a.dataset as Dataset, a.id, origin, horizon);

/** `accounts` of one data set (its last day ends every account's origins). */
export function forecastRows(accounts: ExampleAccount[], roleFor: RoleFor = publicRole) {
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
            role: roleFor(a, origin, horizon),
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

export function goalRows(accounts: ExampleAccount[], roleFor: RoleFor = publicRole) {
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
            role: roleFor(a, origin, e.horizon),
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

/** The retraining export's accounts.jsonl: one consenting user per line, transactions oldest first. */
export function readSystemAccounts(file: string): ExampleAccount[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const a = JSON.parse(line) as {
        id: string;
        transactions: Array<Omit<FeatureTransaction, 'date'> & { date: string }>;
      };
      return {
        dataset: 'fincoach',
        id: a.id,
        transactions: a.transactions.map((t) => ({ ...t, date: new Date(t.date) })),
      };
    });
}

async function main(): Promise<void> {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const out = path.resolve(flag('--out') ?? 'models/training/.cache/real');
  const accountsFile = flag('--accounts');
  mkdirSync(out, { recursive: true });
  const dir = realDataDir();
  // The full training needs both public data sets; retraining uses those present beside the users.
  const optional = accountsFile !== undefined;
  const hasMoneyVis = !optional || existsSync(path.join(dir, 'moneyvis', 'transactions_categorized.csv'));
  const hasBerka = !optional || existsSync(path.join(dir, 'berka', 'trans.asc'));
  const moneyvis = hasMoneyVis ? [await loadMoneyVis(dir)] : [];
  const berka = hasBerka ? await loadBerka(dir) : [];
  const system = accountsFile ? readSystemAccounts(accountsFile) : [];
  const cut = systemTimeCut(system);
  const systemRole: RoleFor = (a, origin, horizon) => systemRoleOf(a.id, origin, horizon, cut);
  // Each data set ends on its own last day.
  const forecast = [...forecastRows(moneyvis), ...forecastRows(berka), ...forecastRows(system, systemRole)];
  const goal = [...goalRows(moneyvis), ...goalRows(berka), ...goalRows(system, systemRole)];
  writeFileSync(path.join(out, 'forecast.jsonl'), forecast.join('\n') + '\n');
  writeFileSync(path.join(out, 'goal.jsonl'), goal.join('\n') + '\n');
  writeFileSync(
    path.join(out, 'meta.json'),
    JSON.stringify(
      {
        data_dir: dir,
        datasets: [
          ...(hasMoneyVis ? ['moneyvis'] : []),
          ...(hasBerka ? ['berka'] : []),
          ...(system.length ? ['fincoach'] : []),
        ],
        forecast_feature_names: FORECAST_FEATURE_NAMES,
        goal_feature_names: GOAL_MODEL_FEATURE_NAMES,
        accounts: moneyvis.length + berka.length + system.length,
        system_accounts: system.length,
        system_time_cut: cut?.toISOString() ?? null,
        forecast_rows: forecast.length,
        goal_rows: goal.length,
      },
      null,
      2,
    ),
  );
  console.log(
    `real examples: ${moneyvis.length + berka.length} public + ${system.length} system accounts, ${forecast.length} forecast rows, ${goal.length} goal rows → ${out}`,
  );
}

if (require.main === module)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
