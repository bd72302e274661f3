import parsePrometheusTextFormat from 'parse-prometheus-text-format';

import { createTestApp, registerAdmin, registerUser, type TestApp } from '../helpers/test-app';

const TOKEN = 'scraper-token-0123456789abcdef';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string }>;
}

describe('GET /metrics (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => t.close());

  it('is refused to anonymous callers, to users, and to a wrong scraper token', async () => {
    const user = await registerUser(t);
    await t.http().get('/metrics').expect(401);
    await t.http().get('/metrics').set(user.auth).expect(403);
    await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
  });

  it('answers Prometheus text that a parser reads, with requests, events, models, jobs and the pool', async () => {
    const admin = await registerAdmin(t);
    const user = await registerUser(t);
    await t.http().get('/financial/wallet').set(user.auth).expect(200);
    await t.http().get('/no/such/path/123').expect(404);
    await t.http().post('/admin/jobs/retention/run').set(admin.auth).expect(200);

    const res = await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const families = parsePrometheusTextFormat(res.text) as Family[];
    const byName = new Map(families.map((f) => [f.name, f]));

    expect(byName.get('http_request_duration_seconds')!.type).toBe('HISTOGRAM');
    // The parser keeps one series per histogram, so the per-route series are read from their _count lines.
    const counted = res.text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count'));
    expect(counted).toContainEqual(
      'http_request_duration_seconds_count{method="GET",route="/financial/wallet",status="200"} 1',
    );
    // Raw paths never become labels.
    expect(counted).toContainEqual(
      'http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1',
    );
    expect(counted.some((line) => line.includes('123'))).toBe(false);

    for (const name of ['events_queued', 'events_written_total', 'events_dropped_total', 'db_pool_connections']) {
      expect(byName.has(name)).toBe(true);
    }
    expect(
      byName
        .get('events_dropped_total')!
        .metrics.map((m) => m.labels!.reason)
        .sort(),
    ).toEqual(['permanent_error', 'queue_full', 'shutdown_timeout']);
    const models = byName.get('model_inferences_total')!.metrics.map((m) => m.labels!.model);
    expect(models).toEqual(expect.arrayContaining(['policy', 'segmentation', 'spending_forecast', 'goal']));
    expect(byName.get('model_fallbacks_total')).toBeDefined();
    expect(byName.get('job_run_duration_seconds')!.type).toBe('HISTOGRAM');
    expect(res.text).toMatch(/^job_run_duration_seconds_count\{job="retention",status="succeeded"\} 1$/m);
  });

  it('answers admins with their own token', async () => {
    const admin = await registerAdmin(t);
    await t.http().get('/metrics').set(admin.auth).expect(200);
  });
});
