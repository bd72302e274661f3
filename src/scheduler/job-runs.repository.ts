import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import { firstRow, rows } from '../infra/database/sql';
import { PrismaService } from '../infra/prisma/prisma.service';

export type JobRunStatus = 'succeeded' | 'failed' | 'timed_out';

export interface JobRunRow {
  id: string;
  jobName: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  details: unknown;
}

const RUN_COLUMNS = `id, job_name AS "jobName", status, started_at AS "startedAt", finished_at AS "finishedAt", details`;

/** Every query of the scheduler: job-run records and the cross-replica job locks. */
@Injectable()
export class JobRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async start(jobName: string): Promise<JobRunRow> {
    const row = await firstRow<JobRunRow>(this.prisma.pool, {
      text: `INSERT INTO scheduled_job_runs (id, job_name) VALUES (gen_random_uuid(), $1) RETURNING ${RUN_COLUMNS}`,
      values: [jobName],
    });
    return row!;
  }

  async finish(id: string, status: JobRunStatus, details: Record<string, unknown>): Promise<void> {
    await this.prisma.pool.query(
      'UPDATE scheduled_job_runs SET status = $2, finished_at = now(), details = $3::jsonb WHERE id = $1',
      [id, status, JSON.stringify(details)],
    );
  }

  recent(limit: number): Promise<JobRunRow[]> {
    return rows<JobRunRow>(this.prisma.pool, {
      text: `SELECT ${RUN_COLUMNS} FROM scheduled_job_runs ORDER BY started_at DESC LIMIT $1`,
      values: [limit],
    });
  }

  async purgeOlderThan(days: number): Promise<number> {
    const { rowCount } = await this.prisma.pool.query('DELETE FROM scheduled_job_runs WHERE started_at < $1', [
      new Date(Date.now() - days * 86_400_000),
    ]);
    return rowCount ?? 0;
  }

  /**
   * Takes the job's session-level advisory lock on a connection of its own, so only one replica
   * runs a job at a time. Returns the connection holding the lock (release it with `unlock`),
   * or undefined when another session holds it.
   */
  async tryLock(jobName: string): Promise<PoolClient | undefined> {
    const client = await this.prisma.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtext('fincoach.job'), hashtext($1)) AS locked",
        [jobName],
      );
      if (rows[0]?.locked) return client;
      client.release();
      return undefined;
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  async unlock(client: PoolClient, jobName: string): Promise<void> {
    try {
      await client.query("SELECT pg_advisory_unlock(hashtext('fincoach.job'), hashtext($1))", [jobName]);
      client.release();
    } catch {
      // A broken connection has lost its session, and with it the lock: discard it.
      client.release(true);
    }
  }
}
