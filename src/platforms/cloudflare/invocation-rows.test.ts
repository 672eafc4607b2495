import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { INVOCATIONS_QUERY } from "./graphql-analytics.js";
import { INVOCATION_STATUS_CLASSES, type InvocationRow, samplesFromInvocationRows } from "./invocation-rows.js";

function row(scriptVersion: string, status: string, requests: number, wallTimeP50 = 0, wallTimeP99 = 0): InvocationRow {
  return { dimensions: { scriptVersion, status }, sum: { requests }, quantiles: { wallTimeP50, wallTimeP90: wallTimeP50, wallTimeP99, wallTimeP999: wallTimeP99 } };
}

describe("samplesFromInvocationRows", () => {
  it("gives each version its own sample: failures are errors, client disconnections count neither way, success rows give latency in ms", () => {
    const rows = [
      row("stable", "success", 900, 12_000, 80_000),
      row("stable", "clientDisconnected", 10, 500_000, 900_000),
      row("stable", "responseStreamDisconnected", 40, 700_000, 990_000),
      row("stable", "scriptThrewException", 5, 1_000, 2_000),
      row("candidate", "success", 90, 20_000, 150_000),
      row("candidate", "exceededResources", 3),
      row("candidate", "internalError", 2),
    ];
    const samples = samplesFromInvocationRows(rows, ["stable", "candidate"]);
    expect(samples.get("stable")).toEqual({
      requests: 905,
      errors: 5,
      latencyMs: { p50: 12, p90: 12, p99: 80, p999: 80 },
      outcomes: [
        { outcome: "success", class: "success", requests: 900, known: true },
        { outcome: "clientDisconnected", class: "not_counted", requests: 10, known: true },
        { outcome: "responseStreamDisconnected", class: "not_counted", requests: 40, known: true },
        { outcome: "scriptThrewException", class: "error", requests: 5, known: true },
      ],
    });
    expect(samples.get("candidate")).toMatchObject({ requests: 95, errors: 5, latencyMs: { p50: 20, p90: 20, p99: 150, p999: 150 } });
  });

  it.each(Object.entries({
    success: "success",
    clientDisconnected: "not_counted",
    responseStreamDisconnected: "not_counted",
    scriptThrewException: "error",
    exceededResources: "error",
    internalError: "error",
  }))("counts status %s as %s", (status, outcomeClass) => {
    expect(INVOCATION_STATUS_CLASSES).toHaveProperty(status, outcomeClass);
    const sample = samplesFromInvocationRows([row("v1", "success", 100), row("v1", status, 20)], ["v1"]).get("v1")!;
    const counted = { success: { requests: 120, errors: 0 }, not_counted: { requests: 100, errors: 0 }, error: { requests: 120, errors: 20 } }[outcomeClass];
    expect(sample).toMatchObject(counted!);
    expect(sample.outcomes).toContainEqual({ outcome: status, class: outcomeClass, requests: status === "success" ? 120 : 20, known: true });
  });

  it("knows exactly the statuses Cloudflare documents and responseStreamDisconnected", () => {
    expect(Object.keys(INVOCATION_STATUS_CLASSES).sort()).toEqual(
      ["clientDisconnected", "exceededResources", "internalError", "responseStreamDisconnected", "scriptThrewException", "success"].sort(),
    );
  });

  it("counts a status it does not know as an error, and says it did not know it", () => {
    const sample = samplesFromInvocationRows([row("v1", "success", 90), row("v1", "exceededSomethingNew", 10)], ["v1"]).get("v1")!;
    expect(sample).toMatchObject({ requests: 100, errors: 10 });
    expect(sample.outcomes).toContainEqual({ outcome: "exceededSomethingNew", class: "error", requests: 10, known: false });
  });

  it("leaves out a version whose only requests are disconnections", () => {
    const samples = samplesFromInvocationRows([row("v1", "clientDisconnected", 30), row("v1", "responseStreamDisconnected", 5)], ["v1"]);
    expect(samples.size).toBe(0);
  });

  it("adds up the rows of one status, as from a window queried in parts", () => {
    const rows = [row("v1", "success", 300, 10_000, 40_000), row("v1", "internalError", 2), row("v1", "success", 100, 30_000, 80_000), row("v1", "internalError", 1)];
    const sample = samplesFromInvocationRows(rows, ["v1"]).get("v1")!;
    expect(sample).toMatchObject({ requests: 403, errors: 3, latencyMs: { p50: 15, p99: 50 } });
    expect(sample.outcomes).toEqual([
      { outcome: "success", class: "success", requests: 400, known: true },
      { outcome: "internalError", class: "error", requests: 3, known: true },
    ]);
  });

  it("weights the quantiles of several success rows of one version by their requests", () => {
    const samples = samplesFromInvocationRows([row("v1", "success", 300, 10_000, 40_000), row("v1", "success", 100, 30_000, 80_000)], ["v1"]);
    expect(samples.get("v1")!.latencyMs).toEqual({ p50: 15, p90: 15, p99: 50, p999: 50 });
  });

  it("leaves out versions without traffic and versions not asked for, and has no latency for a version that only failed", () => {
    const rows = [row("v1", "scriptThrewException", 4), row("v2", "success", 0), row("other", "success", 50, 1000, 1000)];
    const samples = samplesFromInvocationRows(rows, ["v1", "v2", "v3"]);
    expect([...samples.keys()]).toEqual(["v1"]);
    expect(samples.get("v1")).toEqual({ requests: 4, errors: 4, latencyMs: {}, outcomes: [{ outcome: "scriptThrewException", class: "error", requests: 4, known: true }] });
  });

  it("carries the sample interval of a sampled version's counted requests, weighing each row by the invocations it sampled", () => {
    const rows: InvocationRow[] = [
      { ...row("v1", "success", 1000), avg: { sampleInterval: 10 } },
      { ...row("v1", "scriptThrewException", 20), avg: { sampleInterval: 1 } },
      { ...row("v1", "clientDisconnected", 500), avg: { sampleInterval: 50 } },
      { ...row("v2", "success", 50), avg: { sampleInterval: 1 } },
    ];
    const samples = samplesFromInvocationRows(rows, ["v1", "v2"]);
    // 1020 estimated invocations from 100 + 20 sampled ones; the disconnections do not count.
    expect(samples.get("v1")!.sampleInterval).toBeCloseTo(1020 / 120, 10);
    expect(samples.get("v2")!.sampleInterval).toBeUndefined();
  });

  it("ignores quantiles Cloudflare left empty", () => {
    const rows: InvocationRow[] = [{ dimensions: { scriptVersion: "v1", status: "success" }, sum: { requests: 7 }, quantiles: { wallTimeP50: 3000, wallTimeP99: null } }];
    expect(samplesFromInvocationRows(rows, ["v1"]).get("v1")!.latencyMs).toEqual({ p50: 3 });
  });
});

describe("INVOCATIONS_QUERY", () => {
  it("is valid GraphQL that groups by version and status", () => {
    const printed = JSON.stringify(parse(INVOCATIONS_QUERY));
    for (const field of ["workersInvocationsAdaptive", "scriptVersion", "status", "wallTimeP999", "datetime_lt"]) expect(printed).toContain(field);
  });
});
