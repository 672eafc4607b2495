import { isSequential, type Plan } from "../../core/plan.js";
import { keptRequests, type SliSample } from "../../core/sli.js";
import { fitLatency } from "../latency-model.js";
import type { VersionBehaviour } from "../scenario.js";
import { CANDIDATE } from "../traffic.js";
import { nextStage } from "./anchors.js";
import type { PolicyDriver } from "./outcome.js";

/** The plan's false-rollback budget when it has no sequential SLO to take it from. */
const DEFAULT_ALPHA = 0.01;

/**
 * The information limit: Wald's sequential probability ratio test of "the candidate behaves like
 * stable" against "the candidate behaves as the scenario says", knowing both behaviours exactly
 * and the moment the candidate turns bad. It sees what every policy sees (the metrics source's
 * kept samples, late by its lag), looks as often as the plan's checks do, follows the plan's
 * stages on the clock as the anchors do, and rolls back when the log likelihood ratio of the
 * candidate's requests since the regression began reaches ln(1 / alpha), alpha being the sum of
 * the plan's sequential alphas. It has no lower boundary: knowing the candidate turns bad, it
 * never stops watching. No real policy can do better at the same alpha and the same looks.
 */
export const runOracle: PolicyDriver = (plan, trajectory, scenario) => {
  const weigh = requestWeigher(scenario.stable, scenario.candidate);
  const threshold = Math.log(1 / planAlpha(plan));
  const intervalMs = plan.policy.checkIntervalSeconds * 1000;
  const badFromMs = scenario.regressionStartsAfterSeconds * 1000;
  let stageIndex = 0;
  let stageStartedAt = 0;
  let weighedUntil = badFromMs;
  let logLikelihoodRatio = 0;
  for (let now = intervalMs; now <= trajectory.horizonMs; now += intervalMs) {
    const stage = plan.stages[stageIndex]!;
    trajectory.advanceTo(now, stage.percent);
    const settledUntil = now - trajectory.lagMs;
    if (weigh && settledUntil > weighedUntil) {
      const { samples } = trajectory.measure({ from: weighedUntil, to: settledUntil }, now);
      const candidate = samples?.get(CANDIDATE);
      if (candidate) logLikelihoodRatio += weigh(candidate);
      weighedUntil = settledUntil;
      if (logLikelihoodRatio >= threshold) return { result: "rolled_back", endedAtMs: now };
    }
    if (now - stageStartedAt < stage.soakSeconds * 1000) continue;
    const outcome = nextStage(plan, stageIndex, now);
    if (outcome) return outcome;
    stageIndex++;
    stageStartedAt = now;
  }
  return { result: "unfinished", endedAtMs: trajectory.horizonMs };
};

function planAlpha(plan: Plan): number {
  const alphas = plan.slos.filter(isSequential).map((slo) => slo.alpha);
  return alphas.length > 0 ? alphas.reduce((sum, alpha) => sum + alpha, 0) : DEFAULT_ALPHA;
}

/**
 * The log likelihood ratio of a candidate sample's kept requests, bad behaviour against stable's:
 * each request's error or not, and its latency bucket. Undefined when the two behave alike, so
 * there is nothing to test.
 */
function requestWeigher(stable: VersionBehaviour, bad: VersionBehaviour): ((sample: SliSample) => number) | undefined {
  const sameLatency = stable.latencyMs.p50 === bad.latencyMs.p50 && stable.latencyMs.p99 === bad.latencyMs.p99;
  if (stable.errorRate === bad.errorRate && sameLatency) return undefined;
  const errorLog = logRatio(bad.errorRate, stable.errorRate);
  const successLog = logRatio(1 - bad.errorRate, 1 - stable.errorRate);
  const stableBuckets = fitLatency(stable.latencyMs).bucketProbabilities;
  const bucketLogs = fitLatency(bad.latencyMs).bucketProbabilities.map((probability, i) => (sameLatency ? 0 : logRatio(probability, stableBuckets[i]!)));
  return (sample) => {
    const interval = sample.sampleInterval ?? 1;
    const errors = sample.errors / interval;
    let log = weighted(errors, errorLog) + weighted(keptRequests(sample) - errors, successLog);
    sample.latencyHistogram?.counts.forEach((count, i) => (log += weighted(count / interval, bucketLogs[i]!)));
    return log;
  };
}

/** ln(a / b), with a probability too small to represent kept just above 0. */
function logRatio(a: number, b: number): number {
  const floor = 1e-300;
  return Math.log(Math.max(a, floor) / Math.max(b, floor));
}

function weighted(count: number, log: number): number {
  return count === 0 ? 0 : count * log;
}
