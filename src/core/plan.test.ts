import { describe, expect, it } from "vitest";
import { BUILTIN_PLANS, planFromStages } from "./builtin-plans.js";
import { DEFAULT_POLICY, isSequential, parsePlan, parsePlanText, planToInput, PlanError, type Plan } from "./plan.js";

const SPEC_YAML = `
name: standard
stages:                       # percents strictly increasing, last one 100
  - { percent: 5,  soak: 15m }
  - { percent: 25, soak: 15m }
  - { percent: 50, soak: 15m, progression: manual }
  - { percent: 100 }
slos:
  - { sli: error_rate,  max: 0.01 }              # absolute
  - { sli: error_rate,  maxRatioToStable: 2 }     # relative to the stable version
  - { sli: latency_p99, max: 2000 }               # milliseconds
  - { sli: latency_p99, maxRatioToStable: 1.5 }
policy: { checkInterval: 60s, failureThreshold: 3, minRequests: 100, onMetricsUnavailable: hold }
`;

const SPEC_PLAN: Plan = {
  name: "standard",
  stages: [
    { percent: 5, soakSeconds: 900, progression: "auto" },
    { percent: 25, soakSeconds: 900, progression: "auto" },
    { percent: 50, soakSeconds: 900, progression: "manual" },
    { percent: 100, soakSeconds: 0, progression: "auto" },
  ],
  slos: [
    { sli: "error_rate", max: 0.01 },
    { sli: "error_rate", maxRatioToStable: 2 },
    { sli: "latency_p99", max: 2000 },
    { sli: "latency_p99", maxRatioToStable: 1.5 },
  ],
  policy: { checkIntervalSeconds: 60, failureThreshold: 3, minRequests: 100, onMetricsUnavailable: "hold" },
};

function ok(result: Plan | PlanError): Plan {
  if (result instanceof PlanError) throw result;
  return result;
}

function error(result: Plan | PlanError): string {
  expect(result).toBeInstanceOf(PlanError);
  return (result as PlanError).message;
}

/** A valid plan with one part replaced. */
function planWith(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    name: "p",
    stages: [{ percent: 5, soak: "15m" }, { percent: 50, soak: "15m" }, { percent: 100 }],
    slos: [{ sli: "error_rate", max: 0.01 }],
    policy: { checkInterval: "60s" },
    ...overrides,
  };
}

describe("loading a plan", () => {
  it("reads the plan from the spec written in YAML", () => {
    expect(ok(parsePlanText(SPEC_YAML))).toEqual(SPEC_PLAN);
  });

  it("reads the same plan written in JSON", () => {
    const json = JSON.stringify({
      name: "standard",
      stages: [
        { percent: 5, soak: "15m" },
        { percent: 25, soak: 900 },
        { percent: 50, soak: "15m", progression: "manual" },
        { percent: 100 },
      ],
      slos: [
        { sli: "error_rate", max: 0.01 },
        { sli: "error_rate", maxRatioToStable: 2 },
        { sli: "latency_p99", max: 2000 },
        { sli: "latency_p99", maxRatioToStable: 1.5 },
      ],
      policy: { checkInterval: 60, failureThreshold: 3, minRequests: 100, onMetricsUnavailable: "hold" },
    });
    expect(ok(parsePlanText(json))).toEqual(SPEC_PLAN);
  });

  it("fills in defaults: soak 0, auto progression, no SLOs, the default policy", () => {
    const plan = ok(parsePlan({ name: "minimal", stages: [{ percent: 10 }, { percent: 100 }] }));
    expect(plan).toEqual({
      name: "minimal",
      stages: [
        { percent: 10, soakSeconds: 0, progression: "auto" },
        { percent: 100, soakSeconds: 0, progression: "auto" },
      ],
      slos: [],
      policy: DEFAULT_POLICY,
    });
    expect(DEFAULT_POLICY).toEqual({ checkIntervalSeconds: 15, failureThreshold: 3, minRequests: 100, onMetricsUnavailable: "hold" });
  });

  it("fills in the policy fields that are left out", () => {
    const plan = ok(parsePlan(planWith({ policy: { failureThreshold: 5 } })));
    expect(plan.policy).toEqual({ ...DEFAULT_POLICY, failureThreshold: 5 });
  });

  it("accepts every SLI and durations in every form", () => {
    const plan = ok(
      parsePlan(
        planWith({
          stages: [{ percent: 1, soak: "90s" }, { percent: 2, soak: "2h" }, { percent: 3, soak: 30 }, { percent: 100 }],
          slos: ["error_rate", "latency_p50", "latency_p90", "latency_p99", "latency_p999"].map((sli) => ({ sli, max: 1 })),
          policy: { checkInterval: "2m", onMetricsUnavailable: "rollback" },
        }),
      ),
    );
    expect(plan.stages.map((s) => s.soakSeconds)).toEqual([90, 7200, 30, 0]);
    expect(plan.slos).toHaveLength(5);
    expect(plan.policy.checkIntervalSeconds).toBe(120);
    expect(plan.policy.onMetricsUnavailable).toBe("rollback");
  });

  it("reads a sequential SLO, filling in alpha 0.01 and minEffect 10%", () => {
    const plan = ok(parsePlan(planWith({ slos: [{ sli: "error_rate", test: "sequential" }, { sli: "latency_p99", test: "sequential", alpha: 0.001, minEffect: 0 }] })));
    expect(plan.slos).toEqual([
      { sli: "error_rate", test: "sequential", alpha: 0.01, minEffect: 0.1 },
      { sli: "latency_p99", test: "sequential", alpha: 0.001, minEffect: 0 },
    ]);
    expect(ok(parsePlan(planToInput(plan)))).toEqual(plan);
  });

  it("allows a single 100% stage", () => {
    expect(ok(parsePlan({ name: "all-at-once", stages: [{ percent: 100 }] })).stages).toHaveLength(1);
  });

  it("round-trips through planToInput", () => {
    expect(ok(parsePlan(planToInput(SPEC_PLAN)))).toEqual(SPEC_PLAN);
  });

  it("says when the text is neither YAML nor JSON, naming the source", () => {
    const message = error(parsePlanText("name: [oops", "plans/broken.yaml"));
    expect(message).toContain("plans/broken.yaml");
  });

  it("names the source file in a schema error", () => {
    const message = error(parsePlanText("name: x\nstages: [{percent: 50}]\n", "plans/x.yaml"));
    expect(message).toContain("plans/x.yaml");
    expect(message).toContain("plan.stages[0].percent");
  });
});

describe("a bad plan gets one clear message naming the field and its value", () => {
  const cases: { what: string; plan: Record<string, unknown>; field: string; value: string }[] = [
    {
      what: "percents not increasing",
      plan: planWith({ stages: [{ percent: 50 }, { percent: 25 }, { percent: 100 }] }),
      field: "plan.stages[1].percent",
      value: "25",
    },
    {
      what: "equal percents",
      plan: planWith({ stages: [{ percent: 25 }, { percent: 25 }, { percent: 100 }] }),
      field: "plan.stages[1].percent",
      value: "25",
    },
    {
      what: "last stage not 100",
      plan: planWith({ stages: [{ percent: 5 }, { percent: 50 }] }),
      field: "plan.stages[1].percent",
      value: "50",
    },
    {
      what: "percent above 100",
      plan: planWith({ stages: [{ percent: 5 }, { percent: 150 }] }),
      field: "plan.stages[1].percent",
      value: "150",
    },
    {
      what: "percent below 0",
      plan: planWith({ stages: [{ percent: -5 }, { percent: 100 }] }),
      field: "plan.stages[0].percent",
      value: "-5",
    },
    {
      what: "negative soak in seconds",
      plan: planWith({ stages: [{ percent: 5, soak: -60 }, { percent: 100 }] }),
      field: "plan.stages[0].soak",
      value: "-60",
    },
    {
      what: "negative soak as text",
      plan: planWith({ stages: [{ percent: 5, soak: "-5m" }, { percent: 100 }] }),
      field: "plan.stages[0].soak",
      value: '"-5m"',
    },
    {
      what: "soak that is not a duration",
      plan: planWith({ stages: [{ percent: 5, soak: "soon" }, { percent: 100 }] }),
      field: "plan.stages[0].soak",
      value: '"soon"',
    },
    {
      what: "unknown SLI",
      plan: planWith({ slos: [{ sli: "latency_p95", max: 100 }] }),
      field: "plan.slos[0].sli",
      value: '"latency_p95"',
    },
    {
      what: "unknown top-level field",
      plan: planWith({ stage: [{ percent: 100 }] }),
      field: "plan.stage",
      value: '[{"percent":100}]',
    },
    {
      what: "unknown stage field",
      plan: planWith({ stages: [{ percent: 5, sok: "15m" }, { percent: 100 }] }),
      field: "plan.stages[0].sok",
      value: '"15m"',
    },
    {
      what: "unknown policy field",
      plan: planWith({ policy: { interval: "60s" } }),
      field: "plan.policy.interval",
      value: '"60s"',
    },
    {
      what: "unknown SLO field",
      plan: planWith({ slos: [{ sli: "error_rate", maximum: 0.01 }] }),
      field: "plan.slos[0].maximum",
      value: "0.01",
    },
    {
      what: "bad progression",
      plan: planWith({ stages: [{ percent: 5, progression: "manually" }, { percent: 100 }] }),
      field: "plan.stages[0].progression",
      value: '"manually"',
    },
    {
      what: "bad onMetricsUnavailable",
      plan: planWith({ policy: { onMetricsUnavailable: "pause" } }),
      field: "plan.policy.onMetricsUnavailable",
      value: '"pause"',
    },
    {
      what: "zero check interval",
      plan: planWith({ policy: { checkInterval: "0s" } }),
      field: "plan.policy.checkInterval",
      value: '"0s"',
    },
    {
      what: "failure threshold 0",
      plan: planWith({ policy: { failureThreshold: 0 } }),
      field: "plan.policy.failureThreshold",
      value: "0",
    },
    {
      what: "negative minRequests",
      plan: planWith({ policy: { minRequests: -1 } }),
      field: "plan.policy.minRequests",
      value: "-1",
    },
    {
      what: "negative absolute limit",
      plan: planWith({ slos: [{ sli: "error_rate", max: -0.1 }] }),
      field: "plan.slos[0].max",
      value: "-0.1",
    },
    {
      what: "zero ratio",
      plan: planWith({ slos: [{ sli: "latency_p99", maxRatioToStable: 0 }] }),
      field: "plan.slos[0].maxRatioToStable",
      value: "0",
    },
  ];

  it.each(cases)("$what", ({ plan, field, value }) => {
    const message = error(parsePlan(plan));
    expect(message).toContain(field);
    expect(message).toContain(value);
    // One problem, one message: the field is named once, not in several overlapping complaints.
    expect(message.split(field).length - 1).toBe(1);
  });

  it("says so when an SLO has both or neither of max and maxRatioToStable", () => {
    for (const slo of [{ sli: "error_rate" }, { sli: "error_rate", max: 0.01, maxRatioToStable: 2 }]) {
      const message = error(parsePlan(planWith({ slos: [slo] })));
      expect(message).toContain("plan.slos[0]");
      expect(message).toMatch(/max/);
    }
  });

  it("says so when an SLO mixes a sequential test with a limit, or gives alpha without a test", () => {
    const mixed = error(parsePlan(planWith({ slos: [{ sli: "error_rate", test: "sequential", max: 0.01 }] })));
    expect(mixed).toContain("plan.slos[0]");
    expect(mixed).toContain("exactly one of");
    const stray = error(parsePlan(planWith({ slos: [{ sli: "error_rate", max: 0.01, alpha: 0.05 }] })));
    expect(stray).toContain("plan.slos[0].alpha belongs only to an SLO with test: sequential (got 0.05)");
  });

  it.each([
    [{ alpha: 0 }, "plan.slos[0].alpha must be greater than 0 (got 0)"],
    [{ alpha: 0.7 }, "plan.slos[0].alpha must be at most 0.5 (got 0.7)"],
    [{ minEffect: -0.1 }, "plan.slos[0].minEffect must be 0 or more (got -0.1)"],
    [{ test: "bayesian" }, 'plan.slos[0].test must be sequential (got "bayesian")'],
  ])("refuses a bad sequential SLO %j", (fields, message) => {
    expect(error(parsePlan(planWith({ slos: [{ sli: "error_rate", test: "sequential", ...fields }] })))).toContain(message);
  });

  it("refuses a sliding window beside a sequential test, which weighs whole stages", () => {
    const message = error(parsePlan(planWith({ slos: [{ sli: "error_rate", test: "sequential" }], policy: { window: "5m" } })));
    expect(message).toContain("plan.policy.window cannot be combined with the sequential test of slos[0]");
  });

  it("says so when there are no stages, or no name", () => {
    expect(error(parsePlan(planWith({ stages: [] })))).toContain("plan.stages");
    expect(error(parsePlan(planWith({ name: undefined })))).toContain("plan.name");
  });

  it("says so when the plan is not an object", () => {
    expect(error(parsePlan(null))).toMatch(/^invalid plan: plan /);
    expect(error(parsePlanText("just text"))).toContain("plan");
  });

  it("does not write a stray leading dot before the path", () => {
    expect(error(parsePlan(planWith({ stages: [{ percent: 5 }, { percent: 50 }] })))).not.toMatch(/\.plan\b/);
  });

  it("names every problem when there are several, in one message", () => {
    const message = error(parsePlan(planWith({ slos: [{ sli: "bogus", max: 1 }], policy: { failureThreshold: 0 } })));
    expect(message).toContain("plan.slos[0].sli");
    expect(message).toContain("plan.policy.failureThreshold");
  });
});

describe("built-in plans", () => {
  it.each([
    ["fast", [10, 50, 100], 5 * 60],
    ["safe", [5, 10, 25, 50, 75, 100], 30 * 60],
    ["standard", [5, 25, 50, 100], 15 * 60],
  ] as const)("%s has stages %j with %d second soaks", (name, percents, soak) => {
    const plan = BUILTIN_PLANS[name]!;
    expect(plan.name).toBe(name);
    expect(plan.stages.map((stage) => stage.percent)).toEqual(percents);
    for (const stage of plan.stages.slice(0, -1)) {
      expect(stage).toEqual({ percent: stage.percent, soakSeconds: soak, progression: "auto" });
    }
    expect(plan.stages.at(-1)!.percent).toBe(100);
  });

  it.each(Object.keys(BUILTIN_PLANS))("%s passes its own validation unchanged", (name) => {
    const plan = BUILTIN_PLANS[name]!;
    expect(ok(parsePlan(planToInput(plan)))).toEqual(plan);
  });

  it("test the error rate sequentially, keep an absolute guardrail, and risk at most 1% false rollbacks", () => {
    for (const plan of Object.values(BUILTIN_PLANS)) {
      expect(plan.slos.some((slo) => slo.sli === "error_rate" && isSequential(slo))).toBe(true);
      expect(plan.slos.some((slo) => slo.sli === "error_rate" && "max" in slo)).toBe(true);
      const alphas = plan.slos.filter(isSequential).reduce((sum, slo) => sum + slo.alpha, 0);
      expect(alphas).toBeLessThanOrEqual(0.01);
      expect(plan.policy).toEqual(DEFAULT_POLICY);
    }
  });

  it("has exactly fast, standard and safe", () => {
    expect(Object.keys(BUILTIN_PLANS).sort()).toEqual(["fast", "safe", "standard"]);
  });
});

describe("planFromStages", () => {
  it("builds a plan from --stages 5,15,35,65,100 --soak 10m", () => {
    const plan = ok(planFromStages("5,15,35,65,100", "10m"));
    expect(plan.stages.map((stage) => stage.percent)).toEqual([5, 15, 35, 65, 100]);
    expect(plan.stages.slice(0, -1).every((stage) => stage.soakSeconds === 600 && stage.progression === "auto")).toBe(true);
    expect(plan.stages.at(-1)!.soakSeconds).toBe(0);
    expect(plan.policy).toEqual(DEFAULT_POLICY);
    expect(plan.slos.length).toBeGreaterThan(0);
    expect(ok(parsePlan(planToInput(plan)))).toEqual(plan);
  });

  it("takes spaces, a soak in seconds and a name", () => {
    const plan = ok(planFromStages(" 10 , 100 ", 300, "quick"));
    expect(plan.name).toBe("quick");
    expect(plan.stages.map((stage) => [stage.percent, stage.soakSeconds])).toEqual([
      [10, 300],
      [100, 0],
    ]);
  });

  it.each(["5,abc,100", "5,,100", "", "five,100", "5;25;100"])("refuses --stages %j, naming it", (text) => {
    const message = error(planFromStages(text, "10m"));
    expect(message).toContain("--stages");
    expect(message).toContain(`"${text}"`);
  });

  it.each([
    ["5,50", "50"],
    ["50,25,100", "25"],
    ["5,150", "150"],
    ["0,100", "0"],
  ])("refuses the invalid stages %j, naming the percent", (text, value) => {
    const message = error(planFromStages(text, "10m"));
    expect(message).toMatch(/stages\[\d\]\.percent/);
    expect(message).toContain(`got ${value}`);
  });

  it("refuses a bad soak, naming it", () => {
    expect(error(planFromStages("5,100", "-1m"))).toContain('"-1m"');
    expect(error(planFromStages("5,100", "ten minutes"))).toContain('"ten minutes"');
  });
});
