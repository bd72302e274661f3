import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';

import { type AccountFailures, LoginThrottleRepository } from './login-throttle.repository';

export interface LoginThrottleOptions {
  /** Failed attempts allowed before each further attempt has to wait. */
  failuresBeforeBackoff: number;
  /** The longest wait; the wait doubles per failure from one second up to this. */
  maxBackoffSeconds: number;
}

/**
 * One login attempt on an account with `current` failures at `nowMs`: the seconds it must still
 * wait (0: it may try) and the record to keep. An allowed attempt counts as a failure until it
 * succeeds, so attempts sent in parallel cannot all slip through before the first one fails. A
 * record idle for twice the longest wait starts over.
 */
export function loginAttempt(
  current: AccountFailures | undefined,
  nowMs: number,
  options: LoginThrottleOptions,
): { waitSeconds: number; next: AccountFailures } {
  const stale = current !== undefined && nowMs - current.lastFailureMs > options.maxBackoffSeconds * 2000;
  const record = stale ? undefined : current;
  const over = record ? record.count - options.failuresBeforeBackoff : -1;
  if (record && over >= 0) {
    const waitMs = Math.min(options.maxBackoffSeconds, 2 ** Math.min(over, 30)) * 1000;
    const remaining = record.lastFailureMs + waitMs - nowMs;
    if (remaining > 0) return { waitSeconds: Math.ceil(remaining / 1000), next: record };
  }
  return { waitSeconds: 0, next: { count: (record?.count ?? 0) + 1, lastFailureMs: nowMs } };
}

/**
 * Per-account login throttling, on top of the per-IP limit (which an attacker with many addresses
 * does not feel), kept in PostgreSQL so every replica counts the same attempts. Keyed by a hash of
 * the e-mail as typed (normalised), whether or not the account exists, so the answer reveals
 * nothing about which accounts exist and the table holds no address.
 */
@Injectable()
export class LoginThrottle {
  private readonly options: LoginThrottleOptions;

  constructor(
    private readonly repository: LoginThrottleRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.options = {
      failuresBeforeBackoff: config.auth.loginFailuresBeforeBackoff,
      maxBackoffSeconds: config.auth.loginBackoffMaxSeconds,
    };
  }

  /** Seconds this account must still wait; 0 when it may try now, in which case the attempt is counted. */
  attempt(email: string): Promise<number> {
    return this.repository.update(accountKey(email), (current) => {
      const { waitSeconds, next } = loginAttempt(current, Date.now(), this.options);
      return { next, result: waitSeconds };
    });
  }

  succeeded(email: string): Promise<void> {
    return this.repository.clear(accountKey(email));
  }

  /** Deletes records idle long enough to start over (the nightly retention job). */
  purgeIdle(): Promise<number> {
    return this.repository.deleteIdleSince(new Date(Date.now() - this.options.maxBackoffSeconds * 2000));
  }
}

function accountKey(email: string): Buffer {
  return createHash('sha256').update(email.normalize('NFKC').trim().toLowerCase()).digest();
}
