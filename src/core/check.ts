import { type LogLikelihoodRatios, noEvidence } from "./analysis/count-test.js";
import { judgeSequential, type SequentialEvidence } from "./analysis/sequential.js";
import { isSequential, type Plan, type SequentialSlo, type Slo } from "./plan.js";
import { requestsToJudge, sliValue, type SliSample } from "./sli.js";

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
  /** Why there is no verdict, when the verdict is insufficient_data. */
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
  /** Per plan SLO, the evidence its sequential test gathered in the stages before this one. */
  earlierStagesEvidence: readonly (LogLikelihoodRatios | undefined)[];
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
 * traffic at this stage but has fewer than minRequests in the window leaves the check without a
 * verdict: thin data neither passes nor fails a stage.
 */
export function evaluateCheck(context: CheckContext, samples: ReadonlyMap<string, SliSample>): Check {
  const { plan, stable, candidate, candidatePercent } = context;
  const stableSample = samples.get(stable) ?? EMPTY_SAMPLE;
  const candidateSample = samples.get(candidate) ?? EMPTY_SAMPLE;
  const stableHasTraffic = candidatePercent < 100;
  const { minRequests } = plan.policy;

  const thin = [
    candidateSample.requests < minRequests && `${candidate} served ${candidateSample.requests} requests`,
    stableHasTraffic && stableSample.requests < minRequests && `${stable} served ${stableSample.requests} requests`,
  ].filter(Boolean);
  const note = thin.length > 0 ? `${thin.join(" and ")} in the window; a verdict needs ${minRequests} each` : null;

  const candidateSide = { version: candidate, sample: candidateSample };
  const stableSide = stableHasTraffic ? { version: stable, sample: stableSample } : null;
  const results = plan.slos.map((slo, i) =>
    isSequential(slo)
      ? judgeSequentialSlo(slo, candidateSide, stableSide, context.earlierStagesEvidence[i] ?? noEvidence())
      : judgeSlo(slo, candidateSide, stableSide),
  );
  const verdicts = results.map((result) => result.verdict);
  // Thin data decides nothing. With enough requests, a failing SLO fails the check even when
  // another SLO cannot be measured: a missing signal must not hide a measured regression.
  const verdict: Verdict =
    note !== null
      ? "insufficient_data"
      : verdicts.includes("fail")
        ? "fail"
        : verdicts.includes("insufficient_data")
          ? "insufficient_data"
          : "pass";

  return {
    at: context.at,
    stageIndex: context.stageIndex,
    window: context.window,
    verdict,
    note: note ?? (verdict === "insufficient_data" ? results.find((result) => result.note)?.note ?? null : null),
    samples: { stable: samples.get(stable) ?? null, candidate: samples.get(candidate) ?? null },
    results: note === null ? results : results.map((result) => ({ ...result, verdict: holdBack(result.verdict) })),
  };
}

/** With thin data a result is reported for information but decides nothing. */
function holdBack(verdict: SloVerdict): SloVerdict {
  return verdict === "not_applicable" ? verdict : "insufficient_data";
}

function measuredValues(slo: Slo, candidate: Side, stable: Side | null) {
  const candidateValue = sliValue(candidate.sample, slo.sli) ?? null;
  const stableValue = stable ? (sliValue(stable.sample, slo.sli) ?? null) : null;
  return { slo, rule: describeSlo(slo), candidate: candidateValue, stable: stableValue };
}

/** A sequential test compares the versions, so it has nothing to say once stable serves no traffic. */
function judgeSequentialSlo(slo: SequentialSlo, candidate: Side, stable: Side | null, earlierStages: LogLikelihoodRatios): SloResult {
  const result = { ...measuredValues(slo, candidate, stable), threshold: null };
  if (!stable) return { ...result, verdict: "not_applicable" };
  const judgement = judgeSequential(slo, candidate.sample, stable.sample, earlierStages);
  return judgement.verdict === "not_applicable"
    ? { ...result, verdict: judgement.verdict, note: judgement.note }
    : { ...result, verdict: judgement.verdict, evidence: judgement.evidence };
}

function judgeSlo(slo: Exclude<Slo, SequentialSlo>, candidate: Side, stable: Side | null): SloResult {
  const result = measuredValues(slo, candidate, stable);
  const relative = "maxRatioToStable" in slo;
  if (relative && !stable) return { ...result, verdict: "not_applicable", threshold: null };

  const judged = relative ? [candidate, stable!] : [candidate];
  const needed = requestsToJudge(slo.sli);
  const short = judged.find((side) => side.sample.requests < needed);
  if (short) {
    const note = `${slo.sli} needs ${needed} requests per version; ${short.version} served ${short.sample.requests}`;
    return { ...result, verdict: "insufficient_data", threshold: null, note };
  }
  const missing = judged.find((side) => sliValue(side.sample, slo.sli) === undefined);
  if (missing) {
    return { ...result, verdict: "insufficient_data", threshold: null, note: `no ${slo.sli} measured for ${missing.version}` };
  }
  const threshold = relative ? slo.maxRatioToStable * result.stable! : slo.max;
  return { ...result, verdict: result.candidate! <= threshold ? "pass" : "fail", threshold };
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
