import { describe, expect, it } from "vitest";
import { CloudflareApi } from "./cloudflare-api.js";
import { ObservabilitySource } from "./observability.js";
import { ACCOUNT_ID, platformError, stubApi, type StubRequest, TOKEN, VirtualClock, WORKER } from "./test-harness.js";

const at = (time: string) => new Date(`2026-11-22T${time}Z`);
const VERSION_KEY = "$workers.scriptVersion.id";

interface Figures {
  count: number;
  sampleInterval?: number;
  quantiles?: Record<string, number>;
}

/** A calculations answer: per version, its count and (for the ok query) its quantiles by alias. */
function calculationsAnswer(perVersion: Record<string, Figures>) {
  const aggregate = (version: string, value: number, sampleInterval = 1) => ({ count: value, interval: 1, sampleInterval, value, groups: [{ key: VERSION_KEY, value: version }] });
  const entries = Object.entries(perVersion);
  const quantileAliases = Object.keys(entries[0]?.[1].quantiles ?? {});
  return {
    success: true,
    errors: [],
    messages: [],
    result: {
      calculations: [
        { alias: "count", calculation: "count", aggregates: entries.map(([version, { count, sampleInterval }]) => aggregate(version, count, sampleInterval)), series: [] },
        ...quantileAliases.map((alias) => ({
          alias,
          calculation: alias,
          aggregates: entries.map(([version, { quantiles }]) => aggregate(version, quantiles![alias]!)),
          series: [],
        })),
      ],
    },
  };
}

const outcomeOf = (request: StubRequest) =>
  (request.body as { parameters: { filters: { key: string; operation: string }[] } }).parameters.filters.find(({ key }) => key === "$workers.outcome")!.operation;

async function sourceAnswering(ok: Record<string, Figures>, failed: Record<string, Figures>) {
  const stub = await stubApi((request) => ({ body: calculationsAnswer(outcomeOf(request) === "eq" ? ok : failed) }));
  const clock = new VirtualClock(at("03:10:00").getTime());
  const api = new CloudflareApi({ accountId: ACCOUNT_ID, worker: WORKER, apiToken: TOKEN, apiBaseUrl: stub.url });
  return { ...stub, source: new ObservabilitySource(api, { clock }) };
}

describe("ObservabilitySource (against a stub)", () => {
  it("counts ok and failed invocations per version, scaled by the sample interval, with latency from the ok ones", async () => {
    const quantiles = { p50: 11, p90: 30, p99: 90, p999: 200 };
    const { source } = await sourceAnswering(
      { v1: { count: 900, quantiles }, v2: { count: 45, sampleInterval: 2, quantiles } },
      { v1: { count: 3 }, v2: { count: 5, sampleInterval: 2 }, other: { count: 7 } },
    );
    const samples = await source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1", "v2", "v3"]);
    expect(samples).toEqual(
      new Map([
        ["v1", { requests: 903, errors: 3, latencyMs: quantiles }],
        ["v2", { requests: 100, errors: 10, latencyMs: quantiles }],
      ]),
    );
  });

  it("queries the Worker's calculations grouped by version, up to now minus 30 seconds", async () => {
    const { source, requests } = await sourceAnswering({}, {});
    await source.query({ from: at("03:05:00"), to: at("03:10:00") }, ["v1"]);
    expect(requests).toHaveLength(2);
    const ok = requests.find((request) => outcomeOf(request) === "eq")!;
    expect(ok.path).toBe(`/client/v4/accounts/${ACCOUNT_ID}/workers/observability/telemetry/query`);
    expect(ok.body).toMatchObject({
      timeframe: { from: at("03:05:00").getTime(), to: at("03:09:30").getTime() },
      view: "calculations",
      parameters: {
        datasets: ["cloudflare-workers"],
        filters: [
          { key: "$workers.scriptName", operation: "eq", type: "string", value: WORKER },
          { key: "$workers.outcome", operation: "eq", type: "string", value: "ok" },
        ],
        calculations: [
          { operator: "count", alias: "count" },
          { operator: "median", key: "$workers.wallTimeMs", keyType: "number", alias: "p50" },
          { operator: "p90", key: "$workers.wallTimeMs", keyType: "number", alias: "p90" },
          { operator: "p99", key: "$workers.wallTimeMs", keyType: "number", alias: "p99" },
          { operator: "p999", key: "$workers.wallTimeMs", keyType: "number", alias: "p999" },
        ],
        groupBys: [{ type: "string", value: VERSION_KEY }],
      },
    });
  });

  it("does not ask for a window that has not settled yet", async () => {
    const { source, requests } = await sourceAnswering({}, {});
    const error = await platformError(source.query({ from: at("03:09:45"), to: at("03:10:00") }, ["v1"]));
    expect(error.message).toMatch(/^the metrics for this window are not in yet: Workers Observability lags about 30s behind/);
    expect(error.retryable).toBe(true);
    expect(requests).toEqual([]);
  });
});
