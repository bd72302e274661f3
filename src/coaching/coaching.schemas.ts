import { z } from 'zod';

import { offsetQuery } from '../common/paging';
import { STALE_HISTORY_DAYS } from '../ml/features/spending-history';

export const historyQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: offsetQuery.default(0),
});

export const feedbackSchema = z.object({
  recommendation_id: z.uuid('recommendation_id must be the id of a recommendation you received'),
  helpful: z.boolean(),
  /** "implemented" also counts as helpful. */
  feedback_type: z.enum(['helpful', 'not_helpful', 'implemented']).optional(),
  feedback_text: z.string().trim().max(2000).nullish(),
});
export type FeedbackInput = z.output<typeof feedbackSchema>;

export const goalProbabilitySchema = z.object({
  goal_amount: z.number().positive('goal_amount must be greater than zero').max(1_000_000_000),
  timeline_days: z
    .number()
    .int()
    .min(1, 'timeline_days must be at least 1')
    .max(3650, 'timeline_days must be at most 3650'),
});
export type GoalProbabilityInput = z.output<typeof goalProbabilitySchema>;

const asOf = z.iso
  .datetime({ offset: true, message: 'as_of must be an ISO 8601 date-time, e.g. 2022-07-25T00:00:00Z' })
  .transform((s) => new Date(s))
  .refine((d) => d.getTime() <= Date.now() + 60_000, 'as_of must not be in the future')
  .optional()
  .describe('Answer as of this past moment (the history up to then); default: now');

export const asOfQuerySchema = z.object({ as_of: asOf });

export const forecastQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
  as_of: asOf,
});

/** Where a coaching response's numbers come from (UserStateService.load; state-history.ts). */
const historyShape = z.object({
  history_through: z.string().nullable().describe("The date of the user's last transaction up to as_of (null: none)"),
  history_stale: z
    .boolean()
    .describe(
      `True when no transaction came in the ${STALE_HISTORY_DAYS} days before as_of (statements not imported since): the numbers then describe the days up to the end of history_through (the last 7 and 30 days of the history), not weeks without data`,
    ),
});

const financialState = z.object({
  current_balance: z.number(),
  weekly_spending: z.number(),
  weekly_income: z.number(),
  transaction_count: z.number().int(),
  savings_rate: z.number(),
  daily_spending_avg: z.number(),
  category_spending: z.record(z.string(), z.number()),
});

export const financialStateResponseSchema = financialState.extend({
  financial_health_score: z.number().min(0).max(100),
  health_components: z.record(z.string(), z.number()),
  ...historyShape.shape,
});

/** The 30-day figures a recommendation text may quote ("over the last 30 days"). */
const monthlyState = z.object({
  window_days: z.number().int(),
  total_spending: z.number(),
  total_income: z.number(),
  savings_rate: z.number(),
  weekly_income_avg: z.number(),
});

export const recommendationResponseSchema = z.object({
  id: z.uuid(),
  recommendation_id: z.uuid(),
  action_id: z.number().int().min(0).max(4),
  action_type: z.string(),
  recommendation: z
    .string()
    .describe(
      'Quotes only figures this response shows: "the last 7 days" = state_summary, "the last 30 days" = state_summary_30d',
    ),
  confidence: z
    .number()
    .min(0)
    .max(1)
    .describe(
      'The probability with which the service chose this action (1 for the deterministic /recommendation; the bandit’s choice probability for /enhanced-recommendation) — not a probability that the advice is right',
    ),
  state_summary: financialState.describe('The last 7 days'),
  state_summary_30d: monthlyState.describe('The last 30 days (the coaching state’s own figures)'),
  generated_at: z.string(),
  decision_source: z.enum(['model', 'fallback', 'baseline']),
  model_version: z.string().nullable(),
  ...historyShape.shape,
  /** Exact probability with which this action was drawn (logged for off-policy evaluation). */
  propensity: z.number().gt(0).max(1),
  q_value_margin: z
    .number()
    .nullable()
    .describe(
      'Q of the chosen action minus the best other servable action’s Q, in the policy’s reward units (null for a rule answer)',
    ),
});

const peerFigures = z.object({
  current_balance: z.number(),
  savings_rate: z.number(),
  spending_volatility: z.number(),
});

export const peerStatsSchema = z
  .object({
    peer_count: z.number().int().min(5),
    peer_averages: peerFigures,
    user_metrics: peerFigures,
    percentiles: z.object({
      balance_percentile: z.number().min(0).max(1),
      savings_percentile: z.number().min(0).max(1),
      volatility_percentile: z.number().min(0).max(1),
    }),
  })
  .describe('Aggregates of the segment’s other users (at least 5), never individual peers');

export const segmentInfoSchema = z.object({
  segment_id: z.number().int(),
  segment_name: z.string().describe("Derived from the segment's centroid by the documented naming rule"),
  segment_description: z
    .string()
    .nullable()
    .describe("One line on what the segment's members have in common (centroid values against the median user)"),
  confidence: z.number(),
  characteristics: z.record(z.string(), z.number()),
  peer_comparison: peerStatsSchema.nullable(),
  decision_source: z.enum(['model', 'fallback']),
  model_version: z.string().nullable(),
  assigned_at: z.string().describe('When the user entered this segment (kept while hysteresis keeps it)'),
});

export const enhancedRecommendationResponseSchema = recommendationResponseSchema.extend({
  segment_info: segmentInfoSchema,
  strategy: z.string(),
  bandit: z.object({ arm: z.string(), propensity: z.number() }),
  policy_action_probabilities: z.array(z.number()).nullable(),
});

export const historyResponseSchema = z.object({
  recommendations: z.array(
    z.object({
      id: z.uuid(),
      recommendation_text: z.string(),
      action_type: z.string(),
      confidence_score: z.number(),
      created_at: z.string(),
      feedback_status: z.string(),
    }),
  ),
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
});

export const spendingPredictionResponseSchema = z.object({
  total_predicted_spending: z.number(),
  category_breakdown: z.record(z.string(), z.number()),
  confidence: z.number(),
  prediction_period: z.literal('weekly'),
  window_weeks: z.number().int().nullable(),
  decision_source: z.enum(['model', 'baseline', 'fallback']),
  method: z.string().describe('"linear_model", or the name of the baseline served'),
  model_version: z.string().nullable(),
  next_28_days: z.object({
    total_predicted_spending: z.number(),
    category_breakdown: z.record(z.string(), z.number()),
    decision_source: z.enum(['model', 'baseline', 'fallback']),
    method: z.string(),
    model_version: z.string().nullable(),
  }),
  ...historyShape.shape,
  as_of: z.string(),
  cached: z.boolean(),
  generated_at: z.string(),
});

export const goalProbabilityResponseSchema = z.object({
  goal_amount: z.number(),
  timeline_days: z.number().int(),
  achievement_probability: z.number().min(0).max(1),
  required_daily_savings: z.number(),
  current_daily_savings: z.number(),
  risk_factors: z.array(z.string()),
  decision_source: z.enum(['model', 'baseline', 'fallback']),
  model_version: z.string().nullable(),
  ...historyShape.shape,
  cached: z.boolean(),
  generated_at: z.string(),
});

const servedPolicy = z.object({
  name: z.string(),
  kind: z.enum(['model', 'rule', 'constant']),
  action: z.number().int().min(0).max(4).optional(),
  reason: z.string(),
});

export const actionsResponseSchema = z.object({
  actions: z.array(
    z.object({
      id: z.number().int(),
      type: z.string(),
      name: z.string(),
      description: z.string(),
      priority: z.string(),
      category: z.string(),
    }),
  ),
});

export const feedbackResponseSchema = z.object({
  message: z.string(),
  feedback_id: z.uuid(),
  recommendation_id: z.uuid(),
});

export const insightsResponseSchema = z.object({
  insights: z.array(
    z.object({
      type: z.string(),
      title: z.string(),
      message: z.string(),
      priority: z.enum(['low', 'medium', 'high']),
    }),
  ),
  ...historyShape.shape,
  generated_at: z.string(),
});

export const modelInfoResponseSchema = z.object({
  model_loaded: z.boolean(),
  model_path: z.string().nullable(),
  model_version: z.string().nullable(),
  decision_source: z.enum(['model', 'fallback', 'baseline']),
  served_policy: servedPolicy,
  state_dimensions: z.number().int(),
  action_dimensions: z.number().int(),
  feature_names: z.array(z.string()),
  available_actions: z.array(z.string()),
  metrics: z.record(z.string(), z.unknown()).nullable(),
});

export const policyHealthResponseSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  model_loaded: z.boolean(),
  fallback_available: z.boolean(),
  last_check: z.string(),
  inference_test: z.enum(['passed', 'failed']).optional(),
  output_shape: z.array(z.number().int()).optional(),
  error: z.string().nullable().optional().describe('Why the model is not served (admins only)'),
});

const statusOnly = z.object({ status: z.string() });

export const enhancedHealthResponseSchema = z
  .object({
    overall_status: z.enum(['healthy', 'degraded', 'unhealthy']),
    last_check: z.string(),
    manifest: z
      .object({
        version: z.string().nullable(),
        created_at: z.string().nullable(),
        feature_names: z.array(z.string()),
        error: z.string().nullable(),
      })
      .optional()
      .describe('Admins only'),
    database: statusOnly,
    bandit_service: statusOnly.catchall(z.unknown()),
    behavioral_service: statusOnly.catchall(z.unknown()),
  })
  .catchall(statusOnly.catchall(z.unknown()))
  .describe(
    'One entry per part (each model’s service, the bandit, the event pipeline, the database), each with its status; an admin token adds versions, files, errors and figures',
  );

export const refreshSegmentResponseSchema = z.object({
  message: z.string(),
  segment_info: segmentInfoSchema,
});

export const segmentInsightsResponseSchema = z.object({
  segment_info: segmentInfoSchema,
  characteristics: z
    .record(z.string(), z.unknown())
    .describe('The segment’s trained profile, or its name and the user’s characteristics without one'),
  peer_comparison: peerStatsSchema.nullable(),
  generated_at: z.string(),
});

export const segmentComparisonResponseSchema = z.object({
  message: z.string().optional().describe('Present when there are too few peers to compare with'),
  segment_info: segmentInfoSchema,
  peer_count: z.number().int(),
  peer_averages: peerFigures.optional(),
  user_metrics: peerFigures.optional(),
  percentiles: peerStatsSchema.shape.percentiles.optional(),
  peers: z.array(z.never()).describe('Always empty: individual peers are never listed'),
});

const spendingPrediction = spendingPredictionResponseSchema.omit({ cached: true });

export const financialForecastResponseSchema = z.object({
  current_balance: z.number(),
  projected_balance: z.number(),
  projection_days: z.number().int(),
  expected_spending: z.number(),
  expected_income: z.number(),
  weekly_predicted_spending: z.number(),
  weekly_income: z.number(),
  weekly_net: z.number(),
  decision_source: z.enum(['model', 'baseline', 'fallback']),
  spending_prediction: spendingPrediction,
  ...historyShape.shape,
  as_of: z.string(),
  generated_at: z.string(),
  cached: z.boolean(),
});
