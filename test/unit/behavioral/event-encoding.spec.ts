import { distinctUserIds, encodeEvent, userIdOf } from '../../../src/behavioral/event-encoding';
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

describe('event encoding (COPY text format)', () => {
  it('encodes an event as one line: the columns in order, tab-separated, NULL as \\N', () => {
    expect(encodeEvent(event)).toBe(
      `${event.id}\t${event.userId}\tpage_view\t\\N\tabc\t{"page_url":"/x"}\t2026-11-25T10:00:00.123Z\n`,
    );
  });

  it('escapes backslashes, tabs and line breaks in every text column, so a line stays one row', () => {
    const line = encodeEvent({
      ...event,
      eventSubtype: 'a\tb',
      sessionId: 'c\\d',
      eventData: { note: 'say "hi"\n\tbye \\o/' },
    });
    expect(line.split('\n')).toHaveLength(2); // the row, then the empty rest after its terminator
    expect(line.split('\t')).toHaveLength(7);
    expect(line).toContain('\ta\\tb\tc\\\\d\t');
    // JSON already writes the line break and tab as \n and \t; COPY then needs each backslash doubled.
    expect(line).toContain('{"note":"say \\\\"hi\\\\"\\\\n\\\\tbye \\\\\\\\o/"}');
  });

  it('reuses the payload JSON it is given instead of serializing again', () => {
    expect(encodeEvent(event, '{"given":true}')).toContain('\tabc\t{"given":true}\t');
  });

  it('finds the user id at its fixed offset, and the distinct users of a batch in order of appearance', () => {
    const other = { ...event, userId: '22222222-2222-4222-8222-222222222222' };
    const rows = [event, event, other, event].map((e) => encodeEvent(e));
    expect(userIdOf(rows[2])).toBe(other.userId);
    expect(distinctUserIds(rows)).toEqual([event.userId, other.userId]);
  });
});
