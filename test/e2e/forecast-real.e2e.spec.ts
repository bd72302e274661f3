import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { importedTransactions } from '../../scripts/ml/real-data';
import { historyAt, servedHistoryAt, spendingAfter } from '../../scripts/ml/real-episodes';
import type { FeatureTransaction } from '../../src/ml/features/extract-features';
import { goalModelFeatures } from '../../src/ml/features/goal-history-features';
import { forecastBaselines } from '../../src/ml/features/spending-history';
import { ModelRegistry } from '../../src/ml/model-registry';
import { GoalModel } from '../../src/ml/models/goal.model';
import { SpendingForecastModel } from '../../src/ml/models/spending-forecast.model';
import { uploadStatement } from '../helpers/statements';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';
import { postTransaction } from '../helpers/transactions';

// A real berka account (held out from training; built by scripts/ml/build-real-fixture.ts),
// imported through the API exactly as a user would, then asked for forecasts as of a past Monday.
const FIXTURE = path.join(__dirname, '../fixtures/real/berka-1726.asc');
const ORIGINS = ['1993-11-01', '1993-12-06', '1994-01-03', '1994-02-07'];
const MODELS_DIR = path.resolve(__dirname, '../../models');
const SERVE = JSON.parse(readFileSync(path.join(MODELS_DIR, 'manifest.json'), 'utf8')).models.spending_forecast
  .serve as Record<string, string>;

describe('forecasts on an imported real history (e2e)', () => {
  let t: TestApp;
  let u: TestUser;
  const csv = readFileSync(FIXTURE);
  let transactions: FeatureTransaction[];

  beforeAll(async () => {
    transactions = await importedTransactions(csv);
    t = await createTestApp();
    u = await registerUser(t);
    await uploadStatement(t, u, csv, 'berka-1726.asc', '', { contentType: 'text/plain' }).expect(200);
  });
  afterAll(async () => t.close());

  it.each(ORIGINS)(
    'serves, as of %s, exactly what the evaluation computes for that origin, summing its categories',
    async (day) => {
      const origin = new Date(`${day}T00:00:00Z`);
      const res = await t
        .http()
        .get(`/coaching/spending-prediction?as_of=${origin.toISOString()}`)
        .set(u.auth)
        .expect(200);
      const offline = await new SpendingForecastModel(t.app.get(ModelRegistry)).forecast(
        servedHistoryAt(transactions, origin),
      );
      expect(res.body.total_predicted_spending).toBeCloseTo(offline[7].total, 2);
      expect(res.body.next_28_days.total_predicted_spending).toBeCloseTo(offline[28].total, 2);
      expect(res.body.decision_source).toBe(offline[7].source);
      // What the manifest chose on validation, not a fallback (a model that failed to load would also
      // agree with the offline wrapper above, both reading the same registry).
      expect(res.body.decision_source).toBe(SERVE['7'] === 'model' ? 'model' : 'baseline');
      expect(res.body.next_28_days.decision_source).toBe(SERVE['28'] === 'model' ? 'model' : 'baseline');
      const parts = Object.values(res.body.category_breakdown as Record<string, number>);
      expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(res.body.total_predicted_spending, 2);
      expect(res.body.total_predicted_spending).toBeGreaterThan(0);
    },
  );

  it('over the test origins, the 28-day forecast is right on average (|bias| ≤ 25% of actual spending)', async () => {
    // One account and four origins: a loose check of the spirit of the ±10% target, which the
    // evaluation measures over all held-out accounts.
    let forecast = 0;
    let actual = 0;
    for (const day of ORIGINS) {
      const origin = new Date(`${day}T00:00:00Z`);
      const res = await t.http().get(`/coaching/spending-prediction?as_of=${origin.toISOString()}`).set(u.auth);
      forecast += res.body.next_28_days.total_predicted_spending;
      actual += spendingAfter(transactions, origin, 28);
    }
    expect(Math.abs(forecast - actual)).toBeLessThanOrEqual(0.25 * actual);
  });

  it('the 90-day balance forecast sums the served expected spending', async () => {
    const asOf = new Date('1994-01-03T00:00:00Z').toISOString();
    const spending = (await t.http().get(`/coaching/spending-prediction?as_of=${asOf}`).set(u.auth)).body;
    const res = await t.http().get(`/coaching/financial-forecast?days=90&as_of=${asOf}`).set(u.auth).expect(200);
    expect(res.body.expected_spending).toBeCloseTo((spending.next_28_days.total_predicted_spending * 90) / 28, 1);
    expect(res.body.projected_balance).toBeCloseTo(
      res.body.current_balance + res.body.expected_income - res.body.expected_spending,
      1,
    );
    expect(res.body.decision_source).toBe(spending.next_28_days.decision_source);
  });

  it('serves the goal probability the evaluation computes, from the model', async () => {
    const origin = new Date('1993-11-01T00:00:00Z');
    const body = { goal_amount: 5000, timeline_days: 60 };
    const res = await t
      .http()
      .post(`/coaching/goal-probability?as_of=${origin.toISOString()}`)
      .set(u.auth)
      .send(body)
      .expect(200);
    const h = historyAt(transactions, origin);
    const offline = await new GoalModel(t.app.get(ModelRegistry)).predict(
      goalModelFeatures(h, body.goal_amount, body.timeline_days),
      {} as never,
      body.goal_amount,
      body.timeline_days,
    );
    expect(res.body.decision_source).toBe('model');
    expect(res.body.achievement_probability).toBeCloseTo(offline.probability, 4);
  });

  it('reads a history that stopped long ago from its last day, not as weeks without spending, and says so (forecasts, goals, advice)', async () => {
    // The fixture's last rows are dated 1994-03-31: asked today, the history has been silent for decades.
    const lastDay = new Date('1994-03-31T00:00:00Z');
    const endOfLastDay = new Date('1994-04-01T00:00:00Z').toISOString();
    const now = await t.http().get('/coaching/spending-prediction').set(u.auth).expect(200);
    expect(now.body).toMatchObject({ history_stale: true });
    expect(new Date(now.body.history_through).toISOString().slice(0, 10)).toBe(lastDay.toISOString().slice(0, 10));
    const fromLastDay = await t
      .http()
      .get(`/coaching/spending-prediction?as_of=${endOfLastDay}`)
      .set(u.auth)
      .expect(200);
    expect(fromLastDay.body.history_stale).toBe(false);
    expect(now.body.total_predicted_spending).toBeGreaterThan(0);
    expect(now.body.total_predicted_spending).toBeCloseTo(fromLastDay.body.total_predicted_spending, 2);
    expect(now.body.next_28_days.total_predicted_spending).toBeCloseTo(
      fromLastDay.body.next_28_days.total_predicted_spending,
      2,
    );
    const offline = await new SpendingForecastModel(t.app.get(ModelRegistry)).forecast(
      servedHistoryAt(transactions, new Date()),
    );
    expect(now.body.total_predicted_spending).toBeCloseTo(offline[7].total, 2);

    const forecast = await t.http().get('/coaching/financial-forecast?days=90').set(u.auth).expect(200);
    expect(forecast.body).toMatchObject({ history_stale: true, history_through: now.body.history_through });
    expect(forecast.body.expected_spending).toBeCloseTo((now.body.next_28_days.total_predicted_spending * 90) / 28, 1);
    const [goal, goalFromLastDay] = await Promise.all(
      ['', `?as_of=${endOfLastDay}`].map((query) =>
        t
          .http()
          .post(`/coaching/goal-probability${query}`)
          .set(u.auth)
          .send({ goal_amount: 5000, timeline_days: 60 })
          .expect(200),
      ),
    );
    expect(goal.body.history_stale).toBe(true);
    expect(goal.body.achievement_probability).toBeCloseTo(goalFromLastDay.body.achievement_probability, 6);

    // Advice too describes the history's last days (the fixture's last week has a withdrawal, interest and a fee).
    const advice = await t.http().get('/coaching/recommendation').set(u.auth).expect(200);
    expect(advice.body).toMatchObject({ history_stale: true, history_through: now.body.history_through });
    expect(advice.body.state_summary.transaction_count).toBeGreaterThan(0);
    expect(advice.body.state_summary.weekly_spending).toBeGreaterThan(0);
    expect(advice.body.recommendation).toContain('last days of your history');
    const state = await t.http().get('/coaching/financial-state').set(u.auth).expect(200);
    expect(state.body).toMatchObject({
      history_stale: true,
      weekly_spending: advice.body.state_summary.weekly_spending,
    });

    // A history with a transaction this month is read as it stands.
    const active = await registerUser(t);
    await postTransaction(t, active, { amount: -20, category: 'groceries', description: 'shop' });
    const fresh = await t.http().get('/coaching/spending-prediction').set(active.auth).expect(200);
    expect(fresh.body.history_stale).toBe(false);
    const freshAdvice = await t.http().get('/coaching/recommendation').set(active.auth).expect(200);
    expect(freshAdvice.body).toMatchObject({ history_stale: false });
    expect(freshAdvice.body.recommendation).not.toContain('last days of your history');
    expect(fresh.body.history_through).not.toBeNull();
  });

  it('refuses an as_of that is not a date-time, naming the field', async () => {
    const res = await t.http().get('/coaching/spending-prediction?as_of=yesterday').set(u.auth).expect(422);
    expect(JSON.stringify(res.body)).toContain('as_of');
  });
});

describe('decision_source when the model did not beat its baseline (e2e)', () => {
  let t: TestApp;
  let u: TestUser;
  let dir: string;
  const csv = readFileSync(FIXTURE);
  let transactions: FeatureTransaction[];

  beforeAll(async () => {
    transactions = await importedTransactions(csv);
    // The same models, but a manifest saying the forecaster lost to its baselines and the goal
    // model to the base rate: the server must serve the baselines and say so.
    dir = mkdtempSync(path.join(tmpdir(), 'fincoach-models-'));
    for (const file of readdirSync(MODELS_DIR).filter((f) => f.endsWith('.onnx') || f === 'manifest.json'))
      copyFileSync(path.join(MODELS_DIR, file), path.join(dir, file));
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    manifest.models.spending_forecast.serve = { 7: 'baseline', 28: 'baseline' };
    manifest.models.spending_forecast.baseline = { 7: 'mean_8w', 28: 'last_28_days' };
    manifest.models.goal.serve = 'baseline';
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    t = await createTestApp({ MODELS_DIR: dir });
    u = await registerUser(t);
    await uploadStatement(t, u, csv, 'berka-1726.asc', '', { contentType: 'text/plain' }).expect(200);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the named baselines with decision_source "baseline"', async () => {
    const origin = new Date('1994-01-03T00:00:00Z');
    const res = await t
      .http()
      .get(`/coaching/spending-prediction?as_of=${origin.toISOString()}`)
      .set(u.auth)
      .expect(200);
    const h = historyAt(transactions, origin);
    expect(res.body).toMatchObject({ decision_source: 'baseline', method: 'mean_8w', model_version: null });
    expect(res.body.total_predicted_spending).toBeCloseTo(forecastBaselines(h, 7).mean_8w, 2);
    expect(res.body.next_28_days).toMatchObject({ decision_source: 'baseline', method: 'last_28_days' });
    expect(res.body.next_28_days.total_predicted_spending).toBeCloseTo(forecastBaselines(h, 28).last_28_days, 2);
  });

  it('serves the base rate for goals with decision_source "baseline"', async () => {
    const res = await t
      .http()
      .post(`/coaching/goal-probability?as_of=${new Date('1993-11-01T00:00:00Z').toISOString()}`)
      .set(u.auth)
      .send({ goal_amount: 5000, timeline_days: 60 })
      .expect(200);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(res.body.decision_source).toBe('baseline');
    expect(res.body.achievement_probability).toBeCloseTo(manifest.models.goal.base_rate, 4);
  });

  it('enhanced-health says which answer each judged model gives', async () => {
    // The details (decision_source among them) are shown to admins.
    const admin = await registerAdmin(t);
    const res = await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
    expect(res.body.spending_prediction_service.decision_source).toEqual({
      '7_days': { decision_source: 'baseline', baseline: 'mean_8w' },
      '28_days': { decision_source: 'baseline', baseline: 'last_28_days' },
    });
    expect(res.body.goal_prediction_service.decision_source).toBe('baseline');
  });
});
