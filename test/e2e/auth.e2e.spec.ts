import { randomUUID } from 'node:crypto';

import { JwtService } from '@nestjs/jwt';

import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/auth/token.service';
import { runMigrations } from '../../src/infra/database/migrate';
import { createScratchDatabase } from '../helpers/server-process';
import { createTestApp, registerAdmin, registerUser, type TestApp } from '../helpers/test-app';

describe('auth (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('registers, logs in and reads /auth/me with the token', async () => {
    const email = `Mixed.Case-${Date.now()}@Example.COM`;
    const reg = await t
      .http()
      .post('/auth/register')
      .send({ email, password: 'TestPass123', first_name: 'Ada', last_name: 'Lovelace', date_of_birth: '1990-05-01' })
      .expect(201);
    expect(reg.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 1800,
      user: { email: email.toLowerCase(), first_name: 'Ada', is_active: true, role: 'user' },
    });
    expect(typeof reg.body.access_token).toBe('string');
    // The client decodes the JWT itself and needs a numeric exp.
    const payload = JSON.parse(Buffer.from(reg.body.access_token.split('.')[1], 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(1800);
    expect(payload.sub).toBe(reg.body.user.id);

    // E-mail matching is case-insensitive.
    const login = await t
      .http()
      .post('/auth/login')
      .send({ email: email.toUpperCase(), password: 'TestPass123' })
      .expect(200);
    expect(login.body.user.id).toBe(reg.body.user.id);

    const me = await t.http().get('/auth/me').set('Authorization', `Bearer ${login.body.access_token}`).expect(200);
    expect(me.body).toEqual(reg.body.user);
  });

  it('refuses a duplicate e-mail with 409, whatever its case', async () => {
    const user = await registerUser(t);
    const res = await t
      .http()
      .post('/auth/register')
      .send({ email: user.email.toUpperCase(), password: 'TestPass123', first_name: 'X', last_name: 'Y' })
      .expect(409);
    expect(res.body.detail).toBe('User with this email already exists');
  });

  it.each([
    ['short1A', 'Password must be at least 8 characters'],
    ['NoDigitsHere', 'Password must contain at least one digit'],
    ['lowercase123', 'Password must contain at least one uppercase letter'],
  ])('rejects the weak password %s with 422 naming the field', async (password, msg) => {
    const res = await t
      .http()
      .post('/auth/register')
      .send({ email: `weak-${Date.now()}@example.com`, password, first_name: 'A', last_name: 'B' })
      .expect(422);
    expect(res.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'password'], msg })]);
    expect(res.body.message).toContain('body.password');
  });

  it('answers 401 to a wrong password and an unknown e-mail alike', async () => {
    const user = await registerUser(t);
    const wrong = await t.http().post('/auth/login').send({ email: user.email, password: 'WrongPass123' }).expect(401);
    const unknown = await t
      .http()
      .post('/auth/login')
      .send({ email: 'nobody-here@example.com', password: 'TestPass123' })
      .expect(401);
    expect(wrong.body.detail).toBe('Invalid email or password');
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('answers 401 with WWW-Authenticate for a missing, tampered or expired token', async () => {
    const user = await registerUser(t);
    const missing = await t.http().get('/auth/me').expect(401);
    expect(missing.body.detail).toBe('Not authenticated');
    expect(missing.headers['www-authenticate']).toBe('Bearer');

    const [h, p, s] = user.token.split('.');
    const forged = JSON.parse(Buffer.from(p, 'base64url').toString());
    forged.role = 'admin';
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`;
    await t.http().get('/auth/me').set('Authorization', `Bearer ${tampered}`).expect(401);
    await t
      .http()
      .get('/auth/me')
      .set('Authorization', `Bearer ${user.token.slice(0, -2)}xx`)
      .expect(401);

    const expired = new JwtService().sign(
      {
        sub: user.id,
        role: 'user',
        jti: '00000000-0000-4000-8000-000000000001',
        auth_time: 0,
        exp: Math.floor(Date.now() / 1000) - 10,
      },
      { secret: t.config.auth.jwtSecret, algorithm: 'HS256' },
    );
    const res = await t.http().get('/auth/me').set('Authorization', `Bearer ${expired}`).expect(401);
    expect(res.body.detail).toBe('Could not validate credentials');

    const otherSecret = new JwtService().sign(
      { sub: user.id, role: 'user', jti: '00000000-0000-4000-8000-000000000002', auth_time: 0 },
      { secret: 'x'.repeat(32), expiresIn: 600 },
    );
    await t.http().get('/auth/me').set('Authorization', `Bearer ${otherSecret}`).expect(401);
    await t.http().get('/auth/me').set('Authorization', `Basic ${user.token}`).expect(401);
  });

  it('refresh issues a new token and revokes the old one; logout revokes the presented token', async () => {
    const user = await registerUser(t);
    const refreshed = await t.http().post('/auth/refresh').set(user.auth).expect(200);
    expect(refreshed.body.access_token).not.toBe(user.token);
    expect(refreshed.body.user.id).toBe(user.id);
    await t.http().get('/auth/me').set(user.auth).expect(401);

    const fresh = { Authorization: `Bearer ${refreshed.body.access_token}` };
    await t.http().get('/auth/me').set(fresh).expect(200);
    const out = await t.http().post('/auth/logout').set(fresh).expect(200);
    expect(out.body.message).toBe('Successfully logged out');
    await t.http().get('/auth/me').set(fresh).expect(401);

    // Other sessions of the same user are unaffected.
    const second = await t.http().post('/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await t.http().get('/auth/me').set('Authorization', `Bearer ${second.body.access_token}`).expect(200);
  });

  it('refuses to refresh a session older than the maximum session age', async () => {
    const user = await registerUser(t);
    const ancient = new JwtService().sign(
      {
        sub: user.id,
        role: 'user',
        jti: '00000000-0000-4000-8000-0000000000aa',
        auth_time: Math.floor(Date.now() / 1000) - 400 * 3600,
      },
      { secret: t.config.auth.jwtSecret, expiresIn: 600, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
    );
    const res = await t.http().post('/auth/refresh').set('Authorization', `Bearer ${ancient}`).expect(401);
    expect(res.body.detail).toMatch(/log in again/);
  });

  it('registration creates the profile with its defaults; reading it writes nothing', async () => {
    const user = await registerUser(t);
    const stored = await t.prisma.userProfile.findUniqueOrThrow({ where: { userId: user.id } });
    const profile = await t.http().get('/auth/profile').set(user.auth).expect(200);
    expect(profile.body).toEqual({
      monthly_income: '0.00',
      savings_goal: '0.00',
      risk_tolerance: 'medium',
      financial_goals: [],
      training_consent: false,
      updated_at: stored.updatedAt.toISOString(),
    });
  });

  it('updates and returns the profile; rejects a bad risk tolerance with 422', async () => {
    const user = await registerUser(t);
    await t
      .http()
      .put('/auth/profile')
      .set(user.auth)
      .send({ monthly_income: 4200.5, risk_tolerance: 'high', financial_goals: ['house'] })
      .expect(200);
    const profile = await t.http().get('/auth/profile').set(user.auth).expect(200);
    expect(profile.body).toMatchObject({
      monthly_income: '4200.50',
      savings_goal: '0.00',
      risk_tolerance: 'high',
      financial_goals: ['house'],
    });
    const bad = await t.http().put('/auth/profile').set(user.auth).send({ risk_tolerance: 'yolo' }).expect(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'risk_tolerance']);
    expect(bad.body.detail[0].msg).toBe('Risk tolerance must be low, medium, or high');
  });

  it('training consent is off until the user sets it, can be withdrawn, and is named when malformed', async () => {
    const user = await registerUser(t);
    const on = await t.http().put('/auth/profile').set(user.auth).send({ training_consent: true }).expect(200);
    expect(on.body.profile.training_consent).toBe(true);
    // Other fields leave it as it is.
    await t.http().put('/auth/profile').set(user.auth).send({ savings_goal: 100 }).expect(200);
    expect((await t.http().get('/auth/profile').set(user.auth).expect(200)).body.training_consent).toBe(true);
    await t.http().put('/auth/profile').set(user.auth).send({ training_consent: false }).expect(200);
    const stored = await t.prisma.userProfile.findUniqueOrThrow({ where: { userId: user.id } });
    expect(stored.trainingConsent).toBe(false);
    const bad = await t.http().put('/auth/profile').set(user.auth).send({ training_consent: 'yes' }).expect(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'training_consent']);
  });

  it('keeps admin routes for admins: 403 for users, 200 for admins', async () => {
    const user = await registerUser(t);
    const admin = await registerAdmin(t);
    const denied = await t.http().get('/auth/users').set(user.auth).expect(403);
    expect(denied.body.detail).toMatch(/admin/);
    await t.http().patch(`/auth/users/${user.id}`).set(user.auth).send({ is_active: false }).expect(403);

    const list = await t.http().get('/auth/users').query({ search: user.email }).set(admin.auth).expect(200);
    expect(list.body.map((u: { id: string }) => u.id)).toEqual([user.id]);

    // Deactivation takes effect on the user's next request and at login.
    const updated = await t
      .http()
      .patch(`/auth/users/${user.id}`)
      .set(admin.auth)
      .send({ isActive: false })
      .expect(200);
    expect(updated.body.is_active).toBe(false);
    await t.http().get('/auth/me').set(user.auth).expect(401);
    const login = await t.http().post('/auth/login').send({ email: user.email, password: user.password }).expect(401);
    expect(login.body.detail).toBe('Account is deactivated');
    await t
      .http()
      .patch('/auth/users/00000000-0000-4000-8000-000000000000')
      .set(admin.auth)
      .send({ is_active: true })
      .expect(404);
    await t.http().patch('/auth/users/not-a-uuid').set(admin.auth).send({ is_active: true }).expect(422);
  });

  it('deletes the account and its data only with the current password', async () => {
    const user = await registerUser(t);
    const missing = await t.http().delete('/auth/account').set(user.auth).expect(422);
    expect(JSON.stringify(missing.body.detail)).toContain('password');
    const wrong = await t.http().delete('/auth/account').set(user.auth).send({ password: 'WrongPass123' }).expect(403);
    expect(wrong.body.detail).toMatch(/^password:/);
    expect(await t.prisma.user.count({ where: { id: user.id } })).toBe(1);
    await t.http().delete('/auth/account').set(user.auth).send({ password: user.password }).expect(200);
    await t.http().get('/auth/me').set(user.auth).expect(401);
    expect(await t.prisma.user.count({ where: { id: user.id } })).toBe(0);
    expect(await t.prisma.userProfile.count({ where: { userId: user.id } })).toBe(0);
    await t.http().post('/auth/login').send({ email: user.email, password: user.password }).expect(401);
  });

  describe('log out everywhere and password change', () => {
    const login = async (email: string, password: string) =>
      (await t.http().post('/auth/login').send({ email, password }).expect(200)).body.access_token as string;
    const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

    it('POST /auth/logout-all refuses every token issued before it, on every device, and a new login works', async () => {
      const user = await registerUser(t);
      const phone = await login(user.email, user.password);
      const laptop = await login(user.email, user.password);
      await t.http().get('/auth/me').set(bearer(phone)).expect(200);
      await t
        .http()
        .post('/auth/logout-all')
        .set(bearer(laptop))
        .expect(200, { message: 'Logged out on every device' });
      for (const token of [user.token, phone, laptop]) {
        await t.http().get('/auth/me').set(bearer(token)).expect(401);
        await t.http().post('/auth/refresh').set(bearer(token)).expect(401);
      }
      const fresh = await login(user.email, user.password);
      await t.http().get('/auth/me').set(bearer(fresh)).expect(200);
      // A refreshed token keeps the current version (and so stays valid).
      const refreshed = await t.http().post('/auth/refresh').set(bearer(fresh)).expect(200);
      await t.http().get('/auth/me').set(bearer(refreshed.body.access_token)).expect(200);
    });

    it('POST /auth/change-password needs the current password, signs out other sessions and keeps this one', async () => {
      const user = await registerUser(t);
      const other = await login(user.email, user.password);
      const wrong = await t
        .http()
        .post('/auth/change-password')
        .set(user.auth)
        .send({ current_password: 'WrongPass123', new_password: 'NewPass456' })
        .expect(403);
      expect(wrong.body.detail).toMatch(/^current_password:/);
      const weak = await t
        .http()
        .post('/auth/change-password')
        .set(user.auth)
        .send({ current_password: user.password, new_password: 'weak' })
        .expect(422);
      expect(weak.body.detail[0].loc).toEqual(['body', 'new_password']);
      await t.http().get('/auth/me').set(bearer(other)).expect(200); // nothing changed yet

      const changed = await t
        .http()
        .post('/auth/change-password')
        .set(user.auth)
        .send({ current_password: user.password, new_password: 'NewPass456' })
        .expect(200);
      expect(changed.body).toMatchObject({ token_type: 'bearer', user: { id: user.id } });
      await t.http().get('/auth/me').set(bearer(other)).expect(401);
      await t.http().get('/auth/me').set(user.auth).expect(401);
      await t.http().get('/auth/me').set(bearer(changed.body.access_token)).expect(200);
      await t.http().post('/auth/login').send({ email: user.email, password: user.password }).expect(401);
      await login(user.email, 'NewPass456');
    });
  });

  it('never answers 500 to malformed JSON, wrong types or wrong content types', async () => {
    const malformed = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(malformed.body).toMatchObject({
      status_code: 400,
      detail: expect.any(String),
      request_id: expect.any(String),
    });
    const types = await t
      .http()
      .post('/auth/register')
      .send({ email: 42, password: ['x'], first_name: {}, last_name: null })
      .expect(422);
    expect(types.body.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual([
      'email',
      'password',
      'first_name',
      'last_name',
    ]);
    await t.http().post('/auth/login').send([1, 2, 3]).expect(422);
    // Fastify reads text/plain as a string: the body is then not an object, a clear 422.
    const text = await t.http().post('/auth/login').set('Content-Type', 'text/plain').send('hello').expect(422);
    expect(text.body.detail[0].loc).toEqual(['body']);
    await t.http().post('/auth/login').set('Content-Type', 'application/xml').send('<a/>').expect(415);
    await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send('')
      .expect((res) => expect(res.status).toBeLessThan(500));
    const huge = await t
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await t.http().get('/no/such/route').expect(404);
    expect(res.body).toMatchObject({ status_code: 404, error: 'Not Found' });
  });

  it('allows the React dev origins with credentials', async () => {
    const res = await t
      .http()
      .options('/auth/login')
      .set('Origin', 'http://localhost:5173')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    const other = await t
      .http()
      .options('/auth/login')
      .set('Origin', 'http://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

// Addresses of this run's failed logins (so a reused test database starts with none of their failures).
const run = randomUUID();

describe('auth rate limit (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => t.close());

  it('answers 429 once a client exceeds the login limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // A new address each run: failed logins of an address also count in the database (per-account throttling).
      const res = await t
        .http()
        .post('/auth/login')
        .send({ email: `someone-${run}@example.com`, password: 'Wrong12345' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});

describe('auth rate limit behind proxies (e2e)', () => {
  const attempts = async (t: TestApp, forwardedFor: (i: number) => string) => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t
        .http()
        .post('/auth/login')
        .set('X-Forwarded-For', forwardedFor(i))
        .send({ email: `nobody-${i}-${run}@example.com`, password: 'Wrong12345' });
      statuses.push(res.status);
    }
    return statuses;
  };

  it('ignores X-Forwarded-For by default: a new header value per attempt does not reset the limit', async () => {
    const t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      expect(await attempts(t, (i) => `203.0.113.${i + 1}`)).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await t.close();
    }
  });

  it('believes X-Forwarded-For from a configured proxy only', async () => {
    // supertest connects from the loopback address, so 127.0.0.0/8 makes it a trusted proxy.
    const t = await createTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3', TRUSTED_PROXIES: '127.0.0.0/8,::1' });
    try {
      expect(await attempts(t, (i) => `203.0.113.${i + 1}`)).toEqual([401, 401, 401, 401, 401]);
    } finally {
      await t.close();
    }
  });
});

describe('per-account login throttling (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_FAILURES_BEFORE_BACKOFF: '3', LOGIN_BACKOFF_MAX_SECONDS: '60' });
  });
  afterAll(async () => t.close());

  /** `n` logins to `email` with wrong passwords, one after another, each refused with 401. */
  async function failLogins(email: string, n: number, guess = 'Guess') {
    for (let i = 0; i < n; i++) {
      await t
        .http()
        .post('/auth/login')
        .send({ email, password: `${guess}-${i}-xyz` })
        .expect(401);
    }
  }

  it('makes an account wait after repeated failures, whatever the client address, and leaves others alone', async () => {
    const victim = await registerUser(t);
    const bystander = await registerUser(t);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t
        .http()
        .post('/auth/login')
        .send({ email: victim.email, password: `Guess-${i}-xyz` });
      statuses.push(res.status);
    }
    // Even the right password waits now: the guesser cannot tell when it found it.
    const blocked = await t.http().post('/auth/login').send({ email: victim.email, password: victim.password });
    statuses.push(blocked.status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(blocked.body.detail).toMatch(/try again in \d+ s/);
    await t.http().post('/auth/login').send({ email: bystander.email, password: bystander.password }).expect(200);
  });

  it('counts parallel guesses one after another, so only the allowed number get through', async () => {
    const victim = await registerUser(t);
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t
          .http()
          .post('/auth/login')
          .send({ email: victim.email, password: `Parallel-${i}-xyz` })
          .then((res) => res.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
  });

  it('is shared by every replica: failures on one make the account wait on another', async () => {
    const replica = await createTestApp({ LOGIN_FAILURES_BEFORE_BACKOFF: '3', LOGIN_BACKOFF_MAX_SECONDS: '60' });
    try {
      const victim = await registerUser(t);
      await failLogins(victim.email, 3);
      await replica.http().post('/auth/login').send({ email: victim.email, password: victim.password }).expect(429);
      // Nothing in the table names the account: its key is a hash of the e-mail.
      const stored = await t.prisma.$queryRaw<
        { key: string }[]
      >`SELECT encode(account_key, 'escape') AS key FROM login_throttle`;
      expect(stored.some((r) => r.key.includes(victim.email))).toBe(false);
    } finally {
      await replica.close();
    }
  });

  it('lets a success clear the account’s record', async () => {
    const user = await registerUser(t);
    await failLogins(user.email, 2);
    await t.http().post('/auth/login').send({ email: user.email, password: user.password }).expect(200);
    await failLogins(user.email, 3, 'Again');
  });
});

describe('sessions and admins (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('lets exactly one of two concurrent refreshes of one token succeed', async () => {
    const user = await registerUser(t);
    const [a, b] = await Promise.all([
      t.http().post('/auth/refresh').set(user.auth),
      t.http().post('/auth/refresh').set(user.auth),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
  });

  it('refuses a token signed with the right secret but without our issuer and audience', async () => {
    const user = await registerUser(t);
    const foreign = new JwtService().sign(
      { sub: user.id, role: 'user', jti: '00000000-0000-4000-8000-0000000000ab', auth_time: 1 },
      { secret: t.config.auth.jwtSecret, expiresIn: 600 },
    );
    await t.http().get('/auth/me').set('Authorization', `Bearer ${foreign}`).expect(401);
    const payload = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE });
  });
});

describe('the last admin (e2e, own database)', () => {
  let t: TestApp;
  beforeAll(async () => {
    const url = await createScratchDatabase('fincoach_admins');
    await runMigrations(url);
    t = await createTestApp({ DATABASE_URL: url });
  });
  afterAll(async () => t.close());

  it('cannot be demoted or deactivated; once there is another, it can', async () => {
    const admin = await registerAdmin(t);
    const demote = await t.http().patch(`/auth/users/${admin.id}`).set(admin.auth).send({ role: 'user' }).expect(409);
    expect(demote.body.detail).toMatch(/last active admin/);
    await t.http().patch(`/auth/users/${admin.id}`).set(admin.auth).send({ is_active: false }).expect(409);
    const other = await registerAdmin(t);
    await t.http().patch(`/auth/users/${admin.id}`).set(other.auth).send({ role: 'user' }).expect(200);
    await t.http().patch(`/auth/users/${other.id}`).set(other.auth).send({ role: 'user' }).expect(409);
  });
});
