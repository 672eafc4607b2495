/** Upper bounds of the latency buckets, in milliseconds; the last bucket takes everything slower. */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 30000, Infinity,
];

/** How a request ended: the class of the upstream's status, or `upstream_failure` when the proxy had to answer 502 itself. */
export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "upstream_failure"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

export function statusClassOf(statusCode: number): StatusClass {
  if (statusCode >= 500) return "5xx";
  if (statusCode >= 400) return "4xx";
  if (statusCode >= 300) return "3xx";
  return "2xx";
}

export interface RequestOutcome {
  version: string;
  statusClass: StatusClass;
  latencyMs: number;
  endedAtMs: number;
}

/** What one version served over some seconds. `latencyBuckets[i]` counts requests in bucket i alone. */
export interface VersionTraffic {
  requests: number;
  /** 5xx answers and upstream failures. */
  errors: number;
  byClass: Record<StatusClass, number>;
  latencyBuckets: number[];
  latencySumMs: number;
}

const SIX_HOURS_IN_SECONDS = 6 * 60 * 60;

/**
 * Per-second traffic of each version, kept in memory for a few hours. Only seconds that saw
 * traffic are stored. Data from before `startedAtMs` is unknown, not zero.
 */
export class TrafficStats {
  private readonly seconds = new Map<number, Map<string, VersionTraffic>>();

  constructor(
    readonly startedAtMs: number,
    private readonly retentionSeconds = SIX_HOURS_IN_SECONDS,
  ) {}

  /** Counts a finished request in the second it ended. */
  record({ version, statusClass, latencyMs, endedAtMs }: RequestOutcome): void {
    const traffic = this.trafficOf(Math.floor(endedAtMs / 1000), version);
    traffic.requests += 1;
    traffic.byClass[statusClass] += 1;
    if (statusClass === "5xx" || statusClass === "upstream_failure") traffic.errors += 1;
    traffic.latencyBuckets[LATENCY_BUCKET_BOUNDS_MS.findIndex((bound) => latencyMs <= bound)]! += 1;
    traffic.latencySumMs += latencyMs;
  }

  /** Traffic per version summed over the seconds that lie wholly inside [fromMs, toMs). */
  window(fromMs: number, toMs: number): Map<string, VersionTraffic> {
    const firstSecond = Math.ceil(fromMs / 1000);
    const endSecond = Math.floor(toMs / 1000);
    const totals = new Map<string, VersionTraffic>();
    for (const [second, versions] of this.seconds) {
      if (second < firstSecond || second >= endSecond) continue;
      for (const [version, traffic] of versions) {
        const total = totals.get(version) ?? emptyTraffic();
        addTraffic(total, traffic);
        totals.set(version, total);
      }
    }
    return totals;
  }

  private trafficOf(second: number, version: string): VersionTraffic {
    let versions = this.seconds.get(second);
    if (!versions) {
      this.forgetSecondsBefore(second - this.retentionSeconds);
      versions = new Map();
      this.seconds.set(second, versions);
    }
    let traffic = versions.get(version);
    if (!traffic) {
      traffic = emptyTraffic();
      versions.set(version, traffic);
    }
    return traffic;
  }

  private forgetSecondsBefore(oldestKept: number): void {
    for (const second of this.seconds.keys()) {
      if (second < oldestKept) this.seconds.delete(second);
    }
  }
}

function emptyTraffic(): VersionTraffic {
  return {
    requests: 0,
    errors: 0,
    byClass: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, upstream_failure: 0 },
    latencyBuckets: LATENCY_BUCKET_BOUNDS_MS.map(() => 0),
    latencySumMs: 0,
  };
}

function addTraffic(total: VersionTraffic, more: VersionTraffic): void {
  total.requests += more.requests;
  total.errors += more.errors;
  for (const statusClass of STATUS_CLASSES) total.byClass[statusClass] += more.byClass[statusClass];
  more.latencyBuckets.forEach((count, i) => (total.latencyBuckets[i]! += count));
  total.latencySumMs += more.latencySumMs;
}
