import type { LatencyHistogram } from "../sli.js";
import type { Counts } from "./count-test.js";

/**
 * Turns a latency quantile into a count: the requests slower than a bucket bound near the
 * q-quantile of both versions' requests pooled. The pooled histogram is blind to which version
 * served what, so when the two versions are equally fast every slow request is the candidate's
 * with its share of the requests, and the count test applies. A candidate that got slower in the
 * tail serves more than its share.
 */

export function haveSameBuckets(a: LatencyHistogram, b: LatencyHistogram): boolean {
  return (
    a.boundsMs.length === b.boundsMs.length &&
    a.boundsMs.every((bound, i) => bound === b.boundsMs[i]) &&
    a.counts.length === a.boundsMs.length + 1 &&
    b.counts.length === b.boundsMs.length + 1
  );
}

/**
 * The bound whose share of slower requests, in the two histograms pooled, is closest as a ratio
 * to the 1 - q a quantile leaves above it; undefined when no bound has any request above it.
 * Buckets are coarse, so this is the nearest bound, not the quantile.
 */
export function boundNearestQuantile(candidate: LatencyHistogram, stable: LatencyHistogram, quantile: number): number | undefined {
  const pooled = candidate.counts.map((count, i) => count + stable.counts[i]!);
  const total = pooled.reduce((sum, count) => sum + count, 0);
  const wanted = 1 - quantile;
  let best: number | undefined;
  let bestDistance = Infinity;
  let above = total;
  candidate.boundsMs.forEach((bound, i) => {
    above -= pooled[i]!;
    if (above <= 0) return;
    const ratio = above / total / wanted;
    const distance = ratio >= 1 ? ratio : 1 / ratio;
    if (distance < bestDistance) {
      best = bound;
      bestDistance = distance;
    }
  });
  return best;
}

/** The histogram's requests (trials) and those slower than `boundMs` (events); undefined when it has no such bound. */
export function slowerThan(histogram: LatencyHistogram, boundMs: number): Counts | undefined {
  const index = histogram.boundsMs.indexOf(boundMs);
  if (index < 0) return undefined;
  let trials = 0;
  let events = 0;
  histogram.counts.forEach((requests, i) => {
    trials += requests;
    if (i > index) events += requests;
  });
  return { trials, events };
}
