import { z } from "zod";
import type { LatencyQuantiles, SliSample } from "../../core/sli.js";
import type { MetricsSource, MetricsWindow } from "../types.js";
import type { CloudflareApi } from "./cloudflare-api.js";
import { type Clock, systemClock } from "../../support/clock.js";
import { countOutcomes, type OutcomeTable, type OutcomeTally } from "./outcome-counts.js";
import { type LaggingSourceOptions, settledWindow } from "./settled-window.js";

const OBSERVABILITY_LAG_SECONDS = 30;

const VERSION_KEY = "$workers.scriptVersion.id";
const OUTCOME_KEY = "$workers.outcome";
const WALL_TIME_KEY = "$workers.wallTimeMs";

/**
 * What each `$workers.outcome` (workerd's EventOutcome, src/workerd/io/outcome.capnp) means for
 * the version that served it. An outcome not listed here counts as an error.
 */
export const WORKERS_OUTCOME_CLASSES = {
  ok: "success",
  /** The client hung up before the Worker answered. */
  canceled: "not_counted",
  /** The client hung up while the answer streamed (workerd PR #2503); Workers Logs show it as no error. */
  responseStreamDisconnected: "not_counted",
  /** The Worker threw. */
  exception: "error",
  exceededCpu: "error",
  exceededMemory: "error",
  /**
   * The next four are Cloudflare's side not running the invocation (workerd names them without
   * saying more): not the code's fault, but its visitors got no answer.
   */
  loadShed: "error",
  killSwitch: "error",
  daemonDown: "error",
  scriptNotFound: "error",
  /** The runtime could not say how the invocation ended: not a success it can vouch for. */
  unknown: "error",
} as const satisfies OutcomeTable;

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

type Calculation = { operator: "count"; alias: string } | { operator: (typeof QUANTILE_OPERATORS)[Quantile]; key: string; keyType: "number"; alias: string };
type Filter = { key: string; operation: "eq"; type: "string"; value: string };

/**
 * Per-version SLIs from Workers Observability (Workers Logs), two calculations queries per window:
 * the invocations counted by version and outcome, and the wall-time quantiles of the successful
 * ones (`$workers.outcome` ok) by version. Each outcome is counted by WORKERS_OUTCOME_CLASSES
 * (see countOutcomes: the client's disconnections are left out of requests and errors), and
 * latency comes from successes only, as with the GraphQL source. Logs may be head-sampled: each
 * count is scaled up by the sampleInterval Cloudflare reports, an estimate.
 */
export class ObservabilitySource implements MetricsSource {
  private readonly lagSeconds: number;
  private readonly clock: Clock;

  constructor(
    private readonly api: CloudflareApi,
    options: LaggingSourceOptions = {},
  ) {
    this.lagSeconds = options.lagSeconds ?? OBSERVABILITY_LAG_SECONDS;
    this.clock = options.clock ?? systemClock;
  }

  async query(window: MetricsWindow, versions: string[]): Promise<Map<string, SliSample>> {
    const settled = settledWindow(window, this.clock.now(), this.lagSeconds, "Workers Observability");
    const [tallies, latencies] = await Promise.all([this.talliesByOutcome(settled), this.successLatency(settled)]);
    const samples = new Map<string, SliSample>();
    for (const version of versions) {
      const counts = countOutcomes(tallies.filter((tally) => tally.version === version), WORKERS_OUTCOME_CLASSES);
      if (counts) samples.set(version, { ...counts, latencyMs: latencies.get(version) ?? {} });
    }
    return samples;
  }

  /** Per version and outcome, the events Cloudflare kept and what they stand for. */
  private async talliesByOutcome(window: MetricsWindow): Promise<(OutcomeTally & { version: string })[]> {
    const [count] = await this.calculate(window, [], [{ operator: "count", alias: "count" }], [VERSION_KEY, OUTCOME_KEY]);
    return (count?.aggregates ?? []).flatMap((aggregate) => {
      const version = groupValue(aggregate, VERSION_KEY);
      const outcome = groupValue(aggregate, OUTCOME_KEY);
      if (version === undefined || outcome === undefined) return [];
      return [{ version, outcome, kept: aggregate.value, estimated: aggregate.value * (aggregate.sampleInterval ?? 1) }];
    });
  }

  private async successLatency(window: MetricsWindow): Promise<Map<string, LatencyQuantiles>> {
    const calculations = Object.entries(QUANTILE_OPERATORS).map(([alias, operator]) => ({ operator, key: WALL_TIME_KEY, keyType: "number" as const, alias }));
    const ok: Filter = { key: OUTCOME_KEY, operation: "eq", type: "string", value: "ok" };
    const latencies = new Map<string, LatencyQuantiles>();
    for (const { alias, aggregates } of await this.calculate(window, [ok], calculations, [VERSION_KEY])) {
      if (!isQuantile(alias)) continue;
      for (const aggregate of aggregates) {
        const version = groupValue(aggregate, VERSION_KEY);
        if (version !== undefined) latencies.set(version, { ...latencies.get(version), [alias]: aggregate.value });
      }
    }
    return latencies;
  }

  /** One calculations query over the Worker's events in the window. */
  private async calculate({ from, to }: MetricsWindow, filters: Filter[], calculations: Calculation[], groupBys: string[]) {
    const { accountId, worker } = this.api;
    const answer = await this.api.call(`query Workers Observability for ${worker}`, calculationsAnswerSchema, (sdk) =>
      sdk.workers.observability.telemetry.query({
        account_id: accountId,
        queryId: `glidepath-${worker}`,
        timeframe: { from: from.getTime(), to: to.getTime() },
        view: "calculations",
        parameters: {
          datasets: ["cloudflare-workers"],
          filters: [{ key: "$workers.scriptName", operation: "eq", type: "string", value: worker }, ...filters],
          calculations,
          groupBys: groupBys.map((value) => ({ type: "string", value })),
        },
      }),
    );
    return answer.calculations ?? [];
  }
}

function groupValue(aggregate: Aggregate, key: string): string | undefined {
  const group = aggregate.groups?.find((entry) => entry.key === key);
  return group === undefined ? undefined : String(group.value);
}

function isQuantile(alias: string | null | undefined): alias is Quantile {
  return alias !== null && alias !== undefined && Object.hasOwn(QUANTILE_OPERATORS, alias);
}
