/** Inputs of the goal-achievement classifier, in model order (training and serving share this). */
export const GOAL_FEATURE_NAMES = [
  'savings_rate',
  'total_income',
  'total_spending',
  'current_balance',
  'savings_consistency',
  'spending_volatility',
  'emergency_fund_ratio',
  'weekly_income',
  'goal_amount',
  'timeline_days',
  'required_weekly_savings',
  'required_to_income',
  'projected_to_goal',
] as const;

/**
 * Goal features from the 35-state plus the goal: what saving the goal needs per
 * week, relative to income, and how far the user's current pace would get
 * (30-day net saving ability × the horizon ÷ the goal).
 */
/** What the user kept per week over the 30-day window: (income − spending) ÷ (30/7). */
export function weeklyNetSaving(features: Record<string, number>): number {
  return ((features.total_income ?? 0) - (features.total_spending ?? 0)) / (30 / 7);
}

export function goalFeatures(
  features: Record<string, number>,
  weeklyIncome: number,
  goalAmount: number,
  timelineDays: number,
): Record<(typeof GOAL_FEATURE_NAMES)[number], number> {
  const weeks = Math.max(timelineDays, 1) / 7;
  const requiredWeekly = goalAmount / weeks;
  const netWeekly = weeklyNetSaving(features);
  return {
    savings_rate: features.savings_rate ?? 0,
    total_income: features.total_income ?? 0,
    total_spending: features.total_spending ?? 0,
    current_balance: features.current_balance ?? 0,
    savings_consistency: features.savings_consistency ?? 0,
    spending_volatility: features.spending_volatility ?? 0,
    emergency_fund_ratio: features.emergency_fund_ratio ?? 0,
    weekly_income: weeklyIncome,
    goal_amount: goalAmount,
    timeline_days: timelineDays,
    required_weekly_savings: requiredWeekly,
    required_to_income: Math.min(requiredWeekly / Math.max(weeklyIncome, 1), 20),
    projected_to_goal: Math.max(-5, Math.min(5, (netWeekly * weeks) / Math.max(goalAmount, 1))),
  };
}
