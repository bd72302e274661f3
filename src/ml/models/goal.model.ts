import { Injectable } from '@nestjs/common';

import { round4 } from '../../common/rounding';
import type { FinancialSummary, JudgedDecisionSource } from '../coaching-domain';
import { goalRiskFactors, goalRule } from '../fallback-rules';
import { ModelRegistry } from '../model-registry';

import { floatTensor, toNumbers, vectorByName } from './tensor-utils';

export interface GoalPrediction {
  probability: number;
  riskFactors: string[];
  source: JudgedDecisionSource;
  version: string | null;
}

/** The constant a goal-model version serves instead of its model (training found it no better), if any. */
export function goalServedBaseRate(entry: Record<string, unknown> | undefined): number | undefined {
  return entry?.serve === 'baseline' && typeof entry.base_rate === 'number' ? entry.base_rate : undefined;
}

/**
 * Goal-achievement model: named inputs (goal-history-features.ts, as listed in the manifest)
 * in, a probability out. Served only where training found it better than the constant base
 * rate (manifest `serve`); otherwise the base rate of real training episodes is served
 * (source "baseline"). Without a loadable model, the documented rule answers ("fallback").
 */
@Injectable()
export class GoalModel {
  constructor(private readonly registry: ModelRegistry) {}

  async predict(
    inputs: Record<string, number>,
    summary: FinancialSummary,
    goalAmount: number,
    timelineDays: number,
  ): Promise<GoalPrediction> {
    const probability = await this.run(inputs);
    const baseRate = goalServedBaseRate(this.registry.entry('goal'));
    if (probability !== undefined && baseRate !== undefined) {
      return {
        probability: round4(baseRate),
        riskFactors: goalRiskFactors(summary, goalAmount, timelineDays),
        source: 'baseline',
        version: this.registry.status('goal').version,
      };
    }
    if (probability !== undefined) {
      return {
        probability: round4(probability),
        riskFactors: goalRiskFactors(summary, goalAmount, timelineDays),
        source: 'model',
        version: this.registry.status('goal').version,
      };
    }
    const rule = goalRule(summary, goalAmount, timelineDays);
    return { ...rule, source: 'fallback', version: null };
  }

  private async run(inputs: Record<string, number>): Promise<number | undefined> {
    const model = this.registry.forCall('goal');
    const names = model?.entry.feature_names;
    if (!model || !names) return undefined;
    const vector = vectorByName(names, inputs);
    if (!vector) return undefined;
    const out = await this.registry.run('goal', { [model.inputNames[0]]: floatTensor(vector, [1, vector.length]) });
    if (!out) return undefined;
    const values = toNumbers(out[Object.keys(model.entry.outputs)[0] ?? model.outputNames[0]]);
    // [p] / [[p]] or [[1-p, p]]: the positive class is the last value.
    const p = values[values.length - 1];
    return Number.isFinite(p) && p >= 0 && p <= 1 ? p : undefined;
  }
}
