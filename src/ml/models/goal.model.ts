import { Injectable } from '@nestjs/common';

import { round4 } from '../../common/rounding';
import type { DecisionSource, FinancialSummary } from '../coaching-domain';
import { goalRiskFactors, goalRule } from '../fallback-rules';
import { ModelRegistry } from '../model-registry';

import { floatTensor, toNumbers, vectorByName } from './tensor-utils';

export interface GoalPrediction {
  probability: number;
  riskFactors: string[];
  source: DecisionSource;
  version: string | null;
}

/**
 * Goal-achievement classifier: named inputs (savings rate, income, target,
 * horizon, … as listed in the manifest) in, a calibrated probability out.
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
    const model = this.registry.get('goal');
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
