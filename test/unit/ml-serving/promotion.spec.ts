import { decidePromotion } from '../../../src/ml/promotion';

describe('decidePromotion (champion vs challenger, paired bootstrap over units)', () => {
  const units = Array.from({ length: 40 }, (_, i) => 100 + ((i * 37) % 23));

  it('promotes a challenger better on every unit', () => {
    const d = decidePromotion(
      units,
      units.map((x) => x - 5),
    );
    expect(d).toMatchObject({ promote: true, reason: 'challenger better beyond noise', units: 40 });
    expect(d.mean_improvement).toBeCloseTo(5);
    expect(d.interval[0]).toBeGreaterThan(0);
  });

  it('refuses a worse challenger', () => {
    expect(
      decidePromotion(
        units,
        units.map((x) => x + 5),
      ),
    ).toMatchObject({ promote: false, reason: 'challenger worse' });
  });

  it('refuses a difference within noise (better on half the units, worse on the other half)', () => {
    const challenger = units.map((x, i) => (i % 2 === 0 ? x - 10 : x + 10.5));
    const d = decidePromotion(units, challenger);
    expect(d.promote).toBe(false);
    expect(d.reason).toBe('difference within noise');
    expect(d.interval[0]).toBeLessThan(0);
    expect(d.interval[1]).toBeGreaterThan(0);
  });

  it('refuses with too few units and insists on pairing', () => {
    expect(decidePromotion([3, 2], [1, 1]).promote).toBe(false);
    expect(() => decidePromotion([1, 2], [1])).toThrow(/paired/);
  });
});
