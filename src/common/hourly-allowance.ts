export interface HourlyAllowanceOptions {
  /** Actions each key may take per window. */
  perWindow: number;
  windowMs?: number;
  /** Keys tracked at once; the least recently active are forgotten first, so memory stays bounded. */
  maxKeys?: number;
  now?: () => number;
}

/**
 * A fixed-window allowance per key (a user id): `take` answers 0 while the key has actions
 * left in its current window, else the seconds until the window ends. In process memory: each
 * replica keeps its own count.
 */
export class HourlyAllowance {
  private readonly windows = new Map<string, { startMs: number; used: number }>();
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: HourlyAllowanceOptions) {
    this.windowMs = options.windowMs ?? 3_600_000;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Uses one action of the key's allowance; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startMs >= this.windowMs) window = { startMs: now, used: 0 };
    // Re-inserted at every use: the map's first key is the least recently active one.
    this.windows.delete(key);
    this.windows.set(key, window);
    if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    if (window.used >= this.options.perWindow)
      return Math.max(1, Math.ceil((window.startMs + this.windowMs - now) / 1000));
    window.used += 1;
    return 0;
  }
}
