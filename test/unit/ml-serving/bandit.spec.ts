import {
  BASIC_EXPLORATION,
  decisionDistribution,
  drawAction,
  ENHANCED_EXPLORATION,
  type ArmPosterior,
} from '../../../src/ml/bandit/exploration';
import { estimatePolicyValue, type LoggedDecision } from '../../../src/ml/bandit/off-policy';
import { seededRandom } from '../../../src/ml/random';

const flat = (n: number): ArmPosterior[] => Array.from({ length: n }, (_, i) => ({ arm: `a${i}`, alpha: 1, beta: 1 }));

describe('served decision distribution (exact propensities)', () => {
  it('puts 1 − ε + ε/K on the policy action and the floor ε/K on every other action', () => {
    const p = decisionDistribution(2, 5, BASIC_EXPLORATION);
    expect(p[2]).toBeCloseTo(0.9 + 0.02, 12);
    for (const a of [0, 1, 3, 4]) expect(p[a]).toBeCloseTo(0.02, 12);
    expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it('mixes in the bandit’s softmax over posterior means, keeping the floor', () => {
    const posteriors = flat(5);
    posteriors[4] = { arm: 'a4', alpha: 30, beta: 2 }; // helpful most of the time
    const p = decisionDistribution(0, 5, ENHANCED_EXPLORATION, posteriors);
    const means = posteriors.map((x) => x.alpha / (x.alpha + x.beta));
    const exps = means.map((m) => Math.exp(m / ENHANCED_EXPLORATION.banditTemperature));
    const soft = exps.map((e) => e / exps.reduce((a, b) => a + b, 0));
    const { epsilon, banditWeight } = ENHANCED_EXPLORATION;
    for (let a = 0; a < 5; a++) {
      const expected = epsilon / 5 + (1 - epsilon) * ((1 - banditWeight) * (a === 0 ? 1 : 0) + banditWeight * soft[a]);
      expect(p[a]).toBeCloseTo(expected, 12);
      expect(p[a]).toBeGreaterThanOrEqual(epsilon / 5);
    }
    expect(p[4]).toBeGreaterThan(p[1]);
    expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it('draws each action with exactly the stated probability', () => {
    const p = decisionDistribution(1, 5, ENHANCED_EXPLORATION, flat(5));
    const random = seededRandom(11);
    const n = 200_000;
    const counts = new Array(5).fill(0);
    for (let i = 0; i < n; i++) counts[drawAction(p, random)]++;
    for (let a = 0; a < 5; a++) {
      const se = Math.sqrt((p[a] * (1 - p[a])) / n);
      expect(Math.abs(counts[a] / n - p[a])).toBeLessThan(4 * se);
    }
  });

  it('refuses settings that would lose support or an action outside the set', () => {
    expect(() => decisionDistribution(0, 5, { ...BASIC_EXPLORATION, epsilon: 0 })).toThrow('epsilon');
    expect(() => decisionDistribution(5, 5, BASIC_EXPLORATION)).toThrow('not one of 5 actions');
    expect(() => decisionDistribution(0, 5, ENHANCED_EXPLORATION, flat(4))).toThrow('one posterior per action');
  });
});

describe('off-policy estimate from logged propensities', () => {
  it('gives the hand-computed IPS, SNIPS, doubly robust and effective sample size', () => {
    const logs: LoggedDecision[] = [
      { action: 0, propensity: 0.5, reward: 1, targetProbabilities: [1, 0] },
      { action: 1, propensity: 0.5, reward: 0, targetProbabilities: [1, 0] },
      { action: 0, propensity: 0.25, reward: 0, targetProbabilities: [0.5, 0.5] },
      { action: 1, propensity: 0.75, reward: 1, targetProbabilities: [0.5, 0.5] },
    ];
    const e = estimatePolicyValue(logs);
    // weights 2, 0, 2, 2/3; IPS = (2 + 0 + 0 + 2/3) / 4
    expect(e.ips).toBeCloseTo(2 / 3, 12);
    expect(e.snips).toBeCloseTo(4 / 7, 12);
    // q̂ = per-action mean reward = [0.5, 0.5]: terms 1.5, 0.5, −0.5, 5/6
    expect(e.doublyRobust).toBeCloseTo(7 / 12, 12);
    expect(e.effectiveSampleSize).toBeCloseTo(196 / 76, 12);
    expect(e.n).toBe(4);
  });

  it('recovers a target policy’s true value from logs of the served exploration', () => {
    // Context-free world: action a is helpful with probability rate[a]. Logs come from the
    // served distribution; the target always picks action 3, whose true value is 0.7.
    const rate = [0.1, 0.2, 0.3, 0.7, 0.4];
    const served = decisionDistribution(1, 5, BASIC_EXPLORATION);
    const random = seededRandom(5);
    const logs: LoggedDecision[] = [];
    for (let i = 0; i < 40_000; i++) {
      const action = drawAction(served, random);
      logs.push({
        action,
        propensity: served[action],
        reward: random() < rate[action] ? 1 : 0,
        targetProbabilities: [0, 0, 0, 1, 0],
      });
    }
    const e = estimatePolicyValue(logs);
    expect(Math.abs(e.ips - 0.7)).toBeLessThan(3 * e.ipsStandardError);
    expect(Math.abs(e.doublyRobust - 0.7)).toBeLessThan(3 * e.doublyRobustStandardError);
    // Only 2% of logs are action 3: the estimate is worth far fewer records than were logged.
    expect(e.effectiveSampleSize).toBeLessThan(0.05 * logs.length);
  });

  it('refuses a propensity of 0 (an action the logging policy could not take)', () => {
    expect(() => estimatePolicyValue([{ action: 0, propensity: 0, reward: 1, targetProbabilities: [1, 0] }])).toThrow(
      'propensity',
    );
  });
});
