import { isIP } from 'node:net';

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
/** The seeded accounts' password published in the README: acceptable on a developer's machine only. */
export const DEV_SEED_PASSWORD = 'FinCoach-Admin-1';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** An IP address or CIDR block (v4 or v6), as proxy-addr (Fastify's trustProxy) accepts them. */
function isAddressOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (!version || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

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
    /** Unset: development when HOST is a loopback address (a developer's machine), production otherwise. */
    NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
    HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * Proxies whose X-Forwarded-For is believed (addresses or CIDR blocks). Default none: the client
     * writes that header, so trusting it by default would let anyone pick the IP that rate limits count.
     */
    TRUSTED_PROXIES: csv
      .pipe(z.array(z.string().refine(isAddressOrCidr, 'each entry must be an IP address or a CIDR block')))
      .default([]),
    PORT: int(1, 65535).default(8000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
    DB_POOL_SIZE: int(1, 200).default(20),
    /** How long a request waits for a free pool connection before it is answered 503. */
    DB_CONNECT_TIMEOUT_MS: int(50, 120_000).default(10_000),
    EMBEDDED_PG_DIR: z.string().min(1).default('.data/postgres'),
    EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
    SEED_ON_START: bool.optional(),
    SEED_ADMIN_PASSWORD: z.string().min(8).default(DEV_SEED_PASSWORD),

    JWT_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').default(DEV_JWT_SECRET),
    JWT_EXPIRES_IN_SECONDS: int(60, 86_400).default(1800),
    /** A session can be refreshed until this many hours after the original login. */
    JWT_MAX_SESSION_HOURS: int(1, 24 * 90).default(24 * 7),
    /** log2 of scrypt's cost parameter N. */
    PASSWORD_HASH_COST: int(10, 20).default(17),

    CORS_ORIGINS: csv.default(DEFAULT_CORS_ORIGINS),
    AUTH_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(10),
    /** Failed logins to one account before each further attempt must wait (doubling, up to the maximum). */
    LOGIN_FAILURES_BEFORE_BACKOFF: int(1, 1000).default(5),
    LOGIN_BACKOFF_MAX_SECONDS: int(1, 86_400).default(900),
    /** Per client (user or IP) across the whole API; 0 turns the limit off. */
    RATE_LIMIT_PER_MINUTE: int(0, 10_000_000).default(6000),
    BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
    IMPORT_MAX_BYTES: int(1024, 500 * 1024 * 1024).default(20 * 1024 * 1024),

    MODELS_DIR: z.string().min(1).default('models'),
    PREDICTION_CACHE_TTL_SECONDS: int(0, 30 * 86_400).default(86_400),
    /** Cached predictions kept per user; storing one more evicts the least recently stored. */
    PREDICTION_CACHE_MAX_PER_USER: int(1, 10_000).default(20),
    /** Segment recomputations a user can cause per hour (refresh-segment, or reads after their data changed). */
    SEGMENT_REFRESHES_PER_HOUR: int(1, 100_000).default(6),
    /**
     * /coaching/recommendation answers with the recommendation it last gave (same id, no new draw, no new row)
     * while the user's transactions, the UTC day and the served policy are unchanged; false: a new decision per request.
     */
    RECOMMENDATION_REUSE: bool.default(true),
    /** How often each replica checks the database for a promoted or rolled-back model version (0: never — serve MODELS_DIR only). */
    MODEL_SYNC_INTERVAL_SECONDS: int(0, 86_400).default(30),

    TRACKING_ENABLED: bool.default(true),
    EVENTS_BATCH_SIZE: int(1, 50_000).default(2000),
    EVENTS_FLUSH_INTERVAL_MS: int(10, 60_000).default(1000),
    EVENTS_QUEUE_CAP: int(10, 10_000_000).default(100_000),
    EVENTS_MAX_PAYLOAD_BYTES: int(256, 1_048_576).default(16_384),
    EVENTS_RETENTION_DAYS: int(1, 3650).default(180),
    /** Recommendations shown (with their state and feature snapshots and feedback) are deleted after this many days. */
    RECOMMENDATION_RETENTION_DAYS: int(1, 3650).default(365),
    /** Statement-import audit rows are deleted after this many days (the imported transactions stay). */
    IMPORT_AUDIT_RETENTION_DAYS: int(1, 3650).default(365),

    /** On SIGTERM, /health answers "draining" this long before the server stops accepting (for load balancers). */
    SHUTDOWN_DRAIN_DELAY_MS: int(0, 60_000).default(0),
    /** The whole graceful stop (drain, event flush, database) is cut short after this long. */
    SHUTDOWN_TIMEOUT_MS: int(1000, 600_000).default(30_000),

    SCHEDULER_ENABLED: bool.default(true),
    /**
     * Command that trains the real-data challengers from the retraining job's export; called with two
     * arguments, the export folder and a work folder (models/training/retrain-real.sh documents the
     * contract). `none`: nothing is exported or trained; the run is recorded as pending.
     */
    RETRAIN_PIPELINE: z.string().default('bash models/training/retrain-real.sh'),
    /** Where a retraining run keeps its export and challenger while it runs (deleted afterwards). */
    RETRAIN_WORK_DIR: z.string().optional(),
    /** New feedback rows/transactions since the last training that make a dataset ready. */
    RETRAIN_MIN_NEW_SAMPLES: int(1, 10_000_000).default(100),
    /** Longest a scheduled job may run before it is recorded as timed out (retraining is the long one). */
    JOB_TIMEOUT_SECONDS: int(1, 86_400).default(7_200),
    /** Bearer token a Prometheus scraper sends to GET /metrics (admins' own tokens work too); unset: admins only. */
    METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  })
  .transform((env, ctx) => {
    const NODE_ENV = env.NODE_ENV ?? (isLoopbackHost(env.HOST) ? 'development' : 'production');
    // Published defaults are fine on a developer's machine, and for the test suite's in-process
    // servers; anywhere else they would let anyone sign tokens or log in as an admin.
    const defaultsAllowed = NODE_ENV === 'development' || (NODE_ENV === 'test' && isLoopbackHost(env.HOST));
    if (!defaultsAllowed && env.JWT_SECRET_KEY === DEV_JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET_KEY'],
        message: `must be set to a secret of your own (NODE_ENV is ${NODE_ENV}${env.NODE_ENV ? '' : ` because HOST ${env.HOST} is not a loopback address`})`,
      });
    }
    const seeding = env.SEED_ON_START ?? NODE_ENV === 'development';
    if (!defaultsAllowed && seeding && env.SEED_ADMIN_PASSWORD === DEV_SEED_PASSWORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['SEED_ADMIN_PASSWORD'],
        message: `must be set to a password of your own to seed accounts outside development (NODE_ENV is ${NODE_ENV})`,
      });
    }
    return { ...env, NODE_ENV };
  });

export type Env = z.output<typeof envSchema>;
