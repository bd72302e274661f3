import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { USER_OUTCOMES_PER_ARM } from '../../src/ml/bandit/bandit.service';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';
import { postTransaction, seedHistory, typicalHistory } from '../helpers/transactions';

const MODEL_NAMES = ['policy', 'segmentation', 'spending_forecast', 'goal'];
/** Training serves the CQL model only where it beat the simple policies (models/reports/policy.md); otherwise a baseline. */
const SERVED_POLICY = JSON.parse(readFileSync(path.join('models', 'manifest.json'), 'utf8')).models.policy
  .served_policy;
const SERVED_SOURCE = !SERVED_POLICY || SERVED_POLICY.kind === 'model' ? 'model' : 'baseline';

/**
 * The stored propensity is the probability of the stored action under the stored distribution, with the
 * floor on every servable action; only praise (action 4) may be withheld (0) beside a negative savings rate.
 */
function expectExactPropensity(
  row: { propensity: number | null; actionProbabilities: unknown; actionId: number },
  responsePropensity: number,
) {
  const probabilities = row.actionProbabilities as number[];
  expect(probabilities).toHaveLength(5);
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  probabilities.forEach((p, action) => {
    if (action === 4 && p === 0) return;
    expect(p).toBeGreaterThanOrEqual(0.02 - 1e-12);
  });
  expect(row.propensity).toBe(probabilities[row.actionId]);
  expect(responsePropensity).toBeCloseTo(row.propensity!, 4);
}

describe('coaching (e2e, models served)', () => {
  let t: TestApp;
  let fresh: TestUser;
  let active: TestUser;

  /** Recommendation rows as the enhanced route writes them, chosen in a given context and arm. */
  async function insertBanditRecommendations(userId: string, segmentId: number, arm: string, n: number) {
    const actionId = ['continue_current_behavior', 'spending_alert', 'budget_suggestion', 'savings_nudge'].indexOf(arm);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const row = await t.prisma.recommendationHistory.create({
        data: {
          userId,
          kind: 'enhanced',
          recommendationText: 'test',
          actionId,
          actionType: arm,
          confidenceScore: 0.5,
          propensity: 0.2,
          actionProbabilities: [0.2, 0.2, 0.2, 0.2, 0.2],
          segmentId,
          strategy: arm,
        },
      });
      ids.push(row.id);
    }
    return ids;
  }

  /** An arm's counts now ({alpha 1, beta 1, pulls 0} before its first outcome): tests compare changes, so a reused database passes too. */
  async function armCounts(segmentId: number, arm: string) {
    const row = await t.prisma.banditArm.findUnique({ where: { segmentId_arm: { segmentId, arm } } });
    return { alpha: row?.alpha ?? 1, beta: row?.beta ?? 1, pulls: row?.pulls ?? 0 };
  }

  /** Users made only for one bandit test leave the shared database as they found it (peer counts elsewhere). */
  async function removeUsers(...users: TestUser[]) {
    await t.prisma.user.deleteMany({ where: { id: { in: users.map((u) => u.id) } } });
  }

  beforeAll(async () => {
    t = await createTestApp();
    fresh = await registerUser(t);
    active = await registerUser(t);
    await seedHistory(t, active.id, typicalHistory());
  });
  afterAll(async () => t.close());

  it('serves every model listed in the manifest (enhanced-health, details for admins)', async () => {
    const admin = await registerAdmin(t);
    const res = await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
    expect(res.body.overall_status).toBe('healthy');
    expect(res.body.database.status).toBe('up');
    for (const service of [
      'enhanced_cql_service',
      'segmentation_service',
      'spending_prediction_service',
      'goal_prediction_service',
    ]) {
      expect(res.body[service]).toMatchObject({
        model_loaded: true,
        fallback_in_use: false,
        sha256_verified: true,
        error: null,
      });
      expect(typeof res.body[service].version).toBe('string');
    }
    // The policy service names what answers, as the committed manifest (and its report) chose it.
    expect(res.body.enhanced_cql_service.served_policy).toEqual(SERVED_POLICY);
  });

  it.each([
    ['a brand-new user', () => fresh],
    ['a user with ten weeks of history', () => active],
  ])('answers the recommendation for %s from the model, with confidence in [0, 1]', async (_label, who) => {
    const user = who();
    const res = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    expect(res.body).toMatchObject({ decision_source: SERVED_SOURCE, recommendation_id: res.body.id });
    expect(res.body.action_id).toBeGreaterThanOrEqual(0);
    expect(res.body.action_id).toBeLessThanOrEqual(4);
    expect(res.body.confidence).toBeGreaterThanOrEqual(0);
    expect(res.body.confidence).toBeLessThanOrEqual(1);
    expect(res.body.state_summary).toEqual(
      expect.objectContaining({
        current_balance: expect.any(Number),
        weekly_spending: expect.any(Number),
        category_spending: expect.any(Object),
      }),
    );
    const stored = await t.prisma.recommendationHistory.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(stored).toMatchObject({ userId: user.id, decisionSource: SERVED_SOURCE, segmentId: null, strategy: null });
    expectExactPropensity(stored, res.body.propensity);
    expect((stored.featureSnapshot as number[]).length).toBe(35);
  });

  it('reports the 7-day financial state with a health score', async () => {
    const res = await t.http().get('/coaching/financial-state').set(active.auth).expect(200);
    expect(res.body.weekly_income).toBe(900);
    expect(res.body.financial_health_score).toBeGreaterThanOrEqual(0);
    expect(res.body.financial_health_score).toBeLessThanOrEqual(100);
    const wallet = await t.prisma.wallet.findUniqueOrThrow({ where: { userId: active.id } });
    expect(res.body.current_balance).toBeCloseTo(Number(wallet.balance), 2);
  });

  /** A small spending row: the user's data changes, so the next recommendation is a new decision. */
  async function spend(user: TestUser, amount = -12.5) {
    await postTransaction(t, user, { amount, category: 'groceries', description: 'corner shop' });
  }

  it('gives the same recommendation again while the user’s data is unchanged, and decides afresh when it changes', async () => {
    const user = await registerUser(t);
    await spend(user);
    const concurrent = await Promise.all(
      [1, 2, 3, 4].map(() => t.http().get('/coaching/recommendation').set(user.auth).expect(200)),
    );
    const first = concurrent[0].body;
    for (const res of concurrent) expect(res.body).toEqual(first);
    const again = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    expect(again.body).toEqual(first);
    expect(await t.prisma.recommendationHistory.count({ where: { userId: user.id } })).toBe(1);

    await spend(user, -30);
    const changed = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    expect(changed.body.id).not.toBe(first.id);
    expect(changed.body.state_summary.weekly_spending).toBeCloseTo(first.state_summary.weekly_spending + 30, 2);
    expect(await t.prisma.recommendationHistory.count({ where: { userId: user.id } })).toBe(2);

    // An edit that moves no money (a new category) and a deletion are changes too.
    const [latest] = (await t.http().get('/financial/transactions?limit=1').set(user.auth).expect(200)).body;
    await t
      .http()
      .put(`/financial/transactions/${latest.id}`)
      .set(user.auth)
      .send({ category: 'dine_out' })
      .expect(200);
    const recategorised = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    expect(recategorised.body.id).not.toBe(changed.body.id);
    await t.http().delete(`/financial/transactions/${latest.id}`).set(user.auth).expect(200);
    const deleted = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    expect(deleted.body.id).not.toBe(recategorised.body.id);
    // So is a balance set without any transaction (an operator's correction straight in the database).
    await t.prisma.wallet.update({ where: { userId: user.id }, data: { balance: { increment: 100 } } });
    const corrected = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    expect(corrected.body.id).not.toBe(deleted.body.id);
    expect(corrected.body.state_summary.current_balance).toBeCloseTo(
      deleted.body.state_summary.current_balance + 100,
      2,
    );
    expect(await t.prisma.recommendationHistory.count({ where: { userId: user.id } })).toBe(5);
  });

  it('decides afresh on every request when reuse is switched off', async () => {
    const noReuse = await createTestApp({ RECOMMENDATION_REUSE: 'false' });
    try {
      const user = await registerUser(noReuse);
      const a = await noReuse.http().get('/coaching/recommendation').set(user.auth).expect(200);
      const b = await noReuse.http().get('/coaching/recommendation').set(user.auth).expect(200);
      expect(b.body.id).not.toBe(a.body.id);
      expect(await noReuse.prisma.recommendationHistory.count({ where: { userId: user.id } })).toBe(2);
    } finally {
      await noReuse.close();
    }
  });

  it('lists history newest first with paging, and refuses limit=0', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 3; i++) {
      await spend(user);
      await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    }
    const res = await t.http().get('/coaching/history?limit=2&offset=2').set(user.auth).expect(200);
    expect(res.body).toMatchObject({ total: 3, page: 2, limit: 2 });
    expect(res.body.recommendations).toHaveLength(1);
    const bad = await t.http().get('/coaching/history?limit=0').set(user.auth).expect(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'limit']);
  });

  it('takes feedback only on the user’s own recommendations and teaches the bandit once per recommendation', async () => {
    const rec = await t.http().get('/coaching/enhanced-recommendation').set(active.auth).expect(200);
    expect(rec.body.segment_info.segment_name).toEqual(expect.any(String));
    expect(rec.body.bandit.propensity).toBe(rec.body.propensity);
    const stored = await t.prisma.recommendationHistory.findUniqueOrThrow({ where: { id: rec.body.id } });
    expect(stored).toMatchObject({ segmentId: rec.body.segment_info.segment_id, strategy: rec.body.strategy });
    expect(stored.actionType).toBe(rec.body.strategy);
    expectExactPropensity(stored, rec.body.propensity);
    const arm = { segmentId: rec.body.segment_info.segment_id, arm: rec.body.strategy };
    const before = await t.prisma.banditArm.findUnique({ where: { segmentId_arm: arm } });

    const ok = await t
      .http()
      .post('/coaching/feedback')
      .set(active.auth)
      .send({ recommendation_id: rec.body.id, helpful: true, feedback_text: 'useful' })
      .expect(200);
    expect(ok.body.message).toBe('Feedback submitted successfully');
    const afterHelpful = await t.prisma.banditArm.findUniqueOrThrow({ where: { segmentId_arm: arm } });
    expect(afterHelpful.alpha).toBe((before?.alpha ?? 1) + 1);

    // Changing one's mind moves the count instead of adding a second one.
    await t
      .http()
      .post('/coaching/feedback')
      .set(active.auth)
      .send({ recommendation_id: rec.body.id, helpful: false })
      .expect(200);
    const afterChange = await t.prisma.banditArm.findUniqueOrThrow({ where: { segmentId_arm: arm } });
    expect(afterChange.alpha).toBe(before?.alpha ?? 1);
    expect(afterChange.beta).toBe((before?.beta ?? 1) + 1);
    expect(afterChange.pulls).toBe((before?.pulls ?? 0) + 1);

    await t
      .http()
      .post('/coaching/feedback')
      .set(fresh.auth)
      .send({ recommendation_id: rec.body.id, helpful: true })
      .expect(404);
    await t
      .http()
      .post('/coaching/feedback')
      .set(active.auth)
      .send({ recommendation_id: '00000000-0000-4000-8000-000000000000', helpful: true })
      .expect(404);
    const bad = await t
      .http()
      .post('/coaching/feedback')
      .set(active.auth)
      .send({ recommendation_id: 'test-id', helpful: 'yes' })
      .expect(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc[1]).sort()).toEqual(['helpful', 'recommendation_id']);
  });

  it('counts two concurrent feedbacks on one recommendation once', async () => {
    const user = await registerUser(t);
    // A context of its own, so no other test's feedback moves these arms.
    const before = await armCounts(901, 'savings_nudge');
    const rows = await insertBanditRecommendations(user.id, 901, 'savings_nudge', 3);
    for (const [i, id] of rows.entries()) {
      const [a, b] = await Promise.all(
        [true, i === 2 ? false : true].map((helpful) =>
          t.http().post('/coaching/feedback').set(user.auth).send({ recommendation_id: id, helpful }),
        ),
      );
      expect([a.status, b.status]).toEqual([200, 200]);
    }
    const arm = await armCounts(901, 'savings_nudge');
    // Three recommendations, three pulls, whatever the interleaving; the third's outcome is whichever came last.
    expect(arm.pulls - before.pulls).toBe(3);
    expect(arm.alpha + arm.beta - (before.alpha + before.beta)).toBe(3);
    const feedback = await t.prisma.recommendationFeedback.count({ where: { recommendationId: { in: rows } } });
    expect(feedback).toBe(3);
    await removeUsers(user);
  });

  it('teaches only the arm and context a recommendation was chosen in, never from plain recommendations', async () => {
    const user = await registerUser(t);
    await seedHistory(t, user.id, typicalHistory(), 500);
    const armsBefore = await t.prisma.banditArm.findMany({ orderBy: [{ segmentId: 'asc' }, { arm: 'asc' }] });
    const plain = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    await t
      .http()
      .post('/coaching/feedback')
      .set(user.auth)
      .send({ recommendation_id: plain.body.id, helpful: true })
      .expect(200);
    expect(await t.prisma.banditArm.findMany({ orderBy: [{ segmentId: 'asc' }, { arm: 'asc' }] })).toEqual(armsBefore);

    // Chosen in context 902 whatever the user's segment is today: feedback moves (902, arm) only.
    const [id] = await insertBanditRecommendations(user.id, 902, 'budget_suggestion', 1);
    await t.http().post('/coaching/feedback').set(user.auth).send({ recommendation_id: id, helpful: true }).expect(200);
    const after = await t.prisma.banditArm.findMany({ orderBy: [{ segmentId: 'asc' }, { arm: 'asc' }] });
    const changed = after.filter(
      (a) => !armsBefore.some((b) => b.segmentId === a.segmentId && b.arm === a.arm && b.alpha === a.alpha),
    );
    const was = armsBefore.find((b) => b.segmentId === 902 && b.arm === 'budget_suggestion');
    expect(changed.map((a) => [a.segmentId, a.arm, a.alpha, a.pulls])).toEqual([
      [902, 'budget_suggestion', (was?.alpha ?? 1) + 1, (was?.pulls ?? 0) + 1],
    ]);
    await removeUsers(user);
  });

  it('caps one user’s weight on a shared arm', async () => {
    const heavy = await registerUser(t);
    const other = await registerUser(t);
    const before = await armCounts(903, 'spending_alert');
    const heavyRows = await insertBanditRecommendations(heavy.id, 903, 'spending_alert', USER_OUTCOMES_PER_ARM + 3);
    for (const id of heavyRows)
      await t
        .http()
        .post('/coaching/feedback')
        .set(heavy.auth)
        .send({ recommendation_id: id, helpful: true })
        .expect(200);
    const [otherRow] = await insertBanditRecommendations(other.id, 903, 'spending_alert', 1);
    await t
      .http()
      .post('/coaching/feedback')
      .set(other.auth)
      .send({ recommendation_id: otherRow, helpful: true })
      .expect(200);
    const arm = await armCounts(903, 'spending_alert');
    expect(arm).toEqual({
      pulls: before.pulls + USER_OUTCOMES_PER_ARM + 1,
      alpha: before.alpha + USER_OUTCOMES_PER_ARM + 1,
      beta: before.beta,
    });
    const counted = await t.prisma.recommendationHistory.count({
      where: { id: { in: heavyRows }, banditCounted: true },
    });
    expect(counted).toBe(USER_OUTCOMES_PER_ARM);
    // Every feedback is still stored; only its weight on the shared arm is capped.
    expect(await t.prisma.recommendationFeedback.count({ where: { recommendationId: { in: heavyRows } } })).toBe(
      heavyRows.length,
    );
    await removeUsers(heavy, other);
  });

  it('refuses to store a recommendation without an exact propensity', async () => {
    await expect(
      t.prisma.recommendationHistory.create({
        data: {
          userId: active.id,
          recommendationText: 'x',
          actionId: 0,
          actionType: 'continue_current_behavior',
          confidenceScore: 0.5,
        },
      }),
    ).rejects.toThrow(/propensity_check/);
  });

  it('segments users with the model, persists the segment and compares peers only in aggregate', async () => {
    const seg = await t.http().post('/coaching/refresh-segment').set(active.auth).expect(200);
    expect(seg.body.segment_info).toMatchObject({ decision_source: 'model', segment_id: expect.any(Number) });
    const stored = await t.prisma.userSegment.findUniqueOrThrow({ where: { userId: active.id } });
    expect(stored.segmentId).toBe(seg.body.segment_info.segment_id);

    const none = await t.http().get('/coaching/segment-comparison').set(active.auth).expect(200);
    expect(none.body.peers).toEqual([]);

    // Five more users with the same history end up in the same segment: aggregates appear, identities never.
    for (let i = 0; i < 5; i++) {
      const peer = await registerUser(t);
      await seedHistory(t, peer.id, typicalHistory(), 1000 + i * 100);
      await t.http().post('/coaching/refresh-segment').set(peer.auth).expect(200);
    }
    const cmp = await t.http().get('/coaching/segment-comparison').set(active.auth).expect(200);
    expect(cmp.body.peer_count).toBeGreaterThanOrEqual(5);
    expect(cmp.body.peer_averages).toEqual(
      expect.objectContaining({ current_balance: expect.any(Number), savings_rate: expect.any(Number) }),
    );
    expect(JSON.stringify(cmp.body)).not.toMatch(/user_id/);
    const insights = await t.http().get('/coaching/segment-insights').set(active.auth).expect(200);
    expect(insights.body.segment_info.segment_id).toBe(stored.segmentId);
  });

  it('forecasts next week per category from the forecaster, caches it, and drops the cache when a transaction arrives', async () => {
    const first = await t.http().get('/coaching/spending-prediction').set(active.auth).expect(200);
    expect(first.body).toMatchObject({ decision_source: 'model', prediction_period: 'weekly', cached: false });
    expect(Object.keys(first.body.category_breakdown)).toHaveLength(11);
    expect(first.body.total_predicted_spending).toBeGreaterThan(0);
    const second = await t.http().get('/coaching/spending-prediction').set(active.auth).expect(200);
    expect(second.body.cached).toBe(true);
    expect(second.body.total_predicted_spending).toBe(first.body.total_predicted_spending);

    await seedHistory(t, active.id, [{ daysAgo: 0, amount: -12.5, category: 'groceries' }], 0);
    const third = await t.http().get('/coaching/spending-prediction').set(active.auth).expect(200);
    expect(third.body.cached).toBe(false);
  });

  it('computes a cached answer again once time alone has made its history stale', async () => {
    const user = await registerUser(t);
    await seedHistory(t, user.id, [{ daysAgo: 1, amount: -30, category: 'groceries' }], 500);
    const get = () => t.http().get('/coaching/spending-prediction').set(user.auth).expect(200);
    expect((await get()).body).toMatchObject({ cached: false, history_stale: false });
    expect((await get()).body.cached).toBe(true);
    // As if the answer had been stored when the last transaction was 45 days old and a day had passed since.
    await t.prisma.pool.query(
      `UPDATE prediction_cache
          SET prediction_data = jsonb_set(prediction_data, '{value,history_through}', to_jsonb($2::text))
        WHERE user_id = $1::uuid AND cache_key = 'spending'`,
      [user.id, new Date(Date.now() - 46 * 86_400_000).toISOString()],
    );
    expect((await get()).body).toMatchObject({ cached: false, history_stale: false });
    expect((await get()).body.cached).toBe(true);
  });

  it('answers goal probability from the classifier and validates the goal', async () => {
    const res = await t
      .http()
      .post('/coaching/goal-probability')
      .set(active.auth)
      .send({ goal_amount: 1000, timeline_days: 90 })
      .expect(200);
    expect(res.body).toMatchObject({ goal_amount: 1000, timeline_days: 90, decision_source: 'model' });
    expect(res.body.achievement_probability).toBeGreaterThanOrEqual(0);
    expect(res.body.achievement_probability).toBeLessThanOrEqual(1);
    const harder = await t
      .http()
      .post('/coaching/goal-probability')
      .set(active.auth)
      .send({ goal_amount: 1_000_000, timeline_days: 30 })
      .expect(200);
    expect(harder.body.achievement_probability).toBeLessThan(res.body.achievement_probability);
    const bad = await t
      .http()
      .post('/coaching/goal-probability')
      .set(active.auth)
      .send({ goal_amount: 0, timeline_days: 0 })
      .expect(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['goal_amount', 'timeline_days']);
  });

  it('keeps at most PREDICTION_CACHE_MAX_PER_USER cached predictions per user, the newest ones', async () => {
    const user = await registerUser(t);
    await seedHistory(t, user.id, typicalHistory(), 1000);
    const max = t.config.ml.predictionCacheMaxPerUser;
    for (let i = 1; i <= max + 3; i++) {
      await t
        .http()
        .post('/coaching/goal-probability')
        .set(user.auth)
        .send({ goal_amount: 100 * i, timeline_days: 90 })
        .expect(200);
    }
    const keys = (await t.prisma.predictionCache.findMany({ where: { userId: user.id } })).map((r) => r.cacheKey);
    expect(keys).toHaveLength(max);
    expect(keys).toContain(`goal:${(100 * (max + 3)).toFixed(2)}:90`);
    expect(keys).not.toContain('goal:100.00:90');
    // The newest entry still answers from the cache.
    const again = await t
      .http()
      .post('/coaching/goal-probability')
      .set(user.auth)
      .send({ goal_amount: 100 * (max + 3), timeline_days: 90 })
      .expect(200);
    expect(again.body.cached).toBe(true);
  });

  it('projects the balance', async () => {
    const res = await t.http().get('/coaching/financial-forecast?days=14').set(active.auth).expect(200);
    expect(res.body).toMatchObject({ projection_days: 14, spending_prediction: expect.any(Object) });
    expect(res.body.projected_balance).toBeCloseTo(res.body.current_balance + (res.body.weekly_net * 14) / 7, 1);
    await t.http().get('/coaching/financial-forecast?days=-1').set(active.auth).expect(422);
  });

  it('shows anonymous callers of enhanced-health the statuses only', async () => {
    const res = await t.http().get('/coaching/enhanced-health').expect(200);
    expect(res.body).toMatchObject({ overall_status: 'healthy', database: { status: 'up' } });
    for (const [key, value] of Object.entries(res.body)) {
      if (key === 'overall_status' || key === 'last_check') continue;
      expect(Object.keys(value as object)).toEqual(['status']);
    }
    expect(JSON.stringify(res.body)).not.toMatch(/@|\.onnx|sha256|error/);
  });

  it('runs no inference per anonymous /coaching/health call', async () => {
    const admin = await registerAdmin(t);
    const inferences = async () =>
      (await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200)).body.enhanced_cql_service
        .inferences as number;
    await t.http().get('/coaching/health').expect(200);
    const before = await inferences();
    for (let i = 0; i < 5; i++) await t.http().get('/coaching/health').expect(200);
    expect(await inferences()).toBe(before);
  });

  it('keeps public what was public and everything else behind a token', async () => {
    await t.http().get('/coaching/actions').expect(200);
    const info = await t.http().get('/coaching/model-info').expect(200);
    expect(info.body).toMatchObject({ model_loaded: true, state_dimensions: 35, action_dimensions: 5 });
    const health = await t.http().get('/coaching/health').expect(200);
    expect(health.body).toMatchObject({ status: 'healthy', inference_test: 'passed', output_shape: [1, 5] });
    for (const path of [
      '/coaching/recommendation',
      '/coaching/financial-state',
      '/coaching/history',
      '/coaching/user-segment',
      '/coaching/spending-prediction',
    ]) {
      await t.http().get(path).expect(401);
    }
  });
});

describe('coaching (e2e, models missing or broken)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    // A models folder whose policy file is corrupted and whose LSTM is missing.
    const dir = mkdtempSync(path.join(tmpdir(), 'fincoach-models-'));
    const manifest = JSON.parse(readFileSync(path.join('models', 'manifest.json'), 'utf8'));
    for (const name of MODEL_NAMES)
      copyFileSync(path.join('models', manifest.models[name].file), path.join(dir, manifest.models[name].file));
    writeFileSync(path.join(dir, manifest.models.policy.file), Buffer.from('not an onnx model'));
    // The model is meant to serve here (whatever training chose), so its failure shows as the fallback.
    manifest.models.policy.served_policy = { name: 'cql', kind: 'model', reason: 'test' };
    manifest.models.spending_forecast.file = 'gone.onnx';
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    t = await createTestApp({ MODELS_DIR: dir, MODEL_SYNC_INTERVAL_SECONDS: '0' });
    user = await registerUser(t);
    await seedHistory(t, user.id, typicalHistory(3));
  });
  afterAll(async () => t.close());

  it('says which models fell back and why (to admins)', async () => {
    const admin = await registerAdmin(t);
    const res = await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
    expect(res.body.overall_status).toBe('degraded');
    expect(res.body.enhanced_cql_service).toMatchObject({
      model_loaded: false,
      fallback_in_use: true,
      state: 'invalid',
    });
    expect(res.body.enhanced_cql_service.error).toMatch(/sha256 mismatch/);
    expect(res.body.spending_prediction_service).toMatchObject({ state: 'missing', fallback_in_use: true });
    expect(res.body.segmentation_service).toMatchObject({ model_loaded: true, fallback_in_use: false });
  });

  it('still answers, from the documented rules, and says so', async () => {
    const rec = await t.http().get('/coaching/recommendation').set(user.auth).expect(200);
    expect(rec.body.decision_source).toBe('fallback');
    expect(rec.body.model_version).toBeNull();
    const enhanced = await t.http().get('/coaching/enhanced-recommendation').set(user.auth).expect(200);
    expect(enhanced.body.decision_source).toBe('fallback');
    const prediction = await t.http().get('/coaching/spending-prediction').set(user.auth).expect(200);
    // The baseline the manifest names for the forecaster answers, and says it is a fallback.
    expect(prediction.body).toMatchObject({ decision_source: 'fallback', model_version: null });
    expect(prediction.body.method).not.toBe('linear_model');
    const health = await t.http().get('/coaching/health').expect(200);
    expect(health.body).toMatchObject({ status: 'degraded', model_loaded: false, fallback_available: true });
    expect(health.body.error).toBeUndefined();
    const admin = await registerAdmin(t);
    const detailed = await t.http().get('/coaching/health').set(admin.auth).expect(200);
    expect(detailed.body.error).toMatch(/sha256 mismatch/);
  });

  it('falls back for every model when the manifest itself is unreadable', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'fincoach-nomodels-'));
    const bare = await createTestApp({ MODELS_DIR: empty, MODEL_SYNC_INTERVAL_SECONDS: '0' });
    try {
      const admin = await registerAdmin(bare);
      const res = await bare.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
      expect(res.body.manifest.error).toMatch(/manifest unreadable/);
      const someone = await registerUser(bare);
      const goal = await bare
        .http()
        .post('/coaching/goal-probability')
        .set(someone.auth)
        .send({ goal_amount: 500, timeline_days: 60 })
        .expect(200);
      expect(goal.body.decision_source).toBe('fallback');
    } finally {
      await bare.close();
    }
  });
});

describe('behavioural finance under /financial (e2e)', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
    await seedHistory(t, user.id, typicalHistory(6));
  });
  afterAll(async () => t.close());

  it('spending patterns combine behaviour and spending for N days', async () => {
    const res = await t.http().get('/financial/spending-patterns?days=30').set(user.auth).expect(200);
    expect(res.body.period_days).toBe(30);
    expect(res.body.spending_analytics.find((s: { category: string }) => s.category === 'groceries')).toMatchObject({
      total_amount: expect.any(Number),
      transaction_count: expect.any(Number),
    });
    await t.http().get('/financial/spending-patterns?days=abc').set(user.auth).expect(422);
  });

  it('category preferences answer (the original failed whenever there was spending)', async () => {
    const res = await t.http().get('/financial/category-preferences').set(user.auth).expect(200);
    expect(res.body.top_category).toEqual(expect.any(String));
    const top = res.body.category_preferences[0];
    expect(top.average_amount).toBeCloseTo(top.total_amount / top.transaction_count, 2);
  });

  it('financial personality answers with traits and metrics (the original always failed)', async () => {
    const res = await t.http().get('/financial/financial-personality').set(user.auth).expect(200);
    expect(res.body.personality_traits.length).toBeGreaterThanOrEqual(1);
    expect(res.body.segment_info.segment_name).toEqual(expect.any(String));
    expect(Object.keys(res.body.financial_metrics)).toEqual([
      'spending_volatility',
      'impulse_buying_score',
      'category_diversity',
      'savings_rate',
      'financial_stress_indicator',
    ]);
  });

  it('peer comparison says when there are too few peers', async () => {
    const lonely = await registerUser(t);
    const segment = await t.http().get('/coaching/user-segment').set(lonely.auth).expect(200);
    // Other files' users share this database: leave the new user alone in its segment (stored
    // segments are recomputed on their owners' next read).
    await t.prisma.userSegment.deleteMany({
      where: { segmentId: segment.body.segment_id, userId: { not: lonely.id } },
    });
    const res = await t.http().get('/financial/peer-comparison').set(lonely.auth).expect(200);
    expect(res.body).toMatchObject({ message: 'No peer data available for comparison', comparison: null });
  });
});

describe('coaching (e2e, a simple policy served by choice)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    // The models folder as shipped, but with training's choice set to the constant "savings_nudge".
    const dir = mkdtempSync(path.join(tmpdir(), 'fincoach-baseline-'));
    const manifest = JSON.parse(readFileSync(path.join('models', 'manifest.json'), 'utf8'));
    for (const name of MODEL_NAMES)
      copyFileSync(path.join('models', manifest.models[name].file), path.join(dir, manifest.models[name].file));
    manifest.models.policy.served_policy = {
      name: 'always_nudge',
      kind: 'constant',
      action: 3,
      reason: 'CQL did not beat the simple policies (test)',
    };
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    t = await createTestApp({ MODELS_DIR: dir, MODEL_SYNC_INTERVAL_SECONDS: '0' });
    user = await registerUser(t);
    await seedHistory(t, user.id, typicalHistory());
  });
  afterAll(async () => t.close());

  it('serves the chosen constant on both routes, says so, and still explores with exact propensities', async () => {
    const admin = await registerAdmin(t);
    const health = await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
    expect(health.body.enhanced_cql_service.served_policy).toMatchObject({ name: 'always_nudge', kind: 'constant' });
    const info = await t.http().get('/coaching/model-info').expect(200);
    expect(info.body.decision_source).toBe('baseline');
    for (const route of ['/coaching/recommendation', '/coaching/enhanced-recommendation']) {
      const res = await t.http().get(route).set(user.auth).expect(200);
      expect(res.body.decision_source).toBe('baseline');
      const stored = await t.prisma.recommendationHistory.findUniqueOrThrow({ where: { id: res.body.id } });
      const probabilities = stored.actionProbabilities as number[];
      // The constant's action holds the rest of the mass; every other action keeps the floor or more.
      expect(probabilities[3]).toBe(Math.max(...probabilities));
      expect(probabilities[3]).toBeGreaterThan(0.7);
      expectExactPropensity(stored, res.body.propensity);
    }
  });
});
