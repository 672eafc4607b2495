import { describe, expect, it } from "vitest";
import type { SliSample } from "../../core/sli.js";
import type { MetricsSource } from "../types.js";
import { GraphqlAnalyticsSource } from "./graphql-analytics.js";
import { ObservabilitySource } from "./observability.js";
import type { BehaviourChange, StartSimulatorOptions } from "./simulator/index.js";
import { type SimulatedWorker, simulatedWorker, WORKER } from "./test-harness.js";

const STABLE: BehaviourChange = { errorRate: 0.02, clientDisconnectRate: 0.05, latencyMs: { p50: 30, p99: 150 } };
const CANDIDATE: BehaviourChange = { errorRate: 0.2, clientDisconnectRate: 0, latencyMs: { p50: 60, p99: 300 } };
const RPS = 100;
/** The share of the stable version's requests that count: its clients hang up on 5% of those that do not fail. */
const STABLE_COUNTED = 1 - 0.05 * (1 - 0.02);

const SOURCES = {
  graphql: (worker: SimulatedWorker, lagSeconds: number) => new GraphqlAnalyticsSource(worker.api(), { clock: worker.clock, lagSeconds }),
  observability: (worker: SimulatedWorker, lagSeconds: number) => new ObservabilitySource(worker.api(), { clock: worker.clock, lagSeconds }),
} satisfies Record<string, (worker: SimulatedWorker, lagSeconds: number) => MetricsSource>;

/**
 * Ten minutes of a 50/50 split between a healthy stable version and a failing, slower candidate;
 * the clock stops `secondsAfter` the window.
 */
async function halfwayRollout(simulator: StartSimulatorOptions = {}, secondsAfter = 60) {
  const worker = await simulatedWorker({ rps: RPS, versions: [{ behaviour: STABLE }, { behaviour: CANDIDATE }] }, simulator);
  const [stable, candidate] = worker.versionIds as [string, string];
  worker.control.deployByHand(WORKER, [
    { version_id: stable, percentage: 50 },
    { version_id: candidate, percentage: 50 },
  ]);
  const from = new Date(Math.ceil(worker.clock.now() / 1000) * 1000 + 1000);
  const to = new Date(from.getTime() + 600_000);
  worker.clock.time = to.getTime() + secondsAfter * 1000;
  return { worker, stable, candidate, window: { from, to } };
}

function expectAbout(actual: number, expected: number, tolerance: number) {
  expect(Math.abs(actual / expected - 1)).toBeLessThan(tolerance);
}

function expectVersionSample(sample: SliSample | undefined, requests: number, errorRate: number, latency: { p50: number; p99: number }) {
  expect(sample).toBeDefined();
  expectAbout(sample!.requests, requests, 0.03);
  // Four standard deviations of an error rate of 0.2 over 30,000 requests.
  expect(Math.abs(sample!.errors / sample!.requests - errorRate)).toBeLessThan(0.01);
  expectAbout(sample!.latencyMs.p50!, latency.p50, 0.15);
  expectAbout(sample!.latencyMs.p99!, latency.p99, 0.2);
  expect(sample!.latencyMs.p50!).toBeLessThan(sample!.latencyMs.p90!);
  expect(sample!.latencyMs.p99!).toBeLessThanOrEqual(sample!.latencyMs.p999!);
}

describe.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])("%s metrics against the simulator", (name) => {
  it("measures each version on its own: requests and errors (client hang-ups left out of both) and latency in ms", async () => {
    const { worker, stable, candidate, window } = await halfwayRollout();
    const samples = await SOURCES[name](worker, 60).query(window, [stable, candidate]);
    // A client hanging up (5% of the stable version's requests that do not fail) counts neither way.
    expectVersionSample(samples.get(stable), 30_000 * STABLE_COUNTED, 0.02 / STABLE_COUNTED, STABLE.latencyMs as { p50: number; p99: number });
    expectVersionSample(samples.get(candidate), 30_000, 0.2, CANDIDATE.latencyMs as { p50: number; p99: number });
  });

  it("leaves out a version that had no traffic", async () => {
    const { worker, stable, window } = await halfwayRollout();
    const idle = worker.control.addVersion(WORKER).id;
    const samples = await SOURCES[name](worker, 60).query(window, [stable, idle]);
    expect([...samples.keys()]).toEqual([stable]);
  });

  it("reads only the part of the window the source has filled, and nothing when none of it is in", async () => {
    const { worker, stable, candidate, window } = await halfwayRollout({ lagSeconds: 60 }, 0);
    const samples = await SOURCES[name](worker, 60).query(window, [stable, candidate]);
    expectAbout(samples.get(stable)!.requests, 27_000 * STABLE_COUNTED, 0.03);

    const recent = { from: new Date(window.to.getTime() - 30_000), to: window.to };
    const error = await SOURCES[name](worker, 60).query(recent, [stable]).catch((thrown: Error & { retryable?: boolean }) => thrown);
    expect(error).toMatchObject({ retryable: true, message: expect.stringMatching(/^the metrics for this window are not in yet/) });
  });

  it("scales sampled counts up to estimates", async () => {
    const { worker, stable, candidate, window } = await halfwayRollout({ sampleInterval: 4 });
    const samples = await SOURCES[name](worker, 60).query(window, [stable, candidate]);
    expectAbout(samples.get(stable)!.requests, 30_000 * STABLE_COUNTED, 0.04);
    expect(samples.get(candidate)!.errors / samples.get(candidate)!.requests).toBeCloseTo(0.2, 1);
  });
});
