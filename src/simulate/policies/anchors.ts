import type { Plan } from "../../core/plan.js";
import { sliValue, type SliSample } from "../../core/sli.js";
import { CANDIDATE, STABLE, type Trajectory } from "../traffic.js";
import type { PolicyDriver, ReleaseOutcome } from "./outcome.js";

/** What one anchor check found: a failing or passing candidate, or no data to judge. */
export type AnchorCheck = "pass" | "fail" | "no_data";

/** Judges one 60 s window; gets the samples of both versions (absent when a version served nothing). */
type Judge = (plan: Plan, candidate: SliSample | undefined, stable: SliSample | undefined) => AnchorCheck;

/** Counts checks and decides when to roll back; a fresh one per release. */
export interface RollbackRule {
  judge: Judge;
  /** Returns true when this check's result means rolling back. */
  shouldRollBack(check: AnchorCheck): boolean;
}

const CHECK_INTERVAL_MS = 60_000;

/**
 * The loop every anchor shares: the plan's stages and soak times on the clock, one check every
 * 60 s over the newest 60 s the metrics have settled, a stage advancing once its soak time has
 * passed. Manual stages count as approved at once.
 */
function anchor(newRule: () => RollbackRule): PolicyDriver {
  return (plan, trajectory) => {
    const rule = newRule();
    const { horizonMs } = trajectory;
    let stageIndex = 0;
    let stageStartedAt = 0;
    for (let now = CHECK_INTERVAL_MS; now <= horizonMs; now += CHECK_INTERVAL_MS) {
      const stage = plan.stages[stageIndex]!;
      trajectory.advanceTo(now, stage.percent);
      const check = judgeWindow(rule.judge, plan, trajectory, now);
      if (rule.shouldRollBack(check)) return { result: "rolled_back", endedAtMs: now };
      if (now - stageStartedAt < stage.soakSeconds * 1000) continue;
      const outcome = nextStage(plan, stageIndex, now);
      if (outcome) return outcome;
      stageIndex++;
      stageStartedAt = now;
    }
    return { result: "unfinished", endedAtMs: horizonMs };
  };
}

/** Promotes when no stage follows `stageIndex`, or only the final 100% with nothing to soak. */
export function nextStage(plan: Plan, stageIndex: number, now: number): ReleaseOutcome | undefined {
  const next = plan.stages[stageIndex + 1];
  if (!next || (next.percent === 100 && next.soakSeconds === 0)) {
    return { result: "promoted", endedAtMs: now };
  }
  return undefined;
}

/**
 * Judges the newest 60 s the lagging metrics have settled, as a query offset by the lag would: a
 * window ending at now would be clipped to nothing.
 */
function judgeWindow(judge: Judge, plan: Plan, trajectory: Trajectory, now: number): AnchorCheck {
  const to = now - trajectory.lagMs;
  if (to <= 0) return "no_data";
  const { samples } = trajectory.measure({ from: Math.max(0, to - CHECK_INTERVAL_MS), to }, now);
  if (!samples) return "no_data";
  return judge(plan, samples.get(CANDIDATE), samples.get(STABLE));
}

/** Fails when any of the plan's absolute SLOs (those with `max`) fails; no candidate requests is no data. */
const planAbsoluteSlos: Judge = (plan, candidate) => {
  if (!candidate) return "no_data";
  for (const slo of plan.slos) {
    if (!("max" in slo)) continue;
    const value = sliValue(candidate, slo.sli);
    if (value !== undefined && value > slo.max) return "fail";
  }
  return "pass";
};

function errorRateOf(sample: SliSample): number {
  return sample.errors / sample.requests;
}

/** gradual-deployer: the candidate's error rate above 5% on any check rolls back; no traffic passes. */
const thresholdScript = (): RollbackRule => ({
  judge: (_plan, candidate) => (candidate && errorRateOf(candidate) > 0.05 ? "fail" : "pass"),
  shouldRollBack: (check) => check === "fail",
});

/** CanaryRoll: 3 consecutive failing health checks roll back. */
const consecutive3 = (): RollbackRule => {
  let consecutiveFailures = 0;
  return {
    judge: planAbsoluteSlos,
    shouldRollBack(check) {
      if (check === "pass") consecutiveFailures = 0;
      if (check === "fail") consecutiveFailures++;
      return consecutiveFailures >= 3;
    },
  };
};

/**
 * Flagger's built-in metrics: request-success-rate >= 99% and request-duration p99 <= 500 ms over
 * a 1 m window; threshold 5 failed checks, counted over the whole analysis; no data fails a check.
 */
const flagger = (): RollbackRule => {
  let failedChecks = 0;
  return {
    judge: (_plan, candidate) => {
      if (!candidate) return "no_data";
      const p99 = candidate.latencyMs.p99;
      return errorRateOf(candidate) > 0.01 || (p99 !== undefined && p99 > 500) ? "fail" : "pass";
    },
    shouldRollBack(check) {
      if (check !== "pass") failedChecks++;
      return failedChecks >= 5;
    },
  };
};

/** Argo Rollouts' analysis: the plan's absolute SLOs, failureLimit 3, so the 4th failed measurement (cumulative) rolls back; no data is inconclusive. */
const argo = (): RollbackRule => {
  let failedMeasurements = 0;
  return {
    judge: planAbsoluteSlos,
    shouldRollBack(check) {
      if (check === "fail") failedMeasurements++;
      return failedMeasurements > 3;
    },
  };
};

/** A naive comparison with stable: error rate above 2x stable's, or p99 above 1.5x stable's, on any check rolls back. */
const relative = (): RollbackRule => ({
  judge: (_plan, candidate, stable) => {
    if (!candidate || !stable) return "no_data";
    const [candidateP99, stableP99] = [candidate.latencyMs.p99, stable.latencyMs.p99];
    const slower = candidateP99 !== undefined && stableP99 !== undefined && candidateP99 > 1.5 * stableP99;
    return errorRateOf(candidate) > 2 * errorRateOf(stable) || slower ? "fail" : "pass";
  },
  shouldRollBack: (check) => check === "fail",
});

/** The rollback rule of each anchor, by policy name. */
export const ANCHOR_RULES = {
  "threshold-script": thresholdScript,
  "consecutive-3": consecutive3,
  flagger,
  argo,
  relative,
} as const satisfies Record<string, () => RollbackRule>;

export type AnchorName = keyof typeof ANCHOR_RULES;

export const ANCHORS = Object.fromEntries(
  Object.entries(ANCHOR_RULES).map(([name, newRule]) => [name, anchor(newRule)]),
) as Record<AnchorName, PolicyDriver>;
