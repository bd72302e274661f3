/** Coaching actions: the CQL policy's 5 outputs, in index order. */
export const ACTIONS = [
  {
    id: 0,
    type: 'continue_current_behavior',
    name: 'Continue Current Behavior',
    description: 'User is maintaining good financial habits',
    priority: 'low',
    category: 'general',
  },
  {
    id: 1,
    type: 'spending_alert',
    name: 'Spending Alert',
    description: 'User needs to reduce spending',
    priority: 'high',
    category: 'spending',
  },
  {
    id: 2,
    type: 'budget_suggestion',
    name: 'Budget Suggestion',
    description: 'User should create or adjust budget',
    priority: 'medium',
    category: 'budgeting',
  },
  {
    id: 3,
    type: 'savings_nudge',
    name: 'Savings Nudge',
    description: 'User has opportunity to save more',
    priority: 'medium',
    category: 'saving',
  },
  {
    id: 4,
    type: 'positive_reinforcement',
    name: 'Positive Reinforcement',
    description: 'User is doing well financially',
    priority: 'low',
    category: 'general',
  },
] as const;
export type ActionId = 0 | 1 | 2 | 3 | 4;
export type ActionType = (typeof ACTIONS)[number]['type'];

/** The 5 user segments, by id. */
export const SEGMENT_NAMES = [
  'Conservative Savers',
  'Impulse Buyers',
  'Goal-Oriented',
  'Budget Conscious',
  'High Spenders',
] as const;
export type SegmentName = (typeof SEGMENT_NAMES)[number];

/**
 * What the rule fallbacks and the response texts read: the 7-day financial
 * state the client shows, plus four behavioural features of the 35-state.
 */
export interface FinancialSummary {
  current_balance: number;
  weekly_spending: number;
  weekly_income: number;
  transaction_count: number;
  savings_rate: number;
  daily_spending_avg: number;
  category_spending: Record<string, number>;
  spending_volatility: number;
  impulse_buying_score: number;
  category_diversity: number;
  financial_stress_indicator: number;
}

/**
 * Which component produced an answer: the served ONNX model, its documented rule
 * fallback (the model is unavailable), or a simple baseline served by choice because
 * the model did not beat it in evaluation (models/reports).
 */
export type DecisionSource = 'model' | 'fallback' | 'baseline';

/** Models judged against baselines on real data (forecast, goal) answer with the same three sources. */
export type JudgedDecisionSource = DecisionSource;
