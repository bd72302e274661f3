import * as ort from 'onnxruntime-node';

import { round2 } from '../../common/rounding';
import { FORECAST_HORIZONS, type ForecastHorizon } from '../features/spending-history';
import type { ModelEntry } from '../model-manifest';
import { goalServedBaseRate } from '../models/goal.model';
import { forecastServing, type ForecastServing } from '../models/spending-forecast.model';

/** One row of examples/forecast.jsonl (scripts/ml/export-real-examples.ts). */
export interface ForecastExample {
  dataset: string;
  account: string;
  horizon: number;
  role: string;
  x: number[];
  baselines: Record<string, number>;
  y: number;
}

/** One row of examples/goal.jsonl. */
export interface GoalExample {
  dataset: string;
  account: string;
  role: string;
  x: number[];
  y: number;
}

/** A model version to evaluate: its manifest entry and ONNX graph. */
export interface VersionUnderTest {
  entry: ModelEntry;
  artifact: Uint8Array;
}

/** Per held-out unit (one real user: data set + account) losses of the champion and challenger, same units, same order. */
export interface PairedLosses {
  units: string[];
  champion: number[];
  challenger: number[];
}

const BATCH = 4096;

async function withSession<T>(artifact: Uint8Array, work: (s: ort.InferenceSession) => Promise<T>): Promise<T> {
  const session = await ort.InferenceSession.create(artifact, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    return await work(session);
  } finally {
    await session.release().catch(() => undefined);
  }
}

function checkFeatures(entry: ModelEntry, expected: readonly string[], what: string): void {
  const names = entry.feature_names ?? [];
  if (names.join() !== expected.join())
    throw new Error(`${what} version takes other features than the examples (${names.length} vs ${expected.length})`);
}

/**
 * The number the server would serve for each forecast example: the version's model where its
 * manifest serves the model for that horizon, the baseline it names elsewhere (rounded as served).
 */
export async function servedForecasts(
  version: VersionUnderTest,
  rows: readonly ForecastExample[],
  featureNames: readonly string[],
): Promise<number[]> {
  checkFeatures(version.entry, featureNames, 'spending_forecast');
  const serving = version.entry as ForecastServing;
  const n = featureNames.length;
  const k = FORECAST_HORIZONS.length;
  return withSession(version.artifact, async (session) => {
    const out: number[] = [];
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      // The graph weighs each horizon's slot on its own: a row fills its horizon's slot only.
      const data = new Float32Array(batch.length * k * n);
      batch.forEach((r, i) => {
        const slot = FORECAST_HORIZONS.indexOf(r.horizon as ForecastHorizon);
        data.set(r.x, (i * k + slot) * n);
      });
      const result = await session.run({
        [session.inputNames[0]]: new ort.Tensor('float32', data, [batch.length, k, n]),
      });
      const predicted = result[session.outputNames[0]].data as Float32Array;
      batch.forEach((r, i) => {
        const horizon = r.horizon as ForecastHorizon;
        const choice = forecastServing(serving, horizon);
        const value = choice.model
          ? predicted[i * k + FORECAST_HORIZONS.indexOf(horizon)]
          : (r.baselines[choice.baseline] ?? 0);
        out.push(round2(Math.max(0, value)));
      });
    }
    return out;
  });
}

/** The probability the server would serve for each goal example (the model's, or the version's base rate). */
export async function servedGoalProbabilities(
  version: VersionUnderTest,
  rows: readonly GoalExample[],
  featureNames: readonly string[],
): Promise<number[]> {
  checkFeatures(version.entry, featureNames, 'goal');
  const baseRate = goalServedBaseRate(version.entry);
  if (baseRate !== undefined) return rows.map(() => baseRate);
  const n = featureNames.length;
  return withSession(version.artifact, async (session) => {
    const out: number[] = [];
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      const data = new Float32Array(batch.length * n);
      batch.forEach((r, i) => data.set(r.x, i * n));
      const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, [batch.length, n]) });
      const p = result[session.outputNames[0]].data as Float32Array;
      batch.forEach((_, i) => out.push(p[i]));
    }
    return out;
  });
}

/**
 * Groups held-out rows by unit (one real user) and scores both versions per unit, so the promotion
 * bootstrap resamples people, not weeks. `loss(predictions, truths)` scores one unit's rows.
 */
export function pairByUnit<R extends { dataset: string; account: string; role: string; y: number }>(
  rows: readonly R[],
  champion: readonly number[],
  challenger: readonly number[],
  loss: (predicted: number[], truth: number[]) => number | undefined,
): PairedLosses {
  const byUnit = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (r.role !== 'test') return;
    const unit = `${r.dataset}:${r.account}`;
    byUnit.set(unit, [...(byUnit.get(unit) ?? []), i]);
  });
  const out: PairedLosses = { units: [], champion: [], challenger: [] };
  for (const unit of [...byUnit.keys()].sort()) {
    const idx = byUnit.get(unit)!;
    const truth = idx.map((i) => rows[i].y);
    const a = loss(
      idx.map((i) => champion[i]),
      truth,
    );
    const b = loss(
      idx.map((i) => challenger[i]),
      truth,
    );
    if (a === undefined || b === undefined) continue;
    out.units.push(unit);
    out.champion.push(a);
    out.challenger.push(b);
  }
  return out;
}

/**
 * A user's forecast loss: squared error of the served totals relative to their squared spending
 * (Σ(forecast − truth)² ÷ Σ truth²), so users in different currencies and of different means count
 * alike; undefined for a user who spent nothing in every held-out window.
 */
export function relativeSquaredError(predicted: number[], truth: number[]): number | undefined {
  let error = 0;
  let scale = 0;
  predicted.forEach((p, i) => {
    error += (p - truth[i]) ** 2;
    scale += truth[i] ** 2;
  });
  return scale > 0 ? error / scale : undefined;
}

/** A user's goal loss: mean Brier score over their held-out episodes. */
export function brierScore(predicted: number[], truth: number[]): number | undefined {
  if (predicted.length === 0) return undefined;
  return predicted.reduce((s, p, i) => s + (p - truth[i]) ** 2, 0) / predicted.length;
}
