import { uuid7 } from '../../../src/behavioral/uuid7';

describe('uuid7', () => {
  it('is a version-7, variant-10 UUID carrying the millisecond timestamp', () => {
    const ms = Date.UTC(2026, 10, 24, 12, 0, 0);
    const id = uuid7(ms);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ms = Date.now() + 10_000;
    const ids = Array.from({ length: 5000 }, () => uuid7(ms));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
