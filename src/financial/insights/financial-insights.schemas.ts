import { z } from 'zod';

import { behaviorAggregateSchema } from '../../behavioral/behavioral.schemas';
import { peerStatsSchema, segmentInfoSchema } from '../../coaching/coaching.schemas';
import { categorySchema } from '../financial.schemas';

export const patternsQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) });

export const spendingPatternsResponseSchema = z.object({
  period_days: z.number().int(),
  behavioral_data: behaviorAggregateSchema,
  spending_analytics: z.array(
    z.object({
      category: categorySchema,
      total_amount: z.number(),
      transaction_count: z.number().int(),
      percentage: z.number(),
    }),
  ),
  engagement_score: z.number(),
  behavior_diversity: z.number().int(),
  generated_at: z.string(),
});

export const categoryPreferencesResponseSchema = z.object({
  category_preferences: z.array(
    z.object({
      category: categorySchema,
      total_amount: z.number(),
      transaction_count: z.number().int(),
      average_amount: z.number(),
      percentage_of_spending: z.number(),
      behavioral_score: z
        .number()
        .min(0)
        .max(1)
        .describe('Share of the user’s recorded transaction events in this category (its attention)'),
    }),
  ),
  top_category: categorySchema.nullable(),
  behavioral_data: behaviorAggregateSchema,
  analysis_period_days: z.number().int(),
});

export const financialPersonalityResponseSchema = z.object({
  user_id: z.uuid(),
  segment_info: segmentInfoSchema,
  personality_traits: z.array(z.object({ trait: z.string(), description: z.string(), score: z.number() })),
  financial_metrics: z.object({
    spending_volatility: z.number(),
    impulse_buying_score: z.number(),
    category_diversity: z.number(),
    savings_rate: z.number(),
    financial_stress_indicator: z.number(),
  }),
  behavioral_summary: z.object({
    total_events: z.number().int(),
    engagement_score: z.number(),
    behavior_diversity: z.number().int(),
  }),
  generated_at: z.string(),
});

export const peerComparisonResponseSchema = z.object({
  message: z.string().optional().describe('Present when there are too few peers to compare with'),
  segment_info: segmentInfoSchema,
  comparison: z
    .object({
      user_metrics: peerStatsSchema.shape.user_metrics,
      peer_averages: peerStatsSchema.shape.peer_averages,
      comparison_scores: peerStatsSchema.shape.percentiles,
      peer_count: z.number().int(),
    })
    .nullable(),
  insights: z.array(z.string()).optional(),
});
