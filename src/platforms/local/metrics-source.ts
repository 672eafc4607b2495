import { quantileFromHistogram } from "../../core/histogram.js";
import type { SliSample } from "../../core/sli.js";
import { type MetricsSource, type MetricsWindow, PlatformError } from "../types.js";
import { AdminClient, type AdminClientOptions } from "./admin-client.js";
import { statsSchema } from "./admin-contract.js";

/** Per-version SLIs from the traffic the proxy itself measured (GET /stats). */
export class LocalMetricsSource implements MetricsSource {
  private readonly client: AdminClient;

  constructor(options: AdminClientOptions) {
    this.client = new AdminClient(options);
  }

  async query({ from, to }: MetricsWindow, versions: string[]): Promise<Map<string, SliSample>> {
    const stats = await this.client.call("GET", `/stats?from=${from.getTime()}&to=${to.getTime()}`, statsSchema);
    if (to.getTime() <= stats.proxyStartedAt) {
      // The proxy keeps its traffic in memory, so a restart forgets it: the window is unknown, not quiet.
      throw new PlatformError(`the proxy started at ${new Date(stats.proxyStartedAt).toISOString()}, after this window ended; it has no data for it`, true);
    }
    const bounds = [...stats.latencyBucketBoundsMs, Infinity];
    const samples = new Map<string, SliSample>();
    for (const version of versions) {
      const traffic = stats.versions[version];
      if (!traffic || traffic.requests === 0) continue;
      const quantile = (q: number) => quantileFromHistogram(bounds, traffic.latencyBuckets, q);
      samples.set(version, {
        requests: traffic.requests,
        errors: traffic.errors,
        latencyMs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), p999: quantile(0.999) },
        latencyHistogram: { boundsMs: stats.latencyBucketBoundsMs, counts: traffic.latencyBuckets },
      });
    }
    return samples;
  }
}
