import { describe, expect, it } from "vitest";
import { BUILTIN_PLANS } from "../core/builtin-plans.js";
import { parsePlan, type Plan } from "../core/plan.js";
import { ANCHOR_RULES, type AnchorCheck } from "./policies/anchors.js";
import { parseScenario, type Scenario } from "./scenario.js";
import { POLICY_NAMES, simulate, type PolicyName, type PolicyReport } from "./simulate.js";

function scenario(candidateErrorRate: number, overrides: Record<string, unknown> = {}): Scenario {
  const parsed = parseScenario({
    stable: { errorRate: 0.01, latencyMs: { p50: 40, p99: 250 } },
    candidate: { errorRate: candidateErrorRate, latencyMs: { p50: 40, p99: 250 } },
    ...overrides,
  });
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

function plan(input: Record<string, unknown>): Plan {
  const parsed = parsePlan({ name: "test", stages: [{ percent: 10, soak: "5m" }, { percent: 50, soak: "5m" }, { percent: 100 }], ...input });
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

const fast = BUILTIN_PLANS.fast!;

function reportOf(policies: PolicyName[], options: { plan?: Plan; scenario: Scenario; runs?: number; seed?: number }) {
  return simulate({ plan: options.plan ?? fast, scenario: options.scenario, runs: options.runs ?? 50, seed: options.seed ?? 1, policies });
}

function byPolicy(reports: PolicyReport[]): Record<string, Omit<PolicyReport, "policy">> {
  return Object.fromEntries(reports.map(({ policy, ...rest }) => [policy, rest]));
}

describe("simulate", () => {
  it("gives the same report for the same seed, and another for another seed", () => {
    const options = { scenario: scenario(0.02, { metrics: { lag: "60s", sampling: 0.5 } }), runs: 30 };
    const first = reportOf(POLICY_NAMES, options);
    expect(reportOf(POLICY_NAMES, options)).toEqual(first);
    expect(reportOf(POLICY_NAMES, { ...options, seed: 2 }).policies).not.toEqual(first.policies);
  });

  it("lets no policy disturb another's traffic: glidepath fares the same alone as beside the anchors", () => {
    const options = { scenario: scenario(0.015), runs: 30 };
    const alone = reportOf(["glidepath"], options).policies[0];
    const { toOracle: _ratios, ...together } = reportOf(POLICY_NAMES, options).policies.find((report) => report.policy === "glidepath")!;
    expect(together).toEqual(alone);
  });

  it("gives two policies that decide alike the very same outcomes (common random numbers)", () => {
    // Glidepath holding the error rate to 5% over the last minute and rolling back on one failing
    // check is the threshold script; with the candidate at the limit, some runs roll back and some promote.
    const sameAsScript = plan({
      slos: [{ sli: "error_rate", max: 0.05 }],
      policy: { checkInterval: "60s", window: "60s", failureThreshold: 1, minRequests: 0 },
    });
    const report = reportOf(["glidepath", "threshold-script"], { plan: sameAsScript, scenario: scenario(0.035, { traffic: { rps: 50 } }), runs: 100 });
    const { glidepath, "threshold-script": script } = byPolicy(report.policies);
    expect(glidepath!.rollbackRate).toBeGreaterThan(0.1);
    expect(glidepath!.promotionRate).toBeGreaterThan(0.1);
    expect(glidepath).toEqual(script);
  });

  it("rolls a x10 error regression back with the threshold script far more often than an A/A release", () => {
    const regression = reportOf(["threshold-script"], { scenario: scenario(0.1), runs: 200 }).policies[0]!;
    const same = reportOf(["threshold-script"], { scenario: scenario(0.01), runs: 200 }).policies[0]!;
    expect(regression.rollbackRate).toBeGreaterThan(0.95);
    expect(same.rollbackRate).toBeLessThan(0.05);
    expect(same.meanExcessBadRequests).toBe(0);
  });

  it("rolls back each anchor at the check its rule names when every check fails", () => {
    const strict = plan({ slos: [{ sli: "error_rate", max: 0.01 }] });
    const report = reportOf(["threshold-script", "consecutive-3", "argo", "flagger", "relative"], {
      plan: strict,
      scenario: scenario(0.3, { traffic: { rps: 500 } }),
      runs: 20,
    });
    const medians = Object.fromEntries(report.policies.map((policy) => [policy.policy, policy.timeToRollbackSeconds.median]));
    expect(medians).toEqual({ "threshold-script": 60, "consecutive-3": 180, argo: 240, flagger: 300, relative: 60 });
    expect(report.policies.every((policy) => policy.rollbackRate === 1)).toBe(true);
  });

  it("counts the excess bad requests of a candidate nobody stops: its requests times its extra error rate", () => {
    const report = reportOf(["threshold-script"], { scenario: scenario(0.03, { traffic: { rps: 500 } }), runs: 20 }).policies[0]!;
    expect(report.promotionRate).toBe(1);
    // 500 rps at 10% then 50% for 5 minutes each, 2 percentage points more errors than stable.
    const expected = 500 * (0.1 * 300 + 0.5 * 300) * 0.02;
    expect(report.meanExcessBadRequests).toBeGreaterThan(expected * 0.97);
    expect(report.meanExcessBadRequests).toBeLessThan(expected * 1.03);
    expect(report.meanReleaseDurationSeconds).toBe(600);
  });

  it("counts time to rollback from when the candidate turned bad", () => {
    const report = reportOf(["threshold-script"], { scenario: scenario(0.3, { regressionStartsAfter: "4m", traffic: { rps: 500 } }), runs: 10 });
    expect(report.policies[0]!.timeToRollbackSeconds.median).toBe(60);
  });

  it("serves glidepath no samples at the start of each stage while the metrics lag, so its stages last longer", () => {
    const timely = reportOf(["glidepath"], { scenario: scenario(0.01), runs: 5 }).policies[0]!;
    const lagging = reportOf(["glidepath"], { scenario: scenario(0.01, { metrics: { lag: "2m" } }), runs: 5 }).policies[0]!;
    expect(timely.promotionRate).toBe(1);
    expect(lagging.promotionRate).toBe(1);
    expect(lagging.meanReleaseDurationSeconds).toBeGreaterThan(timely.meanReleaseDurationSeconds);
  });

  it("takes the longest slice every window boundary falls on, else 5 s", () => {
    const sliceOf = (policy: Record<string, unknown>, overrides: Record<string, unknown> = {}) =>
      reportOf(["threshold-script"], { plan: plan({ policy }), scenario: scenario(0.01, overrides), runs: 1 }).sliceSeconds;
    expect(sliceOf({ checkInterval: "30s" })).toBe(15);
    expect(sliceOf({ checkInterval: "30s" }, { metrics: { lag: "20s" } })).toBe(10);
    expect(sliceOf({ checkInterval: "7s" })).toBe(5);
  });

  it("holds releases that never get enough data as unfinished at the horizon", () => {
    const report = reportOf(["glidepath"], {
      plan: plan({ policy: { minRequests: 1_000_000, window: "60s" } }),
      scenario: scenario(0.01),
      runs: 2,
    });
    expect(report.policies[0]!.unfinishedRate).toBe(1);
    expect(report.policies[0]!.meanReleaseDurationSeconds).toBe(report.horizonSeconds);
  });
});

describe("the oracle", () => {
  const standard = BUILTIN_PLANS.standard!;

  it("never rolls back a candidate that behaves like stable", () => {
    const report = reportOf(["oracle"], { plan: standard, scenario: scenario(0.01, { traffic: { rps: 500 } }), runs: 20 }).policies[0]!;
    expect(report.rollbackRate).toBe(0);
    expect(report.promotionRate).toBe(1);
  });

  it("serves fewer excess bad requests than glidepath on the same traffic: it knows what it is looking for", () => {
    for (const regressed of [scenario(0.03), scenario(0.01, { candidate: { errorRate: 0.01, latencyMs: { p50: 40, p99: 500 } } })]) {
      const { glidepath, oracle } = byPolicy(reportOf(["glidepath", "oracle"], { plan: standard, scenario: regressed, runs: 100 }).policies);
      expect(oracle!.rollbackRate).toBe(1);
      expect(oracle!.meanExcessBadRequests).toBeLessThan(glidepath!.meanExcessBadRequests);
    }
  });

  it("weighs only the requests since the candidate turned bad, so a late regression is caught as fast as an early one", () => {
    const options = { plan: standard, runs: 50 };
    const early = reportOf(["oracle"], { ...options, scenario: scenario(0.05, { traffic: { rps: 500 }, regressionStartsAfter: "20m" }) }).policies[0]!;
    const late = reportOf(["oracle"], { ...options, scenario: scenario(0.05, { traffic: { rps: 500 }, regressionStartsAfter: "35m" }) }).policies[0]!;
    expect(late.rollbackRate).toBe(1);
    expect(late.timeToRollbackSeconds.median).toBeLessThanOrEqual(early.timeToRollbackSeconds.median!);
  });

  it("gives every policy's excess and time to rollback as multiples of its own", () => {
    const report = reportOf(["glidepath", "flagger", "oracle"], { plan: standard, scenario: scenario(0.05), runs: 50 });
    const { glidepath, oracle } = byPolicy(report.policies);
    expect(oracle!.toOracle).toEqual({ excessBadRequests: 1, timeToRollback: 1 });
    expect(glidepath!.toOracle!.excessBadRequests).toBeCloseTo(glidepath!.meanExcessBadRequests / oracle!.meanExcessBadRequests, 10);
    expect(reportOf(["glidepath"], { plan: standard, scenario: scenario(0.05), runs: 5 }).policies[0]!.toOracle).toBeUndefined();
  });
});

describe("the anchors' rollback rules", () => {
  function checksUntilRollback(policy: keyof typeof ANCHOR_RULES, checks: AnchorCheck[]): number | null {
    const rule = ANCHOR_RULES[policy]();
    const index = checks.findIndex((check) => rule.shouldRollBack(check));
    return index < 0 ? null : index + 1;
  }

  const alternating: AnchorCheck[] = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? "fail" : "pass"));

  it("flagger counts failed checks over the whole analysis, no data included, and stops at the 5th", () => {
    expect(checksUntilRollback("flagger", alternating)).toBe(9);
    expect(checksUntilRollback("flagger", ["no_data", "pass", "no_data", "fail", "pass", "no_data", "fail"])).toBe(7);
  });

  it("consecutive-3 needs three failures in a row; a pass starts the count again", () => {
    expect(checksUntilRollback("consecutive-3", alternating)).toBeNull();
    expect(checksUntilRollback("consecutive-3", ["fail", "fail", "pass", "fail", "no_data", "fail", "fail"])).toBe(7);
  });

  it("argo rolls back on the 4th failed measurement, counted cumulatively, no data not counted", () => {
    expect(checksUntilRollback("argo", alternating)).toBe(7);
    expect(checksUntilRollback("argo", ["no_data", "no_data", "no_data", "no_data", "fail"])).toBeNull();
  });

  it("threshold-script and relative roll back on the first failing check", () => {
    expect(checksUntilRollback("threshold-script", ["pass", "no_data", "fail"])).toBe(3);
    expect(checksUntilRollback("relative", ["pass", "fail"])).toBe(2);
  });
});
