import { randomUUID } from 'node:crypto';

import { BehavioralAnalyticsService } from '../../src/behavioral/behavioral-analytics.service';
import { SegmentsService } from '../../src/coaching/segments.service';
import { PERCENTILE_BUCKET } from '../../src/common/peer-privacy';
import { createTestApp, registerUser, type TestApp } from '../helpers/test-app';
import { seedHistory, typicalHistory } from '../helpers/transactions';

/** Issue 15 item 7: peer statistics must not let a user recover a peer's balance by probing. */
describe('peer statistics resist probing (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ SEGMENT_REFRESHES_PER_HOUR: '2' });
  });
  afterAll(async () => t.close());

  /** A user stored in `segmentId` with the given features, straight into the database. */
  async function storedMember(segmentId: number, features: Record<string, number>): Promise<string> {
    const user = await t.prisma.user.create({
      data: { email: `peer-${randomUUID()}@example.com`, passwordHash: 'x', firstName: 'P', lastName: 'Q' },
    });
    await t.prisma.userSegment.create({
      data: { userId: user.id, segmentId, segmentName: 'probe', confidence: 1, features },
    });
    return user.id;
  }

  /** A segment id no stored user has yet (so counts start at zero, on a reused test database too). */
  async function unusedSegmentId(): Promise<number> {
    const { _max } = await t.prisma.userSegment.aggregate({ _max: { segmentId: true } });
    return Math.max(9000, _max.segmentId ?? 0) + 1;
  }

  it('answers a balance sweep with quartile steps at bin edges, never one step per peer', async () => {
    const segmentId = await unusedSegmentId();
    const peerBalances = [100, 200, 400, 800, 1000.5, 1600, 3200, 6400, 12800];
    for (const balance of peerBalances)
      await storedMember(segmentId, { current_balance: balance, savings_rate: 0.1, spending_volatility: 20 });
    const attacker = await storedMember(segmentId, { current_balance: 0, savings_rate: 0.1, spending_volatility: 20 });
    const segments = t.app.get(SegmentsService);
    const percentileAt = async (balance: number) => {
      await t.prisma.userSegment.update({
        where: { userId: attacker },
        data: { features: { current_balance: balance, savings_rate: 0.1, spending_volatility: 20 } },
      });
      const stats = await segments.peerStats(attacker, segmentId);
      expect(stats).not.toBeNull();
      return stats!.percentiles.balance_percentile;
    };

    // The attacker moves their own balance across every peer's: exact percentiles would step once
    // per peer (10 distinct answers) and bisection would pin each balance to the cent.
    const answers = new Set<number>();
    for (let balance = 50; balance <= 20_000; balance *= 1.1) answers.add(await percentileAt(balance));
    expect(answers.size).toBeLessThanOrEqual(1 / PERCENTILE_BUCKET + 1);
    for (const p of answers) expect(p / PERCENTILE_BUCKET).toBe(Math.round(p / PERCENTILE_BUCKET));

    // Just below and just above a peer's exact balance (1000.5) the answer is the same.
    expect(await percentileAt(1000.49)).toBe(await percentileAt(1000.51));
  });

  it('shows peers only as aggregates of at least 5 users', async () => {
    const segmentId = await unusedSegmentId();
    const attacker = await storedMember(segmentId, { current_balance: 10, savings_rate: 0, spending_volatility: 1 });
    const segments = t.app.get(SegmentsService);
    for (let i = 0; i < 4; i++)
      await storedMember(segmentId, { current_balance: 100 * i, savings_rate: 0, spending_volatility: 1 });
    expect(await segments.peerStats(attacker, segmentId)).toBeNull();
    await storedMember(segmentId, { current_balance: 500, savings_rate: 0, spending_volatility: 1 });
    expect(await segments.peerStats(attacker, segmentId)).toMatchObject({ peer_count: 5 });
  });

  it('compares 30-day activity with the segment’s (peers without events included), as quartiles of binned counts', async () => {
    const segmentId = await unusedSegmentId();
    const features = { current_balance: 1, savings_rate: 0, spending_volatility: 1 };
    const peerEvents = [0, 2, 5, 9, 40, 41];
    const events = (userId: string, n: number) =>
      Array.from({ length: n }, () => ({
        id: randomUUID(),
        userId,
        eventType: 'page_view',
        eventData: { page_url: '/x' },
        timestamp: new Date(),
      }));
    for (const n of peerEvents) {
      const peer = await storedMember(segmentId, features);
      await t.prisma.behavioralEvent.createMany({ data: events(peer, n) });
    }
    const me = await storedMember(segmentId, features);
    const analytics = t.app.get(BehavioralAnalyticsService);
    const activityAt = async (n: number) => {
      await t.prisma.behavioralEvent.deleteMany({ where: { userId: me } });
      await t.prisma.behavioralEvent.createMany({ data: events(me, n) });
      return analytics.peerEngagement(me);
    };
    expect(await activityAt(10)).toEqual({
      peer_count: 6, // the peer without events counts too
      peer_avg_events_30d: 16.2,
      user_events_30d: 10,
      activity_percentile: 0.5, // 3 of 6 peers in lower bins (9 events shares the bin of 10)
    });
    // 40 and 41 events share a bin: one event more or less beside a peer's count reveals nothing.
    expect((await activityAt(40))!.activity_percentile).toBe((await activityAt(42))!.activity_percentile);
  });

  it('limits the recomputations a user can cause: refresh-segment answers 429, reads keep the stored segment', async () => {
    const user = await registerUser(t);
    await seedHistory(t, user.id, typicalHistory(), 1000);
    await t.http().post('/coaching/refresh-segment').set(user.auth).expect(200);
    await t.http().post('/coaching/refresh-segment').set(user.auth).expect(200);
    const refused = await t.http().post('/coaching/refresh-segment').set(user.auth).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // New data would recompute the segment on read; with the allowance used up the stored one is served.
    const before = await t.prisma.userSegment.findUniqueOrThrow({ where: { userId: user.id } });
    await seedHistory(t, user.id, [{ daysAgo: 0, amount: -5000, category: 'shopping' }], 0);
    await t.http().get('/coaching/user-segment').set(user.auth).expect(200);
    const after = await t.prisma.userSegment.findUniqueOrThrow({ where: { userId: user.id } });
    expect(after.updatedAt).toEqual(before.updatedAt);

    // Another user is not affected.
    const other = await registerUser(t);
    await seedHistory(t, other.id, typicalHistory(), 1000);
    await t.http().post('/coaching/refresh-segment').set(other.auth).expect(200);
  });

  it('counts recomputations on every replica alike, and a new hour gives a new allowance', async () => {
    const replica = await createTestApp({ SEGMENT_REFRESHES_PER_HOUR: '2' });
    try {
      const user = await registerUser(t);
      await seedHistory(t, user.id, typicalHistory(), 1000);
      await t.http().post('/coaching/refresh-segment').set(user.auth).expect(200);
      await replica.http().post('/coaching/refresh-segment').set(user.auth).expect(200);
      await t.http().post('/coaching/refresh-segment').set(user.auth).expect(429);
      await replica.http().post('/coaching/refresh-segment').set(user.auth).expect(429);

      // The window began over an hour ago: the allowance is whole again.
      await t.prisma.userSegment.update({
        where: { userId: user.id },
        data: { recomputeWindowStart: new Date(Date.now() - 3_601_000) },
      });
      await replica.http().post('/coaching/refresh-segment').set(user.auth).expect(200);
    } finally {
      await replica.close();
    }
  });
});
