import { HourlyAllowance } from '../../../src/common/hourly-allowance';

describe('HourlyAllowance', () => {
  it('allows perWindow actions per key, then answers the seconds left in the window', () => {
    let now = 1_000_000;
    const allowance = new HourlyAllowance({ perWindow: 2, now: () => now });
    expect(allowance.take('a')).toBe(0);
    expect(allowance.take('a')).toBe(0);
    expect(allowance.take('a')).toBe(3600);
    expect(allowance.take('b')).toBe(0); // keys are independent
    now += 1_800_000;
    expect(allowance.take('a')).toBe(1800);
    now += 1_800_000; // a new window
    expect(allowance.take('a')).toBe(0);
  });

  it('forgets the least recently active key beyond maxKeys', () => {
    const allowance = new HourlyAllowance({ perWindow: 1, maxKeys: 2, now: () => 0 });
    allowance.take('a');
    allowance.take('b');
    expect(allowance.take('a')).toBeGreaterThan(0); // a is now the most recent
    allowance.take('c'); // evicts b
    expect(allowance.take('c')).toBeGreaterThan(0); // c is still tracked
    expect(allowance.take('b')).toBe(0); // b was forgotten: a fresh window
  });
});
