import {
  choiceProbability,
  sampleBeta,
  seededRandom,
  thompsonChoose,
  type ArmPosterior,
} from '../../../src/ml/bandit/thompson-sampling';

describe('Thompson sampling', () => {
  it('samples Beta draws with the right mean', () => {
    const random = seededRandom(7);
    const draws = Array.from({ length: 20_000 }, () => sampleBeta(8, 2, random));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeCloseTo(0.8, 2);
    expect(Math.min(...draws)).toBeGreaterThan(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  it('learns the most helpful recommendation type from simulated feedback', () => {
    const random = seededRandom(42);
    const helpfulRate: Record<string, number> = { a: 0.2, b: 0.7, c: 0.4 };
    const arms: ArmPosterior[] = Object.keys(helpfulRate).map((arm) => ({ arm, alpha: 1, beta: 1 }));
    const picks: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let round = 0; round < 2000; round++) {
      const { arm } = thompsonChoose(arms, random);
      picks[arm]++;
      const posterior = arms.find((p) => p.arm === arm)!;
      if (random() < helpfulRate[arm]) posterior.alpha++;
      else posterior.beta++;
    }
    // The best arm dominates once learned; the others are still explored a little.
    expect(picks.b / 2000).toBeGreaterThan(0.8);
    expect(picks.a).toBeGreaterThan(0);
  });

  it('tilts toward the prior and reports a consistent choice probability', () => {
    const arms: ArmPosterior[] = [
      { arm: 'x', alpha: 1, beta: 1 },
      { arm: 'y', alpha: 1, beta: 1 },
    ];
    const p = choiceProbability(arms, 'x', 4000, seededRandom(1), { x: 0.9, y: 0.1 });
    expect(p).toBeGreaterThan(0.85);
    const even = choiceProbability(arms, 'x', 4000, seededRandom(2));
    expect(even).toBeGreaterThan(0.45);
    expect(even).toBeLessThan(0.55);
  });

  it('refuses to choose among no arms', () => {
    expect(() => thompsonChoose([])).toThrow('no arms');
  });
});
