import { z } from 'zod';

/** The client's development origins (Vite and CRA), as the reference system allowed them. */
export const DEFAULT_CORS_ORIGINS = [
  'http://localhost:3000',
  'http://localhost:5173',
  'http://localhost:5174',
  'http://127.0.0.1:3000',
  'http://127.0.0.1:5173',
  'http://127.0.0.1:5174',
];

export const DEV_JWT_SECRET = 'dev-only-secret-change-me-in-production';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * Every setting the server reads, with its default. Environment variable names
 * are the keys; `.env.example` documents each one.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: int(1, 65535).default(8000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
    DB_POOL_SIZE: int(1, 200).default(20),
    EMBEDDED_PG_DIR: z.string().min(1).default('.data/postgres'),
    EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
    SEED_ON_START: bool.optional(),
    SEED_ADMIN_PASSWORD: z.string().min(8).default('FinCoach-Admin-1'),

    JWT_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').default(DEV_JWT_SECRET),
    JWT_EXPIRES_IN_SECONDS: int(60, 86_400).default(1800),
    /** A session can be refreshed until this many hours after the original login. */
    JWT_MAX_SESSION_HOURS: int(1, 24 * 90).default(24 * 7),
    /** log2 of scrypt's cost parameter N. */
    PASSWORD_HASH_COST: int(10, 20).default(15),

    CORS_ORIGINS: csv.default(DEFAULT_CORS_ORIGINS),
    AUTH_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(10),
    /** Per client (user or IP) across the whole API; 0 turns the limit off. */
    RATE_LIMIT_PER_MINUTE: int(0, 10_000_000).default(6000),
    BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
    IMPORT_MAX_BYTES: int(1024, 500 * 1024 * 1024).default(20 * 1024 * 1024),

    MODELS_DIR: z.string().min(1).default('models'),
    PREDICTION_CACHE_TTL_SECONDS: int(0, 30 * 86_400).default(86_400),

    TRACKING_ENABLED: bool.default(true),
    EVENTS_BATCH_SIZE: int(1, 50_000).default(2000),
    EVENTS_FLUSH_INTERVAL_MS: int(10, 60_000).default(1000),
    EVENTS_QUEUE_CAP: int(10, 10_000_000).default(100_000),
    EVENTS_MAX_PAYLOAD_BYTES: int(256, 1_048_576).default(16_384),
    EVENTS_RETENTION_DAYS: int(1, 3650).default(180),

    SCHEDULER_ENABLED: bool.default(true),
    /** Shell command the weekly retraining job runs when enough new data arrived (empty: only record readiness). */
    RETRAIN_COMMAND: z.string().optional(),
    /** New feedback rows/transactions since the last training that make a dataset ready. */
    RETRAIN_MIN_NEW_SAMPLES: int(1, 10_000_000).default(100),
    /** Longest a scheduled job may run before it is recorded as timed out (retraining is the long one). */
    JOB_TIMEOUT_SECONDS: int(1, 86_400).default(7_200),
    /** Bearer token a Prometheus scraper sends to GET /metrics (admins' own tokens work too); unset: admins only. */
    METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && env.JWT_SECRET_KEY === DEV_JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET_KEY'],
        message: 'must be set to a secret of your own in production',
      });
    }
  });

export type Env = z.output<typeof envSchema>;
