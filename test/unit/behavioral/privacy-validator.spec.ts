import {
  detectChanges,
  engagementScore,
  MIN_BASELINE_EVENTS,
} from '../../../src/behavioral/behavioral-analytics.service';
import { amountBucket } from '../../../src/behavioral/event-capture.service';
import { classifyRequest, isTracked } from '../../../src/behavioral/event-types';
import { EventValidator } from '../../../src/behavioral/event-validator';
import { PrivacyFilter } from '../../../src/behavioral/privacy-filter';
import { uuid7 } from '../../../src/behavioral/uuid7';

describe('PrivacyFilter', () => {
  const filter = new PrivacyFilter({ maxStringLength: 20 });

  it('drops secret keys at any depth and in arrays, whatever their case', () => {
    const out = filter.filter({
      Password: 'x',
      user: { email: 'a@b.c', newPwd: 'y', profile: { API_KEY: 'k', Authorization: 'Bearer t', note: 'ok' } },
      cards: [{ credit_card: '4111', cvv: '123', last4: '1111' }],
      access_token: 't',
      ssn: '1',
      client_secret: 's',
    });
    expect(out).toEqual({ user: { profile: { note: 'ok' } }, cards: [{ last4: '1111' }] });
    expect(JSON.stringify(out)).not.toMatch(/4111|Bearer|"x"|"k"/);
  });

  it('checks keys after removing NULs, invisible characters, separators and case', () => {
    const keys = [
      'pass\u0000word',
      'pass\u200bword',
      'ＰＡＳＳＷＯＲＤ',
      'cardNumber',
      'card-number',
      'passwd',
      'cvc',
      'pin',
      'userPin',
      'PIN_code',
      'iban',
      'e-mail',
      'email',
      'phone',
      'phoneNumber',
      'mobile',
    ];
    expect(filter.filter(Object.fromEntries(keys.map((k) => [k, 'v'])))).toEqual({});
    // Whole-word checks do not catch innocent keys that merely contain the letters.
    expect(filter.filter({ shipping: 'x', spinner: 'y', category: 'z', hotel: 'w' })).toEqual({
      shipping: 'x',
      spinner: 'y',
      category: 'z',
      hotel: 'w',
    });
  });

  it('replaces card numbers, e-mail addresses, IBANs and phone numbers found in values', () => {
    const wide = new PrivacyFilter();
    const out = wide.filter({
      search: 'pay 4111 1111 1111 1111 now',
      term: 'ada@example.com',
      note: 'IBAN DE89 3704 0044 0532 0130 00 please',
      call: 'call +44 20 7946 0958 today',
      us: '555-123-4567',
      list: ['5500-0000-0000-0004'],
    });
    expect(out).toEqual({
      search: 'pay [card] now',
      term: '[email]',
      note: 'IBAN [iban] please',
      call: 'call [phone] today',
      us: '[phone]',
      list: ['[card]'],
    });
    // Numbers that are not personal stay: not Luhn-valid, dates, amounts, ids.
    const kept = {
      id: '4111111111111112',
      date: '2024-01-15',
      amount: '1234.56',
      order: 'order 12345',
      uuid: '0192e4a0-7c1d-7e3a-9f00-123456789abc',
    };
    expect(wide.filter(kept)).toEqual(kept);
  });

  it('truncates long strings and bounds depth and size', () => {
    expect(filter.filter({ text: 'a'.repeat(50) })).toEqual({ text: `${'a'.repeat(20)}…` });
    const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
    expect(JSON.stringify(filter.filter(deep))).toContain('too deep');
    expect((filter.filter({ list: Array.from({ length: 100 }, (_, i) => i) }) as { list: number[] }).list).toHaveLength(
      50,
    );
    expect(filter.filter({ n: Number.NaN, f: () => 1 })).toEqual({ n: null, f: null });
  });

  it('makes every string storable: no NUL characters, no half surrogate pairs, emoji never cut in two', () => {
    expect(filter.filter({ 'n\u0000ote': 'a\u0000b', lone: 'x\ud83dy', low: '\ude00z' })).toEqual({
      note: 'ab',
      lone: 'x\ufffdy',
      low: '\ufffdz',
    });
    const out = filter.filter({ text: `${'a'.repeat(19)}💶💶` }) as { text: string };
    expect(out.text).toBe(`${'a'.repeat(19)}…`); // the emoji would straddle the 20-character limit
    expect(filter.filter({ text: `${'a'.repeat(18)}💶💶` })).toEqual({ text: `${'a'.repeat(18)}💶…` });
  });
});

describe('EventValidator', () => {
  const base = () => ({
    id: uuid7(),
    userId: '11111111-1111-4111-8111-111111111111',
    eventSubtype: null,
    sessionId: null,
    timestamp: new Date(),
  });

  it('accepts well-formed events and refuses the rest by counted reason', () => {
    const v = new EventValidator(200);
    expect(v.accept({ ...base(), eventType: 'page_view', eventData: { page_url: '/x' } }) !== null).toBe(true);
    expect(v.accept({ ...base(), eventType: 'bogus', eventData: {} }) !== null).toBe(false);
    expect(
      v.accept({ ...base(), userId: undefined, eventType: 'page_view', eventData: { page_url: '/x' } }) !== null,
    ).toBe(false);
    expect(v.accept({ ...base(), eventType: 'page_view', eventData: { page_url: 'x'.repeat(500) } }) !== null).toBe(
      false,
    );
    expect(v.accept({ ...base(), eventType: 'purchase', eventData: {} }) !== null).toBe(false); // purchase needs an interaction_type
    expect(v.refused).toEqual({ unknown_type: 1, missing_user: 1, oversized: 1, invalid_payload: 1 });
  });

  it('checks the envelope every type shares: ids, subtype and session lengths, timestamp, payload object', () => {
    const v = new EventValidator(1000);
    const ok = { ...base(), eventType: 'page_view', eventData: { page_url: '/x' } };
    expect(v.accept(ok) !== null).toBe(true);
    expect(v.accept({ ...ok, id: 'not-a-uuid' }) !== null).toBe(false);
    expect(v.accept({ ...ok, userId: 'also-not-a-uuid' }) !== null).toBe(false);
    expect(v.accept({ ...ok, eventSubtype: 's'.repeat(51) }) !== null).toBe(false);
    expect(v.accept({ ...ok, sessionId: '' }) !== null).toBe(false);
    expect(v.accept({ ...ok, timestamp: new Date(Number.NaN) }) !== null).toBe(false);
    expect(v.accept({ ...ok, eventData: ['a'] as unknown as Record<string, unknown> }) !== null).toBe(false);
    expect(v.accept({ ...ok, eventData: { page_url: '' } }) !== null).toBe(false);
    expect(v.refused).toEqual({ unknown_type: 0, missing_user: 0, oversized: 0, invalid_payload: 7 });
  });

  it('measures payload size in UTF-8 bytes, not characters', () => {
    const v = new EventValidator(300);
    // 120 characters, 360 bytes: over the limit although .length is not.
    expect(v.accept({ ...base(), eventType: 'page_view', eventData: { page_url: '€'.repeat(120) } }) !== null).toBe(
      false,
    );
    expect(v.refused.oversized).toBe(1);
    expect(v.accept({ ...base(), eventType: 'page_view', eventData: { page_url: 'e'.repeat(120) } }) !== null).toBe(
      true,
    );
  });
});

describe('request classification', () => {
  it('excludes docs, health, info and credential endpoints and static files', () => {
    for (const path of [
      '/docs',
      '/docs/static/x',
      '/openapi.json',
      '/health',
      '/info',
      '/auth/login',
      '/auth/register',
      '/auth/refresh',
      '/coaching/enhanced-health',
      '/app.js',
    ]) {
      expect(isTracked(path)).toBe(false);
    }
    for (const path of ['/financial/health-summary', '/financial/transactions', '/coaching/recommendation', '/auth/me'])
      expect(isTracked(path)).toBe(true);
  });

  it('names requests by route pattern with the reference system’s endpoint names', () => {
    expect(classifyRequest('GET', '/financial/wallet')).toEqual({ type: 'page_view', subtype: 'wallet_view' });
    expect(classifyRequest('POST', '/financial/transactions').subtype).toBe('transaction_create');
    expect(classifyRequest('GET', '/products/:id').subtype).toBe('product_view');
    expect(classifyRequest('GET', '/coaching/segment-insights').subtype).toBe('get_coaching_segment-insights');
  });

  it('buckets amounts', () => {
    expect([5, 25, 75, 250, 750, 5000, -30].map(amountBucket)).toEqual([
      '<10',
      '10-50',
      '50-100',
      '100-500',
      '500-1000',
      '1000+',
      '10-50',
    ]);
  });

  it('makes time-ordered UUIDv7 ids', () => {
    const a = uuid7(1_000);
    const b = uuid7(2_000);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
    // Across several refills of the random pool: well-formed and never repeated.
    const ids = Array.from({ length: 5_000 }, () => uuid7(1_000));
    expect(new Set(ids).size).toBe(5_000);
    for (const id of ids) expect(id).toMatch(/^00000000-03e8-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('engagement and behaviour changes', () => {
  it('scores engagement with the contract weights, normalised to 0..1', () => {
    expect(engagementScore({})).toBe(0);
    expect(engagementScore({ page_view: 10 })).toBe(0.2);
    expect(engagementScore({ purchase: 3 })).toBe(1);
    expect(engagementScore({ page_view: 1, recommendation_interaction: 1, goal_modification: 1, purchase: 1 })).toBe(
      0.65,
    );
  });

  it('compares the last week with the weekly average of the 30 days before it', () => {
    const baseline = { page_view: 30, purchase: 6 }; // 7 and 1.4 per week
    const changes = detectChanges({ page_view: 20, purchase: 0, search: 3 }, baseline);
    expect(changes.map((c) => `${c.type}:${c.event_type}`).sort()).toEqual([
      'decreased_activity:purchase',
      'increased_activity:page_view',
      'new_behavior_pattern:search',
    ]);
    expect(changes.find((c) => c.event_type === 'page_view')?.change_ratio).toBeCloseTo(2.86, 2);
  });

  it('reports nothing for a user without a baseline (no false ×4 for new users)', () => {
    expect(detectChanges({ page_view: 40 }, {})).toEqual([]);
    expect(detectChanges({ page_view: 40 }, { page_view: MIN_BASELINE_EVENTS - 1 })).toEqual([]);
  });
});
