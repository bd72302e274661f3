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
