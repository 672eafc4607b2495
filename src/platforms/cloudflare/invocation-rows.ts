import type { LatencyQuantiles, SliSample } from "../../core/sli.js";

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

/** Statuses of invocations that did what the Worker meant: a client hanging up is not the Worker's failure. */
const HEALTHY_STATUSES = new Set(["success", "clientDisconnected"]);

/**
 * One sample per version from rows split by status. Requests count every status; errors count
 * every status but success and clientDisconnected. Latencies come from the success rows only, so
 * a fast crash does not flatter a version; when a version has several success rows (Cloudflare
 * may split a group), each quantile is their average weighted by requests, an approximation
 * that is exact for the usual single row. A version with no requests is left out. A version
 * whose rows were sampled carries the sample interval of its requests as a whole.
 */
export function samplesFromInvocationRows(rows: InvocationRow[], versions: string[]): Map<string, SliSample> {
  const samples = new Map<string, SliSample>();
  for (const version of versions) {
    const ofVersion = rows.filter((row) => row.dimensions.scriptVersion === version);
    const requests = sumRequests(ofVersion);
    if (requests === 0) continue;
    const sampleInterval = requests / ofVersion.reduce((sum, row) => sum + row.sum.requests / (row.avg?.sampleInterval ?? 1), 0);
    samples.set(version, {
      requests,
      errors: sumRequests(ofVersion.filter((row) => !HEALTHY_STATUSES.has(row.dimensions.status))),
      latencyMs: successLatency(ofVersion.filter((row) => row.dimensions.status === "success")),
      ...(sampleInterval > 1 && { sampleInterval }),
    });
  }
  return samples;
}

function sumRequests(rows: InvocationRow[]): number {
  return rows.reduce((sum, row) => sum + row.sum.requests, 0);
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
