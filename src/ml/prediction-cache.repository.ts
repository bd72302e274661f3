import { Injectable } from '@nestjs/common';

import { firstRow } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

/** Every query of the prediction cache (prediction_cache), on the shared pg pool. */
@Injectable()
export class PredictionCacheRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(userId: string, cacheKey: string): Promise<{ predictionData: unknown; expiresAt: Date } | undefined> {
    return firstRow(this.prisma.pool, {
      name: 'prediction-cache-get',
      text: `SELECT prediction_data AS "predictionData", expires_at AS "expiresAt"
               FROM prediction_cache WHERE user_id = $1 AND cache_key = $2`,
      values: [userId, cacheKey],
    });
  }

  async save(userId: string, cacheKey: string, data: unknown, expiresAt: Date): Promise<void> {
    await this.prisma.pool.query({
      name: 'prediction-cache-set',
      text: `INSERT INTO prediction_cache (id, user_id, cache_key, prediction_data, created_at, expires_at)
             VALUES (gen_random_uuid(), $1, $2, $3::jsonb, now(), $4)
             ON CONFLICT (user_id, cache_key) DO UPDATE
               SET prediction_data = EXCLUDED.prediction_data, expires_at = EXCLUDED.expires_at, created_at = now()`,
      values: [userId, cacheKey, JSON.stringify(data), expiresAt],
    });
  }

  /** Deletes the user's entries beyond the `keep` most recently stored. */
  async evictBeyond(userId: string, keep: number): Promise<void> {
    await this.prisma.pool.query({
      name: 'prediction-cache-evict',
      text: `DELETE FROM prediction_cache WHERE id IN (
               SELECT id FROM prediction_cache WHERE user_id = $1::uuid
               ORDER BY created_at DESC, id OFFSET $2)`,
      values: [userId, keep],
    });
  }

  async deleteUser(userId: string): Promise<void> {
    await this.prisma.pool.query('DELETE FROM prediction_cache WHERE user_id = $1', [userId]);
  }

  async deleteExpired(): Promise<number> {
    const { rowCount } = await this.prisma.pool.query('DELETE FROM prediction_cache WHERE expires_at <= now()');
    return rowCount ?? 0;
  }
}
