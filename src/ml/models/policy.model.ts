import { Injectable } from '@nestjs/common';

import { round4 } from '../../common/rounding';
import { ACTIONS, type ActionId, type DecisionSource, type FinancialSummary } from '../coaching-domain';
import { basicPolicyRule, segmentPolicyRule, type RuleDecision } from '../fallback-rules';
import { servedPolicySchema, type ServedPolicy } from '../model-manifest';
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

  /** Changes whenever what answers changes: the served choice or the policy model's version. */
  servingIdentity(): string {
    return `${this.servedPolicy().name}:${this.registry.status('policy').version ?? 'none'}`;
  }

  async qValues(features: Record<string, number>): Promise<number[] | undefined> {
    const model = this.registry.forCall('policy');
    if (!model) return undefined;
    const names = model.entry.feature_names ?? this.registry.manifestInfo().feature_names;
    const vector = vectorByName(names, features);
    if (!vector) return undefined;
    const out = await this.registry.run('policy', { [model.inputNames[0]]: floatTensor(vector, [1, vector.length]) });
    if (!out) return undefined;
    const q = toNumbers(out[Object.keys(model.entry.outputs)[0] ?? model.outputNames[0]]);
    return q.length === 5 && q.every(Number.isFinite) ? q : undefined;
  }

  /** The served policy's eligible action: the model's greedy action, the chosen baseline, or the basic rule when the model cannot answer. */
  async decide(
    features: Record<string, number>,
    summary: FinancialSummary,
    eligible: ActionEligibility = ANY_ACTION,
  ): Promise<PolicyDecision> {
    return this.decideOr(features, summary, eligible, () => basicPolicyRule(summary));
  }

  /** Like decide(), but the fallback is the segment-aware rule (enhanced recommendation). */
  async decideForSegment(
    features: Record<string, number>,
    summary: FinancialSummary,
    segmentName: string,
    eligible: ActionEligibility = ANY_ACTION,
  ): Promise<PolicyDecision> {
    return this.decideOr(features, summary, eligible, () => segmentPolicyRule(segmentName, summary));
  }

  /** The chosen baseline, else the model's greedy action, else `rule` when the model cannot answer. */
  private async decideOr(
    features: Record<string, number>,
    summary: FinancialSummary,
    eligible: ActionEligibility,
    rule: () => RuleDecision,
  ): Promise<PolicyDecision> {
    const baseline = this.baseline(summary, eligible);
    if (baseline) return baseline;
    const q = await this.qValues(features);
    if (q) return this.fromQ(q, eligible);
    return this.fromRule(rule(), eligible);
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

  /** The baseline training chose to serve instead of the model, if it chose one. */
  private baseline(summary: FinancialSummary, eligible: ActionEligibility): PolicyDecision | undefined {
    const served = this.servedPolicy();
    if (served.kind === 'rule') return this.fromRule(basicPolicyRule(summary), eligible, 'baseline');
    if (served.kind === 'constant' && served.action !== undefined) {
      const actionId = served.action as ActionId;
      return this.fromRule(
        { actionId, confidence: CONSTANT_POLICY_CONFIDENCE, rule: `always ${ACTIONS[actionId].type}` },
        eligible,
        'baseline',
      );
    }
    return undefined;
  }

  /** The rule's action, or a budget suggestion where the rule's choice may not be served (praise withheld). */
  private fromRule(
    rule: RuleDecision,
    eligible: ActionEligibility,
    source: DecisionSource = 'fallback',
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
      source,
      version: null,
      rule: served.rule,
    };
  }
}
