import { Injectable } from '@nestjs/common';

import type { Category } from '../../common/categories';
import { round2 } from '../../common/rounding';
import type { JudgedDecisionSource } from '../coaching-domain';
import {
  FORECAST_FEATURE_NAMES,
  FORECAST_HORIZONS,
  forecastBaselines,
  forecastFeatures,
  splitByCategory,
  windowSum,
  type ForecastHorizon,
  type MoneyHistory,
} from '../features/spending-history';
import { ModelRegistry } from '../model-registry';

import { floatTensor, toNumbers } from './tensor-utils';

export interface SpendingForecast {
  horizonDays: ForecastHorizon;
  /** Expected spending over the horizon (THE spending definition); the categories sum to it. */
  total: number;
  byCategory: Record<Category, number>;
  confidence: number;
  /** model: the trained forecaster; baseline: it did not beat this baseline on validation, so the baseline is served; fallback: the model is unavailable. */
  source: JudgedDecisionSource;
  /** "linear_model" or the name of the baseline served. */
  method: string;
  version: string | null;
}

/** Baseline served when the manifest names none (the steadiest of the protocol's baselines). */
const DEFAULT_BASELINE: Record<ForecastHorizon, string> = { 7: 'mean_8w', 28: 'mean_3_periods' };

export interface ForecastServing {
  serve?: Record<string, string>;
  baseline?: Record<string, string>;
}

/** What a forecaster version serves for a horizon: its model, or the baseline training chose instead. */
export function forecastServing(entry: ForecastServing | undefined, horizon: ForecastHorizon) {
  return {
    model: entry?.serve?.[horizon] === 'model',
    baseline: entry?.baseline?.[horizon] ?? DEFAULT_BASELINE[horizon],
  };
}

/**
 * Expected spending over the next 7 and 28 days. The trained model (models/manifest.json
 * `spending_forecast`) is served for a horizon only where training found it better than the
 * best baseline on validation (`serve`); elsewhere the named baseline is, and says so.
 */
@Injectable()
export class SpendingForecastModel {
  constructor(private readonly registry: ModelRegistry) {}

  async forecast(history: MoneyHistory): Promise<Record<ForecastHorizon, SpendingForecast>> {
    const predicted = await this.run(history);
    const entry = this.registry.entry('spending_forecast') as ForecastServing | undefined;
    const confidence = forecastConfidence(
      Array.from({ length: 8 }, (_, w) => windowSum(history.spending, 7 * w, 7 * w + 7)),
    );
    const out = {} as Record<ForecastHorizon, SpendingForecast>;
    FORECAST_HORIZONS.forEach((horizon, i) => {
      const serving = forecastServing(entry, horizon);
      const baselineName = serving.baseline;
      const useModel = predicted !== undefined && serving.model;
      const source: JudgedDecisionSource = useModel ? 'model' : predicted !== undefined ? 'baseline' : 'fallback';
      const value = useModel ? predicted![i] : (forecastBaselines(history, horizon)[baselineName] ?? 0);
      const total = round2(Math.max(0, value));
      out[horizon] = {
        horizonDays: horizon,
        total,
        byCategory: splitByCategory(total, history),
        confidence,
        source,
        method: useModel ? 'linear_model' : baselineName,
        version: useModel ? this.registry.status('spending_forecast').version : null,
      };
    });
    return out;
  }

  private async run(history: MoneyHistory): Promise<number[] | undefined> {
    const model = this.registry.forCall('spending_forecast');
    const names = model?.entry.feature_names;
    if (!model || !names || names.join() !== FORECAST_FEATURE_NAMES.join()) return undefined;
    const rows = FORECAST_HORIZONS.map((h) => {
      const f = forecastFeatures(history, h);
      return FORECAST_FEATURE_NAMES.map((n) => f[n]);
    });
    const out = await this.registry.run('spending_forecast', {
      [model.inputNames[0]]: floatTensor(rows.flat(), [1, FORECAST_HORIZONS.length, names.length]),
    });
    if (!out) return undefined;
    const values = toNumbers(out[Object.keys(model.entry.outputs)[0] ?? model.outputNames[0]]);
    return values.length === FORECAST_HORIZONS.length && values.every(Number.isFinite) ? values : undefined;
  }
}

/**
 * How predictable this user's weeks are: 1 − CV/2 of their recent weekly totals,
 * clamped to [0.3, 0.95] (steady spenders get confident forecasts, erratic ones do not).
 */
export function forecastConfidence(weeklyTotals: number[]): number {
  const mean = weeklyTotals.reduce((a, b) => a + b, 0) / Math.max(weeklyTotals.length, 1);
  if (mean <= 0) return 0.3;
  const sd = Math.sqrt(weeklyTotals.reduce((a, t) => a + (t - mean) ** 2, 0) / Math.max(weeklyTotals.length, 1));
  return Math.round(Math.min(0.95, Math.max(0.3, 1 - sd / mean / 2)) * 100) / 100;
}
