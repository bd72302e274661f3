import { Injectable, NotFoundException } from '@nestjs/common';

import { EventCaptureService } from '../behavioral/event-capture.service';
import { round4 } from '../common/rounding';
import { PrismaService } from '../infra/prisma/prisma.service';
import { BanditService } from '../ml/bandit/bandit.service';
import { ACTIONS, type ActionId, type FinancialSummary } from '../ml/coaching-domain';
import { PolicyModel, type ActionEligibility, type PolicyDecision } from '../ml/models/policy.model';
import { UserStateService, type UserState } from '../ml/user-state.service';

import { monthlyState, praiseAllowed, type MonthlyState } from './advice-consistency';
import type { FeedbackInput } from './coaching.schemas';
import { recommendationText } from './recommendation-texts';
import { SegmentsService, type SegmentInfo } from './segments.service';

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

const ARM_TO_ACTION = new Map<string, ActionId>(ACTIONS.map((a) => [a.type, a.id as ActionId]));

/** The two windows a recommendation may quote, and what may be served beside them. */
function adviceWindows(state: UserState): { month: MonthlyState; eligible: ActionEligibility } {
  const month = monthlyState(state.features);
  const praise = praiseAllowed(state.summary, month);
  return { month, eligible: (actionId) => actionId !== 4 || praise };
}

@Injectable()
export class RecommendationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly states: UserStateService,
    private readonly policy: PolicyModel,
    private readonly bandit: BanditService,
    private readonly segments: SegmentsService,
    private readonly events: EventCaptureService,
  ) {}

  /**
   * /coaching/recommendation: the policy's greedy eligible action (deterministic, propensity 1).
   * `now` replays a past moment (the advice replay); requests use the present.
   */
  async recommend(userId: string, now?: Date) {
    const state = await this.states.load(userId, now);
    const { month, eligible } = adviceWindows(state);
    const decision = await this.policy.decide(state.features, state.summary, eligible);
    const text = recommendationText(decision.actionId, state.summary, month);
    const propensity = 1;
    const row = await this.persist(
      userId,
      'basic',
      decision,
      decision.actionId,
      propensity,
      text,
      state.summary,
      state.vector,
      {
        propensity,
      },
    );
    this.events.recommendationInteraction(userId, {
      recommendationId: row.id,
      interaction: 'view',
      actionType: row.actionType,
      source: decision.source,
    });
    return this.toResponse(row.id, row.createdAt, decision.actionId, propensity, text, state.summary, month, decision);
  }

  /**
   * /coaching/enhanced-recommendation: segment → policy action probabilities →
   * Thompson sampling over recommendation types for that segment, tilted by the
   * policy (so the bandit learns what each segment finds helpful while the policy
   * keeps the choice state-aware). The bandit's choice probability is logged.
   */
  async recommendEnhanced(userId: string, now?: Date) {
    const state = await this.states.load(userId, now);
    const segment = await this.segments.current(userId, state);
    const { month, eligible } = adviceWindows(state);
    const decision = await this.policy.decideForSegment(state.features, state.summary, segment.segment_id, eligible);
    const prior = policyPrior(decision, eligible);
    const choice = await this.bandit.choose(segment.segment_id, prior);
    const actionId = ARM_TO_ACTION.get(choice.arm)!;
    // What the response calls confidence: the probability with which this action was chosen.
    const confidence = choice.propensity;
    const text = recommendationText(actionId, state.summary, month, segment.segment_name);
    const row = await this.persist(
      userId,
      'enhanced',
      decision,
      actionId,
      confidence,
      text,
      state.summary,
      state.vector,
      {
        propensity: choice.propensity,
        segmentId: segment.segment_id,
        strategy: choice.arm,
      },
    );
    this.events.recommendationInteraction(userId, {
      recommendationId: row.id,
      interaction: 'view',
      actionType: row.actionType,
      source: decision.source,
    });
    return {
      ...this.toResponse(row.id, row.createdAt, actionId, confidence, text, state.summary, month, decision),
      segment_info: segment,
      strategy: choice.arm,
      bandit: { arm: choice.arm, propensity: round4(choice.propensity) },
      policy_action_probabilities: decision.actionProbabilities,
    };
  }

  async history(userId: string, limit: number, offset: number) {
    const [rows, total] = await Promise.all([
      this.prisma.recommendationHistory.findMany({
        where: { userId },
        orderBy: { createdAt: 'desc' },
        skip: offset,
        take: limit,
      }),
      this.prisma.recommendationHistory.count({ where: { userId } }),
    ]);
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
   * unknown id is a 404 — the original created placeholder rows) and teaches the
   * bandit: helpful/implemented = success for that recommendation type in that segment.
   */
  async feedback(
    userId: string,
    input: FeedbackInput,
  ): Promise<{ message: string; feedback_id: string; recommendation_id: string }> {
    const recommendation = await this.prisma.recommendationHistory.findFirst({
      where: { id: input.recommendation_id, userId },
    });
    if (!recommendation) throw new NotFoundException('Recommendation not found');
    const type = input.feedback_type ?? (input.helpful ? 'helpful' : 'not_helpful');
    const helpful = type !== 'not_helpful';
    const previous = await this.prisma.recommendationFeedback.findUnique({
      where: { recommendationId_userId: { recommendationId: recommendation.id, userId } },
    });
    const [feedback] = await this.prisma.$transaction([
      this.prisma.recommendationFeedback.upsert({
        where: { recommendationId_userId: { recommendationId: recommendation.id, userId } },
        create: {
          recommendationId: recommendation.id,
          userId,
          feedbackType: type,
          feedbackText: input.feedback_text ?? null,
        },
        update: { feedbackType: type, feedbackText: input.feedback_text ?? null },
      }),
      this.prisma.recommendationHistory.update({
        where: { id: recommendation.id },
        data: { feedbackStatus: type, reward: helpful ? 1 : 0 },
      }),
    ]);
    const segmentId =
      recommendation.segmentId ?? (await this.prisma.userSegment.findUnique({ where: { userId } }))?.segmentId;
    if (segmentId !== undefined && segmentId !== null) {
      const wasHelpful = previous ? previous.feedbackType !== 'not_helpful' : undefined;
      await this.bandit.recordOutcome(
        segmentId,
        recommendation.strategy ?? recommendation.actionType,
        helpful,
        wasHelpful,
      );
    }
    this.events.recommendationInteraction(userId, {
      recommendationId: recommendation.id,
      interaction: type === 'implemented' ? 'implement' : type,
      actionType: recommendation.actionType,
    });
    return {
      message: 'Feedback submitted successfully',
      feedback_id: feedback.id,
      recommendation_id: recommendation.id,
    };
  }

  /** One INSERT on the shared pool: this runs on every recommendation request. */
  private async persist(
    userId: string,
    kind: 'basic' | 'enhanced',
    decision: PolicyDecision,
    actionId: ActionId,
    confidence: number,
    text: string,
    summary: FinancialSummary,
    features: number[],
    extra: { propensity: number; segmentId?: number; strategy?: string },
  ): Promise<{ id: string; createdAt: Date; actionType: string }> {
    const { rows } = await this.prisma.pool.query<{ id: string; created_at: Date }>({
      name: 'recommendation-history-insert', // prepared once per connection
      text: `INSERT INTO recommendation_history
               (id, user_id, kind, recommendation_text, action_id, action_type, confidence_score, decision_source, policy_version,
                propensity, segment_id, strategy, financial_state_snapshot, feature_snapshot)
             VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb)
             RETURNING id, created_at`,
      values: [
        userId,
        kind,
        text,
        actionId,
        ACTIONS[actionId].type,
        confidence,
        decision.source,
        decision.version,
        extra.propensity,
        extra.segmentId ?? null,
        extra.strategy ?? null,
        JSON.stringify(stateSummary(summary)),
        JSON.stringify(features.map(round4)),
      ],
    });
    return { id: rows[0].id, createdAt: rows[0].created_at, actionType: ACTIONS[actionId].type };
  }

  private toResponse(
    id: string,
    createdAt: Date,
    actionId: ActionId,
    confidence: number,
    text: string,
    summary: FinancialSummary,
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
      state_summary: stateSummary(summary),
      state_summary_30d: month,
      generated_at: createdAt.toISOString(),
      decision_source: decision.source,
      model_version: decision.version,
      q_value_margin: decision.qValueMargin,
    };
  }
}

/**
 * The policy's preference per recommendation type: softmax(Q) over the eligible actions, or the
 * rule's action favoured; an action that may not be served in this state gets no weight.
 */
function policyPrior(decision: PolicyDecision, eligible: ActionEligibility): Record<string, number> {
  return Object.fromEntries(
    ACTIONS.map((a) => [
      a.type,
      !eligible(a.id)
        ? 0
        : decision.actionProbabilities
          ? decision.actionProbabilities[a.id]
          : a.id === decision.actionId
            ? decision.confidence
            : (1 - decision.confidence) / 4,
    ]),
  );
}

export type { SegmentInfo };
