import type { LatencyHistogram } from "../sli.js";
import type { EventCounts } from "./count-test.js";

export interface SlowRequestCounts extends EventCounts {
  /** A request slower than this counts as slow. */
  boundMs: number;
}

/**
 * Turns a latency quantile into a count: the requests of each version slower than a bucket
 * bound near the q-quantile of both versions' requests pooled. The bound is read from the pooled
 * histogram, which is blind to which version served what, so when the two versions' latencies
 * are the same every slow request is the candidate's with its share of the requests, and the
 * count test applies. A candidate that got slower in the tail serves more than its share.
 *
 * Returns an Error when the two histograms do not share the same buckets.
 */
export function slowRequestCounts(candidate: LatencyHistogram, stable: LatencyHistogram, quantile: number): SlowRequestCounts | Error {
  const sameBuckets =
    candidate.boundsMs.length === stable.boundsMs.length &&
    candidate.boundsMs.every((bound, i) => bound === stable.boundsMs[i]) &&
    candidate.counts.length === candidate.boundsMs.length + 1 &&
    stable.counts.length === stable.boundsMs.length + 1;
  if (!sameBuckets) return new Error("the two versions' latency histograms have different buckets");

  const pooled = candidate.counts.map((count, i) => count + stable.counts[i]!);
  const boundIndex = boundNearestQuantile(candidate.boundsMs, pooled, quantile);
  const count = (counts: number[]) => {
    let trials = 0;
    let events = 0;
    counts.forEach((requests, i) => {
      trials += requests;
      if (i > boundIndex) events += requests;
    });
    return { trials, events };
  };
  return { boundMs: candidate.boundsMs[boundIndex]!, candidate: count(candidate.counts), stable: count(stable.counts) };
}

/**
 * The bound whose share of slower requests is closest, as a ratio, to the 1 - q a quantile
 * leaves above it. Histogram buckets are coarse, so this is the nearest bound, not the quantile.
 */
function boundNearestQuantile(boundsMs: number[], pooled: number[], quantile: number): number {
  const total = pooled.reduce((sum, count) => sum + count, 0);
  const wanted = 1 - quantile;
  let best = boundsMs.length - 1;
  let bestDistance = Infinity;
  let above = total;
  boundsMs.forEach((_, i) => {
    above -= pooled[i]!;
    if (above <= 0) return;
    const ratio = above / total / wanted;
    const distance = ratio >= 1 ? ratio : 1 / ratio;
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  });
  return best;
}
