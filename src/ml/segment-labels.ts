import { SEGMENT_FEATURE_NAMES, type SegmentFeatureName } from './features/segment-features';

/** A segment's name and one-line description, derived from its centroid. */
export interface SegmentLabel {
  name: string;
  description: string;
}

/** The population's robust scaling: a centroid coordinate z means median + z·IQR in raw units. */
export interface RobustScaler {
  median: number[];
  iqr: number[];
}

// What a centroid far above (high) or below (low) the population median on one feature is called.
export const SEGMENT_NOUNS: Record<SegmentFeatureName, { high: string; low: string }> = {
  seg_savings_rate: { high: 'Steady Savers', low: 'Overspenders' },
  seg_buffer_months: { high: 'Well Cushioned', low: 'Living Close to Zero' },
  seg_discretionary_share: { high: 'Lifestyle Spenders', low: 'Essentials First' },
  seg_bills_share: { high: 'Bill-Heavy Budgets', low: 'Low Fixed Costs' },
  seg_spending_variability: { high: 'Irregular Spenders', low: 'Even Spenders' },
};
/** A centroid within this many IQRs of the median on every free feature is not distinctive. */
export const DISTINCTIVE_Z = 0.25;
export const TYPICAL_SEGMENT = 'Middle of the Road';

const percent = (x: number) => `${Math.round(x * 100)}%`;

/** One feature's value in its natural unit, short. */
function amount(feature: SegmentFeatureName, value: number): string {
  if (feature === 'seg_buffer_months') return `${value.toFixed(1)} months`;
  if (feature === 'seg_savings_rate') return value >= 0 ? `keeps ${percent(value)}` : `spends ${percent(-value)} more`;
  return percent(value);
}

/** One feature's value in words. */
function phrase(feature: SegmentFeatureName, value: number): string {
  switch (feature) {
    case 'seg_savings_rate':
      return value >= 0 ? `keeps ${percent(value)} of income` : `spends ${percent(-value)} more than income`;
    case 'seg_buffer_months':
      return `balance covers ${amount(feature, value)} of spending`;
    case 'seg_discretionary_share':
      return `${percent(value)} of spending on dining out, entertainment and shopping`;
    case 'seg_bills_share':
      return `${percent(value)} of spending on bills`;
    case 'seg_spending_variability':
      return `weekly spending varies by ${percent(value)} around its mean`;
  }
}

/**
 * The naming rule (docs/ml/segmentation.md). Each centroid coordinate is in robust units (IQRs
 * from the population median). Candidates (segment, feature, side) are taken in order of
 * decreasing |z|; a segment takes the first whose noun no other segment has taken, so names are
 * unique and each says what most sets its segment apart. A segment whose best free candidate is
 * within DISTINCTIVE_Z of the median is "Middle of the Road". The description gives the feature
 * the name is about and the segment's most distinctive other feature, in natural units, against
 * the median user.
 */
export function labelSegments(centroids: number[][], scaler: RobustScaler): SegmentLabel[] {
  const candidates = centroids.flatMap((z, segment) =>
    SEGMENT_FEATURE_NAMES.map((feature, f) => ({ segment, feature, z: z[f] })),
  );
  candidates.sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || a.segment - b.segment);
  const chosen = new Array<{ name: string; feature: number } | undefined>(centroids.length);
  const taken = new Set<string>();
  for (const c of candidates) {
    if (chosen[c.segment] !== undefined) continue;
    const noun = c.z >= 0 ? SEGMENT_NOUNS[c.feature].high : SEGMENT_NOUNS[c.feature].low;
    if (taken.has(noun)) continue;
    const name = Math.abs(c.z) < DISTINCTIVE_Z ? TYPICAL_SEGMENT : noun;
    if (taken.has(name)) continue;
    chosen[c.segment] = { name, feature: SEGMENT_FEATURE_NAMES.indexOf(c.feature) };
    taken.add(name);
  }
  return centroids.map((z, segment) => {
    const named = chosen[segment]?.feature ?? -1;
    // The feature the name is about first, then the most distinctive other one.
    const others = SEGMENT_FEATURE_NAMES.map((_, f) => f)
      .filter((f) => f !== named)
      .sort((a, b) => Math.abs(z[b]) - Math.abs(z[a]));
    const shown = named >= 0 ? [named, others[0]] : others.slice(0, 2);
    const parts = shown.map((f) => {
      const feature = SEGMENT_FEATURE_NAMES[f];
      const raw = scaler.median[f] + z[f] * scaler.iqr[f];
      return `${phrase(feature, raw)} (median user: ${amount(feature, scaler.median[f])})`;
    });
    const description = parts.join('; ');
    return {
      name: chosen[segment]?.name ?? `${TYPICAL_SEGMENT} ${segment + 1}`,
      description: description.charAt(0).toUpperCase() + description.slice(1) + '.',
    };
  });
}
