/**
 * The q-quantile (0 <= q <= 1) of observations counted in histogram buckets, estimated the way
 * Prometheus' histogram_quantile does: find the bucket holding the rank q * total and interpolate
 * linearly between its lower and upper bound, assuming observations spread evenly inside it.
 *
 * `bounds` are the ascending upper bounds of the buckets; `counts[i]` is the number of
 * observations in bucket i alone (not cumulative), so both arrays have the same length. The first
 * bucket starts at 0 (a first bound <= 0 is returned as is).
 *
 * The last bound is usually Infinity. A quantile that falls in that +Inf bucket cannot be
 * interpolated, so, like Prometheus, the answer is the largest finite bound: a lower limit of
 * the true value, not an estimate of it.
 *
 * Returns undefined when the histogram holds no observations, or when they all sit in a +Inf
 * bucket with no finite bound below it.
 */
export function quantileFromHistogram(bounds: readonly number[], counts: readonly number[], q: number): number | undefined {
  if (bounds.length !== counts.length) {
    throw new RangeError(`a histogram needs one count per bucket bound, got ${bounds.length} bounds and ${counts.length} counts`);
  }
  if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile must be between 0 and 1, got ${q}`);

  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;

  const rank = q * total;
  let countBelow = 0;
  let i = 0;
  // Skipping empty buckets keeps q = 0 at the lower edge of the first bucket that holds data.
  while (counts[i] === 0 || countBelow + counts[i]! < rank) countBelow += counts[i++]!;

  const upper = bounds[i]!;
  if (upper === Infinity) return bounds[i - 1];
  if (i === 0 && upper <= 0) return upper;
  const lower = i === 0 ? 0 : bounds[i - 1]!;
  return lower + (upper - lower) * ((rank - countBelow) / counts[i]!);
}
