import { brierScore, pairByUnit, relativeSquaredError } from '../../../src/ml/retraining/challenger-evaluation';

describe('champion/challenger evaluation units', () => {
  const row = (account: string, role: string, y: number) => ({ dataset: 'berka', account, role, y });

  it('pairs per held-out user, in the same order for both versions, ignoring training rows', () => {
    const rows = [
      row('2', 'test', 10),
      row('1', 'test', 0),
      row('2', 'test', 20),
      row('1', 'train', 5),
      row('1', 'test', 4),
    ];
    const champion = [10, 1, 10, 99, 4];
    const challenger = [12, 0, 20, 0, 2];
    const paired = pairByUnit(rows, champion, challenger, relativeSquaredError);
    expect(paired.units).toEqual(['berka:1', 'berka:2']);
    // berka:1 rows 1 and 4: champion (1² + 0²) / (0² + 4²); challenger (0² + 2²) / 16.
    expect(paired.champion[0]).toBeCloseTo(1 / 16);
    expect(paired.challenger[0]).toBeCloseTo(4 / 16);
    expect(paired.champion[1]).toBeCloseTo(100 / 500);
    expect(paired.challenger[1]).toBeCloseTo(4 / 500);
  });

  it('drops a user without spending in any held-out window (no scale to compare against)', () => {
    const paired = pairByUnit([row('7', 'test', 0)], [3], [1], relativeSquaredError);
    expect(paired.units).toEqual([]);
  });

  it('scores goal probabilities by mean Brier score', () => {
    expect(brierScore([0.9, 0.1], [1, 0])).toBeCloseTo(0.01);
    expect(brierScore([], [])).toBeUndefined();
  });
});
