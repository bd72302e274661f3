import { createTestApp, registerAdmin, registerUser, type TestApp } from '../helpers/test-app';
import { seedHistory, typicalHistory } from '../helpers/transactions';

describe('scheduled jobs (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ EVENTS_RETENTION_DAYS: '30' });
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
    const res = await t.http().post('/admin/jobs/retention/run').set(admin.auth).expect(200);
    expect(res.body.details.old_events).toBeGreaterThanOrEqual(1);
    const left = await t.prisma.behavioralEvent.findMany({ where: { userId: user.id } });
    expect(left.map((e) => (e.eventData as { page_url: string }).page_url)).toEqual(['/new']);
    expect(await t.prisma.predictionCache.count({ where: { userId: user.id } })).toBe(0);
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
