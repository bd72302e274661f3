import { Injectable } from '@nestjs/common';

import type { DataUser } from '../common/auth-user';
import { round2 } from '../common/rounding';
import { weeklyNetSaving } from '../ml/features/goal-features';
import { goalModelFeatures } from '../ml/features/goal-history-features';
import { HISTORY_DAYS, windowSum } from '../ml/features/spending-history';
import { GoalModel } from '../ml/models/goal.model';
import { SpendingForecastModel, type SpendingForecast } from '../ml/models/spending-forecast.model';
import { PredictionCacheService } from '../ml/prediction-cache.service';
import { UserStateService, type UserState } from '../ml/user-state.service';

import type { GoalProbabilityInput } from './coaching.schemas';
import { historyFields, historyStillCurrent, type HistoryFields } from './state-history';

/** Income per day is averaged over 13 weeks: monthly salaries and pensions land once or twice in a shorter window. */
const INCOME_DAYS = 91;
/** Weeks of history the forecast reads. */
const HISTORY_WEEKS = HISTORY_DAYS / 7;
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

  /**
   * Expected spending over the next 7 days (and 28 days), split by category. Cached per data
   * version; `asOf` answers as of a past moment (the history up to then).
   */
  spending(user: DataUser, asOf?: Date) {
    return this.cachedAnswer(user, 'spending', asOf, async (state) =>
      spendingResponse(await this.forecaster.forecast(state.history), state),
    );
  }

  goalProbability(user: DataUser, input: GoalProbabilityInput, asOf?: Date) {
    const key = `goal:${input.goal_amount.toFixed(2)}:${input.timeline_days}`;
    return this.cachedAnswer(
      user,
      key,
      asOf,
      async (state) => {
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
          ...historyFields(state),
          generated_at: new Date().toISOString(),
        };
      },
      GOAL_TTL_SECONDS,
    );
  }

  /**
   * Balance projection over `days`: current balance + expected income − expected spending, where
   * expected spending is the served 28-day forecast summed over the period (days ÷ 28 of it) and
   * income is the last 13 weeks' mean per day: both expected amounts, so the sum is right on average.
   */
  forecast(user: DataUser, days: number, asOf?: Date) {
    return this.cachedAnswer(user, `forecast:${days}`, asOf, async (state) => {
      const spending = spendingResponse(await this.forecaster.forecast(state.history), state);
      const expectedSpending = round2((spending.next_28_days.total_predicted_spending * days) / 28);
      const incomeDays = Math.max(1, Math.min(INCOME_DAYS, state.history.activeDays));
      const dailyIncome = windowSum(state.history.income, 0, incomeDays) / incomeDays;
      const expectedIncome = round2(dailyIncome * days);
      return {
        current_balance: round2(state.balance),
        projected_balance: round2(state.balance + expectedIncome - expectedSpending),
        projection_days: days,
        expected_spending: expectedSpending,
        expected_income: expectedIncome,
        weekly_predicted_spending: round2((expectedSpending * 7) / days),
        weekly_income: round2(dailyIncome * 7),
        weekly_net: round2(((expectedIncome - expectedSpending) * 7) / days),
        decision_source: spending.next_28_days.decision_source,
        spending_prediction: spending,
        ...historyFields(state),
        as_of: state.requestedAt.toISOString(),
        generated_at: new Date().toISOString(),
      };
    });
  }

  /**
   * The stored answer for `key` (and `asOf`) while the user's data version is the one it was computed
   * from, else `answer` of the state at `asOf` (default: now), stored. An answer about the present is
   * also computed again once its history has gone stale (historyStillCurrent); one about a past
   * moment never changes.
   */
  private async cachedAnswer<T extends HistoryFields>(
    user: DataUser,
    key: string,
    asOf: Date | undefined,
    answer: (state: UserState) => Promise<T>,
    ttlSeconds?: number,
  ): Promise<T & { cached: boolean }> {
    const version = await this.states.dataVersion(user);
    const { value, cached } = await this.cache.getOrCompute(
      user.id,
      `${key}${asOfKey(asOf)}`,
      version,
      async () => answer(await this.states.load(user.id, asOf)),
      { ttlSeconds, isCurrent: asOf ? undefined : historyStillCurrent },
    );
    return { ...value, cached };
  }
}

function asOfKey(asOf?: Date): string {
  return asOf ? `@${asOf.toISOString()}` : '';
}

function spendingResponse(f: Record<7 | 28, SpendingForecast>, state: UserState) {
  const week = f[7];
  const month = f[28];
  return {
    total_predicted_spending: week.total,
    category_breakdown: week.byCategory,
    confidence: week.confidence,
    prediction_period: 'weekly' as const,
    window_weeks: HISTORY_WEEKS,
    decision_source: week.source,
    method: week.method,
    model_version: week.version,
    next_28_days: {
      total_predicted_spending: month.total,
      category_breakdown: month.byCategory,
      decision_source: month.source,
      method: month.method,
      model_version: month.version,
    },
    ...historyFields(state),
    as_of: state.requestedAt.toISOString(),
    generated_at: new Date().toISOString(),
  };
}

/** The goal model's named inputs (shared definition) plus the two daily figures the response shows. */
export function goalInputs(state: UserState, goalAmount: number, timelineDays: number) {
  const named = goalModelFeatures(state.history, goalAmount, timelineDays);
  return {
    ...named,
    required_daily_savings: goalAmount / Math.max(timelineDays, 1),
    current_daily_savings: weeklyNetSaving(state.features) / 7,
  };
}
