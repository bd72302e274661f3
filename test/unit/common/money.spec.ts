import { Decimal, money } from '../../../src/common/money';

describe('money', () => {
  it('passes a stored NUMERIC(12, 2) string through unchanged', () => {
    expect(money('1000.00')).toBe('1000.00');
    expect(money('-12.50')).toBe('-12.50');
    expect(money('0.07')).toBe('0.07');
  });

  it('rounds and pads every other input to two places, never showing -0.00', () => {
    expect(money('12.5')).toBe('12.50');
    expect(money('12.345')).toBe('12.35');
    expect(money('7')).toBe('7.00');
    expect(money(12.345)).toBe('12.35');
    expect(money(-0.004)).toBe('0.00');
    expect(money(new Decimal('99.999'))).toBe('100.00');
    expect(money(1e21)).toBe('1000000000000000000000.00');
  });

  it('reads a missing value as zero', () => {
    expect(money(null)).toBe('0.00');
    expect(money(undefined)).toBe('0.00');
  });
});
