/**
 * The advice replay (shared/docs/ml-evaluation.md), run by `npm run eval:models` (and alone by
 * `npm run eval:advice`, the same code): every real week of every real account through the served
 * coaching, against a real (throwaway) PostgreSQL. Each account's statement (scripts/ml/real-data.ts)
 * is imported through the server's importer, then /recommendation and /enhanced-recommendation are
 * asked at the end of every week of its history. Counts contradictions (findContradictions), segment
 * changes from one week to the next and the share of each action; writes models/reports/advice-replay.md.
 * Needs NestJS's decorator metadata: run under plain Node with scripts/swc-register.cjs (as the npm
 * scripts do), not tsx.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { createApp } from '../../src/app.factory';
import type { ReplayedAdvice, ReplayTally } from '../../src/coaching/advice-replay';
import { tallyReplay } from '../../src/coaching/advice-replay';
import { RecommendationsService } from '../../src/coaching/recommendations.service';
import { StatementImportService } from '../../src/financial/import/statement-import.service';
import { loadConfig } from '../../src/infra/config/app-config';
import { startThrowawayPostgres } from '../../src/infra/database/throwaway-postgres';
import { PrismaService } from '../../src/infra/prisma/prisma.service';
import { ModelRegistry } from '../../src/ml/model-registry';

import { berkaAccountStatements, moneyVisStatement, realDataDir } from './real-data';
import { replayStatement, type ReplayServices } from './replay-accounts';

export interface AdviceReplayOptions {
  modelsDir: string;
  /** Where the markdown report goes. */
  out: string;
  dataDir?: string;
  /** Replay only the first N berka accounts (all by default). */
  berkaAccounts?: number;
  /** Accounts replayed at a time (each account's weeks stay in order). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface AdviceReplayResult {
  tallies: ReplayTally[];
  contradictions: number;
  seconds: number;
}

export async function runAdviceReplay(options: AdviceReplayOptions): Promise<AdviceReplayResult> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const dataDir = options.dataDir ?? realDataDir();
  const db = await startThrowawayPostgres('fincoach_replay');
  const app = await createApp(
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
      DB_POOL_SIZE: '8',
      MODELS_DIR: options.modelsDir,
      // A replay asks for years of weeks within minutes: the per-user hourly cap on segment
      // recomputations would freeze each account's segment after its first few weeks.
      SEGMENT_REFRESHES_PER_HOUR: '100000',
    }),
  ).catch(async (error: unknown) => {
    await db.stop();
    throw error;
  });
  try {
    await app.init();
    const services: ReplayServices = {
      prisma: app.get(PrismaService),
      importer: app.get(StatementImportService),
      recommendations: app.get(RecommendationsService),
    };
    const models = app.get(ModelRegistry);
    const served = (['policy', 'segmentation'] as const).map(
      (m) => `${m}: ${models.status(m).version ?? 'rule fallback'}`,
    );

    const moneyvis = await replayStatement(services, moneyVisStatement(dataDir));
    log(`advice replay moneyvis: ${moneyvis.length / 2} weeks (${elapsed()})`);
    const berka: ReplayedAdvice[] = [];
    const statements = berkaAccountStatements(dataDir).slice(0, options.berkaAccounts ?? Infinity);
    let next = 0;
    let done = 0;
    // A few accounts at a time: each one's weeks stay in order, accounts are independent users.
    const worker = async () => {
      while (next < statements.length) {
        const statement = statements[next++];
        berka.push(...(await replayStatement(services, statement)));
        if (++done % 25 === 0) log(`advice replay berka: ${done}/${statements.length} accounts (${elapsed()})`);
      }
    };
    const concurrency = options.concurrency ?? 3;
    await Promise.all(Array.from({ length: concurrency }, worker));
    const tallies = [tallyReplay('moneyvis', moneyvis), tallyReplay('berka (even ids)', berka)];
    const seconds = (Date.now() - started) / 1000;
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, report(tallies, served, seconds, concurrency));
    const contradictions = tallies.reduce((a, t) => a + t.contradictions, 0);
    log(`advice replay: ${contradictions} contradiction(s); report in ${path.relative(process.cwd(), options.out)}`);
    return { tallies, contradictions, seconds };
  } finally {
    await app.close();
    await db.stop();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function report(tallies: ReplayTally[], served: string[], seconds: number, concurrency: number): string {
  const actions = [
    'continue_current_behavior',
    'spending_alert',
    'budget_suggestion',
    'savings_nudge',
    'positive_reinforcement',
  ];
  const lines = [
    '# Advice replay on real accounts',
    '',
    'Written by `npm run eval:models` (`scripts/ml/advice-replay.ts`; `npm run eval:advice` runs only this part).',
    'Every real week of every real account, through the served coaching and a real PostgreSQL: each account',
    "(scripts/ml/real-data.ts: MoneyVis's file, each berka account's own trans.asc lines) is imported through",
    'the statement importer, then `/coaching/recommendation` and `/coaching/enhanced-recommendation` (their services) are',
    'asked at the end of every week of its history (cut-offs every 7 days from the end of the first full',
    'week). Each answer is checked by `findContradictions` (`src/coaching/advice-consistency.ts`): a money',
    'amount or percentage in the text that is not a figure of the window the text names, as shown in the',
    'same response (`state_summary` for the last 7 days, `state_summary_30d` for the last 30), a window named',
    'but not shown, or praise beside a negative savings rate in either window.',
    '',
    `Models: ${served.join(', ')}. Berka amounts are CZK (1993–94), MoneyVis GBP; texts write money without a`,
    `currency symbol. Run time ${Math.round(seconds)} s (${concurrency} accounts at a time).`,
    '',
    '| data set | accounts | weeks | responses | contradictions | segment changes (week to week) | praise served | 7-day savings rate < 0 |',
    '|---|---|---|---|---|---|---|---|',
    ...tallies.map(
      (t) =>
        `| ${t.dataset} | ${t.accounts} | ${t.weeks} | ${t.responses} | **${t.contradictions}** | ${t.segmentChanges} of ${t.segmentPairs} (${pct(
          t.segmentChanges / Math.max(t.segmentPairs, 1),
        )}) | ${t.praiseShown} | ${t.negativeWeekRate} |`,
    ),
    '',
    '## Share of each action',
    '',
    `| data set | endpoint | ${actions.join(' | ')} |`,
    `|---|---|${actions.map(() => '---').join('|')}|`,
    ...tallies.flatMap((t) =>
      Object.entries(t.actionShares).map(
        ([endpoint, shares]) =>
          `| ${t.dataset} | ${endpoint} | ${actions.map((a) => pct(shares[a] ?? 0)).join(' | ')} |`,
      ),
    ),
    '',
    '## Decision sources',
    '',
    ...tallies.map(
      (t) =>
        `- ${t.dataset}: ${Object.entries(t.decisionSources)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
    ),
    '',
    '## Contradictions',
    '',
    ...tallies.flatMap((t) =>
      t.contradictions === 0
        ? [`- ${t.dataset}: none.`]
        : [
            `- ${t.dataset}: ${Object.entries(t.contradictionsByKind)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}; examples:`,
            ...t.examples.map(
              (e) =>
                `  - ${e.account} ${e.cutoff.slice(0, 10)} ${e.endpoint}: "${e.recommendation}" — ${e.contradictions
                  .map((c) => c.detail)
                  .join('; ')}`,
            ),
          ],
    ),
    '',
  ];
  return lines.join('\n');
}
