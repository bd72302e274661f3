import { LoginThrottle } from '../../../src/auth/login-throttle';

describe('LoginThrottle', () => {
  let clock = 0;
  const throttle = () =>
    new LoginThrottle({ failuresBeforeBackoff: 3, maxBackoffSeconds: 8, maxAccounts: 2, now: () => clock });

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('lets the first attempts through, then doubles the wait per failure up to the maximum', () => {
    const t = throttle();
    expect([t.attempt('a@x.io'), t.attempt('a@x.io'), t.attempt('a@x.io')]).toEqual([0, 0, 0]);
    expect(t.attempt('a@x.io')).toBe(1);
    clock += 1000;
    expect(t.attempt('a@x.io')).toBe(0); // fourth failure
    expect(t.attempt('a@x.io')).toBe(2);
    clock += 2000;
    expect(t.attempt('a@x.io')).toBe(0);
    clock += 4000;
    expect(t.attempt('a@x.io')).toBe(0);
    expect(t.attempt('a@x.io')).toBe(8); // 2^3 = 8 = the maximum
    clock += 8000;
    expect(t.attempt('a@x.io')).toBe(0);
    expect(t.attempt('a@x.io')).toBe(8); // capped
  });

  it('counts per account, case- and width-insensitively, and a success clears the account', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) t.attempt('A@X.io');
    expect(t.attempt(' a@x.io')).toBeGreaterThan(0);
    expect(t.attempt('b@x.io')).toBe(0);
    t.succeeded('b@x.io');
    clock += 2000;
    expect(t.attempt('a@x.io')).toBe(0);
    t.succeeded('a@x.io');
    expect([t.attempt('a@x.io'), t.attempt('a@x.io'), t.attempt('a@x.io')]).toEqual([0, 0, 0]);
  });

  it('counts attempts in flight, so parallel guesses cannot all pass before a failure is recorded', () => {
    const t = throttle();
    const answers = Array.from({ length: 10 }, () => t.attempt('a@x.io'));
    expect(answers.filter((wait) => wait === 0)).toHaveLength(3);
  });

  it('forgets the least recently failed account beyond its bound', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) t.attempt('a@x.io');
    t.attempt('b@x.io');
    t.attempt('c@x.io');
    expect(t.attempt('a@x.io')).toBe(0);
  });
});
