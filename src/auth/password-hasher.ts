import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 64;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function scrypt(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  const N = 2 ** cost;
  const options: ScryptOptions = { N, r: BLOCK_SIZE, p: PARALLELISM, maxmem: 256 * N * BLOCK_SIZE };
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Salted scrypt (memory-hard, from node:crypto, computed on libuv's thread pool
 * so it never blocks the event loop). Stored as `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`
 * so the cost can be raised later without invalidating existing hashes.
 */
export class PasswordHasher {
  constructor(private readonly cost: number) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scrypt(password, salt, this.cost);
    return ['scrypt', this.cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, cost, , , saltB64, keyB64] = stored.split('$');
    if (scheme !== 'scrypt' || !saltB64 || !keyB64) return false;
    const expected = Buffer.from(keyB64, 'base64');
    const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), Number(cost));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /**
   * Spends the same time as a real verification; used when the e-mail is unknown
   * so response timing does not reveal which accounts exist.
   */
  async burn(password: string): Promise<void> {
    await scrypt(password, Buffer.alloc(16), this.cost);
  }
}
