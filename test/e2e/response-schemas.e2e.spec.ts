import { buildOpenApiDocument } from '../../src/infra/openapi/openapi';
import { rateRecommendation } from '../helpers/coaching';
import { OpenApiResponses } from '../helpers/openapi-responses';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';
import { seedHistory, typicalHistory } from '../helpers/transactions';

/** GET routes whose body is not one JSON document (streams, text, the docs themselves). */
const NOT_JSON = ['/auth/export', '/metrics'];

/**
 * Real responses match the response schemas the OpenAPI document publishes: every GET route that
 * needs no path parameter, called as a user with weeks of history and as an admin, plus the writes
 * whose answers the coaching client reads.
 */
describe('responses match their documented schemas (e2e)', () => {
  let t: TestApp;
  let responses: OpenApiResponses;
  let getRoutes: string[];
  let user: TestUser;
  let admin: TestUser;
  const checked = new Set<string>();

  beforeAll(async () => {
    t = await createTestApp();
    const document = buildOpenApiDocument(t.app);
    responses = new OpenApiResponses(document);
    getRoutes = Object.entries(document.paths)
      .filter(([path, item]) => {
        const required = (item.get?.parameters ?? []).some((p) => 'required' in p && p.required);
        return item.get && !required && !path.includes('{') && !NOT_JSON.includes(path);
      })
      .map(([path]) => path);
    user = await registerUser(t);
    admin = await registerAdmin(t);
    await seedHistory(t, user.id, typicalHistory());
    // A recorded job run and training event, so the admin lists have rows to check.
    await t.http().post('/admin/jobs/retraining-check/run').set(admin.auth).expect(200);
    // Peers in the same segment, so the peer branches answer with aggregates.
    for (let i = 0; i < 5; i++) {
      const peer = await registerUser(t);
      await seedHistory(t, peer.id, typicalHistory(), 900 + i * 50);
      await t.http().post('/coaching/refresh-segment').set(peer.auth).expect(200);
    }
  });
  afterAll(async () => t.close());

  function expectDocumented(method: string, path: string, status: number, body: unknown) {
    expect(responses.errors(method, path, status, body)).toEqual([]);
    checked.add(`${method} ${path}`);
  }

  it('the writes the client reads: refresh-segment and feedback', async () => {
    const refreshed = await t.http().post('/coaching/refresh-segment').set(user.auth).expect(200);
    expectDocumented('POST', '/coaching/refresh-segment', 200, refreshed.body);
    const { feedback } = await rateRecommendation(t, user);
    expectDocumented('POST', '/coaching/feedback', 200, feedback.body);
  });

  it('every JSON GET route without path parameters, as a user and as an admin', async () => {
    for (const path of getRoutes) {
      for (const caller of [user, admin]) {
        const res = await t.http().get(path).set(caller.auth);
        // 403: an admin route asked by a user; 404: nothing of the user's to show. Both documented elsewhere.
        if (res.status === 403 || res.status === 404) continue;
        expect(`${path} → ${res.status}`).toBe(`${path} → 200`);
        expectDocumented('GET', path, 200, res.body);
      }
    }
  });

  it('both branches of the peer views: aggregates with peers, a message without', async () => {
    const withPeers = await t.http().get('/coaching/segment-comparison').set(user.auth).expect(200);
    expect(withPeers.body.peer_count).toBeGreaterThanOrEqual(5);
    const lonely = await registerUser(t);
    await seedHistory(t, lonely.id, [{ daysAgo: 1, amount: 50_000, category: 'income' }], 0);
    for (const path of ['/coaching/segment-comparison', '/financial/peer-comparison', '/coaching/segment-insights']) {
      const res = await t.http().get(path).set(lonely.auth).expect(200);
      expectDocumented('GET', path, 200, res.body);
    }
  });

  it('the validator refuses a body that breaks the schema (so the checks above can fail)', () => {
    expect(responses.errors('GET', '/coaching/actions', 200, { actions: [{ id: 'x' }] })).not.toEqual([]);
    expect(
      responses.errors('GET', '/coaching/insights', 200, { insights: [], generated_at: 'now', extra: 1 }),
    ).not.toEqual([]);
  });

  it('exercised every route that documented no response schema before (issue 18)', () => {
    for (const route of [
      'GET /coaching/actions',
      'GET /coaching/enhanced-health',
      'GET /coaching/financial-forecast',
      'GET /coaching/health',
      'GET /coaching/insights',
      'GET /coaching/model-info',
      'GET /coaching/segment-comparison',
      'GET /coaching/segment-insights',
      'GET /financial/category-preferences',
      'GET /financial/financial-personality',
      'GET /financial/peer-comparison',
      'GET /financial/spending-patterns',
      'POST /coaching/feedback',
      'POST /coaching/refresh-segment',
    ])
      expect(checked).toContain(route);
  });
});
