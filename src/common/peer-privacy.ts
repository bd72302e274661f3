/**
 * How statistics about other users are shown (docs/security.md, peer statistics): only as
 * aggregates of at least MIN_PEERS users, and percentiles only as the lower bound of their quartile,
 * computed between coarse bins of the values (a quarter of a decade of log10(1 + |x|)), so a user
 * who moves their own value step by step cannot locate a peer's.
 */
export const MIN_PEERS = 5;
export const PERCENTILE_BUCKET = 0.25;

/** SQL of the bin of a numeric expression (signed quarter-decades of log10(1 + |x|)). */
export const logBinSql = (expression: string) => `(sign(${expression}) * floor(4 * log(1 + abs(${expression}))))`;

/** A share in [0, 1] as the lower bound of its quartile. */
export function quartile(share: number | null): number {
  return Math.floor((share ?? 0) / PERCENTILE_BUCKET) * PERCENTILE_BUCKET;
}
