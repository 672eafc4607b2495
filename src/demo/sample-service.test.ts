import { afterEach, describe, expect, it } from "vitest";
import { startSampleService, type SampleService, type SampleServiceOptions } from "./sample-service.js";

const running: SampleService[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.close()));
});

async function start(options: Partial<SampleServiceOptions> = {}): Promise<SampleService> {
  const service = await startSampleService({ host: "127.0.0.1", port: 0, name: "v1", ...options });
  running.push(service);
  return service;
}

/** A random that returns the given numbers in turn, forever. */
function sequence(...numbers: number[]): () => number {
  let next = 0;
  return () => numbers[next++ % numbers.length]!;
}

async function timed(url: string): Promise<{ response: Response; elapsedMs: number }> {
  const startedAt = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  return { response, elapsedMs: performance.now() - startedAt };
}

describe("sample service", () => {
  it("answers with its version, the path and an x-served-by header", async () => {
    const service = await start({ name: "blue" });

    const response = await fetch(`${service.url}/orders/7?verbose=1`);

    expect(response.status).toBe(200);
    expect(response.headers.get("x-served-by")).toBe("blue");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ version: "blue", path: "/orders/7" });
    expect(service.address).toEqual({ host: "127.0.0.1", port: expect.any(Number) });
    expect(service.url).toBe(`http://127.0.0.1:${service.address.port}`);
  });

  it("fails the requests whose random draw falls below the error rate", async () => {
    const service = await start({ errorRate: 0.5, random: sequence(0.1, 0.9, 0.49, 0.5) });

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(service.url)).status);

    expect(statuses).toEqual([500, 200, 500, 200]);
    const failure = await fetch(service.url);
    expect(await failure.json()).toEqual({ error: "injected failure", version: "v1" });
  });

  it("waits at least latencyMs plus the drawn share of the jitter", async () => {
    const service = await start({ latencyMs: 60, latencyJitterMs: 100, random: sequence(0.5) });

    const { response, elapsedMs } = await timed(service.url);

    expect(response.status).toBe(200);
    expect(elapsedMs).toBeGreaterThanOrEqual(60 + 50 - 1);
  });

  it("answers /healthz at once and never fails it", async () => {
    const service = await start({ errorRate: 1, latencyMs: 10_000 });

    const response = await fetch(`${service.url}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", version: "v1" });
  });

  it("applies new faults to the next requests", async () => {
    const service = await start();
    expect((await fetch(service.url)).status).toBe(200);

    service.setFaults({ errorRate: 1, latencyMs: 80 });

    const { response, elapsedMs } = await timed(service.url);
    expect(response.status).toBe(500);
    expect(elapsedMs).toBeGreaterThanOrEqual(80 - 1);
    expect(service.faults()).toEqual({ errorRate: 1, latencyMs: 80, latencyJitterMs: 0 });
  });

  it("refuses knobs out of range, saying which and why", async () => {
    await expect(start({ errorRate: 1.5 })).rejects.toThrow("errorRate must be between 0 and 1");
    await expect(start({ errorRate: Number.NaN })).rejects.toThrow("errorRate must be between 0 and 1");
    await expect(start({ latencyMs: -1 })).rejects.toThrow("latencyMs must be a number of milliseconds >= 0, got -1");
    await expect(start({ latencyJitterMs: -5 })).rejects.toThrow("latencyJitterMs must be");
  });

  it("keeps its faults when a change is refused", async () => {
    const service = await start({ errorRate: 0.1 });

    expect(() => service.setFaults({ errorRate: 0.5, latencyMs: -3 })).toThrow("latencyMs");

    expect(service.faults()).toEqual({ errorRate: 0.1, latencyMs: 0, latencyJitterMs: 0 });
  });
});
