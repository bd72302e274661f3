import { Injectable } from '@nestjs/common';
import { escapeIdentifier } from 'pg';
import QueryStream from 'pg-query-stream';

import { PrismaService } from '../infra/prisma/prisma.service';

/** Columns never handed out, even to their owner. */
const SECRET_COLUMNS = ['password_hash'];

/**
 * Every query of a user's data export. The tables come from the database's own catalogue
 * (every table with a `user_id` column), so a table added later is exported without code.
 */
@Injectable()
export class AccountDataRepository {
  private tables?: Promise<string[]>;

  constructor(private readonly prisma: PrismaService) {}

  /** The tables holding rows of a user, in name order. */
  userTables(): Promise<string[]> {
    this.tables ??= this.prisma.pool
      .query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND column_name = 'user_id'
         ORDER BY table_name`,
      )
      .then((r) => r.rows.map((row) => row.table_name));
    this.tables.catch(() => (this.tables = undefined));
    return this.tables;
  }

  /**
   * Yields the user's row and then, table by table, a start marker (json null) and each row as
   * JSON text, all read in one read-only snapshot and streamed in batches (bounded memory).
   */
  async *exportRows(userId: string): AsyncGenerator<{ table: string; json: string | null }> {
    const tables = await this.userTables();
    const client = await this.prisma.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const hidden = SECRET_COLUMNS.map((c) => ` - '${c}'`).join('');
      const sources = [
        { table: 'users', sql: `SELECT (to_jsonb(t)${hidden})::text AS json FROM users t WHERE t.id = $1` },
        ...tables.map((table) => ({
          table,
          sql: `SELECT (to_jsonb(t) - 'user_id'${hidden})::text AS json FROM ${escapeIdentifier(table)} t
                WHERE t.user_id = $1 ORDER BY t.ctid`,
        })),
      ];
      for (const { table, sql } of sources) {
        if (table !== 'users') yield { table, json: null };
        const stream = client.query(new QueryStream(sql, [userId], { batchSize: 500 }));
        for await (const row of stream as AsyncIterable<{ json: string }>) yield { table, json: row.json };
      }
      await client.query('COMMIT');
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      if (!broken) client.release();
      else client.release(true);
    }
  }
}
