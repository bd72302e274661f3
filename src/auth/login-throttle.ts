export interface LoginThrottleOptions {
  /** Failed attempts allowed before each further attempt has to wait. */
  failuresBeforeBackoff: number;
  /** The longest wait; the wait doubles per failure from one second up to this. */
  maxBackoffSeconds: number;
  /** Accounts tracked at once; the least recently failed are forgotten first, so memory stays bounded. */
  maxAccounts?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  lastFailureMs: number;
}

/**
 * Per-account login throttling, on top of the per-IP limit (which an attacker with many addresses
 * does not feel). Keyed by the e-mail as typed (normalised), whether or not the account exists,
 * so the answer reveals nothing about which accounts exist. Every attempt counts as a failure
 * until it succeeds (which clears the account's record): attempts sent in parallel cannot all slip
 * through before the first one's failure is recorded.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();
  private readonly maxAccounts: number;
  private readonly now: () => number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.maxAccounts = options.maxAccounts ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Seconds this account must still wait; 0 when it may try now, in which case the attempt is
   * counted (as a failure until `succeeded`).
   */
  attempt(email: string): number {
    const wait = this.retryAfterSeconds(email);
    if (wait === 0) this.recordFailure(email);
    return wait;
  }

  succeeded(email: string): void {
    this.failures.delete(key(email));
  }

  private retryAfterSeconds(email: string): number {
    const record = this.failures.get(key(email));
    if (!record) return 0;
    const over = record.count - this.options.failuresBeforeBackoff;
    if (over < 0) return 0;
    const waitMs = Math.min(this.options.maxBackoffSeconds, 2 ** Math.min(over, 30)) * 1000;
    const remaining = record.lastFailureMs + waitMs - this.now();
    return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
  }

  private recordFailure(email: string): void {
    const k = key(email);
    const record = this.failures.get(k);
    const now = this.now();
    // A record idle for longer than the longest wait starts over.
    const stale = record && now - record.lastFailureMs > this.options.maxBackoffSeconds * 2000;
    const count = record && !stale ? record.count + 1 : 1;
    this.failures.delete(k); // re-inserted last: Map order is then least recently failed first
    this.failures.set(k, { count, lastFailureMs: now });
    if (this.failures.size > this.maxAccounts) {
      this.failures.delete(this.failures.keys().next().value!);
    }
  }
}

function key(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}
