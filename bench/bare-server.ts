/**
 * The ceiling for the request-path section of `npm run bench`: a bare Fastify route reading one
 * wallet row with one named pg statement, no auth, no framework layers. Started by bench/run.ts
 * (`node --import tsx bench/bare-server.ts`) with DATABASE_URL, PORT, DB_POOL_SIZE and the
 * wallet's user id in BENCH_USER_ID; prints "ready" once listening.
 */
import Fastify from 'fastify';
import pg from 'pg';

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 20) });
  const userId = process.env.BENCH_USER_ID;
  const app = Fastify({ logger: false });
  app.get('/wallet', async () => {
    const { rows } = await pool.query({
      name: 'bare-wallet',
      text: 'SELECT id, balance, currency, updated_at FROM wallets WHERE user_id = $1::uuid',
      values: [userId],
    });
    const w = rows[0];
    return { id: w.id, balance: w.balance, currency: w.currency, updated_at: w.updated_at.toISOString() };
  });
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
  console.log('ready');
  const stop = () => void app.close().then(() => pool.end().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
