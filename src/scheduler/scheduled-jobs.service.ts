import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';

import { AuthService } from '../auth/auth.service';
import { BehavioralAnalyticsService } from '../behavioral/behavioral-analytics.service';
import { RecommendationsService } from '../coaching/recommendations.service';
import { SegmentsService } from '../coaching/segments.service';
import { StatementImportService } from '../financial/import/statement-import.service';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { ModelLifecycleService } from '../ml/model-lifecycle.service';
import { PredictionCacheService } from '../ml/prediction-cache.service';
import { RetrainingService, type RetrainableModel } from '../ml/retraining/retraining.service';

import { JobRunner } from './job-runner';

export const JOB_NAMES = ['segment-refresh', 'behavior-change-detection', 'retention', 'retraining-check'] as const;
export type JobName = (typeof JOB_NAMES)[number];

// Users refreshed per run, oldest segments first; the rest wait for the next run.
const SEGMENT_REFRESH_BATCH = 2000;

/**
 * The scheduled work. Every job is also runnable on demand (admin endpoint), and
 * the cron triggers do nothing when SCHEDULER_ENABLED=false (tests, extra replicas).
 */
@Injectable()
export class ScheduledJobsService {
  private readonly logger = new Logger(ScheduledJobsService.name);

  constructor(
    private readonly runner: JobRunner,
    private readonly auth: AuthService,
    private readonly segments: SegmentsService,
    private readonly cache: PredictionCacheService,
    private readonly lifecycle: ModelLifecycleService,
    private readonly behavior: BehavioralAnalyticsService,
    private readonly recommendations: RecommendationsService,
    private readonly imports: StatementImportService,
    private readonly retraining: RetrainingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  run(name: JobName) {
    switch (name) {
      case 'segment-refresh':
        return this.runner.run(name, () => this.refreshSegments());
      case 'behavior-change-detection':
        return this.runner.run(name, () => this.detectBehaviorChanges());
      case 'retention':
        return this.runner.run(name, () => this.applyRetention());
      case 'retraining-check':
        return this.runner.run(name, () => this.lifecycle.retrainIfReady());
    }
  }

  /**
   * Starts a retraining of `models` now, as the `retraining-check` job (same advisory lock, so never
   * beside the weekly run on any replica). Resolves with the training events' ids once the run has
   * started, or undefined when a run is already going; the run itself goes on in the background.
   */
  async startRetraining(models: RetrainableModel[]): Promise<Record<string, string> | undefined> {
    let announce: (events: Record<string, string>) => void = () => undefined;
    const started = new Promise<Record<string, string>>((resolve) => (announce = resolve));
    const run = this.runner.run('retraining-check', () => this.retraining.run(models, announce));
    const first = await Promise.race([started, run.then(() => undefined)]);
    void run.catch((error: unknown) => this.logger.error(`retraining failed: ${String(error)}`));
    return first;
  }

  @Cron(CronExpression.EVERY_DAY_AT_2AM, { name: 'segment-refresh' })
  async nightlySegmentRefresh(): Promise<void> {
    if (this.config.scheduler.enabled) await this.run('segment-refresh');
  }

  @Cron(CronExpression.EVERY_HOUR, { name: 'behavior-change-detection' })
  async hourlyChangeDetection(): Promise<void> {
    if (this.config.scheduler.enabled) await this.run('behavior-change-detection');
  }

  @Cron(CronExpression.EVERY_DAY_AT_3AM, { name: 'retention' })
  async nightlyRetention(): Promise<void> {
    if (this.config.scheduler.enabled) await this.run('retention');
  }

  @Cron(CronExpression.EVERY_WEEK, { name: 'retraining-check' })
  async weeklyRetrainingCheck(): Promise<void> {
    if (this.config.scheduler.enabled) await this.run('retraining-check');
  }

  /** Re-segments users with recent activity whose segment is missing or older than a day. */
  private async refreshSegments(): Promise<Record<string, unknown>> {
    const users = await this.segments.dueForRefresh(SEGMENT_REFRESH_BATCH);
    const bySource: Record<string, number> = {};
    let failed = 0;
    for (const id of users) {
      try {
        const info = await this.segments.refresh(id);
        bySource[info.decision_source] = (bySource[info.decision_source] ?? 0) + 1;
      } catch (error) {
        failed++;
        this.logger.warn(`segment refresh failed for a user: ${String(error)}`);
      }
    }
    return { candidates: users.length, refreshed: users.length - failed, failed, by_source: bySource };
  }

  /**
   * For users active this week: a significant behaviour change (last 7 days vs the
   * 30 before) re-segments the user now instead of waiting for the nightly refresh.
   */
  private async detectBehaviorChanges(): Promise<Record<string, unknown>> {
    const users = await this.behavior.activeUsers(SEGMENT_REFRESH_BATCH);
    let changed = 0;
    for (const userId of users) {
      const changes = await this.behavior.changes(userId);
      if (changes.length === 0) continue;
      changed++;
      await this.segments
        .refresh(userId)
        .catch((error: unknown) => this.logger.warn(`re-segmentation failed: ${String(error)}`));
    }
    return { active_users: users.length, users_with_changes: changed, resegmented: changed };
  }

  /**
   * Deletes what is past its useful life: old events, recommendations and import audit rows,
   * expired cache rows, expired revoked tokens, idle login-throttle records, old job runs.
   */
  private async applyRetention(): Promise<Record<string, unknown>> {
    const oldEvents = await this.behavior.purgeOlderThan(this.config.events.retentionDays);
    const oldRecommendations = await this.recommendations.purgeOlderThan(this.config.retention.recommendationDays);
    const oldImportAudits = await this.imports.purgeAuditOlderThan(this.config.retention.importAuditDays);
    const expiredPredictions = await this.cache.purgeExpired();
    const expiredTokens = await this.auth.purgeExpiredRevocations();
    const idleLoginThrottles = await this.auth.purgeIdleLoginThrottles();
    const oldJobRuns = await this.runner.purgeRunsOlderThan(90);
    return {
      old_events: oldEvents,
      old_recommendations: oldRecommendations,
      old_import_audits: oldImportAudits,
      expired_predictions: expiredPredictions,
      expired_revoked_tokens: expiredTokens,
      idle_login_throttles: idleLoginThrottles,
      old_job_runs: oldJobRuns,
    };
  }
}
