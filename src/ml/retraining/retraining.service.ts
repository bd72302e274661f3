import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../infra/config/app-config';
import { modelEntrySchema, type ModelEntry } from '../model-manifest';
import { ModelVersionsService } from '../model-versions.service';
import type { PromotionDecision } from '../promotion';
import { TrainingRecordsRepository } from '../training-records.repository';

import {
  brierScore,
  pairByUnit,
  relativeSquaredError,
  servedForecasts,
  servedGoalProbabilities,
  type ForecastExample,
  type GoalExample,
  type PairedLosses,
  type VersionUnderTest,
} from './challenger-evaluation';
import { TrainingExportRepository } from './training-export.repository';

/** The models learnt from real data; the policy and segments are trained by `npm run train:models` only. */
export const RETRAINABLE_MODELS = ['spending_forecast', 'goal'] as const;
export type RetrainableModel = (typeof RETRAINABLE_MODELS)[number];

export interface RetrainingOutcome extends Record<string, unknown> {
  training_data: Record<string, unknown>;
  decisions: Record<string, PromotionDecision & { version: string; champion_version: string | null }>;
}

interface ExportSummary {
  users: number;
  transactions: number;
  recommendations: number;
  recommendations_with_propensity: number;
  recommendations_with_outcome: number;
  sha256: string;
}

/**
 * Learning from what the system has really seen. One run:
 * 1. exports the consenting users' transaction histories and their recommendations (with the
 *    propensity each was served with and its outcome) into a private work folder;
 * 2. runs RETRAIN_PIPELINE, which builds examples from that export beside the public real data
 *    sets through the server's feature code and trains challengers (real_models.py);
 * 3. scores champion (the served version) and challenger on the same held-out real users, as the
 *    server would serve them, and hands both to submitChallenger, which stores every candidate with
 *    its metrics, training data and decision, and promotes only one better beyond noise.
 * The work folder (users' data) is deleted when the run ends.
 */
@Injectable()
export class RetrainingService {
  private readonly logger = new Logger(RetrainingService.name);

  constructor(
    private readonly exports: TrainingExportRepository,
    private readonly records: TrainingRecordsRepository,
    private readonly versions: ModelVersionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Runs one retraining of `models`; `started` is told the training events' ids as soon as they
   * exist (the admin trigger answers with them while the run goes on).
   */
  async run(
    models: readonly RetrainableModel[],
    started: (eventIds: Record<string, string>) => void = () => undefined,
  ): Promise<RetrainingOutcome> {
    const events = await this.records.startEvents(models);
    started(events);
    const pipeline = this.config.scheduler.retrainPipeline;
    if (!pipeline) {
      // Nothing would learn from an export, so none is made.
      await this.records.finishEvents(events, 'pending', { note: 'RETRAIN_PIPELINE is none: nothing trained' });
      return { training_data: {}, decisions: {} };
    }
    const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
    const dir = path.join(this.config.scheduler.retrainWorkDir, runId);
    try {
      const exported = await this.exportTo(path.join(dir, 'export'));
      const trainingData: Record<string, unknown> = {
        run: runId,
        exported_at: new Date().toISOString(),
        consenting_users: exported.users,
        transactions: exported.transactions,
        recommendations: exported.recommendations,
        recommendations_with_propensity: exported.recommendations_with_propensity,
        recommendations_with_outcome: exported.recommendations_with_outcome,
        export_sha256: exported.sha256,
      };
      const work = path.join(dir, 'work');
      const result = await runPipeline(pipeline, path.join(dir, 'export'), work);
      if (result.code !== 0) throw new Error(`RETRAIN_PIPELINE exited with ${result.code}: ${result.tail}`);
      const examples = path.join(work, 'examples');
      const meta = JSON.parse(await readFile(path.join(examples, 'meta.json'), 'utf8')) as Record<string, unknown>;
      trainingData.examples = {
        datasets: meta.datasets,
        accounts: meta.accounts,
        system_accounts: meta.system_accounts,
        system_time_cut: meta.system_time_cut,
        forecast_rows: meta.forecast_rows,
        goal_rows: meta.goal_rows,
      };
      const manifest = JSON.parse(await readFile(path.join(work, 'challenger', 'manifest.json'), 'utf8')) as {
        models: Record<string, unknown>;
      };
      const decisions: RetrainingOutcome['decisions'] = {};
      for (const name of models) {
        const version = `rt-${runId}`;
        const entry = { ...modelEntrySchema.parse(manifest.models[name]), version };
        const artifact = new Uint8Array(await readFile(path.join(work, 'challenger', entry.file)));
        const losses = await this.evaluate(name, { entry, artifact }, examples, meta);
        const decision = await this.versions.submitChallenger({
          name,
          version,
          entry,
          artifact,
          trainingData,
          championLosses: losses.paired.champion,
          challengerLosses: losses.paired.challenger,
          trainingEventId: events[name],
        });
        decisions[name] = { ...decision, version, champion_version: losses.championVersion };
        await this.records.finishEvents({ [name]: events[name] }, 'completed', {
          training_data: trainingData,
          evaluation: { held_out_units: losses.paired.units.length, loss: losses.loss, decision },
          validationScore: decision.challenger_mean_loss,
          deploymentApproved: decision.promote,
          trainingDataSize: exported.transactions,
        });
      }
      await this.records.resetDatasets([...models], new Date());
      return { training_data: trainingData, decisions };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.records.finishEvents(events, 'failed', { error: message.slice(-4000) });
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Writes accounts.jsonl (one consenting user's history per line) and recommendations.jsonl. */
  private async exportTo(dir: string): Promise<ExportSummary> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const digest = createHash('sha256');
    const accounts = createWriteStream(path.join(dir, 'accounts.jsonl'), { mode: 0o600 });
    const recommendations = createWriteStream(path.join(dir, 'recommendations.jsonl'), { mode: 0o600 });
    const summary = {
      users: 0,
      transactions: 0,
      recommendations: 0,
      recommendations_with_propensity: 0,
      recommendations_with_outcome: 0,
    };
    const write = (stream: NodeJS.WritableStream, line: string) => {
      digest.update(line);
      return new Promise<void>((resolve, reject) => stream.write(line, (error) => (error ? reject(error) : resolve())));
    };
    try {
      for (const userId of await this.exports.consentingUsers()) {
        const transactions = await this.exports.transactions(userId);
        // Accounts are known to the examples by their user id only.
        await write(accounts, JSON.stringify({ id: userId, transactions }) + '\n');
        for (const r of await this.exports.recommendations(userId)) {
          await write(recommendations, JSON.stringify({ user: userId, ...r }) + '\n');
          summary.recommendations++;
          if (r.propensity !== null) summary.recommendations_with_propensity++;
          if (r.feedback_type !== null || r.reward !== null) summary.recommendations_with_outcome++;
        }
        summary.users++;
        summary.transactions += transactions.length;
      }
    } finally {
      await Promise.all([accounts, recommendations].map((s) => new Promise((resolve) => s.end(resolve))));
    }
    return { ...summary, sha256: digest.digest('hex') };
  }

  /** Champion and challenger served numbers on the examples' held-out (`test`) rows, scored per real user. */
  private async evaluate(
    name: RetrainableModel,
    challenger: VersionUnderTest,
    examples: string,
    meta: Record<string, unknown>,
  ): Promise<{ paired: PairedLosses; loss: string; championVersion: string | null }> {
    const champion = await this.versions.served(name);
    if (!champion) throw new Error(`no served ${name} version to compare the challenger with`);
    const championUnderTest = { entry: champion.entry as ModelEntry, artifact: champion.artifact };
    if (name === 'spending_forecast') {
      const rows = (await readJsonl<ForecastExample>(path.join(examples, 'forecast.jsonl'))).filter(
        (r) => r.role === 'test',
      );
      const names = meta.forecast_feature_names as string[];
      const [a, b] = [
        await servedForecasts(championUnderTest, rows, names),
        await servedForecasts(challenger, rows, names),
      ];
      return {
        paired: pairByUnit(rows, a, b, relativeSquaredError),
        loss: 'per user: Σ(served forecast − spending)² ÷ Σ spending², 7- and 28-day windows',
        championVersion: champion.version,
      };
    }
    const rows = (await readJsonl<GoalExample>(path.join(examples, 'goal.jsonl'))).filter((r) => r.role === 'test');
    const names = meta.goal_feature_names as string[];
    const [a, b] = [
      await servedGoalProbabilities(championUnderTest, rows, names),
      await servedGoalProbabilities(challenger, rows, names),
    ];
    return {
      paired: pairByUnit(rows, a, b, brierScore),
      loss: 'per user: mean Brier score of the served probability over their goal episodes',
      championVersion: champion.version,
    };
  }
}

async function readJsonl<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

function runPipeline(command: string, exportDir: string, workDir: string): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    // The command is the operator's configuration; the folders are ours (no user input reaches the shell).
    const child = spawn(`${command} "${exportDir}" "${workDir}"`, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('close', (code) => resolve({ code: code ?? 1, tail }));
    child.on('error', (error) => resolve({ code: 1, tail: error.message }));
  });
}
