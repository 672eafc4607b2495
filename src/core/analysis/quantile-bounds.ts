import { quantileFromHistogram } from "../histogram.js";
import type { LatencyHistogram } from "../sli.js";

/**
 * How far each bound reaches, in standard deviations of the quantile's rank: 3 leaves a chance of
 * about one in 740 that a version's true quantile is past its bound at one check.
 */
const Z = 3;

/** Where a version's q-quantile lies, at this confidence, given its kept requests. */
export interface QuantileBounds {
  /** In ms; 0 when the data cannot rule out any latency. */
  low: number;
  /** In ms; Infinity when it lies past the histogram's last bound or the data cannot bound it. */
  high: number;
}

/**
 * Confidence bounds of a q-quantile from a latency histogram. Among n requests, how many are
 * faster than the true q-quantile is Binomial(n, q), so the true quantile lies between the
 * requests ranked q n - z s and q n + z s, s = sqrt(n q (1 - q)), whatever the distribution.
 * Each rank is read from the histogram as Prometheus' histogram_quantile reads a quantile,
 * spreading a bucket's requests evenly across it; a rank past the last finite bound has no upper
 * bound. Counts are those the source kept (`sampleInterval`). Undefined without any request.
 */
export function quantileBounds(histogram: LatencyHistogram, sampleInterval: number, q: number): QuantileBounds | undefined {
  const counts = histogram.counts.map((count) => count / sampleInterval);
  const n = counts.reduce((sum, count) => sum + count, 0);
  if (n <= 0) return undefined;
  const bounds = [...histogram.boundsMs, Infinity];
  const spread = (Z * Math.sqrt(n * q * (1 - q))) / n;
  const highLevel = q + spread;
  const withinFiniteBuckets = n - counts.at(-1)!;
  return {
    low: q - spread <= 0 ? 0 : (quantileFromHistogram(bounds, counts, q - spread) ?? 0),
    high: highLevel >= 1 || highLevel * n > withinFiniteBuckets ? Infinity : (quantileFromHistogram(bounds, counts, highLevel) ?? Infinity),
  };
}
