import 'reflect-metadata';
import { createApp } from './app.factory';
import { ConfigError, loadConfig, type AppConfig } from './infra/config/app-config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/database/embedded-postgres';
import { runMigrations } from './infra/database/migrate';
import { SeedService } from './seed/seed.service';

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
    await app.get(SeedService).seed(say);
  }

  // Graceful stop: Nest's destroy hooks flush the event queue before the pool closes,
  // then the embedded server (if ours) shuts down.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: shutting down`);
    const forceExit = setTimeout(() => process.exit(1), 30_000);
    forceExit.unref();
    try {
      await app.close();
      await embedded?.stop();
    } finally {
      process.exit(0);
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
  process.stderr.write(`Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
