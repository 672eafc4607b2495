import { describe, expect, it } from "vitest";
import { ALIAS_BOMB } from "./bad-plans.test-support.js";
import { BUILTIN_PLANS, planFromStages } from "./builtin-plans.js";
import { builtInNameProblem, checkPlanDocument, planErrorFields } from "./plan-check.js";
import { PLAN_LIMITS } from "./plan-limits.js";
import { compressPlanTime, parsePlan, parsePlanText, planToInput, PlanError, type Plan } from "./plan.js";

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
  return { name: "p", stages: [{ percent: 5, soak: "15m" }, { percent: 100 }], ...overrides };
}

const stages = (count: number) => Array.from({ length: count }, (_, i) => ({ percent: ((i + 1) * 100) / count }));
const slos = (count: number) => Array.from({ length: count }, () => ({ sli: "error_rate", max: 0.01 }));
const probes = (count: number) => Array.from({ length: count }, (_, i) => ({ url: `http://127.0.0.1:8080/health/${i}` }));

describe("a plan's name", () => {
  it("takes up to 63 lowercase letters, digits and dashes", () => {
    expect(ok(parsePlan(planWith({ name: `checkout-${"a".repeat(54)}` }))).name).toHaveLength(63);
    expect(error(parsePlan(planWith({ name: "a".repeat(64) })))).toBe(`invalid plan: plan.name must be at most 63 characters (got "${"a".repeat(64)}")`);
    expect(error(parsePlan(planWith({ name: "Checkout Plan" })))).toBe(
      'invalid plan: plan.name use lowercase letters, digits and dashes, starting and ending with a letter or digit (got "Checkout Plan")',
    );
    expect(error(parsePlan(planWith({ name: "" })))).toBe('invalid plan: plan.name must not be empty (got "")');
  });

  it("shows a huge name by its first 40 characters and its length", () => {
    const message = error(parsePlan(planWith({ name: "a".repeat(50 * 1024 * 1024) })));
    expect(message).toBe(`invalid plan: plan.name must be at most 63 characters (got "${"a".repeat(40)}"…, 52428800 characters)`);
  });

  it("may be a built-in plan's name or validate in a file, not in a saved plan", () => {
    expect(ok(parsePlan(planWith({ name: "standard" }))).name).toBe("standard");
    expect(builtInNameProblem("standard")).toBe("standard is a built-in plan and cannot be changed; save yours under another name");
    expect(ok(parsePlan(planWith({ name: "validate" }))).name).toBe("validate");
    expect(checkPlanDocument(planWith({ name: "validate" })).problems).toEqual([{ field: "body.name", message: "validate is reserved by the API; choose another name" }]);
  });
});

describe("a plan's durations", () => {
  it.each([
    ["soak", { stages: [{ percent: 5, soak: "31d" }, { percent: 100 }] }, 'plan.stages[0].soak must be at most 30d (got "31d")'],
    ["soak", { stages: [{ percent: 5, soak: "99999999999999999999999h" }, { percent: 100 }] }, 'plan.stages[0].soak must be at most 30d (got "99999999999999999999999h")'],
    ["soak", { stages: [{ percent: 5, soak: 2592001 }, { percent: 100 }] }, "plan.stages[0].soak must be at most 30d (got 2592001)"],
    ["soak", { stages: [{ percent: 5, soak: -1 }, { percent: 100 }] }, "plan.stages[0].soak must be at least 0s (got -1)"],
    ["soak", { stages: [{ percent: 5, soak: "soon" }, { percent: 100 }] }, 'plan.stages[0].soak must be a duration: a number of seconds, or text such as 90s, 15m or 1h30m (got "soon")'],
    ["checkInterval", { policy: { checkInterval: "1ms" } }, 'plan.policy.checkInterval must be at least 1s (got "1ms")'],
    ["checkInterval", { policy: { checkInterval: 0.5 } }, "plan.policy.checkInterval must be at least 1s (got 0.5)"],
    ["checkInterval", { policy: { checkInterval: "61m" } }, 'plan.policy.checkInterval must be at most 1h (got "61m")'],
    ["window", { policy: { window: "500ms" } }, 'plan.policy.window must be at least 1s (got "500ms")'],
    ["window", { policy: { window: "31d" } }, 'plan.policy.window must be at most 30d (got "31d")'],
    ["probe timeout", { preflight: [{ url: "http://127.0.0.1/health", timeout: "61s" }] }, 'plan.preflight[0].timeout must be at most 60s (got "61s")'],
    ["probe timeout", { preflight: [{ url: "http://127.0.0.1/health", timeout: 0 }] }, "plan.preflight[0].timeout must be at least 1ms (got 0)"],
  ])("refuses a %s out of bounds: %j", (_, overrides, message) => {
    expect(error(parsePlan(planWith(overrides)))).toBe(`invalid plan: ${message}`);
  });

  it("takes each duration at its bounds", () => {
    const plan = ok(
      parsePlan(
        planWith({
          stages: [{ percent: 5, soak: "30d" }, { percent: 100, soak: 0 }],
          policy: { checkInterval: "1h", window: "30d" },
          preflight: [{ url: "http://127.0.0.1/health", timeout: "60s" }, { url: "http://127.0.0.1/ready", timeout: "1ms" }],
        }),
      ),
    );
    expect(plan.stages.map((stage) => stage.soakSeconds)).toEqual([2592000, 0]);
    expect(plan.policy).toMatchObject({ checkIntervalSeconds: 3600, windowSeconds: 2592000 });
    expect(plan.preflight!.map((probe) => probe.timeoutSeconds)).toEqual([60, 0.001]);
    expect(ok(parsePlan(planWith({ policy: { checkInterval: "1s", window: 1 } }))).policy).toMatchObject({ checkIntervalSeconds: 1, windowSeconds: 1 });
  });

  it("says a number too large for JSON or YAML must be finite, naming it", () => {
    expect(error(parsePlanText("name: p\nstages: [{ percent: 5, soak: 1e400 }, { percent: 100 }]"))).toBe(
      "invalid plan in plan: plan.stages[0].soak must be a finite number (got Infinity)",
    );
    expect(error(parsePlanText('{"name": "p", "stages": [{"percent": 100}], "policy": {"checkInterval": -1e400}}'))).toBe(
      "invalid plan in plan: plan.policy.checkInterval must be a finite number (got -Infinity)",
    );
  });
});

describe("a plan's numbers", () => {
  it.each([
    ["plan.stages[0].percent", { stages: [{ percent: Infinity }] }],
    ["plan.slos[0].max", { slos: [{ sli: "error_rate", max: Infinity }] }],
    ["plan.slos[0].maxRatioToStable", { slos: [{ sli: "error_rate", maxRatioToStable: Infinity }] }],
    ["plan.slos[0].alpha", { slos: [{ sli: "error_rate", test: "sequential", alpha: Infinity }] }],
    ["plan.slos[0].minEffect", { slos: [{ sli: "error_rate", test: "sequential", minEffect: Infinity }] }],
    ["plan.policy.failureThreshold", { policy: { failureThreshold: Infinity } }],
    ["plan.policy.minRequests", { policy: { minRequests: Infinity } }],
    ["plan.preflight[0].expectStatus", { preflight: [{ url: "http://127.0.0.1/health", expectStatus: Infinity }] }],
  ])("%s must be a finite number", (field, overrides) => {
    expect(error(parsePlan(planWith(overrides)))).toBe(`invalid plan: ${field} must be a finite number (got Infinity)`);
  });

  it("names NaN, which YAML writes as .nan", () => {
    expect(error(parsePlanText("name: p\nstages: [{ percent: .nan }]"))).toBe("invalid plan in plan: plan.stages[0].percent must be a finite number (got NaN)");
  });
});

describe("how many stages, SLOs and probes a plan has", () => {
  it("takes up to 20 stages, 20 SLOs and 10 probes", () => {
    const plan = ok(parsePlan(planWith({ stages: stages(20), slos: slos(20), preflight: probes(10) })));
    expect([plan.stages.length, plan.slos.length, plan.preflight!.length]).toEqual([20, 20, 10]);
  });

  it.each([
    [{ stages: stages(21) }, "plan.stages must have at most 20 stages (got 21)"],
    [{ stages: stages(10_000) }, "plan.stages must have at most 20 stages (got 10000)"],
    [{ slos: slos(21) }, "plan.slos must have at most 20 SLOs (got 21)"],
    [{ preflight: probes(11) }, "plan.preflight must have at most 10 probes (got 11)"],
  ])("refuses more, saying how many there are", (overrides, message) => {
    expect(error(parsePlan(planWith(overrides)))).toBe(`invalid plan: ${message}`);
  });

  it("refuses 10,000 stages from --stages", () => {
    const percents = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 100).join(",");
    expect(error(planFromStages(percents, "1m"))).toBe("invalid plan: plan.stages must have at most 20 stages (got 10000)");
  });

  it("refuses a probe URL longer than 2000 characters, showing its start", () => {
    const url = `http://127.0.0.1/${"a".repeat(2000)}`;
    expect(error(parsePlan(planWith({ preflight: [{ url }] })))).toBe(
      `invalid plan: plan.preflight[0].url must be at most 2000 characters (got "${url.slice(0, 40)}"…, 2017 characters)`,
    );
  });

  it("tells the first 20 problems of a plan with many and counts the rest", () => {
    const bad = Array.from({ length: 20 }, () => ({ percent: 500, extra: true }));
    const message = error(parsePlan(planWith({ stages: bad })));
    expect(message.split("; ")).toHaveLength(21);
    expect(message).toMatch(/; plan has 20 more problems, not shown$/);
    expect(planErrorFields(new PlanError(message)).at(-1)).toEqual({ field: "body", message: "has 20 more problems, not shown" });
  });
});

describe("a plan's text", () => {
  it("is read up to 64 KiB, measured in UTF-8 bytes", () => {
    const plan = "name: p\nstages: [{ percent: 100 }]\n#";
    expect(ok(parsePlanText(plan.padEnd(PLAN_LIMITS.textBytes, "#"))).name).toBe("p");
    expect(error(parsePlanText(plan.padEnd(PLAN_LIMITS.textBytes + 1, "#"), "plans/big.yaml"))).toBe("plans/big.yaml is larger than 64 KiB, the most a plan may be");
    // Two bytes each: half as many characters are already too many bytes.
    expect(error(parsePlanText(plan.padEnd(PLAN_LIMITS.textBytes / 2 + 100, "é")))).toBe("plan is larger than 64 KiB, the most a plan may be");
  });

  it("names the line and column of a YAML or JSON syntax error", () => {
    expect(error(parsePlanText("name: p\nstages:\n  - { percent: 5\n  - { percent: 100 }\n", "plans/p.yaml"))).toBe(
      "plans/p.yaml is not valid YAML or JSON at line 4, column 3: Flow map in block collection must be sufficiently indented and end with a }",
    );
    expect(error(parsePlanText('{"name": "p",\n "stages": [}'))).toMatch(/^plan is not valid YAML or JSON at line 2, column \d+: /);
    expect(error(parsePlanText("name: p\nname: q\nstages: [{ percent: 100 }]"))).toBe("plan is not valid YAML or JSON at line 2, column 1: Map keys must be unique");
  });

  it("refuses an alias bomb, naming the file", () => {
    expect(error(parsePlanText(ALIAS_BOMB, "plans/laughs.yaml"))).toBe(
      "plans/laughs.yaml repeats its YAML aliases more than the 100 times a plan may; write the repeated parts out",
    );
  });

  it("takes aliases for repeated parts", () => {
    const plan = ok(parsePlanText("name: p\nstages: [{ percent: 100 }]\nslos:\n  - &guard { sli: error_rate, max: 0.01 }\n  - *guard\n"));
    expect(plan.slos).toEqual([{ sli: "error_rate", max: 0.01 }, { sli: "error_rate", max: 0.01 }]);
  });

  it("refuses an alias without an anchor, or inside the part it names", () => {
    expect(error(parsePlanText("name: p\nstages: [*stage]"))).toBe("plan has the YAML alias *stage at line 2, column 10 before any anchor &stage");
    expect(error(parsePlanText("name: p\nstages: &stages [{ percent: 100, again: *stages }]"))).toBe(
      "plan has the YAML alias *stages at line 2, column 41 inside the part it names; a plan cannot contain itself",
    );
  });

  it("says so when the document is not a mapping", () => {
    expect(error(parsePlanText("- { percent: 100 }", "p.yaml"))).toBe('p.yaml must hold one plan: a mapping with name, stages, slos and policy (got [{"percent":100}])');
    expect(error(parsePlanText("just text"))).toBe('plan must hold one plan: a mapping with name, stages, slos and policy (got "just text")');
    expect(error(parsePlanText("# nothing but a comment\n"))).toBe("plan must hold one plan: a mapping with name, stages, slos and policy (got nothing)");
  });
});

describe("a plan compressed in time, as the demo runs it", () => {
  it("checks no more often than a plan may, and is still a plan", () => {
    const standard = compressPlanTime(BUILTIN_PLANS.standard!, 60);
    expect(standard.stages[0]!.soakSeconds).toBe(15);
    expect(standard.policy.checkIntervalSeconds).toBe(1);
    expect(ok(parsePlan(planToInput(standard)))).toEqual(standard);

    const windowed = compressPlanTime(ok(parsePlan(planWith({ policy: { checkInterval: "15s", window: "30s" } }))), 60);
    expect(windowed.policy).toMatchObject({ checkIntervalSeconds: 1, windowSeconds: 1 });
    expect(ok(parsePlan(planToInput(windowed)))).toEqual(windowed);
  });
});
