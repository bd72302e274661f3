import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ModelRegistry } from '../../src/ml/model-registry';
import { ModelVersionsRepository } from '../../src/ml/model-versions.repository';
import { ModelVersionsService } from '../../src/ml/model-versions.service';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';

/**
 * The retraining job end to end through the admin trigger: export of consenting users (a real
 * berka history imported through the API), the real pipeline (examples through the server's
 * feature code, real_models.py training), evaluation of champion and challenger on the same
 * held-out real users, and promotion only of a challenger better beyond noise.
 * Public real data: MoneyVis and the 30-account berka fixture. Lives beside the training smoke test
 * (runs once, not again on Node 24) because it runs the Python pipeline.
 */
const ROOT = path.resolve(__dirname, '../..');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const describeIfPython = hasPython ? describe : describe.skip;
const STATEMENT = readFileSync(path.join(ROOT, 'test/fixtures/real/berka-1726.asc'));
const MINUTES = 60_000;

interface Candidate {
  version: string;
  status: string;
  is_active: boolean;
  metrics: Record<string, unknown>;
  training_data: Record<string, unknown>;
  decision: { promote: boolean; reason: string; units: number; interval: [number, number]; champion_version: string };
}

describeIfPython('retraining from real data: champion/challenger (e2e, real pipeline)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fincoach-retrain-data-'));
  let t: TestApp;
  let worse: TestApp;
  let admin: TestUser;
  let consenting: TestUser;
  let other: TestUser;
  const savedDataDir = process.env.REAL_DATA_DIR;
  let activeGoal: string;

  beforeAll(async () => {
    mkdirSync(path.join(dataDir, 'moneyvis'));
    mkdirSync(path.join(dataDir, 'berka'));
    copyFileSync(
      path.join(ROOT, 'data/moneyvis/transactions_categorized.csv'),
      path.join(dataDir, 'moneyvis/transactions_categorized.csv'),
    );
    copyFileSync(path.join(ROOT, 'test/fixtures/berka/accounts-sample.asc'), path.join(dataDir, 'berka/trans.asc'));
    process.env.REAL_DATA_DIR = dataDir; // read by the pipeline the job spawns
    t = await createTestApp({
      MODEL_SYNC_INTERVAL_SECONDS: '0',
      RETRAIN_PIPELINE: 'bash models/training/retrain-real.sh',
    });
    worse = await createTestApp({
      MODEL_SYNC_INTERVAL_SECONDS: '0',
      RETRAIN_PIPELINE: 'bash test/fixtures/retraining/worse-challenger.sh',
    });
    activeGoal = (await t.prisma.modelVersion.findFirstOrThrow({ where: { modelType: 'goal', isActive: true } }))
      .version;
    admin = await registerAdmin(t);
    consenting = await registerUser(t);
    other = await registerUser(t);
    for (const u of [consenting, other])
      await t
        .http()
        .post('/financial/import')
        .set(u.auth)
        .attach('file', STATEMENT, { filename: 'berka-1726.asc', contentType: 'text/plain' })
        .expect(200);
  }, 2 * MINUTES);

  afterAll(async () => {
    // The database is shared with the other suites: the goal model they expect is served again, and
    // consenting users' data (which would make their retraining checks ready) is taken away.
    await t.app.get(ModelVersionsService).promote('goal', activeGoal);
    await t.prisma.user.deleteMany({ where: { id: { in: [consenting.id, other.id] } } });
    await t.close();
    await worse.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (savedDataDir === undefined) delete process.env.REAL_DATA_DIR;
    else process.env.REAL_DATA_DIR = savedDataDir;
  });

  /** Triggers a goal retraining on `app` and waits for its training event to finish. */
  async function retrainGoal(app: TestApp) {
    const res = await app
      .http()
      .post('/coaching/continuous-learning/trigger-training/goal')
      .set(admin.auth)
      .send({ priority: 2 })
      .expect(202);
    expect(res.body).toMatchObject({ status: 'in_progress', priority: 2, queue_position: 0 });
    for (;;) {
      const v = await app
        .http()
        .get(`/coaching/continuous-learning/validation-results/${res.body.job_id}`)
        .set(admin.auth)
        .expect(200);
      if (v.body.training_event.status !== 'in_progress') return v.body;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  it('training consent is off by default and set by the user through the API', async () => {
    expect((await t.http().get('/auth/profile').set(consenting.auth).expect(200)).body.training_consent).toBe(false);
    const res = await t.http().put('/auth/profile').set(consenting.auth).send({ training_consent: true }).expect(200);
    expect(res.body.profile.training_consent).toBe(true);
    const bad = await t.http().put('/auth/profile').set(other.auth).send({ training_consent: 'yes' }).expect(422);
    expect(JSON.stringify(bad.body)).toMatch(/training_consent/);
    // Recommendations with their propensities and an outcome, for the export.
    const rec = await t.http().get('/coaching/recommendation').set(consenting.auth).expect(200);
    await t
      .http()
      .post('/coaching/feedback')
      .set(consenting.auth)
      .send({ recommendation_id: rec.body.id, helpful: true })
      .expect(200);
    await t.http().get('/coaching/recommendation').set(other.auth).expect(200);
  });

  it(
    'promotes a challenger better beyond noise than the served goal model, recording data, metrics and decision',
    async () => {
      // The served champion: the bundled goal graph made to serve a constant 0.8, a poor forecaster of real goals.
      const registry = t.app.get(ModelRegistry);
      const bundled = registry.bundledEntry('goal')!;
      const weak = `weak-${Date.now()}`;
      await t.app.get(ModelVersionsRepository).recordCandidate(
        {
          modelType: 'goal',
          version: weak,
          sha256: bundled.sha256,
          entry: { ...bundled, serve: 'baseline', base_rate: 0.8 },
          artifact: new Uint8Array(readFileSync(path.join(registry.modelsDir, bundled.file))),
        },
        'candidate',
        { reason: 'test champion' },
      );
      await t.app.get(ModelVersionsService).promote('goal', weak);

      const result = await retrainGoal(t);
      expect(result.training_event).toMatchObject({ status: 'completed', deployment_approved: true });
      expect(result.candidates).toHaveLength(1);
      const c = result.candidates[0] as Candidate;
      expect(c).toMatchObject({
        status: 'active',
        is_active: true,
        decision: { promote: true, champion_version: weak },
      });
      expect(c.decision.units).toBeGreaterThanOrEqual(10);
      expect(c.decision.interval[0]).toBeGreaterThan(0);
      expect(c.metrics).toHaveProperty('validation_brier');
      // Exactly the consenting users were exported (other suites share this database and may have
      // consenting users of their own), with every one of their rows and recommendations.
      const consentingIds = (
        await t.prisma.userProfile.findMany({
          where: { trainingConsent: true, user: { isActive: true } },
          select: { userId: true },
        })
      ).map((p) => p.userId);
      expect(consentingIds).toContain(consenting.id);
      expect(consentingIds).not.toContain(other.id);
      const ofConsenting = { userId: { in: consentingIds } };
      const rows = await t.prisma.transaction.count({ where: ofConsenting });
      const recs = await t.prisma.recommendationHistory.count({ where: ofConsenting });
      const withOutcome = await t.prisma.recommendationHistory.count({
        where: { ...ofConsenting, OR: [{ reward: { not: null } }, { feedback: { some: {} } }] },
      });
      expect(c.training_data).toMatchObject({
        consenting_users: consentingIds.length,
        transactions: rows,
        recommendations: recs,
        recommendations_with_propensity: recs,
        recommendations_with_outcome: withOutcome,
        export_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        examples: { datasets: ['moneyvis', 'berka', 'fincoach'], system_accounts: consentingIds.length },
      });
      expect(registry.status('goal').version).toBe(c.version);
      const goal = await t
        .http()
        .post('/coaching/goal-probability')
        .set(consenting.auth)
        .send({ goal_amount: 500, timeline_days: 60 });
      expect(goal.status).toBe(200);
    },
    5 * MINUTES,
  );

  it(
    'refuses a worse challenger and keeps serving the champion',
    async () => {
      await worse.app.get(ModelVersionsService).syncFromDatabase();
      const champion = worse.app.get(ModelRegistry).status('goal').version;
      const result = await retrainGoal(worse);
      expect(result.training_event).toMatchObject({ status: 'completed', deployment_approved: false });
      const c = result.candidates[0] as Candidate;
      expect(c).toMatchObject({
        status: 'refused',
        is_active: false,
        decision: { promote: false, reason: 'challenger worse', champion_version: champion },
      });
      expect(worse.app.get(ModelRegistry).status('goal').version).toBe(champion);
      const versions = await t
        .http()
        .get('/coaching/continuous-learning/model-versions?model_type=goal')
        .set(admin.auth)
        .expect(200);
      expect(versions.body.model_versions.find((v: Candidate) => v.version === c.version)).toMatchObject({
        status: 'refused',
      });
    },
    5 * MINUTES,
  );

  it('names a model type that is not retrained from real data, and is admin-only', async () => {
    const bad = await t
      .http()
      .post('/coaching/continuous-learning/trigger-training/recommendation')
      .set(admin.auth)
      .send({});
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toMatch(/model_type/);
    await t.http().post('/coaching/continuous-learning/trigger-training/goal').set(other.auth).send({}).expect(403);
  });
});
