import { formatEValue } from "../../../../src/core/check";
import { isSequential } from "../../../../src/core/plan";
import { formatCount, formatSli, sliName, type SloResultView } from "./release-model";

interface Versions {
  stable: string;
  candidate: string;
}

/** Why an SLO failed, in one clause: the candidate's number, stable's, and the limit it broke. */
function describeFailedSlo(result: SloResultView, { stable, candidate }: Versions): string {
  const { slo } = result;
  if (isSequential(slo) && result.evidence) {
    const { evidence } = result;
    const what = evidence.counted === "errors" ? "failed" : `took over ${formatSli(slo.sli, evidence.boundMs)}`;
    const share = (counts: { trials: number; events: number }) => `${formatCount(counts.events)} of ${formatCount(counts.trials)}`;
    return (
      `a sequential test found the ${sliName(slo.sli)} of ${candidate} worse than ${stable}'s: ` +
      `${share(evidence.candidate)} requests ${what}, against ${share(evidence.stable)} for ${stable} ` +
      `(evidence ${formatEValue(evidence.eValue)} against a limit of ${formatEValue(evidence.threshold)})`
    );
  }
  const stableText = result.stable === null ? "" : ` against ${formatSli(slo.sli, result.stable)} for ${stable}`;
  const limit =
    "maxRatioToStable" in slo
      ? `over the limit of ${slo.maxRatioToStable} × ${stable}'s (${formatSli(slo.sli, result.threshold)})`
      : `over the ${formatSli(slo.sli, result.threshold)} limit`;
  return `the ${sliName(slo.sli)} of ${candidate} was ${formatSli(slo.sli, result.candidate)}${stableText}, ${limit}`;
}

/**
 * Why a check failed, as one clause: the first failing SLO in full (a fixed limit first, as it
 * reads most plainly), the others named after it.
 */
export function describeFailedCheck(results: SloResultView[], versions: Versions): string {
  const failed = results.filter((result) => result.verdict === "fail").sort((a, b) => Number(isSequential(a.slo)) - Number(isSequential(b.slo)));
  const [first, ...others] = failed;
  if (!first) return "";
  const also = others.map((result) =>
    isSequential(result.slo) ? `a sequential test of the ${sliName(result.slo.sli)} agrees` : `the ${sliName(result.slo.sli)} (${formatSli(result.slo.sli, result.candidate)}) was over its limit too`,
  );
  return [describeFailedSlo(first, versions), ...also].join("; ");
}

/** What an SLO's limit was in a check: a number, or the sequential test's evidence against its bar. */
export function describeLimit(result: SloResultView): string {
  if (result.evidence) return `evidence ${formatEValue(result.evidence.eValue)} of ${formatEValue(result.evidence.threshold)}`;
  if (result.threshold === null) return "—";
  return `≤ ${formatSli(result.slo.sli, result.threshold)}`;
}

export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The text with one full stop at its end, whether or not it came with one. */
export function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
