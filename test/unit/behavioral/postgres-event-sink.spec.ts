import { encodeEvent, isTransientDatabaseError } from '../../../src/behavioral/postgres-event-sink';
import type { BehavioralEventRecord } from '../../../src/behavioral/event-validator';

const event: BehavioralEventRecord = {
  id: '0192f5a0-0000-7000-8000-000000000001',
  userId: '11111111-1111-4111-8111-111111111111',
  eventType: 'page_view',
  eventSubtype: null,
  sessionId: 'abc',
  eventData: { page_url: '/x' },
  timestamp: new Date('2026-11-25T10:00:00.123Z'),
};

describe('PostgresEventSink encoding (COPY text format)', () => {
  it('encodes an event as one line: the columns in order, tab-separated, NULL as \\N', () => {
    expect(encodeEvent(event)).toBe(`${event.id}\t${event.userId}\tpage_view\t\\N\tabc\t{"page_url":"/x"}\t2026-11-25T10:00:00.123Z\n`);
  });

  it('escapes backslashes, tabs and line breaks in every text column, so a line stays one row', () => {
    const line = encodeEvent({ ...event, eventSubtype: 'a\tb', sessionId: 'c\\d', eventData: { note: 'say "hi"\n\tbye \\o/' } });
    expect(line.split('\n')).toHaveLength(2); // the row, then the empty rest after its terminator
    expect(line.split('\t')).toHaveLength(7);
    expect(line).toContain('\ta\\tb\tc\\\\d\t');
    // JSON already writes the line break and tab as \n and \t; COPY then needs each backslash doubled.
    expect(line).toContain('{"note":"say \\\\"hi\\\\"\\\\n\\\\tbye \\\\\\\\o/"}');
  });
});

describe('isTransientDatabaseError', () => {
  it('retries connection-level failures and gives up on bad data', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('terminated'), { code: '08006' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransientDatabaseError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' }))).toBe(false);
    expect(isTransientDatabaseError(Object.assign(new Error('null value violates not-null constraint'), { code: '23502' }))).toBe(false);
  });
});
