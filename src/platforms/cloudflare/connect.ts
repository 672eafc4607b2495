import type { PlatformConnection } from "../types.js";
import { CloudflareApi, type CloudflareApiOptions } from "./cloudflare-api.js";
import { type Clock, systemClock } from "../../support/clock.js";
import { GraphqlAnalyticsSource } from "./graphql-analytics.js";
import { ObservabilitySource } from "./observability.js";
import { CloudflareTarget } from "./target.js";

export const METRICS_SOURCES = ["graphql", "observability"] as const;
export type MetricsSourceName = (typeof METRICS_SOURCES)[number];

export interface CloudflareConnectionOptions extends Omit<CloudflareApiOptions, "now"> {
  /** Where per-version SLIs come from: the GraphQL Analytics API, or Workers Observability (Workers Logs). */
  metrics: MetricsSourceName;
  /** How far behind real time the metrics are complete; 60 s for graphql, 30 s for observability by default. */
  lagSeconds?: number;
  /** How long to wait for a 0% deployment to propagate before probing it by override; 5 s by default. */
  propagationDelayMs?: number;
  clock?: Clock;
}

/** A Worker's deployment target and the chosen metrics source, sharing one API client. */
export function connectCloudflare(options: CloudflareConnectionOptions): PlatformConnection {
  const { metrics, lagSeconds, propagationDelayMs, clock = systemClock, ...apiOptions } = options;
  const api = new CloudflareApi({ ...apiOptions, now: () => clock.now() });
  const sourceOptions = { lagSeconds, clock };
  return {
    target: new CloudflareTarget(api, { propagationDelayMs, clock }),
    metrics: metrics === "graphql" ? new GraphqlAnalyticsSource(api, sourceOptions) : new ObservabilitySource(api, sourceOptions),
  };
}
