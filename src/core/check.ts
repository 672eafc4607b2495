import { quantileBounds } from "./analysis/quantile-bounds.js";
import { initialSequentialState, judgeSequential, type SequentialEvidence, type SequentialState } from "./analysis/sequential.js";
import { isSequential, type Plan, type SequentialSlo, type Slo } from "./plan.js";
import { keptRequests, LATENCY_QUANTILES, type LatencySli, type OutcomeClass, type OutcomeCount, requestsToJudge, sliValue, type SliSample } from "./sli.js";

export type Verdict = "pass" | "fail" | "insufficient_data";
export type SloVerdict = Verdict | "not_applicable";

export interface SloResult {
  slo: Slo;
  /** The rule in words, e.g. "latency_p99 <= 1.5 x stable". */
  rule: string;
  verdict: SloVerdict;
  candidate: number | null;
  stable: number | null;
  /** The limit the candidate's value was held to. */
  threshold: number | null;
  /** Why there is no verdict, when there is none. */
  note?: string;
  /** For a sequential SLO, the counts and the statistic behind the verdict. */
  evidence?: SequentialEvidence;
}

/** One evaluation of every SLO at one moment, with the numbers behind it. */
export interface Check {
  at: number;
  stageIndex: number;
  window: { from: number; to: number };
  verdict: Verdict;
  /**
   * What a reader needs beside the numbers: why there is no verdict, when there is none, and how
   * the source's outcomes were counted, when it reports them ("312 not counted as the client's doing (312 responseStreamDisconnected)").
   */
  note: string | null;
  samples: { stable: SliSample | null; candidate: SliSample | null };
  results: SloResult[];
}

export interface CheckContext {
  plan: Plan;
  stable: string;
  candidate: string;
  candidatePercent: number;
  stageIndex: number;
  window: { from: number; to: number };
  at: number;
  /** Per plan SLO, what its sequential test carried from the previous check (null for other SLOs). */
  evidence: readonly (SequentialState | null)[];
}

/** A check, and what each sequential SLO carries to the next one. */
export interface CheckOutcome {
  check: Check;
  evidence: (SequentialState | null)[];
}

const EMPTY_SAMPLE: SliSample = { requests: 0, errors: 0, latencyMs: {} };

interface Side {
  version: string;
  sample: SliSample;
}

export function describeSlo(slo: Slo): string {
  if (isSequential(slo)) {
    const margin = slo.minEffect > 0 ? ` + ${formatSliValue(slo.minEffect * 100)}%` : "";
    return `${slo.sli} not worse than stable${margin} (sequential test, alpha ${slo.alpha})`;
  }
  return "max" in slo ? `${slo.sli} <= ${slo.max}` : `${slo.sli} <= ${slo.maxRatioToStable} x stable`;
}

/**
 * Judges the candidate against the plan's SLOs from per-version samples. A version that gets
 * traffic at this stage but has fewer than minRequests kept requests in the window leaves the
 * check without a verdict: thin data never passes a stage. A sequential test stays valid at any
 * count, so its rejection still fails the check on thin data.
 */
export function evaluateCheck(context: CheckContext, samples: ReadonlyMap<string, SliSample>): CheckOutcome {
  const { plan, stable, candidate, candidatePercent } = context;
  const stableSample = samples.get(stable) ?? EMPTY_SAMPLE;
  const candidateSample = samples.get(candidate) ?? EMPTY_SAMPLE;
  const stableHasTraffic = candidatePercent < 100;
  const { minRequests } = plan.policy;
  const thin = [
    keptRequests(candidateSample) < minRequests && servedText(candidate, candidateSample),
    stableHasTraffic && keptRequests(stableSample) < minRequests && servedText(stable, stableSample),
  ].filter(Boolean);
  const thinNote = thin.length > 0 ? `${thin.join(" and ")} in the window; a verdict needs ${minRequests} each` : null;
  const candidateSide = { version: candidate, sample: candidateSample };
  const stableSide = stableHasTraffic ? { version: stable, sample: stableSample } : null;
  const evidence = [...context.evidence];
  const judged = plan.slos.map((slo, i) => {
    if (!isSequential(slo)) return judgeSlo(slo, candidateSide, stableSide);
    const { result, state } = judgeSequentialSlo(slo, plan, candidateSide, stableSide, context.evidence[i] ?? initialSequentialState());
    evidence[i] = state;
    return result;
  });
  const sequentialRejection = judged.some((result) => result.verdict === "fail" && result.evidence);
  // Thin data passes nothing, but a sequential rejection is valid at any count. With enough
  // requests, a failing SLO fails the check even when another cannot be measured: a missing
  // signal must not hide a measured regression.
  const stands = (result: SloResult) => thinNote === null || (result.evidence !== undefined && result.verdict === "fail");
  const results = judged.map((result) => (stands(result) ? result : { ...result, verdict: holdBack(result.verdict) }));
  const verdicts = results.map((result) => result.verdict);
  const verdict: Verdict =
    sequentialRejection || (thinNote === null && verdicts.includes("fail"))
      ? "fail"
      : thinNote !== null || verdicts.includes("insufficient_data")
        ? "insufficient_data"
        : "pass";
  const heldBack = results.find((result) => result.verdict === "insufficient_data" && result.note);
  const whyNoVerdict = verdict === "insufficient_data" ? (thinNote ?? heldBack?.note ?? null) : null;
  const outcomes = [outcomesText(stable, samples.get(stable)), outcomesText(candidate, samples.get(candidate))].filter((text) => text !== null);
  const note = [whyNoVerdict, ...outcomes].filter((text) => text !== null).join("; ");
  return {
    check: {
      at: context.at,
      stageIndex: context.stageIndex,
      window: context.window,
      verdict,
      note: note === "" ? null : note,
      samples: { stable: samples.get(stable) ?? null, candidate: samples.get(candidate) ?? null },
      results,
    },
    evidence,
  };
}

/** With thin data a result is reported for information but decides nothing. */
function holdBack(verdict: SloVerdict): SloVerdict {
  return verdict === "not_applicable" ? verdict : "insufficient_data";
}

/** "v2 served 40 requests", or with sampling "v2 served about 400 requests, 40 of them kept by the source's sampling". */
function servedText(version: string, sample: SliSample): string {
  if ((sample.sampleInterval ?? 1) <= 1) return `${version} served ${formatCount(sample.requests)} requests`;
  return `${version} served about ${formatCount(sample.requests)} requests, ${formatCount(keptRequests(sample))} of them kept by the source's sampling`;
}

/**
 * How the source's outcomes were counted for a version, when it reports them: e.g.
 * "v2: 9,480 successful, 41 errors (38 exception, 3 exceededCpu), 312 not counted as the client's doing (312 responseStreamDisconnected)".
 */
function outcomesText(version: string, sample: SliSample | undefined): string | null {
  if (!sample?.outcomes?.length) return null;
  const ofClass = (wanted: OutcomeClass) => sample.outcomes!.filter((outcome) => outcome.class === wanted && outcome.requests > 0);
  const total = (outcomes: OutcomeCount[]) => formatCount(outcomes.reduce((sum, outcome) => sum + outcome.requests, 0));
  const named = (outcomes: OutcomeCount[]) =>
    outcomes.map(({ outcome, requests, known }) => `${formatCount(requests)} ${known ? outcome : `"${outcome}", unknown to Glidepath`}`).join(", ");
  const [successes, errors, notCounted] = [ofClass("success"), ofClass("error"), ofClass("not_counted")];
  const parts = [
    successes.length > 0 && `${total(successes)} successful`,
    errors.length > 0 && `${total(errors)} errors (${named(errors)})`,
    notCounted.length > 0 && `${total(notCounted)} not counted as the client's doing (${named(notCounted)})`,
  ].filter((part) => part !== false);
  return parts.length === 0 ? null : `${version}: ${parts.join(", ")}`;
}

const COUNT_FORMAT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function formatCount(count: number): string {
  return COUNT_FORMAT.format(Math.round(count));
}

function measuredValues(slo: Slo, candidate: Side, stable: Side | null) {
  const candidateValue = sliValue(candidate.sample, slo.sli) ?? null;
  const stableValue = stable ? (sliValue(stable.sample, slo.sli) ?? null) : null;
  return { slo, rule: describeSlo(slo), candidate: candidateValue, stable: stableValue };
}

/** A sequential test compares the versions, so it has nothing to say once stable serves no traffic. */
function judgeSequentialSlo(slo: SequentialSlo, plan: Plan, candidate: Side, stable: Side | null, state: SequentialState): { result: SloResult; state: SequentialState } {
  const result = { ...measuredValues(slo, candidate, stable), threshold: null };
  if (!stable) return { result: { ...result, verdict: "not_applicable" }, state };
  const judgement = judgeSequential(slo, plan, candidate.sample, stable.sample, state);
  return judgement.verdict === "not_applicable"
    ? { result: { ...result, verdict: judgement.verdict, note: judgement.note }, state: judgement.state }
    : { result: { ...result, verdict: judgement.verdict, evidence: judgement.evidence }, state: judgement.state };
}

function judgeSlo(slo: Exclude<Slo, SequentialSlo>, candidate: Side, stable: Side | null): SloResult {
  const result = measuredValues(slo, candidate, stable);
  const relative = "maxRatioToStable" in slo;
  if (relative && !stable) return { ...result, verdict: "not_applicable", threshold: null };
  const judged = relative ? [candidate, stable!] : [candidate];
  const needed = requestsToJudge(slo.sli);
  const short = judged.find((side) => keptRequests(side.sample) < needed);
  if (short) {
    const note = `${slo.sli} needs ${needed} requests per version to judge; ${servedText(short.version, short.sample)}`;
    return { ...result, verdict: "insufficient_data", threshold: null, note };
  }
  const missing = judged.find((side) => sliValue(side.sample, slo.sli) === undefined);
  if (missing) {
    return { ...result, verdict: "insufficient_data", threshold: null, note: `no ${slo.sli} measured for ${missing.version}` };
  }
  const threshold = relative ? slo.maxRatioToStable * result.stable! : slo.max;
  if (result.candidate! <= threshold) return { ...result, verdict: "pass", threshold };
  const noise = slo.sli === "error_rate" ? undefined : quantileNoise(slo, slo.sli, candidate, relative ? stable! : null);
  if (noise) return { ...result, verdict: "insufficient_data", threshold, note: noise };
  return { ...result, verdict: "fail", threshold };
}

/**
 * Why a latency quantile over its limit by its estimate may be noise, or undefined when it is
 * clearly over. A tail judged from a few hundred requests moves a lot from one check to the
 * next: with the versions' histograms, the SLO fails only when the candidate's quantile is over
 * the limit even at the low end of its confidence bounds, and stable's at the high end of its
 * own. Without histograms (a source that gives quantiles alone) the estimates decide.
 */
function quantileNoise(slo: Exclude<Slo, SequentialSlo>, sli: LatencySli, candidate: Side, stable: Side | null): string | undefined {
  const q = LATENCY_QUANTILES[sli];
  const bounds = (side: Side) => side.sample.latencyHistogram && quantileBounds(side.sample.latencyHistogram, side.sample.sampleInterval ?? 1, q);
  const candidateBounds = bounds(candidate);
  const stableBounds = stable && bounds(stable);
  if (!candidateBounds || (stable && !stableBounds)) return undefined;
  const limit = "max" in slo ? slo.max : slo.maxRatioToStable * stableBounds!.high;
  if (candidateBounds.low > limit) return undefined;
  const atMost = stable ? `, and ${stable.version}'s at most ${formatMs(stableBounds!.high)}` : "";
  return (
    `${sli} of ${candidate.version} is over the limit by its estimate, but not clearly at this many requests: ` +
    `it is at least ${formatMs(candidateBounds.low)}${atMost}; waiting for more`
  );
}

function formatMs(ms: number): string {
  return ms === Infinity ? "beyond the last latency bucket" : `${formatSliValue(ms)} ms`;
}

/** The failing SLOs of a check in words, e.g. "error_rate <= 0.01: v2 0.152 (v1 0.001)". */
export function describeFailures(check: Check, stable: string, candidate: string): string {
  return check.results
    .filter((result) => result.verdict === "fail")
    .map((result) => {
      const stableText = result.stable === null ? "" : ` (${stable} ${formatSliValue(result.stable)})`;
      const evidence = result.evidence ? `, evidence ${formatEValue(result.evidence.eValue)} >= ${formatEValue(result.evidence.threshold)}` : "";
      return `${result.rule}: ${candidate} ${formatSliValue(result.candidate)}${stableText}${evidence}`;
    })
    .join("; ");
}

export function formatSliValue(value: number | null): string {
  if (value === null) return "n/a";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

/** An e-value in words: 340, or 2.1e+12 when huge. */
export function formatEValue(value: number): string {
  return value >= 1e6 ? value.toExponential(1) : formatSliValue(value);
}
