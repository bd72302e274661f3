import { loginAttempt } from '../../../src/auth/login-throttle';
import type { AccountFailures } from '../../../src/auth/login-throttle.repository';

describe('loginAttempt', () => {
  const options = { failuresBeforeBackoff: 3, maxBackoffSeconds: 8 };
  /** Attempts at the given clock readings (ms) on one account, from no record: each one's wait. */
  function waits(clockMs: number[]): number[] {
    let record: AccountFailures | undefined;
    return clockMs.map((now) => {
      const { waitSeconds, next } = loginAttempt(record, now, options);
      record = next;
      return waitSeconds;
    });
  }

  it('lets the first attempts through, then doubles the wait per failure up to the maximum', () => {
    const t0 = 1_000_000;
    expect(
      waits([
        t0,
        t0,
        t0,
        t0, // 4th: must wait 1 s
        t0 + 1000, // counted (4 failures)
        t0 + 1000, // must wait 2 s
        t0 + 3000, // counted (5)
        t0 + 7000, // counted (6) after 4 s
        t0 + 7000, // must wait 8 s = the maximum
        t0 + 15_000, // counted (7)
        t0 + 15_000, // capped at 8 s
      ]),
    ).toEqual([0, 0, 0, 1, 0, 2, 0, 0, 8, 0, 8]);
  });

  it('counts a refused attempt as nothing and keeps the record as it was', () => {
    const record = { count: 3, lastFailureMs: 1000 };
    expect(loginAttempt(record, 1500, options)).toEqual({ waitSeconds: 1, next: record });
  });

  it('starts over after twice the longest wait without attempts', () => {
    const record = { count: 9, lastFailureMs: 0 };
    expect(loginAttempt(record, 7_000, options).waitSeconds).toBe(1);
    expect(loginAttempt(record, 16_000, options).next.count).toBe(10);
    expect(loginAttempt(record, 16_001, options)).toEqual({
      waitSeconds: 0,
      next: { count: 1, lastFailureMs: 16_001 },
    });
  });
});
