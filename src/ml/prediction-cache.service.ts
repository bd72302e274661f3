import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';

import { PredictionCacheRepository } from './prediction-cache.repository';

interface CachedEntry<T> {
  data_version: string;
  value: T;
}

/**
 * Per-user prediction cache in PostgreSQL with a TTL. Each entry remembers the
 * version of the user's transaction data it was computed from; a new, changed
 * or deleted transaction changes that version, so the entry is ignored
 * (invalidated) without the money module having to know about caching.
 */
@Injectable()
export class PredictionCacheService {
  constructor(
    private readonly repository: PredictionCacheRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get<T>(userId: string, key: string, dataVersion: string): Promise<T | undefined> {
    const row = await this.repository.find(userId, key);
    if (!row || row.expiresAt <= new Date()) return undefined;
    const entry = row.predictionData as unknown as CachedEntry<T>;
    return entry?.data_version === dataVersion ? entry.value : undefined;
  }

  async set<T>(
    userId: string,
    key: string,
    dataVersion: string,
    value: T,
    ttlSeconds = this.config.ml.predictionCacheTtlSeconds,
  ): Promise<void> {
    if (ttlSeconds <= 0) return;
    const entry: CachedEntry<T> = { data_version: dataVersion, value };
    await this.repository.save(userId, key, entry, new Date(Date.now() + ttlSeconds * 1000));
    // Keys vary with the client's input (goal amount and timeline, forecast days, as_of): capped per user.
    await this.repository.evictBeyond(userId, this.config.ml.predictionCacheMaxPerUser);
  }

  /**
   * Computes on a miss and stores the result; reports whether it was a hit. `isCurrent` can refuse
   * a stored value that time alone has made wrong (its data unchanged): it is then computed again.
   */
  async getOrCompute<T>(
    userId: string,
    key: string,
    dataVersion: string,
    compute: () => Promise<T>,
    { ttlSeconds, isCurrent }: { ttlSeconds?: number; isCurrent?: (value: T) => boolean } = {},
  ): Promise<{ value: T; cached: boolean }> {
    const hit = await this.get<T>(userId, key, dataVersion);
    if (hit !== undefined && (!isCurrent || isCurrent(hit))) return { value: hit, cached: true };
    const value = await compute();
    await this.set(userId, key, dataVersion, value, ttlSeconds);
    return { value, cached: false };
  }

  async invalidateUser(userId: string): Promise<void> {
    await this.repository.deleteUser(userId);
  }

  async purgeExpired(): Promise<number> {
    return this.repository.deleteExpired();
  }
}
