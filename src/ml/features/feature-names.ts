import { CATEGORIES } from '../../common/categories';

/** The 35 state features, in the order every model and the training data use. */
export const FEATURE_NAMES = [
  'current_balance',
  'total_spending',
  'total_income',
  'transaction_count',
  // Spending per category, in the categories' canonical order.
  ...CATEGORIES,
  'savings_rate',
  'spending_velocity',
  'weekday_spending_ratio',
  'weekend_spending_ratio',
  'morning_spending_ratio',
  'evening_spending_ratio',
  'spending_volatility',
  'large_transaction_ratio',
  'impulse_buying_score',
  'category_diversity',
  'spending_consistency',
  'budget_adherence_score',
  'savings_consistency',
  'emergency_fund_ratio',
  'debt_indicator',
  'merchant_loyalty_score',
  'location_diversity',
  'seasonal_spending_factor',
  'balance_volatility',
  'financial_stress_indicator',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];
