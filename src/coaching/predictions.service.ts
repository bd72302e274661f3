import { Injectable } from '@nestjs/common';

import { round2 } from '../common/rounding';
import { goalFeatures, weeklyNetSaving } from '../ml/features/goal-features';
import { GoalModel } from '../ml/models/goal.model';
import { SpendingForecastModel, type SpendingForecast } from '../ml/models/spending-forecast.model';
import { PredictionCacheService } from '../ml/prediction-cache.service';
import { UserStateService, type UserState } from '../ml/user-state.service';

import type { GoalProbabilityInput } from './coaching.schemas';

// Goal answers stay valid longer than spending forecasts (reference: 24 h vs 7 days), unless data changes.
const GOAL_TTL_SECONDS = 7 * 86_400;

@Injectable()
export class PredictionsService {
  constructor(
    private readonly states: UserStateService,
    private readonly forecaster: SpendingForecastModel,
    private readonly goals: GoalModel,
    private readonly cache: PredictionCacheService,
  ) {}

  /** Next week's spending per category (LSTM, or last week's pattern as the rule). Cached per data version. */
  async spending(userId: string) {
    const version = await this.states.dataVersion(userId);
    const { value, cached } = await this.cache.getOrCompute(userId, 'spending', version, async () => {
      const state = await this.states.load(userId);
      return this.spendingResponse(await this.forecaster.forecast(state.weeklySpend, state.summary));
    });
    return { ...value, cached };
  }

  async goalProbability(userId: string, input: GoalProbabilityInput) {
    const version = await this.states.dataVersion(userId);
    const key = `goal:${input.goal_amount.toFixed(2)}:${input.timeline_days}`;
    const { value, cached } = await this.cache.getOrCompute(
      userId,
      key,
      version,
      async () => {
        const state = await this.states.load(userId);
        const inputs = goalInputs(state, input.goal_amount, input.timeline_days);
        const prediction = await this.goals.predict(inputs, state.summary, input.goal_amount, input.timeline_days);
        return {
          goal_amount: input.goal_amount,
          timeline_days: input.timeline_days,
          achievement_probability: prediction.probability,
          required_daily_savings: round2(inputs.required_daily_savings),
          current_daily_savings: round2(inputs.current_daily_savings),
          risk_factors: prediction.riskFactors,
          decision_source: prediction.source,
          model_version: prediction.version,
          generated_at: new Date().toISOString(),
        };
      },
      GOAL_TTL_SECONDS,
    );
    return { ...value, cached };
  }

  /** Balance projection: current balance + (average weekly income − predicted weekly spending) × days/7. */
  async forecast(userId: string, days: number) {
    const version = await this.states.dataVersion(userId);
    const { value, cached } = await this.cache.getOrCompute(userId, `forecast:${days}`, version, async () => {
      const state = await this.states.load(userId);
      const spending = this.spendingResponse(await this.forecaster.forecast(state.weeklySpend, state.summary));
      const weeklyNet = state.weeklyIncomeAvg - spending.total_predicted_spending;
      return {
        current_balance: round2(state.balance),
        projected_balance: round2(state.balance + (weeklyNet * days) / 7),
        projection_days: days,
        weekly_predicted_spending: spending.total_predicted_spending,
        weekly_income: state.weeklyIncomeAvg,
        weekly_net: round2(weeklyNet),
        spending_prediction: spending,
        generated_at: new Date().toISOString(),
      };
    });
    return { ...value, cached };
  }

  private spendingResponse(f: SpendingForecast) {
    return {
      total_predicted_spending: f.total,
      category_breakdown: f.byCategory,
      confidence: f.confidence,
      prediction_period: 'weekly' as const,
      window_weeks: f.windowWeeks,
      decision_source: f.source,
      model_version: f.version,
      generated_at: new Date().toISOString(),
    };
  }
}

/** The goal classifier's named inputs (shared definition) plus the two daily figures the response shows. */
export function goalInputs(state: UserState, goalAmount: number, timelineDays: number) {
  const named = goalFeatures(state.features, state.weeklyIncomeAvg, goalAmount, timelineDays);
  return {
    ...named,
    required_daily_savings: goalAmount / Math.max(timelineDays, 1),
    current_daily_savings: weeklyNetSaving(state.features) / 7,
  };
}
