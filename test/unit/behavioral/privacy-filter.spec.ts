import { PrivacyFilter } from '../../../src/behavioral/privacy-filter';

describe('PrivacyFilter', () => {
  const filter = new PrivacyFilter();

  it.each(['password', 'new_PASSWORD', 'pwd', 'client_secret', 'accessToken', 'api_key', 'Authorization', 'x-auth', 'credit_card', 'creditCardNumber', 'ssn', 'CVV', 'cookie'])(
    'drops the key %s',
    (key) => {
      expect(filter.filter({ [key]: 'value', keep: 1 })).toEqual({ keep: 1 });
    },
  );

  it('drops sensitive keys at any depth, inside arrays too, keeping the rest', () => {
    const input = {
      route: '/auth/profile',
      body: { profile: { Password: 'p1', name: 'Ada' }, list: [{ token: 't1', ok: true }, [{ deep: { secret_answer: 's', x: 1 } }]] },
    };
    expect(new PrivacyFilter({ maxDepth: 10 }).filter(input)).toEqual({ route: '/auth/profile', body: { profile: { name: 'Ada' }, list: [{ ok: true }, [{ deep: { x: 1 } }]] } });
    // The input is not modified.
    expect(input.body.profile.Password).toBe('p1');
  });

  it('truncates long strings to the documented limit (500 characters + …) and strips NUL', () => {
    const out = filter.filter({ text: 'x'.repeat(2000), nul: 'a\u0000b' });
    expect(out.text).toBe(`${'x'.repeat(500)}…`);
    expect(out.nul).toBe('ab');
  });

  it('bounds depth, array length and key count', () => {
    const small = new PrivacyFilter({ maxDepth: 2, maxArrayLength: 3, maxKeys: 2 });
    expect(small.filter({ a: { b: { c: 1 } } })).toEqual({ a: { b: '[truncated: too deep]' } });
    expect(small.filter({ list: [1, 2, 3, 4, 5] })).toEqual({ list: [1, 2, 3] });
    expect(Object.keys(small.filter({ a: 1, b: 2, c: 3 }))).toEqual(['a', 'b']);
  });

  it('turns non-JSON values into safe ones', () => {
    expect(filter.filter({ n: Number.NaN, i: Infinity, big: 10n, d: new Date('2026-01-02T03:04:05Z'), f: () => 1, u: undefined })).toEqual({
      n: null,
      i: null,
      big: '10',
      d: '2026-01-02T03:04:05.000Z',
      f: null,
      u: null,
    });
  });

  it('throws on hostile input (a throwing getter), so the pipeline can fail closed', () => {
    const hostile = {};
    Object.defineProperty(hostile, 'boom', { enumerable: true, get: () => { throw new Error('no'); } });
    expect(() => filter.filter({ hostile })).toThrow();
  });
});
