import type { LatencyQuantiles, SliSample } from "../../core/sli.js";
import { classify, countOutcomes, type OutcomeTable } from "./outcome-counts.js";

/** One row of `workersInvocationsAdaptive` grouped by version and status. Wall times are in microseconds. */
export interface InvocationRow {
  dimensions: { scriptVersion: string; status: string };
  sum: { requests: number };
  /** How many invocations each sampled one stands for; the sums are already scaled up by it. */
  avg?: { sampleInterval?: number | null } | null;
  quantiles?: Partial<Record<WallTimeQuantile, number | null>> | null;
}

const WALL_TIME_QUANTILES = { p50: "wallTimeP50", p90: "wallTimeP90", p99: "wallTimeP99", p999: "wallTimeP999" } as const;
type WallTimeQuantile = (typeof WALL_TIME_QUANTILES)[keyof typeof WALL_TIME_QUANTILES];

/**
 * What each `status` of `workersInvocationsAdaptive` means for the version that served it. The
 * dashboard's Errors are scriptThrewException + exceededResources + internalError
 * (developers.cloudflare.com/workers/observability/metrics-and-analytics); the two
 * disconnections are the client's doing. A status not listed here counts as an error.
 */
export const INVOCATION_STATUS_CLASSES = {
  success: "success",
  /** The client hung up before the Worker answered. */
  clientDisconnected: "not_counted",
  /**
   * The client hung up while the answer streamed (workerd PR #2503); Cloudflare's metrics call it
   * an error, its logs do not, and field reports show these rows with `sum.errors` 0.
   */
  responseStreamDisconnected: "not_counted",
  /** Error 1101: the Worker threw. */
  scriptThrewException: "error",
  /** Errors 1102 and 1027: the Worker went over a CPU, memory or request limit. */
  exceededResources: "error",
  /** Not the Worker's code nor a limit, and some appear in normal operation; still a failure its visitors saw. */
  internalError: "error",
} as const satisfies OutcomeTable;

/**
 * One sample per version from rows split by status, each status counted by
 * INVOCATION_STATUS_CLASSES (see countOutcomes: requests and errors leave out the client's
 * disconnections). Latencies come from the success rows only, so a fast crash does not flatter a
 * version. A version may have several rows of one status (Cloudflare may split a group, and a
 * long window is queried in parts): their counts add, and each quantile is their average
 * weighted by requests, an approximation that is exact for a single row. A version with no
 * counted requests is left out.
 */
export function samplesFromInvocationRows(rows: InvocationRow[], versions: string[]): Map<string, SliSample> {
  const samples = new Map<string, SliSample>();
  for (const version of versions) {
    const ofVersion = rows.filter((row) => row.dimensions.scriptVersion === version);
    const tallies = ofVersion.map(({ dimensions, sum, avg }) => ({ outcome: dimensions.status, estimated: sum.requests, kept: sum.requests / (avg?.sampleInterval ?? 1) }));
    const counts = countOutcomes(tallies, INVOCATION_STATUS_CLASSES);
    if (!counts) continue;
    const successRows = ofVersion.filter((row) => classify(INVOCATION_STATUS_CLASSES, row.dimensions.status).class === "success");
    samples.set(version, { ...counts, latencyMs: successLatency(successRows) });
  }
  return samples;
}

function successLatency(rows: InvocationRow[]): LatencyQuantiles {
  const latency: LatencyQuantiles = {};
  for (const [quantile, field] of Object.entries(WALL_TIME_QUANTILES) as [keyof LatencyQuantiles, WallTimeQuantile][]) {
    const measured = rows.flatMap((row) => {
      const microseconds = row.quantiles?.[field];
      return typeof microseconds === "number" && row.sum.requests > 0 ? [{ microseconds, weight: row.sum.requests }] : [];
    });
    const weight = measured.reduce((sum, entry) => sum + entry.weight, 0);
    if (weight > 0) latency[quantile] = measured.reduce((sum, entry) => sum + entry.microseconds * entry.weight, 0) / weight / 1000;
  }
  return latency;
}
