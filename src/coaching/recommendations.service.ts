import { Inject, Injectable, NotFoundException } from '@nestjs/common';

import { EventCaptureService } from '../behavioral/event-capture.service';
import type { DataUser } from '../common/auth-user';
import { PerOwnerMemo } from '../common/per-owner-memo';
import { round4 } from '../common/rounding';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { BANDIT_ARMS, BanditService } from '../ml/bandit/bandit.service';
import { BASIC_EXPLORATION, decisionDistribution, drawAction, ENHANCED_EXPLORATION } from '../ml/bandit/exploration';
import { ACTIONS, type ActionId, type FinancialSummary } from '../ml/coaching-domain';
import { PolicyModel, type ActionEligibility, type PolicyDecision } from '../ml/models/policy.model';
import type { Random } from '../ml/random';
import { UserStateService, type UserState } from '../ml/user-state.service';

import { monthlyState, praiseAllowed, type MonthlyState } from './advice-consistency';
import type { FeedbackInput } from './coaching.schemas';
import { recommendationText } from './recommendation-texts';
import { RecommendationsRepository } from './recommendations.repository';
import { SegmentsService, type SegmentInfo } from './segments.service';
import { historyFields } from './state-history';

/** The FinancialState object the client reads (the 7-day part of the summary). */
export function stateSummary(s: FinancialSummary) {
  return {
    current_balance: s.current_balance,
    weekly_spending: s.weekly_spending,
    weekly_income: s.weekly_income,
    transaction_count: s.transaction_count,
    savings_rate: s.savings_rate,
    daily_spending_avg: s.daily_spending_avg,
    category_spending: s.category_spending,
  };
}

/** The two windows a recommendation may quote, and what may be served beside them. */
function adviceWindows(state: UserState): { month: MonthlyState; eligible: ActionEligibility } {
  const month = monthlyState(state.features);
  const praise = praiseAllowed(state.summary, month);
  return { month, eligible: (actionId) => actionId !== 4 || praise };
}

/**
 * The exploration distribution restricted to the actions that may be served in this state
 * (praise beside a negative savings rate never is), renormalised: still exact, and every
 * servable action keeps its floor.
 */
function servable(probabilities: number[], eligible: ActionEligibility): number[] {
  const masked = probabilities.map((p, a) => (eligible(a as ActionId) ? p : 0));
  const total = masked.reduce((x, y) => x + y, 0);
  return masked.map((p) => p / total);
}

/**
 * A past moment asked about again (the advice replay): the answer is decided afresh as of `at`,
 * and the action drawn from `random`, so a replay seeded alike serves the same actions every run.
 */
export interface ReplayedMoment {
  at: Date;
  random: Random;
}

/** Users whose last recommendation this process keeps for reuse (about 2 KB each). */
const HELD_RECOMMENDATION_USERS = 5_000;

type BasicRecommendation = Awaited<ReturnType<RecommendationsService['decideAndLog']>>;

@Injectable()
export class RecommendationsService {
  /** Each user's last basic recommendation, keyed by what it was decided from (see recommend()). */
  private readonly held: PerOwnerMemo<BasicRecommendation> | null;

  constructor(
    private readonly repository: RecommendationsRepository,
    private readonly states: UserStateService,
    private readonly policy: PolicyModel,
    private readonly bandit: BanditService,
    private readonly segments: SegmentsService,
    private readonly events: EventCaptureService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.held = config.ml.recommendationReuse ? new PerOwnerMemo(HELD_RECOMMENDATION_USERS) : null;
  }

  /**
   * /coaching/recommendation. While the user's transactions, the UTC day and the served policy are
   * what the last recommendation was decided from, that recommendation is the answer again (same
   * id, no new draw, no new row), so reloading a page neither re-rolls the advice nor logs the
   * same state as a new decision; each showing is still recorded as a view. Concurrent requests
   * share one decision. The check compares the user's data version, which the request's auth check
   * read with the session, so a reused answer costs no query.
   * A replayed moment always decides afresh.
   */
  async recommend(user: DataUser, replay?: ReplayedMoment): Promise<BasicRecommendation> {
    if (replay || !this.held) return this.decideAndLog(user.id, replay);
    const key = `${await this.states.dataVersion(user)}|${new Date().toISOString().slice(0, 10)}|${this.policy.servingIdentity()}`;
    const { value, held } = this.held.get(user.id, key, () => this.decideAndLog(user.id));
    const recommendation = await value;
    if (held) this.recordView(user.id, recommendation.id, recommendation.action_type, recommendation.decision_source);
    return recommendation;
  }

  /**
   * A new basic decision: the served policy's eligible action, explored with an ε floor
   * over the servable actions; the exact probability of the action drawn is logged and is the
   * response's `confidence`. No bandit takes part, so feedback on these rows teaches none.
   */
  private async decideAndLog(userId: string, replay?: ReplayedMoment) {
    const state = await this.states.load(userId, replay?.at);
    const { month, eligible } = adviceWindows(state);
    const decision = await this.policy.decide(state.features, state.summary, eligible);
    const probabilities = servable(
      decisionDistribution(decision.actionId, ACTIONS.length, BASIC_EXPLORATION),
      eligible,
    );
    const actionId = drawAction(probabilities, replay?.random ?? Math.random) as ActionId;
    const propensity = probabilities[actionId];
    const text = recommendationText(actionId, state.summary, month, { historyStale: state.historyStale });
    const row = await this.persist(userId, 'basic', decision, actionId, propensity, text, state, probabilities, null);
    return {
      ...this.toResponse(row.id, row.createdAt, actionId, propensity, text, state, month, decision),
      propensity: round4(propensity),
    };
  }

  /**
   * /coaching/enhanced-recommendation: segment (the bandit's context) → the served
   * policy's action → an exact mixture of that action, the segment's bandit (softmax of
   * each arm's helpful rate) and an ε floor. The drawn action's probability is logged
   * with the context and arm, which are what its feedback later updates.
   */
  async recommendEnhanced(userId: string, replay?: ReplayedMoment) {
    const state = await this.states.load(userId, replay?.at);
    const segment = await this.segments.current(userId, state);
    const { month, eligible } = adviceWindows(state);
    const decision = await this.policy.decideForSegment(state.features, state.summary, segment.segment_name, eligible);
    const posteriors = await this.bandit.posteriors(segment.segment_id);
    const probabilities = servable(
      decisionDistribution(decision.actionId, ACTIONS.length, ENHANCED_EXPLORATION, posteriors),
      eligible,
    );
    const actionId = drawAction(probabilities, replay?.random ?? Math.random) as ActionId;
    const arm = BANDIT_ARMS[actionId];
    // What the response calls confidence: the probability with which this action was chosen.
    const confidence = probabilities[actionId];
    const text = recommendationText(actionId, state.summary, month, {
      segmentName: segment.segment_name,
      historyStale: state.historyStale,
    });
    const row = await this.persist(userId, 'enhanced', decision, actionId, confidence, text, state, probabilities, {
      segmentId: segment.segment_id,
      arm,
    });
    const propensity = round4(probabilities[actionId]);
    return {
      ...this.toResponse(row.id, row.createdAt, actionId, confidence, text, state, month, decision),
      propensity,
      segment_info: segment,
      strategy: arm,
      bandit: { arm, propensity },
      policy_action_probabilities: decision.actionProbabilities,
    };
  }

  /** Retention: deletes recommendations shown more than `days` ago, with their snapshots and feedback. */
  purgeOlderThan(days: number): Promise<number> {
    return this.repository.purgeOlderThan(days);
  }

  async history(userId: string, limit: number, offset: number) {
    const { rows, total } = await this.repository.history(userId, limit, offset);
    return {
      recommendations: rows.map((r) => ({
        id: r.id,
        recommendation_text: r.recommendationText,
        action_type: r.actionType,
        confidence_score: r.confidenceScore,
        created_at: r.createdAt.toISOString(),
        feedback_status: r.feedbackStatus,
      })),
      total,
      page: Math.floor(offset / limit) + 1,
      limit,
    };
  }

  /**
   * Stores feedback on one of the user's own recommendations (another user's or an
   * unknown id is a 404 — the original created placeholder rows). Helpful/implemented is
   * a success for the arm and context the recommendation was chosen in, counted once
   * per recommendation and at most USER_OUTCOMES_PER_ARM times per user and arm.
   */
  async feedback(
    userId: string,
    input: FeedbackInput,
  ): Promise<{ message: string; feedback_id: string; recommendation_id: string }> {
    const type = input.feedback_type ?? (input.helpful ? 'helpful' : 'not_helpful');
    const stored = await this.repository.recordFeedback(
      userId,
      input.recommendation_id,
      type,
      input.feedback_text ?? null,
    );
    if (!stored) throw new NotFoundException('Recommendation not found');
    this.events.recommendationInteraction(userId, {
      recommendationId: input.recommendation_id,
      interaction: type === 'implemented' ? 'implement' : type,
      actionType: stored.actionType,
    });
    return {
      message: 'Feedback submitted successfully',
      feedback_id: stored.feedbackId,
      recommendation_id: input.recommendation_id,
    };
  }

  private async persist(
    userId: string,
    kind: 'basic' | 'enhanced',
    decision: PolicyDecision,
    actionId: ActionId,
    confidence: number,
    text: string,
    state: { summary: FinancialSummary; vector: number[] },
    probabilities: number[],
    bandit: { segmentId: number; arm: string } | null,
  ): Promise<{ id: string; createdAt: Date; actionType: string }> {
    const actionType = ACTIONS[actionId].type;
    const row = await this.repository.insert({
      userId,
      kind,
      text,
      actionId,
      actionType,
      confidence,
      decisionSource: decision.source,
      policyVersion: decision.version,
      propensity: probabilities[actionId],
      actionProbabilities: probabilities,
      segmentId: bandit?.segmentId ?? null,
      strategy: bandit?.arm ?? null,
      stateSnapshot: stateSummary(state.summary),
      featureSnapshot: state.vector.map(round4),
    });
    this.recordView(userId, row.id, actionType, decision.source);
    return { ...row, actionType };
  }

  private recordView(userId: string, recommendationId: string, actionType: string, source: string): void {
    this.events.recommendationInteraction(userId, { recommendationId, interaction: 'view', actionType, source });
  }

  private toResponse(
    id: string,
    createdAt: Date,
    actionId: ActionId,
    confidence: number,
    text: string,
    state: UserState,
    month: MonthlyState,
    decision: PolicyDecision,
  ) {
    return {
      id,
      recommendation_id: id,
      action_id: actionId,
      action_type: ACTIONS[actionId].type,
      recommendation: text,
      confidence: round4(Math.min(1, Math.max(0, confidence))),
      state_summary: stateSummary(state.summary),
      state_summary_30d: month,
      generated_at: createdAt.toISOString(),
      decision_source: decision.source,
      model_version: decision.version,
      q_value_margin: decision.qValueMargin,
      ...historyFields(state),
    };
  }
}

export type { SegmentInfo };
