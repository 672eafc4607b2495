import { z } from "zod";
import { type ApiFailure, invalidRequest } from "../api-errors.js";
import { addUp, groupBy, type InvocationTotals } from "../traffic/aggregate.js";
import type { InvocationCell } from "../traffic/invocations.js";
import type { SecondsBetween } from "../traffic/traffic-record.js";

interface EventAt {
  script: string;
  startMs: number;
  cell: InvocationCell;
}

/** The event keys the simulator can filter and group on. */
const KEYS: Record<string, (event: EventAt) => string> = {
  "$workers.scriptName": (event) => event.script,
  "$metadata.service": (event) => event.script,
  "$workers.scriptVersion.id": (event) => event.cell.versionId,
  "$workers.outcome": (event) => event.cell.outcome,
};

/** Numeric keys a calculation may read, and where their values are recorded (in microseconds). */
const NUMERIC_KEYS: Record<string, (totals: InvocationTotals) => InvocationTotals["wallTimeUs"]> = {
  "$workers.wallTimeMs": (totals) => totals.wallTimeUs,
  "$workers.cpuTimeMs": (totals) => totals.cpuTimeUs,
};

const QUANTILE_OPERATORS: Record<string, number> = {
  median: 0.5,
  p50: 0.5,
  p25: 0.25,
  p75: 0.75,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p999: 0.999,
};

const filterSchema = z.object({
  key: z.string(),
  operation: z.string(),
  type: z.enum(["string", "number", "boolean"]).optional(),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]).optional(),
});

const querySchema = z.object({
  queryId: z.string().optional(),
  timeframe: z.object({ from: z.number(), to: z.number() }).refine(({ from, to }) => from < to, "timeframe.from must be before timeframe.to"),
  view: z.literal("calculations", { message: 'the simulator answers view "calculations" only' }),
  parameters: z.object({
    datasets: z.array(z.string()).optional(),
    filterCombination: z.enum(["and", "or", "AND", "OR"]).optional(),
    filters: z.array(filterSchema).optional(),
    calculations: z.array(z.object({ operator: z.string(), key: z.string().optional(), keyType: z.string().optional(), alias: z.string().optional() })).min(1),
    groupBys: z.array(z.object({ type: z.string(), value: z.string() })).optional(),
  }),
});
type TelemetryQuery = z.infer<typeof querySchema>;
type Filter = z.infer<typeof filterSchema>;
type Calculation = TelemetryQuery["parameters"]["calculations"][number];

/**
 * Answers `POST .../workers/observability/telemetry/query` with view "calculations": the events
 * of the timeframe that pass the filters, grouped by the groupBys, with each calculation (count,
 * avg or a quantile of a numeric key) per group. Counts are of the sampled events; each aggregate
 * reports the sampleInterval by which to scale them up.
 */
export function answerTelemetryQuery(body: unknown, secondsBetween: SecondsBetween, nowMs: number) {
  const parsed = querySchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw invalidRequest(`invalid telemetry query: ${problems.join("; ")}`);
  }
  const query = parsed.data;
  const { from, to } = query.timeframe;
  const keep = eventFilter(query.parameters.filters ?? [], query.parameters.filterCombination ?? "and");
  const events = secondsBetween(from, to)
    .flatMap(({ script, startMs, cells }) => cells.map((cell) => ({ script, startMs, cell })))
    .filter(keep);
  const groupKeys = (query.parameters.groupBys ?? []).map(({ value }) => {
    if (!KEYS[value]) throw unknownKey(value);
    return value;
  });
  const groupsOf = (within: EventAt[]) => groupBy(within, (event) => groupKeys.map((key) => ({ key, value: KEYS[key]!(event) })));
  const bucketMs = seriesBucketMs(to - from);

  return {
    run: {
      id: query.queryId ?? "adhoc",
      status: "COMPLETED",
      granularity: bucketMs / 1000,
      timeframe: { from, to },
      created: new Date(nowMs).toISOString(),
    },
    statistics: { elapsed: 0, rows_read: events.length, bytes_read: 0 },
    calculations: query.parameters.calculations.map((calculation) => {
      const measure = measureOf(calculation);
      const aggregate = (items: EventAt[], groups: { key: string; value: string }[], intervalMs: number) => {
        const totals = addUp(items.map(({ cell }) => cell));
        return { value: measure(totals), count: totals.sampled, interval: intervalMs / 1000, sampleInterval: totals.sampleInterval, groups };
      };
      return {
        alias: calculation.alias ?? "",
        calculation: calculation.key ? `${calculation.operator}(${calculation.key})` : calculation.operator,
        aggregates: groupsOf(events).map(({ key, items }) => aggregate(items, key, to - from)),
        series: groupBy(events, (event) => Math.floor((event.startMs - from) / bucketMs)).map(({ key: bucket, items }) => ({
          time: new Date(from + bucket * bucketMs).toISOString(),
          data: groupsOf(items).map(({ key, items: grouped }) => aggregate(grouped, key, bucketMs)),
        })),
      };
    }),
  };
}

/** About 60 buckets over the timeframe, each a whole number of seconds. */
function seriesBucketMs(spanMs: number): number {
  return Math.max(1, Math.ceil(spanMs / 60 / 1000)) * 1000;
}

function measureOf({ operator, key }: Calculation): (totals: InvocationTotals) => number {
  const name = operator.toLowerCase();
  if (name === "count") return (totals) => totals.sampled;
  const histogramOf = key === undefined ? undefined : NUMERIC_KEYS[key];
  if (!histogramOf) throw invalidRequest(`calculation ${operator} needs a numeric key: one of ${Object.keys(NUMERIC_KEYS).join(", ")}`);
  const q = QUANTILE_OPERATORS[name];
  if (q !== undefined) return (totals) => (histogramOf(totals).quantile(q) ?? 0) / 1000;
  throw invalidRequest(`the simulator computes count and ${Object.keys(QUANTILE_OPERATORS).join(", ")}, not ${operator}`);
}

function eventFilter(filters: Filter[], combination: string): (event: EventAt) => boolean {
  const tests = filters.map(filterTest);
  return combination.toLowerCase() === "or" && tests.length > 0
    ? (event) => tests.some((test) => test(event))
    : (event) => tests.every((test) => test(event));
}

function filterTest({ key, operation, value }: Filter): (event: EventAt) => boolean {
  const read = KEYS[key];
  if (!read) throw unknownKey(key);
  const wanted = Array.isArray(value) ? value.map(String) : [String(value)];
  switch (operation.toLowerCase()) {
    case "eq":
    case "=":
      return (event) => read(event) === wanted[0];
    case "neq":
    case "!=":
      return (event) => read(event) !== wanted[0];
    case "in":
      return (event) => wanted.includes(read(event));
    case "not_in":
      return (event) => !wanted.includes(read(event));
    default:
      throw invalidRequest(`the simulator filters with eq, neq, in and not_in, not ${operation}`);
  }
}

function unknownKey(key: string): ApiFailure {
  return invalidRequest(`the simulator knows the keys ${Object.keys(KEYS).join(", ")}, not ${key}`);
}
