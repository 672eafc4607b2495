import { describe, expect, it } from "vitest";
import { LATENCY_BUCKET_BOUNDS_MS, statusClassOf, TrafficStats } from "./traffic-stats.js";

const T0 = 1_700_000_000_000;

describe("TrafficStats", () => {
  it("counts requests, errors and status classes per version", () => {
    const stats = new TrafficStats(T0);
    stats.record({ version: "v1", statusClass: "2xx", latencyMs: 3, endedAtMs: T0 + 100 });
    stats.record({ version: "v1", statusClass: "5xx", latencyMs: 7, endedAtMs: T0 + 200 });
    stats.record({ version: "v2", statusClass: "upstream_failure", latencyMs: 1, endedAtMs: T0 + 300 });
    stats.record({ version: "v2", statusClass: "4xx", latencyMs: 1, endedAtMs: T0 + 400 });

    const window = stats.window(T0, T0 + 1000);
    expect(window.get("v1")).toMatchObject({ requests: 2, errors: 1, latencySumMs: 10, byClass: { "2xx": 1, "5xx": 1 } });
    expect(window.get("v2")).toMatchObject({ requests: 2, errors: 1, byClass: { "4xx": 1, upstream_failure: 1 } });
  });

  it("puts each latency in the first bucket whose bound holds it", () => {
    const stats = new TrafficStats(T0);
    for (const latencyMs of [0.4, 1, 1.5, 29_999, 45_000]) stats.record({ version: "v1", statusClass: "2xx", latencyMs, endedAtMs: T0 });
    const buckets = stats.window(T0, T0 + 1000).get("v1")!.latencyBuckets;
    expect(buckets).toHaveLength(LATENCY_BUCKET_BOUNDS_MS.length);
    expect(buckets[0]).toBe(2);
    expect(buckets[1]).toBe(1);
    expect(buckets[LATENCY_BUCKET_BOUNDS_MS.indexOf(30_000)]).toBe(1);
    expect(buckets.at(-1)).toBe(1);
  });

  it("sums only the seconds that lie wholly inside the window", () => {
    const stats = new TrafficStats(T0);
    for (let second = 0; second < 5; second++) {
      stats.record({ version: "v1", statusClass: "2xx", latencyMs: 1, endedAtMs: T0 + second * 1000 + 500 });
    }
    expect(stats.window(T0, T0 + 5000).get("v1")!.requests).toBe(5);
    expect(stats.window(T0 + 1, T0 + 5000).get("v1")!.requests).toBe(4);
    expect(stats.window(T0 + 1000, T0 + 2999).get("v1")!.requests).toBe(1);
    expect(stats.window(T0 + 1001, T0 + 2999).has("v1")).toBe(false);
  });

  it("leaves versions without traffic in the window out", () => {
    const stats = new TrafficStats(T0);
    stats.record({ version: "v1", statusClass: "2xx", latencyMs: 1, endedAtMs: T0 });
    expect([...stats.window(T0 + 1000, T0 + 2000).keys()]).toEqual([]);
  });

  it("forgets seconds older than its retention", () => {
    const stats = new TrafficStats(T0, 10);
    stats.record({ version: "v1", statusClass: "2xx", latencyMs: 1, endedAtMs: T0 });
    stats.record({ version: "v1", statusClass: "2xx", latencyMs: 1, endedAtMs: T0 + 10_000 });
    expect(stats.window(T0, T0 + 11_000).get("v1")!.requests).toBe(2);
    stats.record({ version: "v1", statusClass: "2xx", latencyMs: 1, endedAtMs: T0 + 11_000 });
    expect(stats.window(T0, T0 + 12_000).get("v1")!.requests).toBe(2);
  });
});

describe("statusClassOf", () => {
  it("maps status codes to their class", () => {
    expect([200, 204, 301, 404, 429, 500, 503].map(statusClassOf)).toEqual(["2xx", "2xx", "3xx", "4xx", "4xx", "5xx", "5xx"]);
  });
});
