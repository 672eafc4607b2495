import { describe, expect, it } from "vitest";
import { describeFailures, evaluateCheck, type Check } from "./check.js";
import { DEFAULT_POLICY, type Plan, type Slo } from "./plan.js";
import type { SliSample } from "./sli.js";

const STABLE = "v1";
const CANDIDATE = "v2";

function planWith(slos: Slo[], minRequests = 100): Plan {
  return {
    name: "t",
    stages: [
      { percent: 10, soakSeconds: 600, progression: "auto" },
      { percent: 100, soakSeconds: 0, progression: "auto" },
    ],
    slos,
    policy: { ...DEFAULT_POLICY, minRequests },
  };
}

function sample(requests: number, errorRate = 0, latencyMs: SliSample["latencyMs"] = { p50: 20, p90: 50, p99: 100, p999: 200 }): SliSample {
  return { requests, errors: Math.round(requests * errorRate), latencyMs };
}

function check(
  slos: Slo[],
  samples: { stable?: SliSample; candidate?: SliSample },
  options: { candidatePercent?: number; minRequests?: number } = {},
): Check {
  const map = new Map<string, SliSample>();
  if (samples.stable) map.set(STABLE, samples.stable);
  if (samples.candidate) map.set(CANDIDATE, samples.candidate);
  return evaluateCheck(
    {
      plan: planWith(slos, options.minRequests ?? 100),
      stable: STABLE,
      candidate: CANDIDATE,
      candidatePercent: options.candidatePercent ?? 10,
      stageIndex: 0,
      window: { from: 1_000, to: 61_000 },
      evidence: [],
      at: 61_000,
    },
    map,
  ).check;
}

describe("absolute SLOs", () => {
  const slo: Slo = { sli: "error_rate", max: 0.01 };

  it("pass at the limit and fail above it", () => {
    expect(check([slo], { stable: sample(1000), candidate: sample(1000, 0.01) }).verdict).toBe("pass");
    expect(check([slo], { stable: sample(1000), candidate: sample(1000, 0.011) }).verdict).toBe("fail");
  });

  it("judge the candidate only, whatever the stable version does", () => {
    expect(check([slo], { stable: sample(1000, 0.5), candidate: sample(1000, 0) }).verdict).toBe("pass");
  });

  it("judge latency in milliseconds", () => {
    const latency: Slo = { sli: "latency_p99", max: 2000 };
    expect(check([latency], { stable: sample(500), candidate: sample(500, 0, { p99: 1999 }) }).verdict).toBe("pass");
    expect(check([latency], { stable: sample(500), candidate: sample(500, 0, { p99: 2500 }) }).verdict).toBe("fail");
  });

  it("record the numbers behind the verdict", () => {
    const result = check([slo], { stable: sample(1000, 0.002), candidate: sample(1000, 0.05) });
    expect(result.results).toEqual([
      expect.objectContaining({ slo, verdict: "fail", candidate: 0.05, stable: 0.002, threshold: 0.01, rule: "error_rate <= 0.01" }),
    ]);
    expect(result.samples).toEqual({ stable: sample(1000, 0.002), candidate: sample(1000, 0.05) });
    expect(result.window).toEqual({ from: 1_000, to: 61_000 });
    expect(result.at).toBe(61_000);
    expect(result.note).toBeNull();
  });

  it("still apply at a 100% stage", () => {
    expect(check([slo], { candidate: sample(1000, 0.02) }, { candidatePercent: 100 }).verdict).toBe("fail");
    expect(check([slo], { candidate: sample(1000, 0) }, { candidatePercent: 100 }).verdict).toBe("pass");
  });
});

describe("relative SLOs", () => {
  const slo: Slo = { sli: "latency_p99", maxRatioToStable: 1.5 };

  it("hold the candidate to a multiple of the stable version", () => {
    expect(check([slo], { stable: sample(500, 0, { p99: 100 }), candidate: sample(500, 0, { p99: 150 }) }).verdict).toBe("pass");
    const failed = check([slo], { stable: sample(500, 0, { p99: 100 }), candidate: sample(500, 0, { p99: 151 }) });
    expect(failed.verdict).toBe("fail");
    expect(failed.results[0]).toMatchObject({ candidate: 151, stable: 100, threshold: 150, verdict: "fail" });
  });

  it("compare error rates", () => {
    const errors: Slo = { sli: "error_rate", maxRatioToStable: 2 };
    expect(check([errors], { stable: sample(1000, 0.01), candidate: sample(1000, 0.02) }).verdict).toBe("pass");
    expect(check([errors], { stable: sample(1000, 0.01), candidate: sample(1000, 0.03) }).verdict).toBe("fail");
  });

  it("are not applicable at a 100% stage, where the stable version has no traffic", () => {
    const result = check([slo, { sli: "error_rate", max: 0.01 }], { candidate: sample(1000, 0, { p99: 900 }) }, { candidatePercent: 100 });
    expect(result.results[0]).toMatchObject({ verdict: "not_applicable", stable: null, threshold: null });
    expect(result.verdict).toBe("pass");
  });

  it("ignore a stray stable sample at a 100% stage", () => {
    const result = check([slo], { stable: sample(5, 0, { p99: 10 }), candidate: sample(1000, 0, { p99: 900 }) }, { candidatePercent: 100 });
    expect(result.results[0]!.verdict).toBe("not_applicable");
    expect(result.verdict).toBe("pass");
  });
});

describe("sequential SLOs", () => {
  const slo: Slo = { sli: "error_rate", test: "sequential", alpha: 0.01, minEffect: 0.1 };

  it("fail on clear evidence that the candidate is worse, and keep the numbers behind it", () => {
    const result = check([slo], { stable: sample(9000, 0.005), candidate: sample(1000, 0.05) });
    expect(result.verdict).toBe("fail");
    expect(result.results[0]).toMatchObject({
      rule: "error_rate not worse than stable + 10% (sequential test, alpha 0.01)",
      candidate: 0.05,
      stable: 0.005,
      evidence: { counted: "errors", candidate: { trials: 1000, events: 50 }, stable: { trials: 9000, events: 45 }, threshold: 100 },
    });
  });

  it("are not applicable at a 100% stage, where there is no stable traffic to compare with", () => {
    const result = check([slo], { candidate: sample(1000, 0.05) }, { candidatePercent: 100 });
    expect(result.results[0]!.verdict).toBe("not_applicable");
  });

  it("reject on thin data when the evidence is overwhelming: the test is valid at any count", () => {
    const result = check([slo], { stable: sample(900, 0.005), candidate: sample(50, 0.5) });
    expect(result.verdict).toBe("fail");
    expect(result.results[0]).toMatchObject({ verdict: "fail", evidence: { candidate: { trials: 50, events: 25 } } });
    expect(result.results[0]!.evidence!.eValue).toBeGreaterThanOrEqual(100);
  });

  it("never pass on thin data: weak evidence leaves the check without a verdict", () => {
    const result = check([slo], { stable: sample(900, 0.005), candidate: sample(50, 0.02) });
    expect(result.verdict).toBe("insufficient_data");
    expect(result.results[0]).toMatchObject({ verdict: "insufficient_data", evidence: { candidate: { trials: 50, events: 1 } } });
  });

  it("let a thin-data rejection through while every other SLO stays held back", () => {
    const absolute: Slo = { sli: "error_rate", max: 0.9 };
    const result = check([slo, absolute], { stable: sample(900, 0.005), candidate: sample(50, 0.5) });
    expect(result.results.map((r) => r.verdict)).toEqual(["fail", "insufficient_data"]);
  });
});

describe("sampled metrics", () => {
  const sampled = (requests: number, sampleInterval: number, errorRate = 0): SliSample => ({ ...sample(requests, errorRate), sampleInterval });

  it("gate on the requests the source kept, not its scaled-up estimate", () => {
    const slos: Slo[] = [{ sli: "error_rate", max: 0.01 }];
    const thin = check(slos, { stable: sampled(10_000, 10), candidate: sampled(990, 10) });
    expect(thin.verdict).toBe("insufficient_data");
    expect(thin.note).toBe("v2 served about 990 requests, 99 of them kept by the source's sampling in the window; a verdict needs 100 each");
    expect(check(slos, { stable: sampled(10_000, 10), candidate: sampled(1000, 10) }).verdict).toBe("pass");
  });

  it("judge a p99 only from 500 kept requests per version", () => {
    const p99: Slo = { sli: "latency_p99", maxRatioToStable: 1.5 };
    const slow = { p50: 20, p90: 50, p99: 400, p999: 900 };
    const thin = check([p99], { stable: sampled(50_000, 10), candidate: { ...sampled(4990, 10), latencyMs: slow } });
    expect(thin.verdict).toBe("insufficient_data");
    expect(thin.results[0]!.note).toBe("latency_p99 needs 500 requests per version to judge; v2 served about 4,990 requests, 499 of them kept by the source's sampling");
    expect(check([p99], { stable: sampled(50_000, 10), candidate: { ...sampled(5000, 10), latencyMs: slow } }).verdict).toBe("fail");
  });
});

describe("outcomes a source reports", () => {
  it("are told in the note, class by class, with the values unknown to Glidepath named", () => {
    const streaming: SliSample = {
      ...sample(10_000, 0.004),
      outcomes: [
        { outcome: "ok", class: "success", requests: 9960, known: true },
        { outcome: "exception", class: "error", requests: 38, known: true },
        { outcome: "mystery", class: "error", requests: 2, known: false },
        { outcome: "responseStreamDisconnected", class: "not_counted", requests: 312, known: true },
      ],
    };
    const result = check([{ sli: "error_rate", max: 0.01 }], { stable: sample(90_000, 0.004), candidate: streaming });
    expect(result.verdict).toBe("pass");
    expect(result.note).toBe(
      'v2: 9,960 successful, 40 errors (38 exception, 2 "mystery", unknown to Glidepath), 312 not counted as the client\'s doing (312 responseStreamDisconnected)',
    );
  });
});

describe("minRequests", () => {
  const slos: Slo[] = [{ sli: "error_rate", max: 0.01 }];

  it("gives no verdict while the candidate has fewer requests than minRequests", () => {
    const result = check(slos, { stable: sample(1000), candidate: sample(99, 0.5) });
    expect(result.verdict).toBe("insufficient_data");
    expect(result.note).toContain("v2");
    expect(result.note).toContain("99");
    expect(result.results.every((r) => r.verdict === "insufficient_data")).toBe(true);
  });

  it("gives no verdict while the stable version, which has traffic, is thin", () => {
    const result = check(slos, { stable: sample(10), candidate: sample(1000) });
    expect(result.verdict).toBe("insufficient_data");
    expect(result.note).toContain("v1");
  });

  it("gives no verdict when a version is missing from the samples", () => {
    expect(check(slos, { candidate: sample(1000) }).verdict).toBe("insufficient_data");
    expect(check(slos, { stable: sample(1000) }).verdict).toBe("insufficient_data");
  });

  it("does not pass a thin check even when every number looks fine", () => {
    expect(check(slos, { stable: sample(99), candidate: sample(99) }).verdict).toBe("insufficient_data");
  });

  it("gives a verdict at exactly minRequests", () => {
    expect(check(slos, { stable: sample(100), candidate: sample(100) }).verdict).toBe("pass");
  });

  it("does not ask for stable requests at a 100% stage", () => {
    expect(check(slos, { candidate: sample(100) }, { candidatePercent: 100 }).verdict).toBe("pass");
  });

  it("with minRequests 0 still needs at least one request to know the error rate", () => {
    expect(check(slos, { stable: sample(0), candidate: sample(0) }, { minRequests: 0 }).verdict).toBe("insufficient_data");
  });
});

describe("a latency quantile the metrics source does not measure", () => {
  it("leaves an absolute latency SLO without a verdict, never a pass", () => {
    const result = check([{ sli: "latency_p999", max: 500 }], { stable: sample(500), candidate: sample(500, 0, { p99: 100 }) });
    expect(result.verdict).toBe("insufficient_data");
    expect(result.results[0]).toMatchObject({ verdict: "insufficient_data", candidate: null });
    expect(result.note).toBeTruthy();
  });

  it("leaves a relative SLO without a verdict when the stable version lacks it", () => {
    const result = check([{ sli: "latency_p90", maxRatioToStable: 1.2 }], {
      stable: sample(500, 0, { p99: 100 }),
      candidate: sample(500, 0, { p90: 10 }),
    });
    expect(result.verdict).toBe("insufficient_data");
  });

  it("does not hide another SLO that clearly fails", () => {
    const result = check(
      [
        { sli: "error_rate", max: 0.01 },
        { sli: "latency_p999", max: 500 },
      ],
      { stable: sample(1000), candidate: sample(1000, 0.5, { p99: 100 }) },
    );
    expect(result.verdict).toBe("fail");
  });
});

describe("describeFailures", () => {
  it("names each failing SLO and the numbers of both versions", () => {
    const result = check(
      [
        { sli: "error_rate", max: 0.01 },
        { sli: "latency_p99", maxRatioToStable: 1.5 },
        { sli: "latency_p50", max: 1000 },
      ],
      { stable: sample(1000, 0.001, { p50: 20, p99: 100 }), candidate: sample(1000, 0.152, { p50: 20, p99: 400 }) },
    );
    const text = describeFailures(result, STABLE, CANDIDATE);
    expect(text).toContain("error_rate <= 0.01: v2 0.152 (v1 0.001)");
    expect(text).toContain("latency_p99 <= 1.5 x stable: v2 400 (v1 100)");
    expect(text).not.toContain("latency_p50");
  });
});

describe("a latency quantile over its limit by its estimate", () => {
  const p99: Slo = { sli: "latency_p99", maxRatioToStable: 1.5 };
  const BOUNDS = [50, 100, 200, 300, 500, 750, 1000];
  // Both p99s near their buckets' interpolation; the candidate's about 1.6 x stable's.
  const withHistogram = (counts: number[], p99Ms: number): SliSample => ({
    ...sample(counts.reduce((sum, count) => sum + count, 0), 0, { p50: 40, p90: 90, p99: p99Ms, p999: 900 }),
    latencyHistogram: { boundsMs: BOUNDS, counts },
  });

  it("gives no verdict while the histograms leave room for noise, and says so with both bounds", () => {
    const stable = withHistogram([400, 80, 12, 4, 3, 1, 0, 0], 260);
    const candidate = withHistogram([390, 80, 15, 6, 5, 3, 1, 0], 420);
    const result = check([p99], { stable, candidate });
    expect(result.verdict).toBe("insufficient_data");
    expect(result.results[0]).toMatchObject({ verdict: "insufficient_data", candidate: 420, stable: 260, threshold: 390 });
    expect(result.note).toMatch(/^latency_p99 of v2 is over the limit by its estimate, but not clearly at this many requests: it is at least [\d.]+ ms, and v1's at most .*; waiting for more$/);
  });

  it("fails when the candidate's quantile is over the limit even at the edges of both versions' bounds", () => {
    const stable = withHistogram([40_000, 8000, 1200, 400, 300, 100, 0, 0], 260);
    const candidate = withHistogram([39_000, 8000, 1000, 500, 600, 600, 300, 0], 667);
    expect(check([p99], { stable, candidate }).verdict).toBe("fail");
  });

  it("is judged by the estimates alone from a source that gives quantiles but no histogram", () => {
    expect(check([p99], { stable: sample(500, 0, { p99: 260 }), candidate: sample(500, 0, { p99: 420 }) }).verdict).toBe("fail");
  });
});

describe("latency quantiles on thin tails", () => {
  const p99: Slo = { sli: "latency_p99", maxRatioToStable: 1.5 };
  const slow = { p50: 20, p90: 50, p99: 400, p999: 900 };

  it("wait for 500 requests per version before judging a p99, so one outlier cannot roll back", () => {
    const thin = check([p99], { stable: sample(5000), candidate: sample(499, 0, slow) });
    expect(thin.verdict).toBe("insufficient_data");
    expect(thin.note).toBe("latency_p99 needs 500 requests per version to judge; v2 served 499 requests");

    expect(check([p99], { stable: sample(5000), candidate: sample(500, 0, slow) }).verdict).toBe("fail");
  });

  it("need fewer requests for lower quantiles and more for p999", () => {
    const p90: Slo = { sli: "latency_p90", max: 10 };
    const p999: Slo = { sli: "latency_p999", max: 10 };
    const anyCount = { minRequests: 0 };
    expect(check([p90], { stable: sample(1000), candidate: sample(50) }, anyCount).verdict).toBe("fail");
    expect(check([p90], { stable: sample(1000), candidate: sample(49) }, anyCount).verdict).toBe("insufficient_data");
    expect(check([p999], { stable: sample(5000), candidate: sample(4999) }).note).toMatch(/needs 5000 requests/);
  });

  it("still fail the check on a measured error rate while the p99 waits for data", () => {
    const errors: Slo = { sli: "error_rate", max: 0.01 };
    expect(check([p99, errors], { stable: sample(5000), candidate: sample(200, 0.2) }).verdict).toBe("fail");
  });
});
