import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import parsePrometheusTextFormat from 'parse-prometheus-text-format';

import { runMigrations } from '../../src/infra/database/migrate';
import { MODEL_NAMES, type ModelName } from '../../src/ml/model-manifest';
import { ModelRegistry } from '../../src/ml/model-registry';
import { ModelVersionsService } from '../../src/ml/model-versions.service';
import { createScratchDatabase } from '../helpers/server-process';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';
import { postTransaction } from '../helpers/transactions';

/**
 * A model graph replaced by garbage while the server runs, by the two ways a served graph changes:
 * the files in MODELS_DIR reloaded (ModelRegistry.loadAll, as at start-up), and a version stored in the database. No request
 * may fail for it; the fallback (or the version already served) answers, and health and /metrics say
 * which graph was refused and why. Each app has a database of its own: these versions must not reach
 * the other tests' replicas.
 */
const GARBAGE = 'garbage, not an ONNX graph\n';
const SERVICE: Record<ModelName, string> = {
  policy: 'enhanced_cql_service',
  segmentation: 'segmentation_service',
  spending_forecast: 'spending_prediction_service',
  goal: 'goal_prediction_service',
};

/** MODELS_DIR's manifest and graphs, copied to a folder this test may spoil. */
function modelsCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fincoach-models-'));
  const manifest = JSON.parse(readFileSync('models/manifest.json', 'utf8')) as {
    models: Record<string, { file: string }>;
  };
  copyFileSync('models/manifest.json', path.join(dir, 'manifest.json'));
  for (const { file } of Object.values(manifest.models)) copyFileSync(path.join('models', file), path.join(dir, file));
  return dir;
}

async function appOnOwnDatabase(env: Record<string, string>): Promise<TestApp> {
  const url = await createScratchDatabase('fault_model');
  await runMigrations(url);
  return createTestApp({ DATABASE_URL: url, PREDICTION_CACHE_TTL_SECONDS: '0', ...env });
}

let goalAmount = 500;

/** Every model-backed route of a user: none may answer 5xx whatever the models' state. */
async function modelRoutes(t: TestApp, user: TestUser) {
  goalAmount += 1; // a new amount: goal answers are cached per (amount, days)
  const calls = [
    t.http().get('/coaching/recommendation').set(user.auth),
    t.http().get('/coaching/enhanced-recommendation').set(user.auth),
    t.http().get('/coaching/user-segment').set(user.auth),
    t.http().get('/coaching/spending-prediction').set(user.auth),
    t.http().get('/coaching/financial-forecast').set(user.auth),
    t.http().post('/coaching/goal-probability').set(user.auth).send({ goal_amount: goalAmount, timeline_days: 60 }),
  ];
  const responses = [];
  for (const call of calls) responses.push(await call);
  expect(responses.map((r, i) => `call ${i}: ${r.status}`).filter((s) => !/ 20[01]$/.test(s))).toEqual([]);
  return responses;
}

async function scrape(t: TestApp, admin: TestUser): Promise<Map<string, number>> {
  const res = await t.http().get('/metrics').set(admin.auth).expect(200);
  const values = new Map<string, number>();
  for (const family of parsePrometheusTextFormat(res.text) as Array<{
    name: string;
    metrics: Array<{ labels?: Record<string, string>; value?: string }>;
  }>) {
    for (const m of family.metrics) {
      if (m.labels?.model) values.set(`${family.name}{${m.labels.model}}`, Number(m.value));
    }
  }
  return values;
}

async function withHistory(t: TestApp): Promise<TestUser> {
  const user = await registerUser(t);
  for (const [amount, category] of [
    [1200, 'income'],
    [-40, 'groceries'],
    [-25, 'transport'],
  ] as const) {
    await postTransaction(t, user, { amount, category, description: 'history' });
  }
  return user;
}

describe('a model graph replaced by garbage at run time (e2e)', () => {
  const folders: string[] = [];
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps) await t.close();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it('in MODELS_DIR, reloaded: the fallbacks answer, health and /metrics report it, no 5xx', async () => {
    const dir = modelsCopy();
    folders.push(dir);
    const t = await appOnOwnDatabase({ MODELS_DIR: dir, MODEL_SYNC_INTERVAL_SECONDS: '0' });
    apps.push(t);
    const admin = await registerAdmin(t);
    const user = await withHistory(t);
    const goalBefore = (await modelRoutes(t, user))[5].body;
    expect(goalBefore.decision_source).toBe('model');

    // Every graph file turned to garbage, then MODELS_DIR reloaded.
    for (const name of MODEL_NAMES)
      writeFileSync(path.join(dir, t.app.get(ModelRegistry).bundledEntry(name)!.file), GARBAGE.trim());
    await t.app.get(ModelRegistry).loadAll();

    const goalAfter = (await modelRoutes(t, user))[5].body;
    expect(goalAfter.decision_source).toBe('fallback');
    const health = await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
    expect(health.body.overall_status).toBe('degraded');
    for (const name of MODEL_NAMES) {
      expect(health.body[SERVICE[name]]).toMatchObject({
        model_loaded: false,
        state: 'invalid',
        fallback_in_use: true,
        error: expect.stringMatching(/sha256 mismatch/),
        refusals: 1,
        last_refused: { source: 'file', error: expect.stringMatching(/sha256 mismatch/) },
      });
    }
    const anonymous = await t.http().get('/coaching/enhanced-health').expect(200);
    expect(anonymous.body[SERVICE.goal]).toEqual({ status: 'degraded' });
    const metrics = await scrape(t, admin);
    for (const name of MODEL_NAMES) {
      expect(metrics.get(`model_loaded{${name}}`)).toBe(0);
      expect(metrics.get(`model_refusals_total{${name}}`)).toBe(1);
    }
    expect(metrics.get('model_fallbacks_total{goal}')).toBeGreaterThanOrEqual(1);
  });

  it('stored in the database: a garbage challenger is refused, a spoilt file is replaced by the stored copy, a corrupt stored version is never served', async () => {
    const dir = modelsCopy();
    folders.push(dir);
    const t = await appOnOwnDatabase({
      MODELS_DIR: dir,
      // Synced at start-up; afterwards the test calls the sync where a poll would run.
      MODEL_SYNC_INTERVAL_SECONDS: '86400',
    });
    apps.push(t);
    const registry = t.app.get(ModelRegistry);
    const versions = t.app.get(ModelVersionsService);
    const admin = await registerAdmin(t);
    const user = await withHistory(t);
    const bundled = registry.status('goal').version!;
    const entry = registry.entry('goal')!;
    const goodBytes = readFileSync(path.join(dir, entry.file));
    const garbage = Buffer.from(GARBAGE);
    const better = { championLosses: Array(30).fill(2), challengerLosses: Array(30).fill(1), trainingData: {} };

    // A challenger whose graph is garbage (its checksum matches: only loading it shows it) is refused.
    const refused = await versions.submitChallenger({
      name: 'goal',
      version: 'garbage-challenger',
      entry: { ...entry, sha256: createHash('sha256').update(garbage).digest('hex') },
      artifact: new Uint8Array(garbage),
      ...better,
    });
    expect(refused.promote).toBe(false);
    expect(refused.reason).toMatch(/failed the load checks/);
    expect(registry.status('goal')).toMatchObject({ version: bundled, state: 'loaded' });

    // The file in MODELS_DIR turned to garbage: the reload refuses it, and the
    // database's copy of the same (active) version is served again by the sync that follows.
    writeFileSync(path.join(dir, entry.file), GARBAGE.trim());
    await registry.loadAll();
    await versions.syncFromDatabase();
    expect(registry.status('goal')).toMatchObject({
      version: bundled,
      state: 'loaded',
      refusals: 1,
      last_refused: { version: bundled, source: 'file', error: expect.stringMatching(/sha256 mismatch/) },
    });
    expect((await modelRoutes(t, user))[5].body.decision_source).toBe('model');
    const health = await t.http().get('/coaching/enhanced-health').set(admin.auth).expect(200);
    expect(health.body[SERVICE.goal]).toMatchObject({
      model_loaded: true,
      refusals: 1,
      last_refused: { source: 'file' },
    });

    // A good version is promoted; then the one it replaced is corrupted in its row and rolled back to.
    const promoted = await versions.submitChallenger({
      name: 'goal',
      version: 'good-2',
      entry,
      artifact: new Uint8Array(goodBytes),
      ...better,
    });
    expect(promoted.promote).toBe(true);
    expect(registry.status('goal')).toMatchObject({ version: 'good-2', state: 'loaded' });
    await t.prisma.modelVersion.update({
      where: { modelType_version: { modelType: 'goal', version: bundled } },
      data: { artifact: new Uint8Array(garbage) },
    });
    const rollback = await t.http().post('/admin/models/goal/rollback').set(admin.auth);
    expect(rollback.status).toBe(422);
    expect(rollback.body.detail).toMatch(/failed the load checks/);
    expect(registry.status('goal')).toMatchObject({
      version: 'good-2',
      state: 'loaded',
      refusals: 2,
      last_refused: { version: bundled, source: 'database', error: expect.stringMatching(/sha256 mismatch/) },
    });
    const active = await t.prisma.modelVersion.findFirst({ where: { modelType: 'goal', isActive: true } });
    expect(active?.version).toBe('good-2');
    expect((await modelRoutes(t, user))[5].body.decision_source).toBe('model');
    expect((await scrape(t, admin)).get('model_refusals_total{goal}')).toBe(2);
  });
});
