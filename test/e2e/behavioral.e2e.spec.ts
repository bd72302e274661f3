import { createServer, Socket, type Server } from 'node:net';
import { BehavioralEventService } from '../../src/behavioral/behavioral-event.service';
import { EventBatcher } from '../../src/behavioral/event-batcher';
import { EventCaptureService } from '../../src/behavioral/event-capture.service';
import { EVENT_SINK, EventPipeline, type ClosableEventSink } from '../../src/behavioral/event-pipeline';
import type { BehavioralEventRecord } from '../../src/behavioral/event-validator';
import { classifyDatabaseError, PostgresEventSink } from '../../src/behavioral/postgres-event-sink';
import { uuid7 } from '../../src/behavioral/uuid7';
import { createTestApp, registerAdmin, registerUser, type TestApp, type TestUser } from '../helpers/test-app';

/** Polls (no timing assertion) until the condition holds; fails the test after 10 s. */
async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function pipelineOf(t: TestApp): EventPipeline {
  return t.app.get(EventPipeline);
}

/** Waits until `n` more events were handed to the pipeline (the interceptor records after the response), then flushes. */
async function settle(t: TestApp, handledBefore: number, n: number): Promise<void> {
  const p = pipelineOf(t);
  await waitFor(() => handled(p) >= handledBefore + n, `${n} event(s) to be captured`);
  expect(await p.batcher.flush(10_000)).toBe(true);
}

function handled(p: EventPipeline): number {
  const s = p.stats();
  return s.enqueued + Object.values(s.refused).reduce((a, b) => a + b, 0) + Object.values(s.dropped).reduce((a, b) => a + b, 0);
}

interface Row {
  event_type: string;
  event_subtype: string | null;
  session_id: string | null;
  event_data: Record<string, unknown>;
  json: string;
}

async function eventsOf(t: TestApp, userId: string): Promise<Row[]> {
  return t.prisma.$queryRaw<Row[]>`
    SELECT event_type, event_subtype, session_id, event_data, event_data::text AS json
    FROM behavioral_events WHERE user_id = ${userId}::uuid ORDER BY id`;
}

async function countOf(t: TestApp, userId: string): Promise<number> {
  const [{ n }] = await t.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM behavioral_events WHERE user_id = ${userId}::uuid`;
  return n;
}

/** Inserts events `daysAgo` in the past straight into the table (the API cannot backdate). */
async function seedEvents(t: TestApp, userId: string, type: string, count: number, daysAgo: number, interaction = 'view'): Promise<void> {
  await t.prisma.$executeRaw`
    INSERT INTO behavioral_events (id, user_id, event_type, event_data, "timestamp")
    SELECT gen_random_uuid(), ${userId}::uuid, ${type}, jsonb_build_object('interaction_type', ${interaction}::text),
           now() - make_interval(days => ${daysAgo}::int) - make_interval(secs => g)
    FROM generate_series(1, ${count}::int) AS g`;
}

describe('behavioural events (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('leaves no trace of passwords, secrets or the bearer token in behavioral_events', async () => {
    const user = await registerUser(t);
    const p = pipelineOf(t);
    const before = handled(p);
    await t
      .http()
      .put('/auth/profile')
      .set(user.auth)
      .send({ savings_goal: 250, password: 'Sup3rSecretPass', nested: { api_key: 'k-live-123', items: [{ refresh_token: 'tok-xyz-999' }] } })
      .expect(200);
    await t.http().get('/auth/me').set(user.auth).set('Authorization', user.auth.Authorization).expect(200);
    // Domain events go through the same filter: nested secret keys in any case, in arrays too.
    t.app.get(EventCaptureService).goalChange(user.id, 'update', null, {
      extra: { details: { User_Password: 'pw-nested-1', list: [{ SECRET: 'pw-nested-2', ok: 'kept-value' }], cvv: '123' } },
    });
    await settle(t, before, 3);
    // Credential exchanges are never tracked (and have no user): login with the password.
    await t.http().post('/auth/login').send({ email: user.email, password: user.password }).expect(200);

    const rows = await eventsOf(t, user.id);
    expect(rows).toHaveLength(3);
    const all = rows.map((r) => r.json).join('\n');
    for (const secret of ['Sup3rSecretPass', 'k-live-123', 'tok-xyz-999', 'pw-nested-1', 'pw-nested-2', user.token, user.password, '"cvv"']) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/password|authorization|bearer/i);
    expect(all).toContain('kept-value');
    const profile = rows.find((r) => r.event_subtype === 'profile_update')!;
    expect(profile).toMatchObject({ event_type: 'goal_modification', event_data: { route: '/auth/profile', changed_fields: ['savings_goal'], status_code: 200 } });
    expect(rows.some((r) => (r.event_data.route as string)?.startsWith('/auth/login'))).toBe(false);
  });

  it('records route patterns (never raw ids), status (errors too), duration and the session id', async () => {
    const admin = await registerAdmin(t);
    const other = await registerUser(t);
    const p = pipelineOf(t);
    const before = handled(p);
    await t.http().patch(`/auth/users/${other.id}`).set(admin.auth).set('x-session-id', 'sess-header-1').send({ is_active: true }).expect(200);
    await t.http().put('/auth/profile').set(admin.auth).set('Cookie', 'theme=dark; session_id=sess-cookie-2').send({ risk_tolerance: 'extreme' }).expect(422);
    await t.http().get('/auth/profile').set(admin.auth).expect(200);
    await settle(t, before, 3);
    // Not tracked: health/docs/info, and requests without a user.
    await t.http().get('/health').set(admin.auth).expect(200);
    await t.http().get('/info').set(admin.auth).expect(200);
    await t.http().get('/auth/me').expect(401);

    const rows = await eventsOf(t, admin.id);
    expect(rows).toHaveLength(3);
    const [patch, invalid, view] = rows;
    expect(patch).toMatchObject({ event_type: 'interaction', session_id: 'sess-header-1', event_data: { route: '/auth/users/:id', method: 'PATCH', status_code: 200, params: { id: other.id } } });
    expect(patch.json).not.toContain(`/auth/users/${other.id}`);
    expect(typeof patch.event_data.duration_ms).toBe('number');
    expect(invalid).toMatchObject({ event_type: 'interaction', session_id: 'sess-cookie-2', event_data: { status_code: 422, outcome: 'client_error', changed_fields: ['risk_tolerance'] } });
    expect(view).toMatchObject({ event_type: 'page_view', event_subtype: 'profile_view', event_data: { interaction_type: 'view' } });
    expect(view.session_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the behavioural endpoints in the reference shapes, never showing another user’s events', async () => {
    const a = await registerUser(t);
    const b = await registerUser(t);
    // A: a steady baseline (days 8-37) of page views, then a busy recent week and a new type.
    await seedEvents(t, a.id, 'page_view', 30, 10);
    await seedEvents(t, a.id, 'page_view', 40, 2);
    await seedEvents(t, a.id, 'purchase', 3, 1, 'purchase');
    await seedEvents(t, b.id, 'goal_modification', 5, 1, 'update');

    const insights = await t.http().get('/coaching/behavioral-insights').set(a.auth).expect(200);
    expect(insights.body).toMatchObject({ user_id: a.id, segment_info: null, behavior_data: { user_id: a.id, period_days: 30, total_events: 73, behavior_diversity: 2 } });
    expect(insights.body.behavior_data.event_counts).toEqual({ page_view: 70, purchase: 3 });
    expect(insights.body.behavior_data.interaction_patterns).toEqual({ page_view: { view: 70 }, purchase: { purchase: 3 } });
    // (70·1 + 3·5) / (73·5)
    expect(insights.body.behavior_data.engagement_score).toBeCloseTo(0.233, 3);

    const week = await t.http().get('/coaching/behavioral-events').set(a.auth).expect(200);
    expect(week.body).toMatchObject({ period_days: 7, total_events: 43, event_counts: { page_view: 40, purchase: 3 } });
    const filtered = await t.http().get('/coaching/behavioral-events?days=30&event_type=purchase').set(a.auth).expect(200);
    expect(filtered.body).toMatchObject({ total_events: 73, event_counts: { purchase: 3 }, interaction_patterns: { purchase: { purchase: 3 } } });
    expect(Object.keys(filtered.body.event_counts)).toEqual(['purchase']);

    const changes = await t.http().get('/coaching/behavior-changes').set(a.auth).expect(200);
    expect(changes.body).toMatchObject({ user_id: a.id, change_count: 2, baseline_sufficient: true, baseline_events: 30 });
    expect(changes.body.behavior_changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'increased_activity', event_type: 'page_view', change_ratio: 5.71 }),
        expect.objectContaining({ type: 'new_behavior_pattern', pattern: 'purchase' }),
      ]),
    );

    // B has only recent events: no baseline, so no false "×4" change; and none of A's events.
    const bChanges = await t.http().get('/coaching/behavior-changes').set(b.auth).expect(200);
    expect(bChanges.body).toMatchObject({ change_count: 0, baseline_sufficient: false });
    const bWeek = await t.http().get('/coaching/behavioral-events?days=30').set(b.auth).expect(200);
    expect(bWeek.body).toMatchObject({ user_id: b.id, total_events: 5, event_counts: { goal_modification: 5 } });
    expect(bWeek.body.engagement_score).toBe(0.8);
  });

  it('compares a user with the peers of their segment, and reports segment_info', async () => {
    const [me, peerLow, peerHigh, outsider] = await Promise.all([registerUser(t), registerUser(t), registerUser(t), registerUser(t)]);
    const segment = 9000 + Math.floor(Math.random() * 100000);
    for (const [u, id] of [[me, segment], [peerLow, segment], [peerHigh, segment], [outsider, segment + 1]] as const) {
      await t.prisma.userSegment.create({ data: { userId: u.id, segmentId: id, segmentName: `Segment ${id}`, confidence: 0.9 } });
    }
    await seedEvents(t, me.id, 'page_view', 4, 1);
    await seedEvents(t, me.id, 'purchase', 1, 1, 'purchase'); // 5 events, engagement (4+5)/25 = 0.36
    await seedEvents(t, peerLow.id, 'page_view', 2, 1); // 2 events, 0.2
    await seedEvents(t, peerHigh.id, 'purchase', 10, 1, 'purchase'); // 10 events, 1.0
    await seedEvents(t, outsider.id, 'purchase', 50, 1, 'purchase');
    await seedEvents(t, peerLow.id, 'page_view', 100, 45); // outside the 30-day window

    const cmp = await t.app.get(BehavioralEventService).peerComparison(me.id);
    expect(cmp).toEqual({
      segment_id: segment,
      period_days: 30,
      peer_count: 2,
      user: { total_events: 5, engagement_score: 0.36 },
      peer_averages: { total_events: 6, engagement_score: 0.6 },
      percentiles: { total_events: 0.5, engagement_score: 0.5 },
    });
    const noSegment = await t.app.get(BehavioralEventService).peerComparison((await registerUser(t)).id);
    expect(noSegment).toMatchObject({ segment_id: null, peer_count: 0, peer_averages: null });

    const insights = await t.http().get('/coaching/behavioral-insights').set(me.auth).expect(200);
    expect(insights.body.segment_info).toMatchObject({ segment_id: segment, segment_name: `Segment ${segment}`, confidence: 0.9 });
  });

  it('purges events older than the retention period in bounded chunks', async () => {
    const user = await registerUser(t);
    await seedEvents(t, user.id, 'page_view', 23, 400);
    await seedEvents(t, user.id, 'page_view', 5, 10);
    const [{ n: oldElsewhere }] = await t.prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM behavioral_events WHERE "timestamp" < now() - interval '365 days' AND user_id <> ${user.id}::uuid`;
    const deleted = await t.app.get(BehavioralEventService).purgeOlderThan(365, 7);
    expect(deleted).toBe(23 + oldElsewhere);
    expect(await countOf(t, user.id)).toBe(5);
  });

  it('refuses bad query parameters with a 422 naming the field', async () => {
    const user = await registerUser(t);
    const days = await t.http().get('/coaching/behavioral-events?days=0').set(user.auth).expect(422);
    expect(days.body.detail[0].loc).toEqual(['query', 'days']);
    const type = await t.http().get('/coaching/behavioral-events?event_type=clicks').set(user.auth).expect(422);
    expect(type.body.detail[0].loc).toEqual(['query', 'event_type']);
  });

  it('tracks a transaction event only for the owner’s transaction (F14)', async () => {
    const owner = await registerUser(t);
    const stranger = await registerUser(t);
    const wallet = await t.prisma.wallet.create({ data: { userId: owner.id } });
    const tx = await t.prisma.transaction.create({
      data: { userId: owner.id, walletId: wallet.id, transactionType: 'debit', amount: '12.50', category: 'groceries', description: 'shop', balanceAfter: '987.50' },
    });
    const p = pipelineOf(t);
    await t.http().post(`/financial/track-transaction-event?transaction_id=${tx.id}&event_type=view`).set(stranger.auth).expect(404);
    const bad = await t.http().post(`/financial/track-transaction-event?transaction_id=${tx.id}&event_type=explode`).set(owner.auth).expect(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'event_type']);
    await t.http().post('/financial/track-transaction-event?transaction_id=nope&event_type=view').set(owner.auth).expect(422);

    const before = handled(p);
    const ok = await t.http().post(`/financial/track-transaction-event?transaction_id=${tx.id}&event_type=analyze`).set(owner.auth).expect(200);
    expect(ok.body).toEqual({ message: 'Transaction event tracked', transaction_id: tx.id, event_type: 'analyze', queued: true });
    await settle(t, before, 1);
    const rows = await eventsOf(t, owner.id);
    // Exactly one event: the endpoint's own (the generic request event is skipped there).
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_type: 'transaction_interaction', event_subtype: 'transaction_analyze', event_data: { transaction_id: tx.id, interaction_type: 'analyze' } });
    expect(await countOf(t, stranger.id)).toBe(0);
  });

  it('answers exactly the same when the event sink fails or capture throws', async () => {
    const user = await registerUser(t);
    const p = pipelineOf(t);
    const requests = async () => [
      await t.http().get('/auth/me').set(user.auth),
      await t.http().get('/auth/profile').set(user.auth),
      await t.http().get('/coaching/behavioral-events?days=abc').set(user.auth),
    ];
    const healthy = await requests();
    const sink = t.app.get<ClosableEventSink>(EVENT_SINK);
    const write = jest.spyOn(sink, 'write').mockRejectedValue(Object.assign(new Error('relation does not exist'), { code: '42P01' }));
    const submit = jest.spyOn(p, 'submit');
    try {
      const failingSink = await requests();
      submit.mockImplementation(() => {
        throw new Error('capture exploded');
      });
      const throwing = await requests();
      for (const run of [failingSink, throwing]) {
        run.forEach((res, i) => {
          expect(res.status).toBe(healthy[i].status);
          expect({ ...res.body, request_id: undefined }).toEqual({ ...healthy[i].body, request_id: undefined });
        });
      }
    } finally {
      submit.mockRestore();
      write.mockRestore();
    }
    await p.batcher.flush(10_000);
  });

  it('keeps events through terminated database connections (retried, nothing lost)', async () => {
    const user = await registerUser(t);
    const p = pipelineOf(t);
    const capture = t.app.get(EventCaptureService);
    capture.search(user.id, 'warm up', 'products');
    await p.batcher.flush(10_000);
    // Kill the sink's pooled connections server-side (what a PostgreSQL restart does to them).
    await t.prisma.$queryRaw`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fincoach-events'`;
    for (let i = 0; i < 40; i++) capture.search(user.id, `term ${i}`, 'products');
    expect(await p.batcher.flush(15_000)).toBe(true);
    expect(await countOf(t, user.id)).toBe(41);
  });
});

describe('behavioural event pipeline under failure (e2e)', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t);
  });
  afterAll(async () => t.close());

  function record(i: number, userId = user.id): BehavioralEventRecord {
    return {
      id: uuid7(),
      userId,
      eventType: 'page_view',
      eventSubtype: 'outage_test',
      sessionId: null,
      json: JSON.stringify({ route: '/x', interaction_type: 'view', i }),
      timestamp: new Date(),
      critical: false,
    };
  }

  it('loses nothing below the cap while PostgreSQL is unreachable, then writes everything once it is back', async () => {
    // A TCP proxy between the sink and PostgreSQL that we can take down: a real outage
    // (connection refused / reset), not a mocked error.
    const target = new URL(t.config.database.url!);
    const sockets = new Set<Socket>();
    let server: Server | null = null;
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const up = () =>
      new Promise<void>((resolve) => {
        server = createServer((client) => {
          const upstream = new Socket();
          upstream.connect(Number(target.port), target.hostname);
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const end = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', end).on('close', end);
          upstream.on('error', end).on('close', end);
        }).listen(port, '127.0.0.1', () => resolve());
      });
    const down = () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server!.close(() => resolve());
      });

    await up();
    const proxied = new URL(t.config.database.url!);
    proxied.port = String(port);
    const sink = new PostgresEventSink(proxied.toString(), { connectionTimeoutMillis: 1000 });
    const batcher = new EventBatcher(sink, { batchSize: 100, flushIntervalMs: 50, queueCap: 1000, baseBackoffMs: 20, maxBackoffMs: 200, classify: classifyDatabaseError });
    batcher.start();
    try {
      for (let i = 0; i < 50; i++) batcher.enqueue(record(i));
      expect(await batcher.flush(10_000)).toBe(true);
      await down();
      for (let i = 50; i < 350; i++) batcher.enqueue(record(i));
      await waitFor(() => batcher.stats().retried >= 3, 'retries during the outage');
      expect(batcher.stats().written).toBe(50);
      await up();
      expect(await batcher.flush(15_000)).toBe(true);
      expect(await countOf(t, user.id)).toBe(350);
      expect(batcher.stats()).toMatchObject({ written: 350, queue_depth: 0, dropped: { queue_full: 0, permanent_error: 0, shutdown_timeout: 0, stopped: 0 } });
    } finally {
      await batcher.stop(1000);
      await sink.close();
      if (server) await down();
    }
  });
});

describe('behavioural event pipeline bounds and shutdown (e2e)', () => {
  it('drops and counts beyond the queue cap instead of growing', async () => {
    const t = await createTestApp({ EVENTS_QUEUE_CAP: '10', EVENTS_BATCH_SIZE: '50000', EVENTS_FLUSH_INTERVAL_MS: '60000' });
    try {
      const user = await registerUser(t);
      const p = pipelineOf(t);
      const capture = t.app.get(EventCaptureService);
      const accepted = Array.from({ length: 25 }, (_, i) => capture.search(user.id, `q${i}`, 'transactions'));
      expect(accepted.filter(Boolean)).toHaveLength(10);
      expect(p.stats()).toMatchObject({ queue_depth: 10, queue_cap: 10, dropped: { queue_full: 15 }, status: 'degraded' });
      expect(await p.batcher.flush(10_000)).toBe(true);
      expect(await countOf(t, user.id)).toBe(10);
      // The figures reach operators (admin only).
      const admin = await registerAdmin(t);
      const health = await t.http().get('/coaching/event-pipeline-health').set(admin.auth).expect(200);
      expect(health.body).toMatchObject({ written: 10, dropped: { queue_full: 15 }, queue_depth: 0 });
      await t.http().get('/coaching/event-pipeline-health').set(user.auth).expect(403);
    } finally {
      await t.close();
    }
  });

  it('writes a full queue on app.close(): nothing lost', async () => {
    const t = await createTestApp({ EVENTS_BATCH_SIZE: '50000', EVENTS_FLUSH_INTERVAL_MS: '60000' });
    const user = await registerUser(t);
    const capture = t.app.get(EventCaptureService);
    for (let i = 0; i < 5000; i++) capture.search(user.id, `shutdown ${i}`, 'products');
    expect(pipelineOf(t).stats().queue_depth).toBe(5000);
    await t.close();

    const check = await createTestApp();
    try {
      expect(await countOf(check, user.id)).toBe(5000);
    } finally {
      await check.close();
    }
  });
});
