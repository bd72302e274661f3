import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { FinancialSummary } from '../../../src/ml/coaching-domain';
import { basicPolicyRule, goalRule, segmentPolicyRule, segmentRule } from '../../../src/ml/fallback-rules';
import { forecastConfidence } from '../../../src/ml/models/spending-forecast.model';
import { argmax, softmax, vectorByName } from '../../../src/ml/models/tensor-utils';
import { labelSegments } from '../../../src/ml/segment-labels';

function summary(overrides: Partial<FinancialSummary> = {}): FinancialSummary {
  return {
    current_balance: 1000,
    weekly_spending: 0,
    weekly_income: 0,
    transaction_count: 0,
    savings_rate: 0,
    daily_spending_avg: 0,
    category_spending: {},
    spending_volatility: 0,
    impulse_buying_score: 0,
    category_diversity: 0,
    financial_stress_indicator: 0,
    ...overrides,
  };
}

describe('rule fallbacks', () => {
  it('basic policy: evaluated in order', () => {
    expect(basicPolicyRule(summary({ current_balance: 50, savings_rate: 0.5 })).actionId).toBe(1);
    expect(basicPolicyRule(summary({ savings_rate: -0.2 })).actionId).toBe(2);
    expect(basicPolicyRule(summary({ savings_rate: 0.3 }))).toMatchObject({ actionId: 4, confidence: 0.9 });
    expect(basicPolicyRule(summary({ weekly_income: 70, daily_spending_avg: 20, savings_rate: 0.1 })).actionId).toBe(1);
    // A brand-new user: balance 1000, nothing else → savings nudge (as the reference system).
    expect(basicPolicyRule(summary())).toMatchObject({ actionId: 3, confidence: 0.6 });
  });

  it('segment-aware policy: a specific rule for each segment of the served segmentation model', () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../models/manifest.json'), 'utf8'));
    const entry = manifest.models.segmentation;
    const served = labelSegments(entry.centroids, entry.robust_scaler).map((l) => l.name);
    // The names the server derives are the ones training wrote into the manifest.
    expect(served).toEqual(Object.keys(entry.segment_names).map((id) => entry.segment_names[id]));
    expect(served).toHaveLength(5);
    const calm = summary({ savings_rate: 0.1, weekly_income: 1000, daily_spending_avg: 10 });
    for (const name of served) {
      // Each current segment has its own rule, not the basic fallback's wording.
      expect(segmentPolicyRule(name, calm).rule).not.toBe(basicPolicyRule(calm).rule);
    }
  });

  it('segment-aware policy per segment name', () => {
    expect(segmentPolicyRule('Steady Savers', summary({ savings_rate: 0.4 })).actionId).toBe(4);
    expect(segmentPolicyRule('Steady Savers', summary({ savings_rate: 0.1 })).actionId).toBe(3);
    expect(segmentPolicyRule('Overspenders', summary({ financial_stress_indicator: 0.5 })).actionId).toBe(1);
    expect(segmentPolicyRule('Overspenders', summary()).actionId).toBe(2);
    expect(segmentPolicyRule('Lifestyle Spenders', summary({ impulse_buying_score: 0.5 })).actionId).toBe(1);
    expect(segmentPolicyRule('Bill-Heavy Budgets', summary({ savings_rate: -0.1 })).actionId).toBe(2);
    expect(segmentPolicyRule('Irregular Spenders', summary({ spending_volatility: 300 })).actionId).toBe(2);
    expect(segmentPolicyRule('Irregular Spenders', summary({ spending_volatility: 50 })).actionId).toBe(3);
    expect(segmentPolicyRule('Even Spenders', summary({ savings_rate: 0.3 })).actionId).toBe(4);
    expect(segmentPolicyRule('Living Close to Zero', summary({ current_balance: 200 })).actionId).toBe(1);
    // Unknown names (the rule-assigned segments when the model is down) get the basic rule.
    const s = summary({ current_balance: 50 });
    expect(segmentPolicyRule('Middle of the Road', s)).toEqual(basicPolicyRule(s));
    expect(segmentPolicyRule('Impulse Buyers', s)).toEqual(basicPolicyRule(s));
  });

  it('segmentation rule', () => {
    expect(segmentRule(summary({ savings_rate: 0.3 })).segmentId).toBe(0);
    expect(segmentRule(summary({ impulse_buying_score: 0.4 })).segmentId).toBe(1);
    expect(segmentRule(summary({ category_diversity: 0.8 })).segmentId).toBe(2);
    expect(segmentRule(summary({ spending_volatility: 10 })).segmentId).toBe(3);
    expect(segmentRule(summary({ spending_volatility: 500 }))).toMatchObject({ segmentId: 4, confidence: 0.6 });
  });

  it('goal rule clamps to [0.1, 0.9] and lists its risk factors', () => {
    const easy = goalRule(summary({ savings_rate: 0.5, weekly_income: 700 }), 100, 90);
    expect(easy.probability).toBe(0.8);
    expect(easy.riskFactors).toEqual([]);
    const hard = goalRule(
      summary({
        savings_rate: 0,
        spending_volatility: 300,
        impulse_buying_score: 0.5,
        financial_stress_indicator: 0.5,
      }),
      10_000,
      10,
    );
    expect(hard.probability).toBe(0.1);
    expect(hard.riskFactors).toEqual([
      'Insufficient current savings rate',
      'High spending volatility',
      'High impulse buying tendency',
      'Financial stress indicators present',
      'Very short timeline',
    ]);
  });
});

describe('tensor helpers', () => {
  it('softmax sums to one and keeps the order', () => {
    const p = softmax([1, 3, 2]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(argmax(p)).toBe(1);
    expect(softmax([1000, 1000])).toEqual([0.5, 0.5]);
  });

  it('vectorByName picks values in the declared order and rejects gaps', () => {
    expect(vectorByName(['b', 'a'], { a: 1, b: 2 })).toEqual([2, 1]);
    expect(vectorByName(['a', 'c'], { a: 1 })).toBeUndefined();
    expect(vectorByName(['a'], { a: Number.NaN })).toBeUndefined();
  });

  it('forecast confidence is high for steady weeks and low for erratic ones', () => {
    const steady = Array.from({ length: 8 }, () => 100);
    const erratic = Array.from({ length: 8 }, (_, i) => (i % 2 ? 400 : 0));
    expect(forecastConfidence(steady)).toBe(0.95);
    expect(forecastConfidence(erratic)).toBeLessThan(0.6);
    expect(forecastConfidence([0])).toBe(0.3);
  });
});
