import { Inject, Injectable, Optional } from '@nestjs/common';

import { EVENT_PIPELINE_STATS, type EventPipelineStatsProvider } from '../common/pipeline-stats';
import { PrismaService } from '../infra/prisma/prisma.service';
import { BanditService, USER_OUTCOMES_PER_ARM } from '../ml/bandit/bandit.service';
import { BASIC_EXPLORATION, ENHANCED_EXPLORATION } from '../ml/bandit/exploration';
import { ACTIONS } from '../ml/coaching-domain';
import { FEATURE_NAMES } from '../ml/features/feature-names';
import { ModelRegistry, type ModelStatus } from '../ml/model-registry';
import { PolicyModel } from '../ml/models/policy.model';
import { floatTensor } from '../ml/models/tensor-utils';

const SERVICE_OF_MODEL: Record<string, string> = {
  policy: 'enhanced_cql_service',
  segmentation: 'segmentation_service',
  spending_forecast: 'spending_prediction_service',
  goal: 'goal_prediction_service',
};

/** How often /coaching/health may run its test inference, however often it is called. */
const INFERENCE_CHECK_INTERVAL_MS = 60_000;

type InferenceCheck = { passed: true; outputShape: readonly number[] } | { passed: false; error?: string | null };

/**
 * What operators see: each model's state and fallback, the bandit, the event pipeline, the database.
 * Anonymous callers get the statuses only; file paths, error texts and who switched tracking are for admins.
 */
@Injectable()
export class ModelHealthService {
  private inferenceCheck?: { at: number; result: Promise<InferenceCheck> };

  constructor(
    private readonly registry: ModelRegistry,
    private readonly prisma: PrismaService,
    private readonly bandit: BanditService,
    private readonly policy: PolicyModel,
    @Optional() @Inject(EVENT_PIPELINE_STATS) private readonly pipeline?: EventPipelineStatsProvider,
  ) {}

  async enhancedHealth(detailed: boolean) {
    const full = await this.enhancedHealthDetails();
    return detailed ? full : statusesOnly(full);
  }

  private async enhancedHealthDetails() {
    const statuses = this.registry.allStatuses();
    const databaseUp = await this.prisma.ping();
    const services: Record<string, unknown> = {};
    for (const s of statuses) services[SERVICE_OF_MODEL[s.name]] = { ...serviceView(s), ...this.judgedDecision(s) };
    // The policy service says which policy answers: the model only where it beat the simple baselines.
    services[SERVICE_OF_MODEL.policy] = {
      ...(services[SERVICE_OF_MODEL.policy] as object),
      served_policy: this.policy.servedPolicy(),
    };
    const eventPipeline = this.pipeline ? { status: 'healthy', ...this.pipeline.stats() } : { status: 'unknown' };
    const armsLearned = databaseUp ? (await this.bandit.summary()).length : null;
    const allModels = statuses.every((s) => s.state === 'loaded');
    return {
      overall_status: !databaseUp ? 'unhealthy' : allModels ? 'healthy' : 'degraded',
      manifest: this.registry.manifestInfo(),
      ...services,
      bandit_service: {
        status: databaseUp ? 'healthy' : 'unhealthy',
        algorithm: 'exact_mixture',
        exploration: { basic: BASIC_EXPLORATION, enhanced: ENHANCED_EXPLORATION },
        user_outcomes_per_arm: USER_OUTCOMES_PER_ARM,
        arms: ACTIONS.map((a) => a.type),
        arms_with_feedback: armsLearned,
      },
      behavioral_service: eventPipeline,
      database: { status: databaseUp ? 'up' : 'down' },
      last_check: new Date().toISOString(),
    };
  }

  /**
   * For the models judged against baselines on real data: what each request is answered with.
   * "baseline" means the model did not beat the named baseline on validation, so the baseline is served.
   */
  private judgedDecision(s: ModelStatus): Record<string, unknown> {
    const entry = this.registry.entry(s.name) as
      { serve?: string | Record<string, string>; baseline?: Record<string, string> } | undefined;
    const source = (serve: string | undefined) =>
      s.state !== 'loaded' ? 'fallback' : serve === 'model' ? 'model' : 'baseline';
    if (s.name === 'spending_forecast') {
      const serve = typeof entry?.serve === 'object' ? entry.serve : {};
      return {
        decision_source: Object.fromEntries(
          ['7', '28'].map((h) => [
            `${h}_days`,
            { decision_source: source(serve[h]), baseline: entry?.baseline?.[h] ?? null },
          ]),
        ),
      };
    }
    if (s.name === 'goal')
      return {
        decision_source: s.state !== 'loaded' ? 'fallback' : entry?.serve === 'baseline' ? 'baseline' : 'model',
      };
    return {};
  }

  /** /coaching/model-info: the policy model as the client and the original described it. */
  modelInfo() {
    const policy = this.registry.status('policy');
    return {
      model_loaded: policy.state === 'loaded',
      model_path: policy.file,
      model_version: policy.version,
      decision_source:
        this.policy.servedPolicy().kind !== 'model' ? 'baseline' : policy.state === 'loaded' ? 'model' : 'fallback',
      served_policy: this.policy.servedPolicy(),
      state_dimensions: FEATURE_NAMES.length,
      action_dimensions: ACTIONS.length,
      feature_names: FEATURE_NAMES,
      available_actions: ACTIONS.map((a) => a.type),
      metrics: policy.metrics,
    };
  }

  /**
   * /coaching/health: the policy's status plus the result of a test inference on a neutral state,
   * run at most once a minute (an anonymous caller must not be able to buy an inference per request).
   */
  async policyHealth(detailed: boolean) {
    const policy = this.registry.status('policy');
    const base = {
      model_loaded: policy.state === 'loaded',
      fallback_available: true,
      last_check: new Date().toISOString(),
    };
    const model = this.registry.get('policy');
    if (!model) return { status: 'degraded', ...base, ...(detailed ? { error: policy.error } : {}) };
    const check = await this.latestInferenceCheck();
    if (!check.passed) {
      return { status: 'unhealthy', ...base, inference_test: 'failed', ...(detailed ? { error: check.error } : {}) };
    }
    return { status: 'healthy', ...base, inference_test: 'passed', output_shape: check.outputShape };
  }

  private latestInferenceCheck(): Promise<InferenceCheck> {
    const now = Date.now();
    if (!this.inferenceCheck || now - this.inferenceCheck.at >= INFERENCE_CHECK_INTERVAL_MS) {
      this.inferenceCheck = { at: now, result: this.runInferenceCheck() };
    }
    return this.inferenceCheck.result;
  }

  private async runInferenceCheck(): Promise<InferenceCheck> {
    const model = this.registry.get('policy');
    if (!model) return { passed: false, error: this.registry.status('policy').error };
    const input = floatTensor(new Array(FEATURE_NAMES.length).fill(0), [1, FEATURE_NAMES.length]);
    const out = await this.registry.run('policy', { [model.inputNames[0]]: input });
    if (!out) return { passed: false, error: this.registry.status('policy').last_failure };
    return { passed: true, outputShape: out[model.outputNames[0]].dims };
  }
}

/** Every part's `status`, nothing else: what an anonymous caller may know. */
function statusesOnly(view: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(view)) {
    if (key === 'overall_status' || key === 'last_check') out[key] = value;
    else if (value && typeof value === 'object' && 'status' in value) {
      out[key] = { status: (value as { status: unknown }).status };
    }
  }
  return out;
}

function serviceView(s: ModelStatus) {
  return {
    status: s.state === 'loaded' ? 'healthy' : 'degraded',
    model: s.name,
    model_loaded: s.state === 'loaded',
    state: s.state,
    version: s.version,
    file: s.file,
    sha256_verified: s.sha256_verified,
    fallback_in_use: s.fallback_in_use,
    fallback_available: true,
    error: s.error,
    load_ms: s.load_ms,
    inferences: s.inferences,
    failures: s.failures,
    last_failure: s.last_failure,
    refusals: s.refusals,
    last_refused: s.last_refused,
    metrics: s.metrics,
  };
}
