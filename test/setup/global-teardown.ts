export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __FINCOACH_TEST_DB__?: { stop(): Promise<void> } }).__FINCOACH_TEST_DB__;
  await db?.stop();
}
