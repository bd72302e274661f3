import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ModelRegistry } from '../../src/ml/model-registry';
import { ModelVersionsService } from '../../src/ml/model-versions.service';
import { createTestApp, registerAdmin, registerUser, type TestApp } from '../helpers/test-app';

const DAY_MS = 86_400_000;

/** Each fixture account's weekly spending (debits, CZK), from real Berka rows. */
function weeklySpending(): number[][] {
  const lines = readFileSync(path.join(__dirname, '../fixtures/berka/accounts-sample.asc'), 'utf8').trim().split('\n');
  const byAccount = new Map<string, Map<number, number>>();
  for (const line of lines.slice(1)) {
    const [, account, date, type, , amount] = line.split(';').map((v) => v.replace(/"/g, ''));
    if (type === 'PRIJEM') continue;
    const day = Date.UTC(1900 + Number(date.slice(0, 2)), Number(date.slice(2, 4)) - 1, Number(date.slice(4, 6)));
    const week = Math.floor(day / (7 * DAY_MS));
    const weeks = byAccount.get(account) ?? new Map<number, number>();
    weeks.set(week, (weeks.get(week) ?? 0) + Number(amount));
    byAccount.set(account, weeks);
  }
  return [...byAccount.values()].map((weeks) => {
    const keys = [...weeks.keys()];
    const first = Math.min(...keys);
    const last = Math.max(...keys);
    return Array.from({ length: last - first + 1 }, (_, i) => weeks.get(first + i) ?? 0);
  });
}

/** Per-account mean squared error of a next-week forecast from the weeks before (origins with ≥ 8 weeks). */
function accountLosses(forecast: (history: number[]) => number): number[] {
  return weeklySpending().map((series) => {
    let total = 0;
    let n = 0;
    for (let t = 8; t < series.length; t++) {
      total += (forecast(series.slice(0, t)) - series[t]) ** 2;
      n++;
    }
    return total / Math.max(n, 1);
  });
}

const lastWeek = (h: number[]) => h[h.length - 1];
const mean8 = (h: number[]) => h.slice(-8).reduce((a, b) => a + b, 0) / 8;

describe('model versions: champion/challenger, hot reload on every replica, rollback (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // Polling is off: each replica's sync is called where the test needs it, instead of waiting.
    a = await createTestApp({ MODEL_SYNC_INTERVAL_SECONDS: '0' });
    b = await createTestApp({ MODEL_SYNC_INTERVAL_SECONDS: '0' });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const challengerOf = (t: TestApp, version: string) => {
    const registry = t.app.get(ModelRegistry);
    const entry = registry.entry('goal')!;
    const bytes = readFileSync(path.join(registry.modelsDir, entry.file));
    return { name: 'goal' as const, version, entry, artifact: new Uint8Array(bytes), trainingData: { source: 'test' } };
  };

  it('refuses a challenger that is worse on real held-out accounts, and keeps serving the champion', async () => {
    const served = a.app.get(ModelRegistry).status('goal').version;
    const decision = await a.app.get(ModelVersionsService).submitChallenger({
      ...challengerOf(a, `worse-${Date.now()}`),
      championLosses: accountLosses(mean8),
      challengerLosses: accountLosses(lastWeek),
    });
    expect(decision.promote).toBe(false);
    expect(decision.reason).toBe('challenger worse');
    expect(decision.units).toBe(30);
    expect(a.app.get(ModelRegistry).status('goal').version).toBe(served);
  });

  it('promotes a better challenger; the other replica serves it without restart; rollback returns both', async () => {
    const admin = await registerAdmin(a);
    const champion = a.app.get(ModelRegistry).status('goal').version;
    const version = `better-${Date.now()}`;
    const decision = await a.app.get(ModelVersionsService).submitChallenger({
      ...challengerOf(a, version),
      championLosses: accountLosses(lastWeek),
      challengerLosses: accountLosses(mean8),
    });
    expect(decision.promote).toBe(true);
    expect(decision.interval[0]).toBeGreaterThan(0);
    expect(a.app.get(ModelRegistry).status('goal')).toMatchObject({ version, state: 'loaded' });

    // Replica B learns it from the database.
    expect(b.app.get(ModelRegistry).status('goal').version).toBe(champion);
    expect(await b.app.get(ModelVersionsService).syncFromDatabase()).toBe(1);
    expect(b.app.get(ModelRegistry).status('goal')).toMatchObject({ version, state: 'loaded' });
    const user = await registerUser(b);
    const goal = await b
      .http()
      .post('/coaching/goal-probability')
      .set(user.auth)
      .send({ goal_amount: 500, timeline_days: 60 });
    expect(goal.status).toBe(200);

    const listed = await a.http().get('/admin/models?model_type=goal').set(admin.auth).expect(200);
    expect(listed.body.find((v: { version: string }) => v.version === version)).toMatchObject({
      status: 'active',
      is_active: true,
      decision: { promote: true },
    });

    const rolled = await a.http().post('/admin/models/goal/rollback').set(admin.auth).expect(200);
    expect(rolled.body).toEqual({ model: 'goal', from: version, to: champion });
    expect(a.app.get(ModelRegistry).status('goal').version).toBe(champion);
    await b.app.get(ModelVersionsService).syncFromDatabase();
    expect(b.app.get(ModelRegistry).status('goal').version).toBe(champion);
  });

  it('is admin-only and names bad model names', async () => {
    const user = await registerUser(a);
    const admin = await registerAdmin(a);
    await a.http().get('/admin/models').set(user.auth).expect(403);
    await a.http().post('/admin/models/goal/rollback').set(user.auth).expect(403);
    const bad = await a.http().post('/admin/models/nope/rollback').set(admin.auth);
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toMatch(/name/);
  });
});
