import { describe, expect, it } from "vitest";
import { CloudflareApi } from "./cloudflare-api.js";
import { ObservabilitySource, WORKERS_OUTCOME_CLASSES } from "./observability.js";
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

const countsOf = (version: string, outcome: string, value: number, sampleInterval = 1) => aggregate(value, { [VERSION_KEY]: version, [OUTCOME_KEY]: outcome }, sampleInterval);

const COUNTS = [
  countsOf("v1", "ok", 880),
  countsOf("v1", "canceled", 20),
  countsOf("v1", "responseStreamDisconnected", 40),
  countsOf("v1", "exception", 3),
  countsOf("v2", "ok", 45, 2),
  countsOf("v2", "exceededCpu", 5, 2),
  countsOf("other", "ok", 7),
];

/** `counts` by version and outcome for the first query, quantiles of ok invocations for the second. */
const answer = (counts: ReturnType<typeof aggregate>[]) => (request: StubRequest) => {
  const byOutcome = (request.body as QueryBody).parameters.groupBys.some(({ value }) => value === OUTCOME_KEY);
  const calculations = byOutcome
    ? [{ alias: "count", calculation: "count", aggregates: counts, series: [] }]
    : (["p50", "p90", "p99", "p999"] as const).map((alias, i) => ({
        alias,
        calculation: alias,
        aggregates: [aggregate(10 * (i + 1), { [VERSION_KEY]: "v1" }), aggregate(20 * (i + 1), { [VERSION_KEY]: "v2" })],
        series: [],
      }));
  return { body: { success: true, errors: [], messages: [], result: { calculations } } };
};

async function observabilityOnStub(counts = COUNTS) {
  const stub = await stubApi(answer(counts));
  const clock = new VirtualClock(at("03:10:00").getTime());
  const api = new CloudflareApi({ accountId: ACCOUNT_ID, worker: WORKER, apiToken: TOKEN, apiBaseUrl: stub.url });
  return { ...stub, source: new ObservabilitySource(api, { clock }) };
}

describe("ObservabilitySource (against a stub)", () => {
  it("counts outcomes per version, scaled by the sample interval: errors are failures, disconnections count neither way, latency from ok ones", async () => {
    const { source } = await observabilityOnStub();
    const samples = await source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1", "v2", "v3"]);
    expect(samples).toEqual(
      new Map([
        [
          "v1",
          {
            requests: 883,
            errors: 3,
            latencyMs: { p50: 10, p90: 20, p99: 30, p999: 40 },
            outcomes: [
              { outcome: "ok", class: "success", requests: 880, known: true },
              { outcome: "canceled", class: "not_counted", requests: 20, known: true },
              { outcome: "responseStreamDisconnected", class: "not_counted", requests: 40, known: true },
              { outcome: "exception", class: "error", requests: 3, known: true },
            ],
          },
        ],
        [
          "v2",
          {
            requests: 100,
            errors: 10,
            latencyMs: { p50: 20, p90: 40, p99: 60, p999: 80 },
            sampleInterval: 2,
            outcomes: [
              { outcome: "ok", class: "success", requests: 90, known: true },
              { outcome: "exceededCpu", class: "error", requests: 10, known: true },
            ],
          },
        ],
      ]),
    );
  });

  it.each(Object.entries({
    ok: "success",
    canceled: "not_counted",
    responseStreamDisconnected: "not_counted",
    exception: "error",
    exceededCpu: "error",
    exceededMemory: "error",
    loadShed: "error",
    killSwitch: "error",
    daemonDown: "error",
    scriptNotFound: "error",
    unknown: "error",
  }))("counts outcome %s as %s", async (outcome, outcomeClass) => {
    expect(WORKERS_OUTCOME_CLASSES).toHaveProperty(outcome, outcomeClass);
    const { source } = await observabilityOnStub([countsOf("v1", "ok", 100), countsOf("v1", outcome, 20)]);
    const sample = (await source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1"])).get("v1")!;
    const counted = { success: { requests: 120, errors: 0 }, not_counted: { requests: 100, errors: 0 }, error: { requests: 120, errors: 20 } }[outcomeClass];
    expect(sample).toMatchObject(counted!);
    expect(sample.outcomes).toContainEqual({ outcome, class: outcomeClass, requests: outcome === "ok" ? 120 : 20, known: true });
  });

  it("knows every value of workerd's EventOutcome", () => {
    expect(Object.keys(WORKERS_OUTCOME_CLASSES).sort()).toEqual(
      ["unknown", "ok", "exception", "exceededCpu", "killSwitch", "daemonDown", "scriptNotFound", "canceled", "exceededMemory", "loadShed", "responseStreamDisconnected"].sort(),
    );
  });

  it("counts an outcome it does not know as an error, and says it did not know it", async () => {
    const { source } = await observabilityOnStub([countsOf("v1", "ok", 95), countsOf("v1", "exceededPatience", 5)]);
    const sample = (await source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1"])).get("v1")!;
    expect(sample).toMatchObject({ requests: 100, errors: 5 });
    expect(sample.outcomes).toContainEqual({ outcome: "exceededPatience", class: "error", requests: 5, known: false });
  });

  it("leaves out a version whose only requests are disconnections", async () => {
    const { source } = await observabilityOnStub([countsOf("v1", "canceled", 12), countsOf("v1", "responseStreamDisconnected", 3)]);
    expect((await source.query({ from: at("03:00:00"), to: at("03:05:00") }, ["v1"])).size).toBe(0);
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
