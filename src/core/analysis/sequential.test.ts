import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, type Plan, type SequentialSlo } from "../plan.js";
import type { LatencyHistogram, SliSample } from "../sli.js";
import { advanceDetector, detectorEValue } from "./change-detector.js";
import { countLogLikelihoodRatios } from "./count-test.js";
import { atStageStart, initialSequentialState, judgeSequential, laterStartPoints, type SequentialJudgement, type SequentialState } from "./sequential.js";

const BOUNDS = [50, 100, 200, 300, 500];
const histogram = (counts: number[]): LatencyHistogram => ({ boundsMs: BOUNDS, counts });

const ERROR_TEST: SequentialSlo = { sli: "error_rate", test: "sequential", alpha: 0.01, minEffect: 0.1 };
const P99_TEST: SequentialSlo = { sli: "latency_p99", test: "sequential", alpha: 0.01, minEffect: 0.1 };

const PLAN: Plan = {
  name: "t",
  stages: [
    { percent: 10, soakSeconds: 600, progression: "auto" },
    { percent: 50, soakSeconds: 600, progression: "auto" },
    { percent: 100, soakSeconds: 0, progression: "auto" },
  ],
  slos: [ERROR_TEST],
  policy: { ...DEFAULT_POLICY, checkIntervalSeconds: 60 },
};

function sample(requests: number, errors: number, latency?: LatencyHistogram, sampleInterval?: number): SliSample {
  return { requests, errors, latencyMs: {}, ...(latency && { latencyHistogram: latency }), ...(sampleInterval && { sampleInterval }) };
}

function judged(judgement: SequentialJudgement) {
  if (judgement.verdict === "not_applicable") throw new Error(`expected a verdict, got: ${judgement.note}`);
  return judgement;
}

/** Judges a series of checks of one stage, each sample the stage so far, carrying the state along. */
function checks(slo: SequentialSlo, series: [SliSample, SliSample][], state: SequentialState = initialSequentialState()) {
  return series.map(([candidate, stable]) => {
    const judgement = judged(judgeSequential(slo, PLAN, candidate, stable, state));
    state = judgement.state;
    return judgement;
  });
}

describe("laterStartPoints", () => {
  it("is one per check the plan expects while stable still has traffic, after the first", () => {
    expect(laterStartPoints(PLAN)).toBe(19);
  });
});

describe("judgeSequential on error rates", () => {
  it("fails a candidate whose error rate is clearly worse, and says by how much evidence", () => {
    const [judgement] = checks(ERROR_TEST, [[sample(1000, 50), sample(19_000, 95)]]);
    expect(judgement!.verdict).toBe("fail");
    expect(judgement!.evidence).toMatchObject({ counted: "errors", candidate: { trials: 1000, events: 50 }, stable: { trials: 19_000, events: 95 }, threshold: 100, startWeight: 0.5 });
    expect(judgement!.evidence.eValue).toBeGreaterThan(100);
  });

  it("passes a candidate that errs like stable", () => {
    expect(checks(ERROR_TEST, [[sample(1000, 5), sample(19_000, 95)]])[0]!.verdict).toBe("pass");
  });

  it("weighs only what is new at each check: the samples cover the stage so far", () => {
    const [, second] = checks(ERROR_TEST, [
      [sample(1000, 5), sample(9000, 45)],
      [sample(2500, 30), sample(22_000, 100)],
    ]);
    expect(second!.evidence.batch).toEqual({ candidate: { trials: 1500, events: 25 }, stable: { trials: 13_000, events: 55 } });
    expect(second!.evidence.candidate).toEqual({ trials: 2500, events: 30 });
  });

  it("adds up weak evidence over checks and stages until it rejects", () => {
    const weak: [SliSample, SliSample] = [sample(1000, 12), sample(9000, 45)];
    const alone = checks(ERROR_TEST, [weak])[0]!;
    expect(alone.verdict).toBe("pass");
    let state = alone.state;
    const verdicts = [];
    for (let stage = 0; stage < 3; stage++) {
      state = atStageStart(state);
      const judgement = judged(judgeSequential(ERROR_TEST, PLAN, ...weak, state));
      verdicts.push(judgement.verdict);
      state = judgement.state;
    }
    expect(verdicts).toContain("fail");
  });

  it("starts each stage's counts afresh and keeps its detector", () => {
    const [first] = checks(ERROR_TEST, [[sample(1000, 12), sample(9000, 45)]]);
    const next = atStageStart(first!.state);
    expect(next).toEqual({ ...first!.state, counted: null });
    const [second] = checks(ERROR_TEST, [[sample(5000, 10), sample(5000, 10)]], next);
    expect(second!.evidence.batch).toEqual({ candidate: { trials: 5000, events: 10 }, stable: { trials: 5000, events: 10 } });
    expect(second!.evidence.detectorBefore).toEqual(first!.evidence.detector);
  });

  it("can be recomputed from its stored evidence alone", () => {
    const [, judgement] = checks(ERROR_TEST, [
      [sample(500, 4), sample(9500, 40)],
      [sample(3000, 34), sample(17_000, 100)],
    ]);
    const { batch, startWeight, detectorBefore, detector, eValue } = JSON.parse(JSON.stringify(judgement!.evidence));
    const recomputed = advanceDetector(detectorBefore, startWeight, countLogLikelihoodRatios(batch, ERROR_TEST.minEffect));
    recomputed!.forEach((log, i) => expect(log).toBeCloseTo(detector[i], 10));
    expect(detectorEValue(recomputed)).toBeCloseTo(eValue, 10);
  });

  it("weighs sampled counts as the requests the source kept, not the scaled-up estimate", () => {
    const [full] = checks(ERROR_TEST, [[sample(1000, 20), sample(9000, 90)]]);
    const [sampled] = checks(ERROR_TEST, [[sample(1000, 20, undefined, 10), sample(9000, 90, undefined, 10)]]);
    expect(sampled!.evidence.candidate).toEqual({ trials: 100, events: 2 });
    expect(sampled!.evidence.eValue).toBeLessThan(full!.evidence.eValue);
  });

  it("takes no start point at a check that brought nothing new", () => {
    const [first, idle] = checks(ERROR_TEST, [
      [sample(1000, 5), sample(9000, 45)],
      [sample(1000, 5), sample(9000, 45)],
    ]);
    expect(idle!.evidence.startWeight).toBe(0);
    expect(idle!.state.startPoints).toBe(first!.state.startPoints);
    expect(idle!.evidence.detector).toEqual(first!.evidence.detector);
  });
});

describe("judgeSequential on latency", () => {
  const stable = histogram([5000, 3000, 1500, 400, 90, 10]);

  it("tests latency by the candidate's share of requests slower than the bound nearest the pooled quantile", () => {
    // Pooled: 11,000 requests, 200 (1.8%) above 300 ms and 30 (0.3%) above 500 ms: 300 is nearer 1%.
    const slowCandidate = histogram([200, 200, 300, 200, 80, 20]);
    const [judgement] = checks(P99_TEST, [[sample(1000, 0, slowCandidate), sample(10_000, 0, stable)]]);
    expect(judgement).toMatchObject({ verdict: "fail", evidence: { counted: "slow_requests", boundMs: 300 } });
    const sameCandidate = histogram([500, 300, 150, 40, 9, 1]);
    expect(checks(P99_TEST, [[sample(1000, 0, sameCandidate), sample(10_000, 0, stable)]])[0]!.verdict).toBe("pass");
  });

  it("counts each batch at the bound chosen from the data before it", () => {
    const early = histogram([500, 300, 150, 40, 9, 1]);
    const later = histogram([1000, 600, 300, 80, 18, 2]);
    const [first, second] = checks(P99_TEST, [
      [sample(1000, 0, early), sample(10_000, 0, stable)],
      [sample(2000, 0, later), sample(20_000, 0, histogram([10_000, 6000, 3000, 800, 180, 20]))],
    ]);
    expect(second!.evidence.boundMs).toBe(first!.state.boundMs);
    expect(first!.state.counted).toEqual({ candidate: { trials: 1000, events: 10 }, stable: { trials: 10_000, events: 100 } });
    expect(second!.evidence.batch).toEqual({ candidate: { trials: 1000, events: 10 }, stable: { trials: 10_000, events: 100 } });
  });

  it("cannot test latency from quantiles alone, and says what to use instead", () => {
    const judgement = judgeSequential(P99_TEST, PLAN, sample(1000, 0), sample(10_000, 0), initialSequentialState());
    expect(judgement).toMatchObject({ verdict: "not_applicable" });
    if (judgement.verdict === "not_applicable") expect(judgement.note).toMatch(/no histogram.*maxRatioToStable/);
  });

  it("refuses histograms with different buckets", () => {
    const other = { boundsMs: [10, 20, 30, 40, 50], counts: [1, 1, 1, 1, 1, 1] };
    const judgement = judgeSequential(P99_TEST, PLAN, sample(6, 0, other), sample(10_000, 0, stable), initialSequentialState());
    expect(judgement).toMatchObject({ verdict: "not_applicable", note: "the two versions' latency histograms have different buckets" });
  });
});
