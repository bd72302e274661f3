import { Injectable, Logger } from '@nestjs/common';

import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../infra/prisma/prisma.service';

/**
 * Runs a named job at most once at a time in this process and records each run
 * (start, end, status, details) in `scheduled_job_runs`, so operators can see
 * what the scheduler did and jobs never pile up when one runs long.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly running = new Set<string>();

  constructor(private readonly prisma: PrismaService) {}

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  async run(
    name: string,
    job: () => Promise<Record<string, unknown>>,
  ): Promise<{ status: 'succeeded' | 'failed' | 'skipped'; details: Record<string, unknown> }> {
    if (this.running.has(name)) return { status: 'skipped', details: { reason: 'already running' } };
    this.running.add(name);
    const run = await this.prisma.scheduledJobRun.create({ data: { jobName: name } });
    try {
      const details = await job();
      await this.finish(run.id, 'succeeded', details);
      this.logger.log(`${name} succeeded ${JSON.stringify(details)}`);
      return { status: 'succeeded', details };
    } catch (error) {
      const details = { error: error instanceof Error ? error.message : String(error) };
      await this.finish(run.id, 'failed', details).catch(() => undefined);
      this.logger.error(`${name} failed: ${details.error}`);
      return { status: 'failed', details };
    } finally {
      this.running.delete(name);
    }
  }

  async recentRuns(limit = 20) {
    return this.prisma.scheduledJobRun.findMany({ orderBy: { startedAt: 'desc' }, take: limit });
  }

  private finish(id: string, status: 'succeeded' | 'failed', details: Record<string, unknown>) {
    return this.prisma.scheduledJobRun.update({
      where: { id },
      data: { status, finishedAt: new Date(), details: details as Prisma.InputJsonValue },
    });
  }
}
