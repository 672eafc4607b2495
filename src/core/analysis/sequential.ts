import type { Plan, SequentialSlo } from "../plan.js";
import { LATENCY_QUANTILES, type SliSample } from "../sli.js";
import { advanceDetector, detectorEValue, type LogDetector, startWeight } from "./change-detector.js";
import { type Counts, countLogLikelihoodRatios, countsSince, type EventCounts, NO_COUNTS } from "./count-test.js";
import { boundNearestQuantile, haveSameBuckets, slowerThan } from "./slow-requests.js";

/** What a sequential SLO carries from one check to the next. */
export interface SequentialState {
  detector: LogDetector;
  /** Start points the detector has taken so far. */
  startPoints: number;
  /**
   * The stage's counts at the previous check, as the next check will count them (for latency:
   * above `boundMs`), so the next check weighs only what is new; null while the stage has none.
   */
  counted: EventCounts | null;
  /** Latency only: the bound the next check counts slow requests above, chosen from the data before it. */
  boundMs?: number;
}

export function initialSequentialState(): SequentialState {
  return { detector: null, startPoints: 0, counted: null };
}

/** A new stage's checks cover the stage from its start: its counts begin again, the detector goes on. */
export function atStageStart(state: SequentialState): SequentialState {
  return { ...state, counted: null };
}

/** The numbers behind a sequential verdict: enough to explain it and to compute it again. */
export interface SequentialEvidence {
  /** What was counted per request: an error, or a response slower than boundMs. */
  counted: "errors" | "slow_requests";
  boundMs?: number;
  /** The stage so far, as the source kept them (after undoing any sampling). */
  candidate: Counts;
  stable: Counts;
  /** What this check added since the previous one: the batch the detector weighed. */
  batch: EventCounts;
  /** The weight of the start point this check added to the detector (0 for none). */
  startWeight: number;
  /** Per alternative, the log of the detector before this check and after it. */
  detectorBefore: LogDetector;
  detector: LogDetector;
  /** How strongly the release says the candidate became worse; 0 before any evidence. */
  eValue: number;
  /** 1 / alpha: an e-value this large rejects "the candidate is not worse". */
  threshold: number;
}

export type SequentialJudgement =
  | { verdict: "pass" | "fail"; evidence: SequentialEvidence; state: SequentialState }
  | { verdict: "not_applicable"; note: string; state: SequentialState };

/**
 * How many start points the plan expects after the first: one per check while stable still has
 * traffic, from each stage's soak and the check interval (at least one per such stage).
 */
export function laterStartPoints(plan: Plan): number {
  const perStage = plan.stages
    .filter((stage) => stage.percent < 100)
    .map((stage) => Math.max(1, Math.ceil(stage.soakSeconds / plan.policy.checkIntervalSeconds)));
  return Math.max(1, perStage.reduce((sum, checks) => sum + checks, 0) - 1);
}

/**
 * Judges "the candidate is not worse than stable by more than minEffect" at one check, from the
 * two versions' samples of the stage so far and what the SLO carried from the previous check:
 * the counts new since then are weighed by the change detector, which fails the SLO once its
 * e-value reaches 1 / alpha.
 */
export function judgeSequential(
  slo: SequentialSlo,
  plan: Plan,
  candidate: SliSample,
  stable: SliSample,
  state: SequentialState,
): SequentialJudgement {
  const counting = countNew(slo, candidate, stable, state);
  if (counting instanceof Error) return { verdict: "not_applicable", note: counting.message, state };
  const { batch, stage, boundMs, next } = counting;
  const weighs = batch.candidate.trials > 0 && batch.stable.trials > 0;
  const weight = weighs ? startWeight(state.startPoints, laterStartPoints(plan)) : 0;
  const detector = weighs ? advanceDetector(state.detector, weight, countLogLikelihoodRatios(batch, slo.minEffect)) : state.detector;
  const eValue = detectorEValue(detector);
  const threshold = 1 / slo.alpha;
  return {
    verdict: eValue >= threshold ? "fail" : "pass",
    evidence: {
      counted: slo.sli === "error_rate" ? "errors" : "slow_requests",
      ...(boundMs !== undefined && { boundMs }),
      candidate: stage.candidate,
      stable: stage.stable,
      batch,
      startWeight: weight,
      detectorBefore: state.detector,
      detector,
      eValue,
      threshold,
    },
    state: { ...next, detector, startPoints: state.startPoints + (weighs ? 1 : 0) },
  };
}

interface NewCounts {
  /** Counted since the previous check. */
  batch: EventCounts;
  /** The stage so far, counted the same way. */
  stage: EventCounts;
  boundMs?: number;
  /** What the next check needs to count what is new to it. */
  next: Pick<SequentialState, "counted" | "boundMs">;
}

function countNew(slo: SequentialSlo, candidate: SliSample, stable: SliSample, state: SequentialState): NewCounts | Error {
  if (slo.sli === "error_rate") {
    const stage = { candidate: kept(candidate, candidate.requests, candidate.errors), stable: kept(stable, stable.requests, stable.errors) };
    return { batch: countsSince(stage, state.counted), stage, next: { counted: stage } };
  }
  const histograms = { candidate: candidate.latencyHistogram, stable: stable.latencyHistogram };
  if (!histograms.candidate || !histograms.stable) {
    return new Error(
      `the metrics source gives latency quantiles but no histogram, so ${slo.sli} cannot be tested sequentially here; ` +
        `hold it to a ratio instead, e.g. { sli: ${slo.sli}, maxRatioToStable: 1.5 }`,
    );
  }
  if (!haveSameBuckets(histograms.candidate, histograms.stable)) return new Error("the two versions' latency histograms have different buckets");
  const slow = (boundMs: number | undefined): EventCounts | undefined => {
    if (boundMs === undefined) return undefined;
    const candidateSlow = slowerThan(histograms.candidate!, boundMs);
    const stableSlow = slowerThan(histograms.stable!, boundMs);
    if (!candidateSlow || !stableSlow) return undefined;
    return { candidate: kept(candidate, candidateSlow.trials, candidateSlow.events), stable: kept(stable, stableSlow.trials, stableSlow.events) };
  };
  // The bound is chosen from the data before the batch it counts, so the choice cannot bend the
  // test. The release's first batch has nothing before it; its bound comes from its own pooled
  // requests, which are blind to which version served which.
  const nextBoundMs = boundNearestQuantile(histograms.candidate, histograms.stable, LATENCY_QUANTILES[slo.sli]) ?? state.boundMs;
  const boundMs = state.boundMs ?? nextBoundMs;
  const stage = slow(boundMs);
  const nextCounted = nextBoundMs === boundMs ? stage : slow(nextBoundMs);
  const next = { counted: nextCounted ?? null, ...(nextBoundMs !== undefined && { boundMs: nextBoundMs }) };
  if (!stage) return { batch: countsSince(NONE, null), stage: NONE, next };
  return { batch: countsSince(stage, state.counted), stage, boundMs: boundMs!, next };
}

const NONE: EventCounts = { candidate: NO_COUNTS, stable: NO_COUNTS };

/**
 * Counts a sampling source scaled up are worth only the requests it kept: testing the scaled
 * counts would claim more certainty than the data holds.
 */
function kept(sample: SliSample, trials: number, events: number): Counts {
  const interval = sample.sampleInterval ?? 1;
  return { trials: trials / interval, events: events / interval };
}
