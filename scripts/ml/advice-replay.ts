/**
 * The advice replay (shared/docs/ml-evaluation.md): every real week of every real account through
 * the served coaching, against a real (throwaway) PostgreSQL. Each account's statement is imported
 * through the server's importer, then /recommendation and /enhanced-recommendation are asked at the
 * end of every week of its history. Counts contradictions (findContradictions), segment changes from
 * one week to the next and the share of each action; writes models/reports/advice-replay.md.
 *
 * Usage: npm run eval:advice [-- --berka-accounts N --concurrency C --out FILE]
 * (plain Node with scripts/swc-register.cjs: NestJS needs the decorator metadata tsx cannot emit)
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

import { berkaStatements, moneyVisStatement, replayStatement, type ReplayServices } from './replay-accounts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const BERKA_ACCOUNTS = args.has('berka-accounts') ? Number(args.get('berka-accounts')) : Infinity;
const OUT = path.resolve(args.get('out') ?? 'models/reports/advice-replay.md');
const CONCURRENCY = Number(args.get('concurrency') ?? 3);

async function main(): Promise<void> {
  const started = Date.now();
  const db = await startThrowawayPostgres('fincoach_replay');
  const app = await createApp(
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
      DB_POOL_SIZE: '8',
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

    const moneyvis = await replayStatement(services, moneyVisStatement());
    process.stdout.write(`moneyvis: ${moneyvis.length / 2} weeks (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    const berka: ReplayedAdvice[] = [];
    const statements = berkaStatements().slice(0, BERKA_ACCOUNTS);
    let next = 0;
    let done = 0;
    // A few accounts at a time: each one's weeks stay in order, accounts are independent users.
    const worker = async () => {
      while (next < statements.length) {
        const statement = statements[next++];
        berka.push(...(await replayStatement(services, statement)));
        if (++done % 25 === 0)
          process.stdout.write(
            `berka: ${done}/${statements.length} accounts (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
          );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const tallies = [tallyReplay('moneyvis', moneyvis), tallyReplay('berka (even ids)', berka)];
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, report(tallies, served, (Date.now() - started) / 1000));
    const total = tallies.reduce((a, t) => a + t.contradictions, 0);
    process.stdout.write(`${total} contradiction(s); report in ${path.relative(process.cwd(), OUT)}\n`);
    if (total > 0) process.exitCode = 1;
  } finally {
    await app.close();
    await db.stop();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function report(tallies: ReplayTally[], served: string[], seconds: number): string {
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
    'Written by `npm run eval:advice` (`scripts/ml/advice-replay.ts`). Every real week of every real account,',
    'through the served coaching and a real PostgreSQL: each account is imported through the statement',
    'importer, then `/coaching/recommendation` and `/coaching/enhanced-recommendation` (their services) are',
    'asked at the end of every week of its history (cut-offs every 7 days from the end of the first full',
    'week). Each answer is checked by `findContradictions` (`src/coaching/advice-consistency.ts`): a money',
    'amount or percentage in the text that is not a figure of the window the text names, as shown in the',
    'same response (`state_summary` for the last 7 days, `state_summary_30d` for the last 30), a window named',
    'but not shown, or praise beside a negative savings rate in either window.',
    '',
    `Models: ${served.join(', ')}. Berka amounts are CZK (1993–94), MoneyVis GBP; both are shown with the`,
    `client's "$" formatting. Run time ${Math.round(seconds)} s.`,
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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
