import { Injectable } from '@nestjs/common';
import type { RECOMMENDATION_ACTIONS, TRANSACTION_EVENT_ACTIONS } from './event-types';
import { EventPipeline } from './event-pipeline';
import { amountBucket } from './request-classifier';

export type RecommendationAction = (typeof RECOMMENDATION_ACTIONS)[number];
export type TransactionAction = (typeof TRANSACTION_EVENT_ACTIONS)[number];
export type GoalAction = 'create' | 'update' | 'delete' | 'achieve';

interface Common {
  sessionId?: string | null;
  /** Extra, non-sensitive context; privacy-filtered like everything else. */
  extra?: Record<string, unknown>;
}

/**
 * Domain events other services report (purchases, goal changes, recommendation
 * feedback…). Each call is synchronous and cheap: it validates and queues, it
 * never waits for the database and never throws. Returns whether the event was queued.
 */
@Injectable()
export class EventCaptureService {
  constructor(private readonly pipeline: EventPipeline) {}

  recommendation(userId: string, action: RecommendationAction, recommendationId?: string | null, opts: Common = {}): boolean {
    return this.emit(userId, 'recommendation_interaction', `recommendation_${action}`, { interaction_type: action, recommendation_id: recommendationId ?? null }, opts);
  }

  purchase(userId: string, productId: string, quantity: number, amount?: number | string | null, opts: Common = {}): boolean {
    return this.emit(userId, 'purchase', 'product_purchase', { interaction_type: 'purchase', product_id: productId, quantity, amount_bucket: amountBucket(amount) }, opts);
  }

  goalChange(userId: string, action: GoalAction, goalId?: string | null, opts: Common = {}): boolean {
    return this.emit(userId, 'goal_modification', `goal_${action}`, { interaction_type: action, goal_id: goalId ?? null }, opts);
  }

  transactionCreated(userId: string, tx: { amount: number | string; category: string; source?: string }, opts: Common = {}): boolean {
    const n = Number(tx.amount);
    return this.emit(
      userId,
      'transaction_creation',
      'transaction_create',
      { interaction_type: 'create', amount_bucket: amountBucket(tx.amount), direction: n > 0 ? 'credit' : 'debit', category: tx.category, source: tx.source ?? 'manual' },
      opts,
    );
  }

  transactionInteraction(userId: string, transactionId: string, action: TransactionAction, opts: Common = {}): boolean {
    return this.emit(userId, 'transaction_interaction', `transaction_${action}`, { interaction_type: action, transaction_id: transactionId }, opts);
  }

  search(userId: string, term: string, scope: 'products' | 'transactions', opts: Common = {}): boolean {
    return this.emit(userId, 'search', `${scope === 'products' ? 'product' : 'transaction'}_search`, { interaction_type: 'search', search_term: term.trim().toLowerCase().slice(0, 100) }, opts);
  }

  private emit(userId: string, eventType: string, eventSubtype: string, data: Record<string, unknown>, opts: Common): boolean {
    return this.pipeline.submit({
      userId,
      eventType,
      eventSubtype,
      sessionId: opts.sessionId ?? null,
      // Explicit fields win over `extra`, so a caller cannot relabel an event.
      data: { source_kind: 'domain', ...(opts.extra ?? {}), ...data },
    });
  }
}
