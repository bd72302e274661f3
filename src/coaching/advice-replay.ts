import { seededRandom, seedFrom } from '../ml/random';

import { findContradictions, type AdviceResponse, type Contradiction } from './advice-consistency';
import type { RecommendationsService } from './recommendations.service';

const DAY_MS = 86_400_000;

/** One served recommendation of the replay, with what the checker found in it. */
export interface ReplayedAdvice {
  dataset: string;
  account: string;
  /** End of the replayed day (UTC). */
  cutoff: string;
  endpoint: 'recommendation' | 'enhanced-recommendation';
  action_type: string;
  decision_source: string;
  segment_id: number | null;
  recommendation: string;
  state_summary: AdviceResponse['state_summary'];
  state_summary_30d: AdviceResponse['state_summary_30d'];
  contradictions: Contradiction[];
}

/**
 * Configuration the replay's app needs beside the usual one. The replay asks for every week of a
 * history within seconds of wall-clock time, so the per-user hourly allowance of segment
 * recomputations (a guard against probing peers, docs/security.md) would freeze each account's
 * segment after its first few weeks and hide every later change.
 */
export const ADVICE_REPLAY_ENV = { SEGMENT_REFRESHES_PER_HOUR: '100000' } as const;

/**
 * Weekly cut-offs over a history: the end (23:59:59.999 UTC) of every 7th day, starting with the
 * last day of the first full week and ending at or before the last row's day. Rows without a time
 * are stamped at noon of their day, so a cut-off at the end of a day sees the whole day.
 */
export function weeklyCutoffs(firstRow: Date, lastRow: Date): Date[] {
  const firstDay = Math.floor(firstRow.getTime() / DAY_MS);
  const lastDay = Math.floor(lastRow.getTime() / DAY_MS);
  const out: Date[] = [];
  for (let day = firstDay + 6; day <= lastDay; day += 7) out.push(new Date((day + 1) * DAY_MS - 1));
  return out;
}

/**
 * Asks the served coaching (both recommendation endpoints, the real services and database) for one
 * account at each cut-off, as if the user had opened the app then, and checks every answer.
 */
export async function replayAccount(
  recommendations: RecommendationsService,
  userId: string,
  labels: { dataset: string; account: string },
  cutoffs: Date[],
): Promise<ReplayedAdvice[]> {
  const out: ReplayedAdvice[] = [];
  // One stream per account, drawn in a fixed order: the same replay serves the same actions every run.
  const random = seededRandom(seedFrom(`${labels.dataset}|${labels.account}`));
  for (const cutoff of cutoffs) {
    const basic = await recommendations.recommend({ id: userId }, { at: cutoff, random });
    const enhanced = await recommendations.recommendEnhanced(userId, { at: cutoff, random });
    for (const [endpoint, r, segment] of [
      ['recommendation', basic, null],
      ['enhanced-recommendation', enhanced, enhanced.segment_info.segment_id],
    ] as const) {
      out.push({
        ...labels,
        cutoff: cutoff.toISOString(),
        endpoint,
        action_type: r.action_type,
        decision_source: r.decision_source,
        segment_id: segment,
        recommendation: r.recommendation,
        state_summary: r.state_summary,
        state_summary_30d: r.state_summary_30d,
        contradictions: findContradictions(r),
      });
    }
  }
  return out;
}

export interface ReplayTally {
  dataset: string;
  accounts: number;
  weeks: number;
  responses: number;
  contradictions: number;
  contradictionsByKind: Record<string, number>;
  /** Up to 5 contradicting responses, for the report. */
  examples: ReplayedAdvice[];
  /** Consecutive weekly pairs of one account whose enhanced-recommendation segment differs. */
  segmentChanges: number;
  segmentPairs: number;
  /** Share of each action per endpoint. */
  actionShares: Record<string, Record<string, number>>;
  decisionSources: Record<string, number>;
  praiseShown: number;
  /** Responses whose 7-day savings rate is negative (where the old texts praised most often). */
  negativeWeekRate: number;
}

/** Counts a replay's contradictions, segment changes and action shares (per data set). */
export function tallyReplay(dataset: string, advice: ReplayedAdvice[]): ReplayTally {
  const byKind: Record<string, number> = {};
  const examples: ReplayedAdvice[] = [];
  const actions: Record<string, Record<string, number>> = {};
  const sources: Record<string, number> = {};
  let contradictions = 0;
  let praiseShown = 0;
  let negativeWeekRate = 0;
  for (const a of advice) {
    if (a.contradictions.length > 0) {
      contradictions++;
      if (examples.length < 5) examples.push(a);
    }
    for (const c of a.contradictions) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
    actions[a.endpoint] ??= {};
    actions[a.endpoint][a.action_type] = (actions[a.endpoint][a.action_type] ?? 0) + 1;
    sources[a.decision_source] = (sources[a.decision_source] ?? 0) + 1;
    if (a.action_type === 'positive_reinforcement') praiseShown++;
    if (a.state_summary.savings_rate < 0) negativeWeekRate++;
  }
  for (const endpoint of Object.keys(actions)) {
    const total = Object.values(actions[endpoint]).reduce((x, y) => x + y, 0);
    for (const k of Object.keys(actions[endpoint])) actions[endpoint][k] = actions[endpoint][k] / total;
  }

  const segmentsByAccount = new Map<string, ReplayedAdvice[]>();
  for (const a of advice)
    if (a.endpoint === 'enhanced-recommendation')
      segmentsByAccount.set(a.account, [...(segmentsByAccount.get(a.account) ?? []), a]);
  let segmentChanges = 0;
  let segmentPairs = 0;
  for (const rows of segmentsByAccount.values()) {
    const ordered = [...rows].sort((x, y) => x.cutoff.localeCompare(y.cutoff));
    for (let i = 1; i < ordered.length; i++) {
      segmentPairs++;
      if (ordered[i].segment_id !== ordered[i - 1].segment_id) segmentChanges++;
    }
  }
  return {
    dataset,
    accounts: new Set(advice.map((a) => a.account)).size,
    weeks: new Set(advice.map((a) => `${a.account}|${a.cutoff}`)).size,
    responses: advice.length,
    contradictions,
    contradictionsByKind: byKind,
    examples,
    segmentChanges,
    segmentPairs,
    actionShares: actions,
    decisionSources: sources,
    praiseShown,
    negativeWeekRate,
  };
}
