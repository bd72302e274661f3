/** Key fragments that mark a credential or identifier (case-insensitive, anywhere in the key). */
export const SENSITIVE_KEY_PARTS = ['password', 'pwd', 'secret', 'token', 'key', 'auth', 'credit_card', 'creditcard', 'card_number', 'ssn', 'cvv', 'cookie'] as const;

export interface PrivacyLimits {
  /** Longer strings are cut to this many characters plus "…". */
  maxStringLength: number;
  /** Objects/arrays nested deeper are replaced by a marker. */
  maxDepth: number;
  maxArrayLength: number;
  maxKeys: number;
}

export const DEFAULT_PRIVACY_LIMITS: PrivacyLimits = { maxStringLength: 500, maxDepth: 5, maxArrayLength: 50, maxKeys: 50 };

const SENSITIVE = new RegExp(SENSITIVE_KEY_PARTS.join('|'), 'i');
// PostgreSQL's jsonb refuses \u0000 (22P05): strip it here so one bad string cannot fail a batch.
const NUL = /\u0000/g;

/**
 * Removes anything secret from an event payload before it is queued: keys that
 * look like credentials are dropped at any depth (arrays too), strings are cut,
 * depth, array length and key count are bounded. Pure, synchronous, returns a new value.
 * Callers treat a throw as "drop the event" (fail closed).
 */
export class PrivacyFilter {
  readonly limits: PrivacyLimits;

  constructor(limits: Partial<PrivacyLimits> = {}) {
    this.limits = { ...DEFAULT_PRIVACY_LIMITS, ...limits };
  }

  isSensitiveKey(key: string): boolean {
    return SENSITIVE.test(key);
  }

  filter(value: Record<string, unknown>): Record<string, unknown> {
    return this.clean(value, 0) as Record<string, unknown>;
  }

  private clean(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        return this.cleanString(value);
      case 'number':
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'undefined':
        return null;
      case 'object':
        break;
      default:
        return null; // functions, symbols: never stored
    }
    if (value === null) return null;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (depth >= this.limits.maxDepth) return '[truncated: too deep]';
    if (Array.isArray(value)) {
      const n = Math.min(value.length, this.limits.maxArrayLength);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = this.clean(value[i], depth + 1);
      return out;
    }
    const out: Record<string, unknown> = {};
    let kept = 0;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key) || SENSITIVE.test(key)) continue;
      if (kept++ >= this.limits.maxKeys) break;
      out[this.cleanString(key)] = this.clean((value as Record<string, unknown>)[key], depth + 1);
    }
    return out;
  }

  private cleanString(value: string): string {
    const cut = value.length > this.limits.maxStringLength ? `${value.slice(0, this.limits.maxStringLength)}…` : value;
    return cut.includes('\u0000') ? cut.replace(NUL, '') : cut;
  }
}
