import { describe, expect, it } from "vitest";
import { CloudflareApi } from "./cloudflare-api.js";
import { ObservabilitySource } from "./observability.js";
import { ACCOUNT_ID, platformError, stubApi, type StubRequest, TOKEN, WORKER } from "./test-harness.js";
import { VirtualClock } from "../../../test/support/virtual-clock.js";

const at = (time: string) => new Date(`2026-11-22T${time}Z`);
const VERSION_KEY = "$workers.scriptVersion.id";
const OUTCOME_KEY = "$workers.outcome";

interface QueryBody {
  timeframe: { from: number; to: number };
  parameters: { filters: { key: string; value: string }[]; groupBys: { value: string }[] };
}

const aggregate = (value: number, groups: Record<string, string>, sampleInterval = 1) => ({
  count: value,
  interval: 300,
  sampleInterval,
  value,
  groups: Object.entries(groups).map(([key, group]) => ({ key, value: group })),
});

/** Counts by version and outcome for the first query, quantiles of ok invocations for the second. */
function answer(request: StubRequest) {
  const byOutcome = (request.body as QueryBody).parameters.groupBys.some(({ value }) => value === OUTCOME_KEY);
  const calculations = byOutcome
    ? [
        {
          alias: "count",
          calculation: "count",
          aggregates: [
            aggregate(880, { [VERSION_KEY]: "v1", [OUTCOME_KEY]: "ok" }),
            aggregate(20, { [VERSION_KEY]: "v1", [OUTCOME_KEY]: "canceled" }),
            aggregate(3, { [VERSION_KEY]: "v1", [OUTCOME_KEY]: "exception" }),
            aggregate(45, { [VERSION_KEY]: "v2", [OUTCOME_KEY]: "ok" }, 2),
            aggregate(5, { [VERSION_KEY]: "v2", [OUTCOME_KEY]: "exceededCpu" }, 2),
            aggregate(7, { [VERSION_KEY]: "other", [OUTCOME_KEY]: "ok" }),
          ],
          series: [],
        },
      ]
    : (["p50", "p90", "p99", "p999"] as const).map((alias, i) => ({
        alias,
        calculation: alias,
        aggregates: [aggregate(10 * (i + 1), { [VERSION_KEY]: "v1" }), aggregate(20 * (i + 1), { [VERSION_KEY]: "v2" })],
        series: [],
      }));
  return { body: { success: true, errors: [], messages: [], result: { calculations } } };
}

async function observabilityOnStub() {
  const stub = await stubApi(answer);
  const clock = new VirtualClock(at("03:10:00").getTime());
  const api = new CloudflareApi({ accountId: ACCOUNT_ID, worker: WORKER, apiToken: TOKEN, apiBaseUrl: stub.url });
  return { ...stub, source: new ObservabilitySource(api, { clock }) };
}

describe("ObservabilitySource (against a stub)", () => {
  it("counts outcomes per version, scaled by the sample interval, errors being neither ok nor canceled, latency from ok ones", async () => {
    const { source } = await observabilityOnStub();
    const samples = await source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1", "v2", "v3"]);
    expect(samples).toEqual(
      new Map([
        ["v1", { requests: 903, errors: 3, latencyMs: { p50: 10, p90: 20, p99: 30, p999: 40 } }],
        ["v2", { requests: 100, errors: 10, latencyMs: { p50: 20, p90: 40, p99: 60, p999: 80 }, sampleInterval: 2 }],
      ]),
    );
  });

  it("queries the Worker's events up to now minus 30 seconds: counts by version and outcome, wall time of ok ones by version", async () => {
    const { source, requests } = await observabilityOnStub();
    await source.query({ from: at("03:05:00"), to: at("03:10:00") }, ["v1"]);
    const groupedBy = (request: StubRequest) => (request.body as QueryBody).parameters.groupBys.length;
    const counts = requests.find((request) => groupedBy(request) === 2);
    const latency = requests.find((request) => groupedBy(request) === 1);
    const common = {
      view: "calculations",
      timeframe: { from: at("03:05:00").getTime(), to: at("03:09:30").getTime() },
    };
    const scriptFilter = { key: "$workers.scriptName", operation: "eq", type: "string", value: WORKER };
    expect(counts!.path).toBe(`/client/v4/accounts/${ACCOUNT_ID}/workers/observability/telemetry/query`);
    expect(counts!.body).toMatchObject({
      ...common,
      parameters: {
        datasets: ["cloudflare-workers"],
        filters: [scriptFilter],
        calculations: [{ operator: "count", alias: "count" }],
        groupBys: [
          { type: "string", value: VERSION_KEY },
          { type: "string", value: OUTCOME_KEY },
        ],
      },
    });
    expect(latency!.body).toMatchObject({
      ...common,
      parameters: {
        filters: [scriptFilter, { key: OUTCOME_KEY, operation: "eq", type: "string", value: "ok" }],
        calculations: [
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
    const { source, requests } = await observabilityOnStub();
    const error = await platformError(source.query({ from: at("03:09:45"), to: at("03:10:00") }, ["v1"]));
    expect(error.message).toMatch(/^the metrics for this window are not in yet: Workers Observability lags about 30s behind/);
    expect(error.retryable).toBe(true);
    expect(requests).toEqual([]);
  });
});
