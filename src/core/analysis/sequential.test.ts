import { describe, expect, it } from "vitest";
import type { SequentialSlo } from "../plan.js";
import type { LatencyHistogram, SliSample } from "../sli.js";
import { addLogRatios, countLogLikelihoodRatios, mixtureEValue, noEvidence } from "./count-test.js";
import { judgeSequential } from "./sequential.js";
import { slowRequestCounts } from "./slow-requests.js";

const BOUNDS = [50, 100, 200, 300, 500];
const histogram = (counts: number[]): LatencyHistogram => ({ boundsMs: BOUNDS, counts });
const ERROR_TEST: SequentialSlo = { sli: "error_rate", test: "sequential", alpha: 0.01, minEffect: 0.1 };
const P99_TEST: SequentialSlo = { sli: "latency_p99", test: "sequential", alpha: 0.01, minEffect: 0.1 };

function sample(requests: number, errors: number, latency?: LatencyHistogram, sampleInterval?: number): SliSample {
  return { requests, errors, latencyMs: {}, ...(latency && { latencyHistogram: latency }), ...(sampleInterval && { sampleInterval }) };
}

describe("slowRequestCounts", () => {
  it("counts each version's requests above the bound nearest the pooled quantile", () => {
    // Pooled: 2000 requests; 40 (2%) above 200 ms, 16 (0.8%) above 300 ms: 300 is nearer 1%.
    const stable = histogram([1500, 250, 120, 20, 8, 2]);
    const candidate = histogram([50, 30, 10, 4, 4, 2]);
    expect(slowRequestCounts(candidate, stable, 0.99)).toEqual({
      boundMs: 300,
      candidate: { trials: 100, events: 6 },
      stable: { trials: 1900, events: 10 },
    });
  });

  it("refuses histograms with different buckets", () => {
    const other = { boundsMs: [10, 20, 30, 40, 50], counts: [1, 1, 1, 1, 1, 1] };
    expect(slowRequestCounts(other, histogram([1, 1, 1, 1, 1, 1]), 0.99)).toBeInstanceOf(Error);
  });

  it("has no slow requests when every request is in the first bucket", () => {
    const counts = slowRequestCounts(histogram([10, 0, 0, 0, 0, 0]), histogram([90, 0, 0, 0, 0, 0]), 0.99);
    expect(counts).toMatchObject({ candidate: { events: 0 }, stable: { events: 0 } });
  });
});

describe("judgeSequential", () => {
  it("fails a candidate whose error rate is clearly worse, and says by how much evidence", () => {
    const judgement = judgeSequential(ERROR_TEST, sample(1000, 50), sample(19_000, 95), noEvidence());
    expect(judgement.verdict).toBe("fail");
    if (judgement.verdict === "not_applicable") return;
    expect(judgement.evidence).toMatchObject({ counted: "errors", candidate: { trials: 1000, events: 50 }, stable: { trials: 19_000, events: 95 }, threshold: 100 });
    expect(judgement.evidence.eValue).toBeGreaterThan(100);
  });

  it("passes a candidate that errs like stable", () => {
    expect(judgeSequential(ERROR_TEST, sample(1000, 5), sample(19_000, 95), noEvidence()).verdict).toBe("pass");
  });

  it("adds the evidence of earlier stages: weak evidence in two stages can reject together", () => {
    const stage = { candidate: sample(1000, 12), stable: sample(9000, 45) };
    const alone = judgeSequential(ERROR_TEST, stage.candidate, stage.stable, noEvidence());
    expect(alone.verdict).toBe("pass");
    if (alone.verdict === "not_applicable") return;
    const earlier = addLogRatios(alone.evidence.stageLogLikelihoodRatios, alone.evidence.stageLogLikelihoodRatios);
    const third = judgeSequential(ERROR_TEST, stage.candidate, stage.stable, earlier);
    expect(third.verdict).toBe("fail");
  });

  it("can be recomputed from its stored evidence alone", () => {
    const earlier = countLogLikelihoodRatios({ candidate: { trials: 500, events: 4 }, stable: { trials: 9500, events: 40 } }, 0.1);
    const judgement = judgeSequential(ERROR_TEST, sample(2500, 30), sample(7500, 60), earlier);
    if (judgement.verdict === "not_applicable") throw new Error("expected a verdict");
    const { candidate, stable, earlierStagesLogLikelihoodRatios, eValue } = JSON.parse(JSON.stringify(judgement.evidence));
    const recomputed = mixtureEValue(addLogRatios(earlierStagesLogLikelihoodRatios, countLogLikelihoodRatios({ candidate, stable }, ERROR_TEST.minEffect)));
    expect(recomputed).toBeCloseTo(eValue, 10);
  });

  it("weighs sampled counts as the requests the source saw, not the scaled-up estimate", () => {
    const full = judgeSequential(ERROR_TEST, sample(1000, 20), sample(9000, 90), noEvidence());
    const sampled = judgeSequential(ERROR_TEST, sample(1000, 20, undefined, 10), sample(9000, 90, undefined, 10), noEvidence());
    if (full.verdict === "not_applicable" || sampled.verdict === "not_applicable") throw new Error("expected verdicts");
    expect(sampled.evidence.candidate).toEqual({ trials: 100, events: 2 });
    expect(sampled.evidence.eValue).toBeLessThan(full.evidence.eValue);
  });

  it("tests latency by the candidate's share of slow requests", () => {
    const stable = histogram([5000, 3000, 1500, 400, 90, 10]);
    const slowCandidate = histogram([200, 200, 300, 200, 80, 20]);
    const judgement = judgeSequential(P99_TEST, sample(1000, 0, slowCandidate), sample(10_000, 0, stable), noEvidence());
    expect(judgement).toMatchObject({ verdict: "fail", evidence: { counted: "slow_requests" } });
    const sameCandidate = histogram([500, 300, 150, 40, 9, 1]);
    expect(judgeSequential(P99_TEST, sample(1000, 0, sameCandidate), sample(10_000, 0, stable), noEvidence()).verdict).toBe("pass");
  });

  it("cannot test latency from quantiles alone, and says what to use instead", () => {
    const judgement = judgeSequential(P99_TEST, sample(1000, 0), sample(10_000, 0), noEvidence());
    expect(judgement).toMatchObject({ verdict: "not_applicable" });
    if (judgement.verdict === "not_applicable") expect(judgement.note).toMatch(/no histogram.*maxRatioToStable/);
  });
});
