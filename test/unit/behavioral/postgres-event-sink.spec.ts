import { encodeEvent, eventBatchJson, isTransientDatabaseError } from '../../../src/behavioral/postgres-event-sink';
import type { BehavioralEventRecord } from '../../../src/behavioral/event-validator';

const event: BehavioralEventRecord = {
  id: '0192f5a0-0000-7000-8000-000000000001',
  userId: '11111111-1111-4111-8111-111111111111',
  eventType: 'page_view',
  eventSubtype: null,
  sessionId: 'abc',
  eventData: { page_url: '/x', nested: { quote: 'say "hi"\n' } },
  timestamp: new Date('2026-11-25T10:00:00.123Z'),
};

describe('PostgresEventSink encoding', () => {
  it('encodes an event as one row with the column names of the batch statement', () => {
    expect(JSON.parse(encodeEvent(event))).toEqual({
      id: event.id,
      user_id: event.userId,
      event_type: 'page_view',
      event_subtype: null,
      session_id: 'abc',
      event_data: { page_url: '/x', nested: { quote: 'say "hi"\n' } },
      ts: Date.parse('2026-11-25T10:00:00.123Z'),
    });
  });

  it('joins encoded rows into one JSON array, and an empty batch into an empty one', () => {
    const second = { ...event, id: '0192f5a0-0000-7000-8000-000000000002' };
    const batch = JSON.parse(eventBatchJson([encodeEvent(event), encodeEvent(second)]));
    expect(batch.map((row: { id: string }) => row.id)).toEqual([event.id, second.id]);
    expect(JSON.parse(eventBatchJson([]))).toEqual([]);
  });

  it('retries connection-level failures and gives up on bad data', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('terminated'), { code: '08006' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransientDatabaseError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' }))).toBe(false);
    expect(isTransientDatabaseError(Object.assign(new Error('null value violates not-null constraint'), { code: '23502' }))).toBe(false);
  });
});
