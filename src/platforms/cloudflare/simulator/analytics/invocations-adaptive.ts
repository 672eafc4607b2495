import type { FieldNode } from "graphql";
import { addUp, groupBy, type InvocationTotals } from "../traffic/aggregate.js";
import type { InvocationCell } from "../traffic/invocations.js";
import type { SecondsBetween } from "../traffic/traffic-record.js";
import { countsAsError, INVOCATION_STATUS } from "./invocation-status.js";
import { argumentsOf, fieldsOf, GraphqlQueryError, pickScalars, responseKey } from "./selection.js";
import { checkTimeRange, type TimeRangeLimits } from "./time-range-limits.js";

/** Cloudflare's largest `limit` for adaptive datasets. */
const MAX_LIMIT = 10_000;

interface CellAt {
  script: string;
  startMs: number;
  cell: InvocationCell;
}

const DIMENSIONS: Record<string, (at: CellAt) => string> = {
  scriptName: (at) => at.script,
  scriptVersion: (at) => at.cell.versionId,
  status: (at) => INVOCATION_STATUS[at.cell.outcome],
  datetime: (at) => new Date(at.startMs).toISOString().replace(/\.000Z$/, "Z"),
  datetimeMinute: (at) => new Date(Math.floor(at.startMs / 60_000) * 60_000).toISOString().replace(/\.000Z$/, "Z"),
};

/** The quantile fields, `wallTimeP<suffix>` and `cpuTimeP<suffix>`, and the quantile each one is. */
const QUANTILE_SUFFIXES: Record<string, number> = { "25": 0.25, "50": 0.5, "75": 0.75, "90": 0.9, "95": 0.95, "99": 0.99, "999": 0.999 };

interface InvocationsFilter {
  fromMs: number;
  toMs: number;
  scriptName?: string;
  scriptVersion?: string;
  status?: string;
}

/**
 * Answers `workersInvocationsAdaptive(limit, filter)`: the account's invocations in the filter's
 * time range, one row per combination of the dimensions asked for, with sums scaled up by the
 * sample interval (so they are estimates, as Cloudflare's are) and quantiles in microseconds. A
 * time range over the limits is refused (see checkTimeRange).
 */
export function resolveInvocationsAdaptive(field: FieldNode, variables: Record<string, unknown>, secondsOf: SecondsBetween, limits: TimeRangeLimits, path: string[]) {
  const args = argumentsOf(field, variables, ["limit", "filter"], path);
  const limit = args.limit ?? MAX_LIMIT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new GraphqlQueryError(`limit must be a whole number from 1 to ${MAX_LIMIT}`, path);
  }
  const filter = parseFilter(args.filter, path);
  checkTimeRange(filter, limits, path);
  const cells = secondsOf(filter.fromMs, filter.toMs)
    .flatMap(({ script, startMs, cells }) => cells.map((cell) => ({ script, startMs, cell })))
    .filter(({ script, cell }) => matches(filter.scriptName, script) && matches(filter.scriptVersion, cell.versionId) && matches(filter.status, INVOCATION_STATUS[cell.outcome]));

  const rowFields = fieldsOf(field.selectionSet, path);
  const dimensionNames = rowFields
    .filter((child) => child.name.value === "dimensions")
    .flatMap((child) => fieldsOf(child.selectionSet, [...path, "dimensions"]).map((dimension) => dimension.name.value));
  const groups = groupBy(cells, (at) => dimensionNames.flatMap((name) => (DIMENSIONS[name] ? [[name, DIMENSIONS[name](at)] as const] : [])));
  return groups.slice(0, limit).map(({ key, items }) => answerRow(rowFields, Object.fromEntries(key), items.map(({ cell }) => cell), path));
}

function answerRow(rowFields: FieldNode[], dimensions: Record<string, string>, cells: InvocationCell[], path: string[]) {
  const totals = addUp(cells);
  const errors = addUp(cells.filter((cell) => countsAsError(cell.outcome))).estimatedRequests;
  const row: Record<string, unknown> = {};
  for (const child of rowFields) {
    const name = child.name.value;
    const childPath = [...path, name];
    if (name === "count") {
      row[responseKey(child)] = totals.estimatedRequests;
      continue;
    }
    const values = rowValues(name, dimensions, totals, errors);
    if (!values) throw new GraphqlQueryError(`unknown field "${name}"`, childPath);
    row[responseKey(child)] = pickScalars(child, values, childPath);
  }
  return row;
}

function rowValues(name: string, dimensions: Record<string, string>, totals: InvocationTotals, errors: number): Record<string, () => unknown> | undefined {
  switch (name) {
    case "dimensions":
      return Object.fromEntries(Object.keys(DIMENSIONS).map((dimension) => [dimension, () => dimensions[dimension]]));
    case "sum":
      return { requests: () => totals.estimatedRequests, errors: () => errors, subrequests: () => totals.estimatedSubrequests };
    case "avg":
      return { sampleInterval: () => totals.sampleInterval };
    case "quantiles":
      return Object.fromEntries(
        Object.entries(QUANTILE_SUFFIXES).flatMap(([suffix, q]) => [
          [`wallTimeP${suffix}`, () => totals.wallTimeUs.quantile(q) ?? null],
          [`cpuTimeP${suffix}`, () => totals.cpuTimeUs.quantile(q) ?? null],
        ]),
      );
    default:
      return undefined;
  }
}

function parseFilter(value: unknown, path: string[]): InvocationsFilter {
  if (typeof value !== "object" || value === null) throw new GraphqlQueryError("filter with datetime_geq and datetime_lt is required", path);
  const filter: Partial<InvocationsFilter> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (key === "datetime_geq" || key === "datetime_gt") filter.fromMs = timeOf(raw, key, path) + (key === "datetime_gt" ? 1 : 0);
    else if (key === "datetime_lt" || key === "datetime_leq") filter.toMs = timeOf(raw, key, path) + (key === "datetime_leq" ? 1 : 0);
    else if (key === "scriptName" || key === "scriptVersion" || key === "status") filter[key] = String(raw);
    else throw new GraphqlQueryError(`unknown filter field "${key}"`, path);
  }
  if (filter.fromMs === undefined || filter.toMs === undefined) {
    throw new GraphqlQueryError("filter needs a time range: datetime_geq (or datetime_gt) and datetime_lt (or datetime_leq)", path);
  }
  return filter as InvocationsFilter;
}

function timeOf(raw: unknown, key: string, path: string[]): number {
  const ms = typeof raw === "string" ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw new GraphqlQueryError(`${key} must be a time like 2026-01-01T00:00:00Z, got ${JSON.stringify(raw)}`, path);
  return ms;
}

function matches(wanted: string | undefined, actual: string): boolean {
  return wanted === undefined || wanted === actual;
}
