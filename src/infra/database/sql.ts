import type { Pool, PoolClient, QueryConfig, QueryResultRow } from 'pg';

/** Where a repository query runs: the shared pool, or the connection of an open transaction. */
export type Queryable = Pool | PoolClient;

/**
 * Runs `work` in one database transaction on one pooled connection: committed when it
 * resolves, rolled back when it throws. A connection whose rollback fails is discarded.
 */
export async function inTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** The rows of one query. Named statements (`name` set) are parsed and planned once per connection. */
export async function rows<R extends QueryResultRow>(db: Queryable, query: QueryConfig): Promise<R[]> {
  return (await db.query<R>(query)).rows;
}

/** The first row of one query, or undefined. */
export async function firstRow<R extends QueryResultRow>(db: Queryable, query: QueryConfig): Promise<R | undefined> {
  return (await db.query<R>(query)).rows[0];
}

/** A search term as a case-insensitive LIKE pattern matching it anywhere, its wildcards taken literally. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, '\\$&')}%`;
}

/** PostgreSQL refused a row for a unique constraint (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/**
 * Retention: deletes the rows of `table` (keyed by `id`) whose `timeColumn` is more than `days` old, `chunk` rows
 * per statement so a large purge never holds its locks for long. `table` and `timeColumn` are the
 * calling repository's constants, never input. Returns the rows deleted.
 */
export async function deleteOlderThan(
  db: Queryable,
  table: string,
  timeColumn: string,
  days: number,
  chunk = 10_000,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await db.query({
      text: `DELETE FROM ${table} WHERE id IN (
               SELECT id FROM ${table} WHERE ${timeColumn} < now() - make_interval(days => $1::int) LIMIT $2)`,
      values: [days, chunk],
    });
    const n = result.rowCount ?? 0;
    deleted += n;
    if (n < chunk) return deleted;
  }
}
