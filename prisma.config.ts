// Prisma CLI configuration. `prisma migrate deploy` runs offline through a
// driver adapter and the wasm schema engine (no engine binary download);
// see docs/database.md.
import path from 'node:path';

import { PrismaPg } from '@prisma/adapter-pg-7';
import { defineConfig } from 'prisma/config';

// `prisma generate` and `migrate diff` parse env("DATABASE_URL") but never
// connect; a placeholder lets them run on a machine with no database yet.
process.env.DATABASE_URL ??= 'postgresql://localhost:5432/placeholder';

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  experimental: { adapter: true },
  engine: 'js',
  // A short idle timeout lets the CLI exit as soon as it is done (pg's default keeps it alive 10 s).
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? '', idleTimeoutMillis: 50 }),
} as never);
