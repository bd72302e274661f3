/** Rounds to two decimals (money-like scores and amounts for the wire). */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Rounds to four decimals (probabilities, confidences, rates). */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
