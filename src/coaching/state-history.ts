import type { UserState } from '../ml/user-state.service';

/**
 * What a coaching response says about the history its numbers come from: the last transaction's
 * date, and whether the history was silent so long that the state describes its last days rather
 * than the moment asked about (UserStateService.load).
 */
export function historyFields(state: UserState) {
  return {
    history_through: state.lastTransactionAt?.toISOString() ?? null,
    history_stale: state.historyStale,
  };
}
