import { LATENCY_BUCKET_BOUNDS_MS } from "../platforms/local/traffic-stats.js";
import type { VersionBehaviour } from "./scenario.js";

/** The standard normal quantile of 0.99: a log-normal's p99 sits this many sigmas above its median. */
const Z99 = 2.3263478740408408;

/** The latency buckets the simulated metrics source reports, as the local proxy keeps them; the last one is +Inf. */
export const BUCKET_BOUNDS_MS = LATENCY_BUCKET_BOUNDS_MS;
export const FINITE_BUCKET_BOUNDS_MS = BUCKET_BOUNDS_MS.slice(0, -1);

/** A log-normal latency distribution fitted to a p50 and a p99. */
export interface LatencyModel {
  mu: number;
  sigma: number;
  /** The chance of a request landing in each bucket of BUCKET_BOUNDS_MS. */
  bucketProbabilities: number[];
}

export function fitLatency({ p50, p99 }: VersionBehaviour["latencyMs"]): LatencyModel {
  const mu = Math.log(p50);
  const sigma = (Math.log(p99) - mu) / Z99;
  let below = 0;
  const bucketProbabilities = BUCKET_BOUNDS_MS.map((bound) => {
    const cumulative = bound === Infinity ? 1 : normalCdf((Math.log(bound) - mu) / sigma);
    const probability = cumulative - below;
    below = cumulative;
    return probability;
  });
  return { mu, sigma, bucketProbabilities };
}

/** The chance that a request of this model is slower than `thresholdMs`. */
export function probabilitySlowerThan(model: LatencyModel, thresholdMs: number): number {
  return 1 - normalCdf((Math.log(thresholdMs) - model.mu) / model.sigma);
}

/** The standard normal CDF, through erfc (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const tail =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? tail : 2 - tail;
}
