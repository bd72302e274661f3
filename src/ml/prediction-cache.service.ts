import { Inject, Injectable } from '@nestjs/common';

import type { Prisma } from '../generated/prisma/client';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { PrismaService } from '../infra/prisma/prisma.service';

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
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get<T>(userId: string, key: string, dataVersion: string): Promise<T | undefined> {
    const row = await this.prisma.predictionCache.findUnique({ where: { userId_cacheKey: { userId, cacheKey: key } } });
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
    const data = { data_version: dataVersion, value } as unknown as Prisma.InputJsonValue;
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    await this.prisma.predictionCache.upsert({
      where: { userId_cacheKey: { userId, cacheKey: key } },
      create: { userId, cacheKey: key, predictionData: data, expiresAt },
      update: { predictionData: data, expiresAt, createdAt: new Date() },
    });
    await this.evictBeyondLimit(userId);
  }

  /**
   * Keys vary with the client's input (goal amount and timeline, forecast days, as_of), so each
   * user's entries are capped: those beyond the newest `predictionCacheMaxPerUser` are deleted.
   */
  private async evictBeyondLimit(userId: string): Promise<void> {
    await this.prisma.pool.query({
      name: 'prediction-cache-evict',
      text: `DELETE FROM prediction_cache WHERE id IN (
               SELECT id FROM prediction_cache WHERE user_id = $1::uuid
               ORDER BY created_at DESC, id OFFSET $2)`,
      values: [userId, this.config.ml.predictionCacheMaxPerUser],
    });
  }

  /** Computes on a miss and stores the result; reports whether it was a hit. */
  async getOrCompute<T>(
    userId: string,
    key: string,
    dataVersion: string,
    compute: () => Promise<T>,
    ttlSeconds?: number,
  ): Promise<{ value: T; cached: boolean }> {
    const hit = await this.get<T>(userId, key, dataVersion);
    if (hit !== undefined) return { value: hit, cached: true };
    const value = await compute();
    await this.set(userId, key, dataVersion, value, ttlSeconds);
    return { value, cached: false };
  }

  async invalidateUser(userId: string): Promise<void> {
    await this.prisma.predictionCache.deleteMany({ where: { userId } });
  }

  async purgeExpired(): Promise<number> {
    const { count } = await this.prisma.predictionCache.deleteMany({ where: { expiresAt: { lte: new Date() } } });
    return count;
  }
}
