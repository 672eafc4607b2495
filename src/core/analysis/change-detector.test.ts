import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { advanceDetector, detectorEValue, type LogDetector, startWeight } from "./change-detector.js";
import { ALTERNATIVE_RATIOS, countLogLikelihoodRatios } from "./count-test.js";

/** Uniform numbers in [0, 1), the same ones for the same seed. */
function uniforms(count: number, seed: number): number[] {
  return fc.sample(fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 })), { seed, numRuns: count }).map((n) => n / 2 ** 31);
}

/** The candidate's share of events when its event rate is `ratio` times stable's. */
const eventShare = (trialShare: number, ratio: number) => (trialShare * ratio) / (trialShare * ratio + 1 - trialShare);

interface Paths {
  paths: number;
  batches: number;
  eventsPerBatch: number;
  trialShare: number;
  /** The candidate's event rate as a multiple of stable's, before and from `changeAt` on. */
  ratioBefore: number;
  ratioAfter: number;
  changeAt: number;
  margin: number;
  alpha: number;
  seed: number;
}

/**
 * Runs `paths` releases of `batches` checks. At every check `eventsPerBatch` more events happen,
 * each the candidate's with the probability its rate gives it, and the detector weighs the batch.
 * Returns, per path, the batch at which the detector reached 1/alpha, or null.
 */
function detections({ paths, batches, eventsPerBatch, trialShare, ratioBefore, ratioAfter, changeAt, margin, alpha, seed }: Paths): (number | null)[] {
  const draws = uniforms(paths * batches * eventsPerBatch, seed);
  const trials = { candidate: 1000 * trialShare, stable: 1000 * (1 - trialShare) };
  return Array.from({ length: paths }, (_, path) => {
    let detector: LogDetector = null;
    for (let batch = 0; batch < batches; batch++) {
      const share = eventShare(trialShare, batch < changeAt ? ratioBefore : ratioAfter);
      let candidateEvents = 0;
      for (let event = 0; event < eventsPerBatch; event++) if (draws[(path * batches + batch) * eventsPerBatch + event]! < share) candidateEvents++;
      const counts = { candidate: { trials: trials.candidate, events: candidateEvents }, stable: { trials: trials.stable, events: eventsPerBatch - candidateEvents } };
      detector = advanceDetector(detector, startWeight(batch, batches - 1), countLogLikelihoodRatios(counts, margin));
      if (detectorEValue(detector) >= 1 / alpha) return batch;
    }
    return null;
  });
}

const rate = (found: (number | null)[]) => found.filter((batch) => batch !== null).length / found.length;
const median = (found: (number | null)[]) => {
  const sorted = found.map((batch) => batch ?? Infinity).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe("startWeight", () => {
  it("spends the whole false-alarm budget and no more: half on the first start point, half over the later ones", () => {
    const later = 179;
    const weights = Array.from({ length: later + 10 }, (_, i) => startWeight(i, later));
    expect(weights[0]).toBe(0.5);
    expect(weights.reduce((sum, weight) => sum + weight, 0)).toBeCloseTo(1, 12);
    expect(weights.slice(later + 1).every((weight) => weight === 0)).toBe(true);
  });
});

describe("advanceDetector", () => {
  it("is the weighted sum, over start points, of the likelihood ratio since each", () => {
    const batches = [
      [0.5, -0.2, 1, 0, 0, 0, 0],
      [-1, 0.3, 0.1, 2, 0, 0, 0],
      [0.2, 0.2, -0.5, 1, 3, 0, 0],
    ];
    const weights = [0.5, 0.1, 0.2];
    let detector: LogDetector = null;
    batches.forEach((batch, i) => (detector = advanceDetector(detector, weights[i]!, batch)));
    ALTERNATIVE_RATIOS.forEach((_, a) => {
      const direct = weights.reduce((sum, weight, start) => sum + weight * Math.exp(batches.slice(start).reduce((log, batch) => log + batch[a]!, 0)), 0);
      expect(Math.exp(detector![a]!)).toBeCloseTo(direct, 10);
    });
  });

  it("has no evidence before its first start point, and keeps an overwhelming one finite", () => {
    expect(detectorEValue(null)).toBe(0);
    expect(advanceDetector(null, 0, ALTERNATIVE_RATIOS.map(() => 1))).toBeNull();
    const huge = advanceDetector(null, 0.5, ALTERNATIVE_RATIOS.map(() => 5000));
    expect(Number.isFinite(detectorEValue(huge))).toBe(true);
  });
});

describe("the change detector over count batches", () => {
  const common = { paths: 2000, batches: 60, eventsPerBatch: 5, trialShare: 0.1, margin: 0.1, alpha: 0.05, changeAt: 0 };

  it("keeps false alarms at most alpha when the candidate is exactly as good, however often it looks", () => {
    expect(rate(detections({ ...common, ratioBefore: 1, ratioAfter: 1, seed: 1 }))).toBeLessThanOrEqual(0.05);
  });

  it("keeps false alarms at most alpha at the edge of the margin: a candidate exactly minEffect worse is not worse", () => {
    expect(rate(detections({ ...common, ratioBefore: 1.1, ratioAfter: 1.1, seed: 2 }))).toBeLessThanOrEqual(0.05);
  });

  it("catches a candidate with three times stable's error rate in nearly every release", () => {
    expect(rate(detections({ ...common, paths: 500, ratioBefore: 3, ratioAfter: 3, alpha: 0.01, seed: 3 }))).toBeGreaterThan(0.95);
  });

  it("catches a regression that starts late about as fast as one present from the start", () => {
    // Many events per check: clean checks weigh heavily against a later regression, as at high traffic.
    const busy = { ...common, paths: 200, batches: 100, eventsPerBatch: 60, trialShare: 0.25, alpha: 0.005, ratioAfter: 2 };
    const fromStart = detections({ ...busy, ratioBefore: 2, seed: 4 });
    const late = detections({ ...busy, ratioBefore: 1, changeAt: 60, seed: 5 }).map((batch) => (batch === null ? null : batch - 60));
    expect(rate(late)).toBeGreaterThan(0.95);
    expect(late.every((batch) => batch === null || batch >= 0)).toBe(true);
    expect(median(late)).toBeLessThanOrEqual(2 * median(fromStart));
  });
});
