import { randomUUID } from 'node:crypto';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { createApp } from '../../src/app.factory';
import { loadConfig, type AppConfig } from '../../src/infra/config/app-config';
import { PrismaService } from '../../src/infra/prisma/prisma.service';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  prisma: PrismaService;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/** The real application against the run's throwaway PostgreSQL; `env` overrides settings. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url)
    throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (global setup starts the database)');
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    // Same algorithm, lower cost: hundreds of registrations per run.
    PASSWORD_HASH_COST: '12',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    SCHEDULER_ENABLED: 'false',
    DB_POOL_SIZE: '10',
    // Only the retraining tests run the real pipeline (they ask for it): a fuzzed or incidental
    // trigger must not start a training in the background of another test.
    RETRAIN_PIPELINE: 'none',
    ...env,
  });
  const app = await createApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    prisma: app.get(PrismaService),
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  auth: { Authorization: string };
}

export async function registerUser(
  t: TestApp,
  overrides: Partial<{ email: string; password: string }> = {},
): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID().slice(0, 12)}@example.com`;
  const password = overrides.password ?? 'TestPass123';
  const res = await t
    .http()
    .post('/auth/register')
    .send({ email, password, first_name: 'Test', last_name: 'User' })
    .expect(201);
  return {
    id: res.body.user.id,
    email,
    password,
    token: res.body.access_token,
    auth: { Authorization: `Bearer ${res.body.access_token}` },
  };
}

/** An admin: registered normally, then promoted directly in the database. */
export async function registerAdmin(t: TestApp): Promise<TestUser> {
  const user = await registerUser(t);
  await t.prisma.user.update({ where: { id: user.id }, data: { role: 'admin' } });
  return user;
}
