import { describe, expect, it } from "vitest";
import { fitLatency, probabilitySlowerThan } from "./latency-model.js";
import { parseScenario, type Scenario } from "./scenario.js";
import { CANDIDATE, DEFAULT_SLICE_SECONDS, STABLE, TrafficWorld, Trajectory } from "./traffic.js";

function scenario(overrides: Record<string, unknown> = {}): Scenario {
  const parsed = parseScenario({
    stable: { errorRate: 0.005, latencyMs: { p50: 40, p99: 250 } },
    candidate: { errorRate: 0.05, latencyMs: { p50: 40, p99: 250 } },
    ...overrides,
  });
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

const HOUR_MS = 3_600_000;

/** One hour of traffic at a fixed split, served and read back whole. */
function hourAt(candidatePercent: number, world: TrafficWorld, run = 0) {
  world.startRun(run);
  const trajectory = new Trajectory(world, HOUR_MS);
  trajectory.advanceTo(HOUR_MS, candidatePercent);
  return { trajectory, measurement: trajectory.measure({ from: 0, to: HOUR_MS }, HOUR_MS) };
}

describe("the traffic model", () => {
  it("serves the scenario's request rate, split by the candidate's percent", () => {
    const { measurement } = hourAt(10, new TrafficWorld(scenario({ traffic: { rps: 100 } }), 1));
    for (const [version, share] of [
      [CANDIDATE, 0.1],
      [STABLE, 0.9],
    ] as const) {
      const expected = share * 100 * 3600;
      // A Poisson count's standard deviation is the square root of its mean.
      expect(Math.abs(measurement.samples!.get(version)!.requests - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
  });

  it("fails requests at each version's error rate, within five standard deviations", () => {
    const { measurement } = hourAt(50, new TrafficWorld(scenario(), 7));
    for (const [version, rate] of [
      [STABLE, 0.005],
      [CANDIDATE, 0.05],
    ] as const) {
      const { requests, errors } = measurement.samples!.get(version)!;
      const deviation = Math.sqrt(requests * rate * (1 - rate));
      expect(Math.abs(errors - requests * rate)).toBeLessThan(5 * deviation);
    }
  });

  it("spreads latencies so the histogram's p50 and p99 land in the buckets holding the scenario's", () => {
    const { measurement } = hourAt(50, new TrafficWorld(scenario({ candidate: { errorRate: 0, latencyMs: { p50: 120, p99: 900 } } }), 3));
    const stable = measurement.samples!.get(STABLE)!.latencyMs;
    const candidate = measurement.samples!.get(CANDIDATE)!.latencyMs;
    // Buckets (30, 50], (200, 300], (100, 150] and (750, 1000] of the local proxy.
    expect(stable.p50).toBeGreaterThan(30);
    expect(stable.p50).toBeLessThanOrEqual(50);
    expect(stable.p99).toBeGreaterThan(200);
    expect(stable.p99).toBeLessThanOrEqual(300);
    expect(candidate.p50).toBeGreaterThan(100);
    expect(candidate.p50).toBeLessThanOrEqual(150);
    expect(candidate.p99).toBeGreaterThan(750);
    expect(candidate.p99).toBeLessThanOrEqual(1000);
  });

  it("fits the log-normal exactly at p50 and p99", () => {
    const model = fitLatency({ p50: 40, p99: 250 });
    expect(probabilitySlowerThan(model, 40)).toBeCloseTo(0.5, 6);
    expect(probabilitySlowerThan(model, 250)).toBeCloseTo(0.01, 6);
    expect(model.bucketProbabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 12);
  });

  it("keeps the histogram in the sample: one count per finite bound plus one for slower requests", () => {
    const { measurement } = hourAt(50, new TrafficWorld(scenario(), 1));
    const { latencyHistogram, requests } = measurement.samples!.get(STABLE)!;
    expect(latencyHistogram!.counts).toHaveLength(latencyHistogram!.boundsMs.length + 1);
    expect(latencyHistogram!.boundsMs.every(Number.isFinite)).toBe(true);
    expect(latencyHistogram!.counts.reduce((sum, count) => sum + count, 0)).toBe(requests);
  });

  it("scales sampled counts up by the sample interval, as Cloudflare's adaptive sampling reports them", () => {
    const { trajectory, measurement } = hourAt(50, new TrafficWorld(scenario({ metrics: { sampling: 0.25 } }), 5));
    const sample = measurement.samples!.get(CANDIDATE)!;
    expect(sample.sampleInterval).toBe(4);
    expect(sample.requests % 4).toBe(0);
    const served = trajectory.candidateRequestsServedSince(0);
    expect(Math.abs(sample.requests - served)).toBeLessThan(5 * Math.sqrt(served * 0.75 * 4 * 4 * 0.25));
  });

  it("leaves a version that served nothing out of the samples, as real sources do", () => {
    const { measurement } = hourAt(100, new TrafficWorld(scenario(), 1));
    expect([...measurement.samples!.keys()]).toEqual([CANDIDATE]);
  });

  it("has nothing to report until the lag has passed the window's start", () => {
    const world = new TrafficWorld(scenario({ metrics: { lag: "60s" } }), 1);
    world.startRun(0);
    const trajectory = new Trajectory(world, HOUR_MS);
    const stageStart = 10 * 60_000;
    trajectory.advanceTo(stageStart + 60_000, 5);
    expect(trajectory.measure({ from: stageStart, to: stageStart + 60_000 }, stageStart + 60_000)).toMatchObject({
      samples: null,
      error: expect.stringContaining("lags 60s"),
    });
    trajectory.advanceTo(stageStart + 120_000, 5);
    const { samples } = trajectory.measure({ from: stageStart, to: stageStart + 120_000 }, stageStart + 120_000);
    // Only the settled first minute counts: about 200 rps x 60 s.
    expect(samples!.get(STABLE)!.requests + samples!.get(CANDIDATE)!.requests).toBeGreaterThan(10_000);
    expect(samples!.get(STABLE)!.requests + samples!.get(CANDIDATE)!.requests).toBeLessThan(14_000);
  });

  it("draws the same requests for the same (seed, run, slice, split), whatever was drawn before", () => {
    const first = new TrafficWorld(scenario(), 42);
    const second = new TrafficWorld(scenario(), 42);
    first.startRun(3);
    second.startRun(3);
    const later = [...first.slice(90, 25)];
    second.slice(10, 5);
    second.slice(90, 50);
    expect([...second.slice(90, 25)]).toEqual(later);
  });

  it("draws different requests for another seed or run", () => {
    const world = new TrafficWorld(scenario(), 42);
    world.startRun(0);
    const slice = [...world.slice(10, 50)];
    world.startRun(1);
    expect([...world.slice(10, 50)]).not.toEqual(slice);
    const other = new TrafficWorld(scenario(), 43);
    other.startRun(0);
    expect([...other.slice(10, 50)]).not.toEqual(slice);
  });

  it("keeps the candidate on stable's behaviour until the regression starts", () => {
    const world = new TrafficWorld(scenario({ regressionStartsAfter: "30m" }), 9);
    world.startRun(0);
    const trajectory = new Trajectory(world, HOUR_MS);
    trajectory.advanceTo(HOUR_MS, 50);
    const halfHour = HOUR_MS / 2;
    const before = trajectory.measure({ from: 0, to: halfHour }, HOUR_MS).samples!.get(CANDIDATE)!;
    const after = trajectory.measure({ from: halfHour, to: HOUR_MS }, HOUR_MS).samples!.get(CANDIDATE)!;
    expect(before.errors / before.requests).toBeLessThan(0.01);
    expect(after.errors / after.requests).toBeGreaterThan(0.04);
    expect(world.firstBadSlice).toBe(halfHour / (DEFAULT_SLICE_SECONDS * 1000));
  });
});
