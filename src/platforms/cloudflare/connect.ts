import type { PlatformConnection } from "../types.js";
import { CloudflareApi, type CloudflareApiOptions } from "./cloudflare-api.js";
import { type CloudflareClock, wallClock } from "./clock.js";
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
  clock?: CloudflareClock;
}

/**
 * Connection options from a release's stored target config (`accountId`, `worker`, `metrics`,
 * optional `apiBaseUrl` and `metricsLagSeconds`) and the API token given at run time.
 */
export function cloudflareOptionsFromConfig(config: Record<string, string>, apiToken: string | undefined): CloudflareConnectionOptions {
  const { accountId, worker, metrics = "graphql", apiBaseUrl, metricsLagSeconds } = config;
  if (!accountId) throw new Error("a cloudflare target needs the account id (config.accountId, --account-id)");
  if (!worker) throw new Error("a cloudflare target needs the Worker's name (config.worker, --worker)");
  if (!apiToken) throw new Error("a cloudflare target needs an API token: set CLOUDFLARE_API_TOKEN (see docs/cloudflare.md for its permissions)");
  if (!isMetricsSourceName(metrics)) throw new Error(`unknown Cloudflare metrics source "${metrics}"; known: ${METRICS_SOURCES.join(", ")}`);
  const lagSeconds = metricsLagSeconds === undefined ? undefined : Number(metricsLagSeconds);
  if (lagSeconds !== undefined && !(Number.isFinite(lagSeconds) && lagSeconds >= 0)) {
    throw new Error(`config.metricsLagSeconds must be a number of seconds, 0 or more, got "${metricsLagSeconds}"`);
  }
  return { accountId, worker, apiToken, metrics, ...(apiBaseUrl ? { apiBaseUrl } : {}), ...(lagSeconds === undefined ? {} : { lagSeconds }) };
}

function isMetricsSourceName(name: string): name is MetricsSourceName {
  return (METRICS_SOURCES as readonly string[]).includes(name);
}

/** A Worker's deployment target and the chosen metrics source, sharing one API client. */
export function connectCloudflare(options: CloudflareConnectionOptions): PlatformConnection {
  const { metrics, lagSeconds, propagationDelayMs, clock = wallClock, ...apiOptions } = options;
  const api = new CloudflareApi({ ...apiOptions, now: () => clock.now() });
  const sourceOptions = { lagSeconds, clock };
  return {
    target: new CloudflareTarget(api, { propagationDelayMs, clock }),
    metrics: metrics === "graphql" ? new GraphqlAnalyticsSource(api, sourceOptions) : new ObservabilitySource(api, sourceOptions),
  };
}
