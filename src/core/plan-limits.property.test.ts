import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { durationSeconds, formatDuration } from "./duration.js";
import { PLAN_LIMITS } from "./plan-limits.js";
import { parsePlan, parsePlanText, planToInput, PlanError, type Plan } from "./plan.js";

// ---- plans that are often valid and often just past a limit ------------------------------------

const durationText = fc
  .tuple(fc.oneof(fc.nat({ max: 200_000 }).map(String), fc.stringMatching(/^\d{1,30}(\.\d{1,3})?$/)), fc.constantFrom("ms", "s", "m", "h", "d", ""))
  .map(([amount, unit]) => `${amount}${unit}`);

/** A duration for a field with these limits: inside them mostly, as seconds or text, else just outside or anything at all. */
function durationNear({ atLeast = "0s", atMost }: { atLeast?: string; atMost: string }): fc.Arbitrary<unknown> {
  const [least, most] = [durationSeconds(atLeast), durationSeconds(atMost)];
  const inside = fc.double({ min: least, max: most, noNaN: true });
  return fc.oneof(
    { weight: 24, arbitrary: inside },
    { weight: 12, arbitrary: inside.map(formatDuration) },
    { weight: 4, arbitrary: fc.constantFrom(atLeast, atMost) },
    { weight: 1, arbitrary: fc.double({ min: most, max: 2 * most, minExcluded: true, noNaN: true }) },
    { weight: 1, arbitrary: fc.double({ min: -1, max: least, maxExcluded: true, noNaN: true }) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: durationText },
    { weight: 1, arbitrary: fc.tuple(durationText, durationText).map(([a, b]) => `${a}${b}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
}

/** A whole number at least `least` mostly, else any number. */
const count = (least: number) => fc.oneof({ weight: 6, arbitrary: fc.integer({ min: least, max: 1000 }) }, { weight: 1, arbitrary: fc.double() });

/** A few items mostly, sometimes about as many as the limit allows, on either side of it. */
const aroundLimit = <T>(item: fc.Arbitrary<T>, limit: number) =>
  fc.oneof({ weight: 4, arbitrary: fc.array(item, { maxLength: 5 }) }, { weight: 1, arbitrary: fc.array(item, { minLength: limit - 1, maxLength: limit + 2 }) });

const increasingPercents = aroundLimit(fc.oneof(fc.integer({ min: 1, max: 99 }), fc.double({ min: 0.01, max: 99.99, noNaN: true })), PLAN_LIMITS.stages - 1).map(
  (percents) => [...new Set(percents)].sort((a, b) => a - b).concat(100),
);

const stageWith = (percent: fc.Arbitrary<number>) =>
  fc.record({ percent, soak: durationNear(PLAN_LIMITS.soak), progression: fc.constantFrom("auto", "manual") }, { requiredKeys: ["percent"] });

const stagesArbitrary = fc.oneof(
  { weight: 4, arbitrary: increasingPercents.chain((percents) => fc.tuple(...percents.map((percent) => stageWith(fc.constant(percent))))) },
  { weight: 1, arbitrary: fc.array(stageWith(fc.oneof(fc.double(), fc.integer({ min: 1, max: 100 }))), { maxLength: 25 }) },
);

const sloArbitrary = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom({ sli: "error_rate", max: 0.01 }, { sli: "latency_p99", maxRatioToStable: 1.5 }) },
  { weight: 2, arbitrary: fc.constant({ sli: "error_rate", test: "sequential" }) },
  { weight: 1, arbitrary: fc.constant({ sli: "latency_p99", max: Number.POSITIVE_INFINITY }) },
);

const planInput = fc.record(
  {
    name: fc.oneof({ weight: 9, arbitrary: fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,70}[a-z0-9])?$/) }, { weight: 1, arbitrary: fc.string({ maxLength: 70 }) }),
    stages: stagesArbitrary,
    slos: aroundLimit(sloArbitrary, PLAN_LIMITS.slos),
    policy: fc.record(
      {
        checkInterval: durationNear(PLAN_LIMITS.checkInterval),
        window: durationNear(PLAN_LIMITS.window),
        failureThreshold: count(1),
        minRequests: count(0),
      },
      { requiredKeys: [] },
    ),
    preflight: aroundLimit(fc.record({ url: fc.constant("http://127.0.0.1:8080/health"), timeout: durationNear(PLAN_LIMITS.probeTimeout) }, { requiredKeys: ["url"] }), PLAN_LIMITS.probes),
  },
  { requiredKeys: ["name", "stages"] },
);

// ---- what every accepted plan satisfies ------------------------------------------------------------

const within = (seconds: number, { atLeast = "0s", atMost }: { atLeast?: string; atMost: string }) =>
  Number.isFinite(seconds) && seconds >= durationSeconds(atLeast) && seconds <= durationSeconds(atMost);

function durationsOf(plan: Plan): number[] {
  return [
    ...plan.stages.map((stage) => stage.soakSeconds),
    plan.policy.checkIntervalSeconds,
    ...(plan.policy.windowSeconds === undefined ? [] : [plan.policy.windowSeconds]),
    ...(plan.preflight ?? []).map((probe) => probe.timeoutSeconds),
  ];
}

function expectWithinLimits(plan: Plan): void {
  expect(plan.name).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
  expect(plan.name.length).toBeLessThanOrEqual(63);
  expect(plan.stages.length).toBeGreaterThanOrEqual(1);
  expect(plan.stages.length).toBeLessThanOrEqual(PLAN_LIMITS.stages);
  expect(plan.slos.length).toBeLessThanOrEqual(PLAN_LIMITS.slos);
  expect((plan.preflight ?? []).length).toBeLessThanOrEqual(PLAN_LIMITS.probes);
  expect(plan.stages.every((stage) => within(stage.soakSeconds, PLAN_LIMITS.soak))).toBe(true);
  expect(within(plan.policy.checkIntervalSeconds, PLAN_LIMITS.checkInterval)).toBe(true);
  if (plan.policy.windowSeconds !== undefined) expect(within(plan.policy.windowSeconds, PLAN_LIMITS.window)).toBe(true);
  expect((plan.preflight ?? []).every((probe) => within(probe.timeoutSeconds, PLAN_LIMITS.probeTimeout))).toBe(true);
  const numbers = [
    ...plan.stages.map((stage) => stage.percent),
    ...plan.slos.flatMap((slo) => Object.values(slo).filter((value) => typeof value === "number")),
    plan.policy.failureThreshold,
    plan.policy.minRequests,
    ...(plan.preflight ?? []).map((probe) => probe.expectStatus),
  ];
  expect(numbers.every(Number.isFinite)).toBe(true);
  for (const seconds of durationsOf(plan)) expect(formatDuration(seconds)).toMatch(/^(?:\d+ms|(?:\d+h)?(?:\d+m)?(?:\d+s)?)$/);
}

describe("every plan parsePlan accepts", () => {
  it("is within every limit, writes its durations without exponents, and reads back the same", () => {
    let accepted = 0;
    fc.assert(
      fc.property(planInput, (input) => {
        const plan = parsePlan(input);
        if (plan instanceof PlanError) {
          expect(plan.message).toMatch(/^invalid plan: plan[ .[]/);
          return;
        }
        accepted += 1;
        expectWithinLimits(plan);
        expect(parsePlan(planToInput(plan))).toEqual(plan);
      }),
      { numRuns: 2000 },
    );
    // The generator is meant to land on both sides of the limits; a run that accepts nothing tests nothing.
    expect(accepted).toBeGreaterThan(100);
  });
});

describe("any plan text", () => {
  const yamlish = fc.string({ unit: fc.constantFrom(..."abc: -[]{},&*!|>'\"\n0123456789.e".split(""), "name: p\n", "stages: [{percent: 100}]\n", "&a ", "*a", "  "), maxLength: 60 });

  it("is a plan or a PlanError naming the source, never a throw", () => {
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string()), (text) => {
        const plan = parsePlanText(text, "plans/fuzz.yaml");
        if (plan instanceof PlanError) expect(plan.message).toMatch(/^(invalid plan in plans\/fuzz\.yaml: |plans\/fuzz\.yaml )/);
        else expectWithinLimits(plan);
      }),
      { numRuns: 2000 },
    );
  });
});
