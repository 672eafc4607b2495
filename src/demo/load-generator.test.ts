import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { closeServer, listen } from "../support/listen.js";
import { runLoad, type LoadSummary } from "./load-generator.js";
import { startSampleService, type SampleServiceOptions } from "./sample-service.js";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function sampleService(options: Partial<SampleServiceOptions> = {}): Promise<string> {
  const service = await startSampleService({ host: "127.0.0.1", port: 0, name: "v1", ...options });
  cleanups.push(() => service.close());
  return service.url;
}

/** A service that records the headers of each request and answers with the given headers. */
async function recordingService(answer: (requestNumber: number) => OutgoingHttpHeaders) {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.headers);
    response.writeHead(200, answer(requests.length)).end("ok");
  });
  const { port } = await listen(server, { host: "127.0.0.1", port: 0 });
  cleanups.push(() => closeServer(server));
  return { url: `http://127.0.0.1:${port}`, requests };
}

describe("runLoad", () => {
  it("sends rps x duration requests and counts the responses", async () => {
    const url = await sampleService({ name: "v1" });

    const summary = await runLoad({ url, rps: 200, durationSeconds: 1 });

    expect(summary.sent + summary.skipped).toBe(200);
    expect(summary.sent).toBeGreaterThanOrEqual(190);
    expect(summary.completed).toBe(summary.sent);
    expect(summary.byStatusClass).toEqual({ "2xx": summary.sent, "3xx": 0, "4xx": 0, "5xx": 0 });
    expect(summary.byVersion).toEqual({ v1: summary.sent });
    expect(summary.transportErrors).toBe(0);
    expect(summary.durationSeconds).toBeGreaterThanOrEqual(1);
    expect(summary.latencyMs.p50).toBeGreaterThan(0);
    expect(summary.latencyMs.p99).toBeGreaterThanOrEqual(summary.latencyMs.p50!);
  });

  it("counts failures by status class", async () => {
    const url = await sampleService({ errorRate: 1 });

    const summary = await runLoad({ url, rps: 100, durationSeconds: 0.3 });

    expect(summary.completed).toBe(30);
    expect(summary.byStatusClass["5xx"]).toBe(30);
    expect(summary.byStatusClass["2xx"]).toBe(0);
  });

  it("sends a key below the key count with every request", async () => {
    const service = await recordingService(() => ({}));

    await runLoad({ url: service.url, rps: 200, durationSeconds: 0.5, keys: 10 });

    expect(service.requests).toHaveLength(100);
    const keys = service.requests.map((headers) => headers["x-glidepath-key"]);
    for (const key of keys) expect(key).toMatch(/^k\d$/);
    expect(new Set(keys).size).toBeGreaterThan(1);
  });

  it("sends no key when keys is 0", async () => {
    const service = await recordingService(() => ({}));

    await runLoad({ url: service.url, rps: 100, durationSeconds: 0.2, keys: 0 });

    expect(service.requests.length).toBeGreaterThan(0);
    for (const headers of service.requests) expect(headers["x-glidepath-key"]).toBeUndefined();
  });

  it("counts responses per version, preferring x-glidepath-version over x-served-by", async () => {
    const service = await recordingService((n) =>
      n % 4 === 0 ? { "x-glidepath-version": "canary", "x-served-by": "v2" } : n % 4 === 1 ? { "x-served-by": "v1" } : {},
    );

    const summary = await runLoad({ url: service.url, rps: 200, durationSeconds: 0.4 });

    expect(summary.byVersion).toEqual({ canary: 20, v1: 20, unknown: 40 });
  });

  it("stops when the signal aborts and reports what it did", async () => {
    const stop = new AbortController();
    const service = await recordingService((n) => {
      if (n === 10) stop.abort();
      return {};
    });

    const summary = await runLoad({ url: service.url, rps: 500, signal: stop.signal });

    expect(summary.sent).toBeGreaterThanOrEqual(10);
    expect(summary.sent).toBeLessThan(500);
    expect(summary.transportErrors).toBe(0);
  });

  it("cancels the requests in flight when the signal aborts, without counting them as errors", async () => {
    const stop = new AbortController();
    let received = 0;
    const silent = createServer(() => {
      if (++received === 5) stop.abort();
    });
    const { port } = await listen(silent, { host: "127.0.0.1", port: 0 });
    cleanups.push(() => closeServer(silent));

    const summary = await runLoad({ url: `http://127.0.0.1:${port}`, rps: 200, signal: stop.signal });

    expect(summary.sent).toBeGreaterThanOrEqual(5);
    expect(summary).toMatchObject({ completed: 0, transportErrors: 0 });
  });

  it("sends nothing when the signal has already aborted", async () => {
    const url = await sampleService();

    const summary = await runLoad({ url, rps: 100, signal: AbortSignal.abort() });

    expect(summary).toMatchObject({ sent: 0, completed: 0, skipped: 0 });
  });

  it("keeps sending on schedule while a slow service holds requests, skipping beyond maxInFlight", async () => {
    const url = await sampleService({ latencyMs: 1000 });

    const summary = await runLoad({ url, rps: 100, durationSeconds: 0.5, maxInFlight: 20 });

    expect(summary.sent).toBe(20);
    expect(summary.skipped).toBe(30);
    expect(summary.completed).toBe(20);
    expect(summary.latencyMs.p50).toBeGreaterThanOrEqual(1000 - 1);
  });

  it("counts requests that get no answer as transport errors", async () => {
    const url = await sampleService();
    await cleanups.pop()!();

    const summary = await runLoad({ url, rps: 100, durationSeconds: 0.2 });

    expect(summary.transportErrors).toBe(20);
    expect(summary.completed).toBe(0);
    expect(summary.latencyMs).toEqual({ p50: undefined, p99: undefined });
  });

  it("reports progress about once a second", async () => {
    const url = await sampleService();
    const progress: LoadSummary[] = [];

    await runLoad({ url, rps: 50, durationSeconds: 1.5, onProgress: (soFar) => progress.push(soFar) });

    expect(progress).toHaveLength(1);
    expect(progress[0]!.sent).toBeGreaterThan(0);
  });

  it("refuses options it cannot run with", async () => {
    await expect(runLoad({ url: "localhost:8080", rps: 10 })).rejects.toThrow('url must be an http:// or https:// address, got "localhost:8080"');
    await expect(runLoad({ url: "http://127.0.0.1:1", rps: 0 })).rejects.toThrow("rps must be a number above 0, got 0");
    await expect(runLoad({ url: "http://127.0.0.1:1", rps: 1, durationSeconds: -1 })).rejects.toThrow("durationSeconds");
    await expect(runLoad({ url: "http://127.0.0.1:1", rps: 1, keys: 2.5 })).rejects.toThrow("keys must be a whole number");
  });
});
