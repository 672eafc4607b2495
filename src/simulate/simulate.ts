import type { Plan } from "../core/plan.js";
import { fitLatency, probabilitySlowerThan } from "./latency-model.js";
import { ANCHORS } from "./policies/anchors.js";
import { runGlidepath } from "./policies/glidepath.js";
import { runOracle } from "./policies/oracle.js";
import type { PolicyDriver, ReleaseOutcome } from "./policies/outcome.js";
import type { Scenario } from "./scenario.js";
import { DEFAULT_SLICE_SECONDS, TrafficWorld, Trajectory } from "./traffic.js";

export type { Scenario } from "./scenario.js";

export const POLICIES = {
  glidepath: runGlidepath,
  ...ANCHORS,
  oracle: runOracle,
} as const satisfies Record<string, PolicyDriver>;

export type PolicyName = keyof typeof POLICIES;
export const POLICY_NAMES = Object.keys(POLICIES) as PolicyName[];

export interface SimulationOptions {
  plan: Plan;
  scenario: Scenario;
  runs: number;
  seed: number;
  policies: readonly PolicyName[];
}

export interface PolicyReport {
  policy: PolicyName;
  rollbackRate: number;
  promotionRate: number;
  /** Releases still going at the horizon: neither rolled back nor promoted. */
  unfinishedRate: number;
  /** Seconds from the candidate turning bad to the rollback, over rollbacks at or after that moment; null without any. */
  timeToRollbackSeconds: { median: number | null; p90: number | null };
  /** Mean per release of the requests the candidate served badly beyond what stable would have. */
  meanExcessBadRequests: number;
  meanReleaseDurationSeconds: number;
  /**
   * When the oracle ran too: this policy's mean excess bad requests and median time to rollback
   * as multiples of the oracle's; null where the oracle's is 0 or absent.
   */
  toOracle?: { excessBadRequests: number | null; timeToRollback: number | null };
}

export interface SimulationReport {
  plan: string;
  runs: number;
  seed: number;
  sliceSeconds: number;
  /** How long a release may run in virtual time before it counts as unfinished. */
  horizonSeconds: number;
  policies: PolicyReport[];
}

/** Progress after each run: how many runs are done out of how many. */
export type ProgressListener = (done: number, total: number) => void;

/**
 * Runs `runs` releases of the plan per policy in virtual time, every policy seeing the same
 * simulated traffic, and summarises how each one fared. Pure and synchronous: the same options
 * give the same report.
 */
export function simulate(options: SimulationOptions, onProgress?: ProgressListener): SimulationReport {
  const { plan, scenario, runs, seed, policies } = options;
  const world = new TrafficWorld(scenario, seed, sliceSecondsFor(plan, scenario));
  const excessPerBadRequest = excessBadShare(scenario);
  const tallies = policies.map((policy) => ({ policy, trajectory: new Trajectory(world, horizonMsFor(plan)), outcomes: [] as Tally[] }));

  for (let run = 0; run < runs; run++) {
    world.startRun(run);
    for (const { policy, trajectory, outcomes } of tallies) {
      trajectory.reset();
      const outcome = POLICIES[policy](plan, trajectory, scenario);
      outcomes.push({ ...outcome, excessBad: trajectory.candidateRequestsServedSince(world.firstBadSlice) * excessPerBadRequest });
    }
    onProgress?.(run + 1, runs);
  }

  const badFromMs = scenario.regressionStartsAfterSeconds * 1000;
  return {
    plan: plan.name,
    runs,
    seed,
    sliceSeconds: world.sliceSeconds,
    horizonSeconds: Math.ceil(horizonMsFor(plan) / world.sliceMs) * world.sliceSeconds,
    policies: withOracleRatios(tallies.map(({ policy, outcomes }) => summarise(policy, outcomes, badFromMs))),
  };
}

function withOracleRatios(reports: PolicyReport[]): PolicyReport[] {
  const oracle = reports.find((report) => report.policy === "oracle");
  if (!oracle) return reports;
  const ratio = (value: number | null, limit: number | null) => (value === null || !limit ? null : value / limit);
  return reports.map((report) => ({
    ...report,
    toOracle: {
      excessBadRequests: ratio(report.meanExcessBadRequests, oracle.meanExcessBadRequests),
      timeToRollback: ratio(report.timeToRollbackSeconds.median, oracle.timeToRollbackSeconds.median),
    },
  }));
}

interface Tally extends ReleaseOutcome {
  excessBad: number;
}

/** Twice the plan's planned soak plus an hour: far past when any healthy release ends. */
function horizonMsFor(plan: Plan): number {
  const plannedSeconds = plan.stages.reduce((sum, stage) => sum + stage.soakSeconds, 0);
  return (2 * plannedSeconds + 3600) * 1000;
}

/** Slice lengths to try, longest first: fewer slices draw fewer random numbers. */
const SLICE_SECONDS_CHOICES = [15, 10, DEFAULT_SLICE_SECONDS];

/**
 * The longest slice that every window boundary falls on (glidepath's checks and window, the
 * anchors' 60 s checks, the lag, the regression's start), so longer slices change nothing but
 * the speed; otherwise 5 s, and windows snap to the nearest slice boundary.
 */
function sliceSecondsFor(plan: Plan, scenario: Scenario): number {
  const { checkIntervalSeconds, windowSeconds } = plan.policy;
  const boundaries = [checkIntervalSeconds, windowSeconds ?? 0, 60, scenario.metrics.lagSeconds, scenario.regressionStartsAfterSeconds];
  return SLICE_SECONDS_CHOICES.find((slice) => boundaries.every((seconds) => seconds % slice === 0)) ?? DEFAULT_SLICE_SECONDS;
}

/**
 * The expected bad requests per candidate request beyond stable's, per component clipped at 0:
 * extra errors, and requests slower than stable's p99 beyond stable's own 1%.
 */
function excessBadShare({ stable, candidate }: Scenario): number {
  const extraErrors = Math.max(0, candidate.errorRate - stable.errorRate);
  const extraSlow = Math.max(0, probabilitySlowerThan(fitLatency(candidate.latencyMs), stable.latencyMs.p99) - 0.01);
  return extraErrors + extraSlow;
}

function summarise(policy: PolicyName, outcomes: Tally[], badFromMs: number): PolicyReport {
  const share = (result: ReleaseOutcome["result"]) => outcomes.filter((outcome) => outcome.result === result).length / outcomes.length;
  const rollbackDelays = outcomes
    .filter((outcome) => outcome.result === "rolled_back" && outcome.endedAtMs >= badFromMs)
    .map((outcome) => (outcome.endedAtMs - badFromMs) / 1000)
    .sort((a, b) => a - b);
  return {
    policy,
    rollbackRate: share("rolled_back"),
    promotionRate: share("promoted"),
    unfinishedRate: share("unfinished"),
    timeToRollbackSeconds: { median: quantile(rollbackDelays, 0.5), p90: quantile(rollbackDelays, 0.9) },
    meanExcessBadRequests: mean(outcomes.map((outcome) => outcome.excessBad)),
    meanReleaseDurationSeconds: mean(outcomes.map((outcome) => outcome.endedAtMs / 1000)),
  };
}

/** The nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}
