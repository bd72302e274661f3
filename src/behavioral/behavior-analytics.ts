import { ENGAGEMENT_WEIGHTS, MAX_ENGAGEMENT_WEIGHT } from './event-types';

/** Weight of an event type in the engagement score (contract); unknown types weigh 1. */
export function engagementWeight(eventType: string): number {
  return ENGAGEMENT_WEIGHTS[eventType] ?? 1;
}

/**
 * Mean event weight divided by the top weight (5): 0 without events, 0.2 when
 * every event is a page view, 1.0 when every event is a purchase. Rounded to 3
 * decimals. Independent of volume on purpose: it measures the depth of
 * engagement; `total_events` carries the volume.
 */
export function engagementScore(counts: Record<string, number>): number {
  let total = 0;
  let weighted = 0;
  for (const [type, n] of Object.entries(counts)) {
    total += n;
    weighted += n * engagementWeight(type);
  }
  if (total === 0) return 0;
  return Math.round(Math.min(1, weighted / (total * MAX_ENGAGEMENT_WEIGHT)) * 1000) / 1000;
}

export interface GroupRow {
  event_type: string;
  interaction_type: string;
  n: number;
}

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

/** The reference aggregate (§3.7) from per-(type, interaction) counts computed in SQL. */
export function buildAggregate(userId: string, days: number, rows: GroupRow[], now: Date): BehaviorAggregate {
  const eventCounts: Record<string, number> = {};
  const patterns: Record<string, Record<string, number>> = {};
  let total = 0;
  for (const r of rows) {
    eventCounts[r.event_type] = (eventCounts[r.event_type] ?? 0) + r.n;
    (patterns[r.event_type] ??= {})[r.interaction_type] = r.n;
    total += r.n;
  }
  return {
    user_id: userId,
    period_days: days,
    total_events: total,
    event_counts: eventCounts,
    interaction_patterns: patterns,
    behavior_diversity: Object.keys(eventCounts).length,
    engagement_score: engagementScore(eventCounts),
    generated_at: now.toISOString(),
  };
}

export const RECENT_DAYS = 7;
/** Baseline: the 30 days before the recent week (days 8-37), never overlapping it. */
export const BASELINE_DAYS = 30;
/**
 * Below this many baseline events there is no baseline to compare with (a new
 * user's first week is not a "×4 increase"): no change is reported at all.
 */
export const MIN_BASELINE_EVENTS = 10;
export const INCREASE_RATIO = 2;
export const DECREASE_RATIO = 0.5;

export interface WindowRow {
  event_type: string;
  recent: number;
  baseline: number;
}

export type BehaviorChange =
  | { type: 'increased_activity' | 'decreased_activity'; event_type: string; change_ratio: number; recent_count: number; weekly_average: number; description: string }
  | { type: 'new_behavior_pattern'; pattern: string; event_type: string; recent_count: number; description: string };

export interface ChangeAnalysis {
  changes: BehaviorChange[];
  baseline_events: number;
  baseline_sufficient: boolean;
}

/** Last 7 days against the weekly average of the 30 days before them (contract, with the original's overlap fixed). */
export function detectChanges(rows: WindowRow[]): ChangeAnalysis {
  const baselineEvents = rows.reduce((sum, r) => sum + r.baseline, 0);
  if (baselineEvents < MIN_BASELINE_EVENTS) return { changes: [], baseline_events: baselineEvents, baseline_sufficient: false };
  const changes: BehaviorChange[] = [];
  for (const r of [...rows].sort((a, b) => a.event_type.localeCompare(b.event_type))) {
    if (r.baseline === 0) {
      if (r.recent > 0) {
        changes.push({ type: 'new_behavior_pattern', pattern: r.event_type, event_type: r.event_type, recent_count: r.recent, description: `New behavior pattern: ${r.event_type}` });
      }
      continue;
    }
    const weekly = (r.baseline * RECENT_DAYS) / BASELINE_DAYS;
    const ratio = r.recent / weekly;
    const common = { event_type: r.event_type, change_ratio: Math.round(ratio * 100) / 100, recent_count: r.recent, weekly_average: Math.round(weekly * 100) / 100 };
    if (ratio > INCREASE_RATIO) changes.push({ type: 'increased_activity', ...common, description: `Significant increase in ${r.event_type} activity` });
    else if (ratio < DECREASE_RATIO) changes.push({ type: 'decreased_activity', ...common, description: `Significant decrease in ${r.event_type} activity` });
  }
  return { changes, baseline_events: baselineEvents, baseline_sufficient: true };
}
