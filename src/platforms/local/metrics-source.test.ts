import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { PlatformError } from "../types.js";
import type { StatsAnswer } from "./admin-contract.js";
import { LocalMetricsSource } from "./metrics-source.js";
import { deadUpstreamUrl, echoHandler, removeTemporaryDirectories, startTestProxy, startUpstream, type TestProxy } from "./test-harness.js";
import { LATENCY_BUCKET_BOUNDS_MS } from "./traffic-stats.js";

const running: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await removeTemporaryDirectories();
});

async function send(proxy: TestProxy, version: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await (await request(proxy.proxyUrl, { headers: { "x-glidepath-version": version } })).body.dump();
}

/** An admin API that answers GET /stats with fixed numbers. */
async function fixedStats(answer: StatsAnswer): Promise<string> {
  const server = await startUpstream((_, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(answer));
  });
  running.push(server);
  return server.url;
}

const bounds = LATENCY_BUCKET_BOUNDS_MS.filter(Number.isFinite);
const window = { from: new Date(1_700_000_000_000), to: new Date(1_700_000_060_000) };

describe("LocalMetricsSource", () => {
  it("reads requests and errors per version from a real proxy", async () => {
    const v1 = await startUpstream(echoHandler("v1"));
    const proxy = await startTestProxy({ v1: v1.url, v2: await deadUpstreamUrl(), v3: v1.url });
    running.push(v1, proxy);
    await send(proxy, "v1", 5);
    await send(proxy, "v2", 2);

    const source = new LocalMetricsSource({ adminUrl: proxy.adminUrl });
    const samples = await source.query({ from: new Date(0), to: new Date(Date.now() + 60_000) }, ["v1", "v2", "v3"]);

    expect([...samples.keys()]).toEqual(["v1", "v2"]);
    expect(samples.get("v1")).toMatchObject({ requests: 5, errors: 0 });
    expect(samples.get("v2")).toMatchObject({ requests: 2, errors: 2 });
    const { p50, p90, p99, p999 } = samples.get("v1")!.latencyMs;
    expect(p50).toBeGreaterThanOrEqual(0);
    expect([p50! <= p90!, p90! <= p99!, p99! <= p999!]).toEqual([true, true, true]);
  });

  it("estimates the latency quantiles from the proxy's histogram", async () => {
    const latencyBuckets = [...bounds, Infinity].map(() => 0);
    latencyBuckets[bounds.indexOf(10)] = 50; // (5, 10] ms
    latencyBuckets[bounds.indexOf(20)] = 40; // (10, 20] ms
    latencyBuckets[bounds.indexOf(100)] = 9; // (75, 100] ms
    latencyBuckets[bounds.length] = 1; // slower than 30 s
    const byClass = { "2xx": 97, "3xx": 0, "4xx": 0, "5xx": 3, upstream_failure: 0 };
    const adminUrl = await fixedStats({
      proxyStartedAt: 0,
      from: window.from.getTime(),
      to: window.to.getTime(),
      latencyBucketBoundsMs: bounds,
      versions: { v2: { requests: 100, errors: 3, byClass, latencyBuckets, latencySumMs: 40_000 } },
    });

    const samples = await new LocalMetricsSource({ adminUrl }).query(window, ["v1", "v2"]);
    expect(samples.get("v1")).toBeUndefined();
    expect(samples.get("v2")).toEqual({
      requests: 100,
      errors: 3,
      latencyMs: { p50: 10, p90: 20, p99: 100, p999: 30_000 },
      latencyHistogram: { boundsMs: bounds, counts: latencyBuckets },
    });
  });

  it("says the data is unknown when the proxy started after the window ended", async () => {
    const adminUrl = await fixedStats({
      proxyStartedAt: window.to.getTime() + 1,
      from: window.from.getTime(),
      to: window.to.getTime(),
      latencyBucketBoundsMs: bounds,
      versions: {},
    });
    const error = await new LocalMetricsSource({ adminUrl }).query(window, ["v1"]).catch((error: unknown) => error);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).message).toMatch(/^the proxy started at .*, after this window ended; it has no data for it$/);
    expect((error as PlatformError).retryable).toBe(true);
  });

  it("says the proxy is not running when its admin API cannot be reached", async () => {
    const adminUrl = await deadUpstreamUrl();
    await expect(new LocalMetricsSource({ adminUrl }).query(window, ["v1"])).rejects.toThrow(
      `cannot reach the proxy admin API at ${adminUrl}: is \`glidepath proxy\` running? (ECONNREFUSED)`,
    );
  });
});
