import type { FeatureTransaction } from '../../../src/ml/features/extract-features';
import { SEGMENT_FEATURE_NAMES, segmentFeatures } from '../../../src/ml/features/segment-features';
import { CONFIRM_DAYS, SWITCH_MARGIN, nextSegment } from '../../../src/ml/segment-hysteresis';
import { DISTINCTIVE_Z, labelSegments } from '../../../src/ml/segment-labels';

const DAY = 86_400_000;
const scaler = { median: [0.1, 1, 0.3, 0.2, 0.5], iqr: [0.2, 2, 0.2, 0.2, 0.4] };

describe('segment naming rule', () => {
  it('names each segment after the feature its centroid is furthest from the median on', () => {
    const labels = labelSegments(
      [
        [2, 0.1, 0, 0, 0], // saves far more than the median
        [-1.5, -0.2, 0, 0, 0], // spends more than it earns
        [0, 0, 0, 1.2, 0], // bills
        [0, 0, -0.1, 0, 3], // irregular spending
        [0, 0, 1.1, 0, 0], // discretionary
      ],
      scaler,
    );
    expect(labels.map((l) => l.name)).toEqual([
      'Steady Savers',
      'Overspenders',
      'Bill-Heavy Budgets',
      'Irregular Spenders',
      'Lifestyle Spenders',
    ]);
    // Raw units: median 0.1 + 2 × 0.2 = 50% kept, against the median user's 10%.
    expect(labels[0].description).toMatch(/^Keeps 50% of income \(median user: keeps 10%\); /);
    expect(labels[1].description).toMatch(/^Spends 20% more than income/);
    expect(labels[3].description).toMatch(/^Weekly spending varies by 170% around its mean/);
  });

  it('keeps names unique: the second segment extreme on the same side takes its next feature', () => {
    const labels = labelSegments(
      [
        [3, 0, 0, 0, 0],
        [2, -1, 0, 0, 0],
      ],
      scaler,
    );
    expect(labels.map((l) => l.name)).toEqual(['Steady Savers', 'Living Close to Zero']);
    // The description starts with the feature the name is about: buffer 1 − 1 × 2 = −1 month.
    expect(labels[1].description).toBe(
      'Balance covers -1.0 months of spending (median user: 1.0 months); keeps 50% of income (median user: keeps 10%).',
    );
  });

  it('calls a centroid close to the median on every free feature "Middle of the Road"', () => {
    const small = DISTINCTIVE_Z / 2;
    const labels = labelSegments(
      [
        [2, 0, 0, 0, 0],
        [small, -small, 0, 0, 0],
      ],
      scaler,
    );
    expect(labels[1].name).toBe('Middle of the Road');
  });
});

describe('segment hysteresis', () => {
  const t0 = new Date('2024-03-04T23:59:59Z');
  const later = (days: number) => new Date(t0.getTime() + days * DAY);

  it('assigns the nearest segment when there is no previous one', () => {
    expect(nextSegment([3, 1, 2], null, t0)).toEqual({ segmentId: 1, pendingSegmentId: null, pendingSince: null });
  });

  it('keeps the current segment when the challenger is nearer by less than the margin', () => {
    const previous = { segmentId: 0, pendingSegmentId: null, pendingSince: null };
    const next = nextSegment([1, 1 - SWITCH_MARGIN / 2, 5], previous, t0);
    expect(next).toEqual({ segmentId: 0, pendingSegmentId: null, pendingSince: null });
  });

  it('switches only after the challenger stayed nearer by the margin for CONFIRM_DAYS', () => {
    const d = [2, 2 - SWITCH_MARGIN - 0.1, 5];
    const first = nextSegment(d, { segmentId: 0, pendingSegmentId: null, pendingSince: null }, t0);
    expect(first).toEqual({ segmentId: 0, pendingSegmentId: 1, pendingSince: t0 });
    const daily = nextSegment(d, first, later(3));
    expect(daily).toEqual({ segmentId: 0, pendingSegmentId: 1, pendingSince: t0 });
    expect(nextSegment(d, daily, later(CONFIRM_DAYS))).toEqual({
      segmentId: 1,
      pendingSegmentId: null,
      pendingSince: null,
    });
  });

  it('waits three weeks: a challenger nearer at three consecutive weekly refreshes does not switch, at the fourth it does', () => {
    const d = [2, 2 - SWITCH_MARGIN - 0.1, 5];
    let memory = nextSegment(d, { segmentId: 0, pendingSegmentId: null, pendingSince: null }, t0);
    for (const day of [7, 14]) {
      memory = nextSegment(d, memory, later(day));
      expect(memory).toEqual({ segmentId: 0, pendingSegmentId: 1, pendingSince: t0 });
    }
    expect(nextSegment(d, memory, later(21)).segmentId).toBe(1);
  });

  it('forgets the challenger when a refresh in between does not confirm it', () => {
    const near = [2, 2 - SWITCH_MARGIN - 0.1, 5];
    const first = nextSegment(near, { segmentId: 0, pendingSegmentId: null, pendingSince: null }, t0);
    const back = nextSegment([1, 2, 5], first, later(7));
    expect(back).toEqual({ segmentId: 0, pendingSegmentId: null, pendingSince: null });
    // Nearer again a week later: the wait starts over.
    expect(nextSegment(near, back, later(14))).toEqual({ segmentId: 0, pendingSegmentId: 1, pendingSince: later(14) });
  });

  it('restarts the wait when another challenger takes over or the state is older than the pending one', () => {
    const first = { segmentId: 0, pendingSegmentId: 1, pendingSince: t0 };
    expect(nextSegment([3, 2.5, 1], first, later(7))).toEqual({
      segmentId: 0,
      pendingSegmentId: 2,
      pendingSince: later(7),
    });
    expect(nextSegment([3, 1, 5], first, later(-7))).toEqual({
      segmentId: 0,
      pendingSegmentId: 1,
      pendingSince: later(-7),
    });
  });

  it('ignores a stored segment id the model does not have', () => {
    expect(nextSegment([3, 1], { segmentId: 7, pendingSegmentId: null, pendingSince: null }, t0).segmentId).toBe(1);
  });
});

describe('segmentation features', () => {
  const now = new Date('2024-04-01T00:00:00Z');
  const tx = (daysAgo: number, amount: number, type: 'debit' | 'credit', category: FeatureTransaction['category']) => ({
    amount,
    type,
    category,
    date: new Date(now.getTime() - daysAgo * DAY),
  });

  it('computes the ratios over the 13 weeks before now and ignores older rows and savings transfers', () => {
    const rows: FeatureTransaction[] = [
      tx(200, 99_999, 'debit', 'shopping'), // outside the window
      tx(80, 3000, 'credit', 'income'),
      tx(50, 3000, 'credit', 'income'),
      tx(20, 3000, 'credit', 'income'),
      tx(60, 1200, 'debit', 'bills'),
      tx(30, 1200, 'debit', 'bills'),
      tx(10, 600, 'debit', 'shopping'),
      tx(5, 2000, 'debit', 'savings'), // own savings: not spending
    ];
    const f = segmentFeatures(rows, 1500, now);
    expect(Object.keys(f)).toEqual([...SEGMENT_FEATURE_NAMES]);
    expect(f.seg_savings_rate).toBeCloseTo((9000 - 3000) / 9000, 6);
    expect(f.seg_buffer_months).toBeCloseTo(1500 / ((3000 * 30.44) / 91), 6);
    expect(f.seg_discretionary_share).toBeCloseTo(0.2, 6);
    expect(f.seg_bills_share).toBeCloseTo(0.8, 6);
    expect(f.seg_spending_variability).toBeGreaterThan(1);
  });

  it('is finite and neutral for a user without any rows', () => {
    expect(segmentFeatures([], -50, now)).toEqual({
      seg_savings_rate: 0,
      seg_buffer_months: -3,
      seg_discretionary_share: 0,
      seg_bills_share: 0,
      seg_spending_variability: 0,
    });
  });
});
