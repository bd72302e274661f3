import { amountBucket, classifyRoute, isTrackedRoute } from '../../../src/behavioral/request-classifier';
import { buildRequestEvent, sessionIdFrom } from '../../../src/behavioral/request-event';

const USER = '0190a000-0000-7000-8000-000000000001';

describe('isTrackedRoute', () => {
  it.each(['/docs', '/docs/json', '/openapi.json', '/health', '/health/ready', '/healthz', '/info', '/metrics', '/auth/login', '/auth/register', '/auth/refresh', '/coaching/enhanced-health', '/coaching/health', '/coaching/event-pipeline-health', '/static/app.js', '/favicon.ico'])(
    'does not track %s',
    (route) => expect(isTrackedRoute(route)).toBe(false),
  );

  it.each(['/auth/me', '/auth/profile', '/financial/health-summary', '/financial/transactions', '/coaching/behavioral-insights', '/products/:id'])('tracks %s', (route) =>
    expect(isTrackedRoute(route)).toBe(true),
  );
});

describe('classifyRoute', () => {
  it.each([
    ['POST', '/financial/transactions', 'transaction_creation', 'transaction_create'],
    ['GET', '/financial/transactions', 'page_view', 'transaction_view'],
    ['GET', '/financial/health-summary', 'page_view', 'health_summary_view'],
    ['GET', '/coaching/recommendation', 'recommendation_interaction', 'recommendation_view'],
    ['POST', '/coaching/feedback', 'recommendation_interaction', 'recommendation_feedback'],
    ['POST', '/coaching/refresh-segment', 'recommendation_interaction', 'post_coaching_refresh_segment'],
    ['GET', '/coaching/insights', 'page_view', 'insights_view'],
    ['GET', '/coaching/behavioral-insights', 'page_view', 'get_coaching_behavioral_insights'],
    ['POST', '/products/purchase', 'purchase', 'product_purchase'],
    ['GET', '/products/search/:term', 'search', 'product_search'],
    ['GET', '/products/:id', 'page_view', 'product_view'],
    ['PUT', '/financial/transactions/:id', 'transaction_interaction', 'transaction_update'],
    ['DELETE', '/financial/transactions/:id', 'transaction_interaction', 'transaction_delete'],
    ['PATCH', '/auth/users/:id', 'interaction', 'patch_auth_users_id'],
    ['GET', '/auth/me', 'page_view', 'account_view'],
  ])('%s %s → %s / %s', (method, route, type, subtype) => {
    expect(classifyRoute(method, route)).toMatchObject({ type, subtype });
  });
});

describe('amountBucket', () => {
  it.each([
    [5, '0-10'],
    [-49.99, '10-50'],
    ['120.00', '100-500'],
    [1000, '1000-5000'],
    [25000, '5000+'],
    ['abc', null],
    [undefined, null],
  ])('%p → %p', (amount, bucket) => expect(amountBucket(amount)).toBe(bucket));
});

describe('buildRequestEvent', () => {
  const base = { statusCode: 201, durationMs: 3.14159 };

  it('keeps only whitelisted, bucketed fields of a transaction body', () => {
    const e = buildRequestEvent(
      { ...base, method: 'POST', route: '/financial/transactions', body: { amount: -42.5, category: 'groceries', description: 'Dinner with Bob at 12 Main St', merchant_name: 'Bob' } },
      USER,
      's1',
    );
    expect(e).toMatchObject({ userId: USER, eventType: 'transaction_creation', eventSubtype: 'transaction_create', sessionId: 's1' });
    expect(e.data).toEqual({
      route: '/financial/transactions',
      method: 'POST',
      status_code: 201,
      outcome: 'success',
      duration_ms: 3.14,
      amount_bucket: '10-50',
      direction: 'debit',
      category: 'groceries',
      interaction_type: 'create',
    });
  });

  it('records failed requests with their status', () => {
    const e = buildRequestEvent({ method: 'POST', route: '/financial/transactions', statusCode: 400, durationMs: 1, body: { amount: -1e9, category: 'bills' } }, USER, null);
    expect(e.data).toMatchObject({ status_code: 400, outcome: 'client_error', amount_bucket: '5000+' });
  });

  it('turns a search query or a search route into a search event', () => {
    const q = buildRequestEvent({ ...base, method: 'GET', route: '/financial/transactions', query: { search: '  Coffee ', limit: '10' } }, USER, null);
    expect(q).toMatchObject({ eventType: 'search', eventSubtype: 'transaction_view', data: { search_term: 'coffee', query: { limit: '10' }, interaction_type: 'search' } });
    const p = buildRequestEvent({ ...base, method: 'GET', route: '/products/search/:term', params: { term: 'Laptop' } }, USER, null);
    expect(p).toMatchObject({ eventType: 'search', data: { search_term: 'laptop' } });
    expect(p.data.params).toBeUndefined();
  });

  it('reads the feedback verdict and profile goal changes, nothing else of the body', () => {
    const f = buildRequestEvent({ ...base, method: 'POST', route: '/coaching/feedback', body: { recommendation_id: 'abc-1', helpful: false, feedback_text: 'private words' } }, USER, null);
    expect(f.data).toMatchObject({ interaction_type: 'not_helpful', recommendation_id: 'abc-1' });
    expect(JSON.stringify(f.data)).not.toContain('private words');
    const g = buildRequestEvent({ ...base, method: 'PUT', route: '/auth/profile', body: { savings_goal: 100, password: 'x' } }, USER, null);
    expect(g).toMatchObject({ eventType: 'goal_modification', data: { changed_fields: ['savings_goal'] } });
    expect(JSON.stringify(g.data)).not.toContain('password');
    const r = buildRequestEvent({ ...base, method: 'PUT', route: '/auth/profile', body: { risk_tolerance: 'low' } }, USER, null);
    expect(r.eventType).toBe('interaction');
  });

  it('never reads bodies of routes without a whitelist', () => {
    const e = buildRequestEvent({ ...base, method: 'POST', route: '/auth/logout', body: { note: 'hello' } }, USER, null);
    expect(JSON.stringify(e.data)).not.toContain('hello');
  });
});

describe('sessionIdFrom', () => {
  it('prefers the x-session-id header, then the session_id cookie, else a new UUID', () => {
    expect(sessionIdFrom({ 'x-session-id': 'abc-123', cookie: 'session_id=zzz' })).toBe('abc-123');
    expect(sessionIdFrom({ cookie: 'a=1; session_id=cookie%2D9; b=2' })).toBe('cookie-9');
    expect(sessionIdFrom({})).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ignores malformed values', () => {
    expect(sessionIdFrom({ 'x-session-id': 'has spaces', cookie: 'session_id=%E0%A4%A' })).toMatch(/^[0-9a-f-]{36}$/);
    expect(sessionIdFrom({ 'x-session-id': 'x'.repeat(65) })).toMatch(/^[0-9a-f-]{36}$/);
  });
});
