import { Injectable } from '@nestjs/common';

import { ACTIONS, type ActionId, type DecisionSource, type FinancialSummary } from '../coaching-domain';
import { basicPolicyRule, round4, segmentPolicyRule, type RuleDecision } from '../fallback-rules';
import { servedPolicySchema, type ServedPolicy } from '../model-manifest';
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

/** Confidence shown for a constant action served as the baseline: the rule fallbacks' lowest documented confidence. */
const CONSTANT_POLICY_CONFIDENCE = 0.6;

/**
 * The coaching policy. Training values CQL against the rule and every constant action
 * in the simulator and records in the manifest which one to serve (`served_policy`):
 * the CQL network (35 raw features in, scaling inside the graph, 5 Q-values out) only
 * when it beat them all; otherwise the chosen baseline answers, with decision_source
 * "baseline".
 */
@Injectable()
export class PolicyModel {
  constructor(private readonly registry: ModelRegistry) {}

  /** What the manifest says to serve; the model when it says nothing (older manifests). */
  servedPolicy(): ServedPolicy {
    const parsed = servedPolicySchema.safeParse(this.registry.entry('policy')?.served_policy);
    return parsed.success ? parsed.data : { name: 'cql', kind: 'model', reason: 'manifest names no served policy' };
  }

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

  /** The served policy's action: the model's greedy action, the chosen baseline, or the basic rule when the model cannot answer. */
  async decide(features: Record<string, number>, summary: FinancialSummary): Promise<PolicyDecision> {
    const baseline = this.baseline(summary);
    if (baseline) return baseline;
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
    const baseline = this.baseline(summary);
    if (baseline) return baseline;
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

  /** The baseline training chose to serve instead of the model, if it chose one. */
  private baseline(summary: FinancialSummary): PolicyDecision | undefined {
    const served = this.servedPolicy();
    if (served.kind === 'rule') return this.fromRule(basicPolicyRule(summary), 'baseline');
    if (served.kind === 'constant' && served.action !== undefined) {
      const actionId = served.action as ActionId;
      return this.fromRule(
        { actionId, confidence: CONSTANT_POLICY_CONFIDENCE, rule: `always ${ACTIONS[actionId].type}` },
        'baseline',
      );
    }
    return undefined;
  }

  private fromRule(rule: RuleDecision, source: DecisionSource = 'fallback'): PolicyDecision {
    return {
      actionId: rule.actionId,
      confidence: rule.confidence,
      actionProbabilities: null,
      qValues: null,
      source,
      version: null,
      rule: rule.rule,
    };
  }
}
