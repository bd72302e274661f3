import { Injectable } from '@nestjs/common';

import { MIN_PEERS, quartile } from '../common/peer-privacy';

import { BehavioralRepository, type SegmentRow } from './behavioral.repository';

/** Engagement weights (contract); any other type weighs 1. */
export const ENGAGEMENT_WEIGHTS: Record<string, number> = {
  page_view: 1,
  recommendation_interaction: 3,
  goal_modification: 4,
  purchase: 5,
};
const MAX_WEIGHT = 5;
// A behaviour change needs a baseline: below this many events in the 30 days before the last week, nothing is compared.
export const MIN_BASELINE_EVENTS = 10;

export interface BehaviorAggregate {
  user_id: string;
  period_days: number;
  total_events: number;
  event_counts: Record<string, number>;
  interaction_patterns: Record<string, Record<string, number>>;
  behavior_diversity: number;
  engagement_score: number;
  generated_at: string;
}

export interface BehaviorChange {
  type: 'increased_activity' | 'decreased_activity' | 'new_behavior_pattern';
  event_type: string;
  change_ratio: number | null;
  recent_count: number;
  baseline_weekly_avg: number;
  description: string;
}

/**
 * Engagement: mean event weight ÷ the top weight (5), in [0, 1] — only page views
 * gives 0.2, only purchases 1.0 (the reference system's normalisation).
 */
export function engagementScore(counts: Record<string, number>): number {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const weighted = Object.entries(counts).reduce((a, [type, n]) => a + n * (ENGAGEMENT_WEIGHTS[type] ?? 1), 0);
  return Math.round(Math.min(1, weighted / (total * MAX_WEIGHT)) * 1000) / 1000;
}

/**
 * Last 7 days against the weekly average of the 30 days before them (days 8–37):
 * non-overlapping windows, unlike the reference system, so a new user is not
 * reported as a ×4 increase. Ratio > 2 increase, < 0.5 decrease; types seen this
 * week but never in the baseline are new patterns. Needs a baseline of MIN_BASELINE_EVENTS.
 */
export function detectChanges(recent: Record<string, number>, baseline30: Record<string, number>): BehaviorChange[] {
  const baselineTotal = Object.values(baseline30).reduce((a, b) => a + b, 0);
  if (baselineTotal < MIN_BASELINE_EVENTS) return [];
  const changes: BehaviorChange[] = [];
  for (const type of new Set([...Object.keys(recent), ...Object.keys(baseline30)])) {
    const now = recent[type] ?? 0;
    const weekly = ((baseline30[type] ?? 0) * 7) / 30;
    if (weekly === 0) {
      if (now > 0)
        changes.push({
          type: 'new_behavior_pattern',
          event_type: type,
          change_ratio: null,
          recent_count: now,
          baseline_weekly_avg: 0,
          description: `New behaviour: ${type.replace(/_/g, ' ')}`,
        });
      continue;
    }
    const ratio = Math.round((now / weekly) * 100) / 100;
    if (ratio > 2)
      changes.push({
        type: 'increased_activity',
        event_type: type,
        change_ratio: ratio,
        recent_count: now,
        baseline_weekly_avg: round1(weekly),
        description: `Significant increase in ${type.replace(/_/g, ' ')} activity`,
      });
    else if (ratio < 0.5)
      changes.push({
        type: 'decreased_activity',
        event_type: type,
        change_ratio: ratio,
        recent_count: now,
        baseline_weekly_avg: round1(weekly),
        description: `Significant decrease in ${type.replace(/_/g, ' ')} activity`,
      });
  }
  return changes;
}

/** Reads behavioural events back: every figure is a SQL aggregate over (user_id, event_type, timestamp). */
@Injectable()
export class BehavioralAnalyticsService {
  constructor(private readonly repository: BehavioralRepository) {}

  async aggregate(userId: string, days: number, eventType?: string): Promise<BehaviorAggregate> {
    const rows = await this.repository.countsByInteraction(userId, days);
    const counts: Record<string, number> = {};
    const patterns: Record<string, Record<string, number>> = {};
    for (const r of rows) {
      counts[r.event_type] = (counts[r.event_type] ?? 0) + r.n;
      (patterns[r.event_type] ??= {})[r.interaction] = r.n;
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    // As the reference system: a type filter narrows the breakdowns, not the totals.
    const pick = <T>(o: Record<string, T>) =>
      eventType ? (o[eventType] !== undefined ? { [eventType]: o[eventType] } : {}) : o;
    return {
      user_id: userId,
      period_days: days,
      total_events: total,
      event_counts: pick(counts),
      interaction_patterns: pick(patterns),
      behavior_diversity: Object.keys(counts).length,
      engagement_score: engagementScore(counts),
      generated_at: new Date().toISOString(),
    };
  }

  /** How many transaction events the user recorded per category in the last 30 days (their attention). */
  transactionAttention(userId: string): Promise<Array<{ category: string; n: number }>> {
    return this.repository.transactionEventsByCategory(userId);
  }

  async changes(userId: string): Promise<BehaviorChange[]> {
    const rows = await this.repository.recentAndBaselineCounts(userId);
    return detectChanges(
      Object.fromEntries(rows.filter((r) => r.recent > 0).map((r) => [r.event_type, r.recent])),
      Object.fromEntries(rows.filter((r) => r.baseline > 0).map((r) => [r.event_type, r.baseline])),
    );
  }

  async recentEvents(userId: string, days: number, limit: number, offset: number, eventType?: string) {
    const since = new Date(Date.now() - days * 86_400_000);
    const { total, events } = await this.repository.recentEvents(userId, since, limit, offset, eventType);
    return {
      total,
      limit,
      offset,
      events: events.map((e) => ({
        id: e.id,
        event_type: e.eventType,
        event_subtype: e.eventSubtype,
        session_id: e.sessionId,
        timestamp: e.timestamp.toISOString(),
        event_data: e.eventData,
      })),
    };
  }

  /** The user's 30-day activity against peers of the same segment (aggregates of ≥ 5 peers only). */
  async peerEngagement(userId: string): Promise<{
    peer_count: number;
    peer_avg_events_30d: number;
    user_events_30d: number;
    activity_percentile: number;
  } | null> {
    const row = await this.repository.peerActivity(userId);
    if (!row || row.peers < MIN_PEERS) return null;
    return {
      peer_count: row.peers,
      peer_avg_events_30d: round1(row.avg_events ?? 0),
      user_events_30d: row.mine,
      activity_percentile: quartile(row.pct),
    };
  }

  /** The user's segment for the behavioural views, or null before the first segmentation. */
  async segmentOf(userId: string) {
    return toSegmentInfo(await this.repository.segmentOf(userId));
  }

  ownsTransaction(userId: string, transactionId: string): Promise<boolean> {
    return this.repository.ownsTransaction(userId, transactionId);
  }

  /** Users with activity in the last week (candidates for change detection). */
  activeUsers(limit: number): Promise<string[]> {
    return this.repository.activeUsers(limit);
  }

  /** Retention: deletes events older than `days` (in chunks, so the table is never locked for long). */
  purgeOlderThan(days: number): Promise<number> {
    return this.repository.purgeOlderThan(days);
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function toSegmentInfo(segment: SegmentRow | undefined) {
  return segment
    ? {
        segment_id: segment.segmentId,
        segment_name: segment.segmentName,
        confidence: segment.confidence,
        updated_at: segment.updatedAt.toISOString(),
      }
    : null;
}
