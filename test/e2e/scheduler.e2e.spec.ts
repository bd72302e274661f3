import { randomUUID } from 'node:crypto';

import { createTestApp, registerAdmin, registerUser, type TestApp } from '../helpers/test-app';
import { postTransaction, seedHistory, typicalHistory } from '../helpers/transactions';

describe('scheduled jobs (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      EVENTS_RETENTION_DAYS: '30',
      RECOMMENDATION_RETENTION_DAYS: '60',
      IMPORT_AUDIT_RETENTION_DAYS: '90',
    });
  });
  afterAll(async () => t.close());

  it('are admin-only', async () => {
    const user = await registerUser(t);
    await t.http().get('/admin/jobs').set(user.auth).expect(403);
    await t.http().post('/admin/jobs/retention/run').set(user.auth).expect(403);
  });

  it('refresh segments of active users and record the run', async () => {
    const admin = await registerAdmin(t);
    const user = await registerUser(t);
    await seedHistory(t, user.id, typicalHistory(6));
    const res = await t.http().post('/admin/jobs/segment-refresh/run').set(admin.auth).expect(200);
    expect(res.body.status).toBe('succeeded');
    expect(res.body.details.refreshed).toBeGreaterThanOrEqual(1);
    expect(await t.prisma.userSegment.count({ where: { userId: user.id } })).toBe(1);
    const runs = await t.http().get('/admin/jobs').set(admin.auth).expect(200);
    expect(runs.body.runs[0]).toMatchObject({ job_name: 'segment-refresh', status: 'succeeded' });
  });

  it('retention deletes events older than the configured days and expired cache rows', async () => {
    const admin = await registerAdmin(t);
    const user = await registerUser(t);
    await t.prisma.behavioralEvent.createMany({
      data: [
        {
          id: '018f0000-0000-7000-8000-000000000001',
          userId: user.id,
          eventType: 'page_view',
          eventData: { page_url: '/old' },
          timestamp: new Date(Date.now() - 40 * 86_400_000),
        },
        {
          id: '018f0000-0000-7000-8000-000000000002',
          userId: user.id,
          eventType: 'page_view',
          eventData: { page_url: '/new' },
          timestamp: new Date(),
        },
      ],
    });
    await t.prisma.predictionCache.create({
      data: { userId: user.id, cacheKey: 'old', predictionData: {}, expiresAt: new Date(Date.now() - 1000) },
    });
    // Token ids are unique across users: fresh ones, so the test also passes on a reused database.
    const [expiredJti, liveJti] = [randomUUID(), randomUUID()];
    await t.prisma.revokedToken.createMany({
      data: [
        { jti: expiredJti, userId: user.id, expiresAt: new Date(Date.now() - 1000) },
        { jti: liveJti, userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) },
      ],
    });
    const res = await t.http().post('/admin/jobs/retention/run').set(admin.auth).expect(200);
    expect(res.body.details.old_events).toBeGreaterThanOrEqual(1);
    const left = await t.prisma.behavioralEvent.findMany({ where: { userId: user.id } });
    expect(left.map((e) => (e.eventData as { page_url: string }).page_url)).toEqual(['/new']);
    expect(await t.prisma.predictionCache.count({ where: { userId: user.id } })).toBe(0);
    // A revocation outlives its token only until the token expires anyway.
    expect(res.body.details.expired_revoked_tokens).toBeGreaterThanOrEqual(1);
    const revocations = await t.prisma.revokedToken.findMany({ where: { userId: user.id } });
    expect(revocations.map((r) => r.jti)).toEqual([liveJti]);
  });

  it('retention deletes recommendations (snapshots and feedback) and import audit rows past their configured days', async () => {
    const admin = await registerAdmin(t);
    const user = await registerUser(t);
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
    // Real rows through the API: two recommendations (one gets feedback) and one import.
    const shown = [];
    for (let i = 0; i < 2; i++) {
      // A new transaction each time: an unchanged state would get the same recommendation back.
      await postTransaction(t, user, { amount: -5, category: 'groceries', description: 'shop' });
      shown.push((await t.http().get('/coaching/recommendation').set(user.auth).expect(200)).body);
    }
    const old = shown[0].recommendation_id as string;
    await t
      .http()
      .post('/coaching/feedback')
      .set(user.auth)
      .send({ recommendation_id: old, helpful: true })
      .expect(200);
    const csv = 'date,description,amount\n2026-01-05,TESCO,-12.50\n2026-01-06,SALARY,1500.00\n';
    for (let i = 0; i < 2; i++) {
      await t
        .http()
        .post('/financial/import?dry_run=true')
        .set(user.auth)
        .attach('file', Buffer.from(csv), 'statement.csv')
        .expect(200);
    }
    const audits = await t.prisma.statementImport.findMany({
      where: { userId: user.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(audits).toHaveLength(2);
    // Backdate: the first recommendation past 60 days, the second within; one audit row past 90 days, one at 89.
    await t.prisma.recommendationHistory.update({ where: { id: old }, data: { createdAt: daysAgo(61) } });
    await t.prisma.recommendationHistory.update({
      where: { id: shown[1].recommendation_id },
      data: { createdAt: daysAgo(59) },
    });
    await t.prisma.statementImport.update({ where: { id: audits[0].id }, data: { createdAt: daysAgo(91) } });
    await t.prisma.statementImport.update({ where: { id: audits[1].id }, data: { createdAt: daysAgo(89) } });

    const res = await t.http().post('/admin/jobs/retention/run').set(admin.auth).expect(200);
    expect(res.body.status).toBe('succeeded');
    expect(res.body.details.old_recommendations).toBeGreaterThanOrEqual(1);
    expect(res.body.details.old_import_audits).toBeGreaterThanOrEqual(1);
    const left = await t.prisma.recommendationHistory.findMany({ where: { userId: user.id } });
    expect(left.map((r) => r.id)).toEqual([shown[1].recommendation_id]);
    expect(await t.prisma.recommendationFeedback.count({ where: { userId: user.id } })).toBe(0);
    const auditsLeft = await t.prisma.statementImport.findMany({ where: { userId: user.id } });
    expect(auditsLeft.map((a) => a.id)).toEqual([audits[1].id]);
    // The run went through the job runner (advisory lock, recorded run).
    const runs = await t.http().get('/admin/jobs').set(admin.auth).expect(200);
    expect(runs.body.runs[0]).toMatchObject({ job_name: 'retention', status: 'succeeded' });
  });

  it('retraining check counts new data per model (nothing ready: no consenting user has new data)', async () => {
    const admin = await registerAdmin(t);
    const res = await t.http().post('/admin/jobs/retraining-check/run').set(admin.auth).expect(200);
    expect(res.body.status).toBe('succeeded');
    expect(res.body.details.datasets.map((d: { dataset: string }) => d.dataset)).toEqual([
      'policy',
      'segmentation',
      'spending_forecast',
      'goal',
    ]);
    await t.http().post('/admin/jobs/nope/run').set(admin.auth).expect(422);
  });

  it('with RETRAIN_PIPELINE=none, a ready dataset of consenting users records a pending training and trains nothing', async () => {
    const quiet = await createTestApp({ RETRAIN_PIPELINE: 'none', RETRAIN_MIN_NEW_SAMPLES: '1' });
    try {
      const admin = await registerAdmin(quiet);
      const user = await registerUser(quiet);
      await quiet.http().put('/auth/profile').set(user.auth).send({ training_consent: true }).expect(200);
      await seedHistory(quiet, user.id, typicalHistory(2));
      const res = await quiet.http().post('/admin/jobs/retraining-check/run').set(admin.auth).expect(200);
      expect(res.body.status).toBe('succeeded');
      expect(res.body.details).toMatchObject({ retrained: true, decisions: {} });
      const events = await quiet.prisma.modelTrainingEvent.findMany({ orderBy: { startTime: 'desc' }, take: 2 });
      expect(events.map((e) => [e.modelType, e.status]).sort()).toEqual([
        ['goal', 'pending'],
        ['spending_forecast', 'pending'],
      ]);
      await quiet.prisma.user.delete({ where: { id: user.id } });
    } finally {
      await quiet.close();
    }
  });
});
