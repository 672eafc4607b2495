/** Signals measured per version. Latencies are in milliseconds. */
export const LATENCY_SLIS = ["latency_p50", "latency_p90", "latency_p99", "latency_p999"] as const;
export const SLIS = ["error_rate", ...LATENCY_SLIS] as const;

export type LatencySli = (typeof LATENCY_SLIS)[number];
export type Sli = (typeof SLIS)[number];

export type LatencyQuantiles = Partial<Record<"p50" | "p90" | "p99" | "p999", number>>;

/** What a metrics source measured for one version over one window. */
export interface SliSample {
  requests: number;
  errors: number;
  latencyMs: LatencyQuantiles;
}

/** The value of an SLI in a sample, or undefined when the sample cannot tell it. */
export function sliValue(sample: SliSample, sli: Sli): number | undefined {
  if (sli === "error_rate") return sample.requests > 0 ? sample.errors / sample.requests : undefined;
  return sample.latencyMs[sli.slice("latency_".length) as keyof LatencyQuantiles];
}
