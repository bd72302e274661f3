import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Histogram } from 'prom-client';

import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { MetricsService } from '../infra/metrics/metrics.service';

import { JobRunsRepository, type JobRunStatus } from './job-runs.repository';

export interface JobOutcome {
  status: JobRunStatus | 'skipped';
  details: Record<string, unknown>;
  duration_ms?: number;
}

/**
 * Runs a named job at most once at a time across every replica sharing the database
 * (a PostgreSQL advisory lock; a replica that finds it held skips the run), bounds it by
 * a timeout, and records each run (start, end, outcome, details) in `scheduled_job_runs`.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly running = new Set<string>();
  private readonly durations: Histogram<'job' | 'status'>;

  constructor(
    private readonly runs: JobRunsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.durations = metrics.histogram('job_run_duration_seconds', 'Scheduled job runs by job and outcome', [
      'job',
      'status',
    ]);
  }

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  async run(name: string, job: () => Promise<Record<string, unknown>>): Promise<JobOutcome> {
    if (this.running.has(name)) return { status: 'skipped', details: { reason: 'already running in this instance' } };
    this.running.add(name);
    try {
      const lock = await this.runs.tryLock(name);
      if (!lock) {
        this.logger.log(`${name} skipped: another instance is running it`);
        return { status: 'skipped', details: { reason: 'running in another instance' } };
      }
      try {
        return await this.runLocked(name, job);
      } finally {
        await this.runs.unlock(lock, name);
      }
    } finally {
      this.running.delete(name);
    }
  }

  recentRuns(limit = 20) {
    return this.runs.recent(limit);
  }

  purgeRunsOlderThan(days: number): Promise<number> {
    return this.runs.purgeOlderThan(days);
  }

  private async runLocked(name: string, job: () => Promise<Record<string, unknown>>): Promise<JobOutcome> {
    const record = await this.runs.start(name);
    const started = Date.now();
    const work = job();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.scheduler.jobTimeoutMs);
    });
    let status: JobRunStatus;
    let details: Record<string, unknown>;
    try {
      const result = await Promise.race([work, timeout]);
      if (result === 'timeout') {
        status = 'timed_out';
        details = { error: `timed out after ${this.config.scheduler.jobTimeoutMs} ms` };
      } else {
        status = 'succeeded';
        details = result;
      }
    } catch (error) {
      status = 'failed';
      details = { error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
    const duration_ms = Date.now() - started;
    this.durations.observe({ job: name, status }, duration_ms / 1000);
    await this.runs.finish(record.id, status, details).catch((error: unknown) => {
      this.logger.warn(`${name}: could not record the run's outcome: ${String(error)}`);
    });
    if (status === 'succeeded') this.logger.log(`${name} succeeded in ${duration_ms} ms ${JSON.stringify(details)}`);
    else this.logger.error(`${name} ${status} after ${duration_ms} ms: ${String(details.error)}`);
    if (status === 'timed_out') {
      // The work cannot be cancelled; keep the lock until it settles so no other replica starts it meanwhile.
      await work.then(
        () => undefined,
        () => undefined,
      );
    }
    return { status, details, duration_ms };
  }
}
