import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import * as ort from 'onnxruntime-node';

import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';

import { MODEL_NAMES, manifestSchema, type Manifest, type ModelEntry, type ModelName } from './model-manifest';

export type ModelState = 'loaded' | 'missing' | 'invalid';

export interface ModelStatus {
  name: ModelName;
  state: ModelState;
  version: string | null;
  file: string | null;
  /** Why the model is not served (missing file, checksum mismatch, wrong shape, failed probe…). */
  error: string | null;
  fallback_in_use: boolean;
  sha256_verified: boolean;
  load_ms: number | null;
  inferences: number;
  failures: number;
  /** Calls answered without the model (not loaded, or its inference failed). */
  fallbacks: number;
  last_failure: string | null;
  /** Graphs refused by the load checks so far (a file replaced by garbage, a corrupt stored version). */
  refusals: number;
  /** The last graph refused, whether from MODELS_DIR (`file`) or a stored version (`database`), and why. */
  last_refused: { version: string | null; source: 'file' | 'database'; error: string; at: string } | null;
  metrics: Record<string, unknown> | null;
}

export interface LoadedModel {
  name: ModelName;
  entry: ModelEntry;
  session: ort.InferenceSession;
  inputNames: string[];
  outputNames: string[];
}

/**
 * Loads every model listed in models/manifest.json once at start-up: checks the
 * file's sha256 against the manifest, the graph's inputs/outputs against the
 * declared names and shapes, and runs one probe inference. A model that fails
 * any check is not served; its wrapper answers with the documented rule fallback
 * and the status (reported by /coaching/enhanced-health) says why.
 */
@Injectable()
export class ModelRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelRegistry.name);
  private readonly models = new Map<ModelName, LoadedModel>();
  private readonly statuses = new Map<ModelName, ModelStatus>();
  private manifest: Manifest | null = null;
  private manifestError: string | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    for (const name of MODEL_NAMES) this.statuses.set(name, emptyStatus(name, 'missing', 'not loaded yet'));
  }

  async onModuleInit(): Promise<void> {
    await this.loadAll();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.models.values()].map((m) => m.session.release().catch(() => undefined)));
    this.models.clear();
  }

  get modelsDir(): string {
    return path.resolve(this.config.ml.modelsDir);
  }

  /** (Re)loads the manifest and all models; safe to call again after retraining. */
  async loadAll(): Promise<void> {
    this.manifest = null;
    this.manifestError = null;
    try {
      const raw = JSON.parse(await readFile(path.join(this.modelsDir, 'manifest.json'), 'utf8'));
      this.manifest = manifestSchema.parse(raw);
    } catch (error) {
      this.manifestError = `manifest unreadable: ${describe(error)}`;
      this.logger.warn(`${this.manifestError} — every model will use its rule fallback`);
    }
    for (const name of MODEL_NAMES) {
      const previous = this.models.get(name);
      this.models.delete(name);
      await previous?.session.release().catch(() => undefined);
      await this.load(name);
    }
  }

  get(name: ModelName): LoadedModel | undefined {
    return this.models.get(name);
  }

  /** The model for one call of its wrapper; undefined when it is not served, counted as a fallback (its rule answers). */
  forCall(name: ModelName): LoadedModel | undefined {
    const model = this.models.get(name);
    if (!model) this.statuses.get(name)!.fallbacks++;
    return model;
  }

  /** The entry of the version being served (a promoted one included), else the bundled manifest's. */
  entry(name: ModelName): ModelEntry | undefined {
    return this.models.get(name)?.entry ?? this.manifest?.models[name];
  }

  /** The entry shipped in MODELS_DIR/manifest.json, whatever version is served. */
  bundledEntry(name: ModelName): ModelEntry | undefined {
    return this.manifest?.models[name];
  }

  manifestInfo(): { version: string | null; created_at: string | null; feature_names: string[]; error: string | null } {
    return {
      version: this.manifest?.version ?? null,
      created_at: this.manifest?.created_at ?? null,
      feature_names: this.manifest?.feature_names ?? [],
      error: this.manifestError,
    };
  }

  status(name: ModelName): ModelStatus {
    return { ...this.statuses.get(name)! };
  }

  allStatuses(): ModelStatus[] {
    return MODEL_NAMES.map((n) => this.status(n));
  }

  /**
   * Runs a model. Returns undefined (and counts the failure) when the model is not
   * loaded or the run throws, so callers fall back to rules instead of failing a request.
   */
  async run(name: ModelName, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor> | undefined> {
    const model = this.models.get(name);
    const status = this.statuses.get(name)!;
    if (!model) {
      status.fallbacks++;
      return undefined;
    }
    try {
      const out = await model.session.run(feeds);
      status.inferences++;
      return out as Record<string, ort.Tensor>;
    } catch (error) {
      status.failures++;
      status.fallbacks++;
      status.last_failure = describe(error);
      this.logger.error(`inference failed for ${name}: ${status.last_failure}`);
      return undefined;
    }
  }

  /** Bytes of the model's file as listed in the manifest (undefined when missing). */
  async bundledArtifact(name: ModelName): Promise<Buffer | undefined> {
    const entry = this.manifest?.models[name];
    if (!entry) return undefined;
    return readFile(path.join(this.modelsDir, entry.file)).catch(() => undefined);
  }

  /**
   * Serves another version of a model (a promotion or rollback recorded in the database), after
   * the same checks as at start-up. The old session answers until the new one has passed them;
   * a version that fails them is not served and the old one stays (the error is returned).
   */
  async install(name: ModelName, entry: ModelEntry, bytes: Buffer, version: string): Promise<string | null> {
    const candidate = await this.prepare(name, entry, bytes, version);
    if (!candidate.loaded) {
      this.logger.warn(`model ${name} version ${version} refused (${candidate.status.error}); keeping the served one`);
      refused(this.statuses.get(name)!, version, 'database', candidate.status.error!);
      return candidate.status.error;
    }
    const previous = this.models.get(name);
    keepCounters(this.statuses.get(name)!, candidate.status);
    this.models.set(name, candidate.loaded);
    this.statuses.set(name, candidate.status);
    // In-flight runs hold their own reference to the old session's promise; release it a little later.
    if (previous) setTimeout(() => void previous.session.release().catch(() => undefined), 5_000).unref();
    this.logger.log(`model ${name} now serves version ${version}`);
    return null;
  }

  /** Runs a graph through the load checks without serving it: null when it passes, else why not. */
  async verify(name: ModelName, entry: ModelEntry, bytes: Buffer, version: string): Promise<string | null> {
    const { loaded, status } = await this.prepare(name, entry, bytes, version);
    await loaded?.session.release().catch(() => undefined);
    return loaded ? null : status.error;
  }

  private async load(name: ModelName): Promise<void> {
    const entry = this.manifest?.models[name];
    if (!entry) {
      const status = emptyStatus(name, 'missing', this.manifestError ?? `no "${name}" entry in the manifest`);
      keepCounters(this.statuses.get(name)!, status);
      this.statuses.set(name, status);
      return;
    }
    const bytes = await readFile(path.join(this.modelsDir, entry.file)).catch(() => undefined);
    const version = entry.version ?? this.manifest?.version ?? null;
    if (!bytes) {
      const status = emptyStatus(name, 'missing', `file not found: ${entry.file}`);
      keepCounters(this.statuses.get(name)!, status);
      status.version = version;
      status.file = entry.file;
      this.statuses.set(name, status);
      this.logger.warn(`model ${name} not served (${status.error}); its rule fallback answers instead`);
      return;
    }
    const { loaded, status } = await this.prepare(name, entry, bytes, version);
    keepCounters(this.statuses.get(name)!, status);
    if (loaded) this.models.set(name, loaded);
    else {
      this.logger.warn(`model ${name} not served (${status.error}); its rule fallback answers instead`);
      refused(status, version, 'file', status.error!);
    }
    this.statuses.set(name, status);
  }

  /** Checks a graph (checksum, signature, probe inference) and opens its session. */
  private async prepare(
    name: ModelName,
    entry: ModelEntry,
    bytes: Buffer,
    version: string | null,
  ): Promise<{ loaded?: LoadedModel; status: ModelStatus }> {
    const started = performance.now();
    const status = emptyStatus(name, 'invalid', null);
    status.version = version;
    status.file = entry.file;
    status.metrics = entry.metrics ?? null;
    let loaded: LoadedModel | undefined;
    try {
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== entry.sha256)
        throw new Error(`sha256 mismatch: manifest ${entry.sha256.slice(0, 12)}…, file ${digest.slice(0, 12)}…`);
      status.sha256_verified = true;
      const session = await ort.InferenceSession.create(bytes, {
        // One thread per session: requests are concurrent, and the event loop must stay free.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
      loaded = {
        name,
        entry,
        session,
        inputNames: [...session.inputNames],
        outputNames: [...session.outputNames],
      };
      checkSignature(loaded);
      await probe(loaded);
      status.state = 'loaded';
      status.fallback_in_use = false;
      status.error = null;
    } catch (error) {
      await loaded?.session.release().catch(() => undefined);
      loaded = undefined;
      status.error = describe(error);
      status.fallback_in_use = true;
    }
    status.load_ms = Math.round((performance.now() - started) * 10) / 10;
    return { loaded, status };
  }
}

function emptyStatus(name: ModelName, state: ModelState, error: string | null): ModelStatus {
  return {
    name,
    state,
    version: null,
    file: null,
    error,
    fallback_in_use: true,
    sha256_verified: false,
    load_ms: null,
    inferences: 0,
    fallbacks: 0,
    failures: 0,
    last_failure: null,
    refusals: 0,
    last_refused: null,
    metrics: null,
  };
}

/** A reload starts a new status; the counts (Prometheus counters) and the last refusal carry over. */
function keepCounters(from: ModelStatus, to: ModelStatus): void {
  to.inferences = from.inferences;
  to.fallbacks = from.fallbacks;
  to.failures = from.failures;
  to.refusals = from.refusals;
  to.last_refused = from.last_refused;
}

function refused(status: ModelStatus, version: string | null, source: 'file' | 'database', error: string): void {
  status.refusals++;
  status.last_refused = { version, source, error, at: new Date().toISOString() };
}

/** The graph must take and give exactly what the manifest declares (names, ranks, fixed dims). */
function checkSignature(model: LoadedModel): void {
  const { entry, session } = model;
  const declaredIn = Object.keys(entry.inputs);
  const declaredOut = Object.keys(entry.outputs);
  for (const n of declaredIn)
    if (!model.inputNames.includes(n))
      throw new Error(`graph has no input "${n}" (has ${model.inputNames.join(', ')})`);
  for (const n of declaredOut)
    if (!model.outputNames.includes(n))
      throw new Error(`graph has no output "${n}" (has ${model.outputNames.join(', ')})`);
  for (const meta of session.inputMetadata ?? []) {
    if (!meta.isTensor) continue;
    const declared = entry.inputs[meta.name];
    if (!declared) continue;
    if (declared.length !== meta.shape.length)
      throw new Error(`input "${meta.name}" has rank ${meta.shape.length}, manifest says ${declared.length}`);
    meta.shape.forEach((dim, i) => {
      const want = declared[i];
      if (typeof dim === 'number' && typeof want === 'number' && dim !== want) {
        throw new Error(`input "${meta.name}" dim ${i} is ${dim}, manifest says ${want}`);
      }
    });
  }
}

/** One inference on zeros (batch 1) proves the graph runs and its outputs have the declared sizes. */
async function probe(model: LoadedModel): Promise<void> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, declared] of Object.entries(model.entry.inputs)) {
    const dims = declared.map((d) => (typeof d === 'number' ? d : 1));
    const meta = (model.session.inputMetadata ?? []).find((m) => m.name === name);
    const type = meta && meta.isTensor ? meta.type : 'float32';
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[name] =
      type === 'int64'
        ? new ort.Tensor('int64', new BigInt64Array(size), dims)
        : new ort.Tensor('float32', new Float32Array(size), dims);
  }
  const out = await model.session.run(feeds);
  for (const [name, declared] of Object.entries(model.entry.outputs)) {
    const tensor = out[name] as ort.Tensor | undefined;
    if (!tensor) throw new Error(`probe produced no "${name}"`);
    declared.forEach((want, i) => {
      if (typeof want === 'number' && i > 0 && tensor.dims[i] !== want) {
        throw new Error(`output "${name}" dim ${i} is ${tensor.dims[i]}, manifest says ${want}`);
      }
    });
    const values = tensor.data as ArrayLike<number | bigint>;
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] === 'number' && !Number.isFinite(values[i] as number))
        throw new Error(`probe output "${name}" is not finite`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
