import { Injectable } from '@nestjs/common';

import { round4 } from '../../common/rounding';
import type { ActionId, DecisionSource, FinancialSummary } from '../coaching-domain';
import { basicPolicyRule, segmentPolicyRule } from '../fallback-rules';
import { ModelRegistry } from '../model-registry';

import { argmax, floatTensor, softmax, toNumbers, vectorByName } from './tensor-utils';

/** Which actions a response may serve in this state (e.g. no praise beside a negative savings rate). */
export type ActionEligibility = (actionId: ActionId) => boolean;
const ANY_ACTION: ActionEligibility = () => true;

export interface PolicyDecision {
  actionId: ActionId;
  /** The rule's hand-set weight, or softmax(Q / T) of the chosen action: a preference, not a probability. */
  confidence: number;
  /** softmax(Q / T) over the eligible actions (0 for the others) when the model answered: the bandit's tilt. */
  actionProbabilities: number[] | null;
  qValues: number[] | null;
  /**
   * Q of the chosen action minus the best other eligible action's Q (in the policy's reward units):
   * how clearly the model prefers its choice. Null for rule answers.
   */
  qValueMargin: number | null;
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

  /** Greedy eligible action of the policy, or the basic rule when the model cannot answer. */
  async decide(
    features: Record<string, number>,
    summary: FinancialSummary,
    eligible: ActionEligibility = ANY_ACTION,
  ): Promise<PolicyDecision> {
    const q = await this.qValues(features);
    if (q) return this.fromQ(q, eligible);
    return this.fromRule(basicPolicyRule(summary), eligible);
  }

  /** Like decide(), but the fallback is the segment-aware rule (enhanced recommendation). */
  async decideForSegment(
    features: Record<string, number>,
    summary: FinancialSummary,
    segmentId: number,
    eligible: ActionEligibility = ANY_ACTION,
  ): Promise<PolicyDecision> {
    const q = await this.qValues(features);
    if (q) return this.fromQ(q, eligible);
    return this.fromRule(segmentPolicyRule(segmentId, summary), eligible);
  }

  /**
   * The best eligible action by Q. softmax(Q / T) over the eligible actions, T = the typical gap
   * between the best and second-best Q on training states (manifest), tilts the bandit; it is a
   * preference, not the probability of anything, so responses report qValueMargin instead.
   */
  private fromQ(q: number[], eligible: ActionEligibility): PolicyDecision {
    const t = Number(this.registry.entry('policy')?.confidence_temperature);
    const allowed = q.map((_, a) => eligible(a as ActionId));
    const masked = q.map((v, a) => (allowed[a] ? v : -Infinity));
    const probabilities = softmax(masked, Number.isFinite(t) && t > 0 ? t : 1);
    const actionId = argmax(masked) as ActionId;
    const runnerUp = Math.max(...masked.filter((_, a) => a !== actionId));
    return {
      actionId,
      confidence: round4(probabilities[actionId]),
      actionProbabilities: probabilities.map(round4),
      qValues: q.map(round4),
      qValueMargin: Number.isFinite(runnerUp) ? round4(q[actionId] - runnerUp) : null,
      source: 'model',
      version: this.registry.status('policy').version,
      rule: null,
    };
  }

  /** The rule's action, or a budget suggestion where the rule's choice may not be served (praise withheld). */
  private fromRule(
    rule: { actionId: ActionId; confidence: number; rule: string },
    eligible: ActionEligibility,
  ): PolicyDecision {
    const served = eligible(rule.actionId)
      ? rule
      : { ...rule, actionId: 2 as ActionId, rule: `${rule.rule}; praise withheld` };
    return {
      actionId: served.actionId,
      confidence: served.confidence,
      actionProbabilities: null,
      qValues: null,
      qValueMargin: null,
      source: 'fallback',
      version: null,
      rule: served.rule,
    };
  }
}
