/**
 * The latest value computed for each owner, kept while the key it was computed from stays the
 * same. Concurrent asks with one key share one computation; a failed computation is forgotten.
 * At most `maxOwners` owners are kept: storing one more evicts the owner stored longest ago.
 */
export class PerOwnerMemo<T> {
  private readonly entries = new Map<string, { key: string; value: Promise<T> }>();

  constructor(private readonly maxOwners: number) {}

  /** The owner's value for `key`, computed now unless it is held; `held` says which. */
  get(owner: string, key: string, compute: () => Promise<T>): { value: Promise<T>; held: boolean } {
    const entry = this.entries.get(owner);
    if (entry?.key === key) return { value: entry.value, held: true };
    const value = compute();
    this.entries.delete(owner);
    this.entries.set(owner, { key, value });
    if (this.entries.size > this.maxOwners) this.entries.delete(this.entries.keys().next().value!);
    value.catch(() => {
      if (this.entries.get(owner)?.value === value) this.entries.delete(owner);
    });
    return { value, held: false };
  }

  get size(): number {
    return this.entries.size;
  }
}
