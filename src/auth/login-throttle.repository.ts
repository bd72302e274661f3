import { Injectable } from '@nestjs/common';

import { firstRow, inTransaction } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

/** One account's failed logins: how many, and when the last one was. */
export interface AccountFailures {
  count: number;
  lastFailureMs: number;
}

/** The login throttle's rows (`login_throttle`), shared by every replica. */
@Injectable()
export class LoginThrottleRepository {
  constructor(private readonly database: PrismaService) {}

  /**
   * Runs `decide` on the account's record with its row locked and stores the record it returns:
   * parallel attempts on one account, from any replica, are decided one after another.
   */
  update<T>(
    accountKey: Buffer,
    decide: (current: AccountFailures | undefined) => { next: AccountFailures; result: T },
  ): Promise<T> {
    return inTransaction(this.database.pool, async (tx) => {
      // The row must exist to be locked: a first attempt creates it (a count of 0 changes nothing).
      await tx.query({
        name: 'login-throttle-ensure',
        text: `INSERT INTO login_throttle (account_key, failures, last_failure_at) VALUES ($1, 0, now())
               ON CONFLICT (account_key) DO NOTHING`,
        values: [accountKey],
      });
      const row = await firstRow<{ failures: number; last_failure_at: Date }>(tx, {
        name: 'login-throttle-lock',
        text: 'SELECT failures, last_failure_at FROM login_throttle WHERE account_key = $1 FOR UPDATE',
        values: [accountKey],
      });
      const current =
        row && row.failures > 0 ? { count: row.failures, lastFailureMs: row.last_failure_at.getTime() } : undefined;
      const { next, result } = decide(current);
      await tx.query({
        name: 'login-throttle-save',
        text: 'UPDATE login_throttle SET failures = $2, last_failure_at = $3 WHERE account_key = $1',
        values: [accountKey, next.count, new Date(next.lastFailureMs)],
      });
      return result;
    });
  }

  async clear(accountKey: Buffer): Promise<void> {
    await this.database.pool.query({
      name: 'login-throttle-clear',
      text: 'DELETE FROM login_throttle WHERE account_key = $1',
      values: [accountKey],
    });
  }

  /** Deletes rows idle since before `before`: an attempt after that long starts over anyway. */
  async deleteIdleSince(before: Date): Promise<number> {
    const result = await this.database.pool.query({
      name: 'login-throttle-purge',
      text: 'DELETE FROM login_throttle WHERE last_failure_at < $1',
      values: [before],
    });
    return result.rowCount ?? 0;
  }
}
