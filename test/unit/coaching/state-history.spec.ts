import { historyStillCurrent } from '../../../src/coaching/state-history';
import { STALE_HISTORY_DAYS } from '../../../src/ml/features/spending-history';

const DAY = 86_400_000;
const now = new Date('2026-12-02T10:00:00Z');
const daysBefore = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

describe('historyStillCurrent', () => {
  it('keeps an answer whose history is still recent', () => {
    expect(historyStillCurrent({ history_through: daysBefore(3), history_stale: false }, now)).toBe(true);
    expect(historyStillCurrent({ history_through: daysBefore(STALE_HISTORY_DAYS), history_stale: false }, now)).toBe(
      true,
    );
  });

  it('refuses an answer computed while the history was recent once it has gone silent too long', () => {
    expect(
      historyStillCurrent({ history_through: daysBefore(STALE_HISTORY_DAYS + 0.01), history_stale: false }, now),
    ).toBe(false);
  });

  it('keeps an answer that already described the last days of a stale history, and one with no history', () => {
    expect(historyStillCurrent({ history_through: daysBefore(200), history_stale: true }, now)).toBe(true);
    expect(historyStillCurrent({ history_through: null, history_stale: false }, now)).toBe(true);
  });
});
