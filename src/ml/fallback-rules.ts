import { round4 } from '../common/rounding';

import type { ActionId, FinancialSummary } from './coaching-domain';
import { SEGMENT_NOUNS } from './segment-labels';

// The documented rule fallbacks (docs/ml/fallbacks.md). They answer whenever a
// model is missing, fails its load checks, or its inference throws. Pure functions.

export interface RuleDecision {
  actionId: ActionId;
  confidence: number;
  rule: string;
}

/** Basic policy fallback (reference §4.3), evaluated in order on the 7-day state. */
export function basicPolicyRule(s: FinancialSummary): RuleDecision {
  if (s.current_balance < 100) return { actionId: 1, confidence: 0.8, rule: 'balance below 100' };
  if (s.savings_rate < 0) return { actionId: 2, confidence: 0.7, rule: 'spending more than income this week' };
  if (s.savings_rate > 0.2) return { actionId: 4, confidence: 0.9, rule: 'saving more than 20% of income' };
  if (s.daily_spending_avg > s.weekly_income / 7)
    return { actionId: 1, confidence: 0.6, rule: 'daily spending above daily income' };
  return { actionId: 3, confidence: 0.6, rule: 'room to save more' };
}

type SegmentPolicy = (s: FinancialSummary) => RuleDecision;

const { seg_savings_rate, seg_buffer_months, seg_discretionary_share, seg_bills_share, seg_spending_variability } =
  SEGMENT_NOUNS;

/**
 * The segment-aware rule per segment name. Segment names come from the naming vocabulary of
 * segment-labels.ts (what sets a centroid apart: savings, buffer, discretionary share, bills,
 * variability), so the rule follows whatever segments the served model has, not fixed ids.
 */
const SEGMENT_POLICIES: Record<string, SegmentPolicy> = {
  [seg_savings_rate.high]: (s) =>
    s.savings_rate > 0.3
      ? { actionId: 4, confidence: 0.9, rule: 'steady saver with savings rate above 30%' }
      : { actionId: 3, confidence: 0.8, rule: 'steady saver below 30% savings rate' },
  [seg_savings_rate.low]: (s) =>
    s.financial_stress_indicator > 0.3
      ? { actionId: 1, confidence: 0.9, rule: 'overspender with financial stress indicators' }
      : { actionId: 2, confidence: 0.8, rule: 'overspender' },
  [seg_buffer_months.high]: (s) =>
    s.savings_rate < 0
      ? { actionId: 2, confidence: 0.7, rule: 'well cushioned but spending more than income' }
      : { actionId: 3, confidence: 0.7, rule: 'well cushioned' },
  [seg_buffer_months.low]: (s) =>
    s.current_balance < 500
      ? { actionId: 1, confidence: 0.8, rule: 'living close to zero with balance below 500' }
      : { actionId: 2, confidence: 0.7, rule: 'living close to zero' },
  [seg_discretionary_share.high]: (s) =>
    s.impulse_buying_score > 0.4
      ? { actionId: 1, confidence: 0.9, rule: 'lifestyle spender with many rapid purchases' }
      : { actionId: 2, confidence: 0.8, rule: 'lifestyle spender' },
  [seg_discretionary_share.low]: (s) =>
    s.savings_rate > 0.2
      ? { actionId: 4, confidence: 0.8, rule: 'essentials first, saving more than 20%' }
      : { actionId: 3, confidence: 0.7, rule: 'essentials first' },
  [seg_bills_share.high]: (s) =>
    s.savings_rate < 0
      ? { actionId: 2, confidence: 0.8, rule: 'bill-heavy budget spending more than income' }
      : { actionId: 3, confidence: 0.7, rule: 'bill-heavy budget' },
  [seg_bills_share.low]: (s) =>
    s.savings_rate > 0.2
      ? { actionId: 4, confidence: 0.8, rule: 'low fixed costs, saving more than 20%' }
      : { actionId: 3, confidence: 0.7, rule: 'low fixed costs' },
  [seg_spending_variability.high]: (s) =>
    s.spending_volatility > 200
      ? { actionId: 2, confidence: 0.8, rule: 'irregular spender with volatile spending' }
      : { actionId: 3, confidence: 0.7, rule: 'irregular spender' },
  [seg_spending_variability.low]: (s) =>
    s.savings_rate > 0.2
      ? { actionId: 4, confidence: 0.7, rule: 'even spender saving more than 20%' }
      : { actionId: 3, confidence: 0.7, rule: 'even spender' },
};

/**
 * Segment-aware policy fallback (enhanced recommendation) for the served segment's name; a
 * segment the table does not know ("Middle of the Road", the rule-assigned persona names when
 * the segmentation model itself is down) gets the basic rule.
 */
export function segmentPolicyRule(segmentName: string, s: FinancialSummary): RuleDecision {
  return (SEGMENT_POLICIES[segmentName] ?? basicPolicyRule)(s);
}

/** Segmentation fallback (reference §4.4), confidence 0.6. */
export function segmentRule(s: FinancialSummary): { segmentId: number; confidence: number; rule: string } {
  if (s.savings_rate > 0.2) return { segmentId: 0, confidence: 0.6, rule: 'savings rate above 20%' };
  if (s.impulse_buying_score > 0.3) return { segmentId: 1, confidence: 0.6, rule: 'impulse buying score above 0.3' };
  if (s.category_diversity > 0.7) return { segmentId: 2, confidence: 0.6, rule: 'category diversity above 0.7' };
  if (s.spending_volatility < 100) return { segmentId: 3, confidence: 0.6, rule: 'spending volatility below 100' };
  return { segmentId: 4, confidence: 0.6, rule: 'none of the above' };
}

/** Goal-probability fallback (reference §4.8), with its risk factors. */
export function goalRule(
  s: FinancialSummary,
  goalAmount: number,
  timelineDays: number,
): { probability: number; riskFactors: string[] } {
  const required = goalAmount / Math.max(timelineDays, 1);
  const current = (s.savings_rate * s.weekly_income) / 7;
  let probability = current >= required ? 0.8 : Math.min(0.7, current / Math.max(required, 1));
  if (s.spending_volatility > 200) probability *= 0.8;
  if (s.impulse_buying_score > 0.3) probability *= 0.7;
  if (s.financial_stress_indicator > 0.3) probability *= 0.6;
  probability = Math.min(0.9, Math.max(0.1, probability));
  return { probability: round4(probability), riskFactors: goalRiskFactors(s, goalAmount, timelineDays) };
}

/** Risk factors shown with every goal answer, model or rule. */
export function goalRiskFactors(s: FinancialSummary, goalAmount: number, timelineDays: number): string[] {
  const required = goalAmount / Math.max(timelineDays, 1);
  const current = (s.savings_rate * s.weekly_income) / 7;
  const factors: string[] = [];
  if (current < required) factors.push('Insufficient current savings rate');
  if (s.spending_volatility > 200) factors.push('High spending volatility');
  if (s.impulse_buying_score > 0.3) factors.push('High impulse buying tendency');
  if (s.financial_stress_indicator > 0.3) factors.push('Financial stress indicators present');
  if (timelineDays < 30) factors.push('Very short timeline');
  return factors;
}
