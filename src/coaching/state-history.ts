import { coachingMoment } from '../ml/features/spending-history';
import type { UserState } from '../ml/user-state.service';

/**
 * What a coaching response says about the history its numbers come from: the last transaction's
 * date, and whether the history was silent so long that the state describes its last days rather
 * than the moment asked about (UserStateService.load).
 */
export interface HistoryFields {
  history_through: string | null;
  history_stale: boolean;
}

/** The state's history fields, as every coaching response built from it carries them. */
export function historyFields(state: UserState): HistoryFields {
  return {
    history_through: state.lastTransactionAt?.toISOString() ?? null,
    history_stale: state.historyStale,
  };
}

/**
 * Whether an answer stored with these fields still reads its history as it would at `now`: one
 * computed while the history was current must be computed again once the history has been silent
 * for STALE_HISTORY_DAYS (then it describes the last days), however long it may otherwise be kept.
 */
export function historyStillCurrent(fields: HistoryFields, now = new Date()): boolean {
  if (fields.history_stale) return true;
  const lastAt = fields.history_through === null ? null : new Date(fields.history_through);
  return coachingMoment(lastAt, now).getTime() === now.getTime();
}
