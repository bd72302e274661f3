import { createTestApp, type TestApp } from '../helpers/test-app';

describe('system endpoints (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('GET /health reports the database as up', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'healthy', service: 'fincoach-api', database: { status: 'up' } });
  });

  it('GET / and GET /info describe the API', async () => {
    expect((await t.http().get('/').expect(200)).body).toMatchObject({ docs: '/docs', openapi: '/openapi.json' });
    const info = await t.http().get('/info').expect(200);
    expect(info.body.endpoints).toMatchObject({
      authentication: '/auth',
      financial: '/financial',
      ai_coaching: '/coaching',
      docs: '/docs',
      openapi: '/openapi.json',
    });
  });

  it('serves OpenAPI with bearer security on every protected operation', async () => {
    const res = await t.http().get('/openapi.json').expect(200);
    const doc = res.body;
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ops = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown }>>).flatMap(
      ([path, item]) =>
        Object.entries(item).map(([method, op]) => ({
          id: `${method.toUpperCase()} ${path}`,
          secured: Boolean(op.security),
        })),
    );
    const publicOps = ops.filter((o) => !o.secured).map((o) => o.id);
    expect(publicOps).toEqual(expect.arrayContaining(['POST /auth/login', 'POST /auth/register', 'GET /health']));
    expect(ops.find((o) => o.id === 'GET /auth/me')?.secured).toBe(true);
    await t.http().get('/docs').expect(200);
  });

  it('echoes a sane x-request-id and makes one otherwise', async () => {
    const given = await t.http().get('/info').set('x-request-id', 'trace-abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('trace-abc-123');
    const made = await t.http().get('/info').set('x-request-id', 'bad id with spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('production surface (e2e)', () => {
  it('serves no /docs or /openapi.json in production, and a content security policy everywhere', async () => {
    const t = await createTestApp({ NODE_ENV: 'production', JWT_SECRET_KEY: 'a-production-secret-for-the-test' });
    try {
      await t.http().get('/docs').expect(404);
      await t.http().get('/openapi.json').expect(404);
      // Nothing points to what is not served.
      const root = await t.http().get('/').expect(200);
      expect(root.body).not.toHaveProperty('docs');
      expect(root.body).not.toHaveProperty('openapi');
      const info = await t.http().get('/info').expect(200);
      expect(info.body.endpoints).toHaveProperty('health', '/health');
      expect(info.body.endpoints).not.toHaveProperty('docs');
      expect(info.body.endpoints).not.toHaveProperty('openapi');
      const res = await t.http().get('/health').expect(200);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    } finally {
      await t.close();
    }
  });
});
