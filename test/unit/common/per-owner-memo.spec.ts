import { PerOwnerMemo } from '../../../src/common/per-owner-memo';

describe('PerOwnerMemo', () => {
  it('holds an owner’s value while its key is unchanged and recomputes when the key changes', async () => {
    const memo = new PerOwnerMemo<number>(10);
    let calls = 0;
    const compute = () => Promise.resolve(++calls);
    expect(memo.get('a', 'v1', compute).held).toBe(false);
    const again = memo.get('a', 'v1', compute);
    expect(again.held).toBe(true);
    expect(await again.value).toBe(1);
    expect(await memo.get('a', 'v2', compute).value).toBe(2);
    expect(await memo.get('b', 'v2', compute).value).toBe(3);
    expect(calls).toBe(3);
  });

  it('shares one computation between concurrent asks with the same key', async () => {
    const memo = new PerOwnerMemo<string>(10);
    let calls = 0;
    let release!: (v: string) => void;
    const compute = () => {
      calls++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const asks = [1, 2, 3].map(() => memo.get('a', 'k', compute).value);
    release('x');
    expect(await Promise.all(asks)).toEqual(['x', 'x', 'x']);
    expect(calls).toBe(1);
  });

  it('forgets a failed computation so the next ask computes again', async () => {
    const memo = new PerOwnerMemo<number>(10);
    await expect(memo.get('a', 'k', () => Promise.reject(new Error('down'))).value).rejects.toThrow('down');
    await new Promise((r) => setImmediate(r));
    const next = memo.get('a', 'k', () => Promise.resolve(7));
    expect(next.held).toBe(false);
    expect(await next.value).toBe(7);
  });

  it('keeps at most maxOwners, evicting the owner stored longest ago', async () => {
    const memo = new PerOwnerMemo<number>(2);
    memo.get('a', 'k', () => Promise.resolve(1));
    memo.get('b', 'k', () => Promise.resolve(2));
    memo.get('a', 'k2', () => Promise.resolve(3)); // a stored again: now the newest
    memo.get('c', 'k', () => Promise.resolve(4));
    expect(memo.size).toBe(2);
    expect(memo.get('b', 'k', () => Promise.resolve(5)).held).toBe(false);
    expect(memo.get('c', 'k', () => Promise.resolve(6)).held).toBe(true);
  });
});
