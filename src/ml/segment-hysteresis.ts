/** What the serving path remembers of a user's segment between refreshes (user_segments row). */
export interface SegmentMemory {
  segmentId: number;
  /** The nearer segment waiting to replace segmentId, and the state time it was first seen nearer. */
  pendingSegmentId: number | null;
  pendingSince: Date | null;
}

/**
 * A challenger must be nearer than the current segment's centroid by this much (robust units,
 * i.e. IQRs of the population) …
 */
export const SWITCH_MARGIN = 0.3;
/**
 * … at every refresh over at least three weeks: four consecutive weekly refreshes, or 22 daily ones.
 * One week let short histories flip back and forth: chosen on the fitted real accounts
 * (MoneyVis, Berka ids ≡ 0 mod 4) as the shortest wait that keeps nearly all of them within
 * the weekly-change target (models/reports/segmentation.md).
 */
export const CONFIRM_DAYS = 21;
const DAY_MS = 86_400_000;

/**
 * Hysteresis for segment assignment (docs/ml/segmentation.md): keep the current segment unless
 * another is nearer by SWITCH_MARGIN at refreshes spanning CONFIRM_DAYS, so a user whose
 * behaviour sits between two centroids is not moved back and forth week after week.
 * `now` is the time of the state the distances were computed from. Pure.
 */
export function nextSegment(distances: readonly number[], previous: SegmentMemory | null, now: Date): SegmentMemory {
  let nearest = 0;
  for (let i = 1; i < distances.length; i++) if (distances[i] < distances[nearest]) nearest = i;
  const current = previous?.segmentId;
  if (current === undefined || current < 0 || current >= distances.length || current === nearest)
    return { segmentId: nearest, pendingSegmentId: null, pendingSince: null };
  if (distances[current] - distances[nearest] < SWITCH_MARGIN)
    return { segmentId: current, pendingSegmentId: null, pendingSince: null };
  const since = previous?.pendingSegmentId === nearest ? previous.pendingSince : null;
  // A state older than the pending one (a replay restarted) starts the wait again.
  if (!since || since.getTime() > now.getTime())
    return { segmentId: current, pendingSegmentId: nearest, pendingSince: now };
  if (now.getTime() - since.getTime() >= CONFIRM_DAYS * DAY_MS)
    return { segmentId: nearest, pendingSegmentId: null, pendingSince: null };
  return { segmentId: current, pendingSegmentId: nearest, pendingSince: since };
}
