import { berkaAccountStatements, moneyVisStatement } from '../../scripts/ml/real-data';
import { replayStatement, type ReplayServices } from '../../scripts/ml/replay-accounts';
import { ADVICE_REPLAY_ENV, tallyReplay } from '../../src/coaching/advice-replay';
import { RecommendationsService } from '../../src/coaching/recommendations.service';
import { StatementImportService } from '../../src/financial/import/statement-import.service';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * A sample of the advice replay (the full one runs in `npm run eval:models`): real histories imported
 * through the statement importer, the served coaching asked at weekly cut-offs, every answer
 * checked against the state shown beside it.
 */
describe('advice replay on real accounts (e2e)', () => {
  let t: TestApp;
  let services: ReplayServices;
  beforeAll(async () => {
    t = await createTestApp({ ...ADVICE_REPLAY_ENV });
    services = {
      prisma: t.prisma,
      importer: t.app.get(StatementImportService),
      recommendations: t.app.get(RecommendationsService),
    };
  });
  afterAll(async () => t.close());

  it('is reproducible: one account replayed twice is served the same actions', async () => {
    const [statement] = berkaAccountStatements();
    const runs = [];
    for (let k = 0; k < 2; k++) runs.push(await replayStatement(services, statement, { maxWeeks: 12 }));
    const [first, second] = runs.map((run) => run.map((a) => `${a.cutoff} ${a.endpoint} ${a.action_type}`));
    expect(first).toHaveLength(24);
    expect(second).toEqual(first);
  }, 120_000);

  it('12 MoneyVis weeks (Jan–Apr 2022) and 4 berka accounts: no contradiction', async () => {
    // MoneyVis starts 2015-07-27; week 338 ends in January 2022.
    const moneyvis = await replayStatement(services, moneyVisStatement(), { firstWeek: 338, maxWeeks: 12 });
    const berka = (
      await Promise.all(
        berkaAccountStatements()
          .slice(0, 4)
          .map((s) => replayStatement(services, s, { maxWeeks: 10 })),
      )
    ).flat();
    expect(moneyvis).toHaveLength(24);
    expect(moneyvis[0].cutoff.slice(0, 7)).toBe('2022-01');
    expect(berka.length).toBeGreaterThan(40);
    const tallies = [tallyReplay('moneyvis', moneyvis), tallyReplay('berka', berka)];
    const found = [...moneyvis, ...berka].filter((a) => a.contradictions.length > 0);
    expect(found.map((a) => [a.recommendation, a.contradictions])).toEqual([]);
    // The sample is not vacuous: weeks with a negative 7-day savings rate were replayed.
    expect(tallies.reduce((n, x) => n + x.negativeWeekRate, 0)).toBeGreaterThan(0);
    // The segment was recomputed at every week (its segment changes are measured), not frozen after a few.
    const [stored] = await t.prisma.$queryRaw<Array<{ version: string }>>`
      SELECT s.features->>'data_version' AS version FROM user_segments s JOIN users u ON u.id = s.user_id
       WHERE u.email LIKE 'replay-moneyvis-%' ORDER BY s.updated_at DESC LIMIT 1`;
    expect(stored.version).toMatch(new RegExp(`@${moneyvis.at(-1)!.cutoff.replace(/[.]/g, '\\.')}$`));
  }, 300_000);
});
