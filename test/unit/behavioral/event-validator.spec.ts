import { EventValidator, type EventInput } from '../../../src/behavioral/event-validator';

const USER = '0190a000-0000-7000-8000-000000000001';
const ok: EventInput = { userId: USER, eventType: 'page_view', eventSubtype: 'wallet_view', sessionId: 's1', data: { route: '/financial/wallet', interaction_type: 'view' } };

describe('EventValidator', () => {
  it('accepts a valid event, serialises it once and marks critical types', () => {
    const v = new EventValidator(1024);
    const page = v.validate(ok);
    expect(page).toMatchObject({ ok: true, record: { userId: USER, eventType: 'page_view', critical: false } });
    expect(page.ok && JSON.parse(page.record.json)).toEqual(ok.data);
    const purchase = v.validate({ ...ok, eventType: 'purchase', eventSubtype: 'product_purchase', data: { interaction_type: 'purchase', product_id: 'p1', quantity: 2 } });
    expect(purchase).toMatchObject({ ok: true, record: { critical: true } });
  });

  it.each<[string, Partial<EventInput>, string]>([
    ['no user', { userId: null }, 'missing_user'],
    ['a user id that is not a UUID', { userId: 'admin' }, 'missing_user'],
    ['an unknown type', { eventType: 'mouse_move' }, 'unknown_type'],
    ['a page view without route', { data: { interaction_type: 'view' } }, 'invalid_payload'],
    ['no interaction type', { data: { route: '/x' } }, 'invalid_payload'],
    ['a transaction interaction without transaction id', { eventType: 'transaction_interaction', data: { interaction_type: 'view' } }, 'invalid_payload'],
    ['a search without a term', { eventType: 'search', data: { interaction_type: 'search' } }, 'invalid_payload'],
    ['a malformed subtype', { eventSubtype: 'Wallet View!' }, 'invalid_payload'],
    ['a session id over 64 characters', { sessionId: 's'.repeat(65) }, 'invalid_payload'],
    ['an oversized payload', { data: { route: '/x', interaction_type: 'view', blob: 'é'.repeat(600) } }, 'oversized'],
  ])('refuses %s and counts it by reason', (_label, change, reason) => {
    const v = new EventValidator(1024);
    expect(v.validate({ ...ok, ...change })).toEqual({ ok: false, reason });
    expect(v.refusals()[reason as keyof ReturnType<typeof v.refusals>]).toBe(1);
    expect(Object.values(v.refusals()).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('measures size in UTF-8 bytes, not characters', () => {
    const v = new EventValidator(300);
    // 200 characters, 400 bytes.
    expect(v.validate({ ...ok, data: { route: '/x', interaction_type: 'view', s: 'é'.repeat(200) } })).toEqual({ ok: false, reason: 'oversized' });
  });

  it('never throws: a payload JSON cannot serialise is refused', () => {
    const v = new EventValidator(1024);
    const data: Record<string, unknown> = { route: '/x', interaction_type: 'view' };
    data.self = data;
    expect(v.validate({ ...ok, data })).toEqual({ ok: false, reason: 'invalid_payload' });
  });
});
