import { round4 } from '../common/rounding';

import type { ActionId, FinancialSummary } from './coaching-domain';

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

/** Segment-aware policy fallback (reference §4.3, enhanced recommendation). */
export function segmentPolicyRule(segmentId: number, s: FinancialSummary): RuleDecision {
  switch (segmentId) {
    case 0:
      return s.savings_rate > 0.3
        ? { actionId: 4, confidence: 0.9, rule: 'saver with savings rate above 30%' }
        : { actionId: 3, confidence: 0.8, rule: 'saver below 30% savings rate' };
    case 1:
      return s.impulse_buying_score > 0.4
        ? { actionId: 1, confidence: 0.9, rule: 'impulse buyer with many rapid purchases' }
        : { actionId: 2, confidence: 0.8, rule: 'impulse buyer' };
    case 2:
      return s.current_balance < 500
        ? { actionId: 2, confidence: 0.8, rule: 'goal-oriented with balance below 500' }
        : { actionId: 3, confidence: 0.7, rule: 'goal-oriented' };
    case 3:
      return s.spending_volatility > 200
        ? { actionId: 2, confidence: 0.8, rule: 'budget conscious with volatile spending' }
        : { actionId: 4, confidence: 0.7, rule: 'budget conscious with steady spending' };
    default:
      return s.financial_stress_indicator > 0.3
        ? { actionId: 1, confidence: 0.9, rule: 'financial stress indicators' }
        : { actionId: 2, confidence: 0.7, rule: 'high spender' };
  }
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
