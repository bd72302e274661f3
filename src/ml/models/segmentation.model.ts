import { Injectable } from '@nestjs/common';

import { round4 } from '../../common/rounding';
import { SEGMENT_NAMES, type DecisionSource, type FinancialSummary } from '../coaching-domain';
import { segmentRule } from '../fallback-rules';
import { ModelRegistry } from '../model-registry';

import { argmax, floatTensor, softmax, toNumbers, vectorByName } from './tensor-utils';

export interface SegmentAssignment {
  segmentId: number;
  segmentName: string;
  /** Soft-assignment probability of the nearest cluster (softmax of −distance²/2), or 0.6 for the rule. */
  confidence: number;
  distances: number[] | null;
  source: DecisionSource;
  version: string | null;
  rule: string | null;
}

/** k-means segmentation (k = 5): features in, distances to the 5 centroids out. */
@Injectable()
export class SegmentationModel {
  constructor(private readonly registry: ModelRegistry) {}

  segmentName(id: number): string {
    const names = this.registry.entry('segmentation')?.segment_names as Record<string, string> | string[] | undefined;
    const fromManifest = Array.isArray(names) ? names[id] : names?.[String(id)];
    return fromManifest ?? SEGMENT_NAMES[id] ?? 'Unknown';
  }

  async classify(features: Record<string, number>, summary: FinancialSummary): Promise<SegmentAssignment> {
    const distances = await this.distances(features);
    if (distances) {
      const squared = distances.map((d) => -(d * d) / 2);
      const probabilities = softmax(squared);
      const segmentId = argmax(squared);
      return {
        segmentId,
        segmentName: this.segmentName(segmentId),
        confidence: round4(probabilities[segmentId]),
        distances: distances.map(round4),
        source: 'model',
        version: this.registry.status('segmentation').version,
        rule: null,
      };
    }
    const rule = segmentRule(summary);
    return {
      segmentId: rule.segmentId,
      segmentName: SEGMENT_NAMES[rule.segmentId],
      confidence: rule.confidence,
      distances: null,
      source: 'fallback',
      version: null,
      rule: rule.rule,
    };
  }

  private async distances(features: Record<string, number>): Promise<number[] | undefined> {
    const model = this.registry.get('segmentation');
    if (!model) return undefined;
    const names = model.entry.feature_names ?? this.registry.manifestInfo().feature_names;
    const vector = vectorByName(names, features);
    if (!vector) return undefined;
    const out = await this.registry.run('segmentation', {
      [model.inputNames[0]]: floatTensor(vector, [1, vector.length]),
    });
    if (!out) return undefined;
    // The distances output is the float [1, 5] one; an integer segment output, if any, is redundant.
    for (const name of model.outputNames) {
      const values = toNumbers(out[name]);
      if (values.length === 5 && out[name].type === 'float32')
        return values.every(Number.isFinite) ? values : undefined;
    }
    return undefined;
  }
}
