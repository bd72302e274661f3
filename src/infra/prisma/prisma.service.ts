import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';

import { PrismaClient } from '../../generated/prisma/client';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * Every statement on our connections keeps the plan it was first given. The repositories' named,
 * user-scoped statements are written for that (an index lookup by user), but PostgreSQL otherwise
 * keeps re-planning a statement on every execution when the table's statistics predict fewer rows
 * for the user at hand than for a typical one, as they do for every user the last ANALYZE did not
 * sample once a few users hold most rows (docs/architecture.md, data access).
 */
const CONNECTION_OPTIONS = '-c plan_cache_mode=force_generic_plan';

/**
 * The one database connection pool of the process (node-postgres), and Prisma over it.
 * The domain repositories query `pool` directly with plain parameterised SQL (several
 * times cheaper in API CPU than Prisma's client: docs/benchmarks.md, section 6); the
 * Prisma client remains for the code not yet moved into a repository.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private static readonly logger = new Logger('Database');
  readonly pool: Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.database.url) throw new Error('database.url must be resolved before the app starts');
    const pool = new Pool({
      connectionString: config.database.url,
      max: config.database.poolSize,
      // Fail fast (503) instead of queueing forever when the pool is exhausted.
      connectionTimeoutMillis: config.database.connectTimeoutMs,
      options: CONNECTION_OPTIONS,
    });
    // An idle connection can fail at any time (database restart, admin termination, shutdown of
    // the embedded server); pg reports it on the pool, and an 'error' event nobody listens to
    // crashes the process. The pool discards that connection and opens a new one when needed.
    pool.on('error', (error) => PrismaService.logger.warn(`idle database connection closed: ${error.message}`));
    // A connection lost while checked out (between the queries of a transaction, or holding a job's
    // lock) is emitted as 'error' on the client itself, where nobody listens: that crashed the process
    // when the database was killed (test/e2e/fault-database.e2e.spec.ts). Its next query fails and
    // says so to the code using it; pg discards the connection when it is released.
    pool.on('connect', (client) => client.on('error', ignoreLostConnection));
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  // Runs after every onModuleDestroy hook (e.g. the event batcher's final flush).
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end().catch(() => undefined);
  }

  /** Cheap liveness probe with a timeout, for /health. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    const probe = this.pool.query('SELECT 1').then(() => true);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return Promise.race([probe, timeout]).catch(() => false);
  }
}

function ignoreLostConnection(): void {}
