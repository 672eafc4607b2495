import { z } from "zod";
import type { LatencyQuantiles, SliSample } from "../../core/sli.js";
import type { MetricsSource, MetricsWindow } from "../types.js";
import type { CloudflareApi } from "./cloudflare-api.js";
import { type CloudflareClock, wallClock } from "./clock.js";
import type { LaggingSourceOptions } from "./graphql-analytics.js";
import { settledWindow } from "./settled-window.js";

export const OBSERVABILITY_LAG_SECONDS = 30;

const VERSION_KEY = "$workers.scriptVersion.id";
/** Each latency quantile and the Observability operator that computes it. */
const QUANTILE_OPERATORS = { p50: "median", p90: "p90", p99: "p99", p999: "p999" } as const satisfies Record<keyof LatencyQuantiles, string>;
type Quantile = keyof typeof QUANTILE_OPERATORS;

const aggregateSchema = z.object({
  value: z.number(),
  sampleInterval: z.number().nullish(),
  groups: z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) })).nullish(),
});
type Aggregate = z.infer<typeof aggregateSchema>;

const calculationsAnswerSchema = z.object({
  calculations: z.array(z.object({ alias: z.string().nullish(), aggregates: z.array(aggregateSchema) })).nullish(),
});
type CalculationsAnswer = z.infer<typeof calculationsAnswerSchema>;

/** Per version: how many, and for successful invocations the wall-time quantiles (ms). */
interface VersionFigures {
  count: number;
  latencyMs: LatencyQuantiles;
}

/**
 * Per-version SLIs from Workers Observability (Workers Logs), two calculations queries per window:
 * successful invocations (`$workers.outcome` = ok) with their count and wall-time quantiles, and
 * failed ones (any other outcome) with their count. Logs may be head-sampled: each count is
 * scaled up by the sampleInterval Cloudflare reports, so it is an estimate. Latencies come from
 * successful invocations only, as with the GraphQL source.
 */
export class ObservabilitySource implements MetricsSource {
  private readonly lagSeconds: number;
  private readonly clock: CloudflareClock;

  constructor(
    private readonly api: CloudflareApi,
    options: LaggingSourceOptions = {},
  ) {
    this.lagSeconds = options.lagSeconds ?? OBSERVABILITY_LAG_SECONDS;
    this.clock = options.clock ?? wallClock;
  }

  async query(window: MetricsWindow, versions: string[]): Promise<Map<string, SliSample>> {
    const settled = settledWindow(window, this.clock.now(), this.lagSeconds, "Workers Observability");
    const [succeeded, failed] = await Promise.all([this.calculate(settled, "eq", true), this.calculate(settled, "neq", false)]);
    const samples = new Map<string, SliSample>();
    for (const version of versions) {
      const ok = succeeded.get(version);
      const errors = failed.get(version)?.count ?? 0;
      const requests = (ok?.count ?? 0) + errors;
      if (requests > 0) samples.set(version, { requests, errors, latencyMs: ok?.latencyMs ?? {} });
    }
    return samples;
  }

  /** Invocations whose outcome is (`eq`) or is not (`neq`) ok, per version. */
  private async calculate({ from, to }: MetricsWindow, outcome: "eq" | "neq", withLatency: boolean): Promise<Map<string, VersionFigures>> {
    const calculations = [
      { operator: "count" as const, alias: "count" },
      ...(withLatency
        ? Object.entries(QUANTILE_OPERATORS).map(([alias, operator]) => ({ operator, key: "$workers.wallTimeMs", keyType: "number" as const, alias }))
        : []),
    ];
    const answer = await this.api.call(`query Workers Observability for ${this.api.worker}`, calculationsAnswerSchema, (sdk) =>
      sdk.workers.observability.telemetry.query({
        account_id: this.api.accountId,
        queryId: `glidepath-${this.api.worker}-${outcome === "eq" ? "ok" : "failed"}`,
        timeframe: { from: from.getTime(), to: to.getTime() },
        view: "calculations",
        parameters: {
          datasets: ["cloudflare-workers"],
          filters: [
            { key: "$workers.scriptName", operation: "eq", type: "string", value: this.api.worker },
            { key: "$workers.outcome", operation: outcome, type: "string", value: "ok" },
          ],
          calculations,
          groupBys: [{ type: "string", value: VERSION_KEY }],
        },
      }),
    );
    return figuresByVersion(answer);
  }
}

function figuresByVersion(answer: CalculationsAnswer): Map<string, VersionFigures> {
  const figures = new Map<string, VersionFigures>();
  const figuresOf = (version: string) => {
    const existing = figures.get(version) ?? { count: 0, latencyMs: {} };
    figures.set(version, existing);
    return existing;
  };
  for (const calculation of answer.calculations ?? []) {
    const alias = calculation.alias;
    for (const aggregate of calculation.aggregates) {
      const version = versionOf(aggregate);
      if (version === undefined) continue;
      if (alias === "count") figuresOf(version).count += aggregate.value * (aggregate.sampleInterval ?? 1);
      else if (isQuantile(alias)) figuresOf(version).latencyMs[alias] = aggregate.value;
    }
  }
  return figures;
}

function versionOf(aggregate: Aggregate): string | undefined {
  const group = aggregate.groups?.find(({ key }) => key === VERSION_KEY);
  return group === undefined ? undefined : String(group.value);
}

function isQuantile(alias: string | null | undefined): alias is Quantile {
  return alias !== null && alias !== undefined && Object.hasOwn(QUANTILE_OPERATORS, alias);
}
