import os from 'node:os';
import path from 'node:path';

import { z } from 'zod';

import { envSchema, type Env } from './config.schema';

export const APP_CONFIG = Symbol('APP_CONFIG');

export interface AppConfig {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  /** Addresses/CIDRs of proxies whose X-Forwarded-For is believed; empty: none. */
  trustedProxies: string[];
  logLevel: Env['LOG_LEVEL'];
  database: {
    /** Undefined until resolved: main.ts starts the embedded server when no URL is given. */
    url?: string;
    poolSize: number;
    connectTimeoutMs: number;
    embeddedDir: string;
    embeddedPort: number;
  };
  seed: { onStart: boolean; adminPassword: string };
  auth: {
    jwtSecret: string;
    expiresInSeconds: number;
    maxSessionHours: number;
    passwordHashCost: number;
    rateLimitPerMinute: number;
    /** Per-account login throttling: failures allowed before backoff starts, and its ceiling. */
    loginFailuresBeforeBackoff: number;
    loginBackoffMaxSeconds: number;
  };
  http: { corsOrigins: string[]; rateLimitPerMinute: number; bodyLimitBytes: number; importMaxBytes: number };
  ml: {
    modelsDir: string;
    predictionCacheTtlSeconds: number;
    predictionCacheMaxPerUser: number;
    segmentRefreshesPerHour: number;
    recommendationReuse: boolean;
    modelSyncIntervalSeconds: number;
  };
  events: {
    trackingEnabled: boolean;
    batchSize: number;
    flushIntervalMs: number;
    queueCap: number;
    maxPayloadBytes: number;
    retentionDays: number;
  };
  /** Days kept before the nightly retention job deletes them (events: events.retentionDays). */
  retention: { recommendationDays: number; importAuditDays: number };
  shutdown: { drainDelayMs: number; timeoutMs: number };
  scheduler: {
    enabled: boolean;
    retrainPipeline: string;
    retrainWorkDir: string;
    retrainMinNewSamples: number;
    jobTimeoutMs: number;
  };
  metrics: { token?: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment once. A wrong or missing setting throws a
 * ConfigError naming every offending variable; secrets are never echoed.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings mean "unset" (a blank line in .env must not override a default).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map(formatIssue));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    trustedProxies: e.TRUSTED_PROXIES,
    logLevel: e.LOG_LEVEL,
    database: {
      url: e.DATABASE_URL,
      poolSize: e.DB_POOL_SIZE,
      connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      embeddedDir: e.EMBEDDED_PG_DIR,
      embeddedPort: e.EMBEDDED_PG_PORT,
    },
    // Demo accounts and data are for local use: never seeded in production unless asked for.
    seed: { onStart: e.SEED_ON_START ?? e.NODE_ENV === 'development', adminPassword: e.SEED_ADMIN_PASSWORD },
    auth: {
      jwtSecret: e.JWT_SECRET_KEY,
      expiresInSeconds: e.JWT_EXPIRES_IN_SECONDS,
      maxSessionHours: e.JWT_MAX_SESSION_HOURS,
      passwordHashCost: e.PASSWORD_HASH_COST,
      rateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
      loginFailuresBeforeBackoff: e.LOGIN_FAILURES_BEFORE_BACKOFF,
      loginBackoffMaxSeconds: e.LOGIN_BACKOFF_MAX_SECONDS,
    },
    http: {
      corsOrigins: e.CORS_ORIGINS,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      importMaxBytes: e.IMPORT_MAX_BYTES,
    },
    ml: {
      modelsDir: e.MODELS_DIR,
      predictionCacheTtlSeconds: e.PREDICTION_CACHE_TTL_SECONDS,
      predictionCacheMaxPerUser: e.PREDICTION_CACHE_MAX_PER_USER,
      segmentRefreshesPerHour: e.SEGMENT_REFRESHES_PER_HOUR,
      recommendationReuse: e.RECOMMENDATION_REUSE,
      modelSyncIntervalSeconds: e.MODEL_SYNC_INTERVAL_SECONDS,
    },
    events: {
      trackingEnabled: e.TRACKING_ENABLED,
      batchSize: e.EVENTS_BATCH_SIZE,
      flushIntervalMs: e.EVENTS_FLUSH_INTERVAL_MS,
      queueCap: e.EVENTS_QUEUE_CAP,
      maxPayloadBytes: e.EVENTS_MAX_PAYLOAD_BYTES,
      retentionDays: e.EVENTS_RETENTION_DAYS,
    },
    retention: { recommendationDays: e.RECOMMENDATION_RETENTION_DAYS, importAuditDays: e.IMPORT_AUDIT_RETENTION_DAYS },
    shutdown: { drainDelayMs: e.SHUTDOWN_DRAIN_DELAY_MS, timeoutMs: e.SHUTDOWN_TIMEOUT_MS },
    scheduler: {
      enabled: e.SCHEDULER_ENABLED,
      retrainPipeline: e.RETRAIN_PIPELINE.trim() === 'none' ? '' : e.RETRAIN_PIPELINE.trim(),
      retrainWorkDir: e.RETRAIN_WORK_DIR ?? path.join(os.tmpdir(), 'fincoach-retraining'),
      retrainMinNewSamples: e.RETRAIN_MIN_NEW_SAMPLES,
      jobTimeoutMs: e.JOB_TIMEOUT_SECONDS * 1000,
    },
    metrics: { token: e.METRICS_TOKEN },
  };
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.join('.') || '(environment)';
  // Zod's messages for enums/numbers never include the received value, so no secret leaks here.
  return `${name}: ${issue.message}`;
}
