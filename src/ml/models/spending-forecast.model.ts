import { Injectable } from '@nestjs/common';

import { CATEGORIES } from '../../common/categories';
import { round2 } from '../../common/rounding';
import type { DecisionSource, FinancialSummary } from '../coaching-domain';
import { spendingForecastRule } from '../fallback-rules';
import { ModelRegistry } from '../model-registry';

import { floatTensor, toNumbers } from './tensor-utils';

export interface SpendingForecast {
  total: number;
  byCategory: Record<string, number>;
  confidence: number;
  source: DecisionSource;
  version: string | null;
  windowWeeks: number | null;
}

const DEFAULT_WINDOW_WEEKS = 8;

/** LSTM forecaster: the last N weeks of per-category spend in, next week's per-category spend out. */
@Injectable()
export class SpendingForecastModel {
  constructor(private readonly registry: ModelRegistry) {}

  /** How many past weeks the model reads (from the manifest). */
  get windowWeeks(): number {
    const w = this.registry.entry('spending_forecast')?.window_weeks;
    return typeof w === 'number' && w > 0 ? w : DEFAULT_WINDOW_WEEKS;
  }

  /** `weeks` is oldest-first, each row the 11 category totals of one week. */
  async forecast(weeks: number[][], summary: FinancialSummary): Promise<SpendingForecast> {
    const predicted = await this.run(weeks);
    if (predicted) {
      const byCategory: Record<string, number> = {};
      CATEGORIES.forEach((c, i) => (byCategory[c] = round2(Math.max(0, predicted[i]))));
      // Income and savings transfers are not "spending": the total covers consumption categories.
      const total = round2(
        CATEGORIES.filter((c) => c !== 'income' && c !== 'savings').reduce((sum, c) => sum + byCategory[c], 0),
      );
      return {
        total,
        byCategory,
        confidence: forecastConfidence(weeks),
        source: 'model',
        version: this.registry.status('spending_forecast').version,
        windowWeeks: this.windowWeeks,
      };
    }
    const rule = spendingForecastRule(summary);
    return { ...rule, source: 'fallback', version: null, windowWeeks: null };
  }

  private async run(weeks: number[][]): Promise<number[] | undefined> {
    const model = this.registry.get('spending_forecast');
    if (!model || weeks.length !== this.windowWeeks || weeks.some((w) => w.length !== CATEGORIES.length))
      return undefined;
    const out = await this.registry.run('spending_forecast', {
      [model.inputNames[0]]: floatTensor(weeks.flat(), [1, weeks.length, CATEGORIES.length]),
    });
    if (!out) return undefined;
    const values = toNumbers(out[Object.keys(model.entry.outputs)[0] ?? model.outputNames[0]]);
    return values.length === CATEGORIES.length && values.every(Number.isFinite) ? values : undefined;
  }
}

/**
 * How predictable this user's weeks are: 1 − CV/2 of their recent weekly totals,
 * clamped to [0.3, 0.95] (steady spenders get confident forecasts, erratic ones do not).
 */
export function forecastConfidence(weeks: number[][]): number {
  const totals = weeks.map((w) => w.reduce((a, b) => a + b, 0));
  const mean = totals.reduce((a, b) => a + b, 0) / Math.max(totals.length, 1);
  if (mean <= 0) return 0.3;
  const sd = Math.sqrt(totals.reduce((a, t) => a + (t - mean) ** 2, 0) / Math.max(totals.length, 1));
  return Math.round(Math.min(0.95, Math.max(0.3, 1 - sd / mean / 2)) * 100) / 100;
}
