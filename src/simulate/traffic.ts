import { quantileFromHistogram } from "../core/histogram.js";
import type { SliSample } from "../core/sli.js";
import { BUCKET_BOUNDS_MS, FINITE_BUCKET_BOUNDS_MS, fitLatency, type LatencyModel } from "./latency-model.js";
import { hashSeed, RandomStream } from "./random.js";
import type { Scenario, VersionBehaviour } from "./scenario.js";

/** The slice length when nothing calls for another: short enough that any window snaps closely. */
export const DEFAULT_SLICE_SECONDS = 5;

export const STABLE = "stable";
export const CANDIDATE = "candidate";

const BUCKETS = BUCKET_BOUNDS_MS.length;
// Per version and slice: requests served, requests the metrics source saw, errors it saw, its latency buckets.
const SERVED = 0;
const SEEN = 1;
const SEEN_ERRORS = 2;
const FIRST_BUCKET = 3;
const VERSION_STRIDE = FIRST_BUCKET + BUCKETS;
const SLICE_STRIDE = 2 * VERSION_STRIDE;
const VERSION_OFFSETS = { [STABLE]: 0, [CANDIDATE]: VERSION_STRIDE } as const;

interface VersionModel {
  errorRate: number;
  latency: LatencyModel;
}

function versionModel(behaviour: VersionBehaviour): VersionModel {
  return { errorRate: behaviour.errorRate, latency: fitLatency(behaviour.latencyMs) };
}

/**
 * The requests of one simulated run, slice by slice. A slice's randomness is a function of
 * (seed, run, slice, version) and the candidate's percent alone, so every policy that serves the
 * same split at the same moment sees the same requests (common random numbers); slices are
 * memoised per (slice, percent) within a run.
 */
export class TrafficWorld {
  private readonly random = new RandomStream();
  private readonly stable: VersionModel;
  private readonly candidate: VersionModel;
  private readonly regressionSlice: number;
  private run = 0;
  private phaseSeconds = 0;
  private readonly memo = new Map<number, Float64Array>();
  /** Slice buffers reused from run to run, so a long simulation does not churn the garbage collector. */
  private readonly pool: Float64Array[] = [];
  private pooledInUse = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly seed: number,
    readonly sliceSeconds = DEFAULT_SLICE_SECONDS,
  ) {
    this.stable = versionModel(scenario.stable);
    this.candidate = versionModel(scenario.candidate);
    this.regressionSlice = Math.ceil(scenario.regressionStartsAfterSeconds / sliceSeconds);
  }

  get sliceMs(): number {
    return this.sliceSeconds * 1000;
  }

  get lagMs(): number {
    return this.scenario.metrics.lagSeconds * 1000;
  }

  get sampling(): number {
    return this.scenario.metrics.sampling;
  }

  /** The first slice in which the candidate misbehaves. */
  get firstBadSlice(): number {
    return this.regressionSlice;
  }

  startRun(run: number): void {
    this.run = run;
    this.memo.clear();
    this.pooledInUse = 0;
    const period = this.scenario.traffic.diurnal?.periodSeconds ?? 0;
    this.random.reseed(hashSeed(this.seed, run, -1));
    this.phaseSeconds = this.random.uniform() * period;
  }

  /** The traffic of one slice at the candidate's percent; read it with the offsets above. */
  slice(index: number, candidatePercent: number): Float64Array {
    const key = index * 10_001 + Math.round(candidatePercent * 100);
    const known = this.memo.get(key);
    if (known) return known;
    const traffic = this.freshBuffer();
    const requestsExpected = this.rate(index) * this.sliceSeconds;
    const share = candidatePercent / 100;
    const candidate = index >= this.regressionSlice ? this.candidate : this.stable;
    this.fillVersion(traffic, VERSION_OFFSETS[STABLE], index, 0, requestsExpected * (1 - share), this.stable);
    this.fillVersion(traffic, VERSION_OFFSETS[CANDIDATE], index, 1, requestsExpected * share, candidate);
    this.memo.set(key, traffic);
    return traffic;
  }

  private freshBuffer(): Float64Array {
    if (this.pooledInUse === this.pool.length) this.pool.push(new Float64Array(SLICE_STRIDE));
    const buffer = this.pool[this.pooledInUse++]!;
    buffer.fill(0);
    return buffer;
  }

  /** Requests per second at the middle of the slice. */
  private rate(index: number): number {
    const { rps, diurnal } = this.scenario.traffic;
    if (!diurnal) return rps;
    const t = (index + 0.5) * this.sliceSeconds + this.phaseSeconds;
    return rps * (1 + diurnal.amplitude * Math.sin((2 * Math.PI * t) / diurnal.periodSeconds));
  }

  private fillVersion(traffic: Float64Array, offset: number, index: number, stream: number, mean: number, model: VersionModel) {
    const { random } = this;
    const { sampling } = this.scenario.metrics;
    random.reseed(hashSeed(this.seed, this.run, index, stream));
    const served = random.poisson(mean);
    const seen = sampling < 1 ? random.binomial(served, sampling) : served;
    traffic[offset + SERVED] = served;
    traffic[offset + SEEN] = seen;
    traffic[offset + SEEN_ERRORS] = random.binomial(seen, model.errorRate);
    random.multinomialInto(seen, model.latency.bucketProbabilities, traffic, offset + FIRST_BUCKET);
  }
}

export type Measurement = { samples: Map<string, SliSample>; error?: undefined } | { samples: null; error: string };

/**
 * The slices one policy served, kept as prefix sums so a window is one subtraction. It is the
 * policy's view of the run: its own splits over time, read through the scenario's lagging,
 * sampling metrics source.
 */
export class Trajectory {
  private readonly totals: Float64Array;
  private readonly horizonSlices: number;
  private slices = 0;

  /** Serves slices up to `horizonMs` (rounded up to a whole slice) and no further. */
  constructor(
    private readonly world: TrafficWorld,
    horizonMs: number,
  ) {
    this.horizonSlices = Math.ceil(horizonMs / world.sliceMs);
    this.totals = new Float64Array((this.horizonSlices + 1) * SLICE_STRIDE);
  }

  /** How long a release may run in virtual time before it counts as unfinished. */
  get horizonMs(): number {
    return this.horizonSlices * this.world.sliceMs;
  }

  get lagMs(): number {
    return this.world.lagMs;
  }

  reset(): void {
    this.slices = 0;
  }

  /** Serves every slice that starts before `ms` at the candidate's percent. */
  advanceTo(ms: number, candidatePercent: number): void {
    const until = Math.min(this.horizonSlices, Math.ceil(ms / this.world.sliceMs));
    const { totals } = this;
    for (; this.slices < until; this.slices++) {
      const traffic = this.world.slice(this.slices, candidatePercent);
      const before = this.slices * SLICE_STRIDE;
      const after = before + SLICE_STRIDE;
      for (let i = 0; i < SLICE_STRIDE; i++) totals[after + i] = totals[before + i]! + traffic[i]!;
    }
  }

  /** What the metrics source reports at `nowMs` for the window: its end is clipped to what has settled. */
  measure(window: { from: number; to: number }, nowMs: number): Measurement {
    const settledUntil = nowMs - this.world.lagMs;
    if (settledUntil <= window.from) {
      return {
        samples: null,
        error: `the metrics for this window are not in yet: the source lags ${this.world.lagMs / 1000}s behind`,
      };
    }
    const { sliceMs } = this.world;
    const from = Math.round(window.from / sliceMs);
    const to = Math.min(this.slices, Math.round(Math.min(window.to, settledUntil) / sliceMs));
    const samples = new Map<string, SliSample>();
    for (const version of [STABLE, CANDIDATE] as const) {
      const sample = to > from ? this.sampleOf(VERSION_OFFSETS[version], from, to) : undefined;
      if (sample) samples.set(version, sample);
    }
    return { samples };
  }

  /** Candidate requests served from slice `from` up to the slices served so far. */
  candidateRequestsServedSince(from: number): number {
    if (from >= this.slices) return 0;
    const offset = VERSION_OFFSETS[CANDIDATE] + SERVED;
    return this.totals[this.slices * SLICE_STRIDE + offset]! - this.totals[from * SLICE_STRIDE + offset]!;
  }

  private sampleOf(offset: number, from: number, to: number): SliSample | undefined {
    const { totals } = this;
    const at = (slice: number, field: number) => totals[slice * SLICE_STRIDE + offset + field]!;
    const seen = at(to, SEEN) - at(from, SEEN);
    if (seen === 0) return undefined;
    const { sampling } = this.world;
    const scale = 1 / sampling;
    const counts = Array.from({ length: BUCKETS }, (_, i) => (at(to, FIRST_BUCKET + i) - at(from, FIRST_BUCKET + i)) * scale);
    const quantile = (q: number) => quantileFromHistogram(BUCKET_BOUNDS_MS, counts, q);
    return {
      requests: seen * scale,
      errors: (at(to, SEEN_ERRORS) - at(from, SEEN_ERRORS)) * scale,
      latencyMs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), p999: quantile(0.999) },
      latencyHistogram: { boundsMs: FINITE_BUCKET_BOUNDS_MS, counts },
      ...(sampling < 1 && { sampleInterval: scale }),
    };
  }
}
