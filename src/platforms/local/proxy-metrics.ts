import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { percentOf, type Split } from "../../core/split.js";
import { LATENCY_BUCKET_BOUNDS_MS, type RequestOutcome } from "./traffic-stats.js";

export interface ProxyMetrics {
  readonly registry: Registry;
  observe(outcome: RequestOutcome): void;
}

/**
 * The proxy's Prometheus metrics, in a registry of its own so that several proxies can live in
 * one process. The split gauge is read from `currentSplit` at scrape time.
 */
export function createProxyMetrics(versions: readonly string[], currentSplit: () => Split): ProxyMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "glidepath_proxy_requests_total",
    help: "Requests served, by version and status class (upstream_failure: the proxy answered 502 itself).",
    labelNames: ["version", "status_class"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "glidepath_proxy_request_duration_seconds",
    help: "Time from the arrival of a request to the end of its response, by version.",
    labelNames: ["version"] as const,
    buckets: LATENCY_BUCKET_BOUNDS_MS.filter(Number.isFinite).map((ms) => ms / 1000),
    registers: [registry],
  });
  new Gauge({
    name: "glidepath_proxy_split_percent",
    help: "Percent of traffic each version receives under the current split.",
    labelNames: ["version"] as const,
    registers: [registry],
    collect() {
      const split = currentSplit();
      for (const version of versions) this.set({ version }, percentOf(split, version));
    },
  });

  return {
    registry,
    observe({ version, statusClass, latencyMs }) {
      requests.inc({ version, status_class: statusClass });
      duration.observe({ version }, latencyMs / 1000);
    },
  };
}
