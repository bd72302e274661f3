import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KiB at a time: one syscall per 409 ids instead of one per id.
const POOL = Buffer.allocUnsafe(4096);
let poolOffset = POOL.length;
let lastMs = -1;
let sequence = 0;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * RFC 9562 UUIDv7: 48-bit Unix milliseconds, then randomness. Ids created in the
 * same millisecond carry a 12-bit counter in rand_a, so they sort in creation order
 * (the primary key then appends to the index's right edge, and retries are idempotent).
 */
export function uuid7(now: number = Date.now()): string {
  if (poolOffset + 10 > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  if (now > lastMs) {
    lastMs = now;
    sequence = POOL[poolOffset] & 0x3f; // random start, room to count up
  } else {
    // Same (or an earlier, clock stepped back) millisecond: keep monotonic.
    sequence++;
    if (sequence > 0xfff) {
      lastMs++;
      sequence = 0;
    }
    now = lastMs;
  }
  const b = POOL;
  const o = poolOffset;
  poolOffset += 10;
  const ms = now;
  const hi = Math.floor(ms / 0x1000000); // top 24 bits of 48
  const lo = ms % 0x1000000;
  return (
    HEX[(hi >>> 16) & 0xff] + HEX[(hi >>> 8) & 0xff] + HEX[hi & 0xff] + HEX[(lo >>> 16) & 0xff] + '-' +
    HEX[(lo >>> 8) & 0xff] + HEX[lo & 0xff] + '-' +
    HEX[0x70 | (sequence >>> 8)] + HEX[sequence & 0xff] + '-' +
    HEX[0x80 | (b[o + 1] & 0x3f)] + HEX[b[o + 2]] + '-' +
    HEX[b[o + 3]] + HEX[b[o + 4]] + HEX[b[o + 5]] + HEX[b[o + 6]] + HEX[b[o + 7]] + HEX[b[o + 8]]
  );
}
