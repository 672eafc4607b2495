/** Signals measured per version. Latencies are in milliseconds. */
export const LATENCY_SLIS = ["latency_p50", "latency_p90", "latency_p99", "latency_p999"] as const;
export const SLIS = ["error_rate", ...LATENCY_SLIS] as const;

export type LatencySli = (typeof LATENCY_SLIS)[number];
export type Sli = (typeof SLIS)[number];

export type LatencyQuantiles = Partial<Record<"p50" | "p90" | "p99" | "p999", number>>;

/**
 * Requests counted per latency bucket. `counts[i]` holds the requests slower than
 * `boundsMs[i - 1]` and at most `boundsMs[i]`; the one extra last count holds the requests slower
 * than every bound (JSON has no Infinity, so that bucket has no bound of its own).
 */
export interface LatencyHistogram {
  boundsMs: number[];
  counts: number[];
}

/** What a metrics source measured for one version over one window. */
export interface SliSample {
  requests: number;
  errors: number;
  latencyMs: LatencyQuantiles;
  /** Present when the source keeps latency buckets (the local proxy), not only quantiles (Cloudflare). */
  latencyHistogram?: LatencyHistogram;
  /**
   * How many requests each counted one stands for, when the source samples (Cloudflare's adaptive
   * sampling reports counts scaled up by it). Absent or 1 when every request was counted.
   */
  sampleInterval?: number;
  /**
   * How the source's own outcome values were counted, when it reports them (Cloudflare's
   * invocation status and Workers outcome): a reader can see what was left out and why.
   */
  outcomes?: OutcomeCount[];
}

/**
 * What an outcome value a source reports means for a version's health: its failure (an error),
 * a success, or the client's doing (a visitor who went away), which counts neither way.
 */
export type OutcomeClass = "error" | "success" | "not_counted";

export interface OutcomeCount {
  /** The source's own name for it, e.g. `responseStreamDisconnected`. */
  outcome: string;
  class: OutcomeClass;
  /** Requests with this outcome, as the source estimates them (scaled up from its sampling). */
  requests: number;
  /** False for a value the source's table does not know: it is counted as an error, and said so. */
  known: boolean;
}

/**
 * The requests the source really observed: with sampling, each counted request stands for
 * `sampleInterval` of them, so a thin-data gate must count the kept ones, not the estimate.
 */
export function keptRequests(sample: SliSample): number {
  return sample.requests / (sample.sampleInterval ?? 1);
}

/** The value of an SLI in a sample, or undefined when the sample cannot tell it. */
export function sliValue(sample: SliSample, sli: Sli): number | undefined {
  if (sli === "error_rate") return sample.requests > 0 ? sample.errors / sample.requests : undefined;
  return sample.latencyMs[sli.slice("latency_".length) as keyof LatencyQuantiles];
}

/** The quantile each latency SLI reads. */
export const LATENCY_QUANTILES: Record<LatencySli, number> = {
  latency_p50: 0.5,
  latency_p90: 0.9,
  latency_p99: 0.99,
  latency_p999: 0.999,
};

/** How many kept requests beyond a quantile make it worth judging: one slow outlier must not decide a p99. */
const TAIL_REQUESTS = 5;

/**
 * The fewest kept requests (see keptRequests) a version needs in the window before this SLI can
 * be judged: a p99 from 100 requests is the second slowest request, noise rather than a tail.
 * Error rates are governed by the policy's minRequests alone.
 */
export function requestsToJudge(sli: Sli): number {
  return sli === "error_rate" ? 0 : Math.round(TAIL_REQUESTS / (1 - LATENCY_QUANTILES[sli]));
}
