import { Injectable } from '@nestjs/common';

import { round4 } from '../../common/rounding';
import { SEGMENT_NAMES, type DecisionSource, type FinancialSummary } from '../coaching-domain';
import { segmentRule } from '../fallback-rules';
import { ModelRegistry } from '../model-registry';
import { nextSegment, type SegmentMemory } from '../segment-hysteresis';
import { labelSegments, type RobustScaler, type SegmentLabel } from '../segment-labels';

import { floatTensor, softmax, toNumbers, vectorByName } from './tensor-utils';

export interface SegmentAssignment {
  segmentId: number;
  segmentName: string;
  /** One line derived from the segment's centroid (model), or the rule that fired (fallback). */
  segmentDescription: string;
  /** Soft-assignment probability of the served cluster (softmax of −distance²/2), or 0.6 for the rule. */
  confidence: number;
  distances: number[] | null;
  /** Hysteresis state to store with the segment (null for the rule fallback). */
  pendingSegmentId: number | null;
  pendingSince: Date | null;
  source: DecisionSource;
  version: string | null;
  rule: string | null;
}

/** The stored segment a refresh starts from; its memory only counts for the same model version. */
export interface PreviousSegment extends SegmentMemory {
  version: string | null;
  source: string;
}

/** k-means segmentation: segmentation features in, distances to the centroids out, hysteresis on top. */
@Injectable()
export class SegmentationModel {
  private labels: { version: string | null; labels: SegmentLabel[] } | null = null;

  constructor(private readonly registry: ModelRegistry) {}

  /** Names and descriptions of the served model's segments, derived from its centroids. */
  segmentLabels(): SegmentLabel[] {
    const version = this.registry.status('segmentation').version;
    if (this.labels?.version !== version) {
      const entry = this.registry.entry('segmentation');
      const centroids = entry?.centroids as number[][] | undefined;
      const scaler = entry?.robust_scaler as RobustScaler | undefined;
      this.labels = { version, labels: centroids && scaler ? labelSegments(centroids, scaler) : [] };
    }
    return this.labels.labels;
  }

  /**
   * Classifies a user's state. With the stored previous segment of the same model version the
   * served segment follows the hysteresis rule; `now` is the state's time.
   */
  async classify(
    features: Record<string, number>,
    summary: FinancialSummary,
    previous: PreviousSegment | null = null,
    now = new Date(),
  ): Promise<SegmentAssignment> {
    const distances = await this.distances(features);
    const labels = this.segmentLabels();
    if (distances && labels.length === distances.length) {
      const version = this.registry.status('segmentation').version;
      const memory = previous && previous.source === 'model' && previous.version === version ? previous : null;
      const next = nextSegment(distances, memory, now);
      const probabilities = softmax(distances.map((d) => -(d * d) / 2));
      return {
        segmentId: next.segmentId,
        segmentName: labels[next.segmentId].name,
        segmentDescription: labels[next.segmentId].description,
        confidence: round4(probabilities[next.segmentId]),
        distances: distances.map(round4),
        pendingSegmentId: next.pendingSegmentId,
        pendingSince: next.pendingSince,
        source: 'model',
        version,
        rule: null,
      };
    }
    const rule = segmentRule(summary);
    return {
      segmentId: rule.segmentId,
      segmentName: SEGMENT_NAMES[rule.segmentId],
      segmentDescription: `Assigned by rule: ${rule.rule}.`,
      confidence: rule.confidence,
      distances: null,
      pendingSegmentId: null,
      pendingSince: null,
      source: 'fallback',
      version: null,
      rule: rule.rule,
    };
  }

  private async distances(features: Record<string, number>): Promise<number[] | undefined> {
    const model = this.registry.forCall('segmentation');
    if (!model) return undefined;
    const names = model.entry.feature_names ?? this.registry.manifestInfo().feature_names;
    const vector = vectorByName(names, features);
    if (!vector) return undefined;
    const out = await this.registry.run('segmentation', {
      [model.inputNames[0]]: floatTensor(vector, [1, vector.length]),
    });
    if (!out) return undefined;
    const values = out.distances ? toNumbers(out.distances) : [];
    return values.length > 0 && values.every(Number.isFinite) ? values : undefined;
  }
}
