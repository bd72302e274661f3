import { isTransientDatabaseError } from '../../../src/behavioral/postgres-event-sink';

describe('isTransientDatabaseError', () => {
  it('retries connection-level failures and gives up on bad data', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('terminated'), { code: '08006' }))).toBe(true);
    expect(
      isTransientDatabaseError(Object.assign(new Error('the database system is starting up'), { code: '57P03' })),
    ).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransientDatabaseError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(true);
    expect(
      isTransientDatabaseError(Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' })),
    ).toBe(false);
    expect(
      isTransientDatabaseError(Object.assign(new Error('null value violates not-null constraint'), { code: '23502' })),
    ).toBe(false);
  });
});
