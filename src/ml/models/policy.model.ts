import { Injectable } from '@nestjs/common';

import { round4 } from '../../common/rounding';
import type { ActionId, DecisionSource, FinancialSummary } from '../coaching-domain';
import { basicPolicyRule, segmentPolicyRule } from '../fallback-rules';
import { ModelRegistry } from '../model-registry';

import { argmax, floatTensor, softmax, toNumbers, vectorByName } from './tensor-utils';

export interface PolicyDecision {
  actionId: ActionId;
  /** Probability of the chosen action under the policy (softmax of Q), or the rule's confidence. */
  confidence: number;
  /** softmax(Q) over the 5 actions when the model answered. */
  actionProbabilities: number[] | null;
  qValues: number[] | null;
  source: DecisionSource;
  version: string | null;
  rule: string | null;
}

/** The CQL coaching policy: 35 raw features in (scaling is inside the graph), 5 Q-values out. */
@Injectable()
export class PolicyModel {
  constructor(private readonly registry: ModelRegistry) {}

  async qValues(features: Record<string, number>): Promise<number[] | undefined> {
    const model = this.registry.get('policy');
    if (!model) return undefined;
    const names = model.entry.feature_names ?? this.registry.manifestInfo().feature_names;
    const vector = vectorByName(names, features);
    if (!vector) return undefined;
    const out = await this.registry.run('policy', { [model.inputNames[0]]: floatTensor(vector, [1, vector.length]) });
    if (!out) return undefined;
    const q = toNumbers(out[Object.keys(model.entry.outputs)[0] ?? model.outputNames[0]]);
    return q.length === 5 && q.every(Number.isFinite) ? q : undefined;
  }

  /** Greedy action of the policy, or the basic rule when the model cannot answer. */
  async decide(features: Record<string, number>, summary: FinancialSummary): Promise<PolicyDecision> {
    const q = await this.qValues(features);
    if (q) return this.fromQ(q);
    const rule = basicPolicyRule(summary);
    return this.fromRule(rule);
  }

  /** Like decide(), but the fallback is the segment-aware rule (enhanced recommendation). */
  async decideForSegment(
    features: Record<string, number>,
    summary: FinancialSummary,
    segmentId: number,
  ): Promise<PolicyDecision> {
    const q = await this.qValues(features);
    if (q) return this.fromQ(q);
    return this.fromRule(segmentPolicyRule(segmentId, summary));
  }

  /**
   * Confidence = softmax(Q / T) of the chosen action, T = the typical gap between the
   * best and second-best Q on training states (manifest), so an ordinary decision is
   * neither ~1/5 nor ~1; max-Q itself is not a probability (the reference system's bug).
   */
  private fromQ(q: number[]): PolicyDecision {
    const t = Number(this.registry.entry('policy')?.confidence_temperature);
    const probabilities = softmax(q, Number.isFinite(t) && t > 0 ? t : 1);
    const actionId = argmax(q) as ActionId;
    return {
      actionId,
      confidence: round4(probabilities[actionId]),
      actionProbabilities: probabilities.map(round4),
      qValues: q.map(round4),
      source: 'model',
      version: this.registry.status('policy').version,
      rule: null,
    };
  }

  private fromRule(rule: { actionId: ActionId; confidence: number; rule: string }): PolicyDecision {
    return {
      actionId: rule.actionId,
      confidence: rule.confidence,
      actionProbabilities: null,
      qValues: null,
      source: 'fallback',
      version: null,
      rule: rule.rule,
    };
  }
}
