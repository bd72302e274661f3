/**
 * Statement import benchmark — `npm run bench:import`. One 100,000-row CSV (signed amounts,
 * ISO dates, realistic merchants and categories) posted in ONE request to the production build
 * against a throwaway PostgreSQL: a dry run, then the import, then the re-import (all
 * duplicates). Prints wall time per request and the server's peak resident memory (VmHWM),
 * also for a 20,000-row file, so the memory's growth with the file is visible.
 */
import { startThrowawayPostgres } from '../src/infra/database/throwaway-postgres';

import { json, memoryMb, startServer, stopServer, type Server } from './server';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);

const MERCHANTS: [string, string, number][] = [
  ['TESCO STORES 2231', 'groceries', 45],
  ['LIDL GB NOTTINGHAM', 'groceries', 25],
  ['PRET A MANGER', 'dine_out', 8],
  ['UBER *TRIP', 'transport', 14],
  ['AMAZON UK MARKETPLACE', 'shopping', 30],
  ['NETFLIX.COM', 'entertainment', 11],
  ['PUREGYM', 'fitness', 25],
  ['BOOTS PHARMACY', 'health', 12],
  ['OCTOPUS ENERGY', 'bills', 90],
  ['CORNER SHOP', '', 6],
];

/** A deterministic statement: mostly spending, a salary every 30 rows. */
function statement(rows: number): Buffer {
  const lines = ['date,description,amount,category'];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const start = Date.UTC(2015, 0, 1);
  for (let i = 0; i < rows; i++) {
    const date = new Date(start + Math.floor((i * 3650 * 86_400_000) / rows)).toISOString().slice(0, 10);
    if (i % 30 === 0) {
      lines.push(`${date},ACME LTD SALARY,2500.00,income`);
      continue;
    }
    const [merchant, category, typical] = MERCHANTS[Math.floor(next() * MERCHANTS.length)];
    lines.push(`${date},${merchant} ${i},-${(typical * (0.5 + next())).toFixed(2)},${category}`);
  }
  return Buffer.from(lines.join('\n'));
}

async function importOnce(server: Server, token: string, file: Buffer, query = '') {
  const form = new FormData();
  form.append('file', new Blob([file], { type: 'text/csv' }), 'statement.csv');
  const started = performance.now();
  const res = await fetch(`${server.url}/financial/import${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const body = (await res.json()) as { imported: number; duplicates: number; errors_total: number };
  if (!res.ok) throw new Error(`import → ${res.status} ${JSON.stringify(body)}`);
  return { seconds: (performance.now() - started) / 1000, ...body };
}

async function register(server: Server): Promise<string> {
  const email = `bench-import-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const reg = await json(`${server.url}/auth/register`, {
    method: 'POST',
    body: JSON.stringify({ email, password: 'BenchPass123', first_name: 'Bench', last_name: 'Import' }),
  });
  return reg.access_token as string;
}

async function main(): Promise<void> {
  const db = await startThrowawayPostgres('fincoach_bench_import');
  try {
    for (const rows of [Math.round(ROWS / 5), ROWS]) {
      // A fresh server per size: its peak memory is this import's.
      const server = await startServer(db.url, { IMPORT_MAX_BYTES: String(64 * 1024 * 1024) });
      try {
        const file = statement(rows);
        const token = await register(server);
        const idle = memoryMb(server.child.pid!).peak;
        const dry = await importOnce(server, token, file, '?dry_run=true&preview_rows=0');
        const real = await importOnce(server, token, file, '?preview_rows=0');
        const again = await importOnce(server, token, file, '?preview_rows=0');
        if (real.imported !== rows || again.duplicates !== rows || real.errors_total !== 0) {
          throw new Error(`unexpected counts: ${JSON.stringify({ real, again })}`);
        }
        console.log(
          `${rows.toLocaleString('en-US')} rows, ${(file.length / 1e6).toFixed(1)} MB: ` +
            `dry run ${dry.seconds.toFixed(1)} s, import ${real.seconds.toFixed(1)} s, ` +
            `re-import ${again.seconds.toFixed(1)} s; server peak RSS ${idle.toFixed(0)} MB idle → ` +
            `${memoryMb(server.child.pid!).peak.toFixed(0)} MB`,
        );
      } finally {
        await stopServer(server);
      }
    }
  } finally {
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
