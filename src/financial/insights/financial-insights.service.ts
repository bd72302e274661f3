import { Injectable } from '@nestjs/common';

import { BehavioralAnalyticsService } from '../../behavioral/behavioral-analytics.service';
import { SegmentsService } from '../../coaching/segments.service';
import { round2, round4 } from '../../common/rounding';
import { UserStateService } from '../../ml/user-state.service';
import { AnalyticsService } from '../analytics.service';

const WINDOW_DAYS = 30;

/** The behavioural-finance views under /financial (reference F10–F13), which the original always broke. */
@Injectable()
export class FinancialInsightsService {
  constructor(
    private readonly spending: AnalyticsService,
    private readonly behavior: BehavioralAnalyticsService,
    private readonly states: UserStateService,
    private readonly segments: SegmentsService,
  ) {}

  async spendingPatterns(userId: string, days: number) {
    const [behavior, spending] = await Promise.all([
      this.behavior.aggregate(userId, days),
      this.spending.spendingByCategory(userId, days),
    ]);
    return {
      period_days: days,
      behavioral_data: behavior,
      spending_analytics: spending.map((s) => ({ ...s, total_amount: Number(s.total_amount) })),
      engagement_score: behavior.engagement_score,
      behavior_diversity: behavior.behavior_diversity,
      generated_at: behavior.generated_at,
    };
  }

  /**
   * Per category: spend, count, average and share, plus a behavioural score = the share of
   * the user's recorded transaction events in that category (how much attention it gets).
   */
  async categoryPreferences(userId: string) {
    const [spending, behavior, attention] = await Promise.all([
      this.spending.spendingByCategory(userId, WINDOW_DAYS),
      this.behavior.aggregate(userId, WINDOW_DAYS),
      this.behavior.transactionAttention(userId),
    ]);
    const attentionTotal = attention.reduce((a, r) => a + r.n, 0);
    const byCategory = new Map(attention.map((r) => [r.category, r.n]));
    const preferences = spending.map((s) => {
      const total = Number(s.total_amount);
      return {
        category: s.category,
        total_amount: total,
        transaction_count: s.transaction_count,
        average_amount: round2(total / Math.max(s.transaction_count, 1)),
        percentage_of_spending: s.percentage,
        behavioral_score: attentionTotal > 0 ? round4((byCategory.get(s.category) ?? 0) / attentionTotal) : 0,
      };
    });
    return {
      category_preferences: preferences,
      top_category: preferences[0]?.category ?? null,
      behavioral_data: behavior,
      analysis_period_days: WINDOW_DAYS,
    };
  }

  /** Traits from the 30-day state (reference F12 rules) with the segment and behaviour summary. */
  async financialPersonality(userId: string) {
    const state = await this.states.load(userId);
    const [segment, behavior] = await Promise.all([
      this.segments.current(userId, state),
      this.behavior.aggregate(userId, WINDOW_DAYS),
    ]);
    const f = state.features;
    const traits: Array<{ trait: string; description: string; score: number }> = [];
    if (f.spending_volatility > 200)
      traits.push({
        trait: 'Variable Spender',
        description: 'Your daily spending swings widely from day to day',
        score: round4(Math.min(1, f.spending_volatility / 500)),
      });
    else
      traits.push({
        trait: 'Consistent Spender',
        description: 'Your daily spending is steady',
        score: round4(Math.max(0.3, 1 - f.spending_volatility / 200)),
      });
    if (f.impulse_buying_score > 0.3)
      traits.push({
        trait: 'Impulse Buyer',
        description: 'Many of your purchases come in quick succession in treat categories',
        score: round4(f.impulse_buying_score),
      });
    if (f.category_diversity > 0.7)
      traits.push({
        trait: 'Diverse Spender',
        description: 'Your spending is spread over many categories',
        score: round4(f.category_diversity),
      });
    if (f.savings_rate > 0.2)
      traits.push({
        trait: 'Disciplined Saver',
        description: 'You keep more than a fifth of your income',
        score: round4(Math.min(1, 2 * f.savings_rate)),
      });
    return {
      user_id: userId,
      segment_info: segment,
      personality_traits: traits,
      financial_metrics: {
        spending_volatility: round2(f.spending_volatility),
        impulse_buying_score: round4(f.impulse_buying_score),
        category_diversity: round4(f.category_diversity),
        savings_rate: round4(f.savings_rate),
        financial_stress_indicator: round4(f.financial_stress_indicator),
      },
      behavioral_summary: {
        total_events: behavior.total_events,
        engagement_score: behavior.engagement_score,
        behavior_diversity: behavior.behavior_diversity,
      },
      generated_at: new Date().toISOString(),
    };
  }

  /** Balance, savings rate and volatility against same-segment peers (aggregates of ≥ 5 only). */
  async peerComparison(userId: string) {
    const { segment, peers } = await this.segments.withPeers(userId);
    if (!peers) return { message: 'No peer data available for comparison', segment_info: segment, comparison: null };
    const side = (p: number) => (p >= 0.5 ? 'above' : 'below'); // p is the lower bound of a quartile
    return {
      segment_info: segment,
      comparison: {
        user_metrics: peers.user_metrics,
        peer_averages: peers.peer_averages,
        comparison_scores: peers.percentiles,
        peer_count: peers.peer_count,
      },
      insights: [
        `You're in the ${segment.segment_name} segment`,
        `Your balance is ${side(peers.percentiles.balance_percentile)} the average of your ${peers.peer_count} peers`,
        `Your savings rate is ${side(peers.percentiles.savings_percentile)} the average of your peers`,
      ],
    };
  }
}
