import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Check } from "./check.js";
import { parsePlan, planToInput, PlanError, type Plan, type Slo, type Stage } from "./plan.js";
import { checkWindow, createRelease, desiredSplit, isTerminal, type Release } from "./release.js";
import type { SliSample } from "./sli.js";
import { splitAt } from "./split.js";
import { step, type Command, type Input, type StepResult } from "./step.js";

const STABLE = "v1";
const CANDIDATE = "v2";
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

// ---- random valid plans ---------------------------------------------------------------------

const SLO_CHOICES: Slo[] = [
  { sli: "error_rate", max: 0.01 },
  { sli: "error_rate", maxRatioToStable: 2 },
  { sli: "latency_p99", max: 2000 },
  { sli: "latency_p99", maxRatioToStable: 1.5 },
  { sli: "latency_p50", max: 300 },
  { sli: "latency_p999", maxRatioToStable: 3 },
  { sli: "error_rate", test: "sequential", alpha: 0.01, minEffect: 0.1 },
  { sli: "latency_p99", test: "sequential", alpha: 0.05, minEffect: 0 },
];

const stageTail = fc.record({
  soakSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 900 })),
  progression: fc.constantFrom<Stage["progression"]>("auto", "auto", "manual"),
});

const planArbitrary: fc.Arbitrary<Plan> = fc
  .record({
    // Whole percents mostly, tenths sometimes (e.g. 12.5%), strictly increasing, then 100.
    percents: fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 999 }).map((n) => n / 10)), {
      maxLength: 6,
    }),
    tails: fc.array(stageTail, { minLength: 7, maxLength: 7 }),
    slos: fc.subarray(SLO_CHOICES),
    checkIntervalSeconds: fc.integer({ min: 5, max: 300 }),
    failureThreshold: fc.integer({ min: 1, max: 5 }),
    minRequests: fc.integer({ min: 0, max: 200 }),
    onMetricsUnavailable: fc.constantFrom<"hold" | "rollback">("hold", "rollback"),
  })
  .map(({ percents, tails, slos, checkIntervalSeconds, failureThreshold, minRequests, onMetricsUnavailable }) => {
    const sorted = [...percents].sort((a, b) => a - b);
    return {
      name: "random",
      stages: [...sorted, 100].map((percent, i) => ({ percent, ...tails[i]! })),
      slos,
      policy: { checkIntervalSeconds, failureThreshold, minRequests, onMetricsUnavailable },
    };
  });

// ---- random inputs ------------------------------------------------------------------------------

const sampleArbitrary: fc.Arbitrary<SliSample> = fc
  .record({
    requests: fc.nat({ max: 3000 }),
    errorShare: fc.double({ min: 0, max: 1, noNaN: true }),
    p50: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
    p99: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
    p999: fc.option(fc.integer({ min: 1, max: 9000 }), { nil: undefined }),
  })
  .map(({ requests, errorShare, p50, p99, p999 }) => ({
    requests,
    errors: Math.floor(requests * errorShare),
    latencyMs: { ...(p50 !== undefined && { p50 }), ...(p99 !== undefined && { p99 }), ...(p999 !== undefined && { p999 }) },
  }));

const healthy: SliSample = { requests: 1000, errors: 1, latencyMs: { p50: 20, p90: 50, p99: 100, p999: 200 } };
const broken: SliSample = { requests: 1000, errors: 400, latencyMs: { p50: 900, p90: 3000, p99: 9000, p999: 9999 } };
const thin: SliSample = { requests: 3, errors: 0, latencyMs: { p50: 20, p90: 50, p99: 100, p999: 200 } };

type Samples = Map<string, SliSample> | null;

const samplesArbitrary: fc.Arbitrary<Samples> = fc.oneof(
  { weight: 6, arbitrary: fc.constant("pass" as const).map(() => new Map([[STABLE, healthy], [CANDIDATE, healthy]])) },
  { weight: 3, arbitrary: fc.constant("fail" as const).map(() => new Map([[STABLE, healthy], [CANDIDATE, broken]])) },
  { weight: 2, arbitrary: fc.constant("thin" as const).map(() => new Map([[STABLE, healthy], [CANDIDATE, thin]])) },
  { weight: 2, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: fc
      .record({ stable: fc.option(sampleArbitrary, { nil: undefined }), candidate: fc.option(sampleArbitrary, { nil: undefined }) })
      .map(({ stable, candidate }) => {
        const map = new Map<string, SliSample>();
        if (stable) map.set(STABLE, stable);
        if (candidate) map.set(CANDIDATE, candidate);
        return map;
      }),
  },
);

type Action =
  | { kind: "start" }
  | { kind: "measured"; samples: Samples }
  | { kind: "drift"; percent: number }
  | { kind: "platform_failed" }
  | { kind: "command"; command: Command };

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  fc.constant<Command>({ type: "approve" }),
  fc.constant<Command>({ type: "deny" }),
  fc.constant<Command>({ type: "pause" }),
  fc.constant<Command>({ type: "resume" }),
  fc.constant<Command>({ type: "promote_now" }),
  fc.constant<Command>({ type: "cancel" }),
  fc.constant<Command>({ type: "rollback_now", reason: "on call said so" }),
);

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Action>({ kind: "start" }) },
  { weight: 14, arbitrary: samplesArbitrary.map((samples): Action => ({ kind: "measured", samples })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map((percent): Action => ({ kind: "drift", percent })) },
  { weight: 1, arbitrary: fc.constant<Action>({ kind: "platform_failed" }) },
  // Approve and resume are worth more tries: they only work in a few states.
  { weight: 2, arbitrary: commandArbitrary.map((command): Action => ({ kind: "command", command })) },
  { weight: 1, arbitrary: fc.constantFrom<Command>({ type: "approve" }, { type: "resume" }).map((command): Action => ({ kind: "command", command })) },
);

/** Time between inputs: usually around a check interval, sometimes an engine outage. */
const gapArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0.05, max: 2.5, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: 2.5, max: 100, noNaN: true }) },
);

const scenarioArbitrary = fc.record({
  plan: planArbitrary,
  startFirst: fc.boolean(),
  steps: fc.array(fc.record({ gap: gapArbitrary, action: actionArbitrary }), { maxLength: 120 }),
});

type Scenario = typeof scenarioArbitrary extends fc.Arbitrary<infer T> ? T : never;

// ---- running a scenario ----------------------------------------------------------------------

function toInput(action: Action, release: Release, now: number): Input {
  switch (action.kind) {
    case "start":
      return { type: "preflight_skipped" };
    case "measured":
      return action.samples === null
        ? { type: "measured", window: checkWindow(release, now), samples: null, error: "timeout" }
        : { type: "measured", window: checkWindow(release, now), samples: action.samples };
    case "drift":
      return { type: "drift", expected: desiredSplit(release), actual: splitAt(STABLE, CANDIDATE, action.percent) };
    case "platform_failed":
      return { type: "platform_failed", reason: "the platform said 403" };
    case "command":
      return { ...action.command, actor: "prop" };
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

interface Transition {
  before: Release;
  input: Input;
  now: number;
  result: StepResult;
}

/** Runs a scenario, asserting property 4 (never throws, never mutates) at every step. */
function run({ plan, startFirst, steps }: Scenario): { initial: Release; transitions: Transition[] } {
  const initial = createRelease({ id: "r", name: "prop", target: { platform: "local", config: {} }, stable: STABLE, candidate: CANDIDATE, plan }, T0);
  let release = initial;
  let now = T0;
  const transitions: Transition[] = [];
  const actions: { gap: number; action: Action }[] = startFirst ? [{ gap: 0, action: { kind: "start" } }, ...steps] : steps;
  for (const { gap, action } of actions) {
    now += Math.max(1, Math.round(gap * plan.policy.checkIntervalSeconds * 1000));
    const input = toInput(action, release, now);
    const snapshot = structuredClone(release);
    deepFreeze(release);
    let result: StepResult;
    try {
      result = step(release, input, now);
    } catch (error) {
      throw new Error(`step threw on ${input.type} in state ${release.state}: ${String(error)}`);
    }
    expect(release).toEqual(snapshot);
    transitions.push({ before: release, input, now, result });
    if (result.ok) release = result.release;
  }
  return { initial, transitions };
}

const RUNS = { numRuns: 400 };

function advanced(before: Release, after: Release): boolean {
  return after.stageIndex > before.stageIndex || (after.state === "succeeded" && before.state !== "succeeded");
}

function checkOf(result: StepResult): Check | undefined {
  if (!result.ok) return undefined;
  const event = result.events.find((e) => e.type === "check_completed");
  return event?.type === "check_completed" ? event.check : undefined;
}

// ---- properties -------------------------------------------------------------------------------

describe("step, for random plans and random inputs over time", () => {
  it("only generates valid plans", () => {
    fc.assert(
      fc.property(planArbitrary, (plan) => {
        const parsed = parsePlan(planToInput(plan));
        if (parsed instanceof PlanError) throw parsed;
        expect(parsed).toEqual(plan);
      }),
      RUNS,
    );
  });

  it("(1) desiredSplit is all stable, all candidate, or a stage's percent, and sums to 100", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const { initial, transitions } = run(scenario);
        const percents = scenario.plan.stages.map((stage) => stage.percent);
        const releases = [initial, ...transitions.flatMap(({ result }) => (result.ok ? [result.release] : []))];
        for (const release of releases) {
          const split = desiredSplit(release);
          const total = split.reduce((sum, entry) => sum + entry.percent, 0);
          expect(Math.abs(total - 100)).toBeLessThan(1e-9);
          const candidate = split.find((entry) => entry.version === CANDIDATE)?.percent ?? 0;
          expect(split.every((entry) => entry.version === STABLE || entry.version === CANDIDATE)).toBe(true);
          expect(split.every((entry) => entry.percent > 0)).toBe(true);
          if (["pending", "rolled_back", "cancelled", "failed"].includes(release.state)) {
            expect(split).toEqual([{ version: STABLE, percent: 100 }]);
          } else if (release.state === "succeeded") {
            expect(split).toEqual([{ version: CANDIDATE, percent: 100 }]);
          } else {
            expect(percents).toContain(candidate);
            expect(candidate).toBe(scenario.plan.stages[release.stageIndex]!.percent);
          }
        }
      }),
      RUNS,
    );
  });

  it("(2) a stage advances only on a passing check, an approval after a passing check, or promote now", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const { plan } = scenario;
        for (const { before, input, now, result } of run(scenario).transitions) {
          if (!result.ok) continue;
          const after = result.release;
          if (input.type === "preflight_skipped" && before.state === "pending") {
            // Starting enters the first stage; it promotes at once only when the plan is a bare 100% auto stage.
            expect(after.stageIndex).toBe(0);
            const only = plan.stages[0]!;
            const instant = plan.stages.length === 1 && only.soakSeconds === 0 && only.progression === "auto";
            expect(after.state).toBe(instant ? "succeeded" : "running");
            continue;
          }
          if (!advanced(before, after)) continue;
          expect(after.stageIndex - before.stageIndex).toBeLessThanOrEqual(1);
          const stage = plan.stages[before.stageIndex]!;
          if (input.type === "measured") {
            expect(checkOf(result)?.verdict).toBe("pass");
            expect(before.state).toBe("running");
            expect(stage.progression).toBe("auto");
            // The soak was served: at most the time since the last check can have been added to it.
            expect(before.soakServedSeconds + (now - before.lastCheckAt!) / 1000).toBeGreaterThanOrEqual(stage.soakSeconds);
          } else if (input.type === "approve") {
            expect(before.state).toBe("awaiting_approval");
            expect(before.lastVerdict).toBe("pass");
          } else {
            expect(input.type).toBe("promote_now");
            expect(after.state).toBe("succeeded");
          }
        }
      }),
      RUNS,
    );
  });

  it("(3) once terminal, no input changes the release at all", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        for (const { before, result } of run(scenario).transitions) {
          if (!isTerminal(before.state)) continue;
          if (result.ok) {
            expect(result.release).toBe(before);
            expect(result.events).toEqual([]);
          } else {
            expect(result.error).toMatch(/^cannot /);
          }
        }
      }),
      RUNS,
    );
  });

  it("(4) step never throws and never mutates its input (checked inside every run)", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        run(scenario);
      }),
      RUNS,
    );
  });

  it("rolls back on checks only after failureThreshold consecutive failures, and credits no soak for an outage", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const { policy } = scenario.plan;
        const intervalMs = policy.checkIntervalSeconds * 1000;
        for (const { before, input, now, result } of run(scenario).transitions) {
          if (!result.ok || input.type !== "measured") continue;
          const after = result.release;
          expect(after.soakServedSeconds).toBeGreaterThanOrEqual(0);
          if (after.stageIndex === before.stageIndex && after.state !== "rolled_back" && before.lastCheckAt !== null) {
            const gap = now - before.lastCheckAt;
            const gained = after.soakServedSeconds - before.soakServedSeconds;
            expect(gained).toBeLessThanOrEqual(gap / 1000 + 1e-9);
            if (gap > 2 * intervalMs) expect(gained).toBe(0);
          }
          if (after.state === "rolled_back" && !isTerminal(before.state) && input.samples !== null) {
            const check = checkOf(result);
            expect(check?.verdict).toBe("fail");
            // A sequential test's rejection is final at once; other SLOs wait for the threshold.
            const sequentialRejection = check!.results.some((slo) => slo.verdict === "fail" && slo.evidence);
            if (!sequentialRejection) expect(before.consecutiveFailures + 1).toBe(policy.failureThreshold);
          }
          if (!isTerminal(after.state)) expect(after.consecutiveFailures).toBeLessThan(policy.failureThreshold);
        }
      }),
      RUNS,
    );
  });

  it("carries each sequential SLO's detector from check to check, and keeps one evidence slot per SLO", () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        for (const { before, input, result } of run(scenario).transitions) {
          if (!result.ok) continue;
          expect(result.release.evidence).toHaveLength(scenario.plan.slos.length);
          const check = checkOf(result);
          if (input.type !== "measured" || !check) continue;
          check.results.forEach((slo, i) => {
            if (!slo.evidence) return;
            expect(slo.evidence.detectorBefore).toEqual(before.evidence[i]!.detector);
            if (!isTerminal(result.release.state)) expect(result.release.evidence[i]!.detector).toEqual(slo.evidence.detector);
          });
        }
      }),
      RUNS,
    );
  });

  it("reaches every state often enough for the properties to mean something", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        for (const { result } of run(scenario).transitions) if (result.ok) seen.add(result.release.state);
      }),
      RUNS,
    );
    expect([...seen].sort()).toEqual(["awaiting_approval", "cancelled", "failed", "paused", "pending", "rolled_back", "running", "succeeded"]);
  });
});
