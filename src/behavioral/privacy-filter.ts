/**
 * Key fragments that mark a secret or personal data (case-insensitive, anywhere in the key once it is
 * normalised: NFKC, lower case, without NULs, invisible characters, separators and punctuation, so
 * `pass\u0000word`, `Card-Number` and `e_mail` are caught like `password`, `cardnumber`, `email`).
 */
export const SENSITIVE_KEY_PARTS = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'key',
  'auth',
  'creditcard',
  'cardnumber',
  'cardno',
  'ssn',
  'cvv',
  'cvc',
  'iban',
  'email',
  'phone',
  'cookie',
];

/** Short words that are sensitive only as a whole word of the key (`pin`, not `shipping`). */
export const SENSITIVE_KEY_WORDS = ['pin', 'mail', 'tel', 'mobile', 'cc', 'bic', 'swift'];

export interface PrivacyLimits {
  maxStringLength: number;
  maxDepth: number;
  maxArrayLength: number;
  maxKeys: number;
}

// One alternation: a key is checked in one pass instead of one search per fragment.
const SENSITIVE_KEY = new RegExp(SENSITIVE_KEY_PARTS.join('|'));
const SENSITIVE_WORD = new Set(SENSITIVE_KEY_WORDS);
// NUL and other controls, zero-width and other invisible format characters.
// eslint-disable-next-line no-control-regex -- NUL and the other control characters are exactly what it removes
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** Values that are personal whatever their key says; each replaced by its placeholder. */
const CARD_CANDIDATE = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;
const PHONE =
  /(?<![\w+])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){2,4}(?!\w)|(?<![\w+])\+\d{8,15}(?!\w)/g;
// Cheap pre-check: only strings with an @ or a run of digits can hold any of the above.
const MAYBE_PERSONAL = /@|\d[\d .()+-]{6,}\d/;

const DEFAULT_LIMITS: PrivacyLimits = { maxStringLength: 500, maxDepth: 5, maxArrayLength: 50, maxKeys: 50 };

/**
 * Removes anything secret from an event payload before it is stored: keys that
 * look like credentials are dropped (at any depth, in arrays too), long strings
 * are truncated, and depth/size are bounded. Pure and synchronous.
 */
export class PrivacyFilter {
  private readonly limits: PrivacyLimits;

  constructor(limits: Partial<PrivacyLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  isSensitiveKey(key: string): boolean {
    const plain = key.normalize('NFKC').replace(INVISIBLE, '');
    const words = plain
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u);
    if (words.some((word) => SENSITIVE_WORD.has(word))) return true;
    return SENSITIVE_KEY.test(words.join(''));
  }

  filter(value: unknown): unknown {
    return this.clean(value, 0);
  }

  private clean(value: unknown, depth: number): unknown {
    if (value === null || value === undefined) return value ?? null;
    if (typeof value === 'string') return this.text(value);
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Date) return value.toISOString();
    if (depth >= this.limits.maxDepth) return '[truncated: too deep]';
    if (Array.isArray(value)) return value.slice(0, this.limits.maxArrayLength).map((v) => this.clean(v, depth + 1));
    if (typeof value === 'object') {
      const out: Record<string, unknown> = {};
      let kept = 0;
      for (const key of Object.keys(value)) {
        if (this.isSensitiveKey(key)) continue;
        if (kept++ >= this.limits.maxKeys) break;
        out[this.text(key)] = this.clean((value as Record<string, unknown>)[key], depth + 1);
      }
      return out;
    }
    // Functions, symbols: never stored.
    return null;
  }

  /**
   * Truncates, and makes the text storable: PostgreSQL refuses NUL characters and half surrogate
   * pairs (an emoji cut in two), and one such string would get its whole event refused.
   */
  private text(value: string): string {
    const max = this.limits.maxStringLength;
    let text = value;
    if (text.length > max) {
      const cut = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
      text = `${text.slice(0, cut)}…`;
    }
    if (!(text as WellFormedString).isWellFormed()) text = (text as WellFormedString).toWellFormed();
    if (text.includes('\0')) text = text.replaceAll('\0', '');
    return MAYBE_PERSONAL.test(text) ? redactPersonalValues(text) : text;
  }
}

/** Card numbers (Luhn-valid), IBANs (mod-97-valid), e-mail addresses and phone numbers → placeholders. */
export function redactPersonalValues(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(IBAN_CANDIDATE, (m) => (ibanValid(m) ? '[iban]' : m))
    .replace(CARD_CANDIDATE, (m) => (luhnValid(m.replace(/\D/g, '')) ? '[card]' : m))
    .replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 8 && !/^\d{4}-\d{2}-\d{2}/.test(m) ? '[phone]' : m));
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

// ES2024 string methods (Node 20 has them; the TypeScript lib here is ES2023).
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
