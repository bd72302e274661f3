import { containsPattern, isUniqueViolation } from '../../src/infra/database/sql';

describe('containsPattern', () => {
  it('matches the term anywhere, with LIKE wildcards and the escape character taken literally', () => {
    expect(containsPattern('coffee')).toBe('%coffee%');
    expect(containsPattern('100%')).toBe('%100\\%%');
    expect(containsPattern('a_b')).toBe('%a\\_b%');
    expect(containsPattern('back\\slash')).toBe('%back\\\\slash%');
  });
});

describe('isUniqueViolation', () => {
  it('recognises SQLSTATE 23505 and nothing else', () => {
    expect(isUniqueViolation({ code: '23505' })).toBe(true);
    expect(isUniqueViolation({ code: '23503' })).toBe(false);
    expect(isUniqueViolation(new Error('23505'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });
});
