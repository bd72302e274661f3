/**
 * The advice replay's step for one real account: its statement (scripts/ml/real-data.ts, the one
 * real-data loader: MoneyVis's file, each berka account's own trans.asc lines) enters the database
 * through the server's importer (POST /financial/import's service), exactly as a user's history
 * would, then the served coaching is asked at every weekly cut-off.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import { replayAccount, weeklyCutoffs, type ReplayedAdvice } from '../../src/coaching/advice-replay';
import type { RecommendationsService } from '../../src/coaching/recommendations.service';
import type { StatementImportService } from '../../src/financial/import/statement-import.service';
import type { PrismaService } from '../../src/infra/prisma/prisma.service';

import type { RealStatement } from './real-data';

export interface ReplayServices {
  prisma: PrismaService;
  importer: StatementImportService;
  recommendations: RecommendationsService;
}

/**
 * A fresh user per statement, its history imported through the statement importer, then the
 * served coaching asked at every weekly cut-off (or the first `maxWeeks` of them when given).
 */
export async function replayStatement(
  services: ReplayServices,
  statement: RealStatement,
  options: { maxWeeks?: number; firstWeek?: number } = {},
): Promise<ReplayedAdvice[]> {
  const user = await services.prisma.user.create({
    data: {
      email: `replay-${statement.dataset}-${statement.account}-${randomUUID().slice(0, 8)}@example.com`,
      firstName: 'Replay',
      lastName: `${statement.dataset} ${statement.account}`,
      // Not a password hash: replay users never log in.
      passwordHash: '!',
      profile: { create: {} },
    },
  });
  await services.importer.importStatement(user.id, {
    stream: Readable.from([Buffer.from(statement.text)]),
    filename: statement.filename,
    mimetype: 'text/csv',
  });
  const span = await services.prisma.transaction.aggregate({
    where: { userId: user.id },
    _min: { transactionDate: true },
    _max: { transactionDate: true },
  });
  if (!span._min.transactionDate || !span._max.transactionDate) return [];
  const all = weeklyCutoffs(span._min.transactionDate, span._max.transactionDate);
  const first = options.firstWeek ?? 0;
  const cutoffs = all.slice(first, options.maxWeeks === undefined ? undefined : first + options.maxWeeks);
  return replayAccount(
    services.recommendations,
    user.id,
    { dataset: statement.dataset, account: statement.account },
    cutoffs,
  );
}
