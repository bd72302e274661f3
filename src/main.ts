import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig, type AppConfig } from './infra/config/app-config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/database/embedded-postgres';
import { runMigrations } from './infra/database/migrate';
import { EmbeddedPostgresAccessError } from './infra/database/postgres-access';
import { seedDatabase } from './infra/database/seed/seed';
import { DrainState } from './infra/http/drain-state';
import { PrismaService } from './infra/prisma/prisma.service';

function say(message: string): void {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), service: 'fincoach-api', msg: message })}\n`);
}

async function resolveDatabase(config: AppConfig): Promise<EmbeddedDatabase | undefined> {
  if (config.database.url) return undefined;
  say(
    `no DATABASE_URL: starting embedded PostgreSQL in ${config.database.embeddedDir} on port ${config.database.embeddedPort}`,
  );
  const embedded = await startEmbeddedPostgres({
    dir: config.database.embeddedDir,
    port: config.database.embeddedPort,
    database: 'fincoach',
    persistent: true,
  });
  config.database.url = embedded.url;
  return embedded;
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const embedded = await resolveDatabase(config);
  const migrations = await runMigrations(config.database.url!);
  say(`migrations: ${migrations.applied.length} applied, ${migrations.alreadyApplied} already in place`);

  const app = await createApp(config);
  if (config.seed.onStart) {
    await seedDatabase(app.get(PrismaService), {
      adminPassword: config.seed.adminPassword,
      passwordHashCost: config.auth.passwordHashCost,
      log: say,
    });
  }

  // Graceful stop, in this order: /health says draining; the HTTP server stops accepting and
  // finishes its in-flight requests (whose events join the queue); Nest's destroy hooks flush every
  // queued event; the pool closes; the embedded server (if ours) stops last.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: draining`);
    const forceExit = setTimeout(() => process.exit(1), config.shutdown.timeoutMs);
    forceExit.unref();
    let code = 0;
    try {
      app.get(DrainState).begin();
      if (config.shutdown.drainDelayMs > 0) await new Promise((r) => setTimeout(r, config.shutdown.drainDelayMs));
      const fastify = app.getHttpAdapter().getInstance();
      const closed = fastify.close();
      // close() ends the connections idle at that moment only; a keep-alive connection whose request
      // was in flight becomes idle later and would hold the close open for the keep-alive timeout.
      const sweep = setInterval(() => fastify.server.closeIdleConnections(), 100);
      await closed.finally(() => clearInterval(sweep));
      say('HTTP server closed: flushing events');
      await app.close();
      await embedded?.stop();
      say('stopped');
    } catch (error) {
      code = 1;
      process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      process.exit(code);
    }
  };
  // embedded-postgres registers its own SIGINT/SIGTERM hook that stops the database at once, racing
  // the final event flush; this process owns its signals and stops the embedded server last.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  say(
    `FinCoach API listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} (docs at /docs)`,
  );
}

main().catch((error: unknown) => {
  // A set-up problem the operator can fix gets its message only; anything else its stack for debugging.
  const text =
    error instanceof EmbeddedPostgresAccessError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`Fatal: ${text}\n`);
  process.exit(1);
});
