import { EventCaptureService } from '../../src/behavioral/event-capture.service';
import { MAX_OFFSET, MAX_PAGE } from '../../src/common/paging';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';

// One app and one user for both blocks below.
let t: TestApp;
let user: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  user = await registerUser(t);
});
afterAll(async () => t.close());

/** Input PostgreSQL or the parsers cannot take must come back 4xx naming the field, never 500. */
describe('bad input never reaches a 500 (e2e)', () => {
  const nulIssue = (loc: (string | number)[]) =>
    expect.arrayContaining([expect.objectContaining({ type: 'nul_character', loc })]);

  it.each([
    ['GET /products?search=%00', '/products?search=%00', ['query', 'search']],
    ['GET /products/search/a%00b', '/products/search/a%00b', ['path', 'term']],
    ['GET /financial/transactions?search=x%00', '/financial/transactions?search=x%00', ['query', 'search']],
  ])('refuses a NUL byte in %s with 422 naming the field', async (_label, url, loc) => {
    const res = await t.http().get(url).set(user.auth).expect(422);
    expect(res.body.detail).toEqual(nulIssue(loc));
  });

  it.each([
    [`/financial/transactions?offset=${MAX_OFFSET + 1}`, 'offset'],
    [`/financial/transactions?page=${MAX_PAGE + 1}`, 'page'],
    [`/products?offset=${MAX_OFFSET + 1}`, 'offset'],
    [`/products?page=${MAX_PAGE + 1}`, 'page'],
    [`/coaching/history?offset=${MAX_OFFSET + 1}`, 'offset'],
    [`/coaching/behavioral-events?offset=${MAX_OFFSET + 1}`, 'offset'],
    [`/auth/users?page=${MAX_PAGE + 1}`, 'page'],
  ])('refuses %s above the documented maximum with 422 naming the field', async (url, field) => {
    const admin = await registerAdmin(t);
    const res = await t.http().get(url).set(admin.auth).expect(422);
    expect(res.body.detail).toEqual([expect.objectContaining({ loc: ['query', field] })]);
    expect(res.body.detail[0].msg).toMatch(new RegExp(`${field} must be at most`));
    // The maximum itself is accepted.
    const atMax = url.replace(/=\d+$/, `=${field === 'offset' ? MAX_OFFSET : MAX_PAGE}`);
    await t.http().get(atMax).set(admin.auth).expect(200);
  });

  it('refuses a NUL byte in a transaction description and in profile fields', async () => {
    const tx = await t
      .http()
      .post('/financial/transactions')
      .set(user.auth)
      .send({ amount: -5, category: 'groceries', description: 'milk\u0000', transaction_type: 'debit' })
      .expect(422);
    expect(tx.body.detail).toEqual(nulIssue(['body', 'description']));
    const profile = await t
      .http()
      .put('/auth/profile')
      .set(user.auth)
      .send({ financial_goals: ['save', 'house\u0000'] })
      .expect(422);
    expect(profile.body.detail).toEqual(nulIssue(['body', 'financial_goals', 1]));
  });

  it('answers a multipart upload without a boundary with 4xx', async () => {
    const res = await t
      .http()
      .post('/financial/import')
      .set(user.auth)
      .set('Content-Type', 'multipart/form-data')
      .send('--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\na,b\r\n--x--\r\n');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.detail).toMatch(/boundary/i);
  });
});

describe('an exhausted connection pool (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ DB_POOL_SIZE: '1', DB_CONNECT_TIMEOUT_MS: '200' });
  });
  afterAll(async () => t.close());

  it('answers 503 with Retry-After while no connection is free, and recovers', async () => {
    const user = await registerUser(t);
    const held = await t.prisma.pool.connect();
    try {
      const raw = await t.http().get('/auth/me').set(user.auth).expect(503);
      expect(raw.headers['retry-after']).toBe('5');
      expect(raw.body.detail).toMatch(/database is unavailable or busy/);
    } finally {
      held.release();
    }
    await t.http().get('/auth/me').set(user.auth).expect(200);
  });
});

describe('what the event pipeline records of refused and personal input (e2e)', () => {
  // A user of its own: the events counted here are this block's only.
  let user: TestUser;
  beforeAll(async () => {
    user = await registerUser(t);
  });
  const storedEvents = async () => {
    await t.app.get(EventCaptureService).flush();
    return (await t.prisma.behavioralEvent.findMany({ where: { userId: user.id } })).map((e) =>
      JSON.stringify(e.eventData),
    );
  };

  it('records the route and status of a request refused with 4xx, none of its fields', async () => {
    await t
      .http()
      .post('/financial/transactions')
      .set(user.auth)
      .send({ amount: -5, category: 'not-a-category', description: 'x', transaction_type: 'debit' })
      .expect(422);
    const events = await storedEvents();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0])).toEqual({
      method: 'POST',
      page_url: '/financial/transactions',
      duration_ms: expect.any(Number),
      status_code: 422,
      interaction_type: 'request',
    });
  });
});
