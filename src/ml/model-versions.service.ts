import { createHash } from 'node:crypto';

import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  UnprocessableEntityException,
} from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';

import { modelEntrySchema, type ModelEntry, type ModelName } from './model-manifest';
import { ModelRegistry } from './model-registry';
import { ModelVersionsRepository } from './model-versions.repository';
import { decidePromotion, type PromotionDecision } from './promotion';

export interface Challenger {
  name: ModelName;
  version: string;
  entry: ModelEntry;
  artifact: Uint8Array<ArrayBuffer>;
  /** Identifies the training data (sources, counts, digest). */
  trainingData: Record<string, unknown>;
  /** Per held-out unit (e.g. real account) losses of the served champion and of the challenger, paired. */
  championLosses: number[];
  challengerLosses: number[];
  /** The training run (model_training_events) that produced it. */
  trainingEventId?: string;
}

/**
 * Which version of each model is served is decided in the database: the bundled models are recorded
 * there (bytes included) at start-up, promotions and rollbacks change the active row, and every
 * replica polls the active rows and hot-swaps its sessions, so all serve the same versions without
 * a restart or a shared disk.
 */
@Injectable()
export class ModelVersionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ModelVersionsService.name);
  private timer?: NodeJS.Timeout;
  private syncing: Promise<number> | null = null;

  constructor(
    private readonly versions: ModelVersionsRepository,
    private readonly registry: ModelRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.recordBundled(true).catch((error: unknown) =>
      this.logger.warn(`recording model versions failed: ${String(error)}`),
    );
    const seconds = this.config.ml.modelSyncIntervalSeconds;
    // 0: this replica serves its own MODELS_DIR only (a standalone instance, or tests of the fallbacks).
    if (seconds > 0) {
      await this.syncFromDatabase().catch((error: unknown) => this.logger.warn(`model sync failed: ${String(error)}`));
      this.timer = setInterval(() => {
        this.syncFromDatabase().catch((error: unknown) => this.logger.warn(`model sync failed: ${String(error)}`));
      }, seconds * 1000);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Records each model shipped in MODELS_DIR as a version. At start-up a version never seen before is
   * a release and becomes active; after retraining (`activateIfNew` false) it waits as a candidate.
   */
  async recordBundled(activateIfNew: boolean): Promise<number> {
    let recorded = 0;
    for (const status of this.registry.allStatuses()) {
      const entry = this.registry.bundledEntry(status.name);
      const bytes = await this.registry.bundledArtifact(status.name);
      if (status.state !== 'loaded' || !entry || !status.version || !bytes) continue;
      await this.versions.recordBundled(
        {
          modelType: status.name,
          version: status.version,
          sha256: entry.sha256,
          entry,
          artifact: new Uint8Array(bytes),
        },
        activateIfNew,
      );
      recorded++;
    }
    return recorded;
  }

  /** Serves the database's active version of every model whose served version differs; returns how many changed. */
  syncFromDatabase(): Promise<number> {
    this.syncing ??= this.sync().finally(() => (this.syncing = null));
    return this.syncing;
  }

  async promote(name: ModelName, version: string): Promise<void> {
    await this.versions.activate(name, version);
    await this.syncFromDatabase();
  }

  /** Returns to the version served before the active one; every replica follows at its next poll. */
  async rollback(name: ModelName): Promise<{ from: string | null; to: string }> {
    const previous = await this.versions.previous(name);
    if (!previous) throw new UnprocessableEntityException(`model ${name} has no earlier version to roll back to`);
    const from = this.registry.status(name).version;
    await this.versions.activate(name, previous.version);
    await this.syncFromDatabase();
    // A poll already under way may have read the rows before the switch: one more sync decides.
    if (this.registry.status(name).version !== previous.version) await this.syncFromDatabase();
    const served = this.registry.status(name);
    if (served.version !== previous.version) {
      // Its stored graph fails the load checks (a corrupt row): the served version stays active everywhere.
      if (from) await this.versions.activate(name, from);
      throw new UnprocessableEntityException(
        `model ${name} version ${previous.version} failed the load checks (${served.last_refused?.error ?? 'not installed'}); ${from} stays active`,
      );
    }
    if (from) await this.versions.countRollback(name, from);
    return { from, to: previous.version };
  }

  /**
   * Stores a challenger with its evaluation against the served champion on the same held-out units,
   * and promotes it only when it is better beyond noise; a refused one is kept with the reason.
   */
  async submitChallenger(c: Challenger): Promise<PromotionDecision> {
    const digest = createHash('sha256').update(c.artifact).digest('hex');
    if (digest !== c.entry.sha256)
      throw new UnprocessableEntityException('challenger artifact does not match its sha256');
    // A graph that would fail every replica's load checks is refused whatever its evaluation says.
    const graphError = await this.registry.verify(c.name, c.entry, Buffer.from(c.artifact), c.version);
    const evaluated = decidePromotion(c.championLosses, c.challengerLosses);
    const decision = graphError
      ? { ...evaluated, promote: false, reason: `the graph failed the load checks: ${graphError}` }
      : evaluated;
    const champion = this.registry.status(c.name).version;
    await this.versions.recordCandidate(
      {
        modelType: c.name,
        version: c.version,
        sha256: digest,
        entry: c.entry,
        artifact: c.artifact,
        trainingData: c.trainingData,
        trainingEventId: c.trainingEventId,
      },
      decision.promote ? 'candidate' : 'refused',
      { ...decision, champion_version: champion, decided_at: new Date().toISOString() },
    );
    if (decision.promote) await this.promote(c.name, c.version);
    this.logger.log(
      `challenger ${c.name} ${c.version}: ${decision.promote ? 'promoted' : 'refused'} (${decision.reason})`,
    );
    return decision;
  }

  /** The version this replica serves (its entry and ONNX bytes), the champion a challenger is judged against. */
  async served(name: ModelName): Promise<{ version: string; entry: ModelEntry; artifact: Uint8Array } | undefined> {
    const version = this.registry.status(name).version;
    const entry = this.registry.entry(name);
    if (!version || !entry) return undefined;
    const stored = await this.versions.artifact(name, version);
    const bytes = stored?.artifact ?? (await this.registry.bundledArtifact(name));
    return bytes ? { version, entry, artifact: new Uint8Array(bytes) } : undefined;
  }

  list(name?: string) {
    return this.versions.list(name);
  }

  private async sync(): Promise<number> {
    let changed = 0;
    for (const active of await this.versions.active()) {
      const name = active.modelType as ModelName;
      const served = this.registry.status(name);
      // Installed already; or a stored version this replica refused (its bytes do not change): not again every poll.
      // A model whose file failed its checks on a reload is re-installed from the database's copy.
      if (served.version === active.version && served.state === 'loaded') continue;
      if (served.last_refused?.source === 'database' && served.last_refused.version === active.version) continue;
      const row = await this.versions.artifact(name, active.version);
      if (!row?.artifact || !row.manifestEntry) {
        this.logger.warn(`active version ${active.version} of ${name} has no stored artifact; keeping the served one`);
        continue;
      }
      const entry = modelEntrySchema.parse(row.manifestEntry);
      const error = await this.registry.install(name, entry, Buffer.from(row.artifact), active.version);
      if (!error) changed++;
    }
    return changed;
  }
}
