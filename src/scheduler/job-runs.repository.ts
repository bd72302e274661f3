import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';

import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../infra/prisma/prisma.service';

export type JobRunStatus = 'succeeded' | 'failed' | 'timed_out';

/** Every query of the scheduler: job-run records and the cross-replica job locks. */
@Injectable()
export class JobRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  start(jobName: string) {
    return this.prisma.scheduledJobRun.create({ data: { jobName } });
  }

  finish(id: string, status: JobRunStatus, details: Record<string, unknown>) {
    return this.prisma.scheduledJobRun.update({
      where: { id },
      data: { status, finishedAt: new Date(), details: details as Prisma.InputJsonValue },
    });
  }

  recent(limit: number) {
    return this.prisma.scheduledJobRun.findMany({ orderBy: { startedAt: 'desc' }, take: limit });
  }

  async purgeOlderThan(days: number): Promise<number> {
    const { count } = await this.prisma.scheduledJobRun.deleteMany({
      where: { startedAt: { lt: new Date(Date.now() - days * 86_400_000) } },
    });
    return count;
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
