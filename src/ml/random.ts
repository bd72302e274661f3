import { createHash } from 'node:crypto';

export type Random = () => number;

/** A 32-bit seed for seededRandom() from a name, the same on every run and machine. */
export function seedFrom(name: string): number {
  return createHash('sha256').update(name).digest().readUInt32LE(0);
}

/** Small deterministic PRNG (mulberry32): reproducible simulations and tests. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box–Muller). */
export function normal(random: Random): number {
  const u = random() || Number.MIN_VALUE;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Poisson draw (Knuth; fine for the small rates used here). */
export function poisson(lambda: number, random: Random): number {
  if (lambda <= 0) return 0;
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}
