import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';

import { MIN_PEERS, quartile } from '../common/peer-privacy';
import { round2, round4 } from '../common/rounding';
import { APP_CONFIG, type AppConfig } from '../infra/config/app-config';
import { SEGMENT_FEATURE_NAMES } from '../ml/features/segment-features';
import { ModelRegistry } from '../ml/model-registry';
import { SegmentationModel } from '../ml/models/segmentation.model';
import { UserStateService, type UserState } from '../ml/user-state.service';

import { SegmentsRepository, type StoredSegment } from './segments.repository';

const NO_PEERS = `No peer data available for comparison (peers are shown only as aggregates of at least ${MIN_PEERS} users)`;
// A stored segment older than this is recomputed on read.
const SEGMENT_MAX_AGE_MS = 24 * 3600 * 1000;
// Behaviour features shown as a segment's/user's characteristics.
const CHARACTERISTIC_FEATURES = [
  'current_balance',
  'total_spending',
  'total_income',
  'savings_rate',
  'spending_volatility',
  'impulse_buying_score',
  'category_diversity',
  'emergency_fund_ratio',
  'financial_stress_indicator',
  ...SEGMENT_FEATURE_NAMES,
];

export interface SegmentInfo {
  segment_id: number;
  segment_name: string;
  /** One line derived from the segment's centroid: what its members have in common. */
  segment_description: string | null;
  confidence: number;
  characteristics: Record<string, number>;
  peer_comparison: PeerStats | null;
  decision_source: 'model' | 'fallback';
  model_version: string | null;
  assigned_at: string;
}

export interface PeerStats {
  peer_count: number;
  peer_averages: { current_balance: number; savings_rate: number; spending_volatility: number };
  user_metrics: { current_balance: number; savings_rate: number; spending_volatility: number };
  percentiles: { balance_percentile: number; savings_percentile: number; volatility_percentile: number };
}

@Injectable()
export class SegmentsService {
  /** Recomputations a user's own requests may cause (the scheduled refresh is not counted). */
  private readonly recomputationsPerHour: number;

  constructor(
    private readonly repository: SegmentsRepository,
    private readonly states: UserStateService,
    private readonly model: SegmentationModel,
    private readonly registry: ModelRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.recomputationsPerHour = config.ml.segmentRefreshesPerHour;
  }

  /**
   * The stored segment when fresh and computed from the same data, else a new classification —
   * unless the user has used up their hourly recomputations: then the stored one stays (peer
   * percentiles only move when the user's stored features do, so this also paces probing).
   */
  async current(userId: string, state?: UserState): Promise<SegmentInfo> {
    const stored = await this.repository.find(userId);
    const version = state?.dataVersion ?? (await this.states.dataVersion({ id: userId }));
    const storedVersion = (stored?.features as { data_version?: string } | null)?.data_version;
    if (stored && storedVersion === version && Date.now() - stored.updatedAt.getTime() < SEGMENT_MAX_AGE_MS) {
      return this.toInfo(stored);
    }
    if (stored && (await this.takeRecomputation(userId)) > 0) return this.toInfo(stored);
    return this.refresh(userId, state);
  }

  /** POST /coaching/refresh-segment: a recomputation the user asked for, 429 beyond their hourly allowance. */
  async refreshOnDemand(userId: string): Promise<SegmentInfo> {
    const retryAfterSeconds = await this.takeRecomputation(userId);
    if (retryAfterSeconds > 0) {
      throw new HttpException(
        { message: `Segment refreshed too often: try again in ${retryAfterSeconds} s`, retryAfterSeconds },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    return this.refresh(userId);
  }

  /** One recomputation against the user's hourly allowance (kept on their segment row): 0, or the seconds to wait. */
  private takeRecomputation(userId: string): Promise<number> {
    return this.repository.takeRecomputation(userId, this.recomputationsPerHour, new Date());
  }

  /**
   * Classifies the user's state and stores the result (with the features it saw, for peer
   * statistics). The stored segment is the hysteresis memory: a user moves to another segment only
   * once it has been clearly nearer for three weeks (docs/ml/segmentation.md).
   */
  async refresh(userId: string, state?: UserState): Promise<SegmentInfo> {
    const s = state ?? (await this.states.load(userId));
    const stored = await this.repository.find(userId);
    const previous = stored
      ? {
          segmentId: stored.segmentId,
          pendingSegmentId: stored.pendingSegmentId,
          pendingSince: stored.pendingSince,
          version: stored.modelVersion,
          source: stored.source,
        }
      : null;
    const seen = { ...s.features, ...s.segmentFeatures };
    const assignment = await this.model.classify(seen, s.summary, previous, s.now);
    const row = await this.repository.save(userId, {
      segmentId: assignment.segmentId,
      segmentName: assignment.segmentName,
      segmentDescription: assignment.segmentDescription,
      confidence: assignment.confidence,
      distances: assignment.distances ?? { rule: assignment.rule },
      features: { ...roundAll(seen), data_version: s.dataVersion },
      source: assignment.source,
      modelVersion: assignment.version,
      pendingSegmentId: assignment.pendingSegmentId,
      pendingSince: assignment.pendingSince,
      // The time the user entered this segment: kept while the segment stays.
      assignedAt:
        stored && stored.segmentId === assignment.segmentId && stored.source === assignment.source
          ? stored.assignedAt
          : new Date(),
    });
    return this.toInfo(row);
  }

  /**
   * Averages and the user's percentiles among users of the same segment, in one SQL aggregate.
   * A percentile is the share of peers whose value lies in a lower bin than the user's, rounded down
   * to its quartile (src/common/peer-privacy.ts).
   */
  async peerStats(userId: string, segmentId: number): Promise<PeerStats | null> {
    const row = await this.repository.peerAggregates(userId, segmentId);
    if (!row || row.n < MIN_PEERS) return null;
    return {
      peer_count: row.n,
      peer_averages: {
        current_balance: round2(row.avgBalance ?? 0),
        savings_rate: round4(row.avgSavings ?? 0),
        spending_volatility: round2(row.avgVolatility ?? 0),
      },
      user_metrics: {
        current_balance: round2(row.myBalance ?? 0),
        savings_rate: round4(row.mySavings ?? 0),
        spending_volatility: round2(row.myVolatility ?? 0),
      },
      percentiles: {
        balance_percentile: quartile(row.balancePct),
        savings_percentile: quartile(row.savingsPct),
        volatility_percentile: quartile(row.volatilityPct),
      },
    };
  }

  /** The user's current segment with its peer aggregates (null below MIN_PEERS peers). */
  async withPeers(userId: string): Promise<{ segment: SegmentInfo; peers: PeerStats | null }> {
    const segment = await this.current(userId);
    return { segment, peers: await this.peerStats(userId, segment.segment_id) };
  }

  /** Users the nightly refresh should re-segment (recent activity, segment missing or stale). */
  dueForRefresh(limit: number): Promise<string[]> {
    return this.repository.dueForRefresh(limit);
  }

  /** GET /coaching/user-segment: the segment, its peer aggregates inside. */
  async userSegment(userId: string): Promise<SegmentInfo> {
    const { segment, peers } = await this.withPeers(userId);
    return { ...segment, peer_comparison: peers };
  }

  /** GET /coaching/segment-insights: the segment, its trained profile and the peer aggregates. */
  async segmentInsights(userId: string) {
    const { segment, peers } = await this.withPeers(userId);
    return {
      segment_info: { ...segment, peer_comparison: peers },
      characteristics: this.segmentProfile(segment.segment_id) ?? {
        name: segment.segment_name,
        characteristics: segment.characteristics,
      },
      peer_comparison: peers,
      generated_at: new Date().toISOString(),
    };
  }

  /** GET /coaching/segment-comparison: the user against the segment's aggregates and percentiles. */
  async segmentComparison(userId: string) {
    const { segment, peers } = await this.withPeers(userId);
    if (!peers) return { message: NO_PEERS, segment_info: segment, peer_count: 0, peers: [] };
    // Individual peers are never listed (their balances are private): aggregates and percentiles only.
    return {
      segment_info: segment,
      peer_count: peers.peer_count,
      peer_averages: peers.peer_averages,
      user_metrics: peers.user_metrics,
      percentiles: peers.percentiles,
      peers: [],
    };
  }

  /** The trained profile of a segment from the manifest (feature means of its members), if any. */
  segmentProfile(segmentId: number): Record<string, unknown> | null {
    const profiles = this.registry.entry('segmentation')?.profiles as Record<string, unknown> | unknown[] | undefined;
    const profile = Array.isArray(profiles) ? profiles[segmentId] : profiles?.[String(segmentId)];
    return (profile as Record<string, unknown> | undefined) ?? null;
  }

  private toInfo(row: StoredSegment): SegmentInfo {
    const features = (row.features ?? {}) as Record<string, number>;
    const characteristics: Record<string, number> = {};
    for (const name of CHARACTERISTIC_FEATURES)
      if (typeof features[name] === 'number') characteristics[name] = features[name];
    return {
      segment_id: row.segmentId,
      segment_name: row.segmentName,
      segment_description: row.segmentDescription,
      confidence: row.confidence,
      characteristics,
      peer_comparison: null,
      decision_source: row.source === 'model' ? 'model' : 'fallback',
      model_version: row.modelVersion,
      assigned_at: row.assignedAt.toISOString(),
    };
  }
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, round4(v)]));
}
